/**
 * `npm run conformance`: the Pod Security evaluator against the upstream Pod Security admission fixtures
 * (../shared/conformance/psa, or $K8S_BASELINE_SHARED/conformance/psa), and the pack against the Kyverno CEL
 * policies (cel-agreement.ts). Prints every failure with its detail, one summary line per suite, and last
 * `N passed, M failed` over both. Exits 1 when anything failed, 2 when the fixtures are missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCelAgreement } from "./cel-agreement";
import { runPsaConformance } from "./psa";

/** The repository root: this file runs as dist/policy-pack/conformance/index.js. */
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Failures printed per suite; the rest are counted. */
const MAX_PRINTED_FAILURES = 200;

export interface SuiteOutcome {
    readonly suite: string;
    readonly passed: number;
    readonly failed: number;
}

/** Where the shared reference data is: $K8S_BASELINE_SHARED, else ../shared beside the repository. */
export function sharedRoot(env: NodeJS.ProcessEnv = process.env): string {
    return env.K8S_BASELINE_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");
}

function report(
    suite: string,
    results: readonly { name: string; passed: boolean; detail: string }[],
    write: (line: string) => void,
): SuiteOutcome {
    const failures = results.filter((result) => !result.passed);
    for (const failure of failures.slice(0, MAX_PRINTED_FAILURES)) {
        write(`FAIL ${suite}: ${failure.name}: ${failure.detail}`);
    }
    if (failures.length > MAX_PRINTED_FAILURES) {
        write(`FAIL ${suite}: ... and ${failures.length - MAX_PRINTED_FAILURES} more failures not shown`);
    }
    return { suite, passed: results.length - failures.length, failed: failures.length };
}

/** Runs both suites, writing the report line by line (problems running it to `fail`); returns the exit code. */
export function main(
    env: NodeJS.ProcessEnv = process.env,
    write: (line: string) => void = console.log,
    fail: (line: string) => void = console.error,
): number {
    const psaRoot = path.join(sharedRoot(env), "conformance", "psa");
    if (!fs.existsSync(psaRoot)) {
        fail(
            `${psaRoot} is missing: the Pod Security conformance needs the upstream fixtures in the shared reference ` +
                `data beside the repository (../shared), or K8S_BASELINE_SHARED pointing at it`,
        );
        return 2;
    }

    const psa = runPsaConformance(psaRoot).results.map((result) => ({
        name: result.file,
        passed: result.passed,
        detail: result.detail,
    }));
    const agreement = runCelAgreement();
    const outcomes = [report("psa", psa, write), report("cel-agreement", agreement.results, write)];

    write(`PSA conformance (${psaRoot}): ${outcomes[0].passed} passed, ${outcomes[0].failed} failed`);
    const skipped = agreement.notCompared.length > 0 ? `; not compared: ${agreement.notCompared.join(", ")}` : "";
    const differs =
        agreement.differences.length > 0
            ? `; ${agreement.differences.length} documented differences (pack stricter)`
            : "";
    write(
        `CEL agreement (Kyverno vs pack): ${outcomes[1].passed} passed, ${outcomes[1].failed} failed${skipped}${differs}`,
    );
    const passed = outcomes.reduce((sum, outcome) => sum + outcome.passed, 0);
    const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
    write(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main();
}
