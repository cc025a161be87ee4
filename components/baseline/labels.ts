/** Labels the baseline requires on namespaces and reads back in policies. */

/** Labels every namespace carries: who owns it, which env it belongs to, and its tier. */
export const RequiredLabel = {
    Owner: "owner",
    Env: "env",
    Tier: "tier",
} as const;
export type RequiredLabel = (typeof RequiredLabel)[keyof typeof RequiredLabel];

export const REQUIRED_NAMESPACE_LABELS: readonly RequiredLabel[] = [
    RequiredLabel.Owner,
    RequiredLabel.Env,
    RequiredLabel.Tier,
];

/**
 * The label the API server sets on every namespace (since Kubernetes 1.21) and that nobody can change:
 * selectors use it, not a hand-set `name` label, which a stock cluster does not have.
 */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Marks what this package manages. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "k8s-baseline";

/** Pod Security Admission label keys for a mode (`enforce`, `audit`, `warn`). */
export function podSecurityLabel(mode: "enforce" | "audit" | "warn"): string {
    return `pod-security.kubernetes.io/${mode}`;
}
export function podSecurityVersionLabel(mode: "enforce" | "audit" | "warn"): string {
    return `pod-security.kubernetes.io/${mode}-version`;
}

/** Namespaces that belong to the cluster or the platform and are exempt from app policies. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];
export const PLATFORM_NAMESPACES = {
    externalSecrets: "external-secrets",
    kyverno: "kyverno",
    certManager: "cert-manager",
} as const;

/** The package's type tokens: `k8s-baseline:index:<Name>` (the component provider host serves module `index`). */
export function componentType(name: string): string {
    return `k8s-baseline:index:${name}`;
}

/** The component that installs the runtime security sensor, by type token (components/baseline/runtime-security). */
export const RUNTIME_SECURITY_COMPONENT = componentType("RuntimeSecurity");

/**
 * The sensor's namespace: created by RuntimeSecurity with Pod Security `privileged`, and deliberately not one
 * of PLATFORM_NAMESPACES, which admission leaves alone: Kyverno judges it, and one bounded PolicyException
 * waives what the sensor needs.
 */
export const RUNTIME_SECURITY_NAMESPACE = "runtime-security";

/**
 * The add-on components that install a platform chart, by type token, with the namespace each installs it
 * into. The pack exempts a chart's children from the app policies only when their URN shows this parentage
 * (see policy-pack/policies/platform.ts), never by a namespace name or label.
 */
export const PLATFORM_CHART_COMPONENTS: Readonly<Record<string, string>> = {
    [componentType("ExternalSecretsOperator")]: PLATFORM_NAMESPACES.externalSecrets,
    [componentType("Kyverno")]: PLATFORM_NAMESPACES.kyverno,
    [componentType("CertManager")]: PLATFORM_NAMESPACES.certManager,
    [RUNTIME_SECURITY_COMPONENT]: RUNTIME_SECURITY_NAMESPACE,
};

/**
 * The components that register Kubernetes admission policies themselves (SecureNamespace's ServiceAccount
 * pin, a ValidatingAdmissionPolicy and its binding): the pack takes those objects as the platform's only when
 * their URN shows one of these as their parent.
 */
export const PLATFORM_ADMISSION_COMPONENTS: readonly string[] = [componentType("SecureNamespace")];

/** The namespace cluster DNS runs in and the label that selects its pods. */
export const DNS_NAMESPACE = "kube-system";
export const DNS_POD_LABELS: Readonly<Record<string, string>> = { "k8s-app": "kube-dns" };
