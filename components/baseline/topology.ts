/**
 * How environments are laid out on clusters: each env on a cluster of its own, or several envs sharing one
 * cluster (the seeds' namespaces-per-env drawing). Every name two envs could meet on a shared cluster is
 * built from these rules, which the components, the Kyverno policy generator and the pack all read.
 */
import { Environment, ENVIRONMENTS, isEnvironment } from "./environments";
import { otherEnvironmentsNamedIn } from "./naming";

/** Whether an env has a cluster of its own or shares one with other envs. */
export const ClusterLayout = {
    /** One cluster per env: the env's stack installs the add-ons itself. */
    Dedicated: "dedicated",
    /** Several envs on one cluster: a cluster stack installs the add-ons, each env stack its own objects. */
    Shared: "shared",
} as const;
export type ClusterLayout = (typeof ClusterLayout)[keyof typeof ClusterLayout];

/** How an env's apps are laid out in namespaces on a shared cluster. */
export const NamespaceLayout = {
    /** A namespace per app and env: `<namespace>-<env>` (`payments-dev`). */
    PerApp: "per-app",
    /** One namespace per env, as the seeds draw it: `<env>` (`dev`), every app of the env in it. */
    PerEnv: "per-env",
} as const;
export type NamespaceLayout = (typeof NamespaceLayout)[keyof typeof NamespaceLayout];

/** The layout an env runs in, as its stack declares it and the pack config records it. */
export interface ClusterTopology {
    /** A cluster of the env's own, or one several envs share. */
    readonly layout: ClusterLayout;
    /** Shared layout only. Default: per-app. */
    readonly namespaceLayout: NamespaceLayout;
    /**
     * The envs on the cluster, this one included: `[env]` when dedicated. A plain array: component Args carry
     * the topology, and Pulumi's component provider host accepts no readonly array types.
     */
    readonly environments: Environment[];
    /** Prod shares the cluster with a lower env, and the configuration says so explicitly. */
    readonly allowProdWithLowerEnvironments: boolean;
}

/** The topology of an env with a cluster of its own. */
export function dedicatedTopology(env: Environment): ClusterTopology {
    return {
        layout: ClusterLayout.Dedicated,
        namespaceLayout: NamespaceLayout.PerApp,
        environments: [env],
        allowProdWithLowerEnvironments: false,
    };
}

/** True when the cluster hosts more than one env. */
export function isSharedCluster(topology: ClusterTopology): boolean {
    return topology.layout === ClusterLayout.Shared;
}

/**
 * The namespace an app declared in `namespace` (its own name by default) lives in for `env`: as declared on
 * a dedicated cluster, `<namespace>-<env>` or `<env>` on a shared one.
 */
export function environmentNamespace(namespace: string, env: Environment, topology: ClusterTopology): string {
    if (!isSharedCluster(topology)) return namespace;
    return topology.namespaceLayout === NamespaceLayout.PerEnv ? env : `${namespace}-${env}`;
}

/**
 * The env a namespace of a shared cluster belongs to by its name under `namespaceLayout`, or undefined when
 * its name carries no env (a namespace two envs could both claim).
 */
export function namespaceEnvironment(namespace: string, namespaceLayout: NamespaceLayout): Environment | undefined {
    if (namespaceLayout === NamespaceLayout.PerEnv) return isEnvironment(namespace) ? namespace : undefined;
    return ENVIRONMENTS.find((env) => namespace.endsWith(`-${env}`) && namespace.length > env.length + 1);
}

/** True when `namespace` is one of `env`'s on a cluster laid out as `topology`. */
export function namespaceBelongsTo(namespace: string, env: Environment, topology: ClusterTopology): boolean {
    if (!isSharedCluster(topology)) return true;
    return namespaceEnvironment(namespace, topology.namespaceLayout) === env;
}

/**
 * `<base>-<env>`: the name of a cluster-scoped object an env owns on a shared cluster (a ClusterIssuer, a
 * Kyverno policy, a ClusterRole), so that one env's object never overwrites another's. Dedicated clusters
 * keep `base`.
 */
export function environmentScopedName(base: string, env: Environment, topology: ClusterTopology): string {
    return isSharedCluster(topology) ? `${base}-${env}` : base;
}

/**
 * The Kubernetes group a team of people of `env` is known by: `<team>-<env>` on a shared cluster, `team` on a
 * dedicated one. The group SecureNamespace binds and the group ClusterAccess's access entry puts the team's
 * IAM role in are this one name, so a team's role in one env is never in a group another env binds.
 */
export function environmentGroupName(team: string, env: Environment, topology: ClusterTopology): string {
    return environmentScopedName(team, env, topology);
}

/**
 * True when `group` is a Kubernetes group of `env`'s people on a cluster laid out as `topology`: any group on
 * a dedicated cluster; on a shared one only `environmentGroupName(<team>, env, topology)`, `<team>-<env>`,
 * of a team whose name names no other env. ClusterAccess requires it of the groups it puts roles in, and the
 * pack of every access entry's groups.
 */
export function isEnvironmentGroupName(group: string, env: Environment, topology: ClusterTopology): boolean {
    if (!isSharedCluster(topology)) return true;
    const suffix = `-${env}`;
    return (
        group.endsWith(suffix) &&
        group.length > suffix.length &&
        otherEnvironmentsNamedIn(group.slice(0, -suffix.length), env).length === 0
    );
}

/** The team a group of people is named for, without the env suffix environmentGroupName adds. */
export function groupTeamName(group: string): string {
    return group.replace(new RegExp(`-(${ENVIRONMENTS.join("|")})$`), "");
}

/**
 * What to name `group`, which isEnvironmentGroupName refuses, instead: its team's group of `env`, or, when its
 * team's name names another env (so that no suffix helps), a team name that names none.
 */
export function environmentGroupNameFix(group: string, env: Environment, topology: ClusterTopology): string {
    const named = environmentGroupName(groupTeamName(group), env, topology);
    return isEnvironmentGroupName(named, env, topology) ? named : "a team name that names no other env";
}

/** Why `topology` is unsafe or inconsistent for `env`, or an empty list. Each entry names a field and a fix. */
export function topologyProblems(
    topology: ClusterTopology,
    env: Environment,
): { field: string; problem: string; fix: string }[] {
    const problems: { field: string; problem: string; fix: string }[] = [];
    const envs = topology.environments;
    if (!envs.includes(env)) {
        problems.push({
            field: "environments",
            problem: `does not list ${env}, the env being deployed`,
            fix: `list every env on the cluster, ${env} included`,
        });
    }
    const unknown = envs.filter((e) => !isEnvironment(e));
    if (unknown.length > 0) {
        problems.push({
            field: "environments",
            problem: `${unknown.map((e) => JSON.stringify(e)).join(", ")} is not a known environment`,
            fix: `use ${ENVIRONMENTS.join(", ")}`,
        });
    }
    if (new Set(envs).size !== envs.length) {
        problems.push({ field: "environments", problem: "lists an env twice", fix: "list each env once" });
    }
    if (topology.layout === ClusterLayout.Dedicated && envs.length > 1) {
        problems.push({
            field: "layout",
            problem: `is dedicated, but ${envs.join(", ")} are listed on the cluster`,
            fix: "use the shared layout for a cluster that several envs share",
        });
    }
    if (topology.layout === ClusterLayout.Shared) {
        const lower = envs.filter((e) => e !== Environment.Prod);
        if (envs.includes(Environment.Prod) && lower.length > 0 && !topology.allowProdWithLowerEnvironments) {
            problems.push({
                field: "allowProdWithLowerEnvironments",
                problem: `prod would share the cluster with ${lower.join(", ")}: a node or add-on compromise in a lower env reaches prod`,
                fix: "give prod a cluster of its own, or set allowProdWithLowerEnvironments: true to accept the risk",
            });
        }
    }
    return problems;
}

/**
 * The profile namespaces of a shared cluster that belong to none of its envs (no `env` label, or one naming
 * an env the cluster does not host) are judged at: prod's, the strictest, so that a namespace nobody claimed
 * is never the easy way in.
 */
export const UNCLAIMED_NAMESPACE_PROFILE: Environment = Environment.Prod;

/** `<base>-unclaimed`: the name of an object that judges the namespaces of a shared cluster no env claims. */
export function unclaimedScopedName(base: string): string {
    return `${base}-unclaimed`;
}

/**
 * True when `namespace`, by its name, is one no env of the shared cluster `topology` claims: its name carries
 * no env, or an env the cluster does not host.
 */
export function namespaceUnclaimed(namespace: string, topology: ClusterTopology): boolean {
    return !topology.environments.some((env) => namespaceBelongsTo(namespace, env, topology));
}

/** The topology fields as a cluster's arguments or a stack's configuration give them, each optional. */
export interface ClusterTopologyFields {
    readonly layout?: ClusterLayout;
    readonly namespaceLayout?: NamespaceLayout;
    readonly environments?: Environment[];
    readonly allowProdWithLowerEnvironments?: boolean;
}

/**
 * The topology `env` runs in from the optional fields: dedicated unless `layout` says shared, the per-app
 * namespace layout unless `namespaceLayout` says per-env, `[env]` unless the envs on the cluster are listed.
 */
export function clusterTopology(env: Environment, fields: ClusterTopologyFields = {}): ClusterTopology {
    const layout = fields.layout ?? ClusterLayout.Dedicated;
    return {
        layout,
        namespaceLayout: fields.namespaceLayout ?? NamespaceLayout.PerApp,
        environments: [...(fields.environments ?? [env])],
        allowProdWithLowerEnvironments: fields.allowProdWithLowerEnvironments ?? false,
    };
}

/**
 * The strictest of `envs` (prod over stage over dev): the profile a shared cluster's own objects, its add-ons
 * and their namespaces, are held to, so that no env on the cluster is served by add-ons laxer than its own.
 */
export function strictestEnvironment(envs: readonly Environment[]): Environment {
    const known = ENVIRONMENTS.filter((env) => envs.includes(env));
    if (known.length === 0) throw new Error("strictestEnvironment: no known environment given");
    return known[known.length - 1];
}

/**
 * True when `name`, the name of a cluster-scoped object of `env`, is env-scoped on a cluster laid out as
 * `topology`: it carries `env` as a whole word, as environmentScopedName's `<base>-<env>` and names built
 * with appResourceName (`shop-dev-acme`) do, so another env's copy, named the same way, is another object.
 * Always true on a dedicated cluster.
 */
export function isEnvironmentScopedName(name: string, env: Environment, topology: ClusterTopology): boolean {
    if (!isSharedCluster(topology)) return true;
    return name
        .toLowerCase()
        .split(/[-/.:_]/)
        .includes(env);
}

/**
 * The namespaces `env` owns on a shared cluster laid out as `namespaceLayout`, as a name pattern in which `*`
 * stands for one or more characters of a name: `dev` (per-env) or `*-dev` (per-app). The inverse of
 * namespaceEnvironment, for judging wildcards (a trust subject, a Vault role) against another env's namespaces.
 */
export function environmentNamespacePattern(env: Environment, namespaceLayout: NamespaceLayout): string {
    return namespaceLayout === NamespaceLayout.PerEnv ? env : `*-${env}`;
}
