/**
 * Who a RoleBinding or ClusterRoleBinding may name, as the API server's authenticators name callers: the
 * facts the Kyverno generator and the pack's RBAC policies judge bindings by.
 */

/** The prefix of every identity the cluster itself defines (users and groups the authenticators set). */
export const SYSTEM_IDENTITY_PREFIX = "system:";

/**
 * The user a ServiceAccount's token authenticates as is `system:serviceaccount:<namespace>:<name>`: one
 * workload, named, not a group of callers.
 */
export const SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";

/** Every ServiceAccount of one namespace: `system:serviceaccounts:<namespace>`. */
export const NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX = "system:serviceaccounts:";

/**
 * `system:` groups and users that stand for callers at large: everyone signed in, everyone not signed in,
 * the anonymous user, and every ServiceAccount. Binding a role to one gives it to all of them.
 */
export const BROAD_SYSTEM_SUBJECTS: readonly string[] = [
    "system:authenticated",
    "system:unauthenticated",
    "system:anonymous",
    "system:serviceaccounts",
];

/** The subject kinds whose names are identities the authenticators set (a ServiceAccount is named by namespace). */
export const IDENTITY_SUBJECT_KINDS: readonly string[] = ["User", "Group"];

/**
 * The group the API server lets do anything, RBAC or not: no binding grants its rights, and none can take
 * them away. Never a group this package puts anyone in.
 */
export const SYSTEM_MASTERS_GROUP = "system:masters";

/** The built-in ClusterRole that grants every verb on every resource. */
export const CLUSTER_ADMIN_ROLE = "cluster-admin";
