/**
 * The platform programs: an env's SecureEnvironment from the stack's configuration, with its outputs as the
 * versioned contract application repositories read (see components/contract.ts); or, for a cluster several
 * envs share, its SecureCluster, with the facts the env stacks read as the `cluster` output.
 */
import * as pulumi from "@pulumi/pulumi";
import { SecureCluster, SecureClusterArgs, sharedClusterFacts } from "../components/cluster";
import { AppContract, CONTRACT_OUTPUTS, CONTRACT_VERSION, PlatformContract } from "../components/contract";
import { ClusterArgs, SecureEnvironment, SecureEnvironmentArgs } from "../components/environment";
import { StackConfig, StackKind } from "./config";

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
    };
}

/** A cluster stack: the shared cluster's add-ons, and its facts as the `cluster` output. */
export function clusterProgram(args: SecureClusterArgs): Record<typeof CLUSTER_OUTPUT, pulumi.Output<unknown>> {
    new SecureCluster("cluster", args);
    return { [CLUSTER_OUTPUT]: pulumi.output(sharedClusterFacts(args)) };
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
            return clusterProgram(config.args);
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
