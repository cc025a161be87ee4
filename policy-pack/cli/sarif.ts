/**
 * `check --format sarif`: the check report as a SARIF run (policy-pack/report/sarif.ts). Each finding is
 * located at its file (relative to `--sarif-root`, default the working directory) and at the line of its
 * object's `kind` in that file, so a finding in the third document of a file points into the third document;
 * its fingerprint hashes the file and the object's kind, namespace and name. Stack findings no resource owns
 * have only a logical location. Unreadable inputs are notifications, located at their file and line where
 * the error names them.
 */
import { EnforcementLevel, PolicyInfo } from "../policies/types";
import {
    ArtifactPosition,
    NotificationKind,
    relativeArtifact,
    SarifFinding,
    SarifLevel,
    SarifNotification,
    sarifText,
} from "../report/sarif";
import { CheckReport, ResourceResult, STACK_SOURCE } from "./check";

export interface CheckSarifContext {
    /** The policies selected for the run (after `--only`). */
    readonly policies: readonly PolicyInfo[];
    readonly levels: Readonly<Record<string, EnforcementLevel>>;
    /** The folder artifact paths are relative to. */
    readonly root: string;
    /** The files read, to locate the errors that name them. */
    readonly files: readonly string[];
    /** Every input that could not be read or parsed, as printed on stderr. */
    readonly unreadable: readonly string[];
    readonly exitCode: number;
}

/** The file of a `path#<document>` source; undefined for the stack entry. */
export function sourceFile(source: string): string | undefined {
    if (source === STACK_SOURCE) return undefined;
    const hash = source.lastIndexOf("#");
    return hash < 0 ? source : source.slice(0, hash);
}

function findings(result: ResourceResult, root: string): SarifFinding[] {
    const file = sourceFile(result.source);
    const artifactPath = file === undefined ? undefined : relativeArtifact(root, file);
    const artifact: ArtifactPosition | undefined =
        artifactPath === undefined
            ? undefined
            : result.line === null
              ? { path: artifactPath }
              : { path: artifactPath, line: result.line };
    const namespace = result.namespace ?? undefined;
    const fullyQualifiedName = [namespace, result.kind, result.name].filter((part) => part !== undefined).join("/");
    const identity = JSON.stringify([artifactPath ?? STACK_SOURCE, result.kind, namespace ?? "", result.name]);
    return result.violations.map((violation) => ({
        policy: violation.policy,
        level: violation.level,
        message: violation.message,
        ...(violation.check === null ? {} : { check: violation.check }),
        ...(artifact === undefined ? {} : { artifact }),
        subject: { kind: result.kind, name: result.name, fullyQualifiedName, ...(namespace ? { namespace } : {}) },
        identity,
    }));
}

/** The line an input error names: the YAML parser's `at line N`, or the `(line N)` check adds. */
function errorLine(message: string): number | undefined {
    const match = /\bat line (\d+)\b/.exec(message) ?? /\(line (\d+)\)$/.exec(message);
    return match ? Number(match[1]) : undefined;
}

function inputNotification(message: string, context: CheckSarifContext, byLength: readonly string[]) {
    const descriptor = message.startsWith("cannot parse ") ? NotificationKind.ParseError : NotificationKind.ReadError;
    const named = message.replace(/^cannot (parse|read) /, "");
    const file = byLength.find(
        (candidate) => named.startsWith(candidate) && /^($|[#: ])/.test(named.slice(candidate.length)),
    );
    const notification: SarifNotification = { descriptor, level: SarifLevel.Error, message };
    if (file === undefined) return notification;
    const line = errorLine(message);
    const artifactPath = relativeArtifact(context.root, file);
    return { ...notification, artifact: line === undefined ? { path: artifactPath } : { path: artifactPath, line } };
}

/** The report as a SARIF log. */
export function checkSarif(report: CheckReport, context: CheckSarifContext): string {
    // Longest first, so `a/b.yaml` is not taken for the `a/b.yaml.bak` an error names.
    const byLength = [...context.files].sort((a, b) => b.length - a.length);
    const notifications: SarifNotification[] = [
        ...context.unreadable.map((message) => inputNotification(message, context, byLength)),
        ...report.notices.map((message) => ({
            descriptor: NotificationKind.Notice,
            level: SarifLevel.Note,
            message,
        })),
    ];
    return sarifText({
        policies: context.policies,
        levels: context.levels,
        findings: report.results.flatMap((result) => findings(result, context.root)),
        notifications,
        root: context.root,
        exitCode: context.exitCode,
        executionSuccessful: context.unreadable.length === 0,
        automationId: "k8s-baseline/check/",
    });
}
