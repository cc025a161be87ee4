import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, Environment, envPrefix, kmsAliasName } from "../baseline";
import { environmentKeyPolicy } from "./iam";
import { checkEnvKeyPlacement, envKey } from "./kms-key";

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
    const { partition, administratorArns } = checkEnvKeyPlacement(check, args);
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
        const { key, alias } = envKey(
            name,
            {
                project: resolved.project,
                env: resolved.env,
                description: `Secrets of ${envPrefix(resolved.project, resolved.env)}`,
                policy: environmentKeyPolicy(resolved),
                aliasName: kmsAliasName(resolved.project, resolved.env),
                tags: args.tags,
            },
            this,
        );
        this.keyArn = key.arn;
        this.keyId = key.keyId;
        this.aliasName = alias.name;
        this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
    }
}
