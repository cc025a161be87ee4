import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../mocks";
installMocks();
import { WorkloadIdentity } from "../../../components/aws/workload-identity";
import { SecureNamespace } from "../../../components/kubernetes/secure-namespace";
import { coreObjectErrors, isCoreObject, manifestOf } from "../../k8s-schemas";
import { identityArgs } from "../aws/fixtures";

describe("Kubernetes objects of the foundation components", () => {
    before(async () => {
        resetResources();
        new SecureNamespace("payments", {
            project: "shop",
            env: "dev",
            namespace: "payments",
            owner: "team-payments",
            egress: [{ cidrs: ["10.20.0.0/24"], namespaces: ["databases"], ports: [{ port: 5432 }] }],
            ingress: [{ namespaces: ["ingress-nginx"], ports: [{ port: 8080, protocol: "TCP" }] }],
            access: [{ group: "payments-devs", role: "edit" }],
            deployer: { readableSecrets: ["payments-db"] },
        });
        new WorkloadIdentity("payments-identity", identityArgs({ env: "dev", kubernetesSecretNames: ["payments-db"] }));
        await settled();
    });

    it("validate against the Kubernetes OpenAPI schema", async () => {
        const objects = resources()
            .filter((r) => r.type.startsWith("kubernetes:"))
            .map((r) => manifestOf(r.type, r.inputs));
        assert.ok(objects.length >= 12, `found ${objects.length}`);
        for (const manifest of objects) {
            assert.ok(isCoreObject(manifest), `${manifest.apiVersion} ${manifest.kind} is a built-in kind`);
            assert.deepEqual(await coreObjectErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
        }
    });

    it("the validation rejects a malformed object", async () => {
        const bad = {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "x" },
            spec: { podSelector: {}, egress: [{ ports: [{ port: { any: 1 } }] }] },
        };
        const errors = await coreObjectErrors(bad);
        assert.ok(
            errors.some((e) => e.includes("/spec/egress/0/ports/0/port")),
            errors.join("\n"),
        );
    });
});
