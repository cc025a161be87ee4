/**
 * The Helm values the add-ons pass, against the pinned charts' own values.yaml and values.schema.json
 * (../shared/charts): Helm ignores a key the chart does not read, so a misspelt key would leave a chart
 * default in force without a word. Every key passed must be one the chart declares, where the chart declares
 * the keys of that map; the merged values must satisfy the chart's schema, as Helm checks them; and the
 * chart's NetworkPolicies, which would widen the namespace's default-deny, must all be off. The judging is
 * policy-pack/harness/chart-values, which `npm run plan` applies to the values a stack's charts are given.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { installMocks } from "../../mocks";
installMocks();
import { CERT_MANAGER_CHART_VERSION, certManagerChartValues } from "../../../components/addons/cert-manager/chart";
import { resolveCertManagerArgs } from "../../../components/addons/cert-manager/cert-manager";
import {
    EXTERNAL_SECRETS_CHART_VERSION,
    externalSecretsChartValues,
} from "../../../components/addons/external-secrets/operator";
import { KYVERNO_CHART_VERSION, kyvernoValues } from "../../../components/addons/kyverno/chart";
import { resolveKyvernoArgs } from "../../../components/addons/kyverno/kyverno";
import {
    FALCO_CHART_VERSION,
    falcoChartValues,
    TETRAGON_CHART_VERSION,
    tetragonChartValues,
} from "../../../components/addons/runtime-security/chart";
import { ENVIRONMENTS, Environment } from "../../../components/baseline";
import {
    at,
    ChartData,
    chartNetworkPoliciesOn,
    chartSchemaErrors,
    chartUndeclaredKeys,
    judgeChartValues,
    merged,
    networkPolicySwitches,
    readChartData,
    schemaValidator,
    Values,
} from "../../../policy-pack/harness/chart-values";
import { sharedPath } from "../../shared";
import { certManagerArgs } from "./cert-manager/fixtures";

interface Chart {
    readonly name: string;
    readonly version: string;
    /** The values each env's component passes. */
    readonly values: (env: Environment) => Values;
    /** Where the chart's NetworkPolicy switches are. */
    readonly networkPolicySwitches: readonly string[];
    /** Whether the pinned chart ships a values.schema.json (../shared/charts/SOURCE.md lists which do). */
    readonly hasSchema: boolean;
}

const CHARTS: readonly Chart[] = [
    {
        name: "cert-manager",
        version: CERT_MANAGER_CHART_VERSION,
        values: (env) => certManagerChartValues(resolveCertManagerArgs("cm", certManagerArgs({ env }))),
        networkPolicySwitches: ["networkPolicy", "webhook.networkPolicy", "cainjector.networkPolicy"],
        hasSchema: true,
    },
    {
        name: "external-secrets",
        version: EXTERNAL_SECRETS_CHART_VERSION,
        values: (env) => externalSecretsChartValues(env),
        networkPolicySwitches: ["networkPolicy", "webhook.networkPolicy", "certController.networkPolicy"],
        hasSchema: true,
    },
    {
        name: "kyverno",
        version: KYVERNO_CHART_VERSION,
        values: (env) => kyvernoValues(resolveKyvernoArgs("kyverno", { env })),
        networkPolicySwitches: [
            "admissionController.networkPolicy",
            "backgroundController.networkPolicy",
            "cleanupController.networkPolicy",
            "reportsController.networkPolicy",
        ],
        hasSchema: false,
    },
    {
        name: "falco",
        version: FALCO_CHART_VERSION,
        values: (env) => falcoChartValues(env, "rules.yaml", "[]"),
        networkPolicySwitches: [],
        hasSchema: false,
    },
    {
        name: "tetragon",
        version: TETRAGON_CHART_VERSION,
        values: (env) => tetragonChartValues(env),
        networkPolicySwitches: [],
        hasSchema: false,
    },
];

for (const chart of CHARTS) {
    describe(`${chart.name} ${chart.version} chart values, against the chart's values.yaml and schema`, () => {
        const dir = `charts/${chart.name}/${chart.version}`;
        let data: ChartData;

        before(() => {
            // The directory must be there (sharedPath throws naming it); not every chart has a schema.
            const found = readChartData(path.dirname(sharedPath("charts", chart.name)), chart.name, chart.version);
            assert.ok(found, `${dir}/values.yaml`);
            data = found;
        });

        it("has a chart directory in ../shared, with a values schema exactly where the chart ships one", () => {
            assert.ok(fs.statSync(sharedPath(dir, "values.yaml")).isFile());
            assert.equal(data.schema !== undefined, chart.hasSchema);
        });

        for (const env of ENVIRONMENTS) {
            it(`${env}: passes only keys the chart declares`, () => {
                assert.deepEqual(chartUndeclaredKeys(data, chart.values(env)), []);
            });

            if (chart.hasSchema) {
                it(`${env}: merged over the defaults, satisfies the chart's schema`, () => {
                    assert.deepEqual(chartSchemaErrors(data, chart.values(env)), []);
                });
            }

            it(`${env}: turns every chart NetworkPolicy off`, () => {
                for (const path of chart.networkPolicySwitches) {
                    assert.deepEqual(at(chart.values(env), path), { enabled: false }, path);
                }
                assert.deepEqual(chartNetworkPoliciesOn(data, chart.values(env)), []);
            });

            it(`${env}: has nothing for the plan to report`, () => {
                assert.deepEqual(judgeChartValues(data, chart.values(env)), []);
            });
        }

        // Falco's and Tetragon's charts render no NetworkPolicy, so there is no switch to misspell; their
        // misspelt keys are test/components/addons/runtime-security/chart-values.shared.test.ts's.
        if (chart.networkPolicySwitches.length > 0)
            it("would notice a misspelt key, and a value of the wrong type where the chart has a schema", () => {
                const [first] = chart.networkPolicySwitches;
                const misspelt = { [`${first.split(".")[0]}X`]: { enabled: false } };
                assert.deepEqual(chartUndeclaredKeys(data, misspelt), [Object.keys(misspelt)[0]]);
                const nested: Values = {};
                first.split(".").reduce<Values>((node, key) => (node[key] = {}) as Values, nested);
                Object.assign(at(nested, first) as Values, { enable: false });
                assert.deepEqual(chartUndeclaredKeys(data, nested), [`${first}.enable`]);
                const wrong: Values = {};
                first.split(".").reduce<Values>((node, key) => (node[key] = {}) as Values, wrong);
                Object.assign(at(wrong, first) as Values, { enabled: "no" });
                if (data.schema !== undefined) {
                    assert.equal(schemaValidator(data.schema, false)(merged(data.defaults, wrong)), false);
                    assert.ok(chartSchemaErrors(data, wrong).length > 0);
                }
                // "no" is not false: the chart's template would render the policy.
                assert.ok(chartNetworkPoliciesOn(data, wrong).includes(first));
                const on: Values = {};
                first.split(".").reduce<Values>((node, key) => (node[key] = {}) as Values, on);
                Object.assign(at(on, first) as Values, { enabled: true });
                assert.deepEqual(chartNetworkPoliciesOn(data, on), [first]);
                assert.ok(judgeChartValues(data, on).some((line) => line.startsWith(`${first}.enabled: is not false`)));
            });

        it("declares each NetworkPolicy switch, off by default, and no other", () => {
            for (const path of chart.networkPolicySwitches) {
                assert.equal(at(data.defaults, `${path}.enabled`), false, `${path}.enabled`);
            }
            assert.deepEqual(networkPolicySwitches(data.defaults), [...chart.networkPolicySwitches].sort());
        });
    });
}
