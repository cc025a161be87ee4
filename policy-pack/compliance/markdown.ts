/** The compliance report as Markdown: a summary, one table per framework, the findings and the cost. */
import { describeQuantity, formatUsd } from "../cost/estimate";
import { ComplianceReport, ControlRow, ControlStatus } from "./report";

function cell(value: string): string {
    return value.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function list(items: readonly string[]): string {
    return items.length === 0 ? "none" : items.join(", ");
}

/** What a row says under "deploy time". */
export function deployText(row: ControlRow): string {
    const parts = [
        ...row.components.map((c) => `${c.type.slice(c.type.lastIndexOf(":") + 1)} ×${c.count}`),
        ...row.resources.map((r) => `${r.type} ×${r.count}`),
    ];
    return list(parts);
}

/** What a row says under "admission". */
export function admissionText(row: ControlRow): string {
    const parts = row.admission.map(
        (rule) =>
            `${rule.kyvernoPolicy} (${rule.deployed ? (rule.actions.length > 0 ? rule.actions.join("+") : "deployed") : "not in this stack"})`,
    );
    if (row.podSecurityAdmission !== undefined) {
        const { level, namespaces } = row.podSecurityAdmission;
        parts.push(`Pod Security admission enforce=${level} or stricter in ${namespaces} namespaces`);
    }
    return list(parts);
}

/** What a row says under "result". */
export function resultText(row: ControlRow): string {
    if (row.status === ControlStatus.NotCovered) {
        return `not covered: ${row.control.notCovered!.providedBy}`;
    }
    if (row.status === ControlStatus.Provided) return `provided by \`${row.control.providedByCommand}\``;
    return `${row.status} (${row.mandatory} mandatory, ${row.advisory} advisory)`;
}

export function reportMarkdown(report: ComplianceReport): string {
    const { summary } = report;
    const out: string[] = [
        `# Compliance evidence: stack ${report.stack} (${report.env})`,
        "",
        `Source: ${report.source}. Generated ${report.generatedAt}.`,
        "",
        "## Summary",
        "",
        `- ${summary.controls} controls: ${Object.entries(summary.byStatus)
            .map(([status, count]) => `${count} ${status}`)
            .join(", ")}`,
        `- Findings of the stack: ${summary.mandatory} mandatory, ${summary.advisory} advisory, from ${summary.policies} policies over ${summary.resources} resources`,
        `- Secrets plumbing: ${formatUsd(report.cost.totalUsd)} a month, budget ${formatUsd(report.costBudgetUsd)}`,
        "",
    ];
    for (const framework of report.frameworks) {
        const rows = report.rows.filter((row) => row.control.framework === framework.id);
        out.push(
            `## ${framework.name} ${framework.version}`,
            "",
            `Source: ${framework.source} (checked ${framework.checked}).`,
            "",
            "| Control | Title | Deploy time | Preview (policies) | Admission | Result |",
            "| --- | --- | --- | --- | --- | --- |",
        );
        for (const row of rows) {
            out.push(
                `| ${cell(row.control.id)} | ${cell(row.control.title)} | ${cell(deployText(row))} | ${cell(list(row.policies))} | ${cell(admissionText(row))} | ${cell(resultText(row))} |`,
            );
        }
        out.push("");
    }
    const notCovered = report.rows.filter((row) => row.status === ControlStatus.NotCovered);
    out.push(
        "## Not covered by the package",
        "",
        "| Control | Title | Provided by | What to check instead |",
        "| --- | --- | --- | --- |",
    );
    for (const row of notCovered) {
        out.push(
            `| ${cell(row.control.id)} | ${cell(row.control.title)} | ${cell(row.control.notCovered!.providedBy)} | ${cell(row.control.notCovered!.check)} |`,
        );
    }
    out.push("", "## Findings", "");
    if (report.findings.length === 0) out.push("None.");
    report.findings.forEach((finding, index) => {
        out.push(
            `${index + 1}. [${finding.level}] ${finding.policy}: ${finding.message.replace(/\n/g, " ")}${finding.urn ? ` (${finding.urn})` : ""}`,
        );
    });
    out.push("", "## Cost of the secrets plumbing", "", "| Item | Quantity | Monthly |", "| --- | --- | --- |");
    for (const line of report.cost.lines) {
        out.push(`| ${cell(line.item)} | ${cell(describeQuantity(line))} | ${formatUsd(line.monthlyUsd)} |`);
    }
    out.push(`| Total | | ${formatUsd(report.cost.totalUsd)} |`, "");
    if (report.cost.externalSecrets.length > 0) {
        out.push(
            "| ExternalSecret | Store | Refresh | Calls a month | KMS requests a month | Monthly |",
            "| --- | --- | --- | --- | --- | --- |",
        );
        for (const e of report.cost.externalSecrets) {
            out.push(
                `| ${cell(e.name)} | ${e.backend} | ${e.intervalSeconds === 0 ? "never" : cell(e.refreshInterval)} | ${Math.round(e.apiCallsPerMonth)} | ${Math.round(e.kmsRequestsPerMonth)} | ${formatUsd(e.monthlyUsd)} |`,
            );
        }
        out.push("");
    }
    out.push(`Prices of ${report.cost.prices.checked}, ${report.cost.prices.region}. Assumptions:`, "");
    for (const assumption of report.cost.assumptions) out.push(`- ${assumption}`);
    out.push("");
    return `${out.join("\n")}\n`;
}
