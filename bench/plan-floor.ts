/**
 * The floor of `npm run plan -- <stack>` end to end: the same steps (mocks installed, the pack spawned as the
 * CLI spawns it while registrations are recorded, ConfigureStack, GetAnalyzerInfo, Configure, Analyze,
 * AnalyzeStack, verdicts printed) with an empty program and the empty pack:
 * `node plan-floor.js <stack> <empty pack folder>`.
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
    const { installPlanMocks } = await import("../policy-pack/harness/mocks");
    const { recordRegistrations, analyzeRecords, connectPack } = await import("../policy-pack/harness/resources");
    const { stackValues } = await import("../policy-pack/harness/stack-config");
    const { formatTree, formatVerdicts } = await import("../policy-pack/harness/plan");
    const values = stackValues(stack);
    installPlanMocks({ project, stack, accountId: String(values.accountId), region: String(values.region) });
    const records = recordRegistrations().records();
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
