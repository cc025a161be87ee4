/**
 * NetworkPolicy peers as the API server and the network plugin read them: the facts the Kyverno generator
 * and the pack's network policies share.
 */
import { NAMESPACE_NAME_LABEL, RequiredLabel } from "./labels";

/**
 * Label keys every namespace of a baseline cluster carries: the API server sets the name label on every
 * namespace, and the baseline requires `owner`, `env` and `tier` on each. A namespaceSelector that only asks
 * for one of them to exist does not narrow anything.
 */
export const EVERY_NAMESPACE_LABELS: readonly string[] = [
    NAMESPACE_NAME_LABEL,
    RequiredLabel.Owner,
    RequiredLabel.Env,
    RequiredLabel.Tier,
];

/**
 * The label every namespace of one env carries with the same value (the env): selecting by it selects every
 * namespace of the env, which is every namespace of the cluster when the env has the cluster to itself. On a
 * cluster several envs share (topology.ts), it tells their namespaces apart: one namespace per env with the
 * per-env layout, every app namespace of the env with the per-app one.
 */
export const CLUSTER_WIDE_NAMESPACE_LABEL: string = RequiredLabel.Env;

/** The whole IPv4 and the whole IPv6 address space, as CIDRs are canonically written. */
export const WHOLE_SPACE_CIDRS: readonly string[] = ["0.0.0.0/0", "::/0"];
