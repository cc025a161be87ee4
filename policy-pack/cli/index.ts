#!/usr/bin/env node
/**
 * `k8s-baseline`: the policy pack's policies, run over Kubernetes manifests and Pulumi resource dumps without
 * Pulumi, for CI jobs and for repositories that deploy with kubectl, Helm or Argo CD.
 *
 *   k8s-baseline check [--env ...] [--config FILE] [--registries ...] [--level ...] [--version ...]
 *                      [--only ...] [--format text|json|sarif] [--sarif-root DIR] [--quiet] PATH...
 *   k8s-baseline policies [--env ...] [--level ...] [--version ...] [--only ...] [--format text|json]
 *   k8s-baseline report (--stack ENV | --resources FILE [--env ...]) [--out DIR]   (report.ts)
 *   k8s-baseline sops-config [--project NAME] [--out FILE|-] ENV=OUTPUTS.json...   (sops-config.ts)
 *
 * Exit status: 0 when no mandatory violation, 1 when any, 2 on bad usage (nothing is checked then) or on an
 * unreadable input (every readable one is still judged and reported), 3 when the command itself fails (a bug
 * to report, never a verdict).
 *
 * `check --format sarif` prints a SARIF 2.1.0 log (cli/sarif.ts, report/sarif.ts); the exit status is the same.
 * `check --format json` prints `{"results": [...], "notices": [...], "summary": {...}}`: check.ts documents each
 * field, inputs.ts what is read and how sources are numbered, config.ts which pack config is judged with
 * (`--config`, or with `--env` the env's generated one), pod-security.ts what --level and --version do.
 *
 * Pulumi stack files (`Pulumi.<stack>.yaml`) are judged by the stack-file rules (stack-files.ts), which `--only`
 * selects and the config sets the levels of like the pack's policies; `policies` lists them last.
 *
 * The work is done once per run: the settings are built once, the policy list is selected once (and indexed
 * by type token once, by the engine), and every file is read and parsed once. Many files are read, parsed and
 * judged by the resource policies on several threads (parallel.ts), this one among them; the stack policies
 * then run once over everything here. On a terminal, a run that takes more than a couple of seconds shows its progress
 * on standard error (progress.ts); `--quiet` turns that off.
 */
// First: the modules loaded after it are compiled through the cache.
import "./compile-cache";
import { ALL_POLICIES } from "../policies";
import { Policy } from "../policies/types";
import { readConfigDocument } from "./config";
import { Command, OutputFormat, parseCommandLine, USAGE, UsageError } from "./args";
import { listPolicies } from "./catalog";
import { CheckReport, runCheck } from "./check";
import { inputFiles, readInputs } from "./inputs";
import { judgingFor, JudgingOptions } from "./judging";
import { judgingThreads, readAndJudgeInParallel } from "./parallel";
import { checkJsonTo, checkText, policiesJson, policiesText } from "./output";
import { runReport } from "./report";
import { checkStackFiles, STACK_FILE_RULES, stackFileName, StackFilesReport } from "./stack-files";
import { runSopsConfig } from "./sops-config";
import { checkSarif } from "./sarif";
import { Progress, showsProgress } from "./progress";

/**
 * The check report with the stack files' findings: each stack file counts as one resource checked, and as
 * one no policy judges when `--only` selects no stack-file rule (they are then not read at all).
 */
function withStackFiles(report: CheckReport, stackFiles: StackFilesReport | undefined, count: number): CheckReport {
    if (count === 0) return report;
    const { summary } = report;
    if (stackFiles === undefined) {
        const names = STACK_FILE_RULES.map((rule) => rule.name).join(", ");
        return {
            ...report,
            notices: [
                ...report.notices,
                `not judged: ${count === 1 ? "1 Pulumi stack file" : `${count} Pulumi stack files`}, ` +
                    `--only selects no stack-file rule (${names})`,
            ],
            summary: { ...summary, resources: summary.resources + count, notJudged: summary.notJudged + count },
        };
    }
    return {
        ...report,
        results: [...report.results, ...stackFiles.results],
        summary: {
            ...summary,
            resources: summary.resources + count,
            mandatory: summary.mandatory + stackFiles.mandatory,
            advisory: summary.advisory + stackFiles.advisory,
        },
    };
}

/** Where the CLI writes; the tests and embedding programs can pass their own. */
export interface Output {
    stdout(text: string): void;
    stderr(text: string): void;
    /** Whether standard error is a terminal: only then does a long check show its progress (progress.ts). */
    readonly stderrIsTTY?: boolean;
}

/** Exit statuses. */
export const ExitCode = {
    Pass: 0,
    MandatoryViolations: 1,
    UsageOrInput: 2,
    InternalError: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

async function run(
    command: Exclude<Command, { command: "help" }>,
    out: Output,
    policies: readonly Policy[],
): Promise<ExitCode> {
    // The preview's config: --config, else with --env the env's generated file. Without an env anywhere,
    // prod: neither a resource's labels nor a URN written into an input file may choose a lower env for it,
    // and no URN in a file makes a resource the platform's.
    const options: JudgingOptions = {
        document: readConfigDocument(command.config, command.env),
        env: command.env,
        registries: command.registries,
        only: command.only,
        level: command.level,
        version: command.version,
        now: Date.now(),
    };
    const judging = judgingFor(options, policies);
    const { config, selected, stackFileRules, podSecurity, toRun } = judging;

    if (command.command === "policies") {
        const listing = listPolicies(selected, config.settings, podSecurity, config.levels, stackFileRules);
        out.stdout(command.format === OutputFormat.Json ? policiesJson(listing) : policiesText(listing));
        return ExitCode.Pass;
    }

    const inputs = inputFiles(command.paths);
    // Pulumi stack files are judged by the stack-file rules (stack-files.ts), not read as manifests, at the
    // levels of the config the rest is judged with (prod's without one).
    const stackFileInputs = inputs.files.filter((file) => stackFileName(file) !== undefined);
    const stackFiles =
        stackFileRules.length === 0
            ? undefined
            : checkStackFiles(stackFileInputs, {
                  rules: stackFileRules,
                  levels: config.levels,
                  env: config.declaredEnv,
              });
    const listed = { ...inputs, files: inputs.files.filter((file) => stackFileName(file) === undefined) };
    const progress = showsProgress({ stderrIsTTY: out.stderrIsTTY === true, quiet: command.quiet })
        ? new Progress((text) => out.stderr(text))
        : undefined;
    const total = listed.files.length;
    const reading = progress && ((done: number, objects: number) => progress.reading(done, total, objects));
    // The parsing threads build the pack's own policies: a program embedding the command with a list of its
    // own judges in this thread.
    const threads = policies === ALL_POLICIES ? judgingThreads(total) : 1;
    const { read, verdicts } =
        threads > 1
            ? await readAndJudgeInParallel(listed.files, threads, judging, options, undefined, reading)
            : { read: readInputs(listed.files, reading), verdicts: undefined };
    // Every unreadable input is reported, not just the first; what could be read is still judged and
    // reported, and the run ends with exit status 2 whatever it found: a partial verdict is never a pass.
    const unreadable = [...listed.errors, ...read.errors, ...(stackFiles?.errors ?? [])];
    const judged = read.resources.length;
    const checked = runCheck(
        read.resources,
        toRun,
        judging.settings,
        config.levels,
        progress && ((done) => progress.judging(done, judged)),
        verdicts,
    );
    const report = withStackFiles(checked, stackFiles, stackFileInputs.length);
    progress?.end();
    if (unreadable.length > 0) out.stderr(`${unreadable.join("\n")}\n`);
    const notices = [...listed.notices, ...read.notices, ...report.notices];
    if (report.summary.resources === 0 && unreadable.length === 0) notices.push("no resources to check in the input");
    const final = { ...report, notices };
    const exitCode =
        unreadable.length > 0
            ? ExitCode.UsageOrInput
            : report.summary.mandatory > 0
              ? ExitCode.MandatoryViolations
              : ExitCode.Pass;
    if (command.format === OutputFormat.Sarif) {
        const root = command.sarifRoot ?? process.cwd();
        out.stdout(
            checkSarif(final, {
                // The stack-file rules are the log's rules only where stack files were judged by them.
                policies: stackFileInputs.length > 0 ? [...selected, ...stackFileRules] : selected,
                levels: config.levels,
                root,
                files: inputs.files,
                unreadable,
                exitCode,
            }),
        );
    } else if (command.format === OutputFormat.Json) {
        checkJsonTo(final, (text) => out.stdout(text));
    } else {
        out.stdout(checkText(final));
    }
    return exitCode;
}

/**
 * Runs the command line `argv` (without the node and script paths) and returns the exit status. `policies`
 * is the pack's list; another list serves programs that embed the command with policies of their own.
 */
export async function main(
    argv: readonly string[],
    out: Output,
    policies: readonly Policy[] = ALL_POLICIES,
): Promise<ExitCode> {
    // `report` has options of its own (report.ts); every other command is parsed here.
    if (argv[0] === "report") return (await runReport(argv.slice(1), out)) as ExitCode;
    if (argv[0] === "sops-config") return runSopsConfig(argv.slice(1), out) as ExitCode;
    try {
        const command = parseCommandLine(argv);
        if (command.command === "help") {
            out.stdout(`${USAGE}\n`);
            return ExitCode.Pass;
        }
        return await run(command, out, policies);
    } catch (error) {
        if (error instanceof UsageError) {
            out.stderr(`k8s-baseline: ${error.message}\n\n${USAGE}\n`);
            return ExitCode.UsageOrInput;
        }
        throw error;
    }
}

/** Runs the process's own command line, as the `k8s-baseline` binary (bin/k8s-baseline.js) does. */
export function runCommandLine(): void {
    // A reader that stops early (`| head`) closes the pipe: that ends the output, not in an internal error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        process.exit(process.exitCode ?? ExitCode.Pass);
    });
    const out: Output = {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        stderrIsTTY: process.stderr.isTTY === true,
    };
    main(process.argv.slice(2), out).then(
        // exitCode, not exit(): a large report piped to another program is flushed before the process ends.
        (code) => (process.exitCode = code),
        (error: unknown) => {
            // A fault of the command itself: neither a verdict (0, 1) nor the input's fault (2).
            const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
            out.stderr(`k8s-baseline: internal error: ${detail}\n`);
            process.exitCode = ExitCode.InternalError;
        },
    );
}

if (require.main === module) runCommandLine();
