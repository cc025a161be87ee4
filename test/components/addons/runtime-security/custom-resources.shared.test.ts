/**
 * The TracingPolicyNamespaced objects the Tetragon engine emits validate against the upstream CRD schema
 * (../shared/crds/schemas/cilium.io_tracingpolicynamespaced_v1alpha1.json).
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { RuntimeSecurity, RuntimeSecurityEngine } from "../../../../components/addons/runtime-security";
import { ENVIRONMENTS } from "../../../../components/baseline";
import { customResourceErrors, isCoreObject, manifestOf } from "../../../k8s-schemas";

describe("Tetragon custom resources, against the upstream CRD schema", () => {
    beforeEach(resetResources);

    for (const env of ENVIRONMENTS) {
        it(`TracingPolicyNamespaced in ${env}`, async () => {
            new RuntimeSecurity("rs", {
                env,
                engine: RuntimeSecurityEngine.Tetragon,
                namespaces: [`${env}-a`, `${env}-b`],
                kubernetesApiNamespaces: [`${env}-b`],
            });
            await settled();
            const manifests = resources()
                .filter((r) => r.type.startsWith("kubernetes:") && r.custom)
                .map((r) => manifestOf(r.type, r.inputs))
                .filter((m) => !isCoreObject(m));
            assert.equal(manifests.length, 3);
            for (const m of manifests) {
                assert.equal(m.kind, "TracingPolicyNamespaced");
                assert.deepEqual(customResourceErrors(m), [], `${m.metadata?.namespace}/${m.metadata?.name}`);
            }
        });
    }
});
