/**
 * NetworkPolicy specs, built as data from the baseline so they can be tested without a cluster.
 */
import * as k8s from "@pulumi/kubernetes";
import { DNS_NAMESPACE, DNS_POD_LABELS, NAMESPACE_NAME_LABEL } from "../baseline";

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
    /** CIDR blocks the pods may reach, e.g. a VPC endpoint subnet. `0.0.0.0/0` is refused. */
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
    /** CIDR blocks that may connect, e.g. the control plane's, for admission webhooks. `0.0.0.0/0` is refused. */
    cidrs?: string[];
    /** Ports they may connect to. At least one. */
    ports: PortArgs[];
}

/** One NetworkPolicy spec, keyed by its object name. */
export interface NetworkPolicySpec {
    readonly name: string;
    readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec;
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
