/**
 * Identity policies judged by their whole effect: what the statements of a role's, user's or group's
 * policies (inline, standalone, attached, AWS managed) let it do, and which apps' and envs' secrets,
 * parameters and keys their resource patterns can reach.
 */
import { AppIdentity, parseAppResourceName } from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import {
    EnforcementLevel,
    PolicyResource,
    PolicySettings,
    Reporter,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../types";
import {
    coversAction,
    documentAt,
    matchesAnything,
    readDocument,
    splitAction,
    Statement,
    statementName,
    wildcardMatches,
} from "./documents";
import {
    IAM_GROUP_POLICY,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_USER_POLICY,
    statementProblems,
    UNSCOPABLE_ACTIONS,
} from "./iam";
import { AWS_MANAGED_POLICIES, awsManagedPolicyName } from "./managed-policies";
import { keyPatternIsWild, NamedService, otherNameReached, someOwnerMatched } from "./scope";
import { roleIdentity } from "./trust";

export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
export const IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
export const IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";

const IDENTITY_TYPES = [IAM_ROLE, IAM_ROLE_POLICY, IAM_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY] as const;

/** The permission documents of an identity-policy resource, each with its path (unknowns reported). */
function documentsOf(resource: PolicyResource, report: Reporter): { path: string; statements: readonly Statement[] }[] {
    const out: { path: string; statements: readonly Statement[] }[] = [];
    if (resource.type === IAM_ROLE) {
        const inline = resource.props.inlinePolicies;
        if (isUnknown(inline)) {
            report.unknown("inlinePolicies");
            return out;
        }
        (Array.isArray(inline) ? inline : []).forEach((policy, i) => {
            const statements = documentAt(policy?.policy, `inlinePolicies[${i}].policy`, report);
            if (statements) out.push({ path: `inlinePolicies[${i}].policy`, statements });
        });
        return out;
    }
    const statements = documentAt(resource.props.policy, "policy", report);
    if (statements) out.push({ path: "policy", statements });
    return out;
}

/** A role's name from a role name, id or ARN. */
function roleNameOf(value: unknown): string | undefined {
    return typeof value === "string" && value.length > 0 ? value.slice(value.lastIndexOf("/") + 1) : undefined;
}

/** The app whose permissions a resource's documents are: a role's (by name or tags), else only the env. */
function ownerOf(resource: PolicyResource, settings: PolicySettings): AppIdentity {
    const env = envOf(resource, settings) ?? "prod";
    if (resource.type === IAM_ROLE) return roleIdentity(resource, settings);
    if (resource.type === IAM_ROLE_POLICY) {
        const name = roleNameOf(resource.props.role);
        const parsed = name ? parseAppResourceName(name) : undefined;
        return { project: parsed?.project, env, app: parsed?.app };
    }
    return { env };
}

/** IAM actions that let a principal give itself (or anyone) more permissions. */
const ESCALATION_ACTIONS: readonly string[] = [
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
];

/** True when a Resource pattern of `service` can name resources the policy's holder does not own. */
function wideResource(pattern: string, service: string): boolean {
    if (matchesAnything(pattern)) return true;
    const parts = pattern.split(":");
    if (parts.length < 6) return /[*?]/.test(pattern);
    const rest = parts.slice(5).join(":");
    if (service === "s3") return /[*?]/.test(rest.split("/")[0]);
    return /[*?]/.test(parts[4]) || /[*?]/.test(rest);
}

/** The problems of an Allow statement's effect as a whole (see policyEffect). */
export function effectProblems(statement: Statement): string[] {
    if (statement.effect !== "Allow") return [];
    const where = statementName(statement);
    const problems: string[] = [];
    if (statement.notAction) {
        problems.push(`${where} allows every action except ${statement.notAction.join(", ")} (Allow with NotAction)`);
    }
    if (statement.notResource) {
        problems.push(
            `${where} allows its actions on every resource except ${statement.notResource.join(", ")} (Allow with NotResource)`,
        );
    }
    if (problems.length > 0) return problems;
    const everything = (statement.action ?? []).filter((pattern) => {
        const { service, name } = splitAction(pattern);
        return matchesAnything(service) && matchesAnything(name);
    });
    if (everything.length > 0) return [`${where} allows ${everything.join(", ")}: every action of every service`];
    const resources = statement.resource ?? [];
    const escalating = ESCALATION_ACTIONS.filter((action) => coversAction(statement, action));
    const wideIam = resources.filter((r) => wideResource(r, "iam"));
    if (escalating.length > 0 && wideIam.length > 0) {
        problems.push(
            `${where} allows ${escalating.join(", ")} on ${wideIam.map((r) => JSON.stringify(r)).join(", ")}: it can give itself or others any permission`,
        );
    }
    if (coversAction(statement, "s3:GetObject")) {
        const wideS3 = resources.filter((r) => wideResource(r, "s3"));
        if (wideS3.length > 0) {
            problems.push(
                `${where} allows s3:GetObject on ${wideS3.map((r) => JSON.stringify(r)).join(", ")}: every bucket's objects`,
            );
        }
    }
    return problems;
}

const NAMED_SERVICES: readonly ("secretsmanager" | "ssm" | "kms")[] = ["secretsmanager", "ssm", "kms"];

/** The action patterns (or "every action but NotAction") by which a statement grants a resource-scoped action of `service`. */
function scopedGrants(statement: Statement, service: "secretsmanager" | "ssm" | "kms"): string[] {
    if (statement.notAction) {
        const excluded = statement.notAction.some((pattern) => {
            const { service: s, name } = splitAction(pattern);
            return wildcardMatches(s, service) && matchesAnything(name);
        });
        return excluded ? [] : ["every action but its NotAction"];
    }
    return (statement.action ?? []).filter((pattern) => {
        const { service: s, name } = splitAction(pattern);
        if (!wildcardMatches(s, service)) return false;
        return /[*?]/.test(name) || !UNSCOPABLE_ACTIONS[service].has(name.toLowerCase());
    });
}

/** True when one of `grants` (action patterns, or the NotAction stand-in) covers `action`. */
function coversAnyPattern(grants: readonly string[], action: string): boolean {
    return grants.some((pattern) => pattern === "every action but its NotAction" || wildcardMatches(pattern, action));
}

/** `payments in shop-prod`, or what is known of an owner, for messages. */
function describeOwner(owner: AppIdentity): string {
    if (owner.app && owner.project) return `app ${owner.app} of ${owner.project}-${owner.env}`;
    return owner.app
        ? `app ${owner.app} in ${owner.env}`
        : `a policy of ${owner.env ?? "an unknown env"} with no one app`;
}

/** The problems of an Allow statement's resource patterns for `owner` (see secretScope). */
export function scopeProblems(statement: Statement, owner: AppIdentity): string[] {
    if (statement.effect !== "Allow") return [];
    const where = statementName(statement);
    const problems: string[] = [];
    for (const service of NAMED_SERVICES) {
        const grants = scopedGrants(statement, service);
        if (grants.length === 0) continue;
        const what = grants.join(", ");
        if (statement.notResource) {
            problems.push(`${where} allows ${what} on every resource not in its NotResource, other apps' included`);
            continue;
        }
        for (const pattern of statement.resource ?? []) {
            if (matchesAnything(pattern)) {
                problems.push(
                    `${where} allows ${what} on ${JSON.stringify(pattern)}: every app's and env's ${service} resources`,
                );
                continue;
            }
            const parts = pattern.split(":");
            if (parts[0] !== "arn" || parts.length < 3 || !wildcardMatches(parts[2], service)) continue;
            if (service === "kms") {
                if (keyPatternIsWild(pattern)) {
                    problems.push(
                        `${where} allows ${what} on ${JSON.stringify(pattern)}, which matches other envs' keys: name the env key's ARN`,
                    );
                }
                continue;
            }
            // GetParametersByPath is authorized on the path and reads everything below it, recursively.
            const below =
                service === "ssm" && coversAnyPattern(grants, "ssm:GetParametersByPath") ? `${pattern}/*` : pattern;
            const other = otherNameReached(below, service as NamedService, owner);
            if (other !== undefined) {
                problems.push(
                    `${where} allows ${what} on ${JSON.stringify(pattern)}, which also matches ${other} (not ${describeOwner(owner)})`,
                );
            }
        }
    }
    return problems;
}

/**
 * For a document with no one app (a standalone policy, a user's or group's): the apps its patterns reach
 * together. Each pattern alone may keep to one app's names while two patterns reach two apps.
 */
export function spanProblems(statements: readonly Statement[], owner: AppIdentity): string[] {
    if (owner.app !== undefined) return [];
    const apps = new Set<string>();
    for (const statement of statements) {
        if (statement.effect !== "Allow") continue;
        for (const service of ["secretsmanager", "ssm"] as const) {
            if (scopedGrants(statement, service).length === 0) continue;
            for (const pattern of statement.resource ?? []) {
                const parts = pattern.split(":");
                if (parts[0] !== "arn" || parts.length < 3 || !wildcardMatches(parts[2], service)) continue;
                const app = someOwnerMatched(pattern, service);
                if (app !== undefined) apps.add(`${service} ${app}`);
            }
        }
    }
    return apps.size > 1
        ? [`reaches the names of ${[...apps].join(", ")}: a policy of no one app may reach one app's names at most`]
        : [];
}

/**
 * `aws-iam-policy-effect`: identity policies (Policy, RolePolicy, a role's inlinePolicies, UserPolicy,
 * GroupPolicy) are judged by what their Allow statements let do, whatever the shape:
 * - Allow with NotAction (everything but a list, now and every action AWS adds later) or NotResource;
 * - every action of every service (`*`, `*:*`);
 * - actions that give permissions away (iam:PassRole, iam:Put*Policy, iam:Attach*Policy,
 *   iam:CreatePolicyVersion, iam:UpdateAssumeRolePolicy, iam:CreateAccessKey..., sts:AssumeRole) on a
 *   wildcard resource: the holder can become anyone;
 * - s3:GetObject on every bucket.
 * Actions are matched as IAM matches them: case-insensitively, with `*` and `?` (`IAM:Put*`, `iam:*Role*`).
 * Unknowns: an unknown or non-JSON document is reported as unknown.
 */
export const policyEffect: ResourcePolicy = {
    kind: "resource",
    name: "aws-iam-policy-effect",
    group: "aws",
    description:
        "Identity policies allow no NotAction/NotResource, no *, no permission-granting IAM action on *, no every-bucket read.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "List the actions the workload needs and the ARNs it needs them on; never Allow with NotAction or NotResource, and never iam:PassRole/iam:Put*Policy/sts:AssumeRole on *.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
    types: [...IDENTITY_TYPES],
    validate(resource, _settings, report) {
        for (const { path, statements } of documentsOf(resource, report)) {
            for (const statement of statements) {
                for (const problem of effectProblems(statement))
                    report.violation(`${describeResource(resource)}: ${path} ${problem}`);
            }
        }
    },
};

/**
 * `aws-iam-secret-scope`: an identity policy's Secrets Manager and SSM resource patterns match no secret or
 * parameter of another app or env, and its KMS patterns no other key. Decided by matching the pattern
 * against the baseline's naming (`<project>-<env>/<app>/...`, scope.ts), not by counting wildcards:
 * `shop-prod/pay/*` is app pay's, `shop-prod/pay*`, `shop-prod/*`, `shop-*`, `shop-prod/pa?/*`,
 * `*-prod/pay/x` reach others. The owner is the role's app (its name `<project>-<env>-<app>`, else its tags) in
 * the resource's env; a policy with no one app (a standalone Policy, a user's or group's) may match the
 * names of one app at most. A KMS pattern with a wildcard in the key id matches other envs' keys. Unknowns:
 * an unknown or non-JSON document is reported as unknown.
 */
export const secretScope: ResourcePolicy = {
    kind: "resource",
    name: "aws-iam-secret-scope",
    group: "aws",
    description:
        "Identity policies' secret, parameter and key patterns match only their own app's and env's resources.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Scope secrets to arn:<partition>:secretsmanager:<region>:<account>:secret:<project>-<env>/<app>/* (the `/` before `*` keeps pay from matching payments), parameters to .../parameter/<project>-<env>/<app>/*, and keys to the env key's ARN.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html",
    types: [...IDENTITY_TYPES],
    validate(resource, settings, report) {
        const owner = ownerOf(resource, settings);
        for (const { path, statements } of documentsOf(resource, report)) {
            const problems = [
                ...statements.flatMap((s) => scopeProblems(s, owner)),
                ...spanProblems(statements, owner),
            ];
            for (const problem of problems) report.violation(`${describeResource(resource)}: ${path} ${problem}`);
        }
    },
};

/** A policy attached to an identity: the ARN, and who holds it. */
interface Attachment {
    readonly by: PolicyResource;
    readonly arn: unknown;
    readonly owner: AppIdentity;
    readonly holder: string;
}

/**
 * `aws-iam-attached-policies`: managed policies attached to roles, users and groups (RolePolicyAttachment,
 * PolicyAttachment, UserPolicyAttachment, GroupPolicyAttachment, a Role's `managedPolicyArns`) are judged
 * as the holder's own policy. An AWS managed policy is judged by what it grants (managed-policies.ts):
 * AdministratorAccess, PowerUserAccess, IAMFullAccess, SecretsManagerReadWrite,
 * AWSKeyManagementServicePowerUser, AmazonSSMFullAccess, AmazonS3FullAccess... are refused; one the table
 * does not know is reported as unknown. A customer managed policy is judged by its document when its
 * aws:iam/policy:Policy is in the stack (matched by name; each Policy indexed once), its patterns against
 * the holder's app; otherwise it is reported as unknown.
 */
export const attachedPolicies: StackPolicy = {
    kind: "stack",
    name: "aws-iam-attached-policies",
    group: "aws",
    description: "Managed policies attached to roles, users and groups grant no more than the holder may have.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Attach no broad AWS managed policy to a workload's role; give it an inline policy scoped to its own secrets (WorkloadIdentity does).",
    url: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html",
    validateStack(resources, settings, report) {
        let policies: Map<string, PolicyResource> | undefined;
        let roles: Map<string, PolicyResource> | undefined;
        const attachments: Attachment[] = [];
        const roleOwner = (value: unknown, by: PolicyResource): AppIdentity => {
            const name = roleNameOf(value);
            if (!roles) {
                roles = new Map();
                for (const r of resources)
                    if (r.type === IAM_ROLE && typeof r.props.name === "string") roles.set(r.props.name, r);
            }
            const role = name ? roles.get(name) : undefined;
            if (role) return roleIdentity(role, settings);
            const parsed = name ? parseAppResourceName(name) : undefined;
            return { project: parsed?.project, env: envOf(by, settings) ?? "prod", app: parsed?.app };
        };
        const envOnly = (by: PolicyResource): AppIdentity => ({ env: envOf(by, settings) ?? "prod" });
        for (const r of resources) {
            switch (r.type) {
                case IAM_ROLE: {
                    const arns = r.props.managedPolicyArns;
                    if (isUnknown(arns)) report.unknown(`${describeResource(r)} managedPolicyArns`, { urn: r.urn });
                    else if (Array.isArray(arns)) {
                        for (const arn of arns) {
                            attachments.push({
                                by: r,
                                arn,
                                owner: roleIdentity(r, settings),
                                holder: describeResource(r),
                            });
                        }
                    }
                    break;
                }
                case IAM_ROLE_POLICY_ATTACHMENT:
                    attachments.push({
                        by: r,
                        arn: r.props.policyArn,
                        owner: roleOwner(r.props.role, r),
                        holder: `role ${String(r.props.role)}`,
                    });
                    break;
                case IAM_USER_POLICY_ATTACHMENT:
                case IAM_GROUP_POLICY_ATTACHMENT: {
                    const holder =
                        r.type === IAM_USER_POLICY_ATTACHMENT
                            ? `user ${String(r.props.user)}`
                            : `group ${String(r.props.group)}`;
                    attachments.push({ by: r, arn: r.props.policyArn, owner: envOnly(r), holder });
                    break;
                }
                case IAM_POLICY_ATTACHMENT: {
                    const roleList = Array.isArray(r.props.roles) ? r.props.roles : [];
                    for (const role of roleList)
                        attachments.push({
                            by: r,
                            arn: r.props.policyArn,
                            owner: roleOwner(role, r),
                            holder: `role ${String(role)}`,
                        });
                    const others = [
                        ...(Array.isArray(r.props.users) ? r.props.users : []),
                        ...(Array.isArray(r.props.groups) ? r.props.groups : []),
                    ];
                    if (others.length > 0)
                        attachments.push({
                            by: r,
                            arn: r.props.policyArn,
                            owner: envOnly(r),
                            holder: `users/groups ${others.join(", ")}`,
                        });
                    break;
                }
            }
        }
        for (const { by, arn, owner, holder } of attachments) {
            const where = `${describeResource(by)} attaches`;
            if (isUnknown(arn)) {
                report.unknown(`${describeResource(by)} policyArn`, { urn: by.urn });
                continue;
            }
            if (typeof arn !== "string") continue;
            const managed = awsManagedPolicyName(arn);
            let statements: readonly Statement[] | undefined;
            let aws = false;
            if (managed !== undefined) {
                const document = Object.prototype.hasOwnProperty.call(AWS_MANAGED_POLICIES, managed)
                    ? AWS_MANAGED_POLICIES[managed]
                    : undefined;
                if (!document) {
                    report.unknown(`what the AWS managed policy ${arn} (attached by ${describeResource(by)}) grants`, {
                        urn: by.urn,
                    });
                    continue;
                }
                const read = readDocument(document);
                statements = read.kind === "document" ? read.statements : undefined;
                aws = true;
            } else {
                if (!policies) {
                    policies = new Map();
                    for (const p of resources)
                        if (p.type === IAM_POLICY && typeof p.props.name === "string") policies.set(p.props.name, p);
                }
                const policy = policies.get(arn.slice(arn.lastIndexOf("/") + 1));
                if (!policy) {
                    report.unknown(`the document of ${arn} (attached by ${describeResource(by)}; not in the stack)`, {
                        urn: by.urn,
                    });
                    continue;
                }
                const read = readDocument(policy.props.policy);
                if (read.kind !== "document") {
                    report.unknown(`${describeResource(policy)} policy`, { urn: policy.urn });
                    continue;
                }
                statements = read.statements;
            }
            for (const problem of spanProblems(statements ?? [], owner)) {
                report.violation(`${where} ${arn} to ${holder}: ${problem}`, { urn: by.urn });
            }
            for (const statement of statements ?? []) {
                const problems = [
                    ...(aws
                        ? [
                              ...effectProblems(statement),
                              ...(statement.effect === "Allow" ? statementProblems(statement, false) : []),
                          ]
                        : []),
                    ...scopeProblems(statement, owner),
                ];
                for (const problem of new Set(problems))
                    report.violation(`${where} ${arn} to ${holder}: ${problem}`, { urn: by.urn });
            }
        }
    },
};
