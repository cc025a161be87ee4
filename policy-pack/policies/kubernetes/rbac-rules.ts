/**
 * What an RBAC object grants, as the API server's RBAC authorizer decides it (kubernetes/kubernetes
 * pkg/apis/rbac/v1/evaluation_helpers.go, plugin/pkg/auth/authorizer/rbac):
 * - a rule grants (group, resource, verb) when `apiGroups` holds the group or `*`, `verbs` the verb or `*`,
 *   and `resources` the resource, `*` (every resource and every subresource), the `resource/subresource`
 *   pair, or `*` followed by `/subresource` (that subresource of every resource). `pods/*` is not a wildcard to the API
 *   server: it names a subresource called `*`, and matches nothing else (rbac-no-wildcards still refuses it);
 * - `resourceNames` narrows a rule to requests that name one of the objects;
 * - a ClusterRole with an `aggregationRule` has the rules of every ClusterRole its selectors match (the
 *   aggregation controller keeps them in sync), the API server's own `admin`, `edit` and `view` included.
 *
 * RbacIndex reads every Role, ClusterRole and binding of a stack once (cached per resource list and
 * settings, so the RBAC stack policies share one index), with the built-in ClusterRoles of rbac-builtin.ts
 * behind the ones the input defines.
 */
import { describeResource, isUnknown, namespaceOf } from "../resource";
import { isPlatformChartResource } from "../platform";
import { PolicyResource, PolicySettings } from "../types";
import { BUILT_IN_CLUSTER_ROLES, BuiltInClusterRole, BuiltInRule, RBAC_GROUP } from "./rbac-builtin";
import { labelsOf, objectNameOf, stringsOf } from "./common";

const RBAC_V1 = "kubernetes:rbac.authorization.k8s.io/v1";
export const ROLE = `${RBAC_V1}:Role`;
export const CLUSTER_ROLE = `${RBAC_V1}:ClusterRole`;
export const ROLE_BINDING = `${RBAC_V1}:RoleBinding`;
export const CLUSTER_ROLE_BINDING = `${RBAC_V1}:ClusterRoleBinding`;

export const WILDCARD = "*";

/** One PolicyRule, its lists read; `where` names it in messages (`rules[2]`, or `<role> rules[2]` when aggregated). */
export interface Rule {
    readonly index: number;
    readonly where: string;
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames: readonly string[];
}

/** The known rules of a Role or ClusterRole, and the paths of the rules that hold an unknown value. */
export function readRules(resource: PolicyResource): { rules: Rule[]; unknown: string[] } {
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
        known.push({ index, where: `rules[${index}]`, apiGroups, resources, verbs, resourceNames });
    });
    return { rules: known, unknown };
}

function builtInRules(role: BuiltInClusterRole): Rule[] {
    return (role.rules ?? []).map((rule: BuiltInRule, index) => ({
        index,
        where: `rules[${index}]`,
        apiGroups: rule.apiGroups,
        resources: rule.resources,
        verbs: rule.verbs,
        resourceNames: rule.resourceNames ?? [],
    }));
}

// --- Matching, as evaluation_helpers.go ---

/** True when a `resources` entry of a rule matches `resource` (`name` or `name/subresource`). */
export function resourceEntryMatches(entry: string, resource: string): boolean {
    if (entry === WILDCARD || entry === resource) return true;
    const slash = resource.indexOf("/");
    return slash > 0 && entry.startsWith("*/") && entry.slice(1) === resource.slice(slash);
}

/** True when the rule grants `verb` on `resource` of `group`, for some object (resourceNames aside). */
export function ruleGrants(rule: Rule, group: string, resource: string, verb: string): boolean {
    return (
        rule.verbs.some((v) => v === WILDCARD || v === verb) &&
        rule.apiGroups.some((g) => g === WILDCARD || g === group) &&
        rule.resources.some((entry) => resourceEntryMatches(entry, resource))
    );
}

/**
 * A grant that is worth more than its name: who holds it can raise their own privileges. `clusterWide`
 * grants are refused only where they reach every namespace (a ClusterRole, a ClusterRoleBinding): in one
 * namespace they are what `edit` gives and Pod Security admission bounds them.
 */
export interface Danger {
    readonly id: string;
    /** What the rule grants, for the message: "bind on roles/clusterroles". */
    readonly grants: string;
    /** What the holder can do with it. */
    readonly because: string;
    readonly clusterWide: boolean;
    matches(rule: Rule): boolean;
}

interface DangerSpec {
    readonly id: string;
    readonly grants: string;
    readonly because: string;
    readonly clusterWide?: boolean;
    /** Each alternative: groups, resources (or "any" of the groups), verbs (or "any"). */
    readonly match: readonly {
        readonly groups: readonly string[] | "any";
        readonly resources: readonly string[] | "any";
        /** Resource entries starting with one of these also match (`userextras/<key>`). */
        readonly resourcePrefixes?: readonly string[];
        readonly verbs: readonly string[] | "any";
    }[];
}

const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];
const CORE = "";

function danger(spec: DangerSpec): Danger {
    const alternatives = spec.match.map((alt) => {
        const groups = alt.groups === "any" ? undefined : new Set(alt.groups);
        const verbs = alt.verbs === "any" ? undefined : new Set(alt.verbs);
        const resources = alt.resources === "any" ? undefined : alt.resources;
        const prefixes = alt.resourcePrefixes ?? [];
        const resourceMatches = (entry: string): boolean => {
            if (entry === WILDCARD || resources === undefined) return true;
            if (prefixes.some((p) => entry.startsWith(p))) return true;
            // `*/<key>` reaches `<prefix><key>` for every prefixed resource.
            if (prefixes.length > 0 && entry.startsWith("*/")) return true;
            return resources.some((r) => resourceEntryMatches(entry, r));
        };
        return (rule: Rule): boolean =>
            (verbs === undefined ? rule.verbs.length > 0 : rule.verbs.some((v) => v === WILDCARD || verbs.has(v))) &&
            (groups === undefined || rule.apiGroups.some((g) => g === WILDCARD || groups.has(g))) &&
            rule.resources.some(resourceMatches);
    });
    return {
        id: spec.id,
        grants: spec.grants,
        because: spec.because,
        clusterWide: spec.clusterWide ?? false,
        matches: (rule) => alternatives.some((matches) => matches(rule)),
    };
}

/**
 * The escalation vocabulary: RBAC "good practices" (kubernetes.io/docs/concepts/security/rbac-good-practices)
 * and the privilege-escalation section of the RBAC reference, plus the platform's own policy kinds, whose
 * writers switch the platform's controls off. Wildcards imply every entry, by the matching above.
 */
export const DANGERS: readonly Danger[] = [
    danger({
        id: "escalate",
        grants: "escalate on roles/clusterroles",
        because: "its holder can write a role granting what it does not hold, cluster-admin included",
        match: [{ groups: [RBAC_GROUP], resources: ["roles", "clusterroles"], verbs: ["escalate"] }],
    }),
    danger({
        id: "bind",
        grants: "bind on roles/clusterroles",
        because:
            "its holder can bind a role it does not hold (resourceNames only choose which), cluster-admin included",
        match: [{ groups: [RBAC_GROUP], resources: ["roles", "clusterroles"], verbs: ["bind"] }],
    }),
    danger({
        id: "impersonate",
        grants: "impersonate on users/groups/serviceaccounts/uids/userextras",
        because: "its holder can act as another user, group or ServiceAccount, system:masters included",
        // Impersonation is authorized in the core group (users, groups, serviceaccounts) and in
        // authentication.k8s.io (uids, userextras/<key>); any group spelling is refused, as a typo is one
        // edit away from the real thing.
        match: [
            {
                groups: "any",
                resources: ["users", "groups", "serviceaccounts", "uids", "userextras"],
                resourcePrefixes: ["userextras/"],
                verbs: ["impersonate"],
            },
        ],
    }),
    danger({
        id: "pod-exec",
        grants: "create/get on pods/exec or pods/attach, or pods/ephemeralcontainers",
        because:
            "its holder can run commands in pods, as their ServiceAccount and with their Secrets (WebSocket exec is authorized as get)",
        match: [
            { groups: [CORE], resources: ["pods/exec", "pods/attach"], verbs: ["create", "get"] },
            // An ephemeral container added to a running pod is an exec by another name.
            { groups: [CORE], resources: ["pods/ephemeralcontainers"], verbs: ["update", "patch"] },
        ],
    }),
    danger({
        id: "secrets-create",
        grants: "create on secrets",
        because:
            "a Secret of type kubernetes.io/service-account-token that names any ServiceAccount of the namespace " +
            "is filled with a token for it by the control plane",
        match: [{ groups: [CORE], resources: ["secrets"], verbs: ["create"] }],
    }),
    danger({
        id: "nodes-proxy",
        grants: "nodes/proxy",
        because: "any verb on it reaches the kubelet API, which runs commands in every pod of the node",
        match: [
            { groups: [CORE], resources: ["nodes/proxy"], verbs: "any" },
            { groups: [CORE], resources: ["nodes"], verbs: ["proxy"] },
        ],
    }),
    danger({
        id: "csr-approval",
        grants: "update on certificatesigningrequests/approval",
        because: "its holder can approve its own certificate requests, for any user or group",
        match: [
            {
                groups: ["certificates.k8s.io"],
                resources: ["certificatesigningrequests/approval"],
                verbs: ["update", "patch"],
            },
        ],
    }),
    danger({
        id: "signers",
        grants: "approve/sign on signers",
        because: "with the approval subresource, its holder can have client certificates issued for system:masters",
        match: [{ groups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve", "sign"] }],
    }),
    danger({
        id: "admission",
        grants: "writes to admission webhooks or admission policies",
        because: "its holder can read or rewrite every object admitted, or switch admission control off",
        match: [
            {
                groups: ["admissionregistration.k8s.io"],
                resources: [
                    "mutatingwebhookconfigurations",
                    "validatingwebhookconfigurations",
                    "validatingadmissionpolicies",
                    "validatingadmissionpolicybindings",
                    "mutatingadmissionpolicies",
                    "mutatingadmissionpolicybindings",
                ],
                verbs: WRITE_VERBS,
            },
        ],
    }),
    danger({
        id: "api-extensions",
        grants: "writes to CustomResourceDefinitions or APIServices",
        because:
            "deleting a CRD deletes every object of it (the platform's policies included), and an APIService " +
            "routes a whole API group to a service of its holder's choosing",
        match: [
            { groups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: WRITE_VERBS },
            { groups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: WRITE_VERBS },
        ],
    }),
    danger({
        id: "persistentvolumes",
        grants: "create/update on persistentvolumes",
        because: "a hostPath PersistentVolume mounts any directory of a node into a pod of its holder",
        match: [{ groups: [CORE], resources: ["persistentvolumes"], verbs: ["create", "update", "patch"] }],
    }),
    danger({
        id: "nodes",
        grants: "writes to nodes",
        because: "its holder can relabel, taint or remove nodes and so steer other workloads onto a node it controls",
        match: [{ groups: [CORE], resources: ["nodes"], verbs: WRITE_VERBS }],
    }),
    danger({
        id: "namespaces",
        grants: "update on namespaces",
        because: "its holder can relabel a namespace's Pod Security level to privileged",
        match: [{ groups: [CORE], resources: ["namespaces"], verbs: ["update", "patch"] }],
    }),
    danger({
        id: "kyverno",
        grants: "writes to Kyverno policies or PolicyExceptions",
        because: "its holder can switch the platform's admission policies off, or exempt itself from them",
        match: [
            {
                groups: ["kyverno.io"],
                resources: [
                    "clusterpolicies",
                    "policies",
                    "policyexceptions",
                    "cleanuppolicies",
                    "clustercleanuppolicies",
                ],
                verbs: WRITE_VERBS,
            },
            // Every kind of policies.kyverno.io is a policy or an exception.
            { groups: ["policies.kyverno.io"], resources: "any", verbs: WRITE_VERBS },
        ],
    }),
    danger({
        id: "cert-manager",
        grants: "writes to cert-manager Issuers or ClusterIssuers, or approval of their requests",
        because: "its holder can issue certificates from the platform's CAs, or point an issuer at its own",
        match: [
            { groups: ["cert-manager.io"], resources: ["issuers", "clusterissuers"], verbs: WRITE_VERBS },
            // cert-manager's approver-policy: approving CertificateRequests for its issuers.
            { groups: ["cert-manager.io"], resources: ["signers"], verbs: ["approve"] },
        ],
    }),
    danger({
        id: "external-secrets",
        grants: "writes to SecretStores, ClusterSecretStores or ClusterExternalSecrets",
        because: "its holder can read the secret backend with a store's identity, another app's secrets included",
        match: [
            {
                groups: ["external-secrets.io"],
                resources: ["secretstores", "clustersecretstores", "clusterexternalsecrets"],
                verbs: WRITE_VERBS,
            },
        ],
    }),
    danger({
        id: "pods-everywhere",
        grants: "create on pods or workload controllers, cluster-wide",
        because: "its holder can run a pod in any namespace, kube-system included, as any ServiceAccount there",
        clusterWide: true,
        match: [
            { groups: [CORE], resources: ["pods", "replicationcontrollers"], verbs: ["create", "update", "patch"] },
            {
                groups: ["apps"],
                resources: ["deployments", "daemonsets", "statefulsets", "replicasets"],
                verbs: ["create", "update", "patch"],
            },
            { groups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["create", "update", "patch"] },
        ],
    }),
    danger({
        id: "configmaps-everywhere",
        grants: "writes to configmaps, cluster-wide",
        because:
            "on EKS, kube-system's aws-auth ConfigMap maps IAM principals to Kubernetes groups, system:masters included",
        clusterWide: true,
        match: [{ groups: [CORE], resources: ["configmaps"], verbs: ["create", "update", "patch"] }],
    }),
];

/**
 * The namespace whose ServiceAccounts and ConfigMaps are the cluster's own: a grant in it reaches as far as a
 * cluster-wide one (a pod there runs as the controllers' ServiceAccounts; aws-auth lives there).
 */
export const CLUSTER_NAMESPACE = "kube-system";

/** A rule and the dangers it holds. */
export interface DangerousRule {
    readonly rule: Rule;
    readonly dangers: readonly Danger[];
}

/** The dangers of each rule, local and cluster-wide; rules are read once per request, so this is once per rule. */
const dangersOfRule = new WeakMap<Rule, { local: readonly Danger[]; wide: readonly Danger[] }>();

function dangersOf(rule: Rule): { local: readonly Danger[]; wide: readonly Danger[] } {
    let found = dangersOfRule.get(rule);
    if (!found) {
        const wide = DANGERS.filter((d) => d.matches(rule));
        found = { wide, local: wide.some((d) => d.clusterWide) ? wide.filter((d) => !d.clusterWide) : wide };
        dangersOfRule.set(rule, found);
    }
    return found;
}

/** The dangerous rules among `rules`; `clusterWide` includes the dangers that matter only cluster-wide. */
export function dangerousRules(rules: readonly Rule[], clusterWide: boolean): DangerousRule[] {
    let found: DangerousRule[] | undefined;
    for (const rule of rules) {
        const all = dangersOf(rule);
        const dangers = clusterWide ? all.wide : all.local;
        if (dangers.length > 0) (found ??= []).push({ rule, dangers });
    }
    return found ?? [];
}

/** `rules[0] grants bind on roles/clusterroles (its holder can ...); rules[2] grants ...`. */
export function describeDangers(found: readonly DangerousRule[]): string {
    return found
        .map(
            ({ rule, dangers }) =>
                `${rule.where} grants ${dangers.map((d) => `${d.grants} (${d.because})`).join(", ")}`,
        )
        .join("; ");
}

// --- Label selectors, for aggregation ---

type Labels = Readonly<Record<string, unknown>>;

/** True when a label selector (matchLabels and matchExpressions) matches `labels`; undefined when unknown. */
function selectorMatches(selector: any, labels: Labels): boolean | undefined {
    if (isUnknown(selector) || selector === null || typeof selector !== "object")
        return isUnknown(selector) ? undefined : false;
    const matchLabels = selector.matchLabels;
    const expressions = selector.matchExpressions;
    if (isUnknown(matchLabels) || isUnknown(expressions)) return undefined;
    // An empty selector matches every object; the API server refuses none of these shapes.
    for (const [key, value] of Object.entries(matchLabels ?? {})) {
        if (isUnknown(value)) return undefined;
        if (labels[key] !== value) return false;
    }
    for (const req of Array.isArray(expressions) ? expressions : []) {
        if (isUnknown(req) || isUnknown(req?.key) || isUnknown(req?.operator) || isUnknown(req?.values))
            return undefined;
        const has = Object.prototype.hasOwnProperty.call(labels, req.key);
        const values: unknown[] = Array.isArray(req.values) ? req.values : [];
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
                return false;
        }
    }
    return true;
}

// --- The index ---

/** A Role or ClusterRole: of the input (`resource`), or built in. */
export interface RoleEntry {
    readonly kind: "Role" | "ClusterRole";
    readonly name: string;
    readonly namespace?: string;
    readonly resource?: PolicyResource;
    readonly rules: readonly Rule[];
    /** Paths of rules with unknown values. */
    readonly unknown: readonly string[];
    /** Its labels; undefined when not known yet. */
    readonly labels: Labels | undefined;
    /** Its aggregation selectors; undefined when it aggregates nothing, "unknown" when not known yet. */
    readonly aggregation: readonly unknown[] | "unknown" | undefined;
    /** True when one of the platform's charts rendered it (policies/platform.ts); never for a built-in role. */
    readonly platform: boolean;
}

export interface Subject {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
}

/** A RoleBinding or ClusterRoleBinding of the input. */
export interface BindingEntry {
    readonly resource: PolicyResource;
    readonly kind: "RoleBinding" | "ClusterRoleBinding";
    /** The binding's namespace (RoleBinding only). */
    readonly namespace?: string;
    /** Its roleRef; undefined when not known yet. */
    readonly ref: { readonly kind: string; readonly name: string } | undefined;
    /** Its subjects; undefined when not known yet. */
    readonly subjects: readonly Subject[] | undefined;
    /** True when one of the platform's charts rendered it (policies/platform.ts). */
    readonly platform: boolean;
}

/** Effective rules: the rules, whether some are unknown, and the roles whose rules were gathered. */
export interface Effective {
    readonly rules: readonly Rule[];
    readonly unknown: boolean;
}

function roleKey(kind: string, name: string, namespace?: string): string {
    return kind === "Role" ? `Role/${namespace}/${name}` : `ClusterRole/${name}`;
}

function readSubjects(binding: PolicyResource): Subject[] | undefined {
    const subjects = binding.props?.subjects;
    if (isUnknown(subjects)) return undefined;
    if (!Array.isArray(subjects)) return [];
    const read: Subject[] = [];
    for (const s of subjects) {
        if (isUnknown(s) || isUnknown(s?.name) || isUnknown(s?.kind) || isUnknown(s?.namespace)) return undefined;
        if (typeof s?.kind !== "string" || typeof s?.name !== "string") continue;
        read.push({ kind: s.kind, name: s.name, namespace: typeof s.namespace === "string" ? s.namespace : undefined });
    }
    return read;
}

type ParsedRole = Omit<RoleEntry, "resource" | "platform">;
type ParsedBinding = Omit<BindingEntry, "resource" | "platform">;

/**
 * What a Role, ClusterRole or binding says, read once per props object: the pack hands every stack policy
 * the same (frozen) props of a request, so the RBAC policies of one preview read each object once.
 */
const parsedByProps = new WeakMap<object, ParsedRole | ParsedBinding>();

function parsedRole(resource: PolicyResource): ParsedRole {
    const cached = parsedByProps.get(resource.props) as ParsedRole | undefined;
    if (cached && cached.kind === (resource.type === ROLE ? "Role" : "ClusterRole")) return cached;
    const kind = resource.type === ROLE ? "Role" : "ClusterRole";
    const name = objectNameOf(resource) ?? resource.name;
    const { rules, unknown } = readRules(resource);
    const labels = labelsOf(resource);
    const aggregationRule = resource.props?.aggregationRule;
    let aggregation: RoleEntry["aggregation"];
    if (kind === "ClusterRole" && aggregationRule !== undefined && aggregationRule !== null) {
        const selectors = isUnknown(aggregationRule) ? aggregationRule : aggregationRule.clusterRoleSelectors;
        aggregation = isUnknown(selectors) ? "unknown" : Array.isArray(selectors) ? selectors : [];
    }
    const parsed: ParsedRole = {
        kind,
        name,
        namespace: kind === "Role" ? namespaceOf(resource) : undefined,
        rules,
        unknown,
        labels: isUnknown(labels) ? undefined : labels,
        aggregation,
    };
    if (resource.props !== null && typeof resource.props === "object") parsedByProps.set(resource.props, parsed);
    return parsed;
}

function parsedBinding(resource: PolicyResource): ParsedBinding {
    const kind = resource.type === ROLE_BINDING ? "RoleBinding" : "ClusterRoleBinding";
    const cached = parsedByProps.get(resource.props) as ParsedBinding | undefined;
    if (cached && cached.kind === kind) return cached;
    const ref = resource.props?.roleRef;
    const parsed: ParsedBinding = {
        kind,
        namespace: kind === "RoleBinding" ? namespaceOf(resource) : undefined,
        ref:
            !isUnknown(ref) && !isUnknown(ref?.kind) && !isUnknown(ref?.name)
                ? { kind: String(ref?.kind), name: String(ref?.name) }
                : undefined,
        subjects: readSubjects(resource),
    };
    if (resource.props !== null && typeof resource.props === "object") parsedByProps.set(resource.props, parsed);
    return parsed;
}

function platformOf(resource: PolicyResource, settings: PolicySettings | undefined): boolean {
    return settings !== undefined && isPlatformChartResource(resource, settings);
}

let builtIns: readonly RoleEntry[] | undefined;
/** The built-in ClusterRoles as entries, made once: their rules are the same objects in every index. */
function builtInEntries(): readonly RoleEntry[] {
    builtIns ??= BUILT_IN_CLUSTER_ROLES.map((builtIn): RoleEntry => ({
        kind: "ClusterRole",
        name: builtIn.name,
        rules: builtInRules(builtIn),
        unknown: [],
        labels: builtIn.labels ?? {},
        aggregation: builtIn.aggregateFrom?.map((matchLabels) => ({ matchLabels })),
        platform: false,
    }));
    return builtIns;
}

/** Every RBAC object of a stack, read once, with the built-in ClusterRoles behind the input's. */
export class RbacIndex {
    readonly roles: RoleEntry[] = [];
    readonly bindings: BindingEntry[] = [];
    private readonly byKey = new Map<string, RoleEntry>();
    private readonly clusterRoles: RoleEntry[] = [];
    private readonly bindingsByRole = new Map<string, BindingEntry[]>();
    private readonly effectiveCache = new Map<string, Effective>();

    constructor(resources: readonly PolicyResource[], settings?: PolicySettings) {
        for (const resource of resources) {
            const type = resource.type;
            if (type === ROLE || type === CLUSTER_ROLE) {
                const parsed = parsedRole(resource);
                const entry: RoleEntry = {
                    kind: parsed.kind,
                    name: parsed.name,
                    namespace: parsed.namespace,
                    rules: parsed.rules,
                    unknown: parsed.unknown,
                    labels: parsed.labels,
                    aggregation: parsed.aggregation,
                    resource,
                    platform: platformOf(resource, settings),
                };
                this.roles.push(entry);
                this.byKey.set(roleKey(entry.kind, entry.name, entry.namespace), entry);
                if (entry.kind === "ClusterRole") this.clusterRoles.push(entry);
            } else if (type === ROLE_BINDING || type === CLUSTER_ROLE_BINDING) {
                const parsed = parsedBinding(resource);
                const entry: BindingEntry = {
                    kind: parsed.kind,
                    namespace: parsed.namespace,
                    ref: parsed.ref,
                    subjects: parsed.subjects,
                    resource,
                    platform: platformOf(resource, settings),
                };
                this.bindings.push(entry);
                const known = entry.ref;
                if (known) {
                    const key =
                        known.kind === "Role"
                            ? roleKey("Role", known.name, entry.namespace)
                            : roleKey("ClusterRole", known.name);
                    const list = this.bindingsByRole.get(key);
                    if (list) list.push(entry);
                    else this.bindingsByRole.set(key, [entry]);
                }
            }
        }
        for (const entry of builtInEntries()) {
            const key = roleKey("ClusterRole", entry.name);
            if (this.byKey.has(key)) continue;
            this.byKey.set(key, entry);
            this.clusterRoles.push(entry);
        }
    }

    /** The Role of `namespace` or the ClusterRole named `name`, of the input or built in. */
    role(kind: string, name: string, namespace?: string): RoleEntry | undefined {
        return this.byKey.get(roleKey(kind, name, namespace));
    }

    /** The role a binding names, when known and defined (a RoleBinding's Role is in its namespace). */
    roleOf(binding: BindingEntry): RoleEntry | undefined {
        if (!binding.ref) return undefined;
        return this.role(binding.ref.kind, binding.ref.name, binding.namespace);
    }

    /** The bindings of the input that name `role`. */
    bindingsOf(role: RoleEntry): readonly BindingEntry[] {
        return this.bindingsByRole.get(roleKey(role.kind, role.name, role.namespace)) ?? [];
    }

    /** The aggregating ClusterRoles (input or built in) whose selectors match `role`'s labels. */
    aggregatedInto(role: RoleEntry): RoleEntry[] {
        if (role.kind !== "ClusterRole" || role.labels === undefined) return [];
        const labels = role.labels;
        return this.clusterRoles.filter(
            (other) =>
                other !== role &&
                Array.isArray(other.aggregation) &&
                other.aggregation.some((selector) => selectorMatches(selector, labels) === true),
        );
    }

    /**
     * The rules `role` grants: its own, and, for an aggregating ClusterRole, the union of the effective rules
     * of every other ClusterRole its selectors match (chains such as view into edit into admin settle to the
     * same union), each named `<role> rules[i]`.
     */
    effective(role: RoleEntry): Effective {
        return this.effectiveOf(role, new Set());
    }

    private effectiveOf(role: RoleEntry, visiting: Set<RoleEntry>): Effective {
        const key = roleKey(role.kind, role.name, role.namespace);
        const cached = this.effectiveCache.get(key);
        if (cached) return cached;
        if (role.aggregation === undefined) {
            const own = { rules: role.rules, unknown: role.unknown.length > 0 };
            this.effectiveCache.set(key, own);
            return own;
        }
        if (role.aggregation === "unknown") return { rules: [], unknown: true };
        visiting.add(role);
        // The controller replaces the role's own rules with the gathered ones, but until it has run (or if it
        // is not running) the own rules are in force: both count.
        const rules: Rule[] = [...role.rules];
        let unknown = role.unknown.length > 0;
        for (const other of this.clusterRoles) {
            if (other === role || visiting.has(other)) continue;
            if (other.labels === undefined) {
                unknown = true;
                continue;
            }
            const labels = other.labels;
            const matches = role.aggregation.map((selector) => selectorMatches(selector, labels));
            if (matches.includes(true)) {
                const gathered = this.effectiveOf(other, visiting);
                unknown ||= gathered.unknown;
                for (const rule of gathered.rules) {
                    rules.push(
                        rule.where.startsWith("ClusterRole ")
                            ? rule
                            : { ...rule, where: `ClusterRole ${other.name} ${rule.where}` },
                    );
                }
            } else if (matches.includes(undefined)) {
                unknown = true;
            }
        }
        visiting.delete(role);
        const result = { rules, unknown };
        if (visiting.size === 0) this.effectiveCache.set(key, result);
        return result;
    }
}

const indexCache = new WeakMap<readonly PolicyResource[], { settings: PolicySettings; index: RbacIndex }>();

/**
 * The index of a stack's RBAC objects, once per resource list (`check` hands every stack policy the same
 * list; the pack a new list of the same props, which parsedByProps reads once).
 */
export function rbacIndexOf(resources: readonly PolicyResource[], settings: PolicySettings): RbacIndex {
    const cached = indexCache.get(resources);
    if (cached && cached.settings === settings) return cached.index;
    const index = new RbacIndex(resources, settings);
    indexCache.set(resources, { settings, index });
    return index;
}

/** `Role payments/ci` or `ClusterRole view (built-in)`. */
export function describeRole(role: RoleEntry): string {
    if (role.resource) return describeResource(role.resource);
    return `ClusterRole ${role.name} (built-in)`;
}
