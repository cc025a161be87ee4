/**
 * The TracingPolicyNamespaced objects the Tetragon engine emits, and the sensor's Kyverno PolicyException,
 * validate against the upstream CRD schemas (../shared/crds/schemas/cilium.io_tracingpolicynamespaced_v1alpha1.json,
 * policies.kyverno.io_policyexception_v1.json).
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { RuntimeSecurity, RuntimeSecurityEngine } from "../../../../components/addons/runtime-security";
import { ENVIRONMENTS, namespaceEnvironment, NamespaceLayout } from "../../../../components/baseline";
import { SecureClusterArgs, sharedClusterFacts } from "../../../../components/cluster";
import { SecureEnvironment } from "../../../../components/environment";
import { stackConfig } from "../../../../policy-pack/harness/stack-config";
import { stackArgs } from "../../../stacks/stack-config";
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

    for (const stack of ["shared-dev", "shared-stage"] as const) {
        it(`TracingPolicyNamespaced of ${stack}, on a shared cluster whose sensor is Tetragon`, async () => {
            resetResources();
            const cluster = structuredClone(stackConfig("shared-cluster").args as SecureClusterArgs);
            cluster.runtimeSecurity = { engine: RuntimeSecurityEngine.Tetragon };
            const args = { ...stackArgs(stack), cluster: sharedClusterFacts(cluster) };
            new SecureEnvironment(args.env, args);
            await settled();
            const tracing = resources()
                .filter((r) => r.type === "kubernetes:cilium.io/v1alpha1:TracingPolicyNamespaced")
                .map((r) => manifestOf(r.type, r.inputs));
            // Three app namespaces: a token-read policy each, an API policy in the two not declared to call it.
            assert.equal(tracing.length, 5);
            for (const m of tracing) {
                assert.equal(namespaceEnvironment(m.metadata!.namespace!, NamespaceLayout.PerApp), args.env);
                assert.deepEqual(customResourceErrors(m), [], `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`);
            }
        });
    }
});
