/**
 * Vault ACL policies as data: the rules an app gets, a renderer that refuses paths wider than they look,
 * and a checker that says whether a set of rules stays inside one app's secrets. No resources.
 */
import {
    Environment,
    ENVIRONMENTS,
    isDns1123Label,
    isEnvironment,
    vaultDatabaseCredsPath,
    vaultSecretPrefix,
} from "../baseline";

/** A capability of a Vault ACL rule. */
export const VaultCapability = {
    Read: "read",
    List: "list",
    Create: "create",
    Update: "update",
    Patch: "patch",
    Delete: "delete",
    Sudo: "sudo",
    Deny: "deny",
} as const;
export type VaultCapability = (typeof VaultCapability)[keyof typeof VaultCapability];

/** Every capability, in the order a rendered policy lists them. */
export const VAULT_CAPABILITIES: readonly VaultCapability[] = Object.values(VaultCapability);

/** Capabilities that change or administer data, which an app's read policy never holds. */
export const WRITE_CAPABILITIES: readonly VaultCapability[] = [
    VaultCapability.Create,
    VaultCapability.Update,
    VaultCapability.Patch,
    VaultCapability.Delete,
    VaultCapability.Sudo,
];

/** One `path` block of a Vault policy. */
export interface VaultPolicyRule {
    /** The path the rule covers. A trailing `/*` is the only glob allowed. */
    path: string;
    /** What the rule allows (or, with `deny`, forbids) on the path. */
    capabilities: VaultCapability[];
}

/** Thrown by the policy functions on input they refuse. The message lists every problem found. */
export class VaultPolicyError extends Error {
    readonly problems: readonly string[];

    constructor(fn: string, problems: readonly string[]) {
        super(`${fn}: invalid input:\n` + problems.map((problem) => `  - ${problem}`).join("\n"));
        this.name = "VaultPolicyError";
        this.problems = problems;
    }
}

// Control characters have no place in a path and would only reach the policy as escape sequences.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MOUNT_PATH_CHARACTERS = /^[A-Za-z0-9_./-]+$/;

/**
 * What is wrong with `path` as a path in a policy rule, or undefined when nothing is. Refused: a `*`
 * anywhere but a trailing `/*`, `+` (the segment wildcard), `..`, empty segments (a leading, trailing or
 * doubled `/`) and control characters.
 */
export function policyPathProblem(path: unknown): string | undefined {
    if (typeof path !== "string" || path.length === 0) return "is empty";
    if (CONTROL_CHARACTERS.test(path)) return "contains control characters";
    const body = path.endsWith("/*") ? path.slice(0, -2) : path;
    if (body.includes("*")) return "has a '*' other than a trailing '/*'";
    if (body.includes("+")) return "contains '+', which matches any path segment";
    if (path.includes("..")) return "contains '..'";
    if (body.split("/").includes("")) return "has an empty segment (a leading, trailing or doubled '/')";
    return undefined;
}

/**
 * What is wrong with `path` as a Vault mount or auth backend path, or undefined when nothing is: it must
 * be one or more `/`-separated segments of letters, digits, `-`, `_` and `.`, with no glob, no `..`, and
 * no leading or trailing `/`.
 */
export function vaultMountPathProblem(path: unknown): string | undefined {
    if (typeof path !== "string" || path.length === 0) return "is empty";
    if (path.startsWith("/") || path.endsWith("/")) return "starts or ends with '/'";
    if (path.includes("*")) return "contains '*'";
    if (path.includes("+")) return "contains '+'";
    if (path.includes("..")) return "contains '..'";
    if (path.split("/").includes("")) return "has an empty segment (a doubled '/')";
    if (!MOUNT_PATH_CHARACTERS.test(path))
        return "contains characters other than letters, digits, '-', '_', '.' and '/'";
    return undefined;
}

/**
 * The rules that let an app read its own secrets in a KV v2 mount and nothing else: `read` on
 * `<mount>/data/<env>/<app>/*` and `read`, `list` on `<mount>/metadata/<env>/<app>/*`.
 */
export function appReadRules(mount: string, env: Environment, app: string): VaultPolicyRule[] {
    const problems: string[] = [];
    const mountProblem = vaultMountPathProblem(mount);
    if (mountProblem) {
        problems.push(
            `mount: ${JSON.stringify(mount)} ${mountProblem}; fix: give the KV v2 mount path, e.g. "shop-prod-kv"`,
        );
    }
    if (!isEnvironment(env)) {
        problems.push(
            `env: ${JSON.stringify(env)} is not a known environment; fix: use one of ${ENVIRONMENTS.join(", ")}`,
        );
    }
    if (!isDns1123Label(app)) {
        problems.push(
            `app: ${JSON.stringify(app)} is not a DNS-1123 label; ` +
                "fix: use lower-case letters, digits and '-', starting and ending with a letter or digit",
        );
    }
    if (problems.length > 0) throw new VaultPolicyError("appReadRules", problems);
    const prefix = vaultSecretPrefix(env, app);
    return [
        { path: `${mount}/data/${prefix}*`, capabilities: [VaultCapability.Read] },
        { path: `${mount}/metadata/${prefix}*`, capabilities: [VaultCapability.Read, VaultCapability.List] },
    ];
}

/**
 * The rule that lets an app get credentials from its own database role and nothing else: `read` on exactly
 * `<mount>/creds/<role>`. No glob: `<mount>/creds/*` would hand out every role's credentials, and no `list`,
 * which would name the other roles.
 */
export function appDatabaseRule(mount: string, role: string): VaultPolicyRule {
    const problems: string[] = [];
    const mountProblem = vaultMountPathProblem(mount);
    if (mountProblem) {
        problems.push(
            `mount: ${JSON.stringify(mount)} ${mountProblem}; fix: give the database secrets engine path, e.g. "shop-prod-database"`,
        );
    }
    if (!isDns1123Label(role)) {
        problems.push(
            `role: ${JSON.stringify(role)} is not a role name; fix: give the app's role, <project>-<env>-<app>`,
        );
    }
    if (problems.length > 0) throw new VaultPolicyError("appDatabaseRule", problems);
    return { path: vaultDatabaseCredsPath(mount, role), capabilities: [VaultCapability.Read] };
}

/**
 * Renders rules as Vault policy HCL, one `path` block each, sorted by path, capabilities deduplicated and in
 * the order of VAULT_CAPABILITIES. Throws a VaultPolicyError on a path policyPathProblem refuses, an unknown
 * or missing capability, a path listed twice, or no rules at all.
 */
export function renderPolicy(rules: readonly VaultPolicyRule[]): string {
    const problems: string[] = [];
    if (!Array.isArray(rules) || rules.length === 0) {
        throw new VaultPolicyError("renderPolicy", ["rules: is empty; fix: give at least one rule"]);
    }
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
        const pathProblem = policyPathProblem(rule.path);
        if (pathProblem) {
            problems.push(
                `rules[${i}].path: ${JSON.stringify(rule.path)} ${pathProblem}; ` +
                    "fix: name the exact path, or a prefix followed by a trailing '/*'",
            );
        } else if (seen.has(rule.path)) {
            problems.push(`rules[${i}].path: ${rule.path} is listed twice; fix: merge the rules for one path`);
        }
        seen.add(rule.path);
        const capabilities: unknown[] = Array.isArray(rule.capabilities) ? rule.capabilities : [];
        if (capabilities.length === 0) {
            problems.push(`rules[${i}].capabilities: is empty; fix: list at least one capability`);
        }
        capabilities.forEach((capability, j) => {
            if (!(VAULT_CAPABILITIES as readonly unknown[]).includes(capability)) {
                problems.push(
                    `rules[${i}].capabilities[${j}]: ${JSON.stringify(capability)} is not a Vault capability; ` +
                        `fix: use one of ${VAULT_CAPABILITIES.join(", ")}`,
                );
            }
        });
    });
    if (problems.length > 0) throw new VaultPolicyError("renderPolicy", problems);

    const sorted = [...rules].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const blocks = sorted.map((rule) => {
        const capabilities = VAULT_CAPABILITIES.filter((capability) => rule.capabilities.includes(capability));
        return (
            `path ${JSON.stringify(rule.path)} {\n` +
            `  capabilities = [${capabilities.map((c) => JSON.stringify(c)).join(", ")}]\n` +
            `}\n`
        );
    });
    return blocks.join("\n");
}

/**
 * The problems with `rules` as the policy of one app: a path that policyPathProblem refuses or that lies
 * outside `<mount>/data/<env>/<app>/` and `<mount>/metadata/<env>/<app>/` (or is not exactly
 * `databaseCredsPath`, the app's own `<mount>/creds/<role>`, when the app has database credentials), any
 * capability beyond read, list and deny, and anything but `read` on the credentials path. An empty list means
 * the rules let the app read its own secrets and get its own database credentials at most.
 */
export function checkAppPolicy(
    rules: readonly VaultPolicyRule[],
    mount: string,
    env: Environment,
    app: string,
    databaseCredsPath?: string,
): string[] {
    const problems: string[] = [];
    const prefix = vaultSecretPrefix(env, app);
    const allowed = [`${mount}/data/${prefix}`, `${mount}/metadata/${prefix}`];
    rules.forEach((rule, i) => {
        const where = `rules[${i}] (${JSON.stringify(rule.path)})`;
        const pathProblem = policyPathProblem(rule.path);
        const creds = databaseCredsPath !== undefined && rule.path === databaseCredsPath;
        if (pathProblem) {
            problems.push(`${where}: the path ${pathProblem}`);
        } else if (!creds && !allowed.some((start) => rule.path.startsWith(start))) {
            const own = databaseCredsPath === undefined ? "" : ` and is not ${databaseCredsPath}`;
            problems.push(`${where}: the path is outside ${allowed.join(" and ")}${own}`);
        }
        const capabilities: unknown[] = Array.isArray(rule.capabilities) ? rule.capabilities : [];
        for (const capability of capabilities) {
            if ((WRITE_CAPABILITIES as readonly unknown[]).includes(capability)) {
                problems.push(`${where}: grants ${capability}, which an app's read policy must not`);
            } else if (!(VAULT_CAPABILITIES as readonly unknown[]).includes(capability)) {
                problems.push(`${where}: ${JSON.stringify(capability)} is not a Vault capability`);
            } else if (creds && capability === VaultCapability.List) {
                problems.push(`${where}: grants list on database credentials, which names other roles`);
            }
        }
    });
    return problems;
}

/** The segment that starts a database secrets engine's credentials endpoint: `<mount>/creds/<role>`. */
const CREDS_SEGMENT = "creds";

/** A path read as `<mount>/creds/<rest>`: the mount, and everything after `creds/` (the role, when exact). */
export interface CredsPath {
    readonly mount: string;
    readonly rest: string;
}

/**
 * The path as a database credentials path, `<mount>/creds/<rest>`, or undefined when no segment after the
 * first is `creds`. A KV v2 path (`<mount>/data/...`, `<mount>/metadata/...`) is never one.
 */
export function credsPathOf(path: string): CredsPath | undefined {
    const segments = path.split("/");
    const kv = segments.findIndex((segment, i) => i > 0 && (segment === "data" || segment === "metadata"));
    const at = segments.findIndex((segment, i) => i > 0 && segment === CREDS_SEGMENT);
    if (at < 0 || (kv >= 0 && kv < at) || at + 1 >= segments.length) return undefined;
    return { mount: segments.slice(0, at).join("/"), rest: segments.slice(at + 1).join("/") };
}
