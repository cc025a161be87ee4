/**
 * The adapter's sharing of one request's decoded properties between policies: each request is decoded once
 * however many policies run on it, and every policy reads the same frozen plain copy.
 */
import * as assert from "node:assert/strict";
import {
    decodeOncePerRequest,
    dispatchedPolicies,
    plainProps,
    SDK_DECODES_ONCE,
    settingsOf,
    toPulumiPolicies,
} from "../../policy-pack/adapter";
import { analyzeRequest } from "../../policy-pack/harness/analyzer-client";
import { ALL_POLICIES } from "../../policy-pack/policies";
import { UNKNOWN } from "../../policy-pack/policies/resource";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(
        name: string,
        version: string,
        level: string,
        policies: unknown[],
    ): (call: { request: unknown }, callback: (err: unknown, response: any) => void) => Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy(value: unknown): any;
    unknownStringValue: unknown;
};

/** A Deployment that breaks several multi-type workload rules at once: privileged, root, mutable image. */
function privilegedDeployment(): Record<string, unknown> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "payments" },
        spec: {
            selector: { matchLabels: { app: "api" } },
            template: {
                metadata: { labels: { app: "api" } },
                spec: {
                    hostNetwork: true,
                    containers: [{ name: "api", image: "nginx:latest", securityContext: { privileged: true } }],
                },
            },
        },
    };
}

describe("policy-pack adapter", () => {
    describe("decodeOncePerRequest", () => {
        function fakeSdk() {
            const calls: [object, boolean][] = [];
            const sdk = {
                deserializeProperties(struct: object, proxySecrets: boolean): unknown {
                    calls.push([struct, proxySecrets]);
                    return { decoded: calls.length };
                },
            };
            return { sdk, calls };
        }

        it("decodes a Struct once per secrets mode and hands back the same value", () => {
            const { sdk, calls } = fakeSdk();
            assert.equal(decodeOncePerRequest(sdk), true);
            const a = {};
            const b = {};
            const first = sdk.deserializeProperties(a, false);
            assert.equal(sdk.deserializeProperties(a, false), first);
            assert.notEqual(sdk.deserializeProperties(a, true), first);
            assert.notEqual(sdk.deserializeProperties(b, false), first);
            assert.deepEqual(calls, [
                [a, false],
                [a, true],
                [b, false],
            ]);
        });

        it("wraps only once, and leaves an SDK with another decoder alone", () => {
            const { sdk, calls } = fakeSdk();
            decodeOncePerRequest(sdk);
            const wrapped = sdk.deserializeProperties;
            assert.equal(decodeOncePerRequest(sdk), true);
            assert.equal(sdk.deserializeProperties, wrapped);
            sdk.deserializeProperties({}, false);
            assert.equal(calls.length, 1);

            const other = { deserializeProperties: (struct: object) => struct } as never;
            const before = (other as { deserializeProperties: unknown }).deserializeProperties;
            assert.equal(decodeOncePerRequest(other), false);
            assert.equal((other as { deserializeProperties: unknown }).deserializeProperties, before);
        });

        it("is in effect on the pinned @pulumi/policy", () => {
            assert.equal(SDK_DECODES_ONCE, true);
        });

        for (const [form, registered] of [
            ["one SDK policy per policy", () => toPulumiPolicies(ALL_POLICIES)],
            ["the dispatch", () => dispatchedPolicies(ALL_POLICIES, "k8s-baseline")],
        ] as const) {
            it(`decodes an Analyze request once while several policies judge it (${form})`, async () => {
                const request = analyzeRequest({
                    urn: "urn:pulumi:prod::k8s-baseline::kubernetes:apps/v1:Deployment::api",
                    type: "kubernetes:apps/v1:Deployment",
                    name: "api",
                    properties: privilegedDeployment(),
                    options: {},
                });
                const struct = request.getProperties()!;
                const decode = struct.toJavaScript.bind(struct);
                let decodes = 0;
                struct.toJavaScript = () => {
                    decodes++;
                    return decode();
                };
                const analyze = server.makeAnalyzeRpcFun("k8s-baseline", "0.1.0", "advisory", registered());
                const response = await new Promise<any>((resolve, reject) =>
                    analyze({ request }, (err, res) => (err ? reject(err) : resolve(res))),
                );
                const policies = new Set(response.getDiagnosticsList().map((d: any) => d.getPolicyname()));
                assert.ok(policies.size >= 3, `expected several policies to report, got ${[...policies].join(", ")}`);
                assert.equal(decodes, 1);
                // Policies of other types have nothing to say: no "not applicable" entry per policy in the response.
                assert.deepEqual(response.getNotApplicableList(), []);
            });
        }
    });

    describe("plainProps", () => {
        it("strips the SDK's proxy, turns unknown sentinels into UNKNOWN and freezes every level", () => {
            const decoded = { metadata: { name: "api", labels: { tier: sdkProxy.unknownStringValue } }, list: [{}] };
            const plain = plainProps(sdkProxy.unknownCheckingProxy(decoded));
            assert.deepEqual(plain, { metadata: { name: "api", labels: { tier: UNKNOWN } }, list: [{}] });
            for (const value of [plain, plain.metadata, plain.metadata.labels, plain.list, plain.list[0]]) {
                assert.ok(Object.isFrozen(value));
            }
            assert.throws(() => {
                plain.metadata.name = "other";
            }, TypeError);
        });

        it("makes one copy per decoded object, whichever proxy of it a policy holds", () => {
            const decoded = { metadata: { name: "api" } };
            const first = plainProps(sdkProxy.unknownCheckingProxy(decoded));
            assert.equal(plainProps(sdkProxy.unknownCheckingProxy(decoded)), first);
            assert.notEqual(plainProps(sdkProxy.unknownCheckingProxy({ metadata: { name: "api" } })), first);
        });
    });
});

describe("settingsOf, one policy's settings across calls", () => {
    it("reuses the settings while the SDK hands the same config values, and rebuilds them when they change", () => {
        const settingsFor = settingsOf();
        const registries = ["333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/"];
        const first = settingsFor({ env: "prod", registries });
        // The SDK's getConfig returns a fresh shallow copy each call: same values, new object.
        assert.equal(settingsFor({ env: "prod", registries }), first);
        const dev = settingsFor({ env: "dev", registries });
        assert.notEqual(dev, first);
        assert.equal(dev.env, "dev");
        const other = settingsFor({ env: "dev", registries: ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/"] });
        assert.deepEqual(other.registries, ["111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/"]);
        assert.equal(settingsFor({ env: "dev" }).registries.length, 0);
    });
});
