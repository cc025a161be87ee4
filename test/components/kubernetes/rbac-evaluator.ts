/**
 * A small evaluator of Kubernetes RBAC authorization over rbac.authorization.k8s.io/v1 objects, for tests.
 *
 * It follows the API server's RBAC authorizer (plugin/pkg/auth/authorizer/rbac and
 * pkg/apis/rbac/v1/evaluation_helpers.go):
 * - RBAC only adds permissions: a request is allowed when any rule of any role bound to the requester matches.
 * - A ClusterRoleBinding grants its ClusterRole's rules in every namespace and cluster-wide.
 * - A RoleBinding grants only in its own namespace, through a Role of that namespace or a ClusterRole.
 * - A rule matches on apiGroups, resources and verbs, with `*` wildcards (a resource entry is a name, `*`,
 *   `resource/subresource`, or `*` followed by `/subresource` for that subresource of any resource); a rule with resourceNames matches only requests for one of those names, so a request without
 *   a name (list, watch, create, deletecollection) never matches it.
 * - A ServiceAccount is the user `system:serviceaccount:<ns>:<name>` in the groups `system:serviceaccounts`,
 *   `system:serviceaccounts:<ns>` and `system:authenticated`. A ServiceAccount subject without a namespace
 *   means the RoleBinding's own namespace (and matches nothing in a ClusterRoleBinding).
 * - Members of `system:masters` are allowed everything, ahead of RBAC.
 * - A ClusterRole with an aggregationRule has the rules of every other ClusterRole its selectors match, as the
 *   aggregation controller maintains them.
 *
 * Roles that a binding references but the given objects do not define:
 * - the API server's own `view`, `edit`, `admin` (aggregated, with their bootstrap rules) and `cluster-admin`
 *   are modelled: `view` grants no Secrets, `edit` and `admin` grant Secrets read and write in the binding's
 *   namespace, `cluster-admin` everything;
 * - any other ClusterRole, and any Role, is treated as granting everything: it can be created at any time,
 *   so an evaluation that does not know it cannot vouch for it.
 */

/** A PolicyRule as the API spells it. */
export interface Rule {
    apiGroups?: string[];
    resources?: string[];
    verbs: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
}

export interface LabelSelectorRequirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: LabelSelectorRequirement[];
}

export interface Metadata {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
}

export interface Subject {
    kind: string;
    name: string;
    namespace?: string;
    apiGroup?: string;
}

export interface RoleRef {
    apiGroup: string;
    kind: string;
    name: string;
}

export interface RoleObject {
    kind: "Role";
    metadata: Metadata;
    rules?: Rule[] | null;
}

export interface ClusterRoleObject {
    kind: "ClusterRole";
    metadata: Metadata;
    rules?: Rule[] | null;
    aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export interface RoleBindingObject {
    kind: "RoleBinding";
    metadata: Metadata;
    roleRef: RoleRef;
    subjects?: Subject[] | null;
}

export interface ClusterRoleBindingObject {
    kind: "ClusterRoleBinding";
    metadata: Metadata;
    roleRef: RoleRef;
    subjects?: Subject[] | null;
}

/** A Role, ClusterRole, RoleBinding or ClusterRoleBinding, as its manifest (the resource's inputs). */
export type RbacObject = RoleObject | ClusterRoleObject | RoleBindingObject | ClusterRoleBindingObject;

/** Who makes a request: a ServiceAccount, or a user with the groups its authenticator reports. */
export type Requester =
    { kind: "ServiceAccount"; name: string; namespace: string } | { kind: "User"; name: string; groups?: string[] };

/** A resource request. No `namespace` means a cluster-wide request; no `name` a request for a collection. */
export interface Request {
    user: Requester;
    verb: string;
    apiGroup: string;
    resource: string;
    subresource?: string;
    namespace?: string;
    name?: string;
}

/** Why a request is allowed: the binding and the rule that match it. */
export interface Grant {
    /** `ClusterRoleBinding/<name>`, `RoleBinding/<ns>/<name>` or `system:masters`. */
    binding: string;
    /** `ClusterRole/<name>` or `Role/<ns>/<name>`, with ` (built-in)` or ` (undefined)` when not given. */
    role: string;
    rule?: Rule;
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const EVERYTHING: Rule[] = [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
];

/**
 * The API server's bootstrap ClusterRoles that matter to a namespace: the aggregated view, edit and admin and
 * the system:aggregate-to-* roles whose rules they collect (Kubernetes 1.30 onwards).
 */
const BUILT_IN_CLUSTER_ROLES: readonly ClusterRoleObject[] = [
    { kind: "ClusterRole", metadata: { name: "cluster-admin" }, rules: EVERYTHING },
    {
        kind: "ClusterRole",
        metadata: { name: "admin" },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO("admin")]: "true" } }] },
    },
    {
        kind: "ClusterRole",
        metadata: { name: "edit", labels: { [AGGREGATE_TO("admin")]: "true" } },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO("edit")]: "true" } }] },
    },
    {
        kind: "ClusterRole",
        metadata: { name: "view", labels: { [AGGREGATE_TO("edit")]: "true" } },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO("view")]: "true" } }] },
    },
    {
        kind: "ClusterRole",
        metadata: { name: "system:aggregate-to-admin", labels: { [AGGREGATE_TO("admin")]: "true" } },
        rules: [
            { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
            { apiGroups: [RBAC_GROUP], resources: ["rolebindings", "roles"], verbs: [...READ, ...WRITE] },
        ],
    },
    {
        kind: "ClusterRole",
        metadata: { name: "system:aggregate-to-edit", labels: { [AGGREGATE_TO("edit")]: "true" } },
        rules: [
            {
                apiGroups: [""],
                resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
                verbs: READ,
            },
            { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
            {
                apiGroups: [""],
                resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"],
                verbs: WRITE,
            },
            { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
            {
                apiGroups: [""],
                resources: [
                    "configmaps",
                    "events",
                    "persistentvolumeclaims",
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "secrets",
                    "serviceaccounts",
                    "services",
                    "services/proxy",
                ],
                verbs: WRITE,
            },
            { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
            {
                apiGroups: ["apps"],
                resources: [
                    "daemonsets",
                    "deployments",
                    "deployments/rollback",
                    "deployments/scale",
                    "replicasets",
                    "replicasets/scale",
                    "statefulsets",
                    "statefulsets/scale",
                ],
                verbs: WRITE,
            },
            { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
            { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: WRITE },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
            { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: WRITE },
            { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: [...READ, ...WRITE] },
        ],
    },
    {
        kind: "ClusterRole",
        metadata: { name: "system:aggregate-to-view", labels: { [AGGREGATE_TO("view")]: "true" } },
        rules: [
            {
                apiGroups: [""],
                resources: [
                    "configmaps",
                    "endpoints",
                    "persistentvolumeclaims",
                    "persistentvolumeclaims/status",
                    "pods",
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "serviceaccounts",
                    "services",
                    "services/status",
                    "bindings",
                    "events",
                    "limitranges",
                    "namespaces/status",
                    "pods/log",
                    "pods/status",
                    "replicationcontrollers/status",
                    "resourcequotas",
                    "resourcequotas/status",
                    "namespaces",
                ],
                verbs: READ,
            },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
            {
                apiGroups: ["apps"],
                resources: [
                    "controllerrevisions",
                    "daemonsets",
                    "daemonsets/status",
                    "deployments",
                    "deployments/scale",
                    "deployments/status",
                    "replicasets",
                    "replicasets/scale",
                    "replicasets/status",
                    "statefulsets",
                    "statefulsets/scale",
                    "statefulsets/status",
                ],
                verbs: READ,
            },
            {
                apiGroups: ["autoscaling"],
                resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
                verbs: READ,
            },
            { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
            {
                apiGroups: ["policy"],
                resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"],
                verbs: READ,
            },
            {
                apiGroups: ["networking.k8s.io"],
                resources: ["ingresses", "ingresses/status", "networkpolicies"],
                verbs: READ,
            },
        ],
    },
];

// --- Rule matching, as evaluation_helpers.go ---

function verbMatches(rule: Rule, verb: string): boolean {
    return (rule.verbs ?? []).some((v) => v === "*" || v === verb);
}

function apiGroupMatches(rule: Rule, group: string): boolean {
    return (rule.apiGroups ?? []).some((g) => g === "*" || g === group);
}

function resourceMatches(rule: Rule, combined: string, subresource: string): boolean {
    return (rule.resources ?? []).some(
        (r) => r === "*" || r === combined || (subresource !== "" && r === `*/${subresource}`),
    );
}

function resourceNameMatches(rule: Rule, name: string): boolean {
    const names = rule.resourceNames ?? [];
    return names.length === 0 || names.includes(name);
}

/** Whether one rule allows a resource request. */
export function ruleAllows(rule: Rule, request: Omit<Request, "user" | "namespace">): boolean {
    const subresource = request.subresource ?? "";
    const combined = subresource === "" ? request.resource : `${request.resource}/${subresource}`;
    return (
        verbMatches(rule, request.verb) &&
        apiGroupMatches(rule, request.apiGroup) &&
        resourceMatches(rule, combined, subresource) &&
        resourceNameMatches(rule, request.name ?? "")
    );
}

function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) return false;
    }
    for (const req of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, req.key);
        const values = req.values ?? [];
        switch (req.operator) {
            case "In":
                if (!has || !values.includes(labels[req.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[req.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                throw new Error(`unknown label selector operator ${JSON.stringify(req.operator)}`);
        }
    }
    return true;
}

interface UserInfo {
    name: string;
    groups: string[];
}

function userInfo(requester: Requester): UserInfo {
    if (requester.kind === "ServiceAccount") {
        return {
            name: `system:serviceaccount:${requester.namespace}:${requester.name}`,
            groups: ["system:serviceaccounts", `system:serviceaccounts:${requester.namespace}`, "system:authenticated"],
        };
    }
    return { name: requester.name, groups: requester.groups ?? [] };
}

/** appliesToUser of the RBAC authorizer: `namespace` is the RoleBinding's, "" for a ClusterRoleBinding. */
function subjectApplies(user: UserInfo, subject: Subject, namespace: string): boolean {
    switch (subject.kind) {
        case "User":
            return user.name === subject.name;
        case "Group":
            return user.groups.includes(subject.name);
        case "ServiceAccount": {
            const saNamespace = subject.namespace || namespace;
            if (!saNamespace) return false;
            return user.name === `system:serviceaccount:${saNamespace}:${subject.name}`;
        }
        default:
            return false;
    }
}

function idOf(kind: string, metadata: Metadata): string {
    return metadata.namespace ? `${kind}/${metadata.namespace}/${metadata.name}` : `${kind}/${metadata.name}`;
}

/** Evaluates requests against a fixed set of RBAC objects. */
export class RbacEvaluator {
    private readonly roles = new Map<string, RoleObject>();
    private readonly clusterRoles = new Map<string, ClusterRoleObject>();
    private readonly roleBindings: RoleBindingObject[] = [];
    private readonly clusterRoleBindings: ClusterRoleBindingObject[] = [];
    private readonly aggregated = new Map<string, Rule[]>();

    constructor(objects: readonly RbacObject[]) {
        const seen = new Set<string>();
        for (const object of objects) {
            const { metadata } = object;
            if (!metadata?.name) throw new Error(`${object.kind} without metadata.name`);
            const namespaced = object.kind === "Role" || object.kind === "RoleBinding";
            if (namespaced && !metadata.namespace) throw new Error(`${object.kind} ${metadata.name} has no namespace`);
            if (!namespaced && metadata.namespace) {
                throw new Error(
                    `${object.kind} ${metadata.name} is cluster-scoped but names namespace ${metadata.namespace}`,
                );
            }
            const id = idOf(object.kind, metadata);
            if (seen.has(id)) throw new Error(`${id} is defined twice`);
            seen.add(id);
            switch (object.kind) {
                case "Role":
                    this.roles.set(`${metadata.namespace}/${metadata.name}`, object);
                    break;
                case "ClusterRole":
                    this.clusterRoles.set(metadata.name, object);
                    break;
                case "RoleBinding":
                    checkRoleRef(object, ["Role", "ClusterRole"]);
                    this.roleBindings.push(object);
                    break;
                case "ClusterRoleBinding":
                    checkRoleRef(object, ["ClusterRole"]);
                    this.clusterRoleBindings.push(object);
                    break;
                default:
                    throw new Error(`not an RBAC object: ${JSON.stringify((object as { kind?: unknown }).kind)}`);
            }
        }
        for (const builtIn of BUILT_IN_CLUSTER_ROLES) {
            if (!this.clusterRoles.has(builtIn.metadata.name!)) this.clusterRoles.set(builtIn.metadata.name!, builtIn);
        }
    }

    /** Whether the request is allowed. */
    allowed(request: Request): boolean {
        return this.grants(request, true).length > 0;
    }

    /** Every binding and rule that allows the request (the first one only when `first`). */
    grants(request: Request, first = false): Grant[] {
        const user = userInfo(request.user);
        const found: Grant[] = [];
        if (user.groups.includes("system:masters")) {
            found.push({ binding: "system:masters", role: "ClusterRole/cluster-admin (built-in)" });
            if (first) return found;
        }
        const visit = (binding: RoleBindingObject | ClusterRoleBindingObject, bindingNamespace: string): boolean => {
            if (!(binding.subjects ?? []).some((s) => subjectApplies(user, s, bindingNamespace))) return false;
            const { role, rules } = this.rulesOf(binding.roleRef, bindingNamespace);
            for (const rule of rules) {
                if (ruleAllows(rule, request)) {
                    found.push({ binding: idOf(binding.kind, binding.metadata), role, rule });
                    if (first) return true;
                }
            }
            return false;
        };
        for (const binding of this.clusterRoleBindings) {
            if (visit(binding, "")) return found;
        }
        if (request.namespace) {
            for (const binding of this.roleBindings) {
                if (binding.metadata.namespace === request.namespace && visit(binding, request.namespace)) return found;
            }
        }
        return found;
    }

    /** The effective rules of a ClusterRole: its own, or those aggregated into it. Undefined when unknown. */
    clusterRoleRules(name: string): Rule[] | undefined {
        return this.effectiveRules(name, new Set());
    }

    private rulesOf(ref: RoleRef, namespace: string): { role: string; rules: Rule[] } {
        if (ref.kind === "Role") {
            const role = this.roles.get(`${namespace}/${ref.name}`);
            if (!role) return { role: `Role/${namespace}/${ref.name} (undefined)`, rules: EVERYTHING };
            return { role: idOf("Role", role.metadata), rules: role.rules ?? [] };
        }
        const rules = this.clusterRoleRules(ref.name);
        if (!rules) return { role: `ClusterRole/${ref.name} (undefined)`, rules: EVERYTHING };
        const builtIn = BUILT_IN_CLUSTER_ROLES.some((r) => r === this.clusterRoles.get(ref.name));
        return { role: `ClusterRole/${ref.name}${builtIn ? " (built-in)" : ""}`, rules };
    }

    private effectiveRules(name: string, visiting: Set<string>): Rule[] | undefined {
        const cached = this.aggregated.get(name);
        if (cached) return cached;
        const role = this.clusterRoles.get(name);
        if (!role) return undefined;
        const selectors = role.aggregationRule?.clusterRoleSelectors;
        if (!role.aggregationRule) return role.rules ?? [];
        // The aggregation controller replaces the role's rules by the union of the rules of every other
        // ClusterRole that a selector matches; chains (view into edit into admin) settle to the same union.
        visiting.add(name);
        const rules: Rule[] = [];
        const seen = new Set<string>();
        for (const selector of selectors ?? []) {
            for (const [otherName, other] of [...this.clusterRoles.entries()].sort(([a], [b]) => a.localeCompare(b))) {
                if (otherName === name || visiting.has(otherName)) continue;
                if (!selectorMatches(selector, other.metadata.labels ?? {})) continue;
                for (const rule of this.effectiveRules(otherName, visiting) ?? []) {
                    const key = JSON.stringify(rule);
                    if (!seen.has(key)) {
                        seen.add(key);
                        rules.push(rule);
                    }
                }
            }
        }
        visiting.delete(name);
        if (visiting.size === 0) this.aggregated.set(name, rules);
        return rules;
    }
}

function checkRoleRef(binding: RoleBindingObject | ClusterRoleBindingObject, kinds: string[]): void {
    const ref = binding.roleRef;
    const id = idOf(binding.kind, binding.metadata);
    // The API server rejects these bindings; a test that meets one has built something that cannot exist.
    if (!ref || ref.apiGroup !== RBAC_GROUP) throw new Error(`${id}: roleRef.apiGroup must be ${RBAC_GROUP}`);
    if (!kinds.includes(ref.kind))
        throw new Error(`${id}: roleRef.kind ${JSON.stringify(ref.kind)} is not one of ${kinds.join(", ")}`);
    if (!ref.name) throw new Error(`${id}: roleRef.name is empty`);
}

/** An evaluator over the given objects. */
export function rbacEvaluator(objects: readonly RbacObject[]): RbacEvaluator {
    return new RbacEvaluator(objects);
}

/** Whether `request` is allowed by `objects`. */
export function allowed(objects: readonly RbacObject[], request: Request): boolean {
    return new RbacEvaluator(objects).allowed(request);
}
