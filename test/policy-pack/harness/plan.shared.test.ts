/**
 * `npm run plan` on every stack, with the chart data of ../shared: the values each env's charts are given are
 * judged against their pinned chart versions, and none has a problem.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT, sharedPath } from "../../shared";
import { STACKS } from "../../stacks/stack-config";

describe("npm run plan, with the chart data", function () {
    this.timeout(120_000);
    const PLAN = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");

    before(() => sharedPath("charts"));

    for (const stack of STACKS) {
        it(`${stack}: judges the values of every chart against its data, and finds no problem`, () => {
            const result = spawnSync(process.execPath, [PLAN, stack], { cwd: REPO_ROOT, encoding: "utf8" });
            assert.equal(result.status, 0, result.stdout + result.stderr);
            const values = result.stdout.split("\n").filter((l) => l.startsWith("    values: "));
            assert.equal(
                values.length,
                4,
                `${values.join("\n")}\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`,
            );
            for (const line of values) assert.match(line, /^ {4}values: judged against the chart's .*: no problem/);
            assert.match(result.stdout, /; chart values: 4 of 4 judged, 0 problems\. PASS$/m);
        });
    }
});
