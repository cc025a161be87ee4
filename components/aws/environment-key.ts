import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, Environment, envPrefix, kmsAliasName, partitionOf, profileFor } from "../baseline";
import { environmentKeyPolicy } from "./iam";

/** Arguments of an EnvironmentKey. */
export interface EnvironmentKeyArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /** Environment: dev, stage or prod. Sets the deletion window. */
    env: Environment;
    /** AWS account id (12 digits) that owns the key. */
    accountId: string;
    /** AWS region of the key and of the Secrets Manager that uses it. */
    region: string;
    /** IAM principals (role ARNs) that administer the key. Default: the account root, delegating to IAM. */
    administratorArns?: string[];
    /**
     * The key also encrypts the env's Parameter Store SecureStrings (the `aws-parameter-store` backend): it may
     * then be used through SSM as well as Secrets Manager. Default: false.
     */
    parameterStore?: boolean;
    /** Tags for the key. */
    tags?: Record<string, string>;
}

const COMPONENT = "EnvironmentKey";

/** The validated, defaulted input of an EnvironmentKey. */
export interface ResolvedEnvironmentKey {
    readonly project: string;
    readonly env: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    readonly administratorArns: string[];
    readonly parameterStore: boolean;
}

/** Checks and defaults an EnvironmentKey's arguments; throws an ArgumentError listing every problem. */
export function resolveEnvironmentKeyArgs(name: string, args: EnvironmentKeyArgs): ResolvedEnvironmentKey {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    check.environment(args.env);
    const accountOk = check.accountId(args.accountId);
    const regionOk = check.region(args.region);
    const partition = regionOk ? partitionOf(args.region) : "aws";
    const administratorArns = args.administratorArns ?? [`arn:${partition}:iam::${args.accountId}:root`];
    check.check(
        administratorArns.length > 0,
        "administratorArns",
        "is empty, which would leave the key unmanageable",
        "omit it to let the account administer the key, or name at least one role",
    );
    administratorArns.forEach((arn, i) => {
        const match = /^arn:aws[a-z-]*:iam::(\d{12}):(root|role\/[\w+=,.@/-]+)$/.exec(arn);
        if (
            check.check(
                match !== null,
                `administratorArns[${i}]`,
                `${JSON.stringify(arn)} is not an account root or role ARN`,
                "give arn:aws:iam::<account>:role/<name> (no wildcards)",
            ) &&
            accountOk
        ) {
            check.check(
                match![1] === args.accountId,
                `administratorArns[${i}]`,
                `${arn} is in another account`,
                "administer the key from its own account",
            );
        }
    });
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        accountId: args.accountId,
        region: args.region,
        partition,
        administratorArns,
        parameterStore: args.parameterStore === true,
    };
}

/** The env's KMS key: encrypts its Secrets Manager secrets, rotates yearly, usable only through Secrets Manager. */
export class EnvironmentKey extends pulumi.ComponentResource {
    /** ARN of the key. */
    public readonly keyArn: pulumi.Output<string>;
    /** Id of the key. */
    public readonly keyId: pulumi.Output<string>;
    /** The key's alias, `alias/<project>-<env>`. */
    public readonly aliasName: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveEnvironmentKeyArgs(name, args);
        super("k8s-baseline:index:EnvironmentKey", name, {}, opts);
        const profile = profileFor(resolved.env);
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Secrets of ${envPrefix(resolved.project, resolved.env)}`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: profile.kmsDeletionWindowDays,
                policy: JSON.stringify(environmentKeyPolicy(resolved)),
                tags: { project: resolved.project, env: resolved.env, ...args.tags },
            },
            { parent: this },
        );
        const alias = new aws.kms.Alias(
            `${name}-alias`,
            { name: kmsAliasName(resolved.project, resolved.env), targetKeyId: key.keyId },
            { parent: this },
        );
        this.keyArn = key.arn;
        this.keyId = key.keyId;
        this.aliasName = alias.name;
        this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
    }
}
