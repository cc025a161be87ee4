/**
 * The runtime security charts render no NetworkPolicy, so the chart values suite's misspelling check has no
 * switch to misspell there: the keys this package sets are misspelt here instead, against the charts' data.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
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
