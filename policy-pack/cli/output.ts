/** What the CLI prints: the check report and the policy list, as text for people or JSON for tools. */
import { EnforcementLevel } from "../policies/types";
import { CheckReport, ReportedViolation, ResourceResult } from "./check";
import { PolicyListing } from "./catalog";

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The report as JSON: `{"results": [...], "notices": [...], "summary": {...}}`, keys in a fixed order, one
 * trailing newline.
 */
export function checkJson(report: CheckReport): string {
    const results = report.results.map((result: ResourceResult) => ({
        source: result.source,
        kind: result.kind,
        name: result.name,
        namespace: result.namespace,
        violations: result.violations.map((violation: ReportedViolation) => ({
            policy: violation.policy,
            level: violation.level,
            message: violation.message,
            check: violation.check,
        })),
    }));
    const { resources, notJudged, mandatory, advisory } = report.summary;
    return `${JSON.stringify({ results, notices: report.notices, summary: { resources, notJudged, mandatory, advisory } }, null, 2)}\n`;
}

function title(result: ResourceResult): string {
    const namespace = result.namespace === null ? "" : `${result.namespace}/`;
    return `${result.source}: ${result.kind} ${namespace}${result.name}`;
}

function violationLine(violation: ReportedViolation): string {
    const level = violation.level === EnforcementLevel.Mandatory ? "mandatory" : "advisory ";
    const check = violation.check === null ? "" : ` [${violation.check}]`;
    return `  ${level} ${violation.policy}${check}: ${violation.message}`;
}

/** The report as text: one block per resource with violations, then a summary line. */
export function checkText(report: CheckReport): string {
    const lines: string[] = [];
    for (const result of report.results) {
        lines.push(title(result), ...result.violations.map(violationLine), "");
    }
    for (const notice of report.notices) lines.push(`notice: ${notice}`);
    if (report.notices.length > 0) lines.push("");
    const { resources, notJudged, mandatory, advisory } = report.summary;
    const unjudged = notJudged > 0 ? ` (${notJudged} not judged by any policy)` : "";
    lines.push(
        `${plural(resources, "resource")} checked${unjudged}: ${plural(mandatory, "mandatory violation")}, ` +
            `${plural(advisory, "advisory violation")}`,
    );
    return `${lines.join("\n")}\n`;
}

/** The policy list as JSON: `{"policies": [...]}`. */
export function policiesJson(listing: readonly PolicyListing[]): string {
    return `${JSON.stringify({ policies: listing }, null, 2)}\n`;
}

/** The policy list as text, by group (groups in the order they first appear). */
export function policiesText(listing: readonly PolicyListing[]): string {
    const groups = new Map<string, PolicyListing[]>();
    for (const policy of listing) groups.set(policy.group, [...(groups.get(policy.group) ?? []), policy]);
    const lines: string[] = [];
    for (const [group, policies] of groups) {
        if (lines.length > 0) lines.push("");
        lines.push(`${group}:`);
        for (const policy of policies) lines.push(...policyLines(policy));
    }
    lines.push("", plural(listing.length, "policy", "policies"));
    return `${lines.join("\n")}\n`;
}

function policyLines(policy: PolicyListing): string[] {
    const lines = [`  ${policy.name} (${policy.enforcementLevel}, ${policy.severity}): ${policy.description}`];
    if (policy.checks !== undefined) {
        const at = policy.podSecurity ? ` at ${policy.podSecurity.level} ${policy.podSecurity.version}` : "";
        lines.push(`    checks${at}: ${policy.checks.length > 0 ? policy.checks.join(", ") : "none"}`);
    }
    return lines;
}
