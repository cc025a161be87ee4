/**
 * Tetragon's TracingPolicyNamespaced objects, generated from the same facts as the Falco rules: in each env
 * namespace, a read of a mounted token and a connection to the API server from a namespace not declared to
 * need it are posted as events.
 */
import { EKS_WEB_IDENTITY_TOKEN_DIR, SERVICE_ACCOUNT_TOKEN_DIR } from "../../baseline";

/** The TracingPolicyNamespaced API. */
export const TRACING_POLICY_API_VERSION = "cilium.io/v1alpha1";
export const TRACING_POLICY_KIND = "TracingPolicyNamespaced";

/** The API server's default in-cluster port. */
export const KUBERNETES_API_PORTS: readonly string[] = ["443", "6443"];

/** One TracingPolicyNamespaced, as a manifest. */
export interface TracingPolicyManifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
    readonly spec: Record<string, unknown>;
}

/** The facts the policies are generated from. */
export interface TracingPolicyFacts {
    readonly namespaces: readonly string[];
    /**
     * The API server's addresses, as CIDR blocks: its endpoints (the control plane's) and the `kubernetes`
     * Service's address. A connection on the API ports to anything else is not the API. Empty: any address.
     */
    readonly apiServerCidrs: readonly string[];
    readonly kubernetesApiNamespaces: readonly string[];
    readonly labels: Record<string, string>;
}

/** The names of the baseline's policies in each env namespace. */
export const TracingPolicyName = {
    TokenRead: "token-read",
    KubernetesApiConnect: "kubernetes-api-connect",
} as const;

/** Reads of a token mounted in the pod, posted with the reading process. */
export function tokenReadSpec(): Record<string, unknown> {
    return {
        kprobes: [
            {
                call: "security_file_permission",
                syscall: false,
                return: true,
                args: [
                    { index: 0, type: "file" },
                    { index: 1, type: "int" },
                ],
                returnArg: { index: 0, type: "int" },
                returnArgAction: "Post",
                selectors: [
                    {
                        matchArgs: [
                            {
                                index: 0,
                                operator: "Prefix",
                                values: [SERVICE_ACCOUNT_TOKEN_DIR, EKS_WEB_IDENTITY_TOKEN_DIR],
                            },
                            // MAY_READ
                            { index: 1, operator: "Equal", values: ["4"] },
                        ],
                        matchActions: [{ action: "Post" }],
                    },
                ],
            },
        ],
    };
}

/** TCP connections to the API server (its ports, at its addresses when known), posted. */
export function apiConnectSpec(apiServerCidrs: readonly string[]): Record<string, unknown> {
    return {
        kprobes: [
            {
                call: "tcp_connect",
                syscall: false,
                args: [{ index: 0, type: "sock" }],
                selectors: [
                    {
                        // matchArgs are ANDed: the port and, when known, the address.
                        matchArgs: [
                            { index: 0, operator: "DPort", values: [...KUBERNETES_API_PORTS] },
                            ...(apiServerCidrs.length > 0
                                ? [{ index: 0, operator: "DAddr", values: [...new Set(apiServerCidrs)] }]
                                : []),
                        ],
                        matchActions: [{ action: "Post" }],
                    },
                ],
            },
        ],
    };
}

/** The policies of every env namespace: token reads everywhere, API connections where not declared. */
export function tracingPolicies(facts: TracingPolicyFacts): TracingPolicyManifest[] {
    const api = new Set(facts.kubernetesApiNamespaces);
    return [...new Set(facts.namespaces)].sort().flatMap((namespace) => {
        const policy = (name: string, spec: Record<string, unknown>): TracingPolicyManifest => ({
            apiVersion: TRACING_POLICY_API_VERSION,
            kind: TRACING_POLICY_KIND,
            metadata: { name, namespace, labels: { ...facts.labels } },
            spec,
        });
        const out = [policy(TracingPolicyName.TokenRead, tokenReadSpec())];
        if (!api.has(namespace)) {
            out.push(policy(TracingPolicyName.KubernetesApiConnect, apiConnectSpec(facts.apiServerCidrs)));
        }
        return out;
    });
}
