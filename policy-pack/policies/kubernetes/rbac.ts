/**
 * RBAC (rbac.authorization.k8s.io/v1): grant little, never everything, and Secrets by name.
 *
 * Three of the four policies are stack policies, because what an RBAC object grants depends on other objects:
 * a ClusterRole grants nothing until a binding names it, and whether a ClusterRole belongs to a platform
 * operator is only known from its parent (the Helm chart that rendered it), which the engine gives stack
 * policies only. Each stack policy indexes the stack once, then judges each object in one pass.
 *
 * The platform's operators are exempt where they need more than an app: External Secrets and cert-manager
 * write Secrets in every namespace and so read them cluster-wide; Kyverno's controllers watch every kind with
 * `*`. "Platform" is decided structurally, never by name or label:
 * - a Role or RoleBinding is the platform's when its namespace is in `settings.exemptNamespaces`;
 * - a ClusterRole or ClusterRoleBinding is the platform's when its parent is a Helm chart installed into
 *   exempt namespaces: the chart's `namespace` input when the engine shows it, else the namespaces of its
 *   namespaced children (at least one, and every one exempt). (A `kubernetes:helm.sh/v4:Chart` is constructed by the
 *   Kubernetes provider, which registers it without its inputs, so through the engine the children are the
 *   only witness of where it was installed.)
 * Nothing is exempt from `rbac-no-cluster-admin`: no add-on of the platform needs cluster-admin.
 *
 * The built-in `view`, `edit` and `admin` ClusterRoles bound with RoleBindings (what SecureNamespace does
 * for people) are namespaced grants and pass every policy here.
 */
import { AccessRole, PLATFORM_NAMESPACES } from "../../../components/baseline";
import { describeResource, isUnknown, namespaceOf } from "../resource";
import {
    EnforcementLevel,
    PolicyResource,
    PolicySettings,
    Reporter,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../types";
import { isExemptNamespace, labelsOf, objectNameOf, show, stringsOf } from "./common";

const RBAC_V1 = "kubernetes:rbac.authorization.k8s.io/v1";
export const ROLE = `${RBAC_V1}:Role`;
export const CLUSTER_ROLE = `${RBAC_V1}:ClusterRole`;
export const ROLE_BINDING = `${RBAC_V1}:RoleBinding`;
export const CLUSTER_ROLE_BINDING = `${RBAC_V1}:ClusterRoleBinding`;

/** The Helm resources whose children a chart renders (a v3 Release renders nothing the pack sees). */
const HELM_CHART_TYPES: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);

const WILDCARD = "*";
/** The built-in ClusterRole that grants everything. */
export const CLUSTER_ADMIN = "cluster-admin";
/**
 * Built-in ClusterRoles that read Secrets: cluster-admin, and the `edit` and `admin` aggregated roles (which
 * get, list and watch Secrets in the namespace of a RoleBinding, and everywhere through a ClusterRoleBinding).
 * `view` deliberately does not.
 */
const BUILT_IN_SECRET_READERS: ReadonlySet<string> = new Set([CLUSTER_ADMIN, AccessRole.Edit, AccessRole.Admin]);
const READ_VERBS: ReadonlySet<string> = new Set(["get", "list", "watch", WILDCARD]);
/** Verbs that return every Secret of the namespace, values included, whatever `resourceNames` says. */
const COLLECTION_VERBS: ReadonlySet<string> = new Set(["list", "watch", WILDCARD]);
const AGGREGATE_TO = (role: AccessRole) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/**
 * Groups and users whose names start with `system:` but stand for people or workloads at large: binding
 * anything to them is binding it to everyone (or every ServiceAccount).
 */
const BROAD_SYSTEM_SUBJECTS: ReadonlySet<string> = new Set([
    "system:authenticated",
    "system:unauthenticated",
    "system:anonymous",
    "system:serviceaccounts",
]);

const RBAC_GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

/** One PolicyRule, its lists read; `index` is its position in `rules`. */
interface Rule {
    readonly index: number;
    readonly apiGroups: string[];
    readonly resources: string[];
    readonly verbs: string[];
    readonly resourceNames: string[];
}

/** The known rules of a Role or ClusterRole, and the paths of the rules that hold an unknown value. */
function readRules(resource: PolicyResource): { rules: Rule[]; unknown: string[] } {
    const rules = resource.props?.rules;
    if (isUnknown(rules)) return { rules: [], unknown: ["rules"] };
    if (!Array.isArray(rules)) return { rules: [], unknown: [] };
    const known: Rule[] = [];
    const unknown: string[] = [];
    rules.forEach((rule: any, index: number) => {
        const apiGroups = stringsOf(rule?.apiGroups);
        const resources = stringsOf(rule?.resources);
        const verbs = stringsOf(rule?.verbs);
        const resourceNames = stringsOf(rule?.resourceNames);
        if (isUnknown(rule) || !apiGroups || !resources || !verbs || !resourceNames) {
            unknown.push(`rules[${index}]`);
            return;
        }
        known.push({ index, apiGroups, resources, verbs, resourceNames });
    });
    return { rules: known, unknown };
}

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
    if ((kind !== "User" && kind !== "Group") || typeof name !== "string") return false;
    return (
        name.startsWith("system:") &&
        !BROAD_SYSTEM_SUBJECTS.has(name) &&
        !name.startsWith("system:serviceaccounts:") &&
        !name.startsWith("system:serviceaccount:")
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

/** The URNs of the Helm charts installed into exempt namespaces; see the module comment. */
function platformChartUrns(resources: readonly PolicyResource[], settings: PolicySettings): Set<string> {
    const charts = new Map<string, { declared?: string; rendered: Set<string> }>();
    for (const r of resources) {
        if (!HELM_CHART_TYPES.has(r.type) || r.urn === undefined) continue;
        const declared = r.props?.namespace;
        charts.set(r.urn, { declared: typeof declared === "string" ? declared : undefined, rendered: new Set() });
    }
    const owned = new Set<string>();
    if (charts.size === 0) return owned;
    for (const r of resources) {
        const chart = r.parent === undefined ? undefined : charts.get(r.parent);
        const namespace = r.props?.metadata?.namespace;
        if (chart && typeof namespace === "string") chart.rendered.add(namespace);
    }
    for (const [urn, chart] of charts) {
        const platform =
            chart.declared !== undefined
                ? isExemptNamespace(chart.declared, settings)
                : chart.rendered.size > 0 && [...chart.rendered].every((ns) => isExemptNamespace(ns, settings));
        if (platform) owned.add(urn);
    }
    return owned;
}

/** Decides whether an RBAC object belongs to a platform operator; built once per stack. */
function platformOwnership(resources: readonly PolicyResource[], settings: PolicySettings) {
    const charts = platformChartUrns(resources, settings);
    return (resource: PolicyResource): boolean => {
        if (resource.type === ROLE || resource.type === ROLE_BINDING) {
            return isExemptNamespace(namespaceOf(resource), settings);
        }
        return resource.parent !== undefined && charts.has(resource.parent);
    };
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
    const isPlatform = platformOwnership(resources, settings);
    for (const resource of resources) {
        if (resource.type !== ROLE && resource.type !== CLUSTER_ROLE) continue;
        if (isPlatform(resource)) continue;
        const what = describeResource(resource);
        for (const rule of rulesOf(resource, report, `${what}: `)) visit(resource, rule, what);
    }
}

/**
 * No `*` in a rule's `verbs`, `apiGroups` or `resources` (including a `*` before a subresource) in a Role or
 * ClusterRole. A wildcard grants what does not exist yet: every CRD installed later, every verb added later.
 * Platform operators' roles are exempt (Kyverno watches every kind). Unknown rules are reported as unknown
 * and the known rules still judged.
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
        `belongs to a chart installed into one of its namespaces (${Object.values(PLATFORM_NAMESPACES).join(", ")}).`,
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
        const isPlatform = platformOwnership(resources, settings);
        const readers = new Set<string>(BUILT_IN_SECRET_READERS);
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
 * `*`. Roles in the platform's namespaces are exempt. Unknown rules are reported as unknown and the known
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
        if (isExemptNamespace(namespaceOf(resource), settings)) return;
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

export const rbacPolicies = [
    rbacNoWildcards,
    rbacNoClusterAdmin,
    rbacNoClusterSecretRead,
    rbacSecretReadsByName,
    rbacTokenRequestsByName,
] as const;
