/**
 * The API server's bootstrap ClusterRoles, as data: what a binding to one of them grants when the input does
 * not define it. Transcribed from kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy
 * (policy.go for the user-facing and `system:` roles, controller_policy.go for the `system:controller:` roles
 * that matter for escalation), Kubernetes 1.30 onwards. Only the roles an attacker would reach for are
 * listed with their rules; a `system:` ClusterRole not listed here is still a built-in role (the `system:`
 * prefix is the API server's), and rbac.ts refuses any binding of one to a subject that is not the cluster's.
 *
 * `admin`, `edit` and `view` are aggregated: their rules are those of every ClusterRole their selectors
 * match, the `system:aggregate-to-*` roles here and any ClusterRole of the input that carries the label.
 * Pure data; nothing runs at module load but constants.
 */

/** A PolicyRule as the rbac.authorization.k8s.io/v1 API spells it. */
export interface BuiltInRule {
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
}

/** A built-in ClusterRole: its labels, its aggregation selectors (matchLabels only) or its rules. */
export interface BuiltInClusterRole {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    /** The `matchLabels` of each `aggregationRule.clusterRoleSelectors` entry. */
    readonly aggregateFrom?: readonly Readonly<Record<string, string>>[];
    readonly rules?: readonly BuiltInRule[];
}

export const RBAC_GROUP = "rbac.authorization.k8s.io";
/** The label that aggregates a ClusterRole into the built-in `admin`, `edit` or `view`. */
export const aggregateToLabel = (role: "admin" | "edit" | "view"): string => `${RBAC_GROUP}/aggregate-to-${role}`;

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];
const READ_WRITE = [...READ, ...WRITE];
const CORE = "";

export const BUILT_IN_CLUSTER_ROLES: readonly BuiltInClusterRole[] = [
    { name: "cluster-admin", rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
    { name: "admin", aggregateFrom: [{ [aggregateToLabel("admin")]: "true" }] },
    {
        name: "edit",
        labels: { [aggregateToLabel("admin")]: "true" },
        aggregateFrom: [{ [aggregateToLabel("edit")]: "true" }],
    },
    {
        name: "view",
        labels: { [aggregateToLabel("edit")]: "true" },
        aggregateFrom: [{ [aggregateToLabel("view")]: "true" }],
    },
    {
        name: "system:aggregate-to-admin",
        labels: { [aggregateToLabel("admin")]: "true" },
        rules: [
            { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
            { apiGroups: [RBAC_GROUP], resources: ["roles", "rolebindings"], verbs: READ_WRITE },
        ],
    },
    {
        name: "system:aggregate-to-edit",
        labels: { [aggregateToLabel("edit")]: "true" },
        rules: [
            {
                apiGroups: [CORE],
                resources: ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"],
                verbs: READ,
            },
            { apiGroups: [CORE], resources: ["serviceaccounts"], verbs: ["impersonate"] },
            {
                apiGroups: [CORE],
                resources: ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"],
                verbs: WRITE,
            },
            { apiGroups: [CORE], resources: ["pods/eviction"], verbs: ["create"] },
            {
                apiGroups: [CORE],
                resources: [
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "serviceaccounts",
                    "services",
                    "services/proxy",
                    "persistentvolumeclaims",
                    "configmaps",
                    "secrets",
                    "events",
                ],
                verbs: WRITE,
            },
            { apiGroups: [CORE], resources: ["serviceaccounts/token"], verbs: ["create"] },
            {
                apiGroups: ["apps"],
                resources: [
                    "statefulsets",
                    "statefulsets/scale",
                    "daemonsets",
                    "deployments",
                    "deployments/scale",
                    "deployments/rollback",
                    "replicasets",
                    "replicasets/scale",
                ],
                verbs: WRITE,
            },
            { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
            { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"], verbs: WRITE },
            { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: READ_WRITE },
        ],
    },
    {
        name: "system:aggregate-to-view",
        labels: { [aggregateToLabel("view")]: "true" },
        rules: [
            {
                apiGroups: [CORE],
                resources: [
                    "pods",
                    "replicationcontrollers",
                    "replicationcontrollers/scale",
                    "serviceaccounts",
                    "services",
                    "services/status",
                    "endpoints",
                    "persistentvolumeclaims",
                    "persistentvolumeclaims/status",
                    "configmaps",
                ],
                verbs: READ,
            },
            {
                apiGroups: [CORE],
                resources: [
                    "limitranges",
                    "resourcequotas",
                    "bindings",
                    "events",
                    "pods/status",
                    "resourcequotas/status",
                    "namespaces/status",
                    "replicationcontrollers/status",
                    "pods/log",
                ],
                verbs: READ,
            },
            { apiGroups: [CORE], resources: ["namespaces"], verbs: READ },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
            {
                apiGroups: ["apps"],
                resources: [
                    "controllerrevisions",
                    "statefulsets",
                    "statefulsets/status",
                    "statefulsets/scale",
                    "daemonsets",
                    "daemonsets/status",
                    "deployments",
                    "deployments/status",
                    "deployments/scale",
                    "replicasets",
                    "replicasets/status",
                    "replicasets/scale",
                ],
                verbs: READ,
            },
            {
                apiGroups: ["autoscaling"],
                resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
                verbs: READ,
            },
            { apiGroups: ["batch"], resources: ["jobs", "cronjobs", "cronjobs/status", "jobs/status"], verbs: READ },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
            {
                apiGroups: ["networking.k8s.io"],
                resources: ["networkpolicies", "ingresses", "ingresses/status"],
                verbs: READ,
            },
        ],
    },
    {
        // What a kubelet needs; the Node authorizer and NodeRestriction narrow it for real nodes, not for
        // anyone else bound to it: for them it reads every Secret and mints tokens for every ServiceAccount.
        name: "system:node",
        rules: [
            { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
            {
                apiGroups: ["authorization.k8s.io"],
                resources: ["subjectaccessreviews", "localsubjectaccessreviews"],
                verbs: ["create"],
            },
            { apiGroups: [CORE], resources: ["services"], verbs: READ },
            { apiGroups: [CORE], resources: ["nodes"], verbs: ["create", "get", "list", "watch", "update", "patch"] },
            { apiGroups: [CORE], resources: ["nodes/status"], verbs: ["update", "patch"] },
            { apiGroups: [CORE], resources: ["events"], verbs: ["create", "update", "patch"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: [...READ, "create", "delete"] },
            { apiGroups: [CORE], resources: ["pods/status"], verbs: ["update", "patch"] },
            { apiGroups: [CORE], resources: ["pods/eviction"], verbs: ["create"] },
            { apiGroups: [CORE], resources: ["secrets", "configmaps"], verbs: READ },
            { apiGroups: [CORE], resources: ["persistentvolumeclaims", "persistentvolumes"], verbs: ["get"] },
            { apiGroups: [CORE], resources: ["endpoints"], verbs: ["get"] },
            {
                apiGroups: ["certificates.k8s.io"],
                resources: ["certificatesigningrequests"],
                verbs: ["create", "get", "list", "watch"],
            },
            {
                apiGroups: ["coordination.k8s.io"],
                resources: ["leases"],
                verbs: ["get", "create", "update", "patch", "delete"],
            },
            { apiGroups: [CORE], resources: ["serviceaccounts/token"], verbs: ["create"] },
            { apiGroups: [CORE], resources: ["persistentvolumeclaims/status"], verbs: ["get", "update", "patch"] },
        ],
    },
    {
        name: "system:kubelet-api-admin",
        rules: [
            { apiGroups: [CORE], resources: ["nodes"], verbs: ["get", "list", "watch", "proxy"] },
            {
                apiGroups: [CORE],
                resources: ["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"],
                verbs: ["*"],
            },
        ],
    },
    {
        name: "system:kube-controller-manager",
        rules: [
            { apiGroups: [CORE, "events.k8s.io"], resources: ["events"], verbs: ["create", "update", "patch"] },
            { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
            { apiGroups: [CORE], resources: ["secrets", "serviceaccounts"], verbs: ["create", "update"] },
            { apiGroups: [CORE], resources: ["secrets"], verbs: ["delete"] },
            {
                apiGroups: [CORE],
                resources: ["namespaces", "secrets", "serviceaccounts", "configmaps"],
                verbs: ["get"],
            },
            { apiGroups: ["*"], resources: ["*"], verbs: ["list", "watch"] },
            { apiGroups: [CORE], resources: ["serviceaccounts/token"], verbs: ["create"] },
        ],
    },
    {
        name: "system:persistent-volume-provisioner",
        rules: [
            {
                apiGroups: [CORE],
                resources: ["persistentvolumes"],
                verbs: ["get", "list", "watch", "create", "delete"],
            },
            { apiGroups: [CORE], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch", "update"] },
            { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
            {
                apiGroups: [CORE, "events.k8s.io"],
                resources: ["events"],
                verbs: ["watch", "create", "update", "patch"],
            },
        ],
    },
    {
        name: "system:node-bootstrapper",
        rules: [
            {
                apiGroups: ["certificates.k8s.io"],
                resources: ["certificatesigningrequests"],
                verbs: ["create", "get", "list", "watch"],
            },
        ],
    },
    ...[
        ["kube-apiserver-client-approver", "kubernetes.io/kube-apiserver-client"],
        ["kube-apiserver-client-kubelet-approver", "kubernetes.io/kube-apiserver-client-kubelet"],
        ["kubelet-serving-approver", "kubernetes.io/kubelet-serving"],
        ["legacy-unknown-approver", "kubernetes.io/legacy-unknown"],
    ].map(([role, signer]): BuiltInClusterRole => ({
        name: `system:certificates.k8s.io:${role}`,
        rules: [
            {
                apiGroups: ["certificates.k8s.io"],
                resources: ["signers"],
                resourceNames: [signer],
                verbs: ["approve"],
            },
        ],
    })),
    {
        name: "system:auth-delegator",
        rules: [
            { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
            { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
        ],
    },
    {
        name: "system:basic-user",
        rules: [
            {
                apiGroups: ["authorization.k8s.io"],
                resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                verbs: ["create"],
            },
            { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
        ],
    },
    // Non-resource URLs only (health, version, discovery): nothing an RBAC rule here can escalate with.
    { name: "system:discovery", rules: [] },
    { name: "system:public-info-viewer", rules: [] },
    { name: "system:monitoring", rules: [] },
    {
        // controller_policy.go: the aggregation controller writes any ClusterRole's rules, so it escalates.
        name: "system:controller:clusterrole-aggregation-controller",
        rules: [
            {
                apiGroups: [RBAC_GROUP],
                resources: ["clusterroles"],
                verbs: ["escalate", "get", "list", "watch", "update", "patch"],
            },
        ],
    },
    {
        name: "system:controller:generic-garbage-collector",
        rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch", "patch", "update", "delete"] }],
    },
    {
        name: "system:controller:namespace-controller",
        rules: [
            { apiGroups: [CORE], resources: ["namespaces"], verbs: ["get", "list", "watch", "delete"] },
            { apiGroups: [CORE], resources: ["namespaces/finalize", "namespaces/status"], verbs: ["update"] },
            { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "delete", "deletecollection"] },
        ],
    },
    {
        name: "system:controller:persistent-volume-binder",
        rules: [
            {
                apiGroups: [CORE],
                resources: ["persistentvolumes"],
                verbs: ["get", "list", "watch", "update", "create", "delete"],
            },
            { apiGroups: [CORE], resources: ["persistentvolumes/status"], verbs: ["update", "patch"] },
            { apiGroups: [CORE], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch", "update"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"] },
        ],
    },
    {
        name: "system:controller:replicaset-controller",
        rules: [
            { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch", "update"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: ["list", "watch", "patch", "create", "delete"] },
        ],
    },
    {
        name: "system:controller:daemon-set-controller",
        rules: [
            { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["get", "list", "watch"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: ["list", "watch", "create", "delete", "patch"] },
            { apiGroups: [CORE], resources: ["pods/binding"], verbs: ["create"] },
        ],
    },
    {
        name: "system:controller:job-controller",
        rules: [
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "update", "patch"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: ["list", "watch", "create", "delete", "patch"] },
        ],
    },
    {
        name: "system:controller:root-ca-cert-publisher",
        rules: [{ apiGroups: [CORE], resources: ["configmaps"], verbs: ["create", "update"] }],
    },
    {
        name: "system:kube-scheduler",
        rules: [
            { apiGroups: [CORE], resources: ["pods/binding", "bindings"], verbs: ["create"] },
            { apiGroups: [CORE], resources: ["pods/status"], verbs: ["patch", "update"] },
            { apiGroups: [CORE], resources: ["pods"], verbs: ["get", "list", "watch", "delete"] },
            { apiGroups: [CORE], resources: ["nodes"], verbs: READ },
            { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        ],
    },
];

/** The built-in ClusterRoles by name. */
export const BUILT_IN_CLUSTER_ROLE_BY_NAME: ReadonlyMap<string, BuiltInClusterRole> = new Map(
    BUILT_IN_CLUSTER_ROLES.map((role) => [role.name, role]),
);

/** True when `name` is a ClusterRole the API server bootstraps: one listed here, or any `system:` name. */
export function isBuiltInClusterRoleName(name: string): boolean {
    return BUILT_IN_CLUSTER_ROLE_BY_NAME.has(name) || name.startsWith("system:");
}
