/**
 * Helm policies, on the chart inputs the add-on components register.
 */
import * as assert from "node:assert/strict";
import { EnforcementLevel } from "../../../../policy-pack/policies/types";
import {
    HELM_CHART_V4,
    HELM_RELEASE_V3,
    helmChartPinned,
    helmReleaseOpaque,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, unknowns, violations } from "./check";

/** The inputs of the Kyverno add-on's chart. */
function kyvernoChart(): Record<string, any> {
    return {
        chart: "kyverno",
        version: "3.9.0",
        repositoryOpts: { repo: "https://kyverno.github.io/kyverno/" },
        name: "kyverno",
        namespace: "kyverno",
        values: {},
    };
}

describe("policy helm-chart-pinned", () => {
    it("passes exact versions, with or without a v", () => {
        assert.deepEqual(run(helmChartPinned, resource(HELM_CHART_V4, kyvernoChart())), []);
        for (const version of ["v1.21.1", "1.0.0-rc.1", "2.9.0+build.5"]) {
            assert.deepEqual(
                run(helmChartPinned, resource(HELM_CHART_V4, { ...kyvernoChart(), version })),
                [],
                version,
            );
        }
    });

    it("reports a range", () => {
        for (const version of ["^3.9.0", "~3.9.0", ">=3", "3.x", "3.9", "3.9.*", "3.9.0 - 3.10.0", "latest"]) {
            assert.deepEqual(
                violations(run(helmChartPinned, resource(HELM_CHART_V4, { ...kyvernoChart(), version }))),
                [`Chart fixture: version ${JSON.stringify(version)} is not one exact version`],
                version,
            );
        }
    });

    it("reports a missing or empty version", () => {
        const chart = kyvernoChart();
        delete chart.version;
        assert.deepEqual(violations(run(helmChartPinned, resource(HELM_CHART_V4, chart))), [
            'Chart fixture has no version: every deployment installs the newest "kyverno"',
        ]);
        assert.equal(
            violations(run(helmChartPinned, resource(HELM_RELEASE_V3, { ...kyvernoChart(), version: "" }))).length,
            1,
        );
    });

    it("passes a chart that pins itself: a local path or an archive URL", () => {
        for (const chart of ["./charts/app", "../charts/app", "https://example.com/charts/app-1.2.3.tgz"]) {
            assert.deepEqual(run(helmChartPinned, resource(HELM_CHART_V4, { chart })), [], chart);
        }
        assert.equal(
            violations(
                run(helmChartPinned, resource(HELM_CHART_V4, { chart: "oci://registry.example.com/charts/app" })),
            ).length,
            1,
        );
    });

    it("reports an unknown version, and a v4 Chart registered without inputs, as unknown", () => {
        assert.deepEqual(
            unknowns(run(helmChartPinned, resource(HELM_CHART_V4, { ...kyvernoChart(), version: UNKNOWN }))),
            ["version"],
        );
        assert.deepEqual(unknowns(run(helmChartPinned, resource(HELM_CHART_V4, {}))), [
            "inputs (the Kubernetes provider registers a v4 Chart without them)",
        ]);
        assert.equal(violations(run(helmChartPinned, resource(HELM_RELEASE_V3, {}))).length, 1);
    });
});

describe("policy helm-release-opaque", () => {
    it("advises on every v3 Release, and says nothing of a v4 Chart", () => {
        const reported = run(helmReleaseOpaque, resource(HELM_RELEASE_V3, kyvernoChart()));
        assert.deepEqual(
            reported.map((v) => [v.level, v.message]),
            [
                [
                    EnforcementLevel.Advisory,
                    "Release fixture: the objects this release installs are invisible to the policy pack, so none of them is checked",
                ],
            ],
        );
        assert.deepEqual(run(helmReleaseOpaque, resource(HELM_CHART_V4, kyvernoChart())), []);
    });
});
