/**
 * IAM and KMS policy documents, built as data from typed input. Components only wire them into resources;
 * tests judge them by simulation.
 */
import {
    Environment,
    POD_IDENTITY_SESSION_TAGS,
    secretArnPattern,
    serviceAccountSubject,
    ssmParameterArnPatterns,
    STACK_SECRETS_DEPLOYER_ACTIONS,
    STS_AUDIENCE,
} from "../baseline";

/** An IAM policy statement. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The Secrets Manager endpoint through which the env key may be used. */
export function secretsManagerService(region: string): string {
    return `secretsmanager.${region}.amazonaws.com`;
}

/** The Parameter Store endpoint through which the env key may be used for SecureString parameters. */
export function parameterStoreService(region: string): string {
    return `ssm.${region}.amazonaws.com`;
}

/** Input of an IRSA trust policy. */
export interface IrsaTrust {
    readonly oidcProviderArn: string;
    /** Issuer host and path, without `https://`. */
    readonly oidcIssuer: string;
    readonly namespace: string;
    readonly serviceAccount: string;
}

/**
 * Trust for IAM Roles for Service Accounts: only the one ServiceAccount's projected token, minted for STS,
 * may assume the role. StringEquals on both keys: StringLike with a wildcard, or a missing `aud`, would let
 * other ServiceAccounts or other audiences' tokens in.
 */
export function irsaTrustPolicy(trust: IrsaTrust): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ServiceAccountWebIdentity",
                Effect: "Allow",
                Principal: { Federated: trust.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${trust.oidcIssuer}:sub`]: serviceAccountSubject(trust.namespace, trust.serviceAccount),
                        [`${trust.oidcIssuer}:aud`]: STS_AUDIENCE,
                    },
                },
            },
        ],
    };
}

/** The service principal of EKS Pod Identity. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

/**
 * Trust for EKS Pod Identity: the EKS service assumes the role on behalf of one cluster of this account, and
 * only for the one ServiceAccount: EKS tags the session with the pod's namespace and ServiceAccount, and the
 * trust admits only those tags. An association made later for another ServiceAccount (by anyone who may
 * call eks:CreatePodIdentityAssociation) then cannot hand the role out.
 */
export function podIdentityTrustPolicy(
    accountId: string,
    clusterArn: string,
    namespace: string,
    serviceAccount: string,
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentity",
                Effect: "Allow",
                Principal: { Service: POD_IDENTITY_PRINCIPAL },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": accountId,
                        [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.namespace}`]: namespace,
                        [`aws:RequestTag/${POD_IDENTITY_SESSION_TAGS.serviceAccount}`]: serviceAccount,
                    },
                    ArnEquals: { "aws:SourceArn": clusterArn },
                },
            },
        ],
    };
}

/** Input of an app's permission policy. */
export interface AppSecretsAccess {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly environmentKeyArn: string;
}

/**
 * What an app's role may do: read its own secrets, and decrypt with the env key only when Secrets Manager
 * asks on its behalf. No list, no write, no other prefix.
 */
export function appSecretsPolicy(access: AppSecretsAccess): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadOwnSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                Resource: secretArnPattern(
                    access.partition,
                    access.region,
                    access.accountId,
                    access.project,
                    access.env,
                    access.app,
                ),
            },
            {
                Sid: "DecryptThroughSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: access.environmentKeyArn,
                Condition: { StringEquals: { "kms:ViaService": secretsManagerService(access.region) } },
            },
        ],
    };
}

/**
 * What an app's role may do with the `aws-parameter-store` backend: read its own parameters one by one
 * (ssm:GetParameter on `parameter/<project>-<env>/<app>/*`) or by its path (ssm:GetParametersByPath,
 * authorized against the requested path, so the path itself is named too), and decrypt SecureStrings with
 * the env key only when Parameter Store asks on its behalf. No ssm:GetParameters, no describe, no write,
 * no other path.
 */
export function appParametersPolicy(access: AppSecretsAccess): PolicyDocument {
    const arns = ssmParameterArnPatterns(
        access.partition,
        access.region,
        access.accountId,
        access.project,
        access.env,
        access.app,
    );
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadOwnParameters",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: arns.parameters,
            },
            {
                Sid: "ReadOwnParameterPath",
                Effect: "Allow",
                Action: "ssm:GetParametersByPath",
                Resource: [arns.path, arns.parameters],
            },
            {
                Sid: "DecryptThroughParameterStore",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: access.environmentKeyArn,
                Condition: { StringEquals: { "kms:ViaService": parameterStoreService(access.region) } },
            },
        ],
    };
}

/**
 * Key administration without cryptographic use: the account (and so IAM) can manage the key's lifecycle
 * and policy, so the key can never become unmanageable, but reading data still needs the statement below.
 */
export const KEY_ADMIN_ACTIONS: readonly string[] = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/** What Secrets Manager needs of the key to encrypt and decrypt secret values. */
export const SECRETS_MANAGER_KEY_ACTIONS: readonly string[] = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
];

/** Input of an env key's policy. */
export interface EnvironmentKeyAccess {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
    /** Principals that administer the key. Default: the account root (delegating to IAM). */
    readonly administratorArns: readonly string[];
    /** The key also encrypts Parameter Store SecureStrings, so it may be used through SSM as well. */
    readonly parameterStore?: boolean;
}

/** A policy document of `statements`. */
export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** One Allow statement of an identity policy: `actions` on `resource`, under `condition` when given. */
export function allowStatement(
    sid: string,
    actions: readonly string[],
    resource: string | readonly string[],
    condition?: PolicyStatement["Condition"],
): PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: [...actions],
        Resource: typeof resource === "string" ? resource : [...resource],
        ...(condition === undefined ? {} : { Condition: condition }),
    };
}

/**
 * A key policy: the administrators' statement (KEY_ADMIN_ACTIONS, no cryptographic use), then the statement of
 * who uses the key. `Resource: "*"` is how a key policy says "this key": it cannot name anything else.
 */
function keyPolicy(
    administratorArns: readonly string[],
    use: Omit<PolicyStatement, "Effect" | "Resource">,
): PolicyDocument {
    return policyDocument(
        {
            Sid: "AdministerKey",
            Effect: "Allow",
            Principal: { AWS: [...administratorArns] },
            Action: [...KEY_ADMIN_ACTIONS],
            Resource: "*",
        },
        {
            Sid: use.Sid,
            Effect: "Allow",
            Principal: use.Principal,
            Action: use.Action,
            Resource: "*",
            ...(use.Condition ? { Condition: use.Condition } : {}),
        },
    );
}

/**
 * The env key's resource policy. Cryptographic use is only through Secrets Manager (and Parameter Store, when
 * it holds the env's SecureStrings) in this account and region, so even a principal with kms:Decrypt in its
 * IAM policy cannot decrypt with the key directly.
 */
export function environmentKeyPolicy(access: EnvironmentKeyAccess): PolicyDocument {
    return keyPolicy(access.administratorArns, {
        Sid: "UseThroughSecretsManager",
        Principal: { AWS: `arn:${access.partition}:iam::${access.accountId}:root` },
        Action: [...SECRETS_MANAGER_KEY_ACTIONS],
        Condition: {
            StringEquals: {
                "kms:ViaService": access.parameterStore
                    ? [secretsManagerService(access.region), parameterStoreService(access.region)]
                    : secretsManagerService(access.region),
                "kms:CallerAccount": access.accountId,
            },
        },
    });
}

/** Input of an env's stack secrets key policy. */
export interface StackSecretsKeyAccess {
    readonly partition: string;
    readonly accountId: string;
    /** Principals that administer the key (never use it). */
    readonly administratorArns: readonly string[];
    /** The env's CI deployer role: the one principal that may use the key. */
    readonly deployerRoleArn: string;
}

/**
 * The key policy of an env's stack secrets key: administered by its administrators, used (kms:Decrypt and
 * kms:Encrypt only) by the env's deployer role alone. The account is not delegated use, so no identity policy in
 * the account, such as another env's deployer's, can reach the key.
 */
export function stackSecretsKeyPolicy(access: StackSecretsKeyAccess): PolicyDocument {
    return keyPolicy(access.administratorArns, {
        Sid: "DeployerUsesKey",
        Principal: { AWS: access.deployerRoleArn },
        Action: [...STACK_SECRETS_DEPLOYER_ACTIONS],
    });
}

/** The identity policy of an env's deployer role for its stack secrets key: the same two actions, on that key. */
export function stackSecretsDeployerPolicy(keyArn: string): PolicyDocument {
    return policyDocument(allowStatement("UseStackSecretsKey", STACK_SECRETS_DEPLOYER_ACTIONS, keyArn));
}
