/**
 * Every custom resource the Kyverno add-on emits validates against the upstream CRD schema of Kyverno
 * v1.19.0 (../shared/crds/schemas), in every environment and with every optional part present.
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { BaselinePolicies, EnvironmentIsolationPolicies, PolicyCoverage } from "../../../../components/addons/kyverno";
import { ENVIRONMENTS } from "../../../../components/baseline";
import { customResourceErrors, isCoreObject, manifestOf } from "../../../k8s-schemas";
import { daysFromToday, exceptionArgs, KEYLESS, policiesArgs, PUBLIC_KEY, sharedTopology } from "./fixtures";

async function emitted(): Promise<ReturnType<typeof manifestOf>[]> {
    await settled();
    return resources()
        .filter((r) => r.type.startsWith("kubernetes:") && r.custom)
        .map((r) => manifestOf(r.type, r.inputs))
        .filter((m) => !isCoreObject(m));
}

describe("Kyverno custom resources, against the upstream CRD schemas", () => {
    beforeEach(resetResources);

    for (const env of ENVIRONMENTS) {
        it(`BaselinePolicies in ${env}, keyless verification and exceptions`, async () => {
            new BaselinePolicies(
                "cluster",
                policiesArgs({
                    env,
                    imageVerification: { keyless: KEYLESS },
                    exceptions: [
                        exceptionArgs(),
                        exceptionArgs({
                            name: "reports-unsigned",
                            policies: ["baseline-verify-image-signatures", "baseline-require-image-digest"],
                            matchLabels: { "app.kubernetes.io/name": "reports" },
                        }),
                    ],
                }),
            );
            const manifests = await emitted();
            assert.deepEqual([...new Set(manifests.map((m) => `${m.apiVersion} ${m.kind}`))].sort(), [
                "policies.kyverno.io/v1 ImageValidatingPolicy",
                "policies.kyverno.io/v1 MutatingPolicy",
                "policies.kyverno.io/v1 PolicyException",
                "policies.kyverno.io/v1 ValidatingPolicy",
            ]);
            for (const manifest of manifests) {
                assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    }

    for (const coverage of Object.values(PolicyCoverage)) {
        it(`BaselinePolicies on a shared cluster, ${coverage} coverage`, async () => {
            new BaselinePolicies(
                "cluster",
                policiesArgs({
                    env: "stage",
                    topology: sharedTopology(),
                    coverage,
                    apiAccessServiceAccounts: [],
                    imageVerification: { keyless: KEYLESS },
                    exceptions: [
                        exceptionArgs({
                            namespaces: [coverage === PolicyCoverage.Unclaimed ? "scratch" : "payments-stage"],
                            expires: daysFromToday(20),
                        }),
                    ],
                }),
            );
            const manifests = await emitted();
            assert.ok(manifests.length > 3);
            for (const manifest of manifests) {
                assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    }

    it("EnvironmentIsolationPolicies", async () => {
        new EnvironmentIsolationPolicies("cluster", { project: "shop", topology: sharedTopology() });
        const manifests = await emitted();
        assert.equal(manifests.length, 2);
        for (const manifest of manifests) {
            assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
        }
    });

    it("BaselinePolicies with public keys", async () => {
        new BaselinePolicies("cluster", policiesArgs({ imageVerification: { publicKeys: [PUBLIC_KEY] } }));
        const manifests = await emitted();
        const ivp = manifests.find((m) => m.kind === "ImageValidatingPolicy")!;
        assert.deepEqual(customResourceErrors(ivp), []);
    });

    it("the validation rejects what the upstream schema rejects", async () => {
        new BaselinePolicies(
            "cluster",
            policiesArgs({ imageVerification: { keyless: KEYLESS }, exceptions: [exceptionArgs()] }),
        );
        const manifests = await emitted();
        const policy = structuredClone(manifests.find((m) => m.kind === "ValidatingPolicy")!);
        policy.spec.validationActions = ["Enforce"];
        policy.spec.failurePolicy = "Closed";
        const errors = customResourceErrors(policy);
        assert.ok(
            errors.some((e) => e.includes("/spec/validationActions/0")),
            errors.join("\n"),
        );
        assert.ok(
            errors.some((e) => e.includes("/spec/failurePolicy")),
            errors.join("\n"),
        );

        const ivp = structuredClone(manifests.find((m) => m.kind === "ImageValidatingPolicy")!);
        delete ivp.spec.attestors;
        assert.ok(
            customResourceErrors(ivp).some((e) => e.includes("attestors")),
            "attestors are required",
        );

        const exception = structuredClone(manifests.find((m) => m.kind === "PolicyException")!);
        exception.spec.policyRefs = [{ name: "baseline-require-probes" }];
        exception.spec.expiresAt = "next month";
        const exceptionErrors = customResourceErrors(exception);
        assert.ok(
            exceptionErrors.some((e) => e.includes("/spec/policyRefs/0") && e.includes("kind")),
            exceptionErrors.join("\n"),
        );
        assert.ok(
            exceptionErrors.some((e) => e.includes("/spec/expiresAt")),
            exceptionErrors.join("\n"),
        );

        // An API version Kyverno does not serve is refused outright.
        const legacy = { ...structuredClone(policy), apiVersion: "kyverno.io/v2", kind: "ClusterPolicy" };
        assert.match(customResourceErrors(legacy)[0], /no upstream schema for kyverno.io\/v2 ClusterPolicy/);
    });
});
