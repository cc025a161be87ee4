/**
 * `.sops.yaml` for repositories that keep manifests or Helm values in git: one creation rule per env, matching
 * the files under that env's folder, encrypting to that env's KMS key with an encryption context naming the env,
 * so a file under `prod/` is encrypted to, and decrypted by, the prod key only. Pure data; no resources.
 */
import { Environment, ENVIRONMENTS, isEnvironment } from "./environments";

/** Stack output holding the ARN of the env's stack-config and GitOps secrets key. */
export const STACK_SECRETS_KEY_OUTPUT = "stackSecretsKeyArn";

/** One env's key, as read from its stack outputs. */
export interface SopsEnvironmentKey {
    readonly env: Environment;
    /** ARN of the env's KMS key (`arn:<partition>:kms:<region>:<account>:key/<id>`). */
    readonly kmsKeyArn: string;
}

/** A KMS master key of a sops key group. */
export interface SopsKmsKey {
    readonly arn: string;
    readonly context: Record<string, string>;
}

/** A sops key group: files need every group's key to decrypt. */
export interface SopsKeyGroup {
    readonly kms: SopsKmsKey[];
}

/** A sops creation rule: the first whose `path_regex` matches a file decides its keys. */
export interface SopsCreationRule {
    readonly path_regex: string;
    readonly key_groups: SopsKeyGroup[];
}

/** The content of `.sops.yaml`. */
export interface SopsConfig {
    readonly creation_rules: SopsCreationRule[];
}

const KMS_KEY_ARN =
    /^arn:aws[a-z-]*:kms:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:key\/[0-9a-f-]{36}$|^arn:aws[a-z-]*:kms:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:key\/mrk-[0-9a-f]{32}$/;

/** The encryption context every sops data key of the env is bound to (KMS checks it on decrypt). */
export function sopsEncryptionContext(project: string, env: Environment): Record<string, string> {
    return { project, env };
}

/**
 * The regex (RE2 and JavaScript alike) matching files under the env's folder at the repository root, relative
 * to `.sops.yaml`: `prod/...` or `./prod/...`. Anchored at the start, so `dev/prod/x.yaml` is dev's, never prod's:
 * the rules of two envs never both match a path.
 */
export function sopsPathRegex(env: Environment): string {
    return `^(\\./)?${env}/`;
}

/**
 * `.sops.yaml`'s rules: one per env given, in the baseline's env order. Throws when an env is given twice, is
 * unknown, or its key ARN is not a KMS key ARN (an alias ARN cannot carry a grant-scoped policy).
 */
export function sopsConfig(project: string, keys: readonly SopsEnvironmentKey[]): SopsConfig {
    const problems: string[] = [];
    const byEnv = new Map<Environment, string>();
    for (const key of keys) {
        if (!isEnvironment(key.env)) {
            problems.push(`env ${JSON.stringify(key.env)} is not one of ${ENVIRONMENTS.join(", ")}`);
        } else if (byEnv.has(key.env)) {
            problems.push(`env ${key.env} is given twice: give each env's stack outputs once`);
        } else if (!KMS_KEY_ARN.test(key.kmsKeyArn)) {
            problems.push(
                `${key.env}: ${JSON.stringify(key.kmsKeyArn)} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
            );
        } else {
            byEnv.set(key.env, key.kmsKeyArn);
        }
    }
    const arns = [...byEnv.values()];
    if (new Set(arns).size !== arns.length) {
        problems.push("two envs share a KMS key: each env needs its own");
    }
    if (keys.length === 0) {
        problems.push("no env given");
    }
    if (problems.length > 0) {
        throw new Error(`sops config: ${problems.join("; ")}`);
    }
    return {
        creation_rules: ENVIRONMENTS.filter((env) => byEnv.has(env)).map((env) => ({
            path_regex: sopsPathRegex(env),
            key_groups: [{ kms: [{ arn: byEnv.get(env)!, context: sopsEncryptionContext(project, env) }] }],
        })),
    };
}

const STACK_SECRETS_ALIAS_SUFFIX = "-stack-config";

/** `alias/<project>-<env>-stack-config`: the alias of the env's stack-config and GitOps secrets key. */
export function stackSecretsAliasName(project: string, env: Environment): string {
    return `alias/${project}-${env}${STACK_SECRETS_ALIAS_SUFFIX}`;
}

/** What a stack secrets alias names: the project and env of `alias/<project>-<env>-stack-config`. */
export interface StackSecretsAlias {
    readonly project: string;
    readonly env: Environment;
}

/** stackSecretsAliasName's shape, with the envs the baseline knows. */
const STACK_SECRETS_ALIAS = new RegExp(`^alias/(.+)-(${ENVIRONMENTS.join("|")})${STACK_SECRETS_ALIAS_SUFFIX}$`);

/**
 * The project and env an alias name is the stack secrets alias of (stackSecretsAliasName read back), or
 * undefined when it is not one (another shape, or an env the baseline does not know).
 */
export function parseStackSecretsAlias(alias: string): StackSecretsAlias | undefined {
    const match = STACK_SECRETS_ALIAS.exec(alias);
    return match ? { project: match[1], env: match[2] as Environment } : undefined;
}

/** The Pulumi secrets provider of the env's stack: `awskms://alias/<project>-<env>-stack-config?region=<region>`. */
export function stackSecretsProvider(project: string, env: Environment, region: string): string {
    return `awskms://${stackSecretsAliasName(project, env)}?region=${region}`;
}

/**
 * What the env's CI deployer may do with its stack secrets key, and nothing more: kms:Decrypt on every run,
 * kms:Encrypt at `pulumi stack init` or a provider change (and by sops to wrap a file's data key).
 */
export const STACK_SECRETS_DEPLOYER_ACTIONS: readonly string[] = ["kms:Decrypt", "kms:Encrypt"];

/**
 * The tag that marks a KMS key as an env's stack secrets key (StackSecretsKey): a key the env's deployer uses
 * directly, as the Pulumi CLI and sops do. The pack admits that direct use on keys carrying it, and only there.
 */
export const STACK_SECRETS_KEY_TAG: Readonly<{ key: string; value: string }> = {
    key: "purpose",
    value: "stack-secrets",
};
