/** Vault Kubernetes auth roles: bound to named ServiceAccounts in named namespaces, issuing short-lived tokens. */
import { vaultTokenTtlLimit } from "../../../components/baseline";
import { containsUnknown, describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";

export const VAULT_KUBERNETES_AUTH_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole";

/**
 * `vault-k8s-role-bound`: a Kubernetes auth role names the ServiceAccounts and namespaces it trusts
 * (`boundServiceAccountNames`, `boundServiceAccountNamespaces`: non-empty, no `*` or glob; a namespace label
 * selector instead of names is refused, since whoever can label a namespace could join), and its tokens are
 * short-lived: `tokenTtl` and `tokenMaxTtl` set (0 or unset means the mount's default, 32 days unless tuned)
 * and at most the env profile's maxVaultTokenTtlSeconds and an hour; no `tokenPeriod` (periodic tokens renew
 * forever) unless a `tokenExplicitMaxTtl` ends them, and no `tokenExplicitMaxTtl` above the limit. The env is the resource's, prod when not known.
 * Unknowns: an unknown field is reported as unknown.
 */
export const vaultK8sRoleBound: ResourcePolicy = {
    kind: "resource",
    name: "vault-k8s-role-bound",
    group: "vault",
    description:
        "Vault Kubernetes auth roles bind named ServiceAccounts in named namespaces and issue tokens within the env's TTL limit.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create roles with VaultAppAccess, or list the exact ServiceAccount and namespace and set tokenTtl and tokenMaxTtl within the env profile's maxVaultTokenTtlSeconds.",
    url: "https://developer.hashicorp.com/vault/api-docs/auth/kubernetes#create-role",
    types: [VAULT_KUBERNETES_AUTH_ROLE],
    validate(resource, settings, report) {
        const props = resource.props;
        const what = describeResource(resource);
        for (const field of ["boundServiceAccountNames", "boundServiceAccountNamespaces"] as const) {
            const values = props[field];
            if (containsUnknown(values)) {
                report.unknown(field);
                continue;
            }
            if (!Array.isArray(values) || values.length === 0) {
                const selector =
                    field === "boundServiceAccountNamespaces" && props.boundServiceAccountNamespaceSelector;
                report.violation(
                    selector
                        ? `${what} binds namespaces by label selector, not by name: anyone who can label a namespace could log in`
                        : `${what} sets no ${field}`,
                );
                continue;
            }
            const wild = values.filter((v) => typeof v !== "string" || v.length === 0 || /[*?]/.test(v));
            if (wild.length > 0) {
                report.violation(
                    `${what}: ${field} holds ${wild.map((v) => JSON.stringify(v)).join(", ")}, not a name`,
                );
            }
        }

        const env = envOf(resource, settings) ?? "prod";
        const limit = vaultTokenTtlLimit(env);
        for (const field of ["tokenTtl", "tokenMaxTtl"] as const) {
            const ttl = props[field];
            if (isUnknown(ttl)) {
                report.unknown(field);
            } else if (ttl === undefined || ttl === null || ttl === 0) {
                report.violation(`${what} sets no ${field}, so its tokens get the mount's default lifetime`);
            } else if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0) {
                report.violation(`${what}: ${field} ${JSON.stringify(ttl)} is not a number of seconds`);
            } else if (ttl > limit) {
                report.violation(`${what}: ${field} ${ttl}s exceeds the ${env} limit of ${limit}s`);
            }
        }
        const explicit = props.tokenExplicitMaxTtl;
        if (isUnknown(explicit)) report.unknown("tokenExplicitMaxTtl");
        else if (typeof explicit === "number" && explicit > limit) {
            report.violation(`${what}: tokenExplicitMaxTtl ${explicit}s exceeds the ${env} limit of ${limit}s`);
        }
        const period = props.tokenPeriod;
        if (isUnknown(period)) report.unknown("tokenPeriod");
        else if (typeof period === "number" && period > 0 && !(typeof explicit === "number" && explicit > 0)) {
            report.violation(
                `${what}: tokenPeriod ${period}s without tokenExplicitMaxTtl makes its tokens renewable without end`,
            );
        }
    },
};
