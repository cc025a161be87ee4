/** Vault ACL policies: an app's policy reads that app's secrets in its own env, and writes nothing. */
import { Environment, isDns1123Label, isEnvironment, otherEnvironmentsNamedIn } from "../../../components/baseline";
import { credsPathOf, policyPathProblem, VaultCapability, WRITE_CAPABILITIES } from "../../../components/vault/policy";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity } from "../types";
import { AclRule, readAclPolicy } from "./hcl";

export const VAULT_POLICY = "vault:index/policy:Policy";

/** The KV v2 subtrees an app's paths may lie in: `<mount>/data/...` and `<mount>/metadata/...`. */
const KV_SUBTREES: ReadonlySet<string> = new Set(["data", "metadata"]);
const GLOB = /[*+]/;
const WRITE: ReadonlySet<string> = new Set(WRITE_CAPABILITIES);

/** A path read as `<mount>/<data|metadata>/<env>/<app>/<rest>`; undefined when it has no KV v2 subtree. */
interface AppPath {
    readonly mount: string;
    readonly env: string;
    readonly app: string;
    readonly rest: string;
}

function appPathOf(path: string): AppPath | undefined {
    const segments = path.split("/");
    const at = segments.findIndex((segment, i) => i > 0 && KV_SUBTREES.has(segment));
    if (at < 0 || segments.length < at + 3) return undefined;
    return {
        mount: segments.slice(0, at).join("/"),
        env: segments[at + 1],
        app: segments[at + 2],
        rest: segments.slice(at + 3).join("/"),
    };
}

/** True for a rule that only denies: it narrows access, wherever it points. */
function denyOnly(rule: AclRule): boolean {
    return rule.capabilities.length > 0 && rule.capabilities.every((c) => c === VaultCapability.Deny);
}

/** The policy's rules, or undefined after reporting why they cannot be read. */
export function rulesOf(resource: PolicyResource, report: Reporter): readonly AclRule[] | undefined {
    const text = resource.props.policy;
    if (isUnknown(text)) {
        report.unknown("policy");
        return undefined;
    }
    if (typeof text !== "string") {
        report.violation(`${describeResource(resource)}: cannot verify the policy: it is not HCL text`);
        return undefined;
    }
    const read = readAclPolicy(text);
    if (!read.ok) {
        report.violation(
            `${describeResource(resource)}: cannot verify the policy: it is not a list of path blocks with capabilities only (${read.problem})`,
        );
        return undefined;
    }
    return read.rules;
}

/** What is wrong with one rule's path as a path of an app in `env`, or undefined when nothing is. */
function pathProblem(rule: AclRule, env: Environment | undefined): string | undefined {
    const problem = policyPathProblem(rule.path);
    if (problem) return problem;
    if (rule.path.includes("{{")) return "is templated, so its reach depends on the caller";
    const located = appPathOf(rule.path);
    if (!located) return "is not under <mount>/data/<env>/<app>/ or <mount>/metadata/<env>/<app>/";
    if (GLOB.test(located.mount) || GLOB.test(located.env) || GLOB.test(located.app)) {
        return "has a glob before the app segment, so it spans envs or apps";
    }
    if (located.rest.length === 0) return "names the app's folder, not a path inside it";
    if (!isEnvironment(located.env))
        return `has env segment ${JSON.stringify(located.env)}, which is not an environment`;
    if (env !== undefined && located.env !== env) return `reads ${located.env} secrets from the ${env} environment`;
    if (!isDns1123Label(located.app)) return `has app segment ${JSON.stringify(located.app)}, which is not an app name`;
    const others = otherEnvironmentsNamedIn(located.mount, located.env);
    if (others.length > 0) return `is in mount ${located.mount}, which names ${others.join(", ")}`;
    return undefined;
}

/**
 * `vault-app-policy-scope`: every path of a Vault policy lies inside one app's secrets of the resource's env:
 * `<mount>/data/<env>/<app>/...` or `<mount>/metadata/<env>/<app>/...`, no glob in the mount, env or app
 * segments, only a trailing `/*` glob after them (policyPathProblem, the rule the components render by), and
 * one mount and one app across the policy. Paths of a database secrets engine's credentials
 * (`<mount>/creds/...`) are left to vault-database-creds-scope. Rules that only `deny` are not judged: they narrow access. When
 * the env is not known, the paths must agree on one env. A policy not in the rendered shape (see hcl.ts) is
 * a violation, "cannot verify", rather than a guess. Unknowns: an unknown policy text is reported as unknown.
 */
export const vaultAppPolicyScope: ResourcePolicy = {
    kind: "resource",
    name: "vault-app-policy-scope",
    group: "vault",
    description:
        "Vault policies reach one app's secrets in their own env's KV v2 mount (and its database credentials), and nothing else.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create app policies with VaultAppAccess: paths <mount>/data/<env>/<app>/* and <mount>/metadata/<env>/<app>/* only.",
    url: "https://developer.hashicorp.com/vault/docs/concepts/policies",
    types: [VAULT_POLICY],
    validate(resource, settings, report) {
        const rules = rulesOf(resource, report);
        if (!rules) return;
        const env = envOf(resource, settings);
        const scopes = new Set<string>();
        for (const rule of rules) {
            if (denyOnly(rule)) continue;
            // A database credentials path is judged by vault-database-creds-scope.
            if (!appPathOf(rule.path) && credsPathOf(rule.path)) continue;
            const problem = pathProblem(rule, env);
            if (problem) {
                report.violation(`${describeResource(resource)}: path ${JSON.stringify(rule.path)} ${problem}`);
                continue;
            }
            const { mount, env: pathEnv, app } = appPathOf(rule.path)!;
            scopes.add(`${mount}/{data,metadata}/${pathEnv}/${app}/`);
        }
        if (scopes.size > 1) {
            report.violation(`${describeResource(resource)} spans ${[...scopes].join(" and ")}: one policy, one app`);
        }
    },
};

/**
 * `vault-no-write-capabilities`: an app policy (one with a path under a `<mount>/data|metadata/<env>/<app>/`
 * prefix) grants no create, update, patch, delete or sudo on any path: apps read their secrets, and secrets
 * are written by people or pipelines with policies of their own. A policy not in the rendered shape is a
 * violation, "cannot verify". Unknowns: an unknown policy text is reported as unknown.
 */
export const vaultNoWriteCapabilities: ResourcePolicy = {
    kind: "resource",
    name: "vault-no-write-capabilities",
    group: "vault",
    description: "App Vault policies grant read and list only: no create, update, patch, delete or sudo.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: 'Give the app "read" on <mount>/data/<env>/<app>/* and "read", "list" on its metadata path.',
    url: "https://developer.hashicorp.com/vault/docs/concepts/policies#capabilities",
    types: [VAULT_POLICY],
    validate(resource, _settings, report) {
        const rules = rulesOf(resource, report);
        if (!rules) return;
        const appPolicy = rules.some((rule) => {
            const located = appPathOf(rule.path);
            return located !== undefined && isEnvironment(located.env) && isDns1123Label(located.app);
        });
        if (!appPolicy) return;
        for (const rule of rules) {
            const writes = rule.capabilities.filter((c) => WRITE.has(c));
            if (writes.length > 0) {
                report.violation(
                    `${describeResource(resource)}: path ${JSON.stringify(rule.path)} grants ${writes.join(", ")} to an app`,
                );
            }
        }
    },
};
