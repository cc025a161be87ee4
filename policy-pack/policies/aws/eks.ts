/**
 * EKS clusters: Secrets encrypted with a customer managed key, and the API server's audit log kept; people's
 * access entries scoped to their env's namespaces, within the env profile.
 */
import {
    accessRoleOfEksPolicy,
    accessRoleWithin,
    appNamespaceProblem,
    EKS_ACCESS_POLICIES,
    EKS_CLUSTER_ADMIN_ACCESS_POLICY,
    isSharedCluster,
    namespaceBelongsTo,
    profileFor,
} from "../../../components/baseline";
import { containsUnknown, describeResource, envOf, isUnknown, topologyOf } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";

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
