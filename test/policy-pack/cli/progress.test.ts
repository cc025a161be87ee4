/**
 * The progress line of `check` (progress.ts): when it is shown, what it says, that it is throttled and erased,
 * and that a run whose standard error is not a terminal prints none.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommandLine } from "../../../policy-pack/cli/args";
import { Progress, PROGRESS_DELAY_MS, PROGRESS_INTERVAL_MS, showsProgress } from "../../../policy-pack/cli/progress";
import { REPO_ROOT } from "../../shared";

const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");
const ERASE = "\r\x1b[K";

/** A Progress on a clock the test moves, and what it wrote. */
function progressAt(): { progress: Progress; written: string[]; advance(ms: number): void } {
    let now = 1000;
    const written: string[] = [];
    const progress = new Progress(
        (text) => written.push(text),
        () => now,
    );
    return { progress, written, advance: (ms) => (now += ms) };
}

describe("check: the progress line", () => {
    it("is shown only to a terminal, and never with --quiet", () => {
        assert.equal(showsProgress({ stderrIsTTY: true, quiet: false }), true);
        assert.equal(showsProgress({ stderrIsTTY: true, quiet: true }), false);
        assert.equal(showsProgress({ stderrIsTTY: false, quiet: false }), false);
        assert.equal(showsProgress({ stderrIsTTY: false, quiet: true }), false);
    });

    it("takes --quiet and -q; without them a check is not quiet", () => {
        const quiet = (argv: string[]) => {
            const command = parseCommandLine(argv);
            assert.equal(command.command, "check");
            return command.quiet;
        };
        assert.equal(quiet(["check", "--quiet", "a.yaml"]), true);
        assert.equal(quiet(["check", "-q", "a.yaml"]), true);
        assert.equal(quiet(["check", "a.yaml"]), false);
    });

    it("says nothing during the first seconds, then files and objects, then objects judged", () => {
        const { progress, written, advance } = progressAt();
        progress.reading(10, 100, 25);
        advance(PROGRESS_DELAY_MS - 1);
        progress.reading(50, 100, 120);
        assert.deepEqual(written, [], "nothing before the delay");
        advance(1);
        progress.reading(60, 100, 150);
        assert.deepEqual(written, [`${ERASE}k8s-baseline check: read 60/100 files, 150 objects`]);
        advance(PROGRESS_INTERVAL_MS);
        progress.judging(256, 300);
        assert.equal(written.at(-1), `${ERASE}k8s-baseline check: judged 256/300 objects`);
    });

    it("rewrites the line at most every so often, and erases it at the end", () => {
        const { progress, written, advance } = progressAt();
        advance(PROGRESS_DELAY_MS);
        progress.reading(1, 9, 1);
        advance(PROGRESS_INTERVAL_MS - 1);
        progress.reading(2, 9, 2);
        assert.equal(written.length, 1, "a second line too soon");
        advance(1);
        progress.reading(3, 9, 3);
        assert.equal(written.length, 2);
        progress.end();
        assert.equal(written.at(-1), ERASE);
        progress.end();
        assert.equal(written.length, 3, "erased once");
    });

    it("erases nothing when nothing was shown", () => {
        const { progress, written } = progressAt();
        progress.reading(1, 2, 1);
        progress.end();
        assert.deepEqual(written, []);
    });

    it("is not printed by a run whose standard error is a pipe", function () {
        this.timeout(120_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-progress-"));
        try {
            const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\ndata:\n  k: v\n";
            for (let i = 0; i < 3000; i++) fs.writeFileSync(path.join(dir, `c${i}.yaml`), manifest);
            const run = spawnSync(process.execPath, [CLI, "check", dir], { encoding: "utf8" });
            assert.equal(run.status, 0, run.stderr);
            assert.match(run.stdout, /3000 resources checked/);
            assert.equal(run.stderr, "");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
