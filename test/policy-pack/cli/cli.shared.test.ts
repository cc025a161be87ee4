/**
 * `k8s-baseline check` over the upstream Pod Security admission fixtures of one version
 * the profiles pin (../shared/conformance/psa/restricted/<POD_SECURITY_VERSION>), as a user would run it on a folder: every pass/ fixture comes
 * back without a violation, every fail/ fixture with at least one.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { POD_SECURITY_VERSION } from "../../../components/baseline";
import { REPO_ROOT, sharedPath } from "../../shared";

const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");

interface Report {
    results: { source: string; violations: { policy: string; level: string; check: string | null }[] }[];
    summary: { resources: number; mandatory: number; advisory: number };
}

describe(`k8s-baseline check over the PSA conformance fixtures (restricted, ${POD_SECURITY_VERSION})`, () => {
    let root: string;
    let files: { file: string; outcome: string }[];
    let report: Report;
    const failing = new Map<string, Report["results"][number]["violations"]>();

    before(() => {
        root = sharedPath("conformance", "psa", "restricted", POD_SECURITY_VERSION);
        files = ["pass", "fail"].flatMap((outcome) =>
            fs
                .readdirSync(path.join(root, outcome))
                .filter((name) => /\.ya?ml$/.test(name))
                .map((name) => ({ file: path.join(root, outcome, name), outcome })),
        );
        const run = spawnSync(
            process.execPath,
            [
                CLI,
                "check",
                "--only",
                "pod-security",
                "--level",
                "restricted",
                "--version",
                POD_SECURITY_VERSION,
                "--format",
                "json",
                root,
            ],
            { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        assert.equal(run.status, 1, `fail fixtures make the run fail; stderr: ${run.stderr}`);
        report = JSON.parse(run.stdout) as Report;
        for (const result of report.results) {
            const file = result.source.replace(/#\d+$/, "");
            failing.set(file, [...(failing.get(file) ?? []), ...result.violations]);
        }
    });

    it("reads every fixture", () => {
        assert.ok(files.some((f) => f.outcome === "pass") && files.some((f) => f.outcome === "fail"));
        assert.ok(
            report.summary.resources >= files.length,
            `${report.summary.resources} resources, ${files.length} files`,
        );
        for (const file of failing.keys()) assert.ok(file.startsWith(root), `${file} is outside the fixtures`);
    });

    it("reports no violation on any pass fixture", () => {
        const wrong = files.filter((f) => f.outcome === "pass" && failing.has(f.file));
        assert.deepEqual(
            wrong.map((f) => `${path.relative(root, f.file)}: ${JSON.stringify(failing.get(f.file))}`),
            [],
        );
    });

    it("reports a mandatory Pod Security violation, with its check id, on every fail fixture", () => {
        const fails = files.filter((f) => f.outcome === "fail");
        const missed = fails.filter(
            (f) => !failing.get(f.file)?.some((v) => v.level === "mandatory" && v.check !== null),
        );
        assert.deepEqual(
            missed.map((f) => path.relative(root, f.file)),
            [],
        );
        for (const f of fails) {
            for (const violation of failing.get(f.file) ?? []) assert.match(violation.policy, /^pod-security-/);
        }
    });
});
