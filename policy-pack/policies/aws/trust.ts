/**
 * Who may assume a role: trust policies admit no one outside the env's account, Pod Identity trust is pinned
 * to the cluster (and to the namespace and ServiceAccount), and an app's role is bound only to that app's
 * ServiceAccount, whether through an IRSA subject or a PodIdentityAssociation.
 */
import { POD_IDENTITY_PRINCIPAL } from "../../../components/aws/iam";
import {
    AppIdentity,
    Environment,
    isEnvironment,
    parseAppResourceName,
    POD_IDENTITY_SESSION_TAGS,
} from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, Reporter, ResourcePolicy, Severity } from "../types";
import { IAM_ROLE } from "./iam";
import {
    conditionValues,
    coversAction,
    documentAt,
    operatorsOf,
    readDocument,
    Statement,
    statementName,
} from "./documents";
import {
    accountOfArn,
    admittedBy,
    callerPin,
    configuredAccount,
    describePrincipal,
    isPositiveOperator,
    pinnedAccounts,
    resourceAccounts,
    singleAccount,
} from "./principals";

export const EKS_POD_IDENTITY_ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

const OIDC_PROVIDER = ":oidc-provider/";
export const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

/** The inline permission documents of a role, read (unknown or malformed ones are skipped here). */
function inlineStatements(resource: PolicyResource): Statement[] {
    const inline = resource.props.inlinePolicies;
    if (!Array.isArray(inline)) return [];
    return inline.flatMap((policy) => {
        const read = readDocument(policy?.policy);
        return read.kind === "document" ? [...read.statements] : [];
    });
}

/**
 * The account a role lives in: the pack's configured account, else the one its own ARNs establish: its
 * trust policy's OIDC providers (IAM accepts only a provider of the role's account), the accounts of the
 * resources its inline policies and permissions boundary name; only when none names one, the accounts the
 * trust's own conditions pin.
 */
export function roleAccount(
    resource: PolicyResource,
    trust: readonly Statement[],
    settings: PolicySettings,
): string | undefined {
    const configured = configuredAccount(settings);
    if (configured) return configured;
    const evidence: (string | undefined)[] = [];
    for (const statement of trust) {
        for (const federated of statement.principal?.Federated ?? []) {
            if (federated.includes(OIDC_PROVIDER)) evidence.push(accountOfArn(federated));
        }
    }
    evidence.push(...resourceAccounts(inlineStatements(resource)));
    const boundary = resource.props.permissionsBoundary;
    if (typeof boundary === "string") evidence.push(accountOfArn(boundary));
    // The accounts the trust's own conditions pin are what is judged: they count only when nothing else names one.
    if (evidence.every((account) => account === undefined)) return singleAccount(pinnedAccounts(trust));
    return singleAccount(evidence);
}

/**
 * `aws-trust-principals`: a role's trust policy admits only principals of the env's account.
 * - `Principal "*"`, `{"AWS": "*"}` or any wildcard principal is refused unless a positive condition pins
 *   the caller (aws:PrincipalAccount, aws:SourceAccount, aws:PrincipalArn, aws:PrincipalOrgID...) to
 *   concrete values, and, where the env's account is known, to that account.
 * - An AWS principal (account id, root, role, user) of another account is refused; so is one whose account
 *   cannot be shown to be the env's (nothing in the config or the role establishes it): the baseline's roles
 *   are assumed by workloads and services, never by an unidentified account.
 * - NotPrincipal with Allow admits everyone but the listed principals, and is refused.
 * The env's account: see principals.ts. Unknowns: an unknown trust policy is reported as unknown.
 */
export const trustPrincipals: ResourcePolicy = {
    kind: "resource",
    name: "aws-trust-principals",
    group: "aws",
    description: "Role trust policies admit no one outside the env's account: no *, no other account, no NotPrincipal.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Trust the cluster's OIDC provider (IRSA) or pods.eks.amazonaws.com (Pod Identity), as WorkloadIdentity does; name roles of the env's account only, and pin a * principal with aws:PrincipalAccount = the env's account.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    types: [IAM_ROLE],
    validate(resource, settings, report) {
        const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
        if (!statements) return;
        const home = roleAccount(resource, statements, settings);
        for (const statement of statements) {
            if (statement.effect !== "Allow") continue;
            for (const problem of admissionProblems(statement, home, "role")) {
                report.violation(`${describeResource(resource)}: ${statementName(statement)} ${problem}`);
            }
        }
    },
};

/**
 * What is wrong with whom an Allow statement admits, given the resource's account (`home`, when known).
 * `strict`: an AWS principal whose account is not established counts as foreign (trust policies); else it
 * is left alone unless the statement names several accounts (resource policies).
 */
export function admissionProblems(statement: Statement, home: string | undefined, kind: "role" | "resource"): string[] {
    if (statement.notPrincipal) return ["allows every principal but those in NotPrincipal"];
    const problems: string[] = [];
    const pin = callerPin(statement);
    const admitted = admittedBy(statement);
    for (const principal of admitted) {
        if (principal.everyone) {
            if (!pin.pinned) {
                problems.push(
                    `admits ${describePrincipal(principal)}, everyone, without a condition pinning the caller`,
                );
            } else if (kind === "resource" && pin.byOrganization) {
                // An organization is many accounts: a secret or key of one env is not theirs to read.
                problems.push(
                    `admits ${describePrincipal(principal)} of every account of an organization, not only the env's`,
                );
            } else if (home && pin.accounts.some((a) => a !== home)) {
                problems.push(
                    `admits ${describePrincipal(principal)} pinned to account ${pin.accounts.filter((a) => a !== home).join(", ")}, not the env's ${home}`,
                );
            }
            continue;
        }
        if (principal.type !== "AWS") continue;
        if (principal.account === undefined) {
            problems.push(`admits ${describePrincipal(principal)}, which is not an account or IAM principal ARN`);
        } else if (home !== undefined && principal.account !== home) {
            problems.push(
                `admits ${describePrincipal(principal)} of account ${principal.account}, not the env's ${home}`,
            );
        } else if (home === undefined && kind === "role") {
            problems.push(
                `admits ${describePrincipal(principal)} of account ${principal.account}, which nothing shows is the env's account (configure accountId, or trust a workload identity)`,
            );
        }
    }
    if (kind === "resource" && home === undefined) {
        const accounts = new Set(admitted.map((p) => p.account).filter((a): a is string => a !== undefined));
        if (accounts.size > 1) {
            problems.push(`admits principals of accounts ${[...accounts].join(", ")}: at most one is the env's`);
        }
    }
    return problems;
}

/** The values a statement tests a key against under a positive operator without wildcards; else undefined. */
function pinnedValues(statement: Statement, key: string): readonly string[] | undefined {
    for (const operator of ["StringEquals", "ArnEquals", "StringLike", "ArnLike"]) {
        const values = conditionValues(statement, operator, key);
        if (values && values.length > 0 && values.every((v) => !/[*?]/.test(v))) return values;
    }
    return undefined;
}

/** Statements that let the EKS Pod Identity service assume the role (cross-env/topology.ts reads them too). */
export function podIdentityStatements(statements: readonly Statement[]): Statement[] {
    return statements.filter(
        (s) =>
            s.effect === "Allow" &&
            (s.principal?.Service ?? []).includes(POD_IDENTITY_PRINCIPAL) &&
            coversAction(s, "sts:AssumeRole"),
    );
}

const TAG = (tag: string) => `aws:RequestTag/${tag}`;
const CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * `aws-pod-identity-trust-cluster`: a trust policy that lets EKS Pod Identity (`pods.eks.amazonaws.com`)
 * assume a role pins the cluster: aws:SourceArn to one cluster ARN (what WorkloadIdentity writes, with
 * aws:SourceAccount), or the `eks-cluster-arn` / `eks-cluster-name` session tag, tested with a positive
 * operator and no wildcard. Without it, a PodIdentityAssociation in any cluster of the account (or, without
 * aws:SourceAccount, of any account the service acts for) can hand the role out. Unknowns: an unknown trust
 * policy is reported as unknown.
 */
export const podIdentityTrustCluster: ResourcePolicy = {
    kind: "resource",
    name: "aws-pod-identity-trust-cluster",
    group: "aws",
    description: "EKS Pod Identity trust policies pin the cluster (aws:SourceArn or the eks-cluster-* session tag).",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Condition the statement with ArnEquals aws:SourceArn = the cluster ARN and StringEquals aws:SourceAccount = the env\'s account (WorkloadIdentity does), or StringEquals "aws:RequestTag/eks-cluster-arn".',
    url: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html",
    types: [IAM_ROLE],
    validate(resource, settings, report) {
        const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
        if (!statements) return;
        const home = roleAccount(resource, statements, settings);
        for (const statement of podIdentityStatements(statements)) {
            const where = `${describeResource(resource)}: ${statementName(statement)}`;
            const sourceArn = pinnedValues(statement, "aws:SourceArn");
            const tagArn = pinnedValues(statement, TAG(POD_IDENTITY_SESSION_TAGS.clusterArn));
            const tagName = pinnedValues(statement, TAG(POD_IDENTITY_SESSION_TAGS.clusterName));
            const arns = [...(sourceArn ?? []), ...(tagArn ?? [])];
            if (arns.length === 0 && !tagName) {
                const loose = [
                    "aws:SourceArn",
                    TAG(POD_IDENTITY_SESSION_TAGS.clusterArn),
                    TAG(POD_IDENTITY_SESSION_TAGS.clusterName),
                ].filter((key) => operatorsOf(statement, key).length > 0);
                report.violation(
                    loose.length > 0
                        ? `${where} lets EKS Pod Identity assume the role for more than one cluster: ${loose.join(", ")} tested with a wildcard or a non-pinning operator`
                        : `${where} lets EKS Pod Identity assume the role for any cluster: no aws:SourceArn or eks-cluster-arn/eks-cluster-name pin`,
                );
                continue;
            }
            for (const arn of arns) {
                if (!CLUSTER_ARN.test(arn))
                    report.violation(`${where} pins ${JSON.stringify(arn)}, not one cluster's ARN`);
                else if (home && accountOfArn(arn) !== home) {
                    report.violation(`${where} pins a cluster of account ${accountOfArn(arn)}, not the env's ${home}`);
                }
            }
        }
    },
};

/**
 * `aws-pod-identity-trust-session-tags`: a Pod Identity trust policy also pins the namespace and the
 * ServiceAccount through the session tags EKS sets (`aws:RequestTag/kubernetes-namespace`,
 * `aws:RequestTag/kubernetes-service-account`, StringEquals, no wildcard), so that a PodIdentityAssociation
 * created later for another ServiceAccount cannot hand the role out (WorkloadIdentity's trust pins both).
 */
export const podIdentityTrustSessionTags: ResourcePolicy = {
    kind: "resource",
    name: "aws-pod-identity-trust-session-tags",
    group: "aws",
    description: "EKS Pod Identity trust policies pin the namespace and ServiceAccount session tags.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Add StringEquals "aws:RequestTag/kubernetes-namespace" = <namespace> and "aws:RequestTag/kubernetes-service-account" = <serviceaccount> to the statement.',
    url: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html",
    types: [IAM_ROLE],
    validate(resource, _settings, report) {
        const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
        if (!statements) return;
        for (const statement of podIdentityStatements(statements)) {
            const missing = [POD_IDENTITY_SESSION_TAGS.namespace, POD_IDENTITY_SESSION_TAGS.serviceAccount].filter(
                (tag) => pinnedValues(statement, TAG(tag)) === undefined,
            );
            if (missing.length > 0) {
                report.violation(
                    `${describeResource(resource)}: ${statementName(statement)} does not pin ${missing.map(TAG).join(", ")}, so any association of the cluster can hand the role out`,
                );
            }
        }
    },
};

/**
 * The app a role belongs to: its name `<project>-<env>-<app>` (what WorkloadIdentity names it), else its
 * `project`/`env`/`app` tags. The env it is judged in is the resource's (envOf), prod when unknown.
 */
export function roleIdentity(resource: PolicyResource, settings: PolicySettings): AppIdentity & { env: Environment } {
    const env = envOf(resource, settings) ?? "prod";
    const name = resource.props.name;
    const parsed = typeof name === "string" ? parseAppResourceName(name) : undefined;
    const tags = resource.props.tags;
    const tag = (key: string): string | undefined =>
        tags && !isUnknown(tags) && typeof tags[key] === "string" ? tags[key] : undefined;
    return { project: parsed?.project ?? tag("project"), env, app: parsed?.app ?? tag("app") };
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** Why a ServiceAccount is not app `app`'s (neither its name nor its namespace is the app), or undefined. */
function otherAppsServiceAccount(app: string, namespace: string, serviceAccount: string): string | undefined {
    if (serviceAccount === app || namespace === app) return undefined;
    return `ServiceAccount ${namespace}/${serviceAccount}, which is not app ${app}'s (neither its name nor its namespace is ${app})`;
}

/**
 * `aws-workload-identity-binding`: an app's role (`<project>-<env>-<app>`) is bound only to that app's
 * ServiceAccount, one whose name or namespace is the app (what WorkloadIdentity binds).
 * - IRSA: every `<issuer>:sub` value of the role's trust policy names such a ServiceAccount.
 * - Pod Identity: a PodIdentityAssociation's ServiceAccount/namespace is the app its roleArn (and its
 *   targetRoleArn, the role EKS chains into) names, the roles are of the association's env, and the target
 *   role is of the same account.
 * A role whose name does not follow the naming is judged by its `app` tag; with neither, nothing is
 * judged. Unknowns: an unknown roleArn, namespace or serviceAccount is reported as unknown.
 */
export const workloadIdentityBinding: ResourcePolicy = {
    kind: "resource",
    name: "aws-workload-identity-binding",
    group: "aws",
    description:
        "An app's IAM role is bound only to that app's ServiceAccount (IRSA subject, Pod Identity association).",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Bind <project>-<env>-<app> to the app's own ServiceAccount (WorkloadIdentity does); give each app its own role.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html",
    types: [IAM_ROLE, EKS_POD_IDENTITY_ASSOCIATION],
    validate(resource, settings, report) {
        if (resource.type === EKS_POD_IDENTITY_ASSOCIATION) return judgeAssociation(resource, settings, report);
        const owner = roleIdentity(resource, settings);
        if (!owner.app) return;
        const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
        if (!statements) return;
        for (const statement of statements) {
            if (statement.effect !== "Allow" || !coversAction(statement, WEB_IDENTITY)) continue;
            for (const [operator, block] of Object.entries(statement.condition)) {
                if (!isPositiveOperator(operator)) continue;
                for (const [key, values] of Object.entries(block)) {
                    if (!key.toLowerCase().endsWith(":sub")) continue;
                    for (const value of values) {
                        const match = SUBJECT.exec(value);
                        if (!match) continue;
                        const problem = otherAppsServiceAccount(owner.app, match[1], match[2]);
                        if (problem) {
                            report.violation(
                                `${describeResource(resource)}: ${statementName(statement)} lets ${problem} assume app ${owner.app}'s role`,
                            );
                        }
                    }
                }
            }
        }
    },
};

function judgeAssociation(resource: PolicyResource, settings: PolicySettings, report: Reporter): void {
    const { roleArn, targetRoleArn, namespace, serviceAccount } = resource.props;
    for (const [path, value] of Object.entries({ roleArn, targetRoleArn, namespace, serviceAccount })) {
        if (isUnknown(value)) return report.unknown(path);
    }
    if (typeof namespace !== "string" || typeof serviceAccount !== "string") return;
    const where = describeResource(resource);
    const env = envOf(resource, settings) ?? "prod";
    // With a targetRoleArn, EKS chains from roleArn into the target role: both are handed to the ServiceAccount.
    for (const arn of [roleArn, targetRoleArn]) {
        if (typeof arn !== "string") continue;
        const roleName = arn.slice(arn.lastIndexOf("/") + 1);
        const named = parseAppResourceName(roleName);
        if (!named?.app) continue;
        if (isEnvironment(named.env) && named.env !== env) {
            report.violation(`${where} gives the ${named.env} role ${roleName} to a ServiceAccount of ${env}`);
        }
        const problem = otherAppsServiceAccount(named.app, namespace, serviceAccount);
        if (problem) report.violation(`${where} gives app ${named.app}'s role ${roleName} to ${problem}`);
    }
    const accounts = [roleArn, targetRoleArn].map((arn) => (typeof arn === "string" ? accountOfArn(arn) : undefined));
    if (accounts[0] && accounts[1] && accounts[0] !== accounts[1]) {
        report.violation(`${where} chains into a role of account ${accounts[1]}, not the association's ${accounts[0]}`);
    }
}
