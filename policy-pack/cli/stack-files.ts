/**
 * `k8s-baseline check` over Pulumi stack files (`Pulumi.<stack>.yaml`, recognised by their name, given or found
 * in a folder): a policy pack never sees a stack's secrets provider or its config, so check reads them.
 *
 * - `stack-secrets-provider`: where the env's profile demands it (every env does), `secretsprovider` is an
 *   `awskms://` key of that env: its alias `alias/<project>-<env>-stack-config` (stackSecretsAliasName), by name
 *   or alias ARN of the stack's own account, in the stack's region. Missing (Pulumi Cloud's default),
 *   `passphrase`, `default`, a bare key id or key ARN (which cannot be told to be the env's), another env's
 *   alias, or the alias's name in another account or region (another key, anyone's) is a violation.
 * - `stack-config-plaintext-secrets`: a value not stored `secure:` under a config key that looks secret
 *   (looksSecretConfigKey, at any depth of objects and lists), or anywhere in the `secrets:` namespace. Empty
 *   values (null, "") and booleans are not secrets and pass.
 *
 * The env a stack file is judged as: its `k8s-baseline:env`; else the env its file name ends with (`dev`,
 * `shared-dev`); else, for a cluster stack, the strictest env of its `k8s-baseline:cluster.environments`; else
 * prod.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from "yaml";
import {
    ENVIRONMENTS,
    Environment,
    isEnvironment,
    looksSecretConfigKey,
    profileFor,
    SECRETS_CONFIG_NAMESPACE,
    stackSecretsAliasName,
    strictestEnvironment,
} from "../../components/baseline";
import { EnforcementLevel, PolicyInfo, Severity } from "../policies/types";
import { ReportedViolation, ResourceResult } from "./check";

const GROUP = "stack-files";

export const STACK_SECRETS_PROVIDER: PolicyInfo = {
    name: "stack-secrets-provider",
    group: GROUP,
    description: "A stack file's secrets provider is the awskms:// stack secrets key of its own env.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "pulumi stack change-secrets-provider awskms://alias/<project>-<env>-stack-config?region=<region> (the StackSecretsKey of the env).",
    url: "https://www.pulumi.com/docs/iac/concepts/secrets/#aws-key-management-service-kms",
};

export const STACK_PLAINTEXT_SECRETS: PolicyInfo = {
    name: "stack-config-plaintext-secrets",
    group: GROUP,
    description: "A stack file keeps no plaintext value under a config key that looks secret.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "pulumi config set --secret <key> (the value is stored secure:, encrypted with the stack's provider), and rotate the value that was in plaintext.",
    url: "https://www.pulumi.com/docs/iac/concepts/secrets/",
};

/** The rules check applies to stack files, as the SARIF log and the corpus name them. */
export const STACK_FILE_RULES: readonly PolicyInfo[] = [STACK_SECRETS_PROVIDER, STACK_PLAINTEXT_SECRETS];

const STACK_FILE = /^Pulumi\.([^/\\]+)\.ya?ml$/;
const CONFIG_NAMESPACE = "k8s-baseline";

/** The stack name of a stack file, or undefined when `file` is not named `Pulumi.<stack>.yaml`. */
export function stackFileName(file: string): string | undefined {
    return STACK_FILE.exec(path.basename(file))?.[1];
}

/** The env a stack file is judged as (see the module comment). */
export function stackFileEnvironment(stack: string, config: Record<string, unknown>): Environment {
    const declared = config[`${CONFIG_NAMESPACE}:env`];
    if (isEnvironment(declared)) return declared;
    const named = ENVIRONMENTS.find((env) => stack === env || stack.endsWith(`-${env}`));
    if (named) return named;
    const cluster = config[`${CONFIG_NAMESPACE}:cluster`];
    const hosted =
        typeof cluster === "object" && cluster !== null
            ? (cluster as { environments?: unknown }).environments
            : undefined;
    if (Array.isArray(hosted) && hosted.some(isEnvironment)) return strictestEnvironment(hosted.filter(isEnvironment));
    return "prod";
}

/** The account and region a stack file's config names (`k8s-baseline:accountId`, `k8s-baseline:region`). */
export interface StackAccount {
    readonly accountId?: string;
    readonly region?: string;
}

/**
 * What is wrong with `provider` for `env` of `project` in `account` (undefined: nothing). An alias ARN must be
 * of the stack's account, and a region, in the ARN or the `region` parameter, the stack's region.
 */
export function secretsProviderProblem(
    provider: unknown,
    env: Environment,
    project: string | undefined,
    account: StackAccount = {},
): string | undefined {
    const wanted = project === undefined ? `alias/<project>-${env}-stack-config` : stackSecretsAliasName(project, env);
    const fix = `use awskms://${wanted}?region=<region>, the env's stack secrets key`;
    if (provider === undefined || provider === null || provider === "") {
        return `sets no secretsprovider, so Pulumi Cloud's default key encrypts the ${env} stack's secrets; ${fix}`;
    }
    if (typeof provider !== "string") return `secretsprovider is not a string; ${fix}`;
    if (!provider.startsWith("awskms://")) {
        return `secretsprovider ${JSON.stringify(provider)} is not an awskms:// key, which the ${env} profile demands; ${fix}`;
    }
    const [target, query = ""] = provider.slice("awskms://".length).replace(/^\/+/, "").split("?");
    const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/[\w/-]+)$/.exec(target);
    const alias = arn?.[3] ?? /^alias\/[\w/-]+$/.exec(target)?.[0];
    if (alias === undefined) {
        return `secretsprovider ${JSON.stringify(provider)} names a key by id or ARN, which cannot be told to be the ${env} env's; ${fix}`;
    }
    const match = /^alias\/(.+)-(dev|stage|prod)-stack-config$/.exec(alias);
    if (match && match[2] !== env) {
        return `secretsprovider ${JSON.stringify(provider)} is the ${match[2]} env's key, not the ${env} env's; ${fix}`;
    }
    // An alias resolves in one account and region: the same name elsewhere is another key, anyone's.
    if (arn !== null && arn[2] !== account.accountId) {
        return `secretsprovider ${JSON.stringify(provider)} is an alias of account ${arn[2]}, not the stack's account ${account.accountId ?? "(k8s-baseline:accountId unset)"}; ${fix}`;
    }
    const region = arn?.[1] ?? new URLSearchParams(query).get("region") ?? undefined;
    if (region !== undefined && account.region !== undefined && region !== account.region) {
        return `secretsprovider ${JSON.stringify(provider)} is a key of region ${region}, not the stack's region ${account.region}; ${fix}`;
    }
    const ok = project === undefined ? match !== null : alias === wanted;
    return ok
        ? undefined
        : `secretsprovider ${JSON.stringify(provider)} is not the ${env} env's stack secrets key; ${fix}`;
}

/** A finding in a stack file. */
interface Finding {
    readonly policy: PolicyInfo;
    readonly message: string;
    readonly line: number | null;
}

/** True for `{ secure: "..." }`, a value Pulumi stores encrypted. */
function isSecure(node: unknown): boolean {
    return (
        isMap(node) &&
        node.items.length === 1 &&
        isScalar(node.items[0].key) &&
        node.items[0].key.value === "secure" &&
        isScalar(node.items[0].value) &&
        typeof node.items[0].value.value === "string"
    );
}

/** Plaintext values under secret-looking keys below `node`, the value of `key` at `where`. */
function plaintextSecrets(
    node: unknown,
    key: string,
    where: string,
    secretByNamespace: boolean,
    lineOf: (offset: number) => number,
    out: Finding[],
): void {
    if (isSecure(node)) return;
    if (isMap(node)) {
        for (const pair of node.items) {
            const name = isScalar(pair.key) ? String(pair.key.value) : "";
            plaintextSecrets(pair.value, name, `${where}.${name}`, secretByNamespace, lineOf, out);
        }
        return;
    }
    if (isSeq(node)) {
        node.items.forEach((item, i) => plaintextSecrets(item, key, `${where}[${i}]`, secretByNamespace, lineOf, out));
        return;
    }
    if (!isScalar(node)) return;
    const value = node.value;
    if (value === null || value === "" || typeof value === "boolean") return;
    if (!secretByNamespace && !looksSecretConfigKey(key)) return;
    const offset = (node as Node).range?.[0];
    const line = offset === undefined ? null : lineOf(offset);
    const why = secretByNamespace ? `in the ${SECRETS_CONFIG_NAMESPACE}: namespace` : "under a key that looks secret";
    out.push({
        policy: STACK_PLAINTEXT_SECRETS,
        message: `${where}${line === null ? "" : ` (line ${line})`} holds a plaintext value ${why}; store it with pulumi config set --secret`,
        line,
    });
}

/** The findings of one stack file's text. Throws an Error naming the problem when it is not YAML of a map. */
export function stackFileFindings(file: string, text: string): Finding[] {
    const stack = stackFileName(file) ?? path.basename(file);
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    if (document.errors.length > 0) throw new Error(document.errors[0].message.split("\n")[0]);
    const root = document.contents;
    if (root !== null && !isMap(root)) throw new Error("a stack file is a YAML map");
    const lineOf = (offset: number) => lines.linePos(offset).line;
    const value = (document.toJS() ?? {}) as Record<string, unknown>;
    const config =
        typeof value.config === "object" && value.config !== null ? (value.config as Record<string, unknown>) : {};
    const env = stackFileEnvironment(stack, config);
    const project = config[`${CONFIG_NAMESPACE}:project`];
    const findings: Finding[] = [];
    if (profileFor(env).requiresStackSecretsKms) {
        const configString = (key: string) => {
            const found = config[`${CONFIG_NAMESPACE}:${key}`];
            return typeof found === "string" ? found : undefined;
        };
        const problem = secretsProviderProblem(
            value.secretsprovider,
            env,
            typeof project === "string" ? project : undefined,
            {
                accountId: configString("accountId"),
                region: configString("region"),
            },
        );
        if (problem !== undefined) {
            const pair = isMap(root)
                ? root.items.find((item) => isScalar(item.key) && item.key.value === "secretsprovider")
                : undefined;
            const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
            findings.push({
                policy: STACK_SECRETS_PROVIDER,
                message: `${file} (judged as ${env}): ${problem}`,
                line: offset === undefined ? 1 : lineOf(offset),
            });
        }
    }
    const configNode = isMap(root) ? root.get("config", true) : undefined;
    if (isMap(configNode)) {
        for (const pair of configNode.items) {
            const fullKey = isScalar(pair.key) ? String(pair.key.value) : "";
            const at = fullKey.indexOf(":");
            const namespace = at < 0 ? "" : fullKey.slice(0, at);
            const key = at < 0 ? fullKey : fullKey.slice(at + 1);
            const before = findings.length;
            plaintextSecrets(pair.value, key, fullKey, namespace === SECRETS_CONFIG_NAMESPACE, lineOf, findings);
            for (let i = before; i < findings.length; i++) {
                findings[i] = { ...findings[i], message: `${file}: ${findings[i].message}` };
            }
        }
    }
    return findings;
}

/** What checking the stack files gave: a result per finding, and the files that could not be read. */
export interface StackFilesReport {
    readonly results: ResourceResult[];
    readonly errors: string[];
    readonly mandatory: number;
}

/** Checks every stack file of `files`; each finding is its own result, at the line of its key. */
export function checkStackFiles(files: readonly string[]): StackFilesReport {
    const results: ResourceResult[] = [];
    const errors: string[] = [];
    for (const file of files) {
        let findings: Finding[];
        try {
            findings = stackFileFindings(file, fs.readFileSync(file, "utf8"));
        } catch (error) {
            errors.push(`cannot parse ${file}: ${(error as Error).message}`);
            continue;
        }
        for (const finding of findings) {
            const violation: ReportedViolation = {
                policy: finding.policy.name,
                level: finding.policy.enforcementLevel,
                message: finding.message,
                check: null,
            };
            results.push({
                source: `${file}#0`,
                line: finding.line,
                kind: "PulumiStack",
                name: stackFileName(file) ?? path.basename(file),
                namespace: null,
                violations: [violation],
            });
        }
    }
    return { results, errors, mandatory: results.length };
}
