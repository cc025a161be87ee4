import * as pulumi from "@pulumi/pulumi";
import { AppContract, CONTRACT_VERSION, contractVersionProblem } from "./contract";

/** Arguments of a PlatformReference. */
export interface PlatformReferenceArgs {
    /** The platform stack, `<org>/<project>/<stack>`, e.g. `acme/k8s-baseline/prod`. */
    stack: string;
}

/**
 * Typed access to a platform stack's outputs from an application repository. Every getter checks the
 * platform's contract version first, and fails with the missing output or app named and the fix.
 */
export class PlatformReference {
    private readonly ref: pulumi.StackReference;
    private readonly stack: string;
    private readonly version: pulumi.Output<string>;

    constructor(name: string, args: PlatformReferenceArgs, opts?: pulumi.CustomResourceOptions) {
        if (!/^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(args?.stack ?? "")) {
            throw new Error(
                `PlatformReference "${name}": stack ${JSON.stringify(args?.stack)} is not a fully qualified stack name; ` +
                    `fix: give <org>/<project>/<stack>, e.g. "acme/k8s-baseline/prod"`,
            );
        }
        this.stack = args.stack;
        this.ref = new pulumi.StackReference(name, { name: args.stack }, opts);
        this.version = this.ref.getOutput("contractVersion").apply((version) => {
            const problem = contractVersionProblem(version);
            if (problem) {
                throw new Error(
                    `PlatformReference: stack ${this.stack}: ${problem}; fix: deploy a platform that speaks contract ` +
                        `${CONTRACT_VERSION}.x, or upgrade k8s-baseline in this repository`,
                );
            }
            return version as string;
        });
    }

    /** The platform's contract version, once checked compatible. */
    get contractVersion(): pulumi.Output<string> {
        return this.version;
    }

    /** An output of the platform stack, after the version check; fails naming the output when it is absent. */
    private output<T>(key: string): pulumi.Output<T> {
        return pulumi.all([this.version, this.ref.getOutput(key)]).apply(([, value]) => {
            if (value === undefined || value === null) {
                throw new Error(
                    `PlatformReference: stack ${this.stack} has no output "${key}"; fix: run pulumi up on the platform ` +
                        `stack, or check the stack name`,
                );
            }
            return value as T;
        });
    }

    /** The env the platform stack deploys. */
    get env(): pulumi.Output<string> {
        return this.output<string>("env");
    }

    /** ARN of the env's KMS key. */
    get kmsKeyArn(): pulumi.Output<string> {
        return this.output<string>("kmsKeyArn");
    }

    /** ARN of the env's stack secrets key; fails when the platform stack configures none. */
    get stackSecretsKeyArn(): pulumi.Output<string> {
        return this.output<string>("stackSecretsKeyArn");
    }

    /** The ClusterIssuer of the env. */
    get clusterIssuerName(): pulumi.Output<string> {
        return this.output<string>("clusterIssuerName");
    }

    /** Everything the platform provisioned for `app`; fails naming the apps it has when `app` is not one. */
    app(app: string): pulumi.Output<AppContract> {
        return this.output<Record<string, AppContract>>("apps").apply((apps) => {
            const found = apps[app];
            if (!found) {
                throw new Error(
                    `PlatformReference: stack ${this.stack} has no app "${app}" (it has ${Object.keys(apps).sort().join(", ") || "none"}); ` +
                        `fix: declare the app in the platform stack's config, or use its declared name`,
                );
            }
            return found;
        });
    }
}
