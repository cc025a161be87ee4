import * as assert from "node:assert/strict";
import { analyzeAll } from "../../bench/analyze-all";

/** A session whose responses arrive out of order, each with `resource % 4` diagnostics. */
function session(delays: readonly number[]) {
    return {
        analyze(resource: number): Promise<readonly unknown[]> {
            return new Promise((resolve) =>
                setTimeout(() => resolve(new Array(resource % 4).fill("d")), delays[resource % delays.length]),
            );
        },
    };
}

describe("bench analyzeAll", () => {
    const resources = Array.from({ length: 60 }, (_, i) => i);
    const expected = resources.reduce((sum, r) => sum + (r % 4), 0);

    it("counts every diagnostic with concurrent workers, as a serial run does", async () => {
        const delays = [3, 0, 5, 1, 2];
        const serial = await analyzeAll(session(delays), resources, 1);
        const concurrent = await analyzeAll(session(delays), resources, 4);
        assert.equal(serial.diagnostics, expected);
        assert.equal(concurrent.diagnostics, serial.diagnostics);
    });

    it("analyzes each resource once", async () => {
        const seen: number[] = [];
        await analyzeAll({ analyze: async (r: number) => (seen.push(r), []) }, resources, 4);
        assert.deepEqual(
            seen.sort((a, b) => a - b),
            resources,
        );
    });
});
