/**
 * What AWS managed policies grant, abridged to the statements the aws policies judge (every statement that
 * touches Secrets Manager, KMS, SSM, IAM, STS or S3, and any NotAction), as AWS publishes them in the
 * AWS Managed Policy Reference. A managed policy attached to a role is judged by this document as if it
 * were the role's own. Names are the ARN's last path segment (`arn:aws:iam::aws:policy/<path/><name>`).
 * A policy missing here is reported as unknown, not passed.
 */

/** An abridged managed policy document: the Statement list, as IAM JSON. */
export type ManagedDocument = { readonly Statement: readonly Record<string, unknown>[] };

const allow = (action: string | string[], resource: string | string[] = "*", condition?: object) => ({
    Effect: "Allow",
    Action: action,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
});

export const AWS_MANAGED_POLICIES: Readonly<Record<string, ManagedDocument>> = {
    AdministratorAccess: { Statement: [allow("*")] },
    PowerUserAccess: {
        Statement: [
            { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
            allow([
                "account:GetAccountInformation",
                "account:GetPrimaryEmail",
                "account:ListRegions",
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
            ]),
        ],
    },
    IAMFullAccess: {
        Statement: [allow(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization"])],
    },
    IAMReadOnlyAccess: { Statement: [allow(["iam:GenerateCredentialReport", "iam:Get*", "iam:List*"])] },
    SecretsManagerReadWrite: {
        Statement: [
            allow([
                "secretsmanager:*",
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "kms:DescribeKey",
                "kms:ListAliases",
                "kms:ListKeys",
                "lambda:ListFunctions",
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "tag:GetResources",
            ]),
        ],
    },
    AWSSecretsManagerClientReadOnlyAccess: {
        Statement: [
            allow([
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:BatchGetSecretValue",
            ]),
            allow("kms:Decrypt", "*", { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } }),
        ],
    },
    AWSKeyManagementServicePowerUser: {
        Statement: [
            allow([
                "kms:CreateAlias",
                "kms:CreateKey",
                "kms:DeleteAlias",
                "kms:Describe*",
                "kms:GenerateRandom",
                "kms:Get*",
                "kms:List*",
                "kms:TagResource",
                "kms:UntagResource",
                "iam:ListGroups",
                "iam:ListRoles",
                "iam:ListUsers",
            ]),
        ],
    },
    AmazonSSMFullAccess: {
        Statement: [
            allow([
                "cloudwatch:PutMetricData",
                "ds:CreateComputer",
                "ds:DescribeDirectories",
                "ec2:DescribeInstanceStatus",
                "logs:*",
                "ssm:*",
                "ec2messages:*",
            ]),
            allow(
                "iam:CreateServiceLinkedRole",
                "arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM*",
            ),
            allow("iam:PassRole", "*", { StringEquals: { "iam:PassedToService": ["ssm.amazonaws.com"] } }),
        ],
    },
    AmazonSSMReadOnlyAccess: { Statement: [allow(["ssm:Describe*", "ssm:Get*", "ssm:List*"])] },
    AmazonSSMManagedInstanceCore: {
        Statement: [
            allow([
                "ssm:DescribeAssociation",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:DescribeDocument",
                "ssm:GetManifest",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutInventory",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation",
            ]),
            allow([
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ]),
            allow([
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply",
            ]),
        ],
    },
    AmazonS3FullAccess: { Statement: [allow(["s3:*", "s3-object-lambda:*"])] },
    AmazonS3ReadOnlyAccess: {
        Statement: [allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"])],
    },
    ReadOnlyAccess: {
        Statement: [
            allow([
                "iam:Get*",
                "iam:List*",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "s3:Get*",
                "s3:List*",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:ListSecretVersionIds",
                "secretsmanager:ListSecrets",
                "ssm:Describe*",
                "ssm:Get*",
                "ssm:List*",
                "sts:GetCallerIdentity",
            ]),
        ],
    },
    ViewOnlyAccess: {
        Statement: [
            allow([
                "iam:List*",
                "kms:ListAliases",
                "kms:ListKeys",
                "s3:ListAllMyBuckets",
                "secretsmanager:ListSecrets",
                "ssm:ListDocuments",
            ]),
        ],
    },
    SecurityAudit: {
        Statement: [
            allow([
                "iam:GenerateCredentialReport",
                "iam:Get*",
                "iam:List*",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "s3:GetBucketPolicy",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:ListSecrets",
                "ssm:Describe*",
                "ssm:ListDocuments",
            ]),
        ],
    },
    AmazonEKSClusterPolicy: {
        Statement: [
            allow([
                "autoscaling:DescribeAutoScalingGroups",
                "ec2:DescribeInstances",
                "elasticloadbalancing:*",
                "kms:DescribeKey",
            ]),
        ],
    },
    AmazonEKSWorkerNodePolicy: {
        Statement: [
            allow([
                "ec2:DescribeInstances",
                "ec2:DescribeRouteTables",
                "eks:DescribeCluster",
                "eks-auth:AssumeRoleForPodIdentity",
            ]),
        ],
    },
    AmazonEKS_CNI_Policy: {
        Statement: [
            allow([
                "ec2:AssignPrivateIpAddresses",
                "ec2:AttachNetworkInterface",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeInstances",
            ]),
        ],
    },
    AmazonEC2ContainerRegistryReadOnly: {
        Statement: [
            allow([
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ]),
        ],
    },
    AmazonEBSCSIDriverPolicy: {
        Statement: [allow(["ec2:CreateSnapshot", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DescribeVolumes"])],
    },
    CloudWatchAgentServerPolicy: {
        Statement: [
            allow([
                "cloudwatch:PutMetricData",
                "ec2:DescribeVolumes",
                "ec2:DescribeTags",
                "logs:PutLogEvents",
                "logs:CreateLogStream",
            ]),
            allow("ssm:GetParameter", "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"),
        ],
    },
};

/** The AWS managed policy an ARN names (`arn:aws:iam::aws:policy/...`), by its name; undefined for others. */
export function awsManagedPolicyName(arn: string): string | undefined {
    const match = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return match?.[1];
}
