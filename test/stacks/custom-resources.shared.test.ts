/** Every custom resource the dev, stage and prod programs emit, against the upstream CRD schemas. */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../mocks";
installMocks();
import { platformProgram } from "../../stacks/program";
import { customResourceErrors, isCoreObject, manifestOf } from "../k8s-schemas";
import { STACKS, stackArgs } from "./stack-config";

describe("custom resources of the stacks, against the upstream CRD schemas", function () {
    this.timeout(60_000);
    for (const stack of STACKS) {
        it(`stack ${stack}`, async () => {
            resetResources();
            platformProgram(stackArgs(stack));
            await settled();
            const custom = resources()
                .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"))
                .map((r) => manifestOf(r.type, r.inputs))
                .filter((m) => !isCoreObject(m));
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
});
