/**
 * Digests at admission: the ImageValidatingPolicy sets `mutateDigest` and `verifyDigest` from the env's profile
 * (components/baseline imageDigests) and validates against Kyverno's CRD schema, and the pinned Kyverno is one
 * that acts on both fields (1.19.0 and later; earlier releases accept them and ignore them).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { parse } from "yaml";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { BaselinePolicies } from "../../../../components/addons/kyverno";
import { KYVERNO_CHART_APP_VERSIONS, KYVERNO_CHART_VERSION } from "../../../../components/addons/kyverno/chart";
import { ENVIRONMENTS, profileFor } from "../../../../components/baseline";
import { customResourceErrors, manifestOf } from "../../../k8s-schemas";
import { sharedPath } from "../../../shared";
import { KEYLESS, policiesArgs } from "./fixtures";

const IMAGE_VALIDATING = "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy";
/** The first Kyverno release that mutates and verifies digests in an ImageValidatingPolicy. */
const DIGESTS_FROM = [1, 19, 0];

/** `v1.19.0` as [1, 19, 0]; throws on anything else. */
function release(version: string): number[] {
    const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
    assert.ok(match, `${version} is not a release version`);
    return match.slice(1).map(Number);
}

/** True when release `a` is `b` or later. */
function atLeast(a: readonly number[], b: readonly number[]): boolean {
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return true;
}

describe("Kyverno image digests at admission", () => {
    beforeEach(resetResources);

    for (const env of ENVIRONMENTS) {
        it(`${env}: validationConfigurations follow the profile and fit the CRD schema`, async () => {
            new BaselinePolicies("cluster", policiesArgs({ env, imageVerification: { keyless: KEYLESS } }));
            await settled();
            const ivps = resources().filter((r) => r.type === IMAGE_VALIDATING);
            assert.equal(ivps.length, 1);
            const manifest = manifestOf(ivps[0].type, ivps[0].inputs);
            const { mutate, verify } = profileFor(env).imageDigests;
            assert.deepEqual((manifest as any).spec.validationConfigurations, {
                mutateDigest: mutate,
                verifyDigest: verify,
                required: true,
            });
            assert.deepEqual(customResourceErrors(manifest), []);
        });
    }

    it("verifies digests in every env and mutates only in dev", () => {
        assert.deepEqual(
            ENVIRONMENTS.map((env) => [env, profileFor(env).imageDigests]),
            [
                ["dev", { mutate: true, verify: true }],
                ["stage", { mutate: false, verify: true }],
                ["prod", { mutate: false, verify: true }],
            ],
        );
    });

    it("pins a Kyverno release that acts on mutateDigest and verifyDigest", () => {
        for (const [chart, app] of Object.entries(KYVERNO_CHART_APP_VERSIONS)) {
            assert.ok(atLeast(release(app), DIGESTS_FROM), `chart ${chart} ships Kyverno ${app}, before v1.19.0`);
        }
        const chartYaml = parse(
            fs.readFileSync(sharedPath("charts", "kyverno", KYVERNO_CHART_VERSION, "Chart.yaml"), "utf8"),
        ) as { version: string; appVersion: string };
        assert.equal(chartYaml.version, KYVERNO_CHART_VERSION);
        assert.equal(chartYaml.appVersion, KYVERNO_CHART_APP_VERSIONS[KYVERNO_CHART_VERSION]);
        assert.ok(atLeast(release(chartYaml.appVersion), DIGESTS_FROM), chartYaml.appVersion);
    });

    it("compares releases by number, not text", () => {
        assert.ok(atLeast(release("v1.19.0"), DIGESTS_FROM));
        assert.ok(atLeast(release("v1.20.1"), DIGESTS_FROM));
        assert.ok(atLeast(release("v2.0.0"), DIGESTS_FROM));
        assert.ok(!atLeast(release("v1.18.9"), DIGESTS_FROM));
        assert.ok(!atLeast(release("v1.9.0"), DIGESTS_FROM));
    });
});
