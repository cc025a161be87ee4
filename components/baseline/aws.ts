/**
 * AWS facts the pack judges IAM by: how an app's role is named, which names its secrets and parameters
 * live under, and the session tags EKS Pod Identity puts on a role session. Pure data and helpers.
 */
import { AccessRole, Environment, ENVIRONMENTS } from "./environments";
import { envPrefix } from "./naming";

/**
 * `/<project>-<env>/<app>/`: the SSM Parameter Store path an app owns, the same hierarchy as its Secrets
 * Manager prefix. Parameters of the `aws-parameter-store` backend (AppParameters) live under it; it is the only
 * place one may be read from, so a parameter pattern is judged against it.
 */
export function ssmParameterPrefix(project: string, env: Environment, app: string): string {
    return `/${envPrefix(project, env)}/${app}/`;
}

/**
 * The ARNs an app may read parameters at: `parameter/<project>-<env>/<app>/*` (every parameter below its
 * path; the `/` keeps app `pay` from app `payments`), and `parameter/<project>-<env>/<app>`, the path
 * itself, which is what ssm:GetParametersByPath is authorized against. A parameter ARN drops the name's
 * leading `/`.
 */
export function ssmParameterArnPatterns(
    partition: string,
    region: string,
    accountId: string,
    project: string,
    env: Environment,
    app: string,
): { readonly parameters: string; readonly path: string } {
    const base = `arn:${partition}:ssm:${region}:${accountId}:parameter/${envPrefix(project, env)}/${app}`;
    return { parameters: `${base}/*`, path: base };
}

/** An app's identity as its AWS role names it: each part undefined when the name does not tell. */
export interface AppIdentity {
    readonly project?: string;
    readonly env?: Environment;
    readonly app?: string;
}

const ROLE_NAME = new RegExp(`^([a-z0-9][a-z0-9-]*?)-(${ENVIRONMENTS.join("|")})-([a-z0-9][a-z0-9-]*)$`);

/**
 * The project, env and app of a role named `<project>-<env>-<app>` (appResourceName); the first env word
 * after a non-empty project splits it. Undefined for any other name.
 */
export function parseAppResourceName(name: string): AppIdentity | undefined {
    const match = ROLE_NAME.exec(name);
    return match ? { project: match[1], env: match[2] as Environment, app: match[3] } : undefined;
}

/**
 * Session tags EKS Pod Identity sets when it assumes a role, as a trust policy tests them
 * (`aws:RequestTag/<tag>`): the cluster (by ARN or name), the namespace and the ServiceAccount.
 */
export const POD_IDENTITY_SESSION_TAGS = {
    clusterArn: "eks-cluster-arn",
    clusterName: "eks-cluster-name",
    namespace: "kubernetes-namespace",
    serviceAccount: "kubernetes-service-account",
} as const;

/** The ARN prefix of the access policies EKS defines for access entries (`<prefix><PolicyName>`). */
export const EKS_ACCESS_POLICY_ARN_PREFIX = "arn:aws:eks::aws:cluster-access-policy/";

/**
 * The EKS access policy that grants an access role through an access entry, the same grants as the
 * namespace's built-in ClusterRole: view (which excludes Secrets), edit, admin. Always associated with a
 * namespace scope.
 */
export const EKS_ACCESS_POLICIES: Readonly<Record<AccessRole, string>> = {
    view: `${EKS_ACCESS_POLICY_ARN_PREFIX}AmazonEKSViewPolicy`,
    edit: `${EKS_ACCESS_POLICY_ARN_PREFIX}AmazonEKSEditPolicy`,
    admin: `${EKS_ACCESS_POLICY_ARN_PREFIX}AmazonEKSAdminPolicy`,
};

/**
 * Access entry types (`CreateAccessEntry`'s `type`). `STANDARD`, the default, is the only one for people and
 * CI: it takes the Kubernetes groups and the access policy associations. The others are for nodes, whose
 * role EKS puts in the node groups itself (`system:nodes`) and which take no groups of their own.
 */
export const EKS_ACCESS_ENTRY_TYPES = {
    standard: "STANDARD",
    nodes: ["EC2", "EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX"],
} as const;

/** The EKS access policy that is cluster-admin: never associated for a team. */
export const EKS_CLUSTER_ADMIN_ACCESS_POLICY = `${EKS_ACCESS_POLICY_ARN_PREFIX}AmazonEKSClusterAdminPolicy`;

/** The EKS access policies that grant admin rights or more, whatever the scope they are associated with. */
export const EKS_ADMIN_ACCESS_POLICIES: readonly string[] = [
    EKS_ACCESS_POLICIES.admin,
    EKS_CLUSTER_ADMIN_ACCESS_POLICY,
];

/** The access role an EKS access policy ARN grants, or undefined when it is none of EKS_ACCESS_POLICIES. */
export function accessRoleOfEksPolicy(policyArn: string): AccessRole | undefined {
    const name = policyArn.replace(/^arn:aws[a-z-]*:/, "arn:aws:");
    return (Object.keys(EKS_ACCESS_POLICIES) as AccessRole[]).find((role) => EKS_ACCESS_POLICIES[role] === name);
}

/**
 * An IAM role a person assumes through IAM Identity Center:
 * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<permission set>_<id>`.
 */
export const SSO_ROLE_ARN =
    /^arn:aws[a-z-]*:iam::(\d{12}):role\/aws-reserved\/sso\.amazonaws\.com\/(?:[a-z0-9-]+\/)?AWSReservedSSO_[\w+=,.@-]+$/;

/** Any IAM role ARN without wildcards: `arn:aws:iam::<account>:role/<path/name>`. */
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
