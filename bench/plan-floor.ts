/**
 * The floor of `npm run plan -- <stack>` end to end: the same steps with the same program (mocks installed,
 * the pack spawned as the CLI spawns it while the program registers the same resources, ConfigureStack,
 * GetAnalyzerInfo, Configure, Analyze and AnalyzeStack of every resource, verdicts printed), with the empty
 * pack in place of the real one: `node plan-floor.js <stack> <empty pack folder>`. What lies between the two
 * is the pack's own cost.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../policy-pack/harness/paths";

async function main(argv: readonly string[]): Promise<number> {
    const [stack, packDir] = argv;
    const project = (parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const { launchPack } = await import("../policy-pack/harness/spawn");
    const { stackConfigText } = await import("../policy-pack/harness/stack-file");
    const launched = await launchPack({
        packDir,
        stack: { stack, project, dryRun: true, config: stackConfigText(stack) },
    });
    const { analyzeRecords, connectPack } = await import("../policy-pack/harness/resources");
    const { formatTree, formatVerdicts, registerProgram } = await import("../policy-pack/harness/plan");
    let records: Awaited<ReturnType<typeof registerProgram>>;
    try {
        records = await registerProgram(stack, project);
    } catch (err) {
        await launched.stop();
        throw err;
    }
    const pack = await connectPack(await launched.ready, packDir);
    try {
        const verdict = await analyzeRecords(pack.session, records, {
            stack,
            project,
            dryRun: true,
            stackConfig: stackConfigText(stack),
            config: {},
        });
        for (const line of formatTree(verdict.resources)) console.log(line);
        for (const line of formatVerdicts(verdict)) console.log(line);
        console.log(`Summary: stack ${stack}: ${verdict.resources.length} resources`);
    } finally {
        await pack.stop();
    }
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(`plan floor failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
