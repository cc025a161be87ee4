/**
 * What the env's KMS keys (EnvironmentKey, StackSecretsKey) share: who may administer them, and the key itself,
 * symmetric, rotated yearly, with the env's deletion window, its own policy and an alias.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, Environment, partitionOf, profileFor } from "../baseline";
import { PolicyDocument } from "./iam";

const ADMINISTRATOR_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(root|role\/[\w+=,.@/-]+)$/;

/**
 * The key's administrators, `administratorArns` or by default the account root (delegating to IAM): each an
 * account root or role ARN of the key's own account, at least one. Problems go to `check`.
 */
export function checkAdministratorArns(
    check: ArgsChecker,
    administratorArns: readonly string[] | undefined,
    accountId: string,
    partition: string,
    accountOk: boolean,
): string[] {
    const arns = [...(administratorArns ?? [`arn:${partition}:iam::${accountId}:root`])];
    check.check(
        arns.length > 0,
        "administratorArns",
        "is empty, which would leave the key unmanageable",
        "omit it to let the account administer the key, or name at least one role",
    );
    arns.forEach((arn, i) => {
        const match = ADMINISTRATOR_ARN.exec(arn);
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
                match![1] === accountId,
                `administratorArns[${i}]`,
                `${arn} is in another account`,
                "administer the key from its own account",
            );
        }
    });
    return arns;
}

/** What every env key's arguments give: where it lives and who administers it. */
export interface EnvKeyPlacement {
    readonly project: string;
    readonly env: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly administratorArns?: string[];
}

/**
 * Checks an env key's project, env, account, region and administrators; problems go to `check`. Gives the
 * partition, whether the account is valid, and the administrators (defaulted).
 */
export function checkEnvKeyPlacement(
    check: ArgsChecker,
    args: EnvKeyPlacement,
): { partition: string; accountOk: boolean; administratorArns: string[] } {
    check.dnsLabel(args.project, "project", 30);
    check.environment(args.env);
    const accountOk = check.accountId(args.accountId);
    const partition = check.region(args.region) ? partitionOf(args.region) : "aws";
    const administratorArns = checkAdministratorArns(
        check,
        args.administratorArns,
        args.accountId,
        partition,
        accountOk,
    );
    return { partition, accountOk, administratorArns };
}

/** One of the env's keys. */
export interface EnvKeyInput {
    readonly project: string;
    readonly env: Environment;
    readonly description: string;
    readonly policy: PolicyDocument;
    readonly aliasName: string;
    /** The caller's tags, after project and env. */
    readonly tags?: Record<string, string>;
    /** Tags no caller's tag overrides. */
    readonly fixedTags?: Record<string, string>;
}

/** The key `<name>-key` and its alias `<name>-alias`, children of `parent`. */
export function envKey(
    name: string,
    input: EnvKeyInput,
    parent: pulumi.Resource,
): { key: aws.kms.Key; alias: aws.kms.Alias } {
    const key = new aws.kms.Key(
        `${name}-key`,
        {
            description: input.description,
            keyUsage: "ENCRYPT_DECRYPT",
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: profileFor(input.env).kmsDeletionWindowDays,
            policy: JSON.stringify(input.policy),
            tags: { project: input.project, env: input.env, ...input.tags, ...input.fixedTags },
        },
        { parent },
    );
    const alias = new aws.kms.Alias(`${name}-alias`, { name: input.aliasName, targetKeyId: key.keyId }, { parent });
    return { key, alias };
}
