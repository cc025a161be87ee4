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
 * The env a stack file is judged as: the strictest of its `k8s-baseline:env`, the env its file name ends with
 * (`dev`, `shared-dev`) and the envs of its `k8s-baseline:cluster.environments`; prod when none is given.
 *
 * Each finding is at the line of the key it names (`secretsprovider`, the config key or list item holding the
 * plaintext; no line when `secretsprovider` is missing) and at the level the pack config `check` reads gives the
 * rule (`--config`, `--env`: config.ts), as for any policy; `--only` selects them by name or by their group.
 * A config never lowers the verdict on a file judged as an env stricter than the config's own, nor on any file
 * when the config names no env (`--env`, or its blocks' `env`): there the rule keeps at least the level that
 * env's profile wants (stackFileRuleLevel), so neither a dev config nor one that names no env can make a prod
 * stack file, or one whose env is unknown, pass.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from "yaml";
import {
    ENVIRONMENTS,
    Environment,
    isEnvironment,
    looksSecretConfigKey,
    parseStackSecretsAlias,
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

/** The rules check applies to stack files, as `--only`, the pack config, the SARIF log and the corpus name them. */
export const STACK_FILE_RULES: readonly PolicyInfo[] = [STACK_SECRETS_PROVIDER, STACK_PLAINTEXT_SECRETS];

/** The group of the stack-file rules, as `--only` takes it. */
export const STACK_FILE_GROUP = GROUP;

/**
 * The level `rule` has where `env`'s profile decides it: in `env`'s generated pack config, and at least on a
 * stack file judged as `env`. The provider rule is off where the profile demands no KMS provider; otherwise a
 * rule keeps its own level (mandatory: every profile demands the env's key and no plaintext secret).
 */
export function stackFileRuleLevel(rule: PolicyInfo, env: Environment): EnforcementLevel {
    if (rule.name === STACK_SECRETS_PROVIDER.name && !profileFor(env).requiresStackSecretsKms) {
        return EnforcementLevel.Disabled;
    }
    return rule.enforcementLevel;
}

const LEVEL_ORDER: readonly EnforcementLevel[] = [
    EnforcementLevel.Disabled,
    EnforcementLevel.Advisory,
    EnforcementLevel.Mandatory,
];

/**
 * The level of `rule`'s finding on a stack file judged as `fileEnv`, with `levels` of the config that says it
 * is `configEnv`'s: the config's level (else the rule's own), raised to stackFileRuleLevel(rule, fileEnv) when
 * the file's env is stricter than the config's, or the config names no env (it then speaks for none).
 */
export function stackFileLevel(
    rule: PolicyInfo,
    levels: Readonly<Record<string, EnforcementLevel>>,
    configEnv: Environment | undefined,
    fileEnv: Environment,
): EnforcementLevel {
    const configured = levels[rule.name] ?? rule.enforcementLevel;
    if (configEnv !== undefined && strictestEnvironment([fileEnv, configEnv]) === configEnv) return configured;
    const floor = stackFileRuleLevel(rule, fileEnv);
    return LEVEL_ORDER.indexOf(floor) > LEVEL_ORDER.indexOf(configured) ? floor : configured;
}

const STACK_FILE = /^Pulumi\.([^/\\]+)\.ya?ml$/;
const CONFIG_NAMESPACE = "k8s-baseline";

/** The stack name of a stack file, or undefined when `file` is not named `Pulumi.<stack>.yaml`. */
export function stackFileName(file: string): string | undefined {
    return STACK_FILE.exec(path.basename(file))?.[1];
}

/**
 * The env a stack file is judged as (see the module comment): the strictest of what it says of itself, its
 * config's env, the env its name ends in and the envs its cluster hosts, so that no one of them lowers another
 * (a `Pulumi.cluster-dev.yaml` whose cluster hosts prod is prod's); prod when it says none.
 */
export function stackFileEnvironment(stack: string, config: Record<string, unknown>): Environment {
    const said: Environment[] = [];
    const declared = config[`${CONFIG_NAMESPACE}:env`];
    if (isEnvironment(declared)) said.push(declared);
    const named = ENVIRONMENTS.find((env) => stack === env || stack.endsWith(`-${env}`));
    if (named) said.push(named);
    const cluster = config[`${CONFIG_NAMESPACE}:cluster`];
    const hosted =
        typeof cluster === "object" && cluster !== null
            ? (cluster as { environments?: unknown }).environments
            : undefined;
    if (Array.isArray(hosted)) said.push(...hosted.filter(isEnvironment));
    return said.length === 0 ? "prod" : strictestEnvironment(said);
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
    const named = parseStackSecretsAlias(alias);
    if (named && named.env !== env) {
        return `secretsprovider ${JSON.stringify(provider)} is the ${named.env} env's key, not the ${env} env's; ${fix}`;
    }
    // An alias resolves in one account and region: the same name elsewhere is another key, anyone's.
    if (arn !== null && arn[2] !== account.accountId) {
        return `secretsprovider ${JSON.stringify(provider)} is an alias of account ${arn[2]}, not the stack's account ${account.accountId ?? "(k8s-baseline:accountId unset)"}; ${fix}`;
    }
    const region = arn?.[1] ?? new URLSearchParams(query).get("region") ?? undefined;
    if (region !== undefined && account.region !== undefined && region !== account.region) {
        return `secretsprovider ${JSON.stringify(provider)} is a key of region ${region}, not the stack's region ${account.region}; ${fix}`;
    }
    const ok = project === undefined ? named !== undefined : alias === wanted;
    return ok
        ? undefined
        : `secretsprovider ${JSON.stringify(provider)} is not the ${env} env's stack secrets key; ${fix}`;
}

/** A finding in a stack file. */
export interface StackFileFinding {
    readonly policy: PolicyInfo;
    readonly message: string;
    /** The line of the key it names; null when the key is missing (no `secretsprovider`). */
    readonly line: number | null;
    /** The env the file is judged as. */
    readonly env: Environment;
}
type Finding = StackFileFinding;

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

/** Where a plaintext search stands: the key whose value it reads, shown as `where`, at `line`. */
interface ConfigPlace {
    readonly key: string;
    readonly where: string;
    /** The line of the key (a map's entry) or of the item (a list's): where a reader finds `where`. */
    readonly line: number | null;
    /** In the `secrets:` namespace, where every value is a secret. */
    readonly secretByNamespace: boolean;
    readonly env: Environment;
}

/** The line of `node`'s first character, or `fallback` when the parser gave it no position. */
function lineOfNode(node: unknown, lineOf: (offset: number) => number, fallback: number | null): number | null {
    const offset = (node as Node | null)?.range?.[0];
    return offset === undefined ? fallback : lineOf(offset);
}

/**
 * Plaintext values under secret-looking keys below `node`, the value at `place`. An alias (`*x`) is judged as
 * the value it stands for, as Pulumi reads it; `seen` holds the aliases on the way, so that one naming its
 * own ancestor ends the walk.
 */
function plaintextSecrets(
    node: unknown,
    place: ConfigPlace,
    lineOf: (offset: number) => number,
    out: Finding[],
    document?: Document,
    seen: ReadonlySet<unknown> = new Set(),
): void {
    if (isAlias(node)) {
        if (document === undefined || seen.has(node)) return;
        const target = node.resolve(document);
        plaintextSecrets(target, place, lineOf, out, document, new Set([...seen, node]));
        return;
    }
    if (isSecure(node)) return;
    if (isMap(node)) {
        for (const pair of node.items) {
            const name = isScalar(pair.key) ? String(pair.key.value) : "";
            const line = lineOfNode(pair.key, lineOf, place.line);
            const at = { ...place, key: name, where: `${place.where}.${name}`, line };
            plaintextSecrets(pair.value, at, lineOf, out, document, seen);
        }
        return;
    }
    if (isSeq(node)) {
        node.items.forEach((item, i) => {
            const line = lineOfNode(item, lineOf, place.line);
            plaintextSecrets(item, { ...place, where: `${place.where}[${i}]`, line }, lineOf, out, document, seen);
        });
        return;
    }
    if (!isScalar(node)) return;
    const value = node.value;
    if (value === null || value === "" || typeof value === "boolean") return;
    if (!place.secretByNamespace && !looksSecretConfigKey(place.key)) return;
    const { line } = place;
    const why = place.secretByNamespace
        ? `in the ${SECRETS_CONFIG_NAMESPACE}: namespace`
        : "under a key that looks secret";
    out.push({
        policy: STACK_PLAINTEXT_SECRETS,
        message: `${place.where}${line === null ? "" : ` (line ${line})`} holds a plaintext value ${why}; store it with pulumi config set --secret`,
        line,
        env: place.env,
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
            const line = pair === undefined ? null : lineOfNode(pair.key, lineOf, null);
            findings.push({
                policy: STACK_SECRETS_PROVIDER,
                message: `${file}${line === null ? "" : ` (line ${line})`} (judged as ${env}): ${problem}`,
                line,
                env,
            });
        }
    }
    const given = isMap(root) ? root.get("config", true) : undefined;
    const configNode = isAlias(given) ? given.resolve(document) : given;
    if (isMap(configNode)) {
        for (const pair of configNode.items) {
            const fullKey = isScalar(pair.key) ? String(pair.key.value) : "";
            const at = fullKey.indexOf(":");
            const namespace = at < 0 ? "" : fullKey.slice(0, at);
            const key = at < 0 ? fullKey : fullKey.slice(at + 1);
            const before = findings.length;
            const place: ConfigPlace = {
                key,
                where: fullKey,
                line: lineOfNode(pair.key, lineOf, null),
                secretByNamespace: namespace === SECRETS_CONFIG_NAMESPACE,
                env,
            };
            plaintextSecrets(pair.value, place, lineOf, findings, document);
            for (let i = before; i < findings.length; i++) {
                findings[i] = { ...findings[i], message: `${file}: ${findings[i].message}` };
            }
        }
    }
    return findings;
}

/** How stack files are judged: the rules `--only` selects, at the levels of the config `check` reads. */
export interface StackFileJudging {
    /** The rules to apply (STACK_FILE_RULES, or those `--only` names). */
    readonly rules: readonly PolicyInfo[];
    /** The config's levels per rule name (CheckConfig.levels). */
    readonly levels: Readonly<Record<string, EnforcementLevel>>;
    /** The env the config says it is for (CheckConfig.declaredEnv); undefined when it names none. */
    readonly env: Environment | undefined;
}

/** Every stack-file rule at its own level, with no config: as `check` without `--config` or `--env`. */
export const DEFAULT_STACK_FILE_JUDGING: StackFileJudging = {
    rules: STACK_FILE_RULES,
    levels: {},
    env: Environment.Prod,
};

/** What checking the stack files gave: a result per finding, and the files that could not be read. */
export interface StackFilesReport {
    readonly results: ResourceResult[];
    readonly errors: string[];
    readonly mandatory: number;
    readonly advisory: number;
}

/**
 * Checks every stack file of `files` by `judging`'s rules; each finding is its own result, at the line of its
 * key, at its level (stackFileLevel); a rule disabled there reports nothing.
 */
export function checkStackFiles(
    files: readonly string[],
    judging: StackFileJudging = DEFAULT_STACK_FILE_JUDGING,
): StackFilesReport {
    const results: ResourceResult[] = [];
    const errors: string[] = [];
    const selected = new Set(judging.rules.map((rule) => rule.name));
    let mandatory = 0;
    let advisory = 0;
    for (const file of files) {
        let findings: Finding[];
        try {
            findings = stackFileFindings(file, fs.readFileSync(file, "utf8"));
        } catch (error) {
            errors.push(`cannot parse ${file}: ${(error as Error).message}`);
            continue;
        }
        for (const finding of findings) {
            if (!selected.has(finding.policy.name)) continue;
            const configured = judging.levels[finding.policy.name] ?? finding.policy.enforcementLevel;
            const level = stackFileLevel(finding.policy, judging.levels, judging.env, finding.env);
            if (level === EnforcementLevel.Disabled) continue;
            const raised =
                level === configured
                    ? ""
                    : judging.env === undefined
                      ? ` (${level} here: the file is judged as ${finding.env}, and the config names no env to speak for)`
                      : ` (${level} here: the file is judged as ${finding.env}, stricter than the config's ${judging.env})`;
            if (level === EnforcementLevel.Mandatory) mandatory++;
            else advisory++;
            const violation: ReportedViolation = {
                policy: finding.policy.name,
                level,
                message: `${finding.message}${raised}`,
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
    return { results, errors, mandatory, advisory };
}
