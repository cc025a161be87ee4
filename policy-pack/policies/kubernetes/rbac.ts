/**
 * RBAC (rbac.authorization.k8s.io/v1): grant little, never everything, Secrets by name, and nothing that
 * grants more than it names.
 *
 * Most policies here are stack policies, because what an RBAC object grants depends on other objects: a
 * ClusterRole grants nothing until a binding names it, a binding grants what its role's effective rules say
 * (aggregation included), and whether an object belongs to a platform operator is only known from its URN.
 * They share one index of the stack (rbac-rules.ts RbacIndex), built once, with the API server's built-in
 * ClusterRoles (rbac-builtin.ts) behind the ones the input defines.
 *
 * The platform's operators are exempt where they need more than an app: External Secrets and cert-manager
 * write Secrets in every namespace and so read them cluster-wide; Kyverno's controllers watch every kind with
 * `*` and write their own policies. "Platform" is decided structurally, never by a name or label anyone can
 * choose: a resource rendered by one of the platform's own charts, as the engine's URN type chain shows it
 * (policies/platform.ts isPlatformChartResource; never in `check`, whose URNs are the input's). Nothing is
 * exempt from `rbac-no-cluster-admin`: no add-on of the platform needs cluster-admin.
 *
 * Levels: every policy here is mandatory in every env. An escalation path is the same attack in dev as in
 * prod (a dev cluster's credentials reach the same registries and secret backends), so the profiles do not
 * relax them; what differs per env is the most a person may be granted (`maxHumanAccess`), which
 * rbac-human-access reads from the env's profile.
 *
 * The built-in `view`, `edit` and `admin` ClusterRoles bound with RoleBindings (what SecureNamespace does
 * for people) are namespaced grants: rbac-human-access judges them against the env's profile, the others
 * pass them.
 */
import {
    AccessRole,
    accessRoleWithin,
    ACCESS_ROLE_ORDER,
    BROAD_SYSTEM_SUBJECTS as BROAD_SYSTEM_SUBJECT_NAMES,
    CLUSTER_ADMIN_ROLE,
    Environment,
    IDENTITY_SUBJECT_KINDS,
    NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX,
    PROFILES,
    SERVICE_ACCOUNT_USER_PREFIX,
    SYSTEM_IDENTITY_PREFIX,
} from "../../../components/baseline";
import { isPlatformChartResource } from "../platform";
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
import { labelsOf, objectNameOf, show } from "./common";
import { aggregateToLabel, BUILT_IN_CLUSTER_ROLES, isBuiltInClusterRoleName } from "./rbac-builtin";
import {
    BindingEntry,
    CLUSTER_NAMESPACE,
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    dangerousRules,
    describeDangers,
    describeRole,
    RbacIndex,
    rbacIndexOf,
    readRules,
    ROLE,
    ROLE_BINDING,
    RoleEntry,
    Rule,
    ruleGrants,
    Subject,
    WILDCARD,
} from "./rbac-rules";

export { CLUSTER_ROLE, CLUSTER_ROLE_BINDING, ROLE, ROLE_BINDING } from "./rbac-rules";

/** The built-in ClusterRole that grants everything. */
export const CLUSTER_ADMIN = CLUSTER_ADMIN_ROLE;
/**
 * Built-in ClusterRoles that read Secrets: cluster-admin, and the `edit` and `admin` aggregated roles (which
 * get, list and watch Secrets in the namespace of a RoleBinding, and everywhere through a ClusterRoleBinding).
 * `view` deliberately does not.
 */
const ACCESS_SECRET_READERS: readonly string[] = [CLUSTER_ADMIN, AccessRole.Edit, AccessRole.Admin];
let builtInSecretReaders: ReadonlySet<string> | undefined;
/** Those, and every other built-in ClusterRole of the table whose rules read Secrets (system:node, ...). */
function secretReadersBuiltIn(): ReadonlySet<string> {
    if (!builtInSecretReaders) {
        const builtIn = new RbacIndex([]);
        const readers = new Set(ACCESS_SECRET_READERS);
        for (const role of BUILT_IN_CLUSTER_ROLES) {
            if (builtIn.effective(builtIn.role("ClusterRole", role.name)!).rules.some(readsSecrets))
                readers.add(role.name);
        }
        builtInSecretReaders = readers;
    }
    return builtInSecretReaders;
}
const READ_VERBS: ReadonlySet<string> = new Set(["get", "list", "watch", WILDCARD]);
/** Verbs that return every Secret of the namespace, values included, whatever `resourceNames` says. */
const COLLECTION_VERBS: ReadonlySet<string> = new Set(["list", "watch", WILDCARD]);
const AGGREGATE_TO = (role: AccessRole) => aggregateToLabel(role);

/**
 * Groups and users whose names start with `system:` but stand for people or workloads at large: binding
 * anything to them is binding it to everyone (or every ServiceAccount). The baseline's list, which the
 * Kyverno counterpart reads too.
 */
const BROAD_SYSTEM_SUBJECTS: ReadonlySet<string> = new Set(BROAD_SYSTEM_SUBJECT_NAMES);
const isIdentityKind = (kind: unknown): boolean => typeof kind === "string" && IDENTITY_SUBJECT_KINDS.includes(kind);

const RBAC_GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

/**
 * The known rules of a Role or ClusterRole. A rule with an unknown value is reported with `report.unknown`
 * (its path prefixed by `where`) and left out, so the known rules are still judged.
 */
function rulesOf(resource: PolicyResource, report: Reporter, where: string): Rule[] {
    const { rules, unknown } = readRules(resource);
    for (const path of unknown) report.unknown(`${where}${path}`, { urn: resource.urn });
    return rules;
}

/** True when the rule covers core Secrets (apiGroup "" and resource `secrets`, or a wildcard of either). */
function coversSecrets(rule: Rule): boolean {
    return (
        (rule.apiGroups.includes("") || rule.apiGroups.includes(WILDCARD)) &&
        (rule.resources.includes("secrets") || rule.resources.includes(WILDCARD))
    );
}

/** True when the rule covers the TokenRequest subresource of core ServiceAccounts, directly or by a wildcard. */
function coversTokenRequests(rule: Rule): boolean {
    return (
        (rule.apiGroups.includes("") || rule.apiGroups.includes(WILDCARD)) &&
        rule.resources.some((r) => r === "serviceaccounts/token" || r === "serviceaccounts/*" || r === WILDCARD)
    );
}

/** True when the rule lets its holder read Secret values. */
function readsSecrets(rule: Rule): boolean {
    return coversSecrets(rule) && rule.verbs.some((verb) => READ_VERBS.has(verb));
}

/** True when the rule grants every verb on every resource of every group: cluster-admin by another name. */
function grantsEverything(rule: Rule): boolean {
    return rule.verbs.includes(WILDCARD) && rule.resources.includes(WILDCARD) && rule.apiGroups.includes(WILDCARD);
}

/**
 * A subject that is the cluster's own: a user or group named `system:...` (the control plane, the nodes,
 * `system:masters`), except the `system:` groups that stand for everyone or for every ServiceAccount. A
 * ServiceAccount is never the cluster's own here: none of the platform's needs what these policies refuse.
 */
function isClusterIdentity(subject: any): boolean {
    const kind = subject?.kind;
    const name = subject?.name;
    if (!isIdentityKind(kind) || typeof name !== "string") return false;
    return (
        name.startsWith(SYSTEM_IDENTITY_PREFIX) &&
        !BROAD_SYSTEM_SUBJECTS.has(name) &&
        !name.startsWith(NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX) &&
        !name.startsWith(SERVICE_ACCOUNT_USER_PREFIX)
    );
}

function describeSubject(subject: any): string {
    if (subject?.kind === "ServiceAccount") return `ServiceAccount ${subject.namespace ?? "?"}/${subject.name}`;
    return `${subject?.kind ?? "subject"} ${subject?.name}`;
}

/**
 * The subjects of a binding that are not the cluster's own; undefined (reported) when the subjects are not
 * known yet.
 */
function outsideSubjects(binding: PolicyResource, report: Reporter): string[] | undefined {
    const subjects = binding.props?.subjects;
    if (
        isUnknown(subjects) ||
        (Array.isArray(subjects) && subjects.some((s: any) => isUnknown(s) || isUnknown(s?.name) || isUnknown(s?.kind)))
    ) {
        report.unknown(`${describeResource(binding)}: subjects`, { urn: binding.urn });
        return undefined;
    }
    if (!Array.isArray(subjects)) return [];
    return subjects.filter((s: any) => !isClusterIdentity(s)).map(describeSubject);
}

/** `roleRef` of a binding, or undefined (reported) when it is not known yet. */
function roleRefOf(binding: PolicyResource, report: Reporter): { kind?: string; name?: string } | undefined {
    const ref = binding.props?.roleRef;
    if (isUnknown(ref) || isUnknown(ref?.kind) || isUnknown(ref?.name)) {
        report.unknown(`${describeResource(binding)}: roleRef`, { urn: binding.urn });
        return undefined;
    }
    return { kind: ref?.kind, name: ref?.name };
}

/** Decides whether an RBAC object belongs to a platform operator's chart (see the module comment). */
function platformOwnership(settings: PolicySettings) {
    return (resource: PolicyResource): boolean => isPlatformChartResource(resource, settings);
}

/**
 * Calls `visit` with every known rule of every Role and ClusterRole of the stack that is not the platform's;
 * rules with unknown values are reported as unknown.
 */
function forEachAppRule(
    resources: readonly PolicyResource[],
    settings: PolicySettings,
    report: Reporter,
    visit: (resource: PolicyResource, rule: Rule, what: string) => void,
): void {
    for (const role of rbacIndexOf(resources, settings).roles) {
        if (!role.resource || role.platform) continue;
        const resource = role.resource;
        if (role.unknown.length === 0 && role.rules.length === 0) continue;
        const what = describeResource(resource);
        for (const path of role.unknown) report.unknown(`${what}: ${path}`, { urn: resource.urn });
        for (const rule of role.rules) visit(resource, rule, what);
    }
}

/**
 * No `*` in a rule's `verbs`, `apiGroups` or `resources` (including a `*` before a subresource) in a Role or
 * ClusterRole. A wildcard grants what does not exist yet: every CRD installed later, every verb added later.
 * Roles rendered by the platform's charts are exempt (Kyverno watches every kind). Unknown rules are reported
 * as unknown and the known rules still judged.
 */
export const rbacNoWildcards: StackPolicy = {
    kind: "stack",
    name: "rbac-no-wildcards",
    group: "rbac",
    description: "Roles and ClusterRoles name their verbs, API groups and resources: no `*`.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "List the verbs, API groups and resources the subject needs. A role an operator of the platform needs " +
        "belongs in that add-on's chart, installed by its component (ExternalSecretsOperator, Kyverno, CertManager).",
    url: RBAC_GOOD_PRACTICES,
    validateStack(resources, settings, report) {
        forEachAppRule(resources, settings, report, (resource, rule, what) => {
            const wild: string[] = [];
            if (rule.verbs.includes(WILDCARD)) wild.push('verbs "*"');
            if (rule.apiGroups.includes(WILDCARD)) wild.push('apiGroups "*"');
            const resourceWildcards = rule.resources.filter((r) => r.includes(WILDCARD));
            if (resourceWildcards.length > 0) wild.push(`resources ${resourceWildcards.map(show).join(", ")}`);
            if (wild.length > 0) {
                report.violation(`${what}: rules[${rule.index}] grants ${wild.join(", ")}`, { urn: resource.urn });
            }
        });
    },
};

/**
 * No RoleBinding or ClusterRoleBinding gives `cluster-admin`, or a ClusterRole of the stack that grants every
 * verb on every resource of every group, to a subject other than the cluster's own (`system:` users and
 * groups, except system:authenticated, system:unauthenticated, system:anonymous and the system:serviceaccounts
 * groups). A RoleBinding counts: cluster-admin in a namespace is full control of it, RBAC included.
 * Nothing is exempt. An unknown roleRef or subject list is reported as unknown, and so is a binding to a
 * ClusterRole of the stack whose rules are partly unknown (it may grant everything).
 */
export const rbacNoClusterAdmin: StackPolicy = {
    kind: "stack",
    name: "rbac-no-cluster-admin",
    group: "rbac",
    description: "Nobody but the cluster's own identities is bound to cluster-admin or an equivalent ClusterRole.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Bind the built-in view, edit or admin ClusterRole in a namespace with a RoleBinding, or a Role listing " +
        "what the subject needs. Cluster administration goes through the cluster's own access entries.",
    url: RBAC_GOOD_PRACTICES,
    validateStack(resources, _settings, report) {
        const adminEquivalents = new Set<string>([CLUSTER_ADMIN]);
        // ClusterRoles whose rules are partly unknown: a binding to one cannot be judged at preview.
        const undecided = new Set<string>();
        for (const resource of resources) {
            if (resource.type !== CLUSTER_ROLE) continue;
            const name = objectNameOf(resource);
            if (name === undefined) continue;
            const { rules, unknown } = readRules(resource);
            if (rules.some(grantsEverything)) adminEquivalents.add(name);
            else if (unknown.length > 0) undecided.add(name);
        }
        for (const binding of resources) {
            if (binding.type !== ROLE_BINDING && binding.type !== CLUSTER_ROLE_BINDING) continue;
            const ref = roleRefOf(binding, report);
            if (!ref || ref.kind !== "ClusterRole" || ref.name === undefined) continue;
            if (undecided.has(ref.name)) {
                report.unknown(`${describeResource(binding)}: rules of ClusterRole ${ref.name}`, { urn: binding.urn });
                continue;
            }
            if (!adminEquivalents.has(ref.name)) continue;
            const outside = outsideSubjects(binding, report);
            if (outside && outside.length > 0) {
                const grants = ref.name === CLUSTER_ADMIN ? CLUSTER_ADMIN : `${ref.name}, which grants * on *,`;
                report.violation(`${describeResource(binding)} binds ${grants} to ${outside.join(", ")}`, {
                    urn: binding.urn,
                });
            }
        }
    },
};

/**
 * No Secret read granted cluster-wide. A ClusterRole grants nothing by itself, so the policy reports the two
 * objects that make a cluster-wide read:
 * - a ClusterRole whose rules get, list or watch Secrets, unless it is aggregated into `edit` or `admin`
 *   (which already read the Secrets of the namespace they are bound in, and are bound per namespace). One
 *   aggregated into `view` is reported: it would make every viewer a Secret reader. A ClusterRole that is
 *   not aggregated is one ClusterRoleBinding away from reading every Secret of the cluster, and a binding in
 *   another stack cannot be seen here: a namespaced read belongs in a Role, by name.
 * - a ClusterRoleBinding to such a ClusterRole of the stack, or to a built-in role that reads Secrets
 *   (cluster-admin, admin, edit), unless every subject is the cluster's own. A binding to a ClusterRole
 *   defined outside the stack that reads Secrets cannot be seen.
 * Platform operators' ClusterRoles and bindings are exempt (External Secrets and cert-manager write the
 * Secrets of every namespace). Unknown rules, labels, roleRefs and subjects are reported as unknown, and so is
 * a ClusterRoleBinding to a ClusterRole of the stack whose rules are partly unknown.
 */
export const rbacNoClusterSecretRead: StackPolicy = {
    kind: "stack",
    name: "rbac-no-cluster-secret-read",
    group: "rbac",
    description: "No ClusterRole or ClusterRoleBinding grants get, list or watch on Secrets across the cluster.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Grant Secret reads in a Role of the namespace, with `get` on the Secrets named in `resourceNames`, " +
        "bound with a RoleBinding; bind view, edit or admin with RoleBindings, never a ClusterRoleBinding.",
    url: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/#least-privilege-secrets",
    validateStack(resources, settings, report) {
        const isPlatform = platformOwnership(settings);
        const readers = new Set<string>(secretReadersBuiltIn());
        // ClusterRoles whose rules are partly unknown and read no Secret in the known part.
        const undecided = new Set<string>();
        for (const role of resources) {
            if (role.type !== CLUSTER_ROLE) continue;
            const name = objectNameOf(role);
            const what = describeResource(role);
            const { rules, unknown } = readRules(role);
            const reading = rules.filter(readsSecrets);
            if (reading.length === 0) {
                if (unknown.length === 0) continue;
                if (name !== undefined) undecided.add(name);
                // A platform role's unknowns are the platform's business; a binding to it is still judged.
                if (!isPlatform(role))
                    for (const path of unknown) report.unknown(`${what}: ${path}`, { urn: role.urn });
                continue;
            }
            // Indexed even when it is the platform's: binding a platform role elsewhere is still a read.
            if (name !== undefined) readers.add(name);
            if (isPlatform(role)) continue;
            const labels = labelsOf(role);
            if (isUnknown(labels)) {
                report.unknown(`${what}: metadata.labels`, { urn: role.urn });
                continue;
            }
            const where = reading.map((rule) => `rules[${rule.index}]`).join(", ");
            if (labels[AGGREGATE_TO(AccessRole.View)] === "true") {
                report.violation(
                    `${what}: ${where} read Secrets and it is aggregated into view, so every view binding reads them`,
                    { urn: role.urn },
                );
            } else if (
                labels[AGGREGATE_TO(AccessRole.Edit)] !== "true" &&
                labels[AGGREGATE_TO(AccessRole.Admin)] !== "true"
            ) {
                report.violation(
                    `${what}: ${where} read Secrets; one ClusterRoleBinding makes that every Secret of the cluster`,
                    { urn: role.urn },
                );
            }
        }
        for (const binding of resources) {
            if (binding.type !== CLUSTER_ROLE_BINDING || isPlatform(binding)) continue;
            const ref = roleRefOf(binding, report);
            if (!ref || ref.kind !== "ClusterRole" || ref.name === undefined) continue;
            if (undecided.has(ref.name)) {
                report.unknown(`${describeResource(binding)}: rules of ClusterRole ${ref.name}`, { urn: binding.urn });
                continue;
            }
            if (!readers.has(ref.name)) continue;
            const outside = outsideSubjects(binding, report);
            if (outside && outside.length > 0) {
                report.violation(
                    `${describeResource(binding)} lets ${outside.join(", ")} read every Secret of the cluster ` +
                        `through ClusterRole ${ref.name}`,
                    { urn: binding.urn },
                );
            }
        }
    },
};

/**
 * In a Role, Secrets are read by name: `get` only with `resourceNames`, and never `list` or `watch` (either
 * returns every Secret of the namespace, values included, whatever `resourceNames` says about `get`), nor
 * `*`. Roles rendered by the platform's charts are exempt (never by namespace name). Unknown rules are reported as unknown and the known
 * rules still judged.
 */
export const rbacSecretReadsByName: ResourcePolicy = {
    kind: "resource",
    name: "rbac-secret-reads-by-name",
    group: "rbac",
    description: "Roles read Secrets with `get` on named Secrets only; never `list` or `watch`.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Grant `get` on the Secrets the subject needs, listed in `resourceNames`; remove `list`, `watch` and `*` " +
        "on secrets. A pod reads its own Secrets through the kubelet and needs no RBAC for them.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources",
    types: [ROLE],
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings)) return;
        const what = describeResource(resource);
        for (const rule of rulesOf(resource, report, "")) {
            if (!coversSecrets(rule)) continue;
            const collection = rule.verbs.filter((verb) => COLLECTION_VERBS.has(verb));
            if (collection.length > 0) {
                report.violation(
                    `${what}: rules[${rule.index}] grants ${collection.map(show).join(", ")} on secrets, which returns ` +
                        "every Secret of the namespace",
                );
            }
            if (rule.verbs.includes("get") && rule.resourceNames.length === 0) {
                report.violation(`${what}: rules[${rule.index}] grants get on secrets without resourceNames`);
            }
        }
    },
};

/**
 * A Role or ClusterRole lets its subjects request tokens (`create` on `serviceaccounts/token`) only for the
 * ServiceAccounts named in `resourceNames`. Without them, its subjects can mint a token for, and so act as,
 * any ServiceAccount of the namespace (of every namespace, bound by a ClusterRoleBinding). The External
 * Secrets controller gets this for each app's ServiceAccount by name. Platform operators' roles are exempt,
 * as for rbac-no-wildcards. Unknown rules are reported as unknown and the known rules still judged.
 */
export const rbacTokenRequestsByName: StackPolicy = {
    kind: "stack",
    name: "rbac-token-requests-by-name",
    group: "rbac",
    description: "Roles request ServiceAccount tokens (`serviceaccounts/token`) only for ServiceAccounts they name.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "List the ServiceAccounts the subject may request tokens for in the rule's `resourceNames`, in a Role of " +
        "their namespace.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
    validateStack(resources, settings, report) {
        forEachAppRule(resources, settings, report, (resource, rule, what) => {
            if (!coversTokenRequests(rule) || rule.resourceNames.length > 0) return;
            const verbs = rule.verbs.filter((verb) => verb === "create" || verb === WILDCARD);
            if (verbs.length === 0) return;
            report.violation(
                `${what}: rules[${rule.index}] grants ${verbs.join(", ")} on serviceaccounts/token ` +
                    "without resourceNames: its subjects can act as any ServiceAccount" +
                    (resource.type === ROLE ? " of the namespace" : ""),
                { urn: resource.urn },
            );
        });
    },
};

// --- Escalation, subjects, people and aggregation: judged on the stack's index ---

/** A Group or User that stands for everyone, every anonymous caller, or every ServiceAccount (of a namespace). */
function isBroadSubject(subject: Subject): boolean {
    if (!isIdentityKind(subject.kind)) return false;
    return BROAD_SYSTEM_SUBJECTS.has(subject.name) || subject.name.startsWith(NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX);
}

/** A User or Group that a person signs in as: not a `system:` identity of the cluster. */
function isPerson(subject: Subject): boolean {
    return isIdentityKind(subject.kind) && !subject.name.startsWith(SYSTEM_IDENTITY_PREFIX);
}

function subjectNames(subjects: readonly Subject[]): string {
    return subjects.map(describeSubject).join(", ");
}

/** A role's name in a message, and who binds it in the input. */
function boundNote(index: RbacIndex, role: RoleEntry): string {
    const bindings = index.bindingsOf(role);
    if (bindings.length === 0) {
        return "it is bound to nothing in the input, and will be bound by someone: whoever it is gets this";
    }
    return `bound by ${bindings.map((b) => describeResource(b.resource)).join(", ")}`;
}

/**
 * True when a ClusterRole's grants reach every namespace: it is bound by a ClusterRoleBinding, or by nothing
 * the input shows (a ClusterRoleBinding elsewhere is one line away). Only RoleBindings keep it namespaced.
 */
function reachesEveryNamespace(index: RbacIndex, role: RoleEntry): boolean {
    if (role.kind === "Role") return role.namespace === CLUSTER_NAMESPACE;
    const bindings = index.bindingsOf(role);
    return (
        bindings.length === 0 ||
        bindings.some((b) => b.kind === "ClusterRoleBinding" || b.namespace === CLUSTER_NAMESPACE)
    );
}

/** True when a binding grants as far as a cluster-wide grant: a ClusterRoleBinding, or a RoleBinding in kube-system. */
function bindsClusterWide(binding: BindingEntry): boolean {
    return binding.kind === "ClusterRoleBinding" || binding.namespace === CLUSTER_NAMESPACE;
}

/** Reports a role's unknown rules and aggregation as unknown. */
function reportRoleUnknowns(role: RoleEntry, report: Reporter): void {
    if (!role.resource) return;
    const what = (): string => describeResource(role.resource!);
    for (const path of role.unknown) report.unknown(`${what()}: ${path}`, { urn: role.resource.urn });
    if (role.aggregation === "unknown") report.unknown(`${what()}: aggregationRule`, { urn: role.resource.urn });
}

/** True for the API server's namespaced access roles (view, edit, admin) as built in, not redefined by the input. */
function isBuiltInAccessRole(role: RoleEntry | undefined): boolean {
    return (
        role !== undefined &&
        role.resource === undefined &&
        (ACCESS_ROLE_ORDER as readonly string[]).includes(role.name)
    );
}

/**
 * No Role or ClusterRole holds a grant that is worth more than its name, and no binding gives one: `escalate`
 * or `bind` on roles, `impersonate` (users, groups, serviceaccounts, uids, userextras; any API group),
 * create/get on `pods/exec` or `pods/attach`, any verb on `nodes/proxy`, CSR approval and `signers`, writes to
 * admission webhooks and admission policies, to CRDs and APIServices, to PersistentVolumes, Nodes and
 * Namespaces, to the platform's own policy kinds (Kyverno policies and PolicyExceptions, cert-manager Issuers
 * and ClusterIssuers, External Secrets SecretStores and ClusterSecretStores), `create` on Secrets (a
 * service-account-token Secret mints a token), ephemeral containers, and, cluster-wide only, creating pods or
 * workloads and writing ConfigMaps (EKS's aws-auth). A
 * wildcard in a rule implies every one of these, as the API server matches it (rbac-rules.ts DANGERS).
 *
 * A role is judged by its effective rules (an aggregating ClusterRole by everything it aggregates), whether
 * or not the input binds it: a role bound to nothing will be bound by someone. A binding is judged by the
 * effective rules of the role it names: the input's, else the built-in table; a ClusterRoleBinding (or any
 * grant in kube-system, whose ServiceAccounts and aws-auth ConfigMap are the cluster's) adds the cluster-wide
 * dangers. RoleBindings of the built-in view, edit and admin to people are left to rbac-human-access; to a
 * ServiceAccount they are judged like any other. The platform's chart resources are exempt. A role the input
 * does not define, and unknown rules, are reported as unknown.
 */
export const rbacEscalationVerbs: StackPolicy = {
    kind: "stack",
    name: "rbac-escalation-verbs",
    group: "rbac",
    description:
        "No Role, ClusterRole or binding grants escalate, bind, impersonate, pods/exec, nodes/proxy, CSR approval, admission or platform-policy writes, or cluster-wide pod creation.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove the rule, or narrow it to what the subject needs: a Role of its namespace, named verbs and " +
        "resources, no wildcards. Bind existing roles instead of granting `bind` or `escalate`; run commands " +
        "through the CI deployer instead of `pods/exec`; leave admission, certificates and the platform's " +
        "policies to the platform's own charts.",
    url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks",
    validateStack(resources, settings, report) {
        const index = rbacIndexOf(resources, settings);
        for (const role of index.roles) {
            if (!role.resource || role.platform) continue;
            reportRoleUnknowns(role, report);
            const found = dangerousRules(index.effective(role).rules, reachesEveryNamespace(index, role));
            if (found.length === 0) continue;
            const into = index.aggregatedInto(role).map((r) => r.name);
            const aggregated =
                into.length > 0 ? `; it is aggregated into ${into.join(", ")}, so every holder of those gets it` : "";
            report.violation(
                `${describeResource(role.resource)}: ${describeDangers(found)}; ${boundNote(index, role)}${aggregated}`,
                { urn: role.resource.urn },
            );
        }
        for (const binding of index.bindings) {
            if (binding.platform) continue;
            const what = (): string => describeResource(binding.resource);
            if (!binding.ref) {
                report.unknown(`${what()}: roleRef`, { urn: binding.resource.urn });
                continue;
            }
            if (binding.subjects !== undefined && binding.subjects.length === 0) continue;
            const role = index.roleOf(binding);
            if (!role) {
                // A built-in system: role outside the table is refused by rbac-bound-subjects.
                if (binding.ref.kind === "ClusterRole" && isBuiltInClusterRoleName(binding.ref.name)) continue;
                report.unknown(
                    `${what()}: rules of ${binding.ref.kind} ${binding.ref.name}, which the input does not define`,
                    {
                        urn: binding.resource.urn,
                    },
                );
                continue;
            }
            // People's namespaced view, edit and admin are the env profile's business (rbac-human-access); a
            // ServiceAccount bound to edit or admin reads every Secret of the namespace and execs into its
            // pods, which no workload needs.
            if (
                binding.kind === "RoleBinding" &&
                isBuiltInAccessRole(role) &&
                binding.namespace !== CLUSTER_NAMESPACE &&
                binding.subjects !== undefined &&
                binding.subjects.every(isPerson)
            ) {
                continue;
            }
            const effective = index.effective(role);
            const found = dangerousRules(effective.rules, bindsClusterWide(binding));
            if (found.length === 0) {
                if (effective.unknown) {
                    report.unknown(`${what()}: rules of ${describeRole(role)}`, { urn: binding.resource.urn });
                }
                continue;
            }
            const grants = [...new Set(found.flatMap((f) => f.dangers.map((d) => d.grants)))];
            const who = binding.subjects ? ` to ${subjectNames(binding.subjects)}` : "";
            const where = binding.kind === "ClusterRoleBinding" ? " in every namespace" : "";
            report.violation(`${what()} gives ${describeRole(role)}${who}${where}, which grants ${grants.join(", ")}`, {
                urn: binding.resource.urn,
            });
        }
    },
};

/**
 * Who is bound. No RoleBinding or ClusterRoleBinding names a subject that stands for everyone
 * (`system:authenticated`, `system:unauthenticated`, user `system:anonymous`) or for every ServiceAccount
 * (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`), whatever the role; none names the
 * cluster's own identities (`system:masters`, `system:nodes`, any other `system:` user or group), which only
 * the platform's own charts bind; and none binds a built-in `system:` ClusterRole (one the input does not
 * define) to anyone but the cluster's own identities. The platform's chart resources are exempt; unknown
 * subjects and roleRefs are reported as unknown.
 */
export const rbacBoundSubjects: StackPolicy = {
    kind: "stack",
    name: "rbac-bound-subjects",
    group: "rbac",
    description:
        "No binding names everyone, every ServiceAccount or the cluster's own system: identities, or gives a built-in system: ClusterRole to anyone else.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Bind the ServiceAccount or the group of people that needs the role, by name. The cluster's own " +
        "identities are bound by the API server's bootstrap policy; a workload that needs what a system: role " +
        "grants gets a Role of its own listing it.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings",
    validateStack(resources, settings, report) {
        const index = rbacIndexOf(resources, settings);
        for (const binding of index.bindings) {
            if (binding.platform) continue;
            const what = (): string => describeResource(binding.resource);
            if (binding.subjects === undefined) {
                report.unknown(`${what()}: subjects`, { urn: binding.resource.urn });
                continue;
            }
            const role = binding.ref ? `${binding.ref.kind} ${binding.ref.name}` : "its role";
            const broad = binding.subjects.filter(isBroadSubject);
            if (broad.length > 0) {
                report.violation(
                    `${what()} gives ${role} to ${subjectNames(broad)}: that is every caller or every ServiceAccount`,
                    { urn: binding.resource.urn },
                );
            }
            const cluster = binding.subjects.filter(isClusterIdentity);
            if (cluster.length > 0) {
                report.violation(
                    `${what()} gives ${role} to the cluster's own ${subjectNames(cluster)}: only the platform's charts ` +
                        "bind the cluster's identities",
                    { urn: binding.resource.urn },
                );
            }
            if (!binding.ref) {
                report.unknown(`${what()}: roleRef`, { urn: binding.resource.urn });
                continue;
            }
            const ref = binding.ref;
            const builtInSystemRole =
                ref.kind === "ClusterRole" &&
                ref.name.startsWith("system:") &&
                index.role("ClusterRole", ref.name)?.resource === undefined;
            if (!builtInSystemRole) continue;
            const others = binding.subjects.filter((s) => !isClusterIdentity(s) && !isBroadSubject(s));
            if (others.length > 0) {
                report.violation(
                    `${what()} gives the built-in ClusterRole ${ref.name} to ${subjectNames(others)}: the system: roles ` +
                        "are the cluster's own",
                    { urn: binding.resource.urn },
                );
            }
        }
    },
};

/** The built-in rules of each access role, without anything the input aggregates into it: the bar people are held to. */
let accessRoleRules: Map<AccessRole, readonly Rule[]> | undefined;
function builtInAccessRules(role: AccessRole): readonly Rule[] {
    if (!accessRoleRules) {
        const builtIn = new RbacIndex([]);
        accessRoleRules = new Map(
            ACCESS_ROLE_ORDER.map((r) => [r, builtIn.effective(builtIn.role("ClusterRole", r)!).rules] as const),
        );
    }
    return accessRoleRules.get(role) ?? [];
}

const covers = (list: readonly string[], value: string): boolean => list.includes(WILDCARD) || list.includes(value);

/** True when `bar` grants `resource` as a rule entry spells it (`*` is covered only by `*`). */
function coversResource(bar: readonly string[], resource: string): boolean {
    if (covers(bar, resource)) return true;
    const slash = resource.indexOf("/");
    return slash > 0 && !resource.startsWith("*/") && bar.includes(`*${resource.slice(slash)}`);
}

/** The entries of `rule` that no rule of `bar` grants, as `verb group/resource`; empty when `bar` covers it. */
function uncovered(rule: Rule, bar: readonly Rule[]): string[] {
    const missing: string[] = [];
    for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
            for (const verb of rule.verbs) {
                const ok = bar.some(
                    (b) =>
                        covers(b.apiGroups, group) &&
                        coversResource(b.resources, resource) &&
                        covers(b.verbs, verb) &&
                        (b.resourceNames.length === 0 ||
                            (rule.resourceNames.length > 0 &&
                                rule.resourceNames.every((n) => b.resourceNames.includes(n)))),
                );
                if (!ok) missing.push(`${verb} ${group === "" ? "core" : group}/${resource}`);
            }
        }
    }
    return missing;
}

/**
 * People get no more than their env's profile allows (`maxHumanAccess`: admin in dev, edit in stage, view in
 * prod), whoever writes the binding: every RoleBinding and ClusterRoleBinding whose subjects include a User or
 * Group that is not a `system:` identity is judged. A binding of the built-in view, edit or admin is compared
 * by rank; any other role by its effective rules, each of which the built-in rules of the allowed role must
 * grant (so a Role that copies `view` passes, one that adds a verb does not). A role the input does not
 * define cannot be shown to be within the profile and fails. The env is the pack's (else the stack's, else
 * prod); a label never lowers it. The platform's chart resources are exempt; unknowns are reported.
 */
export const rbacHumanAccess: StackPolicy = {
    kind: "stack",
    name: "rbac-human-access",
    group: "rbac",
    description: "Users and groups of people are granted no more than their env's profile allows (view in prod).",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Bind people to the built-in role the env's profile allows (SecureNamespace's `access` does), in their " +
        "namespace with a RoleBinding. Changes beyond it go through the CI deployer.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
    validateStack(resources, settings, report) {
        const index = rbacIndexOf(resources, settings);
        for (const binding of index.bindings) {
            if (binding.platform) continue;
            const what = (): string => describeResource(binding.resource);
            if (binding.subjects === undefined) {
                report.unknown(`${what()}: subjects`, { urn: binding.resource.urn });
                continue;
            }
            const people = binding.subjects.filter(isPerson);
            if (people.length === 0) continue;
            if (!binding.ref) {
                report.unknown(`${what()}: roleRef`, { urn: binding.resource.urn });
                continue;
            }
            const env: Environment = envOf(binding.resource, settings) ?? "prod";
            const max = PROFILES[env].maxHumanAccess;
            const limit = `the most ${env} grants people is ${max}`;
            const role = index.roleOf(binding);
            const whom = subjectNames(people);
            if (!role) {
                report.violation(
                    `${what()} gives ${binding.ref.kind} ${binding.ref.name} to ${whom}, which the input does not define, ` +
                        `so it cannot be shown within ${max}; ${limit}`,
                    { urn: binding.resource.urn },
                );
                continue;
            }
            if (isBuiltInAccessRole(role)) {
                if (!accessRoleWithin(role.name as AccessRole, max)) {
                    report.violation(`${what()} gives ${role.name} to ${whom}; ${limit}`, {
                        urn: binding.resource.urn,
                    });
                }
                continue;
            }
            const effective = index.effective(role);
            const bar = builtInAccessRules(max);
            const excess = effective.rules
                .map((rule) => ({ rule, missing: uncovered(rule, bar) }))
                .filter((e) => e.missing.length > 0);
            if (excess.length > 0) {
                const shown = excess
                    .slice(0, 3)
                    .map(
                        (e) =>
                            `${e.rule.where} (${e.missing.slice(0, 3).join(", ")}${e.missing.length > 3 ? ", ..." : ""})`,
                    );
                report.violation(
                    `${what()} gives ${describeRole(role)} to ${whom}, which grants more than ${max}: ${shown.join("; ")}` +
                        `${excess.length > 3 ? "; ..." : ""}; ${limit}`,
                    { urn: binding.resource.urn },
                );
            } else if (effective.unknown) {
                report.unknown(`${what()}: rules of ${describeRole(role)}`, { urn: binding.resource.urn });
            }
        }
    },
};

/** True when the rule grants something other than reads (view is read-only). */
function writes(rule: Rule): boolean {
    return rule.verbs.some((verb) => !READ_VERBS.has(verb) || verb === WILDCARD);
}

/**
 * Aggregation widens every holder of the target role. A ClusterRole that is aggregated into another (by the
 * `rbac.authorization.k8s.io/aggregate-to-{admin,edit,view}` labels, or by any aggregationRule of the input)
 * adds no grant of the escalation vocabulary, and one aggregated into `view` adds only reads of what view may
 * read (no writes, no Secrets, no exec). A ClusterRole with an aggregationRule is judged by the union of the
 * rules it gathers (input and built in). The platform's chart resources are exempt; unknown labels and
 * selectors are reported.
 */
export const rbacAggregation: StackPolicy = {
    kind: "stack",
    name: "rbac-aggregation",
    group: "rbac",
    description:
        "No ClusterRole widens admin, edit, view or another aggregating role with an escalating grant; nothing aggregated into view writes or reads Secrets.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Drop the aggregate-to-* label and bind the ClusterRole where it is needed, or remove the escalating " +
        "rules from it; an aggregationRule gathers only ClusterRoles without such rules.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles",
    validateStack(resources, settings, report) {
        const index = rbacIndexOf(resources, settings);
        for (const role of index.roles) {
            if (role.kind !== "ClusterRole" || !role.resource || role.platform) continue;
            const what = (): string => describeResource(role.resource!);
            if (role.labels === undefined) {
                report.unknown(`${what()}: metadata.labels`, { urn: role.resource.urn });
            }
            const into = index.aggregatedInto(role);
            if (into.length > 0) {
                const names = into.map((r) => r.name).join(", ");
                const found = dangerousRules(role.rules, false);
                if (found.length > 0) {
                    report.violation(
                        `${what()} is aggregated into ${names}: ${describeDangers(found)}; every holder of ${names} gets it`,
                        { urn: role.resource.urn },
                    );
                }
                if (
                    role.labels?.[AGGREGATE_TO(AccessRole.View)] === "true" ||
                    into.some((r) => r.name === AccessRole.View)
                ) {
                    const widened = role.rules.filter(
                        (rule) =>
                            writes(rule) ||
                            ruleGrants(rule, "", "secrets", "get") ||
                            ruleGrants(rule, "", "secrets", "list"),
                    );
                    if (widened.length > 0) {
                        report.violation(
                            `${what()} is aggregated into view: ${widened.map((r) => r.where).join(", ")} ` +
                                "write or read Secrets, and view is read-only and Secret-free for every viewer",
                            { urn: role.resource.urn },
                        );
                    }
                }
            }
            if (Array.isArray(role.aggregation)) {
                const gathered = index.effective(role);
                const found = dangerousRules(gathered.rules, reachesEveryNamespace(index, role));
                if (found.length > 0) {
                    report.violation(`${what()} aggregates ${describeDangers(found)}; ${boundNote(index, role)}`, {
                        urn: role.resource.urn,
                    });
                } else if (gathered.unknown) {
                    report.unknown(`${what()}: the ClusterRoles its aggregationRule selects`, {
                        urn: role.resource.urn,
                    });
                }
            }
        }
    },
};

export const rbacPolicies = [
    rbacNoWildcards,
    rbacNoClusterAdmin,
    rbacNoClusterSecretRead,
    rbacSecretReadsByName,
    rbacTokenRequestsByName,
    rbacEscalationVerbs,
    rbacBoundSubjects,
    rbacHumanAccess,
    rbacAggregation,
] as const;
