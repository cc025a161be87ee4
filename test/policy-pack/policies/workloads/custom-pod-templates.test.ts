/** Custom resources that carry a pod template are judged by it, as a Deployment is by its own. */
import * as assert from "node:assert/strict";
import { CUSTOM_POD_TEMPLATES } from "../../../../components/baseline";
import { checkResource } from "../../../../policy-pack/engine";
import { ALL_POLICIES } from "../../../../policy-pack/policies";
import { kubernetesTypeOf } from "../../../../policy-pack/policies/resource";
import { POD_TYPES } from "../../../../policy-pack/policies/workloads";
import { settingsFrom } from "../../../../policy-pack/settings";

const PRIVILEGED_POD = {
    hostPID: true,
    containers: [{ name: "c", image: "docker.io/library/busybox:1.36", securityContext: { privileged: true } }],
};

/** `value` placed at `path` inside an otherwise empty object. */
function at(path: readonly string[], value: unknown): Record<string, any> {
    return path.reduceRight<any>((inner, key) => ({ [key]: inner }), value);
}

describe("custom resources with a pod template", () => {
    const settings = settingsFrom({ env: "prod" });

    for (const [key, path] of Object.entries(CUSTOM_POD_TEMPLATES)) {
        const split = key.lastIndexOf(":");
        const type = kubernetesTypeOf(key.slice(0, split), key.slice(split + 1));

        it(`${key}: its template at ${path.join(".")} is judged by the pod policies`, () => {
            assert.ok(POD_TYPES.includes(type), type);
            const props = { metadata: { name: "x", namespace: "payments" }, ...at(path, { spec: PRIVILEGED_POD }) };
            const found = checkResource({ type, name: "x", props }, ALL_POLICIES, settings);
            const checks = found.filter((v) => v.policy === "pod-security-baseline").map((v) => v.check);
            assert.ok(checks.includes("privileged") && checks.includes("hostNamespaces"), JSON.stringify(found));
            assert.ok(found.some((v) => v.policy === "workloads-approved-registries"));
        });
    }

    it("does not take a core Service for Knative's, nor a template elsewhere for one", () => {
        const core = { metadata: { name: "x", namespace: "payments" }, spec: { template: { spec: PRIVILEGED_POD } } };
        const found = checkResource(
            { type: "kubernetes:core/v1:Service", name: "x", props: core },
            ALL_POLICIES,
            settings,
        );
        assert.equal(found.filter((v) => v.policy.startsWith("pod-security")).length, 0);
    });
});
