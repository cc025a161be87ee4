import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    childResourceName,
    componentType,
    Environment,
    NameSystem,
    profileFor,
    RenderedName,
    SECRET_NAME_SEGMENT,
    secretPath,
    secretPathPrefix,
} from "../baseline";
import { allowStatement, PolicyDocument, policyDocument, secretsManagerService } from "./iam";

/** Automatic rotation of a secret by a rotation Lambda. */
export interface SecretRotationArgs {
    /** ARN of the rotation Lambda function. */
    lambdaArn: pulumi.Input<string>;
    /** Rotate every N days (1-1000). Give this or `scheduleExpression`. */
    automaticallyAfterDays?: number;
    /** A `rate(...)` or `cron(...)` schedule. Give this or `automaticallyAfterDays`. */
    scheduleExpression?: string;
    /**
     * Name of the rotation function's IAM role. When given, the component attaches a policy to it that reads
     * and writes this secret alone (and uses the env key only through Secrets Manager). Default: none (the
     * function's role is managed elsewhere; the pack checks it is no broader).
     */
    rotationRoleName?: pulumi.Input<string>;
}

/** One secret of an app. */
export interface AppSecretArgs {
    /** Secret name inside the app's prefix, e.g. `db-password`; or the full `<project>-<env>/<app>/<name>`. */
    name: string;
    /** What the secret holds. */
    description?: string;
    /**
     * Initial value, from Pulumi secret config (`config.requireSecret(...)`). A plain string is refused: a
     * value written in code ends up in the repository. Default: none (the secret is created empty and filled
     * out of band, or by rotation).
     */
    value?: pulumi.Input<string>;
    /** Automatic rotation. Default: none. */
    rotation?: SecretRotationArgs;
}

/** Arguments of an AppSecrets. */
export interface AppSecretsArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /** Environment: dev, stage or prod. Sets the recovery window. */
    env: Environment;
    /** App name, a DNS-1123 label: the secrets are named `<project>-<env>/<app>/<name>`. */
    app: string;
    /** ARN of the env's KMS key (an EnvironmentKey's `keyArn`). */
    kmsKeyArn: pulumi.Input<string>;
    /** The app's secrets. */
    secrets: AppSecretArgs[];
    /** Days a deleted secret can be restored (7-30, or 0 outside prod). Default: the env profile's. */
    recoveryWindowInDays?: number;
    /** Tags for every secret. */
    tags?: Record<string, string>;
}

const COMPONENT = "AppSecrets";

/** One validated secret. */
export interface ResolvedSecret {
    readonly shortName: string;
    readonly fullName: string;
    readonly description?: string;
    readonly value?: pulumi.Input<string>;
    readonly rotation?: SecretRotationArgs;
}

/** The validated, defaulted input of an AppSecrets. */
export interface ResolvedAppSecrets {
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly recoveryWindowInDays: number;
    readonly secrets: ResolvedSecret[];
}

/**
 * Days between rotations of a schedule: `automaticallyAfterDays`, or a `rate(N days|hours)` expression.
 * Undefined for a `cron(...)` schedule, whose period the component does not derive.
 */
export function rotationDays(rotation: SecretRotationArgs): number | undefined {
    if (rotation.automaticallyAfterDays !== undefined) return rotation.automaticallyAfterDays;
    const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(rotation.scheduleExpression ?? "");
    if (!rate) return undefined;
    const n = Number(rate[1]);
    return rate[2].startsWith("hour") ? n / 24 : n;
}

/**
 * The name of an app's secret or parameter below the app's `prefix` (a full name must start with it), or
 * undefined after filing why it is none: the same rule for AppSecrets' secrets and AppParameters' parameters.
 */
export function shortNameUnder(
    check: ArgsChecker,
    field: string,
    name: unknown,
    prefix: string | undefined,
    noun: string,
    container: string,
): string | undefined {
    let shortName = name;
    if (typeof shortName === "string" && shortName.includes("/") && prefix) {
        if (
            !check.check(
                shortName.startsWith(prefix),
                `${field}.name`,
                `${JSON.stringify(shortName)} is outside the app's ${container} ${prefix}`,
                `name it relative to ${prefix}, e.g. "db-password"`,
            )
        ) {
            return undefined;
        }
        shortName = shortName.slice(prefix.length);
    }
    if (
        !check.check(
            typeof shortName === "string" && SECRET_NAME_SEGMENT.test(shortName),
            `${field}.name`,
            `${JSON.stringify(name)} is not a ${noun} name`,
            `use lower-case letters, digits, '-', '_' and '.', with no '/' below the app's ${container}`,
        )
    ) {
        return undefined;
    }
    return shortName as string;
}

/** Actions a Secrets Manager rotation function needs on the secret it rotates. */
export const ROTATION_FUNCTION_ACTIONS: readonly string[] = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
];

/**
 * What a rotation function may do: rotate the one secret (by its ARN) and use the env key only when Secrets
 * Manager asks on its behalf. No other secret and no list.
 */
export function rotationFunctionPolicy(secretArn: string, kmsKeyArn: string): PolicyDocument {
    const region = secretArn.split(":")[3];
    return policyDocument(
        allowStatement("RotateThisSecret", ROTATION_FUNCTION_ACTIONS, secretArn),
        allowStatement("EnvKeyThroughSecretsManager", ["kms:Decrypt", "kms:GenerateDataKey"], kmsKeyArn, {
            StringEquals: { "kms:ViaService": secretsManagerService(region) },
        }),
    );
}

/** Checks and defaults an AppSecrets' arguments; throws an ArgumentError listing every problem. */
export function resolveAppSecretsArgs(name: string, args: AppSecretsArgs): ResolvedAppSecrets {
    const check = new ArgsChecker(COMPONENT, name);
    const projectOk = check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const appOk = check.dnsLabel(args.app, "app", 30);
    const prefix = projectOk && envOk && appOk ? secretPathPrefix(args.project, args.env, args.app) : undefined;

    const recoveryWindowInDays =
        args.recoveryWindowInDays ?? (envOk ? profileFor(args.env).secretRecoveryWindowDays : 30);
    const windowOk = check.check(
        recoveryWindowInDays === 0 ||
            (Number.isInteger(recoveryWindowInDays) && recoveryWindowInDays >= 7 && recoveryWindowInDays <= 30),
        "recoveryWindowInDays",
        `${recoveryWindowInDays} is not a Secrets Manager recovery window`,
        "give 7 to 30 days (or 0 outside prod)",
    );
    if (windowOk && args.env === "prod") {
        check.check(
            recoveryWindowInDays !== 0,
            "recoveryWindowInDays",
            "0 in prod deletes a secret beyond recovery at once",
            `omit it (prod default ${profileFor("prod").secretRecoveryWindowDays}) or give 7 to 30 days`,
        );
    }

    check.check(args.kmsKeyArn !== undefined, "kmsKeyArn", "is required", "pass the env's EnvironmentKey keyArn");
    if (typeof args.kmsKeyArn === "string") {
        check.check(
            /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]+$/.test(args.kmsKeyArn),
            "kmsKeyArn",
            `${JSON.stringify(args.kmsKeyArn)} is not a KMS key ARN`,
            "pass the env key's ARN; the AWS managed aws/secretsmanager key cannot be scoped per env",
        );
    }

    const secrets: ResolvedSecret[] = [];
    const seen = new Set<string>();
    if (
        check.check(Array.isArray(args.secrets), "secrets", "is required", "list the app's secrets (it may be empty)")
    ) {
        args.secrets.forEach((secret, i) => {
            const field = `secrets[${i}]`;
            const shortName = shortNameUnder(check, field, secret.name, prefix, "secret", "prefix");
            if (shortName === undefined) return;
            check.check(
                !seen.has(shortName),
                `${field}.name`,
                `${shortName} is declared twice`,
                "declare each secret once",
            );
            seen.add(shortName);
            check.check(
                typeof secret.value !== "string",
                `${field}.value`,
                "is a plain string written in the program",
                "read it with config.requireSecret(...) (pulumi config set --secret), or omit it and fill the secret out of band",
            );
            if (secret.rotation) {
                const r = secret.rotation;
                check.check(
                    (r.automaticallyAfterDays === undefined) !== (r.scheduleExpression === undefined),
                    `${field}.rotation`,
                    "needs exactly one of automaticallyAfterDays and scheduleExpression",
                    "give one schedule",
                );
                if (r.automaticallyAfterDays !== undefined) {
                    check.check(
                        Number.isInteger(r.automaticallyAfterDays) &&
                            r.automaticallyAfterDays >= 1 &&
                            r.automaticallyAfterDays <= 1000,
                        `${field}.rotation.automaticallyAfterDays`,
                        `${r.automaticallyAfterDays} is out of range`,
                        "give 1 to 1000 days",
                    );
                }
                const days = rotationDays(r);
                if (envOk && days !== undefined) {
                    const max = profileFor(args.env).maxSecretRotationDays;
                    check.check(
                        days <= max,
                        `${field}.rotation`,
                        `rotates every ${days} days, longer than the ${args.env} bound of ${max}`,
                        `rotate at least every ${max} days`,
                    );
                }
                if (r.scheduleExpression !== undefined) {
                    check.check(
                        /^(rate\(\d+ (hours?|days?)\)|cron\(.+\))$/.test(r.scheduleExpression),
                        `${field}.rotation.scheduleExpression`,
                        `${JSON.stringify(r.scheduleExpression)} is not a schedule`,
                        'write "rate(30 days)" or "cron(0 4 1 * ? *)"',
                    );
                }
                check.check(
                    r.lambdaArn !== undefined,
                    `${field}.rotation.lambdaArn`,
                    "is required",
                    "give the rotation function's ARN",
                );
            }
            secrets.push({
                shortName,
                fullName: secretPath(args.project, args.env, args.app, shortName),
                description: secret.description,
                value: secret.value,
                rotation: secret.rotation,
            });
        });
    }
    check.throwIfInvalid();
    return { project: args.project, env: args.env, app: args.app, recoveryWindowInDays, secrets };
}

/** Every secret an AppSecrets creates, by its Secrets Manager name, with the field it comes from. */
export function appSecretsNames(resolved: ResolvedAppSecrets): RenderedName[] {
    return resolved.secrets.map((secret, i) => ({
        system: NameSystem.SecretsManager,
        kind: "secret",
        name: secret.fullName,
        source: `secrets[${i}].name`,
    }));
}

/**
 * The Pulumi logical name of every resource an AppSecrets called `name` registers, by type: `<name>-<secret>`,
 * which app `pay` with secret `ments-db` shares with app `pay-ments` with secret `db`.
 */
export function appSecretsResourceNames(name: string, resolved: ResolvedAppSecrets): RenderedName[] {
    const parent = componentType("AppSecrets");
    return resolved.secrets.flatMap((secret, i) => {
        const childName = `${name}-${secret.shortName}`;
        const source = `secrets[${i}].name`;
        const names = [childResourceName(parent, "aws:secretsmanager/secret:Secret", childName, source)];
        if (secret.value !== undefined) {
            names.push(childResourceName(parent, "aws:secretsmanager/secretVersion:SecretVersion", childName, source));
        }
        if (secret.rotation) {
            names.push(
                childResourceName(parent, "aws:secretsmanager/secretRotation:SecretRotation", childName, source),
            );
            if (secret.rotation.rotationRoleName !== undefined) {
                names.push(childResourceName(parent, "aws:iam/rolePolicy:RolePolicy", `${childName}-rotation`, source));
            }
        }
        return names;
    });
}

/**
 * An app's Secrets Manager secrets, named `<project>-<env>/<app>/<name>` and encrypted with the env key.
 * No value is ever written in code: secrets are created empty or from Pulumi secret config.
 */
export class AppSecrets extends pulumi.ComponentResource {
    /** Full names of the secrets, in declaration order. */
    public readonly secretNames: pulumi.Output<string[]>;
    /** ARN of each secret, by its short name. */
    public readonly secretArns: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveAppSecretsArgs(name, args);
        super("k8s-baseline:index:AppSecrets", name, {}, opts);
        const arns: Record<string, pulumi.Output<string>> = {};
        for (const s of resolved.secrets) {
            const secret = new aws.secretsmanager.Secret(
                `${name}-${s.shortName}`,
                {
                    name: s.fullName,
                    description: s.description,
                    kmsKeyId: args.kmsKeyArn,
                    recoveryWindowInDays: resolved.recoveryWindowInDays,
                    tags: { project: resolved.project, env: resolved.env, app: resolved.app, ...args.tags },
                },
                { parent: this },
            );
            if (s.value !== undefined) {
                new aws.secretsmanager.SecretVersion(
                    `${name}-${s.shortName}`,
                    // Marked secret whatever the caller passed, so the value is encrypted in the state.
                    { secretId: secret.id, secretString: pulumi.secret(s.value) },
                    { parent: this },
                );
            }
            if (s.rotation) {
                new aws.secretsmanager.SecretRotation(
                    `${name}-${s.shortName}`,
                    {
                        secretId: secret.id,
                        rotationLambdaArn: s.rotation.lambdaArn,
                        rotationRules: {
                            automaticallyAfterDays: s.rotation.automaticallyAfterDays,
                            scheduleExpression: s.rotation.scheduleExpression,
                        },
                    },
                    { parent: this },
                );
                if (s.rotation.rotationRoleName !== undefined) {
                    new aws.iam.RolePolicy(
                        `${name}-${s.shortName}-rotation`,
                        {
                            role: s.rotation.rotationRoleName,
                            policy: pulumi
                                .all([secret.arn, args.kmsKeyArn])
                                .apply(([arn, key]) => JSON.stringify(rotationFunctionPolicy(arn, key))),
                        },
                        { parent: this },
                    );
                }
            }
            arns[s.shortName] = secret.arn;
        }
        this.secretNames = pulumi.output(resolved.secrets.map((s) => s.fullName));
        this.secretArns = pulumi.all(arns);
        this.registerOutputs({ secretNames: this.secretNames, secretArns: this.secretArns });
    }
}
