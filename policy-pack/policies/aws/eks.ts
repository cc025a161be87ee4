/**
 * EKS clusters: Secrets encrypted with a customer managed key, and the API server's audit log kept; access
 * entries that admit IAM roles in the env's own groups; people's access policies scoped to their env's
 * namespaces, within the env profile.
 */
import {
    accessRoleOfEksPolicy,
    accessRoleWithin,
    appNamespaceProblem,
    EKS_ACCESS_ENTRY_TYPES,
    EKS_ACCESS_POLICIES,
    EKS_CLUSTER_ADMIN_ACCESS_POLICY,
    environmentGroupNameFix,
    IAM_ROLE_ARN,
    isEnvironmentGroupName,
    isSharedCluster,
    namespaceBelongsTo,
    profileFor,
    SSO_ROLE_ARN,
    SYSTEM_IDENTITY_PREFIX,
    SYSTEM_MASTERS_GROUP,
} from "../../../components/baseline";
import { containsUnknown, describeResource, envOf, isUnknown, topologyOf } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { accountOfArn, configuredAccount } from "./principals";

export const EKS_CLUSTER = "aws:eks/cluster:Cluster";

const SECRETS = "secrets";
const AUDIT = "audit";

/**
 * `aws-eks-secrets-encryption`: the cluster envelope-encrypts Kubernetes Secrets with a KMS key of its own:
 * `encryptionConfig` lists `resources: ["secrets"]` with a `provider.keyArn`. Without it, Secrets in etcd are
 * protected only by the AWS owned key EKS applies to every cluster, which no key policy of the account
 * governs. Takes `encryptionConfig` as one block (the provider's current shape) or a list of them.
 * Unknowns: an unknown block, resource list or key ARN is reported as unknown (a key created in the same
 * program has no ARN at preview).
 */
export const eksSecretsEncryption: ResourcePolicy = {
    kind: "resource",
    name: "aws-eks-secrets-encryption",
    group: "aws",
    description: "EKS clusters encrypt Kubernetes Secrets with a customer managed KMS key.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Set encryptionConfig: { resources: ["secrets"], provider: { keyArn: <the env key ARN> } } on the cluster.',
    url: "https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html",
    types: [EKS_CLUSTER],
    validate(resource, _settings, report) {
        const config = resource.props.encryptionConfig;
        if (isUnknown(config)) return report.unknown("encryptionConfig");
        const blocks: any[] = config === undefined || config === null ? [] : Array.isArray(config) ? config : [config];
        let unknown = false;
        const covering = blocks.filter((block, i) => {
            const resources = block?.resources;
            if (isUnknown(resources) || (Array.isArray(resources) && containsUnknown(resources))) {
                report.unknown(`encryptionConfig${Array.isArray(config) ? `[${i}]` : ""}.resources`);
                unknown = true;
                return false;
            }
            return Array.isArray(resources) && resources.includes(SECRETS);
        });
        if (covering.length === 0) {
            if (!unknown) {
                report.violation(
                    `${describeResource(resource)} does not encrypt Kubernetes Secrets with a KMS key of its own (no encryptionConfig for "secrets")`,
                );
            }
            return;
        }
        for (const block of covering) {
            const keyArn = block.provider?.keyArn;
            if (isUnknown(keyArn)) report.unknown("encryptionConfig.provider.keyArn");
            else if (typeof keyArn !== "string" || keyArn.length === 0) {
                report.violation(`${describeResource(resource)} encrypts Secrets but names no provider keyArn`);
            }
        }
    },
};

/**
 * `aws-eks-audit-logs`: the control plane ships its audit log to CloudWatch (`enabledClusterLogTypes`
 * includes `audit`): who read which Secret, and who changed RBAC, is otherwise not recorded anywhere the
 * account can read. Unknowns: an unknown list, or an unknown entry when `audit` is not otherwise listed, is
 * reported as unknown.
 */
export const eksAuditLogs: ResourcePolicy = {
    kind: "resource",
    name: "aws-eks-audit-logs",
    group: "aws",
    description: "EKS clusters send the Kubernetes API audit log to CloudWatch.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: 'Add "audit" to enabledClusterLogTypes (with "authenticator" for who logged in).',
    url: "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
    types: [EKS_CLUSTER],
    validate(resource, _settings, report) {
        const types = resource.props.enabledClusterLogTypes;
        if (isUnknown(types)) return report.unknown("enabledClusterLogTypes");
        const list: unknown[] = Array.isArray(types) ? types : [];
        if (list.includes(AUDIT)) return;
        if (list.some(isUnknown)) return report.unknown("enabledClusterLogTypes");
        report.violation(
            `${describeResource(resource)} does not send its audit log: enabledClusterLogTypes lacks "audit"`,
        );
    },
};

export const EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";

const CLUSTER_SCOPE = "cluster";

/** `arn:aws:eks::aws:cluster-access-policy/<Name>`, any partition, as the catalogue spells it. */
function canonicalPolicyArn(arn: string): string {
    return arn.replace(/^arn:aws[a-z-]*:/, "arn:aws:");
}

/** The policy's last path segment, for messages. */
function policyName(arn: string): string {
    return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * `aws-eks-access-no-cluster-admin`: no access entry is associated with AmazonEKSClusterAdminPolicy, and none
 * gets any policy but AmazonEKSViewPolicy with `accessScope.type: cluster`: edit, admin and admin-view over
 * the whole cluster read every namespace's Secrets, those of every env on a shared cluster included.
 * Unknowns: an unknown policy ARN or scope type is reported as unknown.
 */
export const eksAccessNoClusterAdmin: ResourcePolicy = {
    kind: "resource",
    name: "aws-eks-access-no-cluster-admin",
    group: "aws",
    description: "EKS access entries never get cluster-admin, nor more than view over the whole cluster.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Associate the team's role policy (AmazonEKSViewPolicy, AmazonEKSEditPolicy or AmazonEKSAdminPolicy) with accessScope: { type: \"namespace\", namespaces: [<the env's namespaces>] } (ClusterAccess does).",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
    types: [EKS_ACCESS_POLICY_ASSOCIATION],
    validate(resource, _settings, report) {
        const policyArn = resource.props.policyArn;
        if (isUnknown(policyArn)) return report.unknown("policyArn");
        if (typeof policyArn !== "string") return;
        const arn = canonicalPolicyArn(policyArn);
        if (arn === EKS_CLUSTER_ADMIN_ACCESS_POLICY) {
            return report.violation(
                `${describeResource(resource)} associates AmazonEKSClusterAdminPolicy: cluster-admin over every namespace and cluster-scoped object`,
            );
        }
        const scopeType = resource.props.accessScope?.type;
        if (isUnknown(resource.props.accessScope) || isUnknown(scopeType)) return report.unknown("accessScope.type");
        if (scopeType === CLUSTER_SCOPE && arn !== EKS_ACCESS_POLICIES.view) {
            report.violation(
                `${describeResource(resource)} associates ${policyName(arn)} with cluster scope: it reaches every namespace's Secrets`,
            );
        }
    },
};

/**
 * `aws-eks-access-within-profile`: a namespace-scoped access policy association grants no more than the env
 * profile's `maxHumanAccess` (view in prod), with one of the policies the access roles map to, never in a
 * namespace pattern (`*`) or a namespace of the cluster (`kube-*`, `default`) or of a platform add-on, and on a
 * shared cluster only in the env's own namespaces, never the cluster scope that would span every env. Unknowns: an
 * unknown policy ARN, scope or namespace is reported as unknown.
 */
export const eksAccessWithinProfile: ResourcePolicy = {
    kind: "resource",
    name: "aws-eks-access-within-profile",
    group: "aws",
    description: "EKS access policies stay within the env profile's human access and the env's namespaces.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give the team the env profile's role or less (ClusterAccess teams[].role) and list only the env's namespaces.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
    types: [EKS_ACCESS_POLICY_ASSOCIATION],
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? "prod";
        const max = profileFor(env).maxHumanAccess;
        const policyArn = resource.props.policyArn;
        if (isUnknown(policyArn)) report.unknown("policyArn");
        else if (typeof policyArn === "string" && canonicalPolicyArn(policyArn) !== EKS_CLUSTER_ADMIN_ACCESS_POLICY) {
            const role = accessRoleOfEksPolicy(policyArn);
            if (role === undefined) {
                report.violation(
                    `${describeResource(resource)} associates ${policyName(policyArn)}, which is not the EKS policy of an access role (view, edit, admin)`,
                );
            } else if (!accessRoleWithin(role, max)) {
                report.violation(
                    `${describeResource(resource)} grants ${role} (${policyName(policyArn)}), above what the ${env} profile allows people (${max})`,
                );
            }
        }
        const scope = resource.props.accessScope;
        if (isUnknown(scope) || isUnknown(scope?.type)) return report.unknown("accessScope");
        const topology = topologyOf(settings, env);
        if (scope?.type === CLUSTER_SCOPE) {
            if (isSharedCluster(topology)) {
                report.violation(
                    `${describeResource(resource)} has cluster scope on a cluster ${topology.environments.join(", ")} share: it reaches every env's namespaces`,
                );
            }
            return;
        }
        const namespaces = scope?.namespaces;
        if (isUnknown(namespaces)) return report.unknown("accessScope.namespaces");
        if (!Array.isArray(namespaces)) return;
        namespaces.forEach((namespace, i) => {
            if (isUnknown(namespace)) return report.unknown(`accessScope.namespaces[${i}]`);
            if (typeof namespace !== "string") return;
            // Whatever EKS makes of a `*` in a scope, it names no one namespace: judged as the namespaces it
            // could reach, those of other envs and of the platform among them.
            if (namespace.includes("*")) {
                return report.violation(
                    `${describeResource(resource)} reaches ${JSON.stringify(namespace)}, a pattern rather than one of the env's namespaces`,
                );
            }
            const platform = appNamespaceProblem(namespace);
            if (platform !== undefined) {
                return report.violation(
                    `${describeResource(resource)} reaches ${namespace}: ${platform}, where a team's access reaches the platform's own credentials`,
                );
            }
            if (!namespaceBelongsTo(namespace, env, topology)) {
                report.violation(
                    `${describeResource(resource)} reaches ${namespace}, not a namespace of ${env} on this shared cluster`,
                );
            }
        });
    },
};

export const EKS_ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";

const NODE_ENTRY_TYPES: readonly string[] = EKS_ACCESS_ENTRY_TYPES.nodes;

/** What a principal ARN that is no IAM role is, for messages; undefined when it is a role. */
function principalProblem(arn: string): string | undefined {
    if (IAM_ROLE_ARN.test(arn)) return undefined;
    if (arn.includes("*")) return "a wildcard, which names no one principal";
    if (/^arn:aws[a-z-]*:iam::\d{12}:root$/.test(arn) || /^\d{12}$/.test(arn)) {
        return "the account root, which no session of a person or of CI should sign in as";
    }
    if (/^arn:aws[a-z-]*:iam::\d{12}:user\//.test(arn)) {
        return "an IAM user, whose long-lived access keys are tied to no sign-in through IAM Identity Center";
    }
    if (/^arn:aws[a-z-]*:sts::/.test(arn)) return "an STS session, which EKS refuses: an entry names the role";
    return "not an IAM role ARN";
}

/**
 * `aws-eks-access-entry`: an EKS access entry admits one IAM role (never a user, the account root, an STS
 * session or a pattern) and puts it in groups of the env's own people. EKS refuses a Kubernetes group or a
 * username starting with `system:` on a STANDARD entry (`InvalidParameterException: ... it cannot start with
 * system:`), so `system:masters`, which bypasses RBAC altogether, is refused here at preview rather than halfway
 * through an update. A role of another account than the pack config's `accountId` is refused too. Groups come only with a STANDARD entry (the default): a node entry (EC2_LINUX and the
 * others) takes the node groups EKS gives it, and a role of IAM Identity Center, a person's, never joins as a
 * node. On a shared cluster each group is `<team>-<env>` of the stack's env (environmentGroupName), so another
 * env's RoleBindings never admit the role; the env is the pack config's, prod when unset. Unknowns: an unknown
 * principal, type, group list, group or username is reported as unknown.
 */
export const eksAccessEntry: ResourcePolicy = {
    kind: "resource",
    name: "aws-eks-access-entry",
    group: "aws",
    description:
        "EKS access entries admit an IAM role, in no system: group and only in groups of the env's own people.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Give the entry an IAM role ARN (the team\'s AWSReservedSSO_ role), type "STANDARD", and kubernetesGroups: [environmentGroupName(<team>, env, topology)], the group SecureNamespace binds (ClusterAccess does).',
    url: "https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html",
    types: [EKS_ACCESS_ENTRY],
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? "prod";
        const topology = topologyOf(settings, env);
        const what = describeResource(resource);
        const principal = resource.props.principalArn;
        if (isUnknown(principal)) report.unknown("principalArn");
        else if (typeof principal !== "string") report.violation(`${what} names no principalArn`);
        else {
            const problem = principalProblem(principal);
            const account = configuredAccount(settings);
            if (problem !== undefined) report.violation(`${what} admits ${principal}: ${problem}`);
            else if (account !== undefined && accountOfArn(principal) !== account) {
                report.violation(
                    `${what} admits ${principal}, a role of another account than the env's ${account}, whose own administrators decide who assumes it`,
                );
            }
        }

        const type = resource.props.type;
        const groups = resource.props.kubernetesGroups;
        if (isUnknown(type)) report.unknown("type");
        else if (type !== undefined && type !== null && type !== EKS_ACCESS_ENTRY_TYPES.standard) {
            if (typeof type !== "string" || !NODE_ENTRY_TYPES.includes(type)) {
                report.violation(
                    `${what} has type ${JSON.stringify(type)}, which is no access entry type (${[EKS_ACCESS_ENTRY_TYPES.standard, ...NODE_ENTRY_TYPES].join(", ")})`,
                );
            } else {
                if (typeof principal === "string" && SSO_ROLE_ARN.test(principal)) {
                    report.violation(
                        `${what} joins ${principal}, a person's IAM Identity Center role, as a node (${type}): its sessions get the node groups and the node's rights`,
                    );
                }
                if (Array.isArray(groups) && groups.length > 0) {
                    report.violation(
                        `${what} gives Kubernetes groups to a ${type} entry, which takes the node groups EKS gives it; groups belong on a STANDARD entry`,
                    );
                }
                if (typeof resource.props.userName === "string") {
                    report.violation(
                        `${what} gives a user name to a ${type} entry, which signs in as the node EKS names; user names belong on a STANDARD entry`,
                    );
                }
            }
        }

        if (isUnknown(groups)) report.unknown("kubernetesGroups");
        else if (Array.isArray(groups)) {
            groups.forEach((group, i) => {
                if (isUnknown(group)) return report.unknown(`kubernetesGroups[${i}]`);
                if (typeof group !== "string") return;
                if (group.startsWith(SYSTEM_IDENTITY_PREFIX)) {
                    const masters =
                        group === SYSTEM_MASTERS_GROUP ? ", whose members bypass RBAC: cluster-admin everywhere" : "";
                    return report.violation(
                        `${what} puts its role in ${group}, a group of the cluster itself${masters}; EKS refuses system: groups`,
                    );
                }
                if (!isEnvironmentGroupName(group, env, topology)) {
                    report.violation(
                        `${what} puts its role in ${group}, not a group of ${env} on a cluster ${topology.environments.join(", ")} share: another env's RoleBindings of it would admit the role (use ${environmentGroupNameFix(group, env, topology)})`,
                    );
                }
            });
        }

        const username = resource.props.userName;
        if (isUnknown(username)) report.unknown("userName");
        else if (typeof username === "string" && username.startsWith(SYSTEM_IDENTITY_PREFIX)) {
            report.violation(
                `${what} signs its role in as ${username}, a user name of the cluster itself; EKS refuses system: user names`,
            );
        }
    },
};
