/** What the CLI prints: the check report and the policy list, as text for people or JSON for tools. */
import { EnforcementLevel } from "../policies/types";
import { CheckReport, JudgedResult, ReportedViolation, ResourceResult } from "./check";
import { PolicyListing } from "./catalog";

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Bytes of JSON gathered before checkJsonTo hands them on: few writes, and no one string of the whole report. */
const JSON_CHUNK = 1 << 20;

/** `value` as JSON.stringify(value, null, 2) writes it nested `depth` levels deep (two spaces a level). */
function nested(value: unknown, depth: number): string {
    // JSON text has no raw newline inside a string: every newline starts a line to indent.
    return JSON.stringify(value, null, 2).replace(/\n/g, `\n${"  ".repeat(depth)}`);
}

/** A result as one line of JSON: its fields, then its violations' list. */
function resultJson(result: ResourceResult): string {
    const text = JSON.stringify;
    const violations =
        result instanceof JudgedResult
            ? result.found.json
            : text(
                  result.violations.map(({ policy, level, message, check }: ReportedViolation) => ({
                      policy,
                      level,
                      message,
                      check,
                  })),
              );
    return (
        `{"source":${text(result.source)},"line":${text(result.line)},"kind":${text(result.kind)},` +
        `"name":${text(result.name)},"namespace":${text(result.namespace)},"violations":${violations}}`
    );
}

/**
 * The report as JSON, handed to `write` in pieces of about a megabyte: the same text as checkJson, without
 * building it whole (a report on many resources runs to tens of megabytes).
 */
export function checkJsonTo(report: CheckReport, write: (text: string) => void): void {
    let pending = "";
    const add = (text: string): void => {
        pending += text;
        if (pending.length >= JSON_CHUNK) {
            write(pending);
            pending = "";
        }
    };
    if (report.results.length === 0) add('{\n  "results": [],\n');
    else {
        add('{\n  "results": [');
        report.results.forEach((result: ResourceResult, index) => {
            add(`${index === 0 ? "" : ","}\n    ${resultJson(result)}`);
        });
        add("\n  ],\n");
    }
    const { resources, notJudged, mandatory, advisory } = report.summary;
    add(`  "notices": ${nested(report.notices, 1)},\n`);
    add(`  "summary": ${nested({ resources, notJudged, mandatory, advisory }, 1)}\n}\n`);
    write(pending);
}

/**
 * The report as JSON: `{"results": [...], "notices": [...], "summary": {...}}`, keys in a fixed order, each
 * result on a line of its own (source, line, kind, name, namespace, violations), one trailing newline.
 */
export function checkJson(report: CheckReport): string {
    const pieces: string[] = [];
    checkJsonTo(report, (text) => pieces.push(text));
    return pieces.join("");
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
    const stackFileRules = listing.filter((policy) => policy.kind === "stack-file").length;
    const counted = plural(listing.length - stackFileRules, "policy", "policies");
    lines.push("", stackFileRules === 0 ? counted : `${counted}, ${plural(stackFileRules, "stack-file rule")}`);
    return `${lines.join("\n")}\n`;
}

function policyLines(policy: PolicyListing): string[] {
    const lines = [`  ${policy.name} (${policy.enforcementLevel}, ${policy.severity}): ${policy.description}`];
    if (policy.kind === "stack-file") {
        lines.push("    applies to Pulumi stack files (Pulumi.<stack>.yaml), in check only: a preview never sees them");
    }
    if (policy.checks !== undefined) {
        const at = policy.podSecurity ? ` at ${policy.podSecurity.level} ${policy.podSecurity.version}` : "";
        lines.push(`    checks${at}: ${policy.checks.length > 0 ? policy.checks.join(", ") : "none"}`);
    }
    return lines;
}
