/**
 * Which pack policy each Kyverno policy of the baseline mirrors at admission. The CEL agreement
 * (./cel-agreement.ts) proves each pair gives the same verdicts; the compliance report reads it to say which
 * admission rule enforces a control. Data only: no CEL is loaded here.
 */
import { BaselinePolicyName } from "../../components/addons/kyverno/policies";

/** The pack policy that answers for a Kyverno policy, and the Pod Security check, when only one of it does. */
export interface PackCounterpart {
    readonly policy: string;
    readonly check?: string;
}

/**
 * Each Kyverno policy of the baseline and the pack policy that must agree with it. Undefined: judged by
 * another group of the pack, outside this agreement, or not a CEL ValidatingPolicy.
 *
 * baseline-restrict-capabilities is answered by the capabilities_restricted check of pod-security-restricted
 * (the rule is that check). Pod Security exempts Windows pods (`spec.os.name: windows`) from it, which the CEL
 * rule does not; the fixtures are Linux pods, as every pod of the platform is.
 *
 * baseline-require-namespace-labels is answered by namespaces-required-labels (run with the env under test as
 * its `env` setting). They differ on the namespaces Kyverno excludes: see KNOWN_DIFFERENCES.
 */
export const KYVERNO_TO_PACK: Readonly<Record<BaselinePolicyName, PackCounterpart | undefined>> = {
    [BaselinePolicyName.DisallowLatestTag]: { policy: "workloads-no-latest-tag" },
    [BaselinePolicyName.RequireImageDigest]: { policy: "workloads-image-digest" },
    [BaselinePolicyName.RestrictImageRegistries]: { policy: "workloads-approved-registries" },
    [BaselinePolicyName.RequireRequestsLimits]: { policy: "workloads-requests-limits" },
    [BaselinePolicyName.RequireProbes]: { policy: "workloads-probes" },
    [BaselinePolicyName.RequireReadOnlyRootFilesystem]: { policy: "workloads-readonly-rootfs" },
    [BaselinePolicyName.RestrictCapabilities]: { policy: "pod-security-restricted", check: "capabilities_restricted" },
    [BaselinePolicyName.RestrictServiceAccountToken]: { policy: "workloads-sa-token-automount" },
    [BaselinePolicyName.RequireNamespaceLabels]: { policy: "namespaces-required-labels" },
    [BaselinePolicyName.RestrictLegacyTokenSecrets]: { policy: "workloads-no-legacy-token-secret" },
    [BaselinePolicyName.RestrictNodePortServices]: { policy: "services-no-node-port" },
    [BaselinePolicyName.RestrictExternalIPs]: { policy: "services-no-external-ips" },
    [BaselinePolicyName.RequireInternalLoadBalancers]: { policy: "services-internal-load-balancer" },
    [BaselinePolicyName.RequireIngressTls]: { policy: "services-ingress-tls" },
    // Stack policies, judged here on a stack of the one binding: what the binding alone decides. The pack
    // also refuses a binding to a ClusterRole of the stack that grants * on *, and a built-in system: role
    // given to anyone but the cluster's own identities, which needs to know which roles the input defines.
    [BaselinePolicyName.RestrictBindingSubjects]: { policy: "rbac-bound-subjects" },
    [BaselinePolicyName.RestrictClusterAdminBindings]: { policy: "rbac-no-cluster-admin" },
    // The pack reads CIDRs (other spellings of a whole space, public space, excepts, the metadata address
    // inside a block); standard CEL compares strings. See KNOWN_DIFFERENCES.
    [BaselinePolicyName.RestrictOpenNetworkRules]: { policy: "network-open-rules" },
    [BaselinePolicyName.RestrictAllNamespacesPeers]: { policy: "network-all-namespaces" },
    [BaselinePolicyName.RestrictWholeAddressSpace]: { policy: "network-address-space" },
    [BaselinePolicyName.RestrictMetadataEgress]: { policy: "network-metadata-egress" },
    // The pack's is a whitelist of auth methods, each naming a ServiceAccount; the admission rule refuses the
    // fields that are plainly no app identity. See KNOWN_DIFFERENCES.
    [BaselinePolicyName.RestrictSecretStoreCredentials]: { policy: "external-secrets-store-identity" },
    // An ImageValidatingPolicy: verifying a signature needs the registry, which neither side reaches here.
    [BaselinePolicyName.VerifyImageSignatures]: undefined,
};
