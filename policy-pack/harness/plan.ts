/**
 * `npm run plan -- <stack>`: an offline preview. Runs the platform program for the stack's config under
 * mocks, prints the resources it registers as a tree, then the policy pack's verdicts (pack config:
 * policy-pack/config/<stack>.json when it exists, else the stack's env, registries and API-calling
 * ServiceAccounts for every policy, see packSettings), obtained as
 * `pulumi preview --policy-pack policy-pack` would obtain them: the pack spawned as the CLI spawns it and
 * asked over its gRPC protocol. Then what it could not judge offline (the Helm charts' objects), and the
 * chart values judged against ../shared/charts (plan-coverage). Exits 1 on any mandatory violation or chart
 * value problem, 2 on a usage error or a stack file it cannot read.
 *
 * `--format json|sarif` prints the verdict as a document instead (plan-report.ts), or with `--output FILE`
 * writes it there and prints the text as well; the exit status is the same.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { Diagnostic, PolicyPackConfig } from "./analyzer-client";
import { REPO_ROOT } from "./paths";
import { parsePlanArgs, PLAN_USAGE, PlanFormat } from "./plan-args";
import { StackFileError, stackConfigText } from "./stack-file";
import type { EngineResource, PackRun, PackVerdict } from "./resources";
import { UNKNOWN, unwrapSecret } from "../policies/resource";
import type { PolicyResource } from "../policies/types";

/** The Pulumi project name, from Pulumi.yaml. */
function projectName(): string {
    return (parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/** Runs the platform program for `stack` under the plan's mocks; resolves once every registration is answered. */
export async function registerProgram(stack: string, project: string) {
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

/** What the offline preview of a stack gives: the resources the engine would show, and the pack's verdict. */
export interface StackPreview {
    readonly stack: string;
    readonly project: string;
    readonly verdict: PackVerdict;
    /** Which pack config the policies ran with, in words. */
    readonly configSource: string;
    /** The resources as the policies see them: plain inputs, secrets unwrapped, unknowns as UNKNOWN. */
    readonly policyResources: readonly PolicyResource[];
    /** Milliseconds from spawning the pack to reading its port. */
    readonly startupMs: number;
    /** What the pack printed to stdout after its port, which it should not. */
    readonly stray: string;
}

/**
 * Runs the platform program for `stack` under mocks and asks the policy pack for its verdict, as
 * `pulumi preview --policy-pack policy-pack` would. Once per process: the program registers under the
 * process's mocks. Throws StackFileError, before anything starts, when the stack file cannot be read.
 */
export async function previewStack(stack: string): Promise<StackPreview> {
    const project = projectName();
    const stackConfig = stackConfigText(stack);
    // The pack boots in its own process (mostly loading the SDK) while this one loads the SDK and runs the
    // program: spawned first, from modules that load neither.
    const { launchPack } = await import("./spawn");
    const launched = await launchPack({ stack: { stack, project, dryRun: true, config: stackConfig } });
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
            stackConfig,
            config: packConfig,
        });
    } finally {
        await pack.stop();
    }
    const { UNKNOWN_WIRE } = await import("./wire");
    const plain = (value: unknown): unknown => {
        const unwrapped = unwrapSecret(value);
        if (unwrapped === UNKNOWN_WIRE) return UNKNOWN;
        if (Array.isArray(unwrapped)) return unwrapped.map(plain);
        if (unwrapped !== null && typeof unwrapped === "object") {
            return Object.fromEntries(Object.entries(unwrapped).map(([key, child]) => [key, plain(child)]));
        }
        return unwrapped;
    };
    const policyResources = verdict.resources
        .filter((r) => !r.synthetic)
        .map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            parent: r.parent,
            props: plain(r.properties) as Record<string, any>,
        }));
    return {
        stack,
        project,
        verdict,
        configSource,
        policyResources,
        startupMs: pack.process.startupMs,
        stray: pack.process.stdoutAfterPort(),
    };
}

export async function main(argv: readonly string[]): Promise<number> {
    if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
        console.log(PLAN_USAGE);
        return 0;
    }
    const options = parsePlanArgs(argv);
    if ("error" in options) {
        console.error(`${options.error}\n${PLAN_USAGE}`);
        return 2;
    }
    let preview: StackPreview;
    try {
        preview = await previewStack(options.stack);
    } catch (err) {
        if (!(err instanceof StackFileError)) throw err;
        console.error(err.message);
        return 2;
    }
    const { stack, verdict, configSource, stray } = preview;
    if (stray.trim()) console.error(`warning: the policy pack printed to stdout after its port:\n${stray}`);

    if (options.format !== PlanFormat.Text) {
        const exitCode = count(verdict.diagnostics, "mandatory") > 0 ? 1 : 0;
        const context = { stack, root: REPO_ROOT, configSource, exitCode };
        const { planJson, planSarif } = await import("./plan-report");
        const document = options.format === PlanFormat.Sarif ? planSarif(verdict, context) : planJson(verdict, context);
        if (options.output === undefined) {
            // Written out before the process exits: a pipe on some systems takes it asynchronously.
            await new Promise<void>((resolve, reject) =>
                process.stdout.write(document, (error) => (error ? reject(error) : resolve())),
            );
            return exitCode;
        }
        fs.writeFileSync(options.output, document);
    }

    const registered = verdict.resources.filter((r) => !r.synthetic).length;
    console.log(`Resources of stack ${stack} (${registered} registered by the program):`);
    for (const line of formatTree(verdict.resources)) console.log(line);
    console.log("");
    const { info, diagnostics } = verdict;
    console.log(
        `Policy verdicts of ${info.name} ${info.version} (${info.policies.length} policies, port read ${Math.round(preview.startupMs)} ms after the pack was spawned):`,
    );
    console.log(`  pack config: ${configSource}`);
    if (diagnostics.length === 0) console.log("  no diagnostics");
    for (const line of formatVerdicts(verdict)) console.log(line);
    console.log("");
    const { offlineCoverage } = await import("./plan-coverage");
    const coverage = offlineCoverage(verdict.resources);
    for (const line of coverage.lines) console.log(line);
    if (coverage.lines.length > 0) console.log("");
    const { estimateSecretsCost, formatEstimate } = await import("../cost/estimate");
    const { profileFor } = await import("../../components/baseline");
    const { isClusterStack, stackEnvironment } = await import("./stack-config");
    // A cluster stack holds no env's secrets, and has no env's budget.
    const budget = isClusterStack(stack) ? undefined : profileFor(stackEnvironment(stack)).secretsMonthlyBudgetUsd;
    console.log(`Secrets plumbing of stack ${stack}, estimated a month:`);
    for (const line of formatEstimate(estimateSecretsCost(preview.policyResources), budget)) console.log(line);
    console.log("");
    const mandatory = count(diagnostics, "mandatory");
    const advisory = count(diagnostics, "advisory");
    const failed = mandatory > 0 || coverage.problems > 0;
    console.log(
        `Summary: stack ${stack}: ${registered} resources, ${info.policies.length} policies: ` +
            `${mandatory} mandatory, ${advisory} advisory${coverage.summary}. ${failed ? "FAIL" : "PASS"}`,
    );
    return failed ? 1 : 0;
}

/**
 * Exits once standard output and error have taken everything written to them: on a pipe Node writes
 * asynchronously, and `process.exit` with writes pending cuts the report short.
 */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => exitAfterOutput(code),
        (err: unknown) => {
            console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
            // A stack file the plan cannot read is unusable input, as a usage error is.
            exitAfterOutput(err instanceof StackFileError ? 2 : 1);
        },
    );
}
