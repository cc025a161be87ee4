/**
 * Vault's database secrets engine: an app's policy gets credentials from its own role only, and a role's
 * credentials live no longer than the env profile allows.
 */
import {
    Environment,
    isEnvironment,
    otherEnvironmentsNamedIn,
    vaultDatabaseTtlLimit,
} from "../../../components/baseline";
import { CredsPath, credsPathOf, VaultCapability } from "../../../components/vault/policy";
import { containsUnknown, describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { rulesOf, VAULT_POLICY } from "./acl";

export const VAULT_DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole";

const GLOB = /[*+]/;

/** True when `name` names `env` as a whole word (`shop-dev-payments` names dev). */
function namesEnvironment(name: string, env: Environment): boolean {
    return name.split(/[-/.:_]/).includes(env);
}

/**
 * What is wrong with `<mount>/creds/<role>` as the credentials path of the app a policy called `policyName`
 * belongs to, in `env`; undefined when nothing is.
 */
function credsProblem(creds: CredsPath, env: Environment | undefined, policyName: unknown): string | undefined {
    if (GLOB.test(creds.mount)) return "has a glob in the mount, so it spans envs";
    if (GLOB.test(creds.rest)) return "has a glob after creds/, so it hands out every matching role's credentials";
    if (creds.rest.includes("/") || creds.rest.length === 0) return "is not one role's credentials endpoint";
    if (creds.rest.includes("{{")) return "is templated, so its reach depends on the caller";
    const role = creds.rest;
    const others = otherEnvironmentsNamedIn(`${creds.mount}/${role}`, env ?? Environment.Prod);
    if (env !== undefined && others.length > 0) return `reads credentials of ${others.join(", ")} from ${env}`;
    if (env !== undefined && !namesEnvironment(role, env))
        return `reads role ${role}, which does not name ${env}, so nothing keeps it to this env`;
    if (typeof policyName === "string" && policyName.length > 0 && role !== policyName.toLowerCase()) {
        return `reads role ${role}, not the policy's own app's role ${policyName.toLowerCase()} (<project>-<env>-<app>)`;
    }
    return undefined;
}

/**
 * `vault-database-creds-scope`: a Vault policy that reaches a database secrets engine's credentials
 * (`<mount>/creds/...`) reaches exactly one role's: `<mount>/creds/<role>` with no glob anywhere (a trailing
 * `/*` after `creds/` hands out every role's credentials), a role that names the policy's env and no other
 * (nor does the mount), and the policy's own name, `<project>-<env>-<app>` (VaultAppAccess gives the policy,
 * the Kubernetes auth role and the database role that one name); and it grants `read` there and nothing else
 * (`list` names the other roles; create, update, patch, delete and sudo are not an app's). Rules that only
 * deny are not judged. The env is the resource's; when it is not known, only the globs, the policy's name and
 * the capabilities are judged. A policy not in the rendered shape is a violation, "cannot verify". Unknowns:
 * an unknown policy text is reported as unknown.
 */
export const vaultDatabaseCredsScope: ResourcePolicy = {
    kind: "resource",
    name: "vault-database-creds-scope",
    group: "vault",
    description: "Vault policies read database credentials of their own app's role only, in their own env.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Create database access with VaultAppAccess `database` (SecureEnvironment apps[].database): "read" on ' +
        "exactly <project>-<env>-database/creds/<project>-<env>-<app>, in the policy of that name.",
    url: "https://developer.hashicorp.com/vault/api-docs/secret/databases#generate-credentials",
    types: [VAULT_POLICY],
    validate(resource, settings, report) {
        const rules = rulesOf(resource, report);
        if (!rules) return;
        const env = envOf(resource, settings);
        const name = resource.props.name;
        if (isUnknown(name)) report.unknown("name");
        const what = describeResource(resource);
        for (const rule of rules) {
            if (rule.capabilities.length > 0 && rule.capabilities.every((c) => c === VaultCapability.Deny)) continue;
            const creds = credsPathOf(rule.path);
            if (!creds) continue;
            const problem = credsProblem(creds, env, isUnknown(name) ? undefined : name);
            if (problem) report.violation(`${what}: path ${JSON.stringify(rule.path)} ${problem}`);
            const extra = rule.capabilities.filter((c) => c !== VaultCapability.Read && c !== VaultCapability.Deny);
            if (extra.length > 0) {
                report.violation(
                    `${what}: path ${JSON.stringify(rule.path)} grants ${extra.join(", ")} on database credentials, where an app only reads`,
                );
            }
        }
    },
};

/**
 * `vault-database-role-ttl`: a database role issues credentials that live no longer than the env profile's
 * `vaultDatabaseTtl.maxTtlSeconds` (components/baseline; prod when the env is not known): `defaultTtl` and
 * `maxTtl` set (0 or unset means the mount's default, 768 hours unless tuned) and at most the limit. Its name
 * names no other env than its own, nor does its mount. Unknowns: an unknown field is reported as unknown.
 */
export const vaultDatabaseRoleTtl: ResourcePolicy = {
    kind: "resource",
    name: "vault-database-role-ttl",
    group: "vault",
    description: "Vault database roles issue credentials within the env's lifetime limit, and belong to their own env.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create database roles with VaultAppAccess `database`, or set defaultTtl and maxTtl within the env " +
        "profile's vaultDatabaseTtl.maxTtlSeconds and name the role <project>-<env>-<app> in the env's mount.",
    url: "https://developer.hashicorp.com/vault/api-docs/secret/databases#create-role",
    types: [VAULT_DATABASE_ROLE],
    validate(resource, settings, report) {
        const props = resource.props;
        const what = describeResource(resource);
        const env = envOf(resource, settings) ?? Environment.Prod;
        const limit = vaultDatabaseTtlLimit(env);
        for (const field of ["defaultTtl", "maxTtl"] as const) {
            const ttl = props[field];
            if (isUnknown(ttl)) report.unknown(field);
            else if (ttl === undefined || ttl === null || ttl === 0) {
                report.violation(`${what} sets no ${field}, so its credentials get the mount's default lifetime`);
            } else if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 0) {
                report.violation(`${what}: ${field} ${JSON.stringify(ttl)} is not a number of seconds`);
            } else if (ttl > limit) {
                report.violation(`${what}: ${field} ${ttl}s exceeds the ${env} limit of ${limit}s`);
            }
        }
        for (const field of ["name", "backend"] as const) {
            const value = props[field];
            if (containsUnknown(value)) {
                report.unknown(field);
                continue;
            }
            if (typeof value !== "string") continue;
            const others = otherEnvironmentsNamedIn(value, env);
            if (others.length > 0 && isEnvironment(env)) {
                report.violation(`${what}: ${field} ${value} names ${others.join(", ")}, not ${env}`);
            }
        }
    },
};
