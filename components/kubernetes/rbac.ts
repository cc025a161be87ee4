/**
 * RBAC rules, built as data. There are no deny rules in RBAC: isolation comes from granting little, so
 * every rule here is namespaced and Secret access is always by name.
 */
import { AccessRole } from "../baseline";

/** The API group of Roles, ClusterRoles and their bindings. */
export const RBAC_API_GROUP = "rbac.authorization.k8s.io";

/** A binding's `roleRef` to a Role or ClusterRole of that name. */
export function roleRefTo<Name>(
    kind: "Role" | "ClusterRole",
    name: Name,
): { apiGroup: string; kind: string; name: Name } {
    return { apiGroup: RBAC_API_GROUP, kind, name };
}

/** A PolicyRule as the rbac.authorization.k8s.io/v1 API spells it. */
export interface PolicyRule {
    readonly apiGroups: string[];
    readonly resources: string[];
    readonly verbs: string[];
    readonly resourceNames?: string[];
}

/**
 * `get` on the named Secrets only. No `list` or `watch`: either returns every Secret in the namespace,
 * values included, whatever `resourceNames` says about `get`.
 */
export function secretReaderRules(secretNames: readonly string[]): PolicyRule[] {
    if (secretNames.length === 0) return [];
    return [{ apiGroups: [""], resources: ["secrets"], resourceNames: [...secretNames].sort(), verbs: ["get"] }];
}

/**
 * `create` on `serviceaccounts/token` for the named ServiceAccounts only: whoever holds it can act as them,
 * so never without names.
 */
export function tokenRequestRules(serviceAccountNames: readonly string[]): PolicyRule[] {
    if (serviceAccountNames.length === 0) return [];
    return [
        {
            apiGroups: [""],
            resources: ["serviceaccounts/token"],
            resourceNames: [...serviceAccountNames].sort(),
            verbs: ["create"],
        },
    ];
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/**
 * What a CI deployer may do in its namespace: roll out workloads and their configuration, watch the rollout,
 * and read (never write) the Secrets it is told about.
 *
 * It cannot create Pods directly, nor exec, attach, port-forward or proxy into them, nor touch RBAC,
 * ServiceAccounts or their tokens (`serviceaccounts/token`), Secrets (beyond `get` by name), the namespace,
 * its quota, limits or NetworkPolicies, or the ExternalSecrets and SecretStores the platform keeps (an
 * ExternalSecret it wrote could copy an app's secrets into a Secret of its choosing, or over another one).
 *
 * What remains, because RBAC cannot say it: a Deployment, Job or other controller it creates may name any
 * ServiceAccount of the namespace and mount any Secret there, so its pods hold that ServiceAccount's token,
 * cloud role and Secrets. SecureNamespace's `podServiceAccounts` admission policy narrows this to the apps'
 * own ServiceAccounts (never the deployer's, never `default`).
 */
export function deployerRules(readableSecrets: readonly string[]): PolicyRule[] {
    return [
        {
            apiGroups: ["apps"],
            resources: ["deployments", "statefulsets", "daemonsets", "replicasets"],
            verbs: [...READ, ...WRITE],
        },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: [...READ, ...WRITE] },
        { apiGroups: [""], resources: ["configmaps", "services"], verbs: [...READ, ...WRITE] },
        { apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: READ },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...READ, ...WRITE] },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...READ, ...WRITE] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: [...READ, ...WRITE] },
        // Read only: the platform declares each app's secrets (AppExternalSecrets); CI watches them sync.
        { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: READ },
        ...secretReaderRules(readableSecrets),
    ];
}

/** The built-in aggregated ClusterRole that grants an access role inside one namespace. */
export function clusterRoleFor(role: AccessRole): string {
    // view/edit/admin are the API server's own aggregated roles; cluster-admin is never granted.
    return role;
}
