/**
 * A stack's configuration read from stacks/Pulumi.<stack>.yaml, as the engine would hand the program its
 * `k8s-baseline:*` keys: what the offline plan runs the platform program with. A shared env stack's cluster
 * stack reference resolves to what the cluster stack, planned from its own stack file, exports.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    ArgumentError,
    ClusterTopology,
    environmentNamespace,
    Environment,
    strictestEnvironment,
} from "../../components/baseline";
import { planSharedCluster, sharedClusterFacts } from "../../components/cluster";
import { CONTRACT_VERSION } from "../../components/contract";
import {
    ClusterArgs,
    environmentKubernetesApiNamespaces,
    environmentTopology,
    SecureEnvironmentArgs,
} from "../../components/environment";
import {
    CONFIG_NAMESPACE,
    ConfigError,
    crossStackProblems,
    parseStack,
    parseStackConfig,
    referencedStackName,
    StackConfig,
    StackKind,
} from "../../stacks/config";
import { CLUSTER_OUTPUT } from "../../stacks/program";
import { stackNames } from "./paths";
import { stackFileConfig } from "./stack-file";

export { stackConfigText, stackFileConfig } from "./stack-file";

/** The `k8s-baseline:*` values of a stack file, without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stackFileConfig(stack))) {
        const [namespace, name] = key.split(":");
        if (namespace === CONFIG_NAMESPACE && name !== undefined) values[name] = value;
    }
    return values;
}

/** Secret config has no value offline: each secret reads as a secret placeholder naming its key. */
const placeholderSecret = (key: string) => pulumi.secret(`<secret ${key}>`);

/** The configuration of a stack file: which kind of stack, and its arguments. */
export function stackConfig(stack: string, values: Record<string, unknown> = stackValues(stack)): StackConfig {
    return parseStack(stack, values, placeholderSecret);
}

/**
 * What a cluster stack exports as its `cluster` output, planned from its stack file: the facts a shared env
 * stack reads through `clusterStack` (`organization/project/<stack>`).
 */
export function referencedClusterFacts(clusterStack: string): ClusterArgs {
    const stack = referencedStackName(clusterStack);
    const config = stackConfig(stack);
    if (config.kind !== StackKind.Cluster) {
        throw new ConfigError(stack, [
            `${CONFIG_NAMESPACE}:env: is set, but stack ${stack} is referenced as a cluster stack (clusterStack ${clusterStack}); fix: name a stack with cluster and no env`,
        ]);
    }
    return sharedClusterFacts(config.args);
}

/**
 * The outputs of a referenced stack, as the offline plan's mocks answer a StackReference with them: a
 * cluster stack's facts, or what a cluster stack reads of an env stack (its contract's version, env and API
 * client namespaces), planned from the stack files.
 */
export function referencedStackOutputs(referenced: string): Record<string, unknown> {
    const stack = referencedStackName(referenced);
    const config = stackConfig(stack);
    if (config.kind === StackKind.Cluster) return { [CLUSTER_OUTPUT]: referencedClusterFacts(referenced) };
    const args = stackArgs(stack);
    return {
        contractVersion: CONTRACT_VERSION,
        env: args.env,
        kubernetesApiNamespaces: environmentKubernetesApiNamespaces(args),
    };
}

/**
 * The SecureEnvironment arguments of an env stack (or of `values` given for it, e.g. a stack file changed by
 * a test); a shared env's cluster is its cluster stack's facts.
 */
export function stackArgs(stack: string, values: Record<string, unknown> = stackValues(stack)): SecureEnvironmentArgs {
    return parseStackConfig(stack, values, placeholderSecret, referencedClusterFacts);
}

/** The env a stack's pack config judges it as: its env, or a cluster stack's strictest env. */
export function stackEnvironment(stack: string): Environment {
    const config = stackConfig(stack);
    if (config.kind !== StackKind.Cluster) return config.args.env;
    return strictestEnvironment(sharedClusterFacts(config.args).environments ?? []);
}

/** True when `stack` deploys a shared cluster's add-ons (its configuration sets no env). */
export function isClusterStack(stack: string): boolean {
    return stackConfig(stack).kind === StackKind.Cluster;
}

/** The topology a stack runs in, as its pack config records it (the ClusterTopology fields). */
export function stackTopology(stack: string): ClusterTopology {
    const config = stackConfig(stack);
    if (config.kind === StackKind.Cluster) {
        const facts = sharedClusterFacts(config.args);
        return environmentTopology({ env: stackEnvironment(stack), cluster: facts } as SecureEnvironmentArgs);
    }
    return environmentTopology(stackArgs(stack));
}

/**
 * The pack's settings for a stack, as its `--policy-pack-config` would give them to every policy: the env,
 * the env's app registries, and the ServiceAccounts of the apps the stack declares to call the Kubernetes
 * API (`callsKubernetesApi`), whose pods keep their API token, in the namespaces the topology gives them.
 */
export function packSettings(stack: string): {
    env: string;
    accountId?: string;
    registries: string[];
    apiAccessServiceAccounts: string[];
} {
    const values = stackValues(stack) as {
        accountId?: unknown;
        registries?: string[];
        apps?: { name: string; namespace?: string; serviceAccountName?: string; callsKubernetesApi?: boolean }[];
    };
    const env = stackEnvironment(stack);
    const topology = stackTopology(stack);
    return {
        env,
        ...(values.accountId === undefined ? {} : { accountId: String(values.accountId) }),
        registries: [...(values.registries ?? [])],
        apiAccessServiceAccounts: (values.apps ?? [])
            .filter((app) => app.callsKubernetesApi)
            .map(
                (app) =>
                    `${environmentNamespace(app.namespace ?? app.name, env, topology)}/${app.serviceAccountName ?? app.name}`,
            ),
    };
}

/**
 * Problems across every stack file: two stacks declaring one cluster without the shared layout
 * (crossStackProblems), and, per cluster stack, its env stacks checked together (planSharedCluster).
 */
export function stackFileProblems(stacks: readonly string[] = stackNames()): string[] {
    const configs = Object.fromEntries(stacks.map((stack) => [stack, stackConfig(stack)]));
    const problems = crossStackProblems(configs);
    for (const [clusterStack, config] of Object.entries(configs)) {
        if (config.kind !== StackKind.Cluster) continue;
        const envStacks = Object.entries(configs).filter(
            ([, c]) => c.kind === StackKind.SharedEnvironment && referencedStackName(c.clusterStack) === clusterStack,
        );
        try {
            planSharedCluster(
                envStacks.map(([stack]) => stackArgs(stack)),
                config.args,
            );
        } catch (e) {
            if (!(e instanceof ArgumentError)) throw e;
            problems.push(...e.problems.map((p) => `cluster stack ${clusterStack}: ${p}`));
        }
    }
    return problems;
}
