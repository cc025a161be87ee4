/**
 * The Pod Security evaluator against the upstream Pod Security admission fixtures (../shared/conformance/psa):
 * every pass fixture allowed, every fail fixture rejected by the check its name names, at every level and
 * version the fixtures cover.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { PsaConformanceResult, runPsaConformance } from "../../policy-pack/conformance/psa";
import { sharedPath } from "../shared";

/** YAML files under `root`, counted independently of the runner's own walk. */
function countYaml(root: string): number {
    return fs
        .readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name)).length;
}

function describeFailures(failures: readonly PsaConformanceResult[]): string {
    const shown = failures.slice(0, 25).map((failure) => `  ${failure.file}: ${failure.detail}`);
    const more = failures.length > shown.length ? [`  ... and ${failures.length - shown.length} more`] : [];
    return [`${failures.length} fixture(s) disagree:`, ...shown, ...more].join("\n");
}

describe("Pod Security admission conformance (upstream fixtures)", () => {
    let root: string;
    let results: PsaConformanceResult[];

    before(() => {
        root = sharedPath("conformance", "psa");
        results = runPsaConformance(root).results;
    });

    it("evaluates every YAML fixture, once", () => {
        const found = countYaml(root);
        assert.ok(found >= 4500, `expected the full fixture set (4,500+ files), found ${found}`);
        assert.equal(results.length, found);
        assert.equal(new Set(results.map((result) => result.file)).size, found);
    });

    it("covers both levels, v1.0 to the newest version, pass and fail", () => {
        for (const level of ["baseline", "restricted"]) {
            for (let minor = 0; minor <= 37; minor++) {
                for (const expected of ["pass", "fail"]) {
                    assert.ok(
                        results.some(
                            (r) => r.level === level && r.version === `v1.${minor}` && r.expected === expected,
                        ),
                        `no ${expected} fixtures for ${level} v1.${minor}`,
                    );
                }
            }
        }
    });

    for (const level of ["baseline", "restricted"]) {
        for (const expected of ["pass", "fail"] as const) {
            it(`${level}: every ${expected} fixture agrees`, () => {
                const mine = results.filter((r) => r.level === level && r.expected === expected);
                assert.ok(mine.length > 0);
                const failures = mine.filter((r) => !r.passed);
                assert.equal(failures.length, 0, describeFailures(failures));
            });
        }
    }

    it("0 failed in total", () => {
        const failures = results.filter((r) => !r.passed);
        assert.equal(failures.length, 0, describeFailures(failures));
    });

    it("judges every fail fixture by a known check", () => {
        const unnamed = results.filter((r) => r.expected === "fail" && r.check === undefined);
        assert.deepEqual(
            unnamed.map((r) => r.file),
            [],
        );
    });
});
