/**
 * `npm run plan -- <stack>`: an offline preview. Runs the platform program for the stack's config under
 * mocks, prints the resources it registers as a tree, then the policy pack's verdicts (pack config:
 * policy-pack/config/<stack>.json when it exists, else the stack's env, registries and API-calling
 * ServiceAccounts for every policy, see packSettings), obtained as
 * `pulumi preview --policy-pack policy-pack` would obtain them: the pack spawned as the CLI spawns it and
 * asked over its gRPC protocol. Exits 1 on any mandatory violation, 2 on a usage error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Diagnostic, PolicyPackConfig } from "./analyzer-client";
import { REPO_ROOT, stackNames } from "./paths";
import type { EngineResource, PackRun, PackVerdict } from "./resources";

const USAGE = "usage: npm run plan -- <stack>";

/** The Pulumi project name, from Pulumi.yaml. */
function projectName(): string {
    return (parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/** Runs the platform program for `stack` under the plan's mocks; resolves once every registration is answered. */
async function registerProgram(stack: string, project: string) {
    // Loaded only now: a usage error needs none of the SDK, and the program must see the mocks.
    const { installPlanMocks } = await import("./mocks");
    const { recordRegistrations } = await import("./resources");
    const { referencedStackOutputs, stackConfig, stackValues } = await import("./stack-config");
    const values = stackValues(stack);
    installPlanMocks(
        { project, stack, accountId: String(values.accountId), region: String(values.region) },
        referencedStackOutputs,
    );
    const recorder = recordRegistrations();
    const { stackProgram } = await import("../../stacks/program");
    const outputs = stackProgram(stackConfig(stack));
    // Output.promise() and waitForRPCs are the SDK's own ways to await a program; both are internal.
    await Promise.all(Object.values(outputs).map((o) => (o as unknown as { promise(): Promise<unknown> }).promise()));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
    return recorder.records();
}

function label(resource: EngineResource): string {
    return `${resource.type}  ${resource.name}`;
}

/** A remote component's children come from its provider at preview time; offline there are none to check. */
const REMOTE_NOTE = "(remote component: its children are rendered by the provider at preview, not offline)";

/** The resource tree: each resource under its parent, in registration order. */
export function formatTree(resources: readonly EngineResource[]): string[] {
    const children = new Map<string | undefined, EngineResource[]>();
    for (const resource of resources) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const child of children.get(parent) ?? []) {
            lines.push(`${"  ".repeat(depth + 1)}${label(child)}${child.remote ? `  ${REMOTE_NOTE}` : ""}`);
            walk(child.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return lines;
}

const LEVEL_ORDER = ["mandatory", "remediate", "advisory", "disabled"];

/** The verdicts, mandatory first, each under the resource it is about. */
export function formatVerdicts(verdict: PackVerdict): string[] {
    const byUrn = new Map(verdict.resources.map((r) => [r.urn, r]));
    const order = new Map(verdict.resources.map((r, i) => [r.urn, i]));
    const sorted = [...verdict.diagnostics].sort(
        (a, b) =>
            LEVEL_ORDER.indexOf(a.enforcementLevel) - LEVEL_ORDER.indexOf(b.enforcementLevel) ||
            (order.get(a.urn) ?? -1) - (order.get(b.urn) ?? -1) ||
            a.policyName.localeCompare(b.policyName),
    );
    return sorted.flatMap((d: Diagnostic) => {
        const resource = byUrn.get(d.urn);
        const subject = resource ? label(resource) : d.urn;
        const message = d.message.split("\n").map((line) => `      ${line}`);
        return [`  [${d.enforcementLevel}] ${d.policyName}: ${subject}`, ...message];
    });
}

function count(diagnostics: readonly Diagnostic[], level: string): number {
    return diagnostics.filter((d) => d.enforcementLevel === level).length;
}

export async function main(argv: readonly string[]): Promise<number> {
    if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
        console.log(USAGE);
        return 0;
    }
    const stacks = stackNames();
    if (argv.length !== 1 || !stacks.includes(argv[0])) {
        const given = argv.length === 0 ? "no stack given" : `unknown stack or extra arguments: ${argv.join(" ")}`;
        console.error(`${given}\n${USAGE}\n  stacks: ${stacks.join(", ")}`);
        return 2;
    }
    const stack = argv[0];
    const project = projectName();
    // The pack boots in its own process (mostly loading the SDK) while this one loads the SDK and runs the
    // program: spawned first, from modules that load neither.
    const { launchPack } = await import("./spawn");
    const { stackConfigText } = await import("./stack-file");
    const launched = await launchPack({ stack: { stack, project, dryRun: true, config: stackConfigText(stack) } });
    let records: Awaited<ReturnType<typeof registerProgram>>;
    try {
        records = await registerProgram(stack, project);
    } catch (err) {
        await launched.stop();
        throw err;
    }
    const { configForEveryPolicy } = await import("./analyzer-client");
    const { analyzeRecords, connectPack } = await import("./resources");
    const { packSettings } = await import("./stack-config");
    // The config file `pulumi preview --policy-pack-config` is given for the stack, when there is one;
    // otherwise the stack's settings for every policy, at each policy's own level.
    const configFile = path.join(REPO_ROOT, "policy-pack", "config", `${stack}.json`);
    const packConfig: PackRun["config"] = fs.existsSync(configFile)
        ? (JSON.parse(fs.readFileSync(configFile, "utf8")) as PolicyPackConfig)
        : (info) => configForEveryPolicy(info, packSettings(stack));
    const configSource = fs.existsSync(configFile)
        ? path.relative(REPO_ROOT, configFile)
        : `the env, registries and API ServiceAccounts of stacks/Pulumi.${stack}.yaml, for every policy`;

    const pack = await connectPack(await launched.ready);
    let verdict: PackVerdict;
    try {
        verdict = await analyzeRecords(pack.session, records, {
            stack,
            project,
            dryRun: true,
            stackConfig: stackConfigText(stack),
            config: packConfig,
        });
    } finally {
        await pack.stop();
    }
    const stray = pack.process.stdoutAfterPort();
    if (stray.trim()) console.error(`warning: the policy pack printed to stdout after its port:\n${stray}`);

    const registered = verdict.resources.filter((r) => !r.synthetic).length;
    console.log(`Resources of stack ${stack} (${registered} registered by the program):`);
    for (const line of formatTree(verdict.resources)) console.log(line);
    console.log("");
    const { info, diagnostics } = verdict;
    console.log(
        `Policy verdicts of ${info.name} ${info.version} (${info.policies.length} policies, port read ${Math.round(pack.process.startupMs)} ms after the pack was spawned):`,
    );
    console.log(`  pack config: ${configSource}`);
    if (diagnostics.length === 0) console.log("  no diagnostics");
    for (const line of formatVerdicts(verdict)) console.log(line);
    console.log("");
    const mandatory = count(diagnostics, "mandatory");
    const advisory = count(diagnostics, "advisory");
    console.log(
        `Summary: stack ${stack}: ${registered} resources, ${info.policies.length} policies: ` +
            `${mandatory} mandatory, ${advisory} advisory. ${mandatory > 0 ? "FAIL" : "PASS"}`,
    );
    return mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
        },
    );
}
