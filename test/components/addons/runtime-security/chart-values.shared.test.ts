/**
 * The runtime security charts render no NetworkPolicy, so the chart values suite's misspelling check has no
 * switch to misspell there: the keys this package sets are misspelt here instead, against the charts' data.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { FALCO_CHART_VERSION, TETRAGON_CHART_VERSION } from "../../../../components/addons/runtime-security/chart";
import { at, chartUndeclaredKeys, readChartData } from "../../../../policy-pack/harness/chart-values";
import { sharedPath } from "../../../shared";

describe("runtime security chart values, misspelt", () => {
    it("Falco: the driver keys exist with the chart's defaults, and a misspelt one is reported", () => {
        const data = readChartData(path.dirname(sharedPath("charts", "falco")), "falco", FALCO_CHART_VERSION)!;
        assert.equal(at(data.defaults, "driver.modernEbpf.leastPrivileged"), false);
        assert.deepEqual(at(data.defaults, "customRules"), {});
        assert.deepEqual(chartUndeclaredKeys(data, { driver: { modernEbpf: { leastPrivilege: true } } }), [
            "driver.modernEbpf.leastPrivilege",
        ]);
    });

    it("Tetragon: a misspelt agent key is reported", () => {
        const data = readChartData(path.dirname(sharedPath("charts", "tetragon")), "tetragon", TETRAGON_CHART_VERSION)!;
        assert.deepEqual(chartUndeclaredKeys(data, { tetragon: { resource: {} } }), ["tetragon.resource"]);
    });
});

/**
 * The Roles and ClusterRoles a chart's templates render, read from the template text: lines that are only a
 * Helm directive are dropped and inline expressions become a placeholder, which leaves the RBAC objects'
 * rules as YAML (these templates build no rule from values).
 */
function templateRules(chartDir: string): { file: string; rule: Record<string, string[]> }[] {
    const dir = path.join(chartDir, "templates");
    return fs
        .readdirSync(dir)
        .filter((file) => /role\.ya?ml$/i.test(file))
        .flatMap((file) => {
            const text = fs
                .readFileSync(path.join(dir, file), "utf8")
                .split("\n")
                .filter((line) => !/^\s*\{\{.*\}\}\s*$/.test(line))
                .map((line) => line.replace(/\{\{.*?\}\}/g, "x"))
                .join("\n");
            return parseAllDocuments(text)
                .map((doc) => doc.toJS())
                .filter((doc: any) => doc?.kind === "Role" || doc?.kind === "ClusterRole")
                .flatMap((doc: any) => (doc.rules ?? []).map((rule: Record<string, string[]>) => ({ file, rule })));
        });
}

describe("runtime security charts' RBAC, from their templates", () => {
    for (const [chart, version] of [
        ["falco", FALCO_CHART_VERSION],
        ["tetragon", TETRAGON_CHART_VERSION],
    ] as const) {
        it(`${chart} ${version}: grants no access to Secrets and no wildcard`, () => {
            const rules = templateRules(sharedPath("charts", chart, version));
            assert.ok(rules.length > 0, `${chart}: no Role or ClusterRole rules read`);
            for (const { file, rule } of rules) {
                const where = `${chart} ${file}: ${JSON.stringify(rule)}`;
                assert.ok(!(rule.resources ?? []).includes("secrets"), where);
                assert.ok(!(rule.resources ?? []).includes("*"), where);
                assert.ok(!(rule.verbs ?? []).includes("*"), where);
                assert.ok(!(rule.apiGroups ?? []).includes("*"), where);
            }
        });
    }
});
