import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    Environment,
    STACK_SECRETS_KEY_TAG,
    stackSecretsAliasName,
    stackSecretsProvider,
} from "../baseline";
import { stackSecretsDeployerPolicy, stackSecretsKeyPolicy } from "./iam";
import { checkEnvKeyPlacement, envKey } from "./kms-key";

/** Arguments of a StackSecretsKey. */
export interface StackSecretsKeyArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /** Environment: dev, stage or prod. Sets the deletion window and the alias. */
    env: Environment;
    /** AWS account id (12 digits) that owns the key and the deployer role. */
    accountId: string;
    /** AWS region of the key (and of the stack's secrets provider URL). */
    region: string;
    /**
     * The env's CI deployer role (`arn:aws:iam::<account>:role/<name>`, same account): the one principal that may
     * use the key, with kms:Decrypt and kms:Encrypt only. It also gets an inline policy saying so.
     */
    deployerRoleArn: string;
    /** IAM principals (role ARNs) that administer the key. Default: the account root, delegating to IAM. */
    administratorArns?: string[];
    /** Tags for the key. */
    tags?: Record<string, string>;
}

const COMPONENT = "StackSecretsKey";
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]+)$/;

/** The validated, defaulted input of a StackSecretsKey. */
export interface ResolvedStackSecretsKey {
    readonly project: string;
    readonly env: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    readonly deployerRoleArn: string;
    readonly deployerRoleName: string;
    readonly administratorArns: string[];
}

/** Checks and defaults a StackSecretsKey's arguments; throws an ArgumentError listing every problem. */
export function resolveStackSecretsKeyArgs(name: string, args: StackSecretsKeyArgs): ResolvedStackSecretsKey {
    const check = new ArgsChecker(COMPONENT, name);
    const { partition, accountOk, administratorArns } = checkEnvKeyPlacement(check, args);
    const roleMatch = ROLE_ARN.exec(String(args.deployerRoleArn));
    if (
        check.check(
            roleMatch !== null,
            "deployerRoleArn",
            `${JSON.stringify(args.deployerRoleArn)} is not a role ARN`,
            "give the env's CI deployer role as arn:aws:iam::<account>:role/<name> (no wildcards)",
        ) &&
        accountOk
    ) {
        check.check(
            roleMatch![1] === args.accountId,
            "deployerRoleArn",
            `${args.deployerRoleArn} is in another account`,
            "deploy each env from a role of its own account",
        );
    }
    administratorArns.forEach((arn, i) => {
        check.check(
            arn !== args.deployerRoleArn,
            `administratorArns[${i}]`,
            "is the deployer role, which would let it rewrite the key policy",
            "administer the key from another role",
        );
    });
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        accountId: args.accountId,
        region: args.region,
        partition,
        deployerRoleArn: args.deployerRoleArn,
        deployerRoleName: roleMatch![3],
        administratorArns,
    };
}

/**
 * The env's stack-config and GitOps secrets key: the `awskms://` secrets provider of the env's Pulumi stack and
 * the key of its sops files, used by the env's CI deployer alone (kms:Decrypt every run, kms:Encrypt at stack
 * init or a provider change). Another env's deployer has nothing on it.
 */
export class StackSecretsKey extends pulumi.ComponentResource {
    /** ARN of the key: the `stackSecretsKeyArn` stack output `k8s-baseline sops-config` reads. */
    public readonly keyArn: pulumi.Output<string>;
    /** The key's alias, `alias/<project>-<env>-stack-config`. */
    public readonly aliasName: pulumi.Output<string>;
    /** The stack's secrets provider: `awskms://alias/<project>-<env>-stack-config?region=<region>`. */
    public readonly secretsProvider: pulumi.Output<string>;

    constructor(name: string, args: StackSecretsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveStackSecretsKeyArgs(name, args);
        super("k8s-baseline:index:StackSecretsKey", name, {}, opts);
        const { key, alias } = envKey(
            name,
            {
                project: resolved.project,
                env: resolved.env,
                description: `Stack config and GitOps secrets of ${resolved.project}-${resolved.env}`,
                policy: stackSecretsKeyPolicy(resolved),
                aliasName: stackSecretsAliasName(resolved.project, resolved.env),
                tags: args.tags,
                fixedTags: { [STACK_SECRETS_KEY_TAG.key]: STACK_SECRETS_KEY_TAG.value },
            },
            this,
        );
        new aws.iam.RolePolicy(
            `${name}-deployer`,
            {
                role: resolved.deployerRoleName,
                name: `${resolved.project}-${resolved.env}-stack-config-key`,
                policy: key.arn.apply((arn) => JSON.stringify(stackSecretsDeployerPolicy(arn))),
            },
            { parent: this },
        );
        this.keyArn = key.arn;
        this.aliasName = alias.name;
        this.secretsProvider = pulumi.output(stackSecretsProvider(resolved.project, resolved.env, resolved.region));
        this.registerOutputs({ keyArn: this.keyArn, aliasName: this.aliasName, secretsProvider: this.secretsProvider });
    }
}
