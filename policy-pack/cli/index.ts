#!/usr/bin/env node
/**
 * `k8s-baseline`: the policy pack's policies, run over Kubernetes manifests and Pulumi resource dumps without
 * Pulumi, for CI jobs and for repositories that deploy with kubectl, Helm or Argo CD.
 *
 *   k8s-baseline check [--env ...] [--level ...] [--version ...] [--only ...] [--format text|json] PATH...
 *   k8s-baseline policies [--env ...] [--level ...] [--version ...] [--only ...] [--format text|json]
 *
 * Exit status: 0 when no mandatory violation, 1 when any, 2 on bad usage or unreadable input (nothing is
 * checked then), 3 when the command itself fails (a bug to report, never a verdict).
 *
 * `check --format json` prints `{"results": [...], "summary": {...}}`: check.ts documents each field, inputs.ts
 * what is read and how sources are numbered, pod-security.ts what --level and --version do.
 *
 * The work is done once per run: the settings are built once, the policy list is selected once (and indexed
 * by type token once, by the engine), and every file is read and parsed once, by several threads for large
 * inputs.
 */
import { settingsFrom } from "../settings";
import { ALL_POLICIES } from "../policies";
import { Policy } from "../policies/types";
import { Command, OutputFormat, parseCommandLine, USAGE, UsageError } from "./args";
import { listPolicies, policiesToRun, selectPolicies } from "./catalog";
import { runCheck } from "./check";
import { inputFiles, parsingThreads, readInputs, readInputsInParallel } from "./inputs";
import { checkJson, checkText, policiesJson, policiesText } from "./output";

/** Where the CLI writes; the tests and embedding programs can pass their own. */
export interface Output {
    stdout(text: string): void;
    stderr(text: string): void;
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
    // Without --env, prod: neither a resource's labels nor a URN written into an input file may choose a lower
    // env for it, and no URN in a file makes a resource the platform's.
    const settings = settingsFrom({ env: command.env ?? "prod" }, new Date(), false);
    const selected = selectPolicies(policies, command.only);
    const podSecurity = { level: command.level, version: command.version };

    if (command.command === "policies") {
        const listing = listPolicies(selected, settings, podSecurity);
        out.stdout(command.format === OutputFormat.Json ? policiesJson(listing) : policiesText(listing));
        return ExitCode.Pass;
    }

    const listed = inputFiles(command.paths);
    const threads = parsingThreads(listed.files.length);
    const { resources, errors } =
        threads > 1 ? await readInputsInParallel(listed.files, threads) : readInputs(listed.files);
    // Every unreadable input is reported, not just the first, and nothing is checked: a partial verdict
    // would read as a pass for what was skipped.
    const unreadable = [...listed.errors, ...errors];
    if (unreadable.length > 0) {
        out.stderr(`${unreadable.join("\n")}\n`);
        return ExitCode.UsageOrInput;
    }
    const report = runCheck(resources, policiesToRun(selected, podSecurity), settings);
    out.stdout(command.format === OutputFormat.Json ? checkJson(report) : checkText(report));
    return report.summary.mandatory > 0 ? ExitCode.MandatoryViolations : ExitCode.Pass;
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

if (require.main === module) {
    // A reader that stops early (`| head`) closes the pipe: that ends the output, not in an internal error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        process.exit(process.exitCode ?? ExitCode.Pass);
    });
    const out: Output = {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
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
