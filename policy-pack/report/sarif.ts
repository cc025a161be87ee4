/**
 * Findings as SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), for code-scanning tools:
 * one run, one rule per policy, one result per finding. `k8s-baseline check --format sarif` and
 * `npm run plan -- <stack> --format sarif` both write through here; each says where its findings are (a
 * manifest's file and line, or a resource's URN and the program line that declared it).
 *
 * - Rules: id = policy name; short and full description; help = the policy's remediation steps and its
 *   reference; helpUri = the README's section on what the baseline stops; defaultConfiguration.level from
 *   the policy's enforcement level as the config sets it (mandatory → error, advisory → warning, disabled →
 *   none); properties `security-severity` (the score GitHub code scanning ranks security alerts by) and
 *   `tags` (policyTags).
 * - Results: ruleId and ruleIndex, level from the level the finding was reported at, the first location
 *   physical (uri relative to `%SRCROOT%`, the root given) when the finding has a file, and logical (kind,
 *   name, fully qualified name). `partialFingerprints["k8sBaselineFinding/v1"]` hashes the policy, the
 *   finding's identity (file and object, or URN), its Pod Security check and its message (so that fixing
 *   one of several findings on an object leaves the others' alone), and its rank among identical ones;
 *   never a line: a finding keeps its fingerprint when lines are inserted above it.
 * - Inputs that could not be read or parsed are tool execution notifications (SARIF §3.20.21: conditions met
 *   while running), not results: the file was not judged, so no rule was broken in it; the invocation then
 *   records `executionSuccessful: false`, as the partial verdict it is, with the exit code.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { POLICY_CONTROLS } from "../compliance/mapping";
import { EnforcementLevel, PolicyInfo, Severity } from "../policies/types";

export const SARIF_VERSION = "2.1.0";
/** The `$schema` a log names: the OASIS schema's own id. */
export const SARIF_SCHEMA =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/** The uriBaseId every artifact location is relative to. */
export const SRCROOT = "%SRCROOT%";
/** The partialFingerprints key: a new version if what it hashes ever changes. */
export const FINGERPRINT_KEY = "k8sBaselineFinding/v1";
/** The README heading each rule's helpUri points at (its GitHub anchor). */
export const POLICY_HELP_ANCHOR = "what-the-baseline-stops";

/**
 * GitHub code scanning's `security-severity` per severity: it reads over 9.0 as critical, 7.0 to 8.9 as high,
 * 4.0 to 6.9 as medium and 0.1 to 3.9 as low. Each value sits inside its band.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
    critical: "9.5",
    high: "8.0",
    medium: "5.5",
    low: "3.0",
};

export const SarifLevel = {
    Error: "error",
    Warning: "warning",
    Note: "note",
    None: "none",
} as const;
export type SarifLevel = (typeof SarifLevel)[keyof typeof SarifLevel];

/** mandatory → error, advisory → warning, disabled → none. */
export function sarifLevel(level: EnforcementLevel): SarifLevel {
    if (level === EnforcementLevel.Mandatory) return SarifLevel.Error;
    if (level === EnforcementLevel.Advisory) return SarifLevel.Warning;
    return SarifLevel.None;
}

/** The package's name, version and home page (package.json, two folders above dist/policy-pack/report). */
export interface ToolInfo {
    readonly name: string;
    readonly version: string;
    readonly informationUri: string;
}

let tool: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
    if (tool === undefined) {
        const file = path.resolve(__dirname, "..", "..", "..", "package.json");
        const { name, version, homepage } = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
        tool = { name, version, informationUri: homepage.replace(/#.*$/, "") };
    }
    return tool;
}

/**
 * The tags of a policy's rule: `security` (GitHub files results of tagged rules as security alerts), the
 * policy's group and severity, then the framework controls `controls` gives for it: by default the ones the
 * compliance mapping declares (policy-pack/compliance/mapping.ts), so code scanning can filter by control.
 */
export function policyTags(
    policy: PolicyInfo,
    controls: (policy: PolicyInfo) => readonly string[] = (info) => POLICY_CONTROLS[info.name] ?? [],
): string[] {
    return [...new Set(["security", policy.group, policy.severity, ...controls(policy)])];
}

/** Where a finding is in the files the run read: a path relative to the root, and a 1-based line if known. */
export interface ArtifactPosition {
    /** Relative to the run's root, `/`-separated. */
    readonly path: string;
    readonly line?: number;
}

/** What a finding is about, as a code-scanning UI names it. */
export interface LogicalSubject {
    /** The Kubernetes kind, or the Pulumi type token. */
    readonly kind: string;
    readonly name: string;
    /** `namespace/Kind/name` (or `Kind/name`) for an object in a file, the URN for a Pulumi resource. */
    readonly fullyQualifiedName: string;
    readonly namespace?: string;
}

/** One finding, from `check` or from a preview. */
export interface SarifFinding {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly message: string;
    /** The Pod Security check, where one applies. */
    readonly check?: string;
    readonly artifact?: ArtifactPosition;
    readonly subject: LogicalSubject;
    /**
     * What makes the finding the same finding from one commit to the next, besides its policy: the file and
     * the object's kind, namespace and name, or the resource's URN. Never a line.
     */
    readonly identity: string;
}

/** A condition met while running: an input not read, or something the verdict should be read with. */
export interface SarifNotification {
    readonly descriptor: NotificationKind;
    readonly level: SarifLevel;
    readonly message: string;
    readonly artifact?: ArtifactPosition;
}

export const NotificationKind = {
    ReadError: "read-error",
    ParseError: "parse-error",
    Notice: "notice",
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

const NOTIFICATION_DESCRIPTIONS: Readonly<Record<NotificationKind, string>> = {
    "read-error": "An input could not be read: nothing in it was judged, and the run exits with status 2.",
    "parse-error":
        "An input document could not be parsed as Kubernetes YAML or Pulumi resources: it was not judged, and the run exits with status 2.",
    notice: "Something the verdict should be read with: objects of older API versions, kinds no policy judges, inputs with nothing to check.",
};
const NOTIFICATION_KINDS = Object.values(NotificationKind);

export interface SarifRun {
    /** The policies run: one rule each, in this order. */
    readonly policies: readonly PolicyInfo[];
    /** The config's level per policy, where it differs from the policy's own. */
    readonly levels?: Readonly<Record<string, EnforcementLevel>>;
    readonly findings: readonly SarifFinding[];
    readonly notifications?: readonly SarifNotification[];
    /** The absolute folder `%SRCROOT%` stands for. */
    readonly root: string;
    readonly exitCode: number;
    /** False when some input could not be judged. */
    readonly executionSuccessful: boolean;
    /** The framework controls of a policy, for its rule's tags (see policyTags). */
    readonly controls?: (policy: PolicyInfo) => readonly string[];
    /** Identifies the run among runs of the same tool (`check`, `plan/prod`): SARIF's automationDetails.id. */
    readonly automationId?: string;
    /** Extra facts about the run (the stack, the pack config used). */
    readonly properties?: Readonly<Record<string, unknown>>;
}

/** The first sentence of a description (not ended by `e.g.` and the like): the rule's short description. */
export function firstSentence(text: string): string {
    const match = /^(.+?(?<!\b(?:e\.g|i\.e|etc|vs))[.!?])(\s|$)/s.exec(text.trim());
    return (match ? match[1] : text).trim();
}

function rule(policy: PolicyInfo, run: SarifRun) {
    const level = run.levels?.[policy.name] ?? policy.enforcementLevel;
    const reference = policy.url === "" ? "" : `\n\nReference: ${policy.url}`;
    return {
        id: policy.name,
        shortDescription: { text: firstSentence(policy.description) },
        fullDescription: {
            text: `${policy.description} (group ${policy.group}, severity ${policy.severity}, ${level})`,
        },
        help: {
            text: `${policy.remediationSteps}${reference}`,
            markdown: `${policy.remediationSteps}${policy.url === "" ? "" : `\n\nReference: <${policy.url}>`}`,
        },
        helpUri: `${toolInfo().informationUri}#${POLICY_HELP_ANCHOR}`,
        defaultConfiguration: { enabled: level !== EnforcementLevel.Disabled, level: sarifLevel(level) },
        properties: {
            "security-severity": SECURITY_SEVERITY[policy.severity],
            tags: policyTags(policy, run.controls),
        },
    };
}

/** A path as a URI reference: `/`-separated, each segment percent-encoded (spaces, `#`, `%`). */
export function uriOf(relative: string): string {
    return relative
        .split(/[\\/]/)
        .map((segment) => encodeURIComponent(segment))
        .join("/");
}

/** `file` relative to `root`, `/`-separated, as an artifact location's uri is written. */
export function relativeArtifact(root: string, file: string): string {
    return path.relative(root, path.resolve(file)).split(path.sep).join("/");
}

function physicalLocation(artifact: ArtifactPosition) {
    return {
        artifactLocation: { uri: uriOf(artifact.path), uriBaseId: SRCROOT },
        ...(artifact.line === undefined ? {} : { region: { startLine: artifact.line } }),
    };
}

/** What a finding's fingerprint hashes, but its rank among the findings that share it. */
function fingerprintKey(finding: SarifFinding): string {
    return JSON.stringify([finding.policy, finding.identity, finding.check ?? "", finding.message]);
}

/** The fingerprint of a finding: its policy, identity, check and message, and its rank among identical ones. */
export function fingerprint(finding: SarifFinding, rank: number): string {
    return createHash("sha256")
        .update(`${fingerprintKey(finding)}#${rank}`)
        .digest("hex");
}

function result(finding: SarifFinding, ruleIndex: number, rank: number) {
    const { subject } = finding;
    const properties: Record<string, string> = {};
    if (finding.check !== undefined) properties.check = finding.check;
    if (subject.namespace !== undefined) properties.namespace = subject.namespace;
    return {
        ruleId: finding.policy,
        ruleIndex,
        level: sarifLevel(finding.level),
        message: { text: finding.message },
        locations: [
            {
                ...(finding.artifact === undefined ? {} : { physicalLocation: physicalLocation(finding.artifact) }),
                logicalLocations: [
                    { name: subject.name, kind: subject.kind, fullyQualifiedName: subject.fullyQualifiedName },
                ],
            },
        ],
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding, rank) },
        ...(Object.keys(properties).length === 0 ? {} : { properties }),
    };
}

function notification(given: SarifNotification) {
    return {
        descriptor: { id: given.descriptor, index: NOTIFICATION_KINDS.indexOf(given.descriptor) },
        level: given.level,
        message: { text: given.message },
        ...(given.artifact === undefined
            ? {}
            : { locations: [{ physicalLocation: physicalLocation(given.artifact) }] }),
    };
}

/** The SARIF log of one run. */
export function sarifLog(run: SarifRun) {
    const { policies } = run;
    const indexOf = new Map(policies.map((policy, index) => [policy.name, index]));
    // Every finding's rule is in the log: a finding of a policy the run was not given is a fault of the caller.
    const missing = [...new Set(run.findings.map((f) => f.policy).filter((name) => !indexOf.has(name)))];
    if (missing.length > 0) throw new Error(`findings of policies with no rule: ${missing.join(", ")}`);
    const ranks = new Map<string, number>();
    const results = run.findings.map((finding) => {
        const key = fingerprintKey(finding);
        const rank = ranks.get(key) ?? 0;
        ranks.set(key, rank + 1);
        return result(finding, indexOf.get(finding.policy)!, rank);
    });
    const { name, version, informationUri } = toolInfo();
    const root = pathToFileURL(path.resolve(run.root)).href;
    return {
        $schema: SARIF_SCHEMA,
        version: SARIF_VERSION,
        runs: [
            {
                tool: {
                    driver: {
                        name,
                        version,
                        semanticVersion: version,
                        informationUri,
                        rules: policies.map((policy) => rule(policy, run)),
                        notifications: NOTIFICATION_KINDS.map((id) => ({
                            id,
                            shortDescription: { text: NOTIFICATION_DESCRIPTIONS[id] },
                        })),
                    },
                },
                ...(run.automationId === undefined ? {} : { automationDetails: { id: run.automationId } }),
                originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith("/") ? root : `${root}/` } },
                invocations: [
                    {
                        executionSuccessful: run.executionSuccessful,
                        exitCode: run.exitCode,
                        toolExecutionNotifications: (run.notifications ?? []).map(notification),
                    },
                ],
                columnKind: "utf16CodeUnits",
                results,
                ...(run.properties === undefined ? {} : { properties: { ...run.properties } }),
            },
        ],
    };
}

export type SarifLog = ReturnType<typeof sarifLog>;

/** The log as the commands print it: two-space JSON and one trailing newline. */
export function sarifText(run: SarifRun): string {
    return `${JSON.stringify(sarifLog(run), null, 2)}\n`;
}
