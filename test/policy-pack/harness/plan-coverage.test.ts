/**
 * The offline plan's account of what it cannot judge: every Helm chart is named with its version, and its
 * values are judged against that chart version's data when there is some, a problem failing the plan.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CoveredResource, offlineCoverage } from "../../../policy-pack/harness/plan-coverage";
import { secretWire, UNKNOWN_WIRE } from "../../../policy-pack/harness/wire";

const DEFAULTS = [
    "replicaCount: 1",
    "networkPolicy:",
    "  enabled: false",
    "webhook:",
    "  port: 10250",
    "  networkPolicy:",
    "    enabled: false",
    "serviceAccount:",
    "  create: true",
    "  name: ''",
    "",
].join("\n");

const SCHEMA = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { replicaCount: { type: "integer" }, webhook: { type: "object" } },
};

function chart(name: string, values: unknown, version = "1.2.3"): CoveredResource {
    return {
        type: "kubernetes:helm.sh/v4:Chart",
        name: `dev-${name}`,
        remote: true,
        properties: { chart: name, version, repositoryOpts: { repo: `https://charts.example.com/${name}` }, values },
    };
}

describe("the offline plan's coverage", () => {
    let chartsDir: string;

    before(() => {
        chartsDir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
        for (const name of ["plain", "schema"]) {
            const dir = path.join(chartsDir, name, "1.2.3");
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "values.yaml"), DEFAULTS);
        }
        fs.writeFileSync(path.join(chartsDir, "schema", "1.2.3", "values.schema.json"), JSON.stringify(SCHEMA));
    });
    after(() => fs.rmSync(chartsDir, { recursive: true, force: true }));

    it("says everything was judged when nothing is remote", () => {
        const coverage = offlineCoverage(
            [{ type: "kubernetes:core/v1:Namespace", name: "dev-payments", properties: {} }],
            chartsDir,
        );
        assert.deepEqual(coverage, { lines: [], summary: "; everything registered was judged", problems: 0 });
    });

    it("names each chart, its version and repository, and judges its values against the chart data", () => {
        const coverage = offlineCoverage(
            [chart("plain", { replicaCount: 2, networkPolicy: { enabled: false } }), chart("schema", {})],
            chartsDir,
        );
        assert.equal(coverage.problems, 0);
        assert.deepEqual(coverage.lines, [
            "Not judged offline (judged only in a real pulumi preview):",
            "  kubernetes:helm.sh/v4:Chart  dev-plain: chart plain 1.2.3 from https://charts.example.com/plain, whose objects the Kubernetes provider renders at preview",
            "    values: judged against the chart's values.yaml (the chart has no schema): no problem",
            "  kubernetes:helm.sh/v4:Chart  dev-schema: chart schema 1.2.3 from https://charts.example.com/schema, whose objects the Kubernetes provider renders at preview",
            "    values: judged against the chart's values.yaml and values.schema.json: no problem",
        ]);
        assert.equal(
            coverage.summary,
            "; not judged offline: the objects of 2 Helm charts; chart values: 2 of 2 judged, 0 problems",
        );
    });

    it("reports a key the chart does not declare, a value its schema refuses and a NetworkPolicy left on", () => {
        const coverage = offlineCoverage(
            [chart("schema", { replicas: 2, replicaCount: "two", webhook: { networkPolicy: { enabled: true } } })],
            chartsDir,
        );
        assert.equal(coverage.problems, 3);
        const problems = coverage.lines.filter((l) => l.startsWith("      [chart values] "));
        assert.deepEqual(
            problems.map((l) => l.slice("      [chart values] ".length).split(":")[0]),
            ["replicas", "replicaCount must be integer (values.schema.json)", "webhook.networkPolicy.enabled"],
        );
        assert.ok(
            coverage.lines.includes(
                "    values: judged against the chart's values.yaml and values.schema.json: 3 problem(s)",
            ),
        );
        assert.match(coverage.summary, /chart values: 1 of 1 judged, 3 problems$/);
    });

    it("reads secret values by their value and leaves unknown ones to the chart's defaults", () => {
        const coverage = offlineCoverage(
            [chart("schema", { replicaCount: UNKNOWN_WIRE, serviceAccount: secretWire({ name: "sa" }) })],
            chartsDir,
        );
        assert.equal(coverage.problems, 0, coverage.lines.join("\n"));
        assert.ok(
            coverage.lines.some((l) => l.endsWith("no problem; 1 unknown until the update, judged as the defaults")),
        );
        // A secret around a misspelt key hides nothing.
        const hidden = offlineCoverage([chart("plain", secretWire({ replicaCont: 1 }))], chartsDir);
        assert.equal(hidden.problems, 1);
    });

    it("says when there is no chart data to judge the values by, and names other remote components", () => {
        const coverage = offlineCoverage(
            [
                chart("plain", {}, "9.9.9"),
                { type: "example:index:Remote", name: "dev-remote", remote: true, properties: {} },
            ],
            chartsDir,
        );
        assert.equal(coverage.problems, 0);
        assert.ok(
            coverage.lines.includes(
                `    values: not judged: no chart data at ${path.join(chartsDir, "plain", "9.9.9")}`,
            ),
        );
        assert.ok(
            coverage.lines.includes(
                "  example:index:Remote  dev-remote: a remote component; its provider registers its children at preview",
            ),
        );
        assert.equal(
            coverage.summary,
            "; not judged offline: the objects of 1 Helm chart and the children of 1 other remote component; chart values: 0 of 1 judged, 0 problems",
        );
    });
});
