/**
 * Which controls of the catalogue (./catalogue.ts) each policy of the pack provides, and which the
 * components provide by what they deploy. Declared once, here; the pack attaches them to each policy as
 * @pulumi/policy's compliance metadata (./metadata.ts), and the report reads them per control.
 */

/** The controls each policy provides, by policy name. Every policy of the pack has an entry. */
export const POLICY_CONTROLS: Readonly<Record<string, readonly string[]>> = {
    "pod-security-baseline": [
        "cis-eks-4.2.1",
        "cis-eks-4.2.2",
        "cis-eks-4.2.3",
        "cis-eks-4.2.4",
        "nsa-cisa-pod-security-enforcement",
        "pss-baseline-host-process",
        "pss-baseline-host-namespaces",
        "pss-baseline-privileged",
        "pss-baseline-capabilities",
        "pss-baseline-hostpath-volumes",
        "pss-baseline-host-ports",
        "pss-baseline-host-probes",
        "pss-baseline-apparmor",
        "pss-baseline-selinux",
        "pss-baseline-proc-mount",
        "pss-baseline-seccomp",
        "pss-baseline-sysctls",
        "seed-checklist-18",
        "seed-checklist-38",
    ],
    "pod-security-restricted": [
        "cis-eks-4.2.5",
        "nsa-cisa-non-root",
        "nsa-cisa-pod-security-enforcement",
        "pss-restricted-volume-types",
        "pss-restricted-privilege-escalation",
        "pss-restricted-non-root",
        "pss-restricted-non-root-user",
        "pss-restricted-seccomp",
        "pss-restricted-capabilities",
        "pss-restricted-proc-mount",
        "seed-checklist-13",
        "seed-checklist-14",
        "seed-checklist-15",
        "seed-checklist-35",
    ],
    "workloads-image-digest": ["nsa-cisa-secure-images", "seed-checklist-21"],
    "workloads-approved-registries": ["cis-eks-5.1.4", "nsa-cisa-secure-images", "seed-checklist-21"],
    "workloads-no-latest-tag": ["nsa-cisa-secure-images", "seed-checklist-21"],
    "workloads-requests-limits": ["nsa-cisa-resource-policies", "seed-checklist-17"],
    "workloads-probes": ["seed-checklist-21"],
    "workloads-readonly-rootfs": ["nsa-cisa-immutable-filesystem", "seed-checklist-16"],
    "workloads-sa-token-automount": [
        "cis-eks-4.1.5",
        "cis-eks-4.1.6",
        "nsa-cisa-service-account-tokens",
        "seed-checklist-10",
    ],
    "workloads-no-legacy-token-secret": ["cis-eks-4.1.6", "nsa-cisa-service-account-tokens"],
    "rbac-no-wildcards": ["cis-eks-4.1.3", "nsa-cisa-rbac"],
    "rbac-no-cluster-admin": ["cis-eks-4.1.1", "nsa-cisa-rbac", "seed-checklist-8"],
    "rbac-no-cluster-secret-read": ["cis-eks-4.1.2", "nsa-cisa-rbac", "nsa-cisa-secrets", "seed-checklist-29"],
    "rbac-secret-reads-by-name": ["cis-eks-4.1.2", "nsa-cisa-secrets", "seed-checklist-29"],
    "rbac-token-requests-by-name": ["cis-eks-4.1.12", "nsa-cisa-service-account-tokens"],
    "rbac-escalation-verbs": ["cis-eks-4.1.4", "cis-eks-4.1.8", "cis-eks-4.1.10", "cis-eks-4.1.11", "nsa-cisa-rbac"],
    "rbac-bound-subjects": ["cis-eks-4.1.1", "nsa-cisa-rbac", "seed-checklist-8"],
    "rbac-human-access": ["cis-eks-4.1.4", "nsa-cisa-rbac"],
    "rbac-aggregation": ["cis-eks-4.1.8", "nsa-cisa-rbac"],
    "secrets-no-plaintext": ["nsa-cisa-secrets", "seed-checklist-25"],
    "namespaces-pod-security-labels": ["cis-eks-4.2.1", "nsa-cisa-pod-security-enforcement", "seed-checklist-13"],
    "namespaces-required-labels": ["cis-eks-4.5.1", "nsa-cisa-namespaces"],
    "namespaces-default-deny": [
        "cis-eks-4.3.2",
        "cis-eks-5.4.4",
        "nsa-cisa-network-policies",
        "seed-checklist-30",
        "seed-checklist-33",
    ],
    "network-open-rules": ["nsa-cisa-network-policies", "seed-checklist-33"],
    "network-all-namespaces": ["nsa-cisa-network-policies"],
    "network-address-space": ["nsa-cisa-network-policies", "seed-checklist-33"],
    "network-namespace-address-space": ["nsa-cisa-network-policies", "seed-checklist-33"],
    "network-metadata-egress": ["nsa-cisa-cloud-infrastructure", "seed-checklist-33"],
    "network-malformed-peers": ["nsa-cisa-network-policies"],
    "external-secrets-v1-only": ["cis-eks-4.4.2", "seed-checklist-24"],
    "external-secrets-store-identity": ["cis-eks-5.2.1", "nsa-cisa-secrets"],
    "external-secrets-store-own-service-account": ["nsa-cisa-secrets", "seed-checklist-9"],
    "external-secrets-store-app-service-account": ["cis-eks-4.1.5", "nsa-cisa-secrets", "seed-checklist-9"],
    "external-secrets-store-aws-role": ["cis-eks-5.2.1", "nsa-cisa-secrets"],
    "external-secrets-no-shared-cluster-store": ["nsa-cisa-secrets", "seed-checklist-29"],
    "external-secrets-target-owned": ["nsa-cisa-secrets"],
    "external-secrets-generators": ["nsa-cisa-secrets"],
    "external-secrets-vault-tls": ["nsa-cisa-encryption", "nsa-cisa-secrets"],
    "external-secrets-vault-dynamic-secret-scope": ["cis-eks-4.4.2", "nsa-cisa-secrets", "seed-checklist-28"],
    "external-secrets-no-push-secret": ["nsa-cisa-secrets"],
    "external-secrets-remote-key-prefix": ["nsa-cisa-secrets", "seed-checklist-29"],
    "external-secrets-aws-store-service": ["nsa-cisa-secrets", "seed-checklist-29"],
    "kyverno-prod-denies": ["nsa-cisa-pod-security-enforcement", "seed-checklist-19", "seed-checklist-22"],
    "kyverno-prod-verifies-digests": ["nsa-cisa-secure-images", "seed-checklist-21"],
    "kyverno-exception-expiry": ["seed-checklist-22"],
    "kyverno-exception-scope": ["seed-checklist-22"],
    "kyverno-exception-accountable": ["seed-checklist-22"],
    "kyverno-exception-namespace": ["seed-checklist-22"],
    "cert-manager-prod-issuer": ["nsa-cisa-encryption", "seed-checklist-32"],
    "cert-manager-no-self-signed": ["nsa-cisa-encryption", "seed-checklist-32"],
    "cert-manager-ca-key-namespace": ["nsa-cisa-encryption", "nsa-cisa-secrets"],
    // The baseline's watches (token reads, API connections) stay whole and only observe.
    "runtime-security-tracing-policies": ["nsa-cisa-service-account-tokens", "seed-checklist-37"],
    "helm-chart-pinned": ["nsa-cisa-upgrading"],
    "helm-release-opaque": ["nsa-cisa-upgrading"],
    "admission-foreign-webhook": ["cis-eks-4.1.11", "nsa-cisa-pod-security-enforcement", "seed-checklist-21"],
    "admission-webhook-fail-closed": ["nsa-cisa-pod-security-enforcement", "seed-checklist-19"],
    "admission-foreign-policy": ["nsa-cisa-pod-security-enforcement", "seed-checklist-21"],
    "admission-binding-denies": ["seed-checklist-21", "seed-checklist-22"],
    "services-no-node-port": ["nsa-cisa-network-separation"],
    "services-no-external-ips": ["nsa-cisa-network-separation"],
    "services-internal-load-balancer": ["nsa-cisa-network-separation"],
    "services-ingress-tls": ["cis-eks-5.4.5", "nsa-cisa-encryption", "seed-checklist-32"],
    "services-ingress-no-snippets": ["nsa-cisa-network-separation"],
    "aws-kms-key-rotation": ["nsa-cisa-encryption", "seed-checklist-28"],
    "aws-kms-no-public-access": ["nsa-cisa-encryption", "seed-checklist-28"],
    "aws-kms-key-use-via-service": ["nsa-cisa-encryption", "seed-checklist-28"],
    "aws-kms-key-has-policy": ["nsa-cisa-encryption", "seed-checklist-28"],
    "aws-kms-no-decrypting-grants": ["nsa-cisa-encryption", "seed-checklist-28"],
    "aws-resource-policy-principals": ["nsa-cisa-cloud-infrastructure", "nsa-cisa-secrets", "seed-checklist-29"],
    "aws-irsa-trust-pinned": ["cis-eks-5.2.1", "nsa-cisa-authentication"],
    "aws-trust-principals": ["cis-eks-5.2.1", "nsa-cisa-authentication"],
    "aws-pod-identity-trust-cluster": ["cis-eks-5.2.1", "nsa-cisa-authentication"],
    "aws-pod-identity-trust-session-tags": ["cis-eks-5.2.1", "nsa-cisa-authentication"],
    "aws-workload-identity-binding": ["cis-eks-5.2.1", "nsa-cisa-authentication", "seed-checklist-9"],
    "aws-no-wildcard-secrets-access": ["nsa-cisa-cloud-infrastructure", "seed-checklist-29"],
    "aws-iam-policy-effect": ["nsa-cisa-cloud-infrastructure"],
    "aws-iam-secret-scope": ["nsa-cisa-cloud-infrastructure", "seed-checklist-29"],
    "aws-iam-attached-policies": ["nsa-cisa-cloud-infrastructure"],
    "aws-no-iam-users": ["nsa-cisa-authentication", "seed-checklist-7"],
    "aws-no-secrets-outside-backends": ["cis-eks-4.4.2", "nsa-cisa-secrets", "seed-checklist-25"],
    "aws-secret-customer-key": ["nsa-cisa-secrets", "seed-checklist-28"],
    "aws-secret-env-prefix": ["nsa-cisa-secrets"],
    "aws-parameter-customer-key": ["nsa-cisa-secrets", "seed-checklist-28"],
    "aws-parameter-env-prefix": ["nsa-cisa-secrets"],
    "aws-secret-recovery-window": ["nsa-cisa-secrets"],
    "aws-secret-prod-rotation": ["nsa-cisa-secrets"],
    "aws-rotation-function-scope": ["nsa-cisa-secrets"],
    "aws-eks-secrets-encryption": ["cis-eks-5.3.1", "nsa-cisa-encryption", "seed-checklist-2", "seed-checklist-26"],
    "aws-eks-audit-logs": ["cis-eks-2.1.1", "nsa-cisa-logging", "seed-checklist-41"],
    "aws-eks-access-no-cluster-admin": ["cis-eks-4.1.1", "cis-eks-4.1.2", "nsa-cisa-rbac", "seed-checklist-8"],
    "aws-eks-access-within-profile": ["cis-eks-4.1.2", "nsa-cisa-rbac", "seed-checklist-12", "seed-checklist-29"],
    "aws-eks-access-entry": [
        "cis-eks-4.1.1",
        "nsa-cisa-authentication",
        "nsa-cisa-rbac",
        "seed-checklist-8",
        "seed-checklist-12",
    ],
    "vault-app-policy-scope": ["cis-eks-4.4.2", "nsa-cisa-secrets", "seed-checklist-28"],
    "vault-no-write-capabilities": ["nsa-cisa-secrets", "seed-checklist-28"],
    "vault-k8s-role-bound": ["nsa-cisa-authentication", "seed-checklist-28"],
    "vault-database-creds-scope": ["cis-eks-4.4.2", "nsa-cisa-secrets", "seed-checklist-28"],
    "vault-database-role-ttl": ["nsa-cisa-secrets", "seed-checklist-28"],
    "cross-env-references": ["nsa-cisa-namespaces"],
    "cross-env-namespaces": ["nsa-cisa-namespaces", "seed-checklist-29"],
    "cross-env-trust-subjects": ["nsa-cisa-authentication", "nsa-cisa-cloud-infrastructure", "seed-checklist-9"],
    "cross-env-cluster-objects": ["nsa-cisa-namespaces", "seed-checklist-22"],
    "cross-env-network-peers": ["nsa-cisa-network-policies", "seed-checklist-30"],
    "cross-env-topology": ["nsa-cisa-namespaces"],
    "cross-env-prod-shared": ["nsa-cisa-namespaces"],
    "exemptions-in-force": ["seed-checklist-22"],
    "cost-secrets-budget": ["k8s-baseline-secrets-cost"],
};

/**
 * The controls a component provides by what it deploys, by its type token: a stack that has the component
 * has the control's deploy-time part, whatever the policies find.
 */
export const COMPONENT_CONTROLS: Readonly<Record<string, readonly string[]>> = {
    "k8s-baseline:index:SecureNamespace": [
        "cis-eks-4.5.1",
        "nsa-cisa-namespaces",
        "nsa-cisa-resource-policies",
        "nsa-cisa-network-policies",
        "seed-checklist-12",
        "seed-checklist-13",
        "seed-checklist-30",
    ],
    "k8s-baseline:index:Kyverno": ["seed-checklist-19"],
    "k8s-baseline:index:RuntimeSecurity": ["seed-checklist-37"],
    "k8s-baseline:index:BaselinePolicies": [
        "nsa-cisa-pod-security-enforcement",
        "seed-checklist-21",
        "seed-checklist-22",
    ],
    "k8s-baseline:index:ExternalSecretsOperator": ["cis-eks-4.4.2", "seed-checklist-24"],
    "k8s-baseline:index:AppExternalSecrets": ["nsa-cisa-secrets"],
    "k8s-baseline:index:AppSecrets": ["cis-eks-4.4.2", "nsa-cisa-secrets"],
    "k8s-baseline:index:AppParameters": ["cis-eks-4.4.2", "nsa-cisa-secrets"],
    "k8s-baseline:index:EnvironmentKey": ["nsa-cisa-encryption", "seed-checklist-28"],
    "k8s-baseline:index:WorkloadIdentity": ["cis-eks-5.2.1", "seed-checklist-9"],
    "k8s-baseline:index:ClusterAccess": ["cis-eks-4.1.1", "nsa-cisa-rbac", "seed-checklist-7", "seed-checklist-12"],
    "k8s-baseline:index:VaultAppAccess": ["seed-checklist-28"],
    "k8s-baseline:index:CertManager": ["seed-checklist-32"],
    "k8s-baseline:index:EnvironmentIssuer": ["seed-checklist-32"],
    "k8s-baseline:index:EnvironmentIsolationPolicies": ["nsa-cisa-namespaces", "seed-checklist-22"],
    "k8s-baseline:index:SecureCluster": ["seed-checklist-19", "seed-checklist-24"],
};

const RBAC_KINDS = [
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
];

/** Every type: a policy that reads every resource. */
export const EVERY_TYPE = "*";

/**
 * The types a policy without a `types` list reads (a stack policy, or one that judges every resource), so
 * that the report can say which resources of a stack it judged. Every such policy has an entry; an empty
 * list: it judges the pack's config, not resources.
 */
export const POLICY_SUBJECTS: Readonly<Record<string, readonly string[]>> = {
    "rbac-no-wildcards": RBAC_KINDS,
    "rbac-no-cluster-admin": RBAC_KINDS,
    "rbac-no-cluster-secret-read": RBAC_KINDS,
    "rbac-token-requests-by-name": RBAC_KINDS,
    "rbac-escalation-verbs": RBAC_KINDS,
    "rbac-bound-subjects": RBAC_KINDS,
    "rbac-human-access": RBAC_KINDS,
    "rbac-aggregation": RBAC_KINDS,
    "namespaces-default-deny": ["kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy"],
    "network-namespace-address-space": ["kubernetes:networking.k8s.io/v1:NetworkPolicy"],
    "external-secrets-v1-only": [
        "kubernetes:external-secrets.io/v1:ExternalSecret",
        "kubernetes:external-secrets.io/v1:SecretStore",
        "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    ],
    "external-secrets-store-app-service-account": [
        "kubernetes:external-secrets.io/v1:SecretStore",
        "kubernetes:core/v1:ServiceAccount",
    ],
    "external-secrets-store-aws-role": ["kubernetes:external-secrets.io/v1:SecretStore", "aws:iam/role:Role"],
    "kyverno-exception-namespace": ["kubernetes:policies.kyverno.io/v1:PolicyException"],
    "aws-kms-key-has-policy": ["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
    "aws-secret-prod-rotation": [
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretRotation:SecretRotation",
    ],
    "aws-iam-attached-policies": ["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"],
    "cross-env-references": [EVERY_TYPE],
    "cross-env-namespaces": [EVERY_TYPE],
    "cross-env-cluster-objects": [EVERY_TYPE],
    "exemptions-in-force": [],
    // Judged from the pack config's topology alone.
    "cross-env-topology": [],
    "cross-env-prod-shared": [],
    "cost-secrets-budget": [
        "aws:secretsmanager/secret:Secret",
        "aws:kms/key:Key",
        "aws:ssm/parameter:Parameter",
        "kubernetes:external-secrets.io/v1:ExternalSecret",
    ],
};

/** The policies that provide `controlId`, in the order of POLICY_CONTROLS. */
export function policiesOf(controlId: string): string[] {
    return Object.entries(POLICY_CONTROLS)
        .filter(([, controls]) => controls.includes(controlId))
        .map(([policy]) => policy);
}

/** The component type tokens that provide `controlId`. */
export function componentsOf(controlId: string): string[] {
    return Object.entries(COMPONENT_CONTROLS)
        .filter(([, controls]) => controls.includes(controlId))
        .map(([component]) => component);
}
