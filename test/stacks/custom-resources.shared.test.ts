/**
 * Every custom resource the stacks' programs emit, against the upstream CRD schemas: dev, stage and prod on
 * clusters of their own, and the shared layout's cluster and env stacks.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, mockStackOutputs, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { referencedStackOutputs, stackConfig } from "../../policy-pack/harness/stack-config";
import { StackKind } from "../../stacks/config";
import { platformProgram, stackProgram } from "../../stacks/program";
import { customResourceErrors, isCoreObject, manifestOf } from "../k8s-schemas";
import { STACKS, stackArgs } from "./stack-config";

describe("custom resources of the stacks, against the upstream CRD schemas", function () {
    this.timeout(60_000);
    /** The custom resources of the resources registered so far. */
    const customResources = () =>
        resources()
            .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"))
            .map((r) => manifestOf(r.type, r.inputs))
            .filter((m) => !isCoreObject(m));
    for (const stack of STACKS) {
        it(`stack ${stack}`, async () => {
            resetResources();
            platformProgram(stackArgs(stack));
            await settled();
            const custom = customResources();
            const kinds = new Set(custom.map((m) => `${m.apiVersion} ${m.kind}`));
            for (const expected of [
                "external-secrets.io/v1 SecretStore",
                "external-secrets.io/v1 ExternalSecret",
                "policies.kyverno.io/v1 ValidatingPolicy",
                "cert-manager.io/v1 ClusterIssuer",
            ]) {
                assert.ok(kinds.has(expected), `${stack} emits ${expected}; it emits ${[...kinds].join(", ")}`);
            }
            for (const manifest of custom) {
                assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    }

    // The env stacks on the shared cluster run with their cluster's facts in hand (stackArgs resolves the
    // cluster stack reference from its stack file); the add-ons' resources are the cluster stack's.
    const shared: [string, () => Record<string, pulumi.Output<unknown>>, string[]][] = [
        [
            "shared-cluster",
            () => {
                // The cluster stack reads its env stacks' outputs, as the plan answers them from their stack files.
                const config = stackConfig("shared-cluster");
                const envStacks = config.kind === StackKind.Cluster ? config.environmentStacks : [];
                for (const stack of envStacks) mockStackOutputs(stack, referencedStackOutputs(stack));
                return stackProgram(config);
            },
            ["policies.kyverno.io/v1 ValidatingPolicy"],
        ],
        [
            "shared-dev",
            () => platformProgram(stackArgs("shared-dev")),
            [
                "external-secrets.io/v1 SecretStore",
                "external-secrets.io/v1 ExternalSecret",
                "policies.kyverno.io/v1 ValidatingPolicy",
            ],
        ],
        [
            "shared-stage",
            () => platformProgram(stackArgs("shared-stage")),
            [
                "external-secrets.io/v1 SecretStore",
                "external-secrets.io/v1 ExternalSecret",
                "policies.kyverno.io/v1 ValidatingPolicy",
            ],
        ],
    ];
    for (const [stack, program, expected] of shared) {
        it(`stack ${stack} (shared layout)`, async () => {
            resetResources();
            // A cluster stack plans once its env stacks' outputs are read: its outputs resolve after that.
            const outputs = program() as Record<string, pulumi.Output<unknown>>;
            await Promise.all(Object.values(outputs).map((output) => settle(output)));
            await settled();
            const custom = customResources();
            const kinds = new Set(custom.map((m) => `${m.apiVersion} ${m.kind}`));
            for (const kind of expected)
                assert.ok(kinds.has(kind), `${stack} emits ${kind}; it emits ${[...kinds].join(", ")}`);
            for (const manifest of custom) {
                assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    }
});
