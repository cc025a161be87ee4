/**
 * `k8s-baseline report`: the compliance evidence of one stack (policy-pack/compliance) as Markdown and as a
 * self-contained HTML page.
 *
 *   k8s-baseline report --stack ENV [--out DIR]
 *       the offline plan of stacks/Pulumi.<ENV>.yaml (the platform program under mocks, judged by the pack
 *       over its protocol, as `npm run plan` does); in the repository only, where the program is.
 *   k8s-baseline report --resources FILE [--env ENV] [--out DIR]
 *       a real stack's resources as `pulumi stack export` writes them, judged by the pack's policies with the
 *       env's pack config (policy-pack/config/<env>.json). The env defaults to the stack named in the URNs.
 *
 * Writes DIR/compliance-<stack>.md and DIR/compliance-<stack>.html (DIR defaults to the working directory)
 * and prints their paths and the summary. Exit status: 0 once written, whatever the findings (the report is
 * the evidence, `check` and the preview are the gates); 2 on bad usage or an unreadable export.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Environment, ENVIRONMENTS, isEnvironment } from "../../components/baseline";
import { buildReport, ComplianceReport, EvidenceInput, Finding } from "../compliance/report";
import { reportHtml } from "../compliance/html";
import { reportMarkdown } from "../compliance/markdown";
import { formatUsd } from "../cost/estimate";
import { ALL_POLICIES } from "../policies";
import { SECRET_SIG, SIG_KEY, unwrapSecret } from "../policies/resource";
import { Policy, PolicyResource, PolicySettings } from "../policies/types";
import { policiesToRun } from "./catalog";
import { runCheck } from "./check";
import { loadCheckConfig } from "./config";
import type { CheckedResource } from "./inputs";
import { podSecurityBaseline } from "../policies/pod-security";

export const REPORT_USAGE = `Usage:
  k8s-baseline report --stack ENV [--out DIR]
  k8s-baseline report --resources FILE [--env ${ENVIRONMENTS.join("|")}] [--out DIR]

report    Writes the compliance evidence of one stack, per control (CIS Amazon EKS Benchmark, NSA/CISA
          Kubernetes Hardening Guidance, Pod Security Standards, the design documents' checklist), as
          DIR/compliance-<stack>.md and a self-contained DIR/compliance-<stack>.html.

  --stack      the offline plan of stacks/Pulumi.<ENV>.yaml (in the repository)
  --resources  a JSON export of a real stack's resources (\`pulumi stack export --file FILE\`)
  --env        the env to judge the export as (default: the stack the URNs name, when it is an env)
  --out        the folder to write to (default: the working directory)`;

/** Bad usage of report: printed with the usage, exit 2. */
export class ReportUsageError extends Error {}

export interface ReportCommand {
    readonly stack?: string;
    readonly resources?: string;
    readonly env?: Environment;
    readonly out: string;
}

export function parseReportArgs(argv: readonly string[]): ReportCommand | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                resources: { type: "string" },
                env: { type: "string" },
                out: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: false,
            strict: true,
        });
    } catch (error) {
        throw new ReportUsageError((error as Error).message);
    }
    const { values } = parsed;
    if (values.help) return "help";
    if ((values.stack === undefined) === (values.resources === undefined)) {
        throw new ReportUsageError("report needs exactly one of --stack ENV or --resources FILE");
    }
    if (values.env !== undefined && !isEnvironment(values.env)) {
        throw new ReportUsageError(`--env must be one of ${ENVIRONMENTS.join(", ")}, not "${values.env}"`);
    }
    if (values.stack !== undefined && values.env !== undefined) {
        throw new ReportUsageError("--env goes with --resources; a stack's env is its config's");
    }
    return {
        stack: values.stack,
        resources: values.resources,
        env: values.env as Environment | undefined,
        out: values.out ?? ".",
    };
}

/** A resource of a `pulumi stack export` (deployment v3). */
interface ExportedResource {
    readonly urn: string;
    readonly type: string;
    readonly parent?: string;
    readonly inputs?: Record<string, unknown>;
}

/**
 * A value of an export as policies read it: a secret written with `--show-secrets` as its value; one
 * written encrypted (`ciphertext`) as an opaque marker string, so that a policy sees a value is set
 * without reading it.
 */
function exportedValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(exportedValue);
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (object[SIG_KEY] === SECRET_SIG) {
        if (typeof object.plaintext === "string") {
            try {
                return exportedValue(JSON.parse(object.plaintext));
            } catch {
                return object.plaintext;
            }
        }
        if ("value" in object) return exportedValue(unwrapSecret(object));
        return "[secret]";
    }
    return Object.fromEntries(Object.entries(object).map(([key, child]) => [key, exportedValue(child)]));
}

/** The resources of a stack export, without the Stack and the providers; throws ReportUsageError on another shape. */
export function resourcesOfExport(text: string, file: string): PolicyResource[] {
    let document: unknown;
    try {
        document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
        throw new ReportUsageError(`--resources ${file}: not JSON: ${(error as Error).message}`);
    }
    const resources = (document as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
    if (!Array.isArray(resources)) {
        throw new ReportUsageError(
            `--resources ${file}: not a stack export: expected {"version": 3, "deployment": {"resources": [...]}} as \`pulumi stack export\` writes it`,
        );
    }
    return resources.flatMap((entry: unknown, index): PolicyResource[] => {
        const resource = entry as ExportedResource;
        if (typeof resource?.urn !== "string" || typeof resource.type !== "string") {
            throw new ReportUsageError(`--resources ${file}: resource ${index} has no urn or type`);
        }
        if (resource.type === "pulumi:pulumi:Stack" || resource.type.startsWith("pulumi:providers:")) return [];
        const props = exportedValue(resource.inputs ?? {}) as Record<string, any>;
        return [
            {
                type: resource.type,
                name: resource.urn.slice(resource.urn.lastIndexOf("::") + 2),
                urn: resource.urn,
                parent: resource.parent,
                props,
            },
        ];
    });
}

/** The stack a URN names: `urn:pulumi:<stack>::...`. */
function stackOf(urn: string | undefined): string | undefined {
    return urn?.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[0] : undefined;
}

/**
 * Judges exported resources as `check --env` does, with the env's pack config, except that their URNs are
 * the engine's own (so the platform's charts are recognised by their parentage, as in a preview).
 */
export function judgeExport(
    resources: readonly PolicyResource[],
    env: Environment,
    file: string,
    policies: readonly Policy[] = ALL_POLICIES,
): Finding[] {
    const config = loadCheckConfig({ env, policies });
    const toRun = policiesToRun(policies, {
        level: undefined,
        version: config.settingsFor(podSecurityBaseline).podSecurityVersion,
    });
    const trusted = new Map<Policy, PolicySettings>();
    const settingsFor = (policy: Policy): PolicySettings => {
        let settings = trusted.get(policy);
        if (settings === undefined) {
            settings = { ...config.settingsFor(policy), trustedUrns: true };
            trusted.set(policy, settings);
        }
        return settings;
    };
    const inputs: CheckedResource[] = resources.map((resource, index) => ({ source: `${file}#${index}`, resource }));
    const urnOfSource = new Map(inputs.map((input) => [input.source, input.resource.urn]));
    const report = runCheck(inputs, toRun, settingsFor, config.levels);
    return report.results.flatMap((result) =>
        result.violations.map((violation) => ({
            policy: violation.policy,
            level: violation.level,
            message: violation.message,
            urn: urnOfSource.get(result.source),
        })),
    );
}

/** The evidence of `command`: from the offline plan, or from an export. */
export async function evidenceOf(command: ReportCommand, now: Date = new Date()): Promise<EvidenceInput> {
    if (command.resources !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(command.resources, "utf8");
        } catch (error) {
            throw new ReportUsageError(`--resources ${command.resources}: ${(error as Error).message}`);
        }
        const resources = resourcesOfExport(text, command.resources);
        const stack = stackOf(resources[0]?.urn) ?? path.basename(command.resources, ".json");
        const env = command.env ?? (isEnvironment(stack) ? stack : undefined);
        if (env === undefined) {
            throw new ReportUsageError(`--resources ${command.resources}: stack "${stack}" is not an env: give --env`);
        }
        return {
            stack,
            env,
            source: `${command.resources} (a stack export), judged with the ${env} pack config`,
            resources,
            findings: judgeExport(resources, env, command.resources),
            policies: ALL_POLICIES,
            generatedAt: now,
        };
    }
    const stack = command.stack!;
    // Loaded only now: the plan loads the Pulumi SDK and the platform program, which an export needs neither of.
    const { stackNames } = await import("../harness/paths");
    if (!stackNames().includes(stack)) {
        throw new ReportUsageError(
            `--stack ${stack}: no stacks/Pulumi.${stack}.yaml (stacks: ${stackNames().join(", ")})`,
        );
    }
    const { stackValues } = await import("../harness/stack-config");
    const env = stackValues(stack).env;
    if (!isEnvironment(env)) throw new ReportUsageError(`--stack ${stack}: its config names no env`);
    const { previewStack } = await import("../harness/plan");
    const preview = await previewStack(stack);
    return {
        stack,
        env,
        source: `the offline plan of stacks/Pulumi.${stack}.yaml, judged by the policy pack (${preview.configSource})`,
        resources: preview.policyResources,
        findings: preview.verdict.diagnostics.map((d) => ({
            policy: d.policyName,
            level: d.enforcementLevel,
            message: d.message,
            urn: d.urn,
        })),
        policies: ALL_POLICIES,
        generatedAt: now,
    };
}

/** Writes the two files; returns their paths. */
export function writeReport(report: ComplianceReport, out: string): { markdown: string; html: string } {
    fs.mkdirSync(out, { recursive: true });
    const base = path.join(out, `compliance-${report.stack}`);
    const markdown = `${base}.md`;
    const html = `${base}.html`;
    fs.writeFileSync(markdown, reportMarkdown(report));
    fs.writeFileSync(html, reportHtml(report));
    return { markdown, html };
}

/** A one-line summary for the terminal. */
export function summaryLine(report: ComplianceReport): string {
    const { summary } = report;
    const statuses = Object.entries(summary.byStatus)
        .map(([status, count]) => `${count} ${status}`)
        .join(", ");
    return (
        `stack ${report.stack}: ${summary.controls} controls (${statuses}); ` +
        `${summary.mandatory} mandatory and ${summary.advisory} advisory findings; ` +
        `secrets ${formatUsd(report.cost.totalUsd)} a month (budget ${formatUsd(report.costBudgetUsd)})`
    );
}

/** Runs `report` with `argv` (after the word `report`); returns the exit status. */
export async function runReport(
    argv: readonly string[],
    out: { stdout(text: string): void; stderr(text: string): void },
): Promise<number> {
    try {
        const command = parseReportArgs(argv);
        if (command === "help") {
            out.stdout(`${REPORT_USAGE}\n`);
            return 0;
        }
        const report = buildReport(await evidenceOf(command));
        const written = writeReport(report, command.out);
        out.stdout(`wrote ${written.markdown}\nwrote ${written.html}\n${summaryLine(report)}\n`);
        return 0;
    } catch (error) {
        if (error instanceof ReportUsageError) {
            out.stderr(`k8s-baseline: ${error.message}\n\n${REPORT_USAGE}\n`);
            return 2;
        }
        throw error;
    }
}
