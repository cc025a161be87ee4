/**
 * NetworkPolicy specs, built as data from the baseline so they can be tested without a cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import { ArgsChecker, DNS_NAMESPACE, DNS_POD_LABELS, NAMESPACE_NAME_LABEL } from "../baseline";
import { peerCidrProblems } from "../baseline/network";

/** A transport protocol a NetworkPolicy port may name. */
export const Protocol = {
    TCP: "TCP",
    UDP: "UDP",
    SCTP: "SCTP",
} as const;
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

/** A destination or source port. */
export interface PortArgs {
    /** Port number, 1-65535. */
    port: number;
    /** Protocol. Default: TCP. */
    protocol?: Protocol;
}

/** Egress the namespace's pods need beyond DNS, e.g. to a secret backend or a database. */
export interface EgressRuleArgs {
    /**
     * CIDR blocks the pods may reach, e.g. a VPC endpoint subnet. Refused: `/0` in any spelling, blocks whose
     * union is the whole space or wider public space than the baseline allows, and the metadata service.
     */
    cidrs?: string[];
    /** Namespaces (by name) whose pods may be reached. */
    namespaces?: string[];
    /** Ports allowed to those destinations. At least one: "every port" is not a declared need. */
    ports: PortArgs[];
}

/** Ingress the namespace's pods accept, e.g. from an ingress controller's namespace. */
export interface IngressRuleArgs {
    /** Namespaces (by name) whose pods may connect. */
    namespaces?: string[];
    /** CIDR blocks that may connect, e.g. the control plane's, for admission webhooks. Refused as egress's are. */
    cidrs?: string[];
    /** Ports they may connect to. At least one. */
    ports: PortArgs[];
}

/** One NetworkPolicy spec, keyed by its object name. */
export interface NetworkPolicySpec {
    readonly name: string;
    readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

/**
 * Records every problem of a list of peer CIDRs under `field` (`field[i]` for one block): malformed blocks,
 * the whole address space in any spelling or union, too much public space, and the metadata service
 * (components/baseline/network peerCidrProblems). The API server would refuse the malformed ones too, but
 * only at the update, after other resources were created. False when anything was recorded.
 */
export function checkPeerCidrs(check: ArgsChecker, cidrs: unknown, field: string): boolean {
    if (!check.check(Array.isArray(cidrs), field, "is not a list", 'list CIDR blocks such as "10.0.0.0/16"')) {
        return false;
    }
    const problems = peerCidrProblems(cidrs as unknown[]);
    for (const p of problems) check.fail(p.index === undefined ? field : `${field}[${p.index}]`, p.problem, p.fix);
    return problems.length === 0;
}

/**
 * Records, under `field`, a union of every rule's CIDRs that is too wide though each rule's alone is not:
 * split over rules, `0.0.0.0/1` and `128.0.0.0/1` still open the namespace to everything.
 */
export function checkPeerCidrUnion(check: ArgsChecker, cidrs: readonly unknown[], field: string): boolean {
    const problems = peerCidrProblems(cidrs).filter((p) => p.index === undefined);
    for (const p of problems) check.fail(field, p.problem, p.fix);
    return problems.length === 0;
}

function portsOf(ports: readonly PortArgs[]): k8s.types.input.networking.v1.NetworkPolicyPort[] {
    return ports.map((p) => ({ protocol: p.protocol ?? Protocol.TCP, port: p.port }));
}

/**
 * Selects a namespace by the label the API server sets on it: `kubernetes.io/metadata.name` is immutable
 * and present on every namespace, where a hand-set `name` label may be absent or forged.
 */
function namespacePeer(namespace: string): k8s.types.input.networking.v1.NetworkPolicyPeer {
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } };
}

/** The policies every SecureNamespace gets: default-deny both ways, DNS, and the declared exceptions. */
export function namespaceNetworkPolicies(
    egress: readonly EgressRuleArgs[],
    ingress: readonly IngressRuleArgs[],
): NetworkPolicySpec[] {
    const policies: NetworkPolicySpec[] = [
        { name: "default-deny-ingress", spec: { podSelector: {}, policyTypes: ["Ingress"] } },
        { name: "default-deny-egress", spec: { podSelector: {}, policyTypes: ["Egress"] } },
        {
            name: "allow-dns-egress",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        // Namespace and pod selector in one peer: both must match (kube-dns pods in kube-system).
                        to: [{ ...namespacePeer(DNS_NAMESPACE), podSelector: { matchLabels: { ...DNS_POD_LABELS } } }],
                        // DNS falls back to TCP for large answers; UDP alone breaks them.
                        ports: [
                            { protocol: Protocol.UDP, port: 53 },
                            { protocol: Protocol.TCP, port: 53 },
                        ],
                    },
                ],
            },
        },
    ];
    if (egress.length > 0) {
        policies.push({
            name: "allow-declared-egress",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: egress.map((rule) => ({
                    to: [
                        ...(rule.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
                        ...(rule.namespaces ?? []).map(namespacePeer),
                    ],
                    ports: portsOf(rule.ports),
                })),
            },
        });
    }
    if (ingress.length > 0) {
        policies.push({
            name: "allow-declared-ingress",
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: ingress.map((rule) => ({
                    from: [
                        ...(rule.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
                        ...(rule.namespaces ?? []).map(namespacePeer),
                    ],
                    ports: portsOf(rule.ports),
                })),
            },
        });
    }
    return policies;
}
