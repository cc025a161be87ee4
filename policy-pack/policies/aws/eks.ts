/** EKS clusters: Secrets encrypted with a customer managed key, and the API server's audit log kept. */
import { containsUnknown, describeResource, isUnknown } from "../resource";
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
