/** IAM: who may assume a workload's role, and how widely secrets, keys and parameters may be read. */
import { STS_AUDIENCE } from "../../../components/baseline";
import { describeResource, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity } from "../types";
import {
    conditionValues,
    coversAction,
    documentAt,
    matchesAnything,
    operatorsOf,
    splitAction,
    Statement,
    statementName,
    wildcardMatches,
} from "./documents";
import { KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY } from "./kms";

export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";

const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";
const OIDC_PROVIDER = ":oidc-provider/";
const SAML_PROVIDER = ":saml-provider/";
/** An EKS cluster's issuer, whose tokens AWS STS accepts only with the STS audience. */
const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/;
const PINNING_OPERATOR = "StringEquals";
const WILDCARD = /[*?]/;

/** The issuer a Federated principal stands for, as its condition keys spell it; undefined for SAML. */
function issuerOf(federated: string): string | undefined {
    if (federated.includes(SAML_PROVIDER)) return undefined;
    const at = federated.indexOf(OIDC_PROVIDER);
    return at < 0 ? federated : federated.slice(at + OIDC_PROVIDER.length);
}

/** What is wrong with how a statement pins one claim of `issuer`'s tokens, or undefined when nothing is. */
function claimProblem(statement: Statement, issuer: string, claim: "sub" | "aud"): string | undefined {
    const key = `${issuer}:${claim}`;
    const values = conditionValues(statement, PINNING_OPERATOR, key);
    if (values === undefined) {
        const others = operatorsOf(statement, key);
        return others.length > 0
            ? `tests ${key} with ${others.join(", ")}, not StringEquals, so it does not pin one value`
            : `does not test ${key}, so ${claim === "sub" ? "any ServiceAccount" : "a token minted for any audience"} of the issuer may assume the role`;
    }
    if (values.length === 0) return `tests ${key} against no value`;
    const wild = values.filter((value) => WILDCARD.test(value));
    if (wild.length > 0) return `tests ${key} against ${wild.map((v) => JSON.stringify(v)).join(", ")}, a wildcard`;
    if (claim === "aud" && EKS_ISSUER.test(issuer) && values.some((value) => value !== STS_AUDIENCE)) {
        return `tests ${key} against ${values.join(", ")}, not ${STS_AUDIENCE}`;
    }
    return undefined;
}

/**
 * `aws-irsa-trust-pinned`: a trust policy that lets an OIDC provider's tokens assume a role
 * (`sts:AssumeRoleWithWebIdentity` from a Federated principal) pins both `<issuer>:sub` and `<issuer>:aud`
 * with StringEquals to values without wildcards; for an EKS issuer, `aud` is `sts.amazonaws.com`. StringLike,
 * a wildcard in `sub`, or a missing `aud` let other ServiceAccounts' or other audiences' tokens in. A
 * Federated `*` is refused outright. Unknowns: an unknown trust policy is reported as unknown (the
 * components build it from the cluster's issuer, which may be known only at deployment); so is one that is
 * not JSON.
 */
export const irsaTrustPinned: ResourcePolicy = {
    kind: "resource",
    name: "aws-irsa-trust-pinned",
    group: "aws",
    description: "Web identity trust policies pin the token's subject and audience with StringEquals.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Condition the statement with StringEquals on <issuer>:sub = system:serviceaccount:<namespace>:<serviceaccount> and <issuer>:aud = sts.amazonaws.com (the WorkloadIdentity component does).",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    types: [IAM_ROLE],
    validate(resource, _settings, report) {
        const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
        if (!statements) return;
        for (const statement of statements) {
            if (statement.effect !== "Allow" || !coversAction(statement, WEB_IDENTITY)) continue;
            for (const federated of statement.principal?.Federated ?? []) {
                const where = `${describeResource(resource)}: ${statementName(statement)}`;
                if (WILDCARD.test(federated)) {
                    report.violation(
                        `${where} trusts every identity provider (Federated ${JSON.stringify(federated)})`,
                    );
                    continue;
                }
                const issuer = issuerOf(federated);
                if (issuer === undefined) continue;
                for (const claim of ["sub", "aud"] as const) {
                    const problem = claimProblem(statement, issuer, claim);
                    if (problem) report.violation(`${where} ${problem}`);
                }
            }
        }
    },
};

/** The services whose actions read or protect secrets. */
export const SECRET_SERVICES = ["secretsmanager", "kms", "ssm"] as const;
export type SecretService = (typeof SECRET_SERVICES)[number];

/**
 * Actions of each service that support no resource-level permissions: IAM accepts only `Resource: "*"` for
 * them (AWS Service Authorization Reference). Lower case, as action names compare. Everything else of these
 * services can be scoped, so `*` is refused for it.
 */
export const UNSCOPABLE_ACTIONS: Readonly<Record<SecretService, ReadonlySet<string>>> = {
    secretsmanager: new Set(["batchgetsecretvalue", "getrandompassword", "listsecrets"]),
    kms: new Set(
        [
            "ConnectCustomKeyStore",
            "CreateCustomKeyStore",
            "CreateKey",
            "DeleteCustomKeyStore",
            "DescribeCustomKeyStores",
            "DisconnectCustomKeyStore",
            "GenerateRandom",
            "ListAliases",
            "ListKeys",
            "ListRetirableGrants",
            "UpdateCustomKeyStore",
        ].map((a) => a.toLowerCase()),
    ),
    ssm: new Set(
        [
            "CancelCommand",
            "CreateActivation",
            "CreateMaintenanceWindow",
            "CreateOpsItem",
            "CreateOpsMetadata",
            "CreatePatchBaseline",
            "DeleteActivation",
            "DeleteInventory",
            "DescribeActivations",
            "DescribeAutomationExecutions",
            "DescribeAvailablePatches",
            "DescribeInstanceInformation",
            "DescribeInstancePatchStatesForPatchGroup",
            "DescribeInstanceProperties",
            "DescribeInventoryDeletions",
            "DescribeMaintenanceWindowExecutionTaskInvocations",
            "DescribeMaintenanceWindowExecutionTasks",
            "DescribeMaintenanceWindowSchedule",
            "DescribeMaintenanceWindows",
            "DescribeMaintenanceWindowsForTarget",
            "DescribeOpsItems",
            "DescribeParameters",
            "DescribePatchBaselines",
            "DescribePatchGroupState",
            "DescribePatchGroups",
            "DescribePatchProperties",
            "DescribeSessions",
            "ExecuteAPI",
            "GetCommandInvocation",
            "GetDeployablePatchSnapshotForInstance",
            "GetExecutionPreview",
            "GetInventory",
            "GetInventorySchema",
            "GetMaintenanceWindowExecution",
            "GetMaintenanceWindowExecutionTask",
            "GetMaintenanceWindowExecutionTaskInvocation",
            "GetManifest",
            "GetPatchBaselineForPatchGroup",
            "ListAssociations",
            "ListCloudConnectors",
            "ListCommandInvocations",
            "ListCommands",
            "ListComplianceItems",
            "ListComplianceSummaries",
            "ListDocuments",
            "ListInventoryEntries",
            "ListOpsItemEvents",
            "ListOpsItemRelatedItems",
            "ListOpsMetadata",
            "ListResourceComplianceSummaries",
            "ListResourceDataSync",
            "PutConfigurePackageResult",
            "PutInventory",
            "RegisterManagedInstance",
            "StartExecutionPreview",
        ].map((a) => a.toLowerCase()),
    ),
};

/** True when an action pattern grants every action of `service` (`*`, `kms:*`, `secrets*:*`...). */
function grantsWholeService(pattern: string, service: string): boolean {
    const { service: s, name } = splitAction(pattern);
    return matchesAnything(name) && wildcardMatches(s, service);
}

/**
 * True when a Resource names every resource of `service`: `*`, or an ARN of the service (or of a wildcard
 * service) whose resource part is a wildcard, with or without a resource type (`secret:*`, `key/*`,
 * `parameter/*`).
 */
function everyResourceOf(resource: string, service: string): boolean {
    if (matchesAnything(resource)) return true;
    const parts = resource.split(":");
    if (parts.length < 6) return WILDCARD.test(resource);
    if (!wildcardMatches(parts[2], service)) return false;
    const rest = parts.slice(5).join(":");
    return matchesAnything(rest.replace(/^[A-Za-z-]+[:/]/, ""));
}

/** The scopable actions of `service` an Action list grants: wildcard patterns always count as scopable. */
export function scopableActions(actions: readonly string[], service: SecretService): string[] {
    return actions.filter((pattern) => {
        const { service: s, name } = splitAction(pattern);
        if (!wildcardMatches(s, service) || s === pattern) return false;
        return WILDCARD.test(name) || !UNSCOPABLE_ACTIONS[service].has(name.toLowerCase());
    });
}

/** The problems of one Allow statement; `keyPolicy` waives the resource check (`*` means "this key"). */
export function statementProblems(statement: Statement, keyPolicy: boolean): string[] {
    const where = statementName(statement);
    // What grants a whole service, to the services it grants: `*` is reported once for all three.
    const whole = new Map<string, SecretService[]>();
    const grantWhole = (what: string, service: SecretService) => whole.set(what, [...(whole.get(what) ?? []), service]);
    const problems: string[] = [];
    for (const service of SECRET_SERVICES) {
        if (statement.notAction) {
            if (!statement.notAction.some((pattern) => grantsWholeService(pattern, service))) {
                grantWhole("every action not in its NotAction, so", service);
            }
            continue;
        }
        if (!statement.action) continue;
        const patterns = statement.action.filter((pattern) => grantsWholeService(pattern, service));
        if (patterns.length > 0) {
            grantWhole(`${patterns.join(", ")},`, service);
            continue;
        }
        if (keyPolicy) continue;
        const scoped = scopableActions(statement.action, service);
        if (scoped.length === 0) continue;
        if (statement.notResource) {
            problems.push(`${where} allows ${scoped.join(", ")} on every resource not in its NotResource`);
            continue;
        }
        const wide = (statement.resource ?? []).filter((resource) => everyResourceOf(resource, service));
        if (wide.length > 0) {
            problems.push(
                `${where} allows ${scoped.join(", ")} on ${wide.map((r) => JSON.stringify(r)).join(", ")}, every ${service} resource`,
            );
        }
    }
    const granted = [...whole].map(
        ([what, services]) =>
            `${where} allows ${what} every ${services.join(", ").replace(/, ([^,]+)$/, " and $1")} action`,
    );
    return [...granted, ...problems];
}

/** The documents a resource carries that grant permissions, with where they are. */
function permissionDocuments(resource: PolicyResource, report: Reporter): { path: string; value: unknown }[] {
    switch (resource.type) {
        case IAM_ROLE: {
            const inline = resource.props.inlinePolicies;
            if (isUnknown(inline)) {
                report.unknown("inlinePolicies");
                return [];
            }
            return Array.isArray(inline)
                ? inline.map((policy, i) => ({ path: `inlinePolicies[${i}].policy`, value: policy?.policy }))
                : [];
        }
        default:
            return [{ path: "policy", value: resource.props.policy }];
    }
}

const KEY_POLICY_TYPES: ReadonlySet<string> = new Set([KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY]);

/**
 * `aws-no-wildcard-secrets-access`: identity policies (role, user and group inline policies, managed
 * policies, a role's `inlinePolicies`) and key policies grant Secrets Manager, KMS and SSM actions one by
 * one, on named resources.
 * - `*`, `secretsmanager:*`, `kms:*`, `ssm:*` (any pattern that grants a whole service), and an Allow with a
 *   NotAction that leaves one of these services in, are violations.
 * - In identity policies, an action of these services that supports resource-level permissions may not be
 *   granted on `*` or on every resource of the service (`...:secret:*`, `...:key/*`), nor through
 *   NotResource. Actions AWS lets only `*` scope (ListSecrets, kms:ListAliases, ssm:DescribeParameters...,
 *   see UNSCOPABLE_ACTIONS) are exempt; a wildcard action such as `secretsmanager:Get*` counts as scopable.
 *   Conditions do not excuse `*`: scope the Resource.
 * - In key policies, `Resource: "*"` means "this key" and is not judged. A key created without a policy gets
 *   AWS's default one (`kms:*` to the account) and is not judged either: a separate KeyPolicy resource may
 *   set its policy, and is judged when it does.
 * Unknowns: an unknown document (or `inlinePolicies`) is reported as unknown; so is one that is not JSON.
 */
export const noWildcardSecretsAccess: ResourcePolicy = {
    kind: "resource",
    name: "aws-no-wildcard-secrets-access",
    group: "aws",
    description:
        "Policies grant Secrets Manager, KMS and SSM actions one by one and on named resources, never with * or service-wide.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "List the actions the workload calls (e.g. secretsmanager:GetSecretValue) and the ARNs of its own secrets and key (e.g. arn:aws:secretsmanager:<region>:<account>:secret:<project>-<env>/<app>/*).",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    types: [IAM_ROLE, IAM_ROLE_POLICY, IAM_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, ...KEY_POLICY_TYPES],
    validate(resource, _settings, report) {
        const keyPolicy = KEY_POLICY_TYPES.has(resource.type);
        for (const { path, value } of permissionDocuments(resource, report)) {
            const statements = documentAt(value, path, report);
            if (!statements) continue;
            for (const statement of statements) {
                if (statement.effect !== "Allow") continue;
                for (const problem of statementProblems(statement, keyPolicy)) {
                    report.violation(`${describeResource(resource)}: ${path} ${problem}`);
                }
            }
        }
    },
};
