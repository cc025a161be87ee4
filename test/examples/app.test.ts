import * as assert from "node:assert/strict";
import { installMocks, mockStackOutputs, named, resetResources, settled } from "../mocks";
installMocks();
import { baseline, CONTRACT_VERSION, PlatformReference } from "../../components";
import { deployApp } from "../../examples/app/app";
import { coreObjectErrors, manifestOf } from "../k8s-schemas";

const STACK = "acme/k8s-baseline/prod";
const IMAGE = `333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments@sha256:${"ab".repeat(32)}`;

describe("examples/app", () => {
    before(() =>
        mockStackOutputs(STACK, {
            contractVersion: CONTRACT_VERSION,
            project: "shop",
            env: "prod",
            kmsKeyArn: "arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            clusterIssuerName: "shop-prod-acme",
            apps: {
                payments: {
                    namespace: "payments",
                    serviceAccountName: "payments",
                    roleArn: "arn:aws:iam::333333333333:role/shop-prod-payments",
                    secretStoreName: "payments-store",
                    secretNames: ["payments-db-password", "payments-psp-api-key"],
                },
            },
        }),
    );
    beforeEach(resetResources);

    it("deploys into the app's namespace as its ServiceAccount, with the Secrets the platform syncs", async () => {
        deployApp(new PlatformReference("platform", { stack: STACK }), { app: "payments", image: IMAGE, port: 8080 });
        await settled();
        const deployment = named("kubernetes:apps/v1:Deployment", "payments").inputs;
        assert.equal(deployment.metadata.namespace, "payments");
        const pod = deployment.spec.template.spec;
        assert.equal(pod.serviceAccountName, "payments");
        assert.equal(pod.automountServiceAccountToken, false);
        assert.deepEqual(pod.containers[0].envFrom, [
            { secretRef: { name: "payments-db-password" } },
            { secretRef: { name: "payments-psp-api-key" } },
        ]);
        assert.deepEqual(await coreObjectErrors(manifestOf("kubernetes:apps/v1:Deployment", deployment)), []);
    });

    it("meets the baseline: digest, approved registry, restricted context, probes, resources", async () => {
        deployApp(new PlatformReference("platform", { stack: STACK }), { app: "payments", image: IMAGE, port: 8080 });
        await settled();
        const pod = named("kubernetes:apps/v1:Deployment", "payments").inputs.spec.template.spec;
        const [container] = pod.containers;
        assert.ok(baseline.imageHasDigest(container.image));
        assert.ok(baseline.imageFromRegistry(container.image, ["333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/"]));
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.deepEqual(container.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.ok(container.livenessProbe && container.readinessProbe);
        for (const kind of ["requests", "limits"]) {
            assert.ok(container.resources[kind].cpu && container.resources[kind].memory, kind);
        }
    });

    it("refuses an image that is not pinned by digest", () => {
        assert.throws(
            () =>
                deployApp(new PlatformReference("platform", { stack: STACK }), {
                    app: "payments",
                    image: "333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments:latest",
                    port: 8080,
                }),
            /is not pinned by digest/,
        );
    });
});
