/**
 * Conformance of the Pod Security evaluator against the upstream Pod Security admission fixtures.
 *
 * The fixture tree is `<root>/<level>/v1.<N>/<pass|fail>/<name>.yaml`. A pass fixture must be allowed by a
 * namespace enforcing `<level>` at `v1.<N>`; a fail fixture must be rejected, and by the check its name
 * (less trailing digits, lower-cased) names. Where the restricted level replaces that baseline check with a
 * stricter one (hostPathVolumes by restrictedVolumes, capabilities_baseline by capabilities_restricted from
 * v1.22, seccompProfile_baseline by seccompProfile_restricted from v1.19, procMount by procMount_restricted
 * from v1.35), the replacing check is the one that must fire: the replaced check does not run there, which
 * is also how the upstream suite judges these fixtures (by the replacing check's message).
 *
 * Every fail fixture is the level's minimal valid pod with one change, but a change can break a second
 * check too, and upstream then reports both: the windowsHostProcess fixtures also set hostNetwork (a host
 * process needs it, and hostNamespaces forbids it), the privileged fixtures unset allowPrivilegeEscalation
 * (it may not be false on a privileged container, and the restricted level requires false), and one
 * allowPrivilegeEscalation fixture removes the container's whole securityContext (and with it the dropped
 * capabilities). Those companions (COMPANION_CHECKS) are accepted and listed in the detail; any other
 * additional check fails the fixture, as does a fail fixture not rejected by its own check, whatever else
 * rejects it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import {
    ALL_CHECK_IDS,
    enforcingCheck,
    evaluatePodSecurity,
    isPodSecurityVersion,
    PodSecurityLevel,
    podTemplateOf,
} from "../policies/pod-security";

/** The verdict on one fixture file. */
export interface PsaConformanceResult {
    /** The file's path relative to the fixture root, `/`-separated. */
    readonly file: string;
    readonly level: string;
    readonly version: string;
    readonly expected: "pass" | "fail";
    /** The evaluator agrees with the fixture. */
    readonly passed: boolean;
    /** What the evaluator said, and why it disagrees when it does. */
    readonly detail: string;
    /** For a fail fixture, the check its name names (undefined when the name names none). */
    readonly check?: string;
    /** The ids of the checks that fired, over all documents of the file. */
    readonly violations: readonly string[];
}

export interface PsaConformanceReport {
    readonly results: PsaConformanceResult[];
}

const CHECK_BY_LOWER_ID: ReadonlyMap<string, string> = new Map(ALL_CHECK_IDS.map((id) => [id.toLowerCase(), id]));

/**
 * Checks a fail fixture of the keyed check may break as well, because upstream's fixture for it changes a
 * second field (see above). Keyed and valued by the check that enforces at the fixture's level and version.
 */
const COMPANION_CHECKS: Readonly<Record<string, readonly string[]>> = {
    windowsHostProcess: ["hostNamespaces"],
    privileged: ["allowPrivilegeEscalation"],
    allowPrivilegeEscalation: ["capabilities_restricted"],
};

const LEVELS: readonly string[] = [PodSecurityLevel.Baseline, PodSecurityLevel.Restricted];

const TRAILING_DIGITS = /[0-9]+$/;
const YAML_EXTENSION = /\.ya?ml$/;

/** Every `.yaml`/`.yml` file under `root`, as `/`-separated paths relative to `root`, sorted. */
export function listYamlFiles(root: string): string[] {
    const found: string[] = [];
    const walk = (relative: string): void => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = relative ? `${relative}/${entry.name}` : entry.name;
            if (entry.isDirectory()) walk(child);
            else if (entry.isFile() && YAML_EXTENSION.test(entry.name)) found.push(child);
        }
    };
    walk("");
    return found.sort();
}

/** The check id a fixture's file name names (`hostpathvolumes0.yaml` → `hostPathVolumes`). */
export function checkOfFixture(fileName: string): string | undefined {
    const stem = fileName.replace(YAML_EXTENSION, "").replace(TRAILING_DIGITS, "");
    return CHECK_BY_LOWER_ID.get(stem.toLowerCase());
}

function judge(file: string, text: string): PsaConformanceResult {
    const [level = "", version = "", outcome = "", name = ""] = file.split("/");
    const base = { file, level, version, expected: outcome === "fail" ? "fail" : "pass" } as const;
    const failed = (detail: string, extra: Partial<PsaConformanceResult> = {}): PsaConformanceResult => ({
        ...base,
        passed: false,
        detail,
        violations: [],
        ...extra,
    });

    if (file.split("/").length !== 4 || !LEVELS.includes(level) || !isPodSecurityVersion(version)) {
        return failed(`not a <level>/v1.<N>/<pass|fail>/<name>.yaml fixture path`);
    }
    if (outcome !== "pass" && outcome !== "fail") return failed(`"${outcome}" is neither pass nor fail`);
    const podLevel = level as PodSecurityLevel;

    let expectedCheck: string | undefined;
    const named = outcome === "fail" ? checkOfFixture(name) : undefined;
    if (outcome === "fail") {
        if (!named) return failed(`the file name names no known check`);
        expectedCheck = enforcingCheck(podLevel, version, named);
        if (!expectedCheck) return failed(`check ${named} does not apply at ${level} ${version}`, { check: named });
    }

    const pods: unknown[] = [];
    for (const document of parseAllDocuments(text)) {
        if (document.errors.length > 0) return failed(`YAML error: ${document.errors[0].message}`);
        const value: unknown = document.toJS();
        if (value === null || value === undefined) continue;
        if (!podTemplateOf(value)) return failed(`a document carries no pod`);
        pods.push(value);
    }
    if (pods.length === 0) return failed("no documents");

    const violations = new Set<string>();
    const problems: string[] = [];
    const said: string[] = [];
    for (const [index, pod] of pods.entries()) {
        const where = pods.length > 1 ? `document ${index + 1}: ` : "";
        const result = evaluatePodSecurity(pod, podLevel, version);
        for (const violation of result.violations) violations.add(violation.check);
        const messages = result.violations.map((violation) => `${violation.check}: ${violation.message}`);
        if (outcome === "pass") {
            if (!result.allowed) problems.push(`${where}rejected, expected allowed: ${messages.join("; ")}`);
            else said.push(`${where}allowed`);
            continue;
        }
        if (result.allowed) {
            problems.push(`${where}allowed, expected rejected by ${expectedCheck}`);
            continue;
        }
        if (!result.violations.some((violation) => violation.check === expectedCheck)) {
            problems.push(`${where}rejected by other checks than ${expectedCheck}: ${messages.join("; ")}`);
            continue;
        }
        const others = result.violations.filter((violation) => violation.check !== expectedCheck);
        const companions = COMPANION_CHECKS[expectedCheck as string] ?? [];
        const unexpected = others.filter((other) => !companions.includes(other.check));
        if (unexpected.length > 0) {
            problems.push(
                `${where}rejected by ${expectedCheck} but also by ${unexpected.map((other) => other.check).join(", ")}, ` +
                    `which the fixture does not break: ${messages.join("; ")}`,
            );
            continue;
        }
        const also = others.length > 0 ? ` (also ${others.map((other) => other.check).join(", ")})` : "";
        said.push(`${where}rejected by ${expectedCheck}${also}: ${messages.join("; ")}`);
    }
    const replaced = expectedCheck !== named ? ` (${expectedCheck} replaces ${named} at ${level} ${version})` : "";
    return {
        ...base,
        passed: problems.length === 0,
        detail: (problems.length > 0 ? problems : said).join(" | ") + replaced,
        check: named,
        violations: [...violations],
    };
}

/**
 * Evaluates every YAML file under `root` (the upstream `testdata` tree) and judges it. Every YAML file
 * found gets exactly one result; files outside the expected layout are reported as failed.
 */
export function runPsaConformance(root: string): PsaConformanceReport {
    const results = listYamlFiles(root).map((file) => judge(file, fs.readFileSync(path.join(root, file), "utf8")));
    return { results };
}
