/**
 * The names of the Kyverno policies BaselinePolicies creates: declared here so that the exemptions naming them
 * (the runtime sensor's PolicyException) and the pack read the one list.
 */
/** Cluster-scoped, prefixed so as not to collide with kyverno/policies. */
export const BaselinePolicyName = {
    DisallowLatestTag: "baseline-disallow-latest-tag",
    RequireImageDigest: "baseline-require-image-digest",
    RestrictImageRegistries: "baseline-restrict-image-registries",
    RequireRequestsLimits: "baseline-require-requests-limits",
    RequireProbes: "baseline-require-probes",
    RequireReadOnlyRootFilesystem: "baseline-require-ro-rootfs",
    RestrictCapabilities: "baseline-restrict-capabilities",
    RestrictServiceAccountToken: "baseline-restrict-sa-token-automount",
    RequireNamespaceLabels: "baseline-require-namespace-labels",
    RestrictLegacyTokenSecrets: "baseline-restrict-legacy-token-secrets",
    RestrictNodePortServices: "baseline-restrict-nodeport-services",
    RestrictExternalIPs: "baseline-restrict-external-ips",
    RequireInternalLoadBalancers: "baseline-require-internal-load-balancers",
    RequireIngressTls: "baseline-require-ingress-tls",
    RestrictBindingSubjects: "baseline-restrict-binding-subjects",
    RestrictClusterAdminBindings: "baseline-restrict-cluster-admin-bindings",
    RestrictOpenNetworkRules: "baseline-restrict-open-network-rules",
    RestrictAllNamespacesPeers: "baseline-restrict-all-namespaces-peers",
    RestrictWholeAddressSpace: "baseline-restrict-whole-address-space",
    RestrictMetadataEgress: "baseline-restrict-metadata-egress",
    RestrictSecretStoreCredentials: "baseline-restrict-secret-store-credentials",
    VerifyImageSignatures: "baseline-verify-image-signatures",
} as const;
export type BaselinePolicyName = (typeof BaselinePolicyName)[keyof typeof BaselinePolicyName];
