/**
 * Evaluates a pod, or the pod template of a controller, against a Pod Security Standards level at a version
 * of the standard, the way the Pod Security admission plugin does for a namespace labelled
 * `pod-security.kubernetes.io/enforce: <level>` and `enforce-version: <version>`.
 *
 * The checks that apply at each level and version are resolved once, when this module loads: the baseline
 * level runs the baseline checks in effect at that version; the restricted level runs the restricted checks
 * in effect plus every baseline check none of them overrides (restrictedVolumes replaces hostPathVolumes,
 * capabilities_restricted replaces capabilities_baseline from v1.22, seccompProfile_restricted replaces
 * seccompProfile_baseline from v1.19, procMount_restricted replaces procMount from v1.35).
 */
import { CHECKS, CheckFn } from "./checks";
import { EnforcedPodSecurityLevel, LATEST_MINOR, minorOf, PodSecurityLevel } from "./levels";
import { PodTemplate, podTemplateOf, viewOf } from "./pod";

/** One check a pod fails. */
export interface PodSecurityViolation {
    /** The upstream check id, e.g. `hostPathVolumes`, `capabilities_restricted`. */
    readonly check: string;
    /** The level the check belongs to (a restricted evaluation also reports baseline checks). */
    readonly level: EnforcedPodSecurityLevel;
    /** What is forbidden and who sets it, e.g. `privileged (container "app" must not set ...)`. */
    readonly message: string;
}

/** The verdict on one object. */
export interface PodSecurityResult {
    readonly allowed: boolean;
    readonly violations: PodSecurityViolation[];
}

/** Options of an evaluation. */
export interface PodSecurityOptions {
    /**
     * Run only these check ids. A baseline id the level replaces runs as its replacement (`hostPathVolumes`
     * at restricted runs `restrictedVolumes`); ids not in effect at the level and version run nothing.
     */
    readonly only?: Iterable<string>;
}

interface ActiveCheck {
    readonly id: string;
    readonly level: EnforcedPodSecurityLevel;
    readonly evaluate: CheckFn;
}

interface LevelVersionChecks {
    readonly checks: readonly ActiveCheck[];
    readonly ids: readonly string[];
    /** Baseline check id → the restricted check that replaces it at this version. */
    readonly replacedBy: ReadonlyMap<string, string>;
}

function freezeChecks(checks: ActiveCheck[], replacedBy: Map<string, string>): LevelVersionChecks {
    return Object.freeze({
        checks: Object.freeze(checks),
        ids: Object.freeze(checks.map((check) => check.id)),
        replacedBy,
    });
}

function buildTable(): Readonly<Record<EnforcedPodSecurityLevel, readonly LevelVersionChecks[]>> {
    const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const baselineDefs = CHECKS.filter((check) => check.level === PodSecurityLevel.Baseline).sort(byId);
    const restrictedDefs = CHECKS.filter((check) => check.level === PodSecurityLevel.Restricted).sort(byId);
    const baseline: LevelVersionChecks[] = [];
    const restricted: LevelVersionChecks[] = [];
    for (let minor = 0; minor <= LATEST_MINOR; minor++) {
        const inEffect = (defs: typeof CHECKS) =>
            defs.flatMap((check) => {
                const revision = check.versions.findLast((version) => version.since <= minor);
                return revision ? [{ check, revision }] : [];
            });
        const baselineActive = inEffect(baselineDefs);
        const restrictedActive = inEffect(restrictedDefs);
        const replacedBy = new Map<string, string>();
        for (const { check, revision } of restrictedActive) {
            for (const overridden of revision.overrides ?? []) replacedBy.set(overridden, check.id);
        }
        const toActive = ({ check, revision }: (typeof baselineActive)[number]): ActiveCheck => ({
            id: check.id,
            level: check.level,
            evaluate: revision.evaluate,
        });
        // Baseline checks first, then restricted ones, each in id order: upstream's reporting order.
        baseline.push(freezeChecks(baselineActive.map(toActive), new Map()));
        restricted.push(
            freezeChecks(
                [
                    ...baselineActive.filter(({ check }) => !replacedBy.has(check.id)).map(toActive),
                    ...restrictedActive.map(toActive),
                ],
                replacedBy,
            ),
        );
    }
    return { baseline, restricted };
}

const TABLE = buildTable();

/** Every check id of the standard: baseline ones, then restricted ones, each in id order. */
export const ALL_CHECK_IDS: readonly string[] = Object.freeze(
    [PodSecurityLevel.Baseline, PodSecurityLevel.Restricted].flatMap((level) =>
        CHECKS.filter((check) => check.level === level)
            .map((check) => check.id)
            .sort(),
    ),
);

const NO_CHECKS: LevelVersionChecks = freezeChecks([], new Map());

function resolve(level: PodSecurityLevel, version: string): LevelVersionChecks {
    const minor = minorOf(version);
    switch (level) {
        case PodSecurityLevel.Privileged:
            return NO_CHECKS;
        case PodSecurityLevel.Baseline:
            return TABLE.baseline[minor];
        case PodSecurityLevel.Restricted:
            return TABLE.restricted[minor];
        default:
            throw new Error(
                `invalid Pod Security level "${String(level)}": must be privileged, baseline or restricted`,
            );
    }
}

/**
 * The ids of the checks a `level` namespace runs at `version` (`v1.N` or `latest`), baseline checks first.
 * Privileged runs none. Throws on an unknown level or a malformed version.
 */
export function checksFor(level: PodSecurityLevel, version: string): readonly string[] {
    return resolve(level, version).ids;
}

/**
 * The check that enforces `check` at `level` and `version`: `check` itself when it runs, the restricted
 * check that replaces it (e.g. `restrictedVolumes` for `hostPathVolumes`), or undefined when neither runs.
 */
export function enforcingCheck(level: PodSecurityLevel, version: string, check: string): string | undefined {
    const resolved = resolve(level, version);
    if (resolved.ids.includes(check)) return check;
    return resolved.replacedBy.get(check);
}

function allowed(): PodSecurityResult {
    return { allowed: true, violations: [] };
}

function selection(resolved: LevelVersionChecks, ids: Iterable<string>): Set<string> {
    const selected = new Set<string>();
    for (const id of ids) selected.add(resolved.replacedBy.get(id) ?? id);
    return selected;
}

function run(resolved: LevelVersionChecks, template: PodTemplate, options?: PodSecurityOptions): PodSecurityResult {
    const { checks } = resolved;
    const only = options?.only === undefined ? undefined : selection(resolved, options.only);
    const pod = viewOf(template);
    let violations: PodSecurityViolation[] | undefined;
    for (const check of checks) {
        if (only && !only.has(check.id)) continue;
        const message = check.evaluate(pod);
        if (message === undefined) continue;
        (violations ??= []).push({ check: check.id, level: check.level, message });
    }
    return violations ? { allowed: false, violations } : allowed();
}

/** Evaluates a pod's metadata and spec (see {@link evaluatePodSecurity}). */
export function evaluatePodTemplate(
    template: PodTemplate,
    level: PodSecurityLevel,
    version: string,
    options?: PodSecurityOptions,
): PodSecurityResult {
    const resolved = resolve(level, version);
    return resolved.checks.length === 0 ? allowed() : run(resolved, template, options);
}

/**
 * Evaluates `object` against `level` at `version` (`v1.N` or `latest`; versions newer than the newest known
 * one evaluate as it). `object` is a Pod, a PodTemplate, or a pod controller (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), whose pod template is evaluated. Any other
 * object carries no pod and is allowed. Throws on an unknown level or a malformed version.
 */
export function evaluatePodSecurity(
    object: unknown,
    level: PodSecurityLevel,
    version: string,
    options?: PodSecurityOptions,
): PodSecurityResult {
    const resolved = resolve(level, version);
    if (resolved.checks.length === 0) return allowed();
    const template = podTemplateOf(object);
    return template ? run(resolved, template, options) : allowed();
}
