/**
 * The platform programs: an env's SecureEnvironment from the stack's configuration, with its outputs as the
 * versioned contract application repositories read (see components/contract.ts); or, for a cluster several
 * envs share, its SecureCluster, with the facts the env stacks read as the `cluster` output, and the API
 * clients of its env stacks (`environmentStacks`) read from their contracts first.
 */
import * as pulumi from "@pulumi/pulumi";
import { isEnvironment } from "../components/baseline";
import { KubernetesApiClientsArgs, SecureCluster, SecureClusterArgs, sharedClusterFacts } from "../components/cluster";
import {
    AppContract,
    CONTRACT_OUTPUTS,
    CONTRACT_VERSION,
    contractVersionProblem,
    PlatformContract,
} from "../components/contract";
import { ClusterArgs, SecureEnvironment, SecureEnvironmentArgs } from "../components/environment";
import { isEnvironmentStackName, referencedStackName, StackConfig, StackKind } from "./config";

/** The stack outputs, one per field of the contract. */
export type PlatformOutputs = { [K in keyof PlatformContract]: pulumi.Output<PlatformContract[K]> };

/** The output of a cluster stack its env stacks read: the cluster's facts (SecureCluster). */
export const CLUSTER_OUTPUT = "cluster";

export function platformProgram(args: SecureEnvironmentArgs): PlatformOutputs {
    const environment = new SecureEnvironment(args.env, args);
    return {
        contractVersion: pulumi.output(CONTRACT_VERSION),
        project: pulumi.output(args.project),
        env: pulumi.output(args.env),
        kmsKeyArn: environment.kmsKeyArn,
        clusterIssuerName: environment.clusterIssuerName,
        apps: environment.apps as pulumi.Output<Record<string, AppContract>>,
        ...(environment.stackSecretsKeyArn ? { stackSecretsKeyArn: environment.stackSecretsKeyArn } : {}),
        kubernetesApiNamespaces: environment.kubernetesApiNamespaces,
    };
}

/** A cluster stack: the shared cluster's add-ons, and its facts as the `cluster` output. */
export function clusterProgram(args: SecureClusterArgs): Record<typeof CLUSTER_OUTPUT, pulumi.Output<unknown>> {
    new SecureCluster("cluster", args);
    return { [CLUSTER_OUTPUT]: pulumi.output(sharedClusterFacts(args)) };
}

/**
 * The API clients an env stack on the cluster exports: its env and the namespaces its apps declare to call
 * the Kubernetes API. None when the stack has no output yet (not deployed) or speaks a contract older than
 * the one that carries them (1.2); refused when its contract's major version is not this program's.
 */
async function referencedApiClients(envStack: string): Promise<KubernetesApiClientsArgs | undefined> {
    const reference = new pulumi.StackReference(envStack);
    const read = async (key: keyof PlatformContract) => {
        const details = await reference.getOutputDetails(key);
        return details.value ?? details.secretValue;
    };
    const [version, env, namespaces] = await Promise.all([
        read("contractVersion"),
        read("env"),
        read("kubernetesApiNamespaces"),
    ]);
    if (version === undefined) return undefined;
    const major = `${CONTRACT_VERSION.split(".")[0]}.0`;
    const problem = contractVersionProblem(version, major);
    if (problem) {
        throw new Error(
            `stack ${envStack}: ${problem}; fix: deploy the env stack with this version of k8s-baseline, or remove it from environmentStacks`,
        );
    }
    if (namespaces === undefined) return undefined;
    // The env is the one the stack's name gives it (as every env stack's config is held to): an env stack
    // speaks for its own env's namespaces only, whatever env its outputs claim.
    const name = referencedStackName(envStack);
    if (!isEnvironment(env) || !isEnvironmentStackName(name, env)) {
        throw new Error(
            `stack ${envStack}: exports env ${JSON.stringify(env)}, which is not the env its name ${name} gives it; fix: list in environmentStacks only the env stacks of this cluster, each deployed as the env of its name`,
        );
    }
    return { env, namespaces: namespaces as string[] };
}

/**
 * A cluster stack whose env stacks are named: their API clients are read first, then the cluster is
 * planned with them, so that its Falco rule spares exactly the namespaces each env declares.
 */
function clusterProgramWithEnvironments(
    args: SecureClusterArgs,
    environmentStacks: readonly string[],
): Record<typeof CLUSTER_OUTPUT, pulumi.Output<unknown>> {
    if (environmentStacks.length === 0) return clusterProgram(args);
    const facts = Promise.all(environmentStacks.map(referencedApiClients)).then((clients) => {
        const kubernetesApiClients = clients.filter((c): c is KubernetesApiClientsArgs => c !== undefined);
        return clusterProgram({ ...args, kubernetesApiClients })[CLUSTER_OUTPUT];
    });
    return { [CLUSTER_OUTPUT]: pulumi.output(facts) };
}

/** The facts a cluster stack exports, read through a StackReference before the env is planned. */
async function referencedCluster(clusterStack: string): Promise<ClusterArgs> {
    const reference = new pulumi.StackReference(clusterStack);
    const details = await reference.getOutputDetails(CLUSTER_OUTPUT);
    const cluster = (details.value ?? details.secretValue) as ClusterArgs | undefined;
    if (typeof cluster !== "object" || cluster === null) {
        throw new Error(
            `stack ${clusterStack} has no output ${CLUSTER_OUTPUT}: deploy the cluster stack (a stack with cluster and no env) before the env stacks on it`,
        );
    }
    return cluster;
}

/**
 * The program of any stack: a cluster stack's, or an env stack's. An env on a shared cluster reads the
 * cluster's facts from its stack first, then plans as any env: its outputs are the contract's, resolved once
 * the environment exists.
 */
export function stackProgram(config: StackConfig): Record<string, pulumi.Output<unknown>> {
    switch (config.kind) {
        case StackKind.Cluster:
            return clusterProgramWithEnvironments(config.args, config.environmentStacks);
        case StackKind.Environment:
            return platformProgram(config.args);
        case StackKind.SharedEnvironment: {
            const outputs = referencedCluster(config.clusterStack).then((cluster) =>
                platformProgram({ ...config.args, cluster }),
            );
            return Object.fromEntries(
                CONTRACT_OUTPUTS.filter((key) => key !== "stackSecretsKeyArn" || config.args.stackSecrets).map(
                    (key) => [key, pulumi.output(outputs.then((o) => o[key] as pulumi.Output<unknown>))],
                ),
            );
        }
    }
}
