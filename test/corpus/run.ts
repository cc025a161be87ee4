/**
 * `npm run corpus [-- DIR...]`: every case under the folders given (test/corpus by default) through
 * `k8s-baseline check` and, for JSON cases, through the pack over the analyzer protocol. Prints one line per
 * failing case, then `N passed, M failed`; exits 1 when any case failed (or none was found), 2 on bad usage.
 */
import * as fs from "node:fs";
import { startPack, Pack } from "../../policy-pack/harness/resources";
import { caseFiles, CORPUS_DIR, judgeCase } from "./corpus";

async function run(argv: readonly string[]): Promise<number> {
    const dirs = argv.length > 0 ? [...argv] : [CORPUS_DIR];
    const missing = dirs.filter((dir) => !fs.existsSync(dir));
    if (missing.length > 0) {
        process.stderr.write(`corpus: no such file or folder: ${missing.join(", ")}\n`);
        return 2;
    }
    const files = caseFiles(dirs);
    let pack: Pack | undefined;
    let passed = 0;
    let failed = 0;
    try {
        if (files.some((file) => /\.json$/i.test(file))) pack = await startPack();
        for (const file of files) {
            const result = await judgeCase(file, pack);
            if (result.problems.length === 0) {
                passed++;
            } else {
                failed++;
                process.stdout.write(`FAIL ${file}: ${result.problems.join("; ")}\n`);
            }
        }
    } finally {
        await pack?.stop();
    }
    if (files.length === 0) process.stdout.write(`no cases under ${dirs.join(", ")}\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    return failed > 0 || files.length === 0 ? 1 : 0;
}

run(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
        process.stderr.write(`corpus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 2;
    },
);
