/**
 * The platform program for one environment: a SecureEnvironment from the stack's configuration, and its
 * outputs as the versioned contract application repositories read (see components/contract.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { AppContract, CONTRACT_VERSION, PlatformContract } from "../components/contract";
import { SecureEnvironment, SecureEnvironmentArgs } from "../components/environment";

/** The stack outputs, one per field of the contract. */
export type PlatformOutputs = { [K in keyof PlatformContract]: pulumi.Output<PlatformContract[K]> };

export function platformProgram(args: SecureEnvironmentArgs): PlatformOutputs {
    const environment = new SecureEnvironment(args.env, args);
    return {
        contractVersion: pulumi.output(CONTRACT_VERSION),
        project: pulumi.output(args.project),
        env: pulumi.output(args.env),
        kmsKeyArn: environment.kmsKeyArn,
        clusterIssuerName: environment.clusterIssuerName,
        apps: environment.apps as pulumi.Output<Record<string, AppContract>>,
    };
}
