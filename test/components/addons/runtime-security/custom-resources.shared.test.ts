/**
 * The TracingPolicyNamespaced objects the Tetragon engine emits, and the sensor's Kyverno PolicyException,
 * validate against the upstream CRD schemas (../shared/crds/schemas/cilium.io_tracingpolicynamespaced_v1alpha1.json,
 * policies.kyverno.io_policyexception_v1.json).
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { RuntimeSecurity, RuntimeSecurityEngine } from "../../../../components/addons/runtime-security";
import { ENVIRONMENTS } from "../../../../components/baseline";
import { customResourceErrors, isCoreObject, manifestOf } from "../../../k8s-schemas";

describe("RuntimeSecurity's custom resources (Tetragon's policies, the sensor's PolicyException), against the upstream CRD schemas", () => {
    beforeEach(resetResources);

    for (const env of ENVIRONMENTS) {
        it(`TracingPolicyNamespaced in ${env}`, async () => {
            new RuntimeSecurity("rs", {
                env,
                engine: RuntimeSecurityEngine.Tetragon,
                namespaces: [`${env}-a`, `${env}-b`],
                kubernetesApiNamespaces: [`${env}-b`],
                apiServerCidrs: ["10.0.0.0/24"],
            });
            await settled();
            const manifests = resources()
                .filter((r) => r.type.startsWith("kubernetes:") && r.custom)
                .map((r) => manifestOf(r.type, r.inputs))
                .filter((m) => !isCoreObject(m));
            const tracing = manifests.filter((m) => m.kind === "TracingPolicyNamespaced");
            assert.equal(tracing.length, 3);
            const exceptions = manifests.filter((m) => m.kind === "PolicyException");
            assert.equal(exceptions.length, 1);
            assert.equal(manifests.length, 4);
            for (const m of manifests) {
                assert.deepEqual(customResourceErrors(m), [], `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`);
            }
        });
    }
});
