/**
 * NetworkPolicies: what an allow rule opens, judged as the API server and the network plugin read it. Every
 * namespace starts from default-deny (namespaces-default-deny); NetworkPolicies only add, so one allow rule
 * whose peers are everything undoes it for the pods it selects, whatever its podSelector: pods' labels are
 * their author's to choose.
 *
 * Read as the API server reads a spec:
 * - `policyTypes` unset or empty means Ingress, plus Egress when `egress` has rules (the API server's
 *   defaulting); when it lists types, the rules of a
 *   direction it does not list are never applied, so they open nothing and are not judged.
 * - A rule with no `from` (`to`), or an empty list, allows every source (destination); ports narrow only
 *   the ports. A peer with no field set is refused by the API server ("must specify a peer"), as is an
 *   ipBlock beside another field, a malformed CIDR, and an `except` that is not a strict subset of its
 *   `cidr`; such an object never takes effect, but a manifest that asks for it is refused here as well.
 * - A namespaceSelector that every namespace satisfies lets every namespace in, with or without a
 *   podSelector beside it (any namespace can run a pod with those labels). What the `env` label selects
 *   follows the cluster topology (the pack config's `topology`): on a dedicated cluster every namespace has
 *   the same env, so `env: dev` selects them all; on a shared cluster laid out per app it selects every
 *   namespace of dev (every app's, as on a dedicated cluster), and laid out per env it selects the one
 *   namespace `dev`. Exists and NotIn on it still reach every env (cross-env-network-peers reports a
 *   selector reaching another env's namespaces).
 * - An ipBlock reaches its `cidr` less its `except`s, each IPv6 block with the IPv4 it embeds; a direction's
 *   blocks are judged together (components/baseline/network): the whole space of a family, or more public
 *   space than the baseline allows, is refused, and so is egress that reaches the instance metadata service.
 *
 * The platform's own charts' NetworkPolicies are left alone only when the engine shows a chart rendered them
 * (policies/platform.ts); the components render none (their chart values turn every one off).
 */
import {
    AddressRange,
    metadataAddressesIn,
    publicAddressCount,
    readIpBlock,
    tooWidePublicFamilies,
    wholeSpaceFamilies,
} from "../../../components/baseline/network";
import {
    CLUSTER_WIDE_NAMESPACE_LABEL,
    ClusterTopology,
    EVERY_NAMESPACE_LABELS,
    isSharedCluster,
    NamespaceLayout,
} from "../../../components/baseline";
import { isPlatformChartResource } from "../platform";
import { containsUnknown, describeResource, isUnknown, namespaceOf } from "../resource";
import {
    EnforcementLevel,
    PolicyResource,
    PolicySettings,
    Reporter,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../types";
import { stringsOf } from "./common";
import { NETWORK_POLICY } from "./namespaces";

const URL = "https://kubernetes.io/docs/concepts/services-networking/network-policies/";

/** What a finding is about: each policy of this file reports one kind. */
type Kind = "open" | "namespaces" | "space" | "metadata" | "malformed";
const ALL_KINDS: readonly Kind[] = ["open", "namespaces", "space", "metadata", "malformed"];

interface Analysis {
    readonly findings: { readonly kind: Kind; readonly message: string }[];
    readonly unknowns: { readonly kinds: readonly Kind[]; readonly path: string }[];
    /** The ranges the ipBlocks of each applied direction reach. */
    readonly ranges: { Ingress: AddressRange[]; Egress: AddressRange[] };
    /** The directions whose ipBlocks alone already reach too much (network-address-space reports them). */
    readonly wide: Set<"Ingress" | "Egress">;
}

/** The directions of a NetworkPolicy: the rules' key and their peers' key. */
const DIRECTIONS = [
    { type: "Ingress", rules: "ingress", peers: "from", what: "source" },
    { type: "Egress", rules: "egress", peers: "to", what: "destination" },
] as const;

/**
 * Label keys whose requirement does not narrow a namespace selector (the baseline's EVERY_NAMESPACE_LABELS,
 * which the Kyverno counterpart reads too), and the one every namespace of an env carries with the same
 * value (CLUSTER_WIDE_NAMESPACE_LABEL, `env`).
 */
const EVERY_NAMESPACE_HAS: ReadonlySet<string> = new Set(EVERY_NAMESPACE_LABELS);

/**
 * What the `env` label selects on the cluster: every namespace (dedicated), every namespace of the envs
 * named (shared, per app), or the one namespace named after each env (shared, per env), which narrows.
 */
type EnvLabelReach = "cluster" | "env" | "namespace";

function envLabelReach(topology: ClusterTopology | undefined): EnvLabelReach {
    if (topology === undefined || !isSharedCluster(topology)) return "cluster";
    return topology.namespaceLayout === NamespaceLayout.PerEnv ? "namespace" : "env";
}

/**
 * True when every namespace satisfies `selector` (on a shared cluster laid out per app, every namespace of
 * the envs it names by the `env` label). A requirement narrows it when it asks for particular values of a
 * label (matchLabels, In), except of `env` unless each env has one namespace, or for a label to be present
 * (Exists) that not every namespace has; NotIn, and DoesNotExist of a label other than the ones every
 * namespace has, exclude a few namespaces and admit the rest. Undefined when part of it is unknown.
 */
function selectsEveryNamespace(selector: unknown, reach: EnvLabelReach): boolean | undefined {
    if (containsUnknown(selector)) return undefined;
    if (selector === null || typeof selector !== "object") return false;
    const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
    const labels = matchLabels !== null && typeof matchLabels === "object" ? Object.keys(matchLabels) : [];
    if (labels.some((key) => key !== CLUSTER_WIDE_NAMESPACE_LABEL)) return false;
    if (labels.length > 0 && reach === "namespace") return false;
    const expressions = Array.isArray(matchExpressions) ? matchExpressions : [];
    return expressions.every((e) => {
        const key = e?.key;
        switch (e?.operator) {
            case "In":
                return key === CLUSTER_WIDE_NAMESPACE_LABEL && reach !== "namespace";
            case "Exists":
                return EVERY_NAMESPACE_HAS.has(key);
            case "DoesNotExist":
                return !EVERY_NAMESPACE_HAS.has(key);
            case "NotIn":
                return true;
            default:
                // The API server refuses any other operator.
                return false;
        }
    });
}

/** Text for a count of addresses: exact below a million, else a power of two. */
function addresses(count: bigint): string {
    if (count < 1_000_000n) return `${count}`;
    return `about 2^${count.toString(2).length - 1}`;
}

/** Judges one rule's peers; collects its ipBlocks' ranges into `ranges`. */
function judgePeers(
    reach: EnvLabelReach,
    analysis: Analysis,
    what: string,
    path: string,
    direction: (typeof DIRECTIONS)[number],
    peers: unknown[],
    ranges: AddressRange[],
): { all: boolean } {
    let all = false;
    peers.forEach((peer, j) => {
        const at = `${path}.${direction.peers}[${j}]`;
        if (isUnknown(peer)) {
            analysis.unknowns.push({ kinds: ALL_KINDS, path: at });
            return;
        }
        if (peer === null || typeof peer !== "object") return;
        const { podSelector, namespaceSelector, ipBlock } = peer as Record<string, unknown>;
        const set = [podSelector, namespaceSelector, ipBlock].filter((v) => v !== undefined && v !== null);
        if (set.length === 0) {
            all = true;
            analysis.findings.push({
                kind: "open",
                message:
                    `${what}: ${at} is an empty peer, read as every ${direction.what}; the API server refuses it ` +
                    `("must specify a peer")`,
            });
            return;
        }
        if (ipBlock !== undefined && ipBlock !== null && set.length > 1) {
            analysis.findings.push({
                kind: "malformed",
                message: `${what}: ${at} sets ipBlock beside a selector; the API server refuses it`,
            });
        }
        if (namespaceSelector !== undefined && namespaceSelector !== null) {
            const every = selectsEveryNamespace(namespaceSelector, reach);
            if (every === undefined) {
                analysis.unknowns.push({ kinds: ["namespaces"], path: `${at}.namespaceSelector` });
            } else if (every) {
                analysis.findings.push({
                    kind: "namespaces",
                    message:
                        `${what}: ${at}.namespaceSelector ${JSON.stringify(namespaceSelector)} matches every ` +
                        (reach === "env" && namesEnv(namespaceSelector)
                            ? `namespace of the envs it names, so pods of any of them are a ${direction.what}`
                            : `namespace, so pods of any namespace are a ${direction.what}`),
                });
            }
        }
        if (ipBlock !== undefined && ipBlock !== null) {
            if (containsUnknown(ipBlock)) {
                analysis.unknowns.push({ kinds: ["space", "metadata", "malformed"], path: `${at}.ipBlock` });
                return;
            }
            const block = ipBlock as { cidr?: unknown; except?: unknown };
            const except = Array.isArray(block.except) ? block.except : [];
            const read = readIpBlock(block.cidr, except);
            for (const problem of read.problems) {
                analysis.findings.push({
                    kind: "malformed",
                    message: `${what}: ${at}.ipBlock.${problem}; the API server refuses it`,
                });
            }
            ranges.push(...read.ranges);
            if (direction.type === "Egress") {
                const metadata = metadataAddressesIn(read.ranges);
                if (metadata.length > 0) {
                    analysis.findings.push({
                        kind: "metadata",
                        message:
                            `${what}: ${at}.ipBlock ${JSON.stringify(block.cidr)} reaches the instance metadata ` +
                            `service (${metadata.join(", ")})`,
                    });
                }
            }
        }
    });
    return { all };
}

/** True when a selector asks for values of the `env` label (matchLabels or In). */
function namesEnv(selector: unknown): boolean {
    const { matchLabels, matchExpressions } = selector as { matchLabels?: any; matchExpressions?: unknown };
    if (matchLabels && typeof matchLabels === "object" && CLUSTER_WIDE_NAMESPACE_LABEL in matchLabels) return true;
    return (
        Array.isArray(matchExpressions) &&
        matchExpressions.some((e) => e?.key === CLUSTER_WIDE_NAMESPACE_LABEL && e?.operator === "In")
    );
}

function analyse(resource: PolicyResource, reach: EnvLabelReach): Analysis {
    const analysis: Analysis = { findings: [], unknowns: [], ranges: { Ingress: [], Egress: [] }, wide: new Set() };
    const what = describeResource(resource);
    const spec = resource.props?.spec;
    if (isUnknown(spec)) {
        analysis.unknowns.push({ kinds: ALL_KINDS, path: "spec" });
        return analysis;
    }
    if (spec === null || typeof spec !== "object") return analysis;
    let types: string[];
    const listed = stringsOf(spec.policyTypes);
    if (listed === undefined) {
        analysis.unknowns.push({ kinds: ALL_KINDS, path: "spec.policyTypes" });
        return analysis;
    }
    if (listed.length === 0) {
        // Unset or empty, the API server defaults it: Ingress, and Egress when there are egress rules.
        if (isUnknown(spec.egress)) {
            analysis.unknowns.push({ kinds: ALL_KINDS, path: "spec.egress" });
            return analysis;
        }
        types = ["Ingress", ...(Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Egress"] : [])];
    } else {
        types = listed;
    }
    for (const direction of DIRECTIONS) {
        if (!types.includes(direction.type)) continue;
        const rules: unknown = spec[direction.rules];
        const rulesPath = `spec.${direction.rules}`;
        if (isUnknown(rules)) {
            analysis.unknowns.push({ kinds: ALL_KINDS, path: rulesPath });
            continue;
        }
        if (!Array.isArray(rules)) continue;
        const ranges: AddressRange[] = [];
        rules.forEach((rule, i) => {
            const path = `${rulesPath}[${i}]`;
            if (isUnknown(rule)) {
                analysis.unknowns.push({ kinds: ALL_KINDS, path });
                return;
            }
            if (rule === null || typeof rule !== "object") return;
            const peers: unknown = (rule as Record<string, unknown>)[direction.peers];
            if (isUnknown(peers)) {
                analysis.unknowns.push({ kinds: ALL_KINDS, path: `${path}.${direction.peers}` });
                return;
            }
            let all = false;
            if (peers === undefined || peers === null || (Array.isArray(peers) && peers.length === 0)) {
                all = true;
                analysis.findings.push({
                    kind: "open",
                    message: `${what}: ${path} has no ${direction.peers}, so it allows every ${direction.what}`,
                });
            } else if (Array.isArray(peers)) {
                all = judgePeers(reach, analysis, what, path, direction, peers, ranges).all;
            }
            if (all && direction.type === "Egress") {
                analysis.findings.push({
                    kind: "metadata",
                    message: `${what}: ${path} allows every destination, the instance metadata service included`,
                });
            }
        });
        analysis.ranges[direction.type] = ranges;
        const whole = wholeSpaceFamilies(ranges);
        if (whole.length > 0) {
            analysis.findings.push({
                kind: "space",
                message:
                    `${what}: the ipBlocks of ${rulesPath} cover every IPv${whole.join(" and IPv")} address, ` +
                    `so they allow every ${direction.what}`,
            });
        }
        const wide = tooWidePublicFamilies(ranges);
        if (whole.length > 0 || wide.length > 0) analysis.wide.add(direction.type);
        for (const family of wide) {
            if (whole.includes(family)) continue;
            analysis.findings.push({
                kind: "space",
                message:
                    `${what}: the ipBlocks of ${rulesPath} reach ${addresses(publicAddressCount(ranges, family))} ` +
                    `public IPv${family} addresses, more than the baseline allows (a ${family === 4 ? "/8" : "/32"})`,
            });
        }
    }
    return analysis;
}

/** One analysis per resource object and reach of the env label, shared by the policies of this file. */
const analyses = new WeakMap<object, Partial<Record<EnvLabelReach, Analysis>>>();

function analysisOf(resource: PolicyResource, settings: PolicySettings): Analysis {
    const reach = envLabelReach(settings.topology);
    const key = resource.props;
    if (key === null || typeof key !== "object") return analyse(resource, reach);
    let byReach = analyses.get(key);
    if (byReach === undefined) {
        byReach = {};
        analyses.set(key, byReach);
    }
    return (byReach[reach] ??= analyse(resource, reach));
}

function reportKind(kind: Kind, resource: PolicyResource, settings: PolicySettings, report: Reporter): void {
    const analysis = analysisOf(resource, settings);
    for (const u of analysis.unknowns) if (u.kinds.includes(kind)) report.unknown(u.path);
    for (const f of analysis.findings) if (f.kind === kind) report.violation(f.message);
}

/** The fields every policy of this file shares. */
function networkPolicy(
    name: string,
    kind: Kind,
    info: Pick<ResourcePolicy, "description" | "severity" | "remediationSteps" | "url">,
): ResourcePolicy {
    return {
        kind: "resource",
        name,
        group: "network",
        enforcementLevel: EnforcementLevel.Mandatory,
        types: [NETWORK_POLICY],
        ...info,
        validate(resource, settings, report) {
            if (isPlatformChartResource(resource, settings)) return;
            reportKind(kind, resource, settings, report);
        },
    };
}

/**
 * An allow rule with no `from` / `to` (or an empty list, or an empty peer) allows every source or
 * destination, undoing default-deny for the pods it selects.
 */
export const networkOpenRules: ResourcePolicy = networkPolicy("network-open-rules", "open", {
    description: "NetworkPolicy rules name their peers: none (or an empty peer) means every source or destination.",
    severity: Severity.High,
    remediationSteps:
        "List the peers the pods need in `from` / `to`: namespaces by kubernetes.io/metadata.name, or the " +
        "peer's own CIDR blocks (SecureNamespace's egress and ingress arguments build such rules).",
    url: `${URL}#behavior-of-to-and-from-selectors`,
});

/** A namespaceSelector every namespace satisfies lets every namespace's pods in (or out to them). */
export const networkAllNamespaces: ResourcePolicy = networkPolicy("network-all-namespaces", "namespaces", {
    description: "NetworkPolicy namespaceSelectors select particular namespaces, not every one.",
    severity: Severity.High,
    remediationSteps:
        "Select each namespace by name: `matchLabels: {kubernetes.io/metadata.name: <namespace>}`. `{}`, " +
        "NotIn, Exists on a label every namespace has, and the env label alone (unless each env has one " +
        "namespace) select every namespace.",
    url: `${URL}#behavior-of-to-and-from-selectors`,
});

/** ipBlocks covering a family's whole space, or more public space than the baseline allows. */
export const networkAddressSpace: ResourcePolicy = networkPolicy("network-address-space", "space", {
    description:
        "NetworkPolicy ipBlocks cover neither a whole address space nor more public space than a /8 (IPv4) or /32 (IPv6).",
    severity: Severity.High,
    remediationSteps:
        "Name the peer's own CIDR blocks (a VPC endpoint subnet, a database subnet, an egress proxy); route " +
        "internet egress through a proxy rather than opening the address space.",
    url: `${URL}#networkpolicy-resource`,
});

/**
 * The ipBlocks of every NetworkPolicy of a namespace, judged together per direction: NetworkPolicies add up,
 * so a whole address space split over several policies (each within the limit) opens the namespace as one
 * would. Read in one pass over the stack, from the analyses the resource policies share. A namespace where
 * one policy alone is already too wide is left to network-address-space; a policy whose namespace is unknown
 * is judged by that policy alone.
 */
export const networkNamespaceAddressSpace: StackPolicy = {
    kind: "stack",
    name: "network-namespace-address-space",
    group: "network",
    description:
        "The NetworkPolicies of a namespace together cover neither a whole address space nor more public space than the baseline allows.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name the peers' own CIDR blocks, in as few policies as the pods need; route internet egress through a proxy.",
    url: `${URL}#networkpolicy-resource`,
    validateStack(resources, settings, report) {
        type Entry = { Ingress: AddressRange[]; Egress: AddressRange[]; wide: Set<string>; last?: string };
        const byNamespace = new Map<string, Entry>();
        for (const resource of resources) {
            if (resource.type !== NETWORK_POLICY || isPlatformChartResource(resource, settings)) continue;
            if (isUnknown(resource.props?.metadata?.namespace)) continue;
            const namespace = namespaceOf(resource);
            if (namespace === undefined) continue;
            const analysis = analysisOf(resource, settings);
            const entry = byNamespace.get(namespace) ?? { Ingress: [], Egress: [], wide: new Set<string>() };
            for (const direction of analysis.wide) entry.wide.add(direction);
            entry.Ingress.push(...analysis.ranges.Ingress);
            entry.Egress.push(...analysis.ranges.Egress);
            entry.last = resource.urn ?? entry.last;
            byNamespace.set(namespace, entry);
        }
        for (const [namespace, entry] of byNamespace) {
            for (const direction of DIRECTIONS) {
                const ranges = entry[direction.type];
                if (ranges.length === 0 || entry.wide.has(direction.type)) continue;
                const whole = wholeSpaceFamilies(ranges);
                const wide = tooWidePublicFamilies(ranges).filter((f) => !whole.includes(f));
                if (whole.length === 0 && wide.length === 0) continue;
                const urn = entry.last === undefined ? undefined : { urn: entry.last };
                if (whole.length > 0) {
                    report.violation(
                        `the NetworkPolicies of namespace ${namespace} together cover every ` +
                            `IPv${whole.join(" and IPv")} address in ${direction.rules}, so they allow every ${direction.what}`,
                        urn,
                    );
                }
                for (const family of wide) {
                    report.violation(
                        `the NetworkPolicies of namespace ${namespace} together reach ` +
                            `${addresses(publicAddressCount(ranges, family))} public IPv${family} addresses in ` +
                            `${direction.rules}, more than the baseline allows (a ${family === 4 ? "/8" : "/32"})`,
                        urn,
                    );
                }
            }
        }
    },
};

/** Egress that reaches the instance metadata service, and with it the node's credentials. */
export const networkMetadataEgress: ResourcePolicy = networkPolicy("network-metadata-egress", "metadata", {
    description: "NetworkPolicy egress does not reach the instance metadata service (169.254.169.254, fd00:ec2::254).",
    severity: Severity.Critical,
    remediationSteps:
        "Leave the metadata service out of every egress rule (no rule without `to`, no block containing it): " +
        "pods get AWS credentials from their own ServiceAccount's role (IRSA or EKS Pod Identity).",
    url: "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node",
});

/** Peers the API server refuses: malformed CIDRs, excepts outside their block, ipBlock beside a selector. */
export const networkMalformedPeers: ResourcePolicy = networkPolicy("network-malformed-peers", "malformed", {
    description: "NetworkPolicy peers are well formed: valid CIDRs, excepts inside their block, ipBlock alone.",
    severity: Severity.Medium,
    remediationSteps:
        'Write each cidr as "<address>/<prefix>" (dotted-quad IPv4 without leading zeros, or IPv6), each except ' +
        "as a strict subset of its cidr, and an ipBlock as a peer of its own.",
    url: "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/",
});

export const networkPolicies = [
    networkOpenRules,
    networkAllNamespaces,
    networkAddressSpace,
    networkNamespaceAddressSpace,
    networkMetadataEgress,
    networkMalformedPeers,
] as const;
