/**
 * The Pod Security level and version the pod-security policies judge by, as the command line chooses them.
 *
 * The pack's two policies split the standard by level: `pod-security-baseline` runs the baseline checks,
 * `pod-security-restricted` the checks the restricted level adds, each at the version the resource's env pins.
 * They offer no way to judge at another level or version, so the CLI does it here, around them:
 *
 * - The level. Each resource is judged at `--level`, else at its env profile's `enforce` level (env: `--env`,
 *   else prod; never the resource's own labels): the policies of that level and below run at their own
 *   enforcement level. Without `--level`, a policy above the enforce level but within the profile's `warn`
 *   level runs as advisory, as the namespace's warn label would report it at admission (dev enforces
 *   baseline and warns on restricted); with `--level`, the judgement is exactly that level, nothing above it.
 * - The version. Without `--version`, the policies' own code runs (they read the version the env pins). With
 *   it, the same checks run through the evaluator at that version, with the namespace exemptions and the
 *   pod lookup the policies use, and messages in the same form.
 *
 * In stage and prod (and for resources of no known env) without flags, this is exactly what a preview runs.
 */
import { PodSecurityLevel, podSecurityAtLeast, PROFILES, Environment } from "../../components/baseline";
import { describeResource, envOf } from "../policies/resource";
import { EnforcementLevel, Policy, PolicyResource, PolicySettings, Reporter, ResourcePolicy } from "../policies/types";
import {
    checksFor,
    EnforcedPodSecurityLevel,
    evaluatePodTemplate,
    podSecurityBaseline,
    podSecurityRestricted,
} from "../policies/pod-security";
import { asJson, PodSite, podSiteOf, scopedReporter } from "../policies/workloads/pod-template";

/** What the command line says about Pod Security; undefined fields follow the env profile. */
export interface PodSecurityChoice {
    readonly level?: PodSecurityLevel;
    readonly version?: string;
}

/** The level whose checks each of the pack's Pod Security policies runs. */
const POLICY_LEVELS: ReadonlyMap<string, EnforcedPodSecurityLevel> = new Map<string, EnforcedPodSecurityLevel>([
    [podSecurityBaseline.name, PodSecurityLevel.Baseline],
    [podSecurityRestricted.name, PodSecurityLevel.Restricted],
]);

/** The level whose checks `policy` runs, when it is one of the pack's Pod Security level policies. */
export function podSecurityLevelOf(policy: Policy): EnforcedPodSecurityLevel | undefined {
    return POLICY_LEVELS.get(policy.name);
}

const checksCache = new Map<string, readonly string[]>();

/**
 * The check ids the policy of `level` runs at `version`: every baseline check for baseline; for restricted,
 * the checks the restricted level runs beyond baseline's (including those that replace a baseline check).
 */
export function policyChecks(level: EnforcedPodSecurityLevel, version: string): readonly string[] {
    const key = `${level}@${version}`;
    let ids = checksCache.get(key);
    if (!ids) {
        const baseline = checksFor(PodSecurityLevel.Baseline, version);
        if (level === PodSecurityLevel.Baseline) {
            ids = baseline;
        } else {
            const inBaseline = new Set(baseline);
            ids = checksFor(PodSecurityLevel.Restricted, version).filter((id) => !inBaseline.has(id));
        }
        checksCache.set(key, ids);
    }
    return ids;
}

/** The env profile's Pod Security labels for `env` (prod's when the env is not known). */
export function profilePodSecurity(env: Environment | undefined) {
    return PROFILES[env ?? Environment.Prod].podSecurity;
}

/** Runs the policy of `level`'s checks through the evaluator at `version`, as policy.ts does at the pinned one. */
export function judgeAtVersion(
    resource: PolicyResource,
    settings: PolicySettings,
    report: Reporter,
    level: EnforcedPodSecurityLevel,
    version: string,
): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped) return;
    const site: PodSite | undefined = podSiteOf(resource, scoped);
    if (!site) return;
    const template = { metadata: asJson(site.metadata), spec: site.spec };
    const result = evaluatePodTemplate(template, level, version, { only: policyChecks(level, version) });
    const where = site.templatePath.length > 0 ? "pod template " : "";
    for (const violation of result.violations) {
        scoped.violation(
            `${describeResource(resource)}: ${where}breaks Pod Security ${level} (${version}) check ` +
                `${violation.check}: ${violation.message}`,
            { check: violation.check },
        );
    }
}

/** The level each env enforces. */
const ENFORCED_LEVELS: readonly PodSecurityLevel[] = Object.values(PROFILES).map(
    (profile) => profile.podSecurity.enforce,
);

/** How a resource is judged: as mandatory (enforced), advisory (warned) or not at all, for a policy's level. */
type Mode = "enforce" | "warn" | "skip";

function modeFor(
    resource: PolicyResource,
    settings: PolicySettings,
    level: EnforcedPodSecurityLevel,
    choice: PodSecurityChoice,
): Mode {
    if (choice.level !== undefined) return podSecurityAtLeast(choice.level, level) ? "enforce" : "skip";
    const profile = profilePodSecurity(envOf(resource, settings));
    if (podSecurityAtLeast(profile.enforce, level)) return "enforce";
    return podSecurityAtLeast(profile.warn, level) ? "warn" : "skip";
}

/**
 * `policy` as the CLI runs it under `choice`. Policies other than the pack's two Pod Security level policies
 * are returned as they are. A Pod Security policy runs as itself, or with `--version` as a stand-in of the
 * same name that runs its checks at that version; not at all when `--level` is below its level. Without
 * `--level`, a level some env only warns on (restricted, in dev) takes two stand-ins, since the engine fixes a
 * policy's level per policy: one enforces and one warns, each acting on the resources whose env profile puts
 * them there.
 */
export function podSecurityStandIns(policy: ResourcePolicy, choice: PodSecurityChoice): ResourcePolicy[] {
    const level = podSecurityLevelOf(policy);
    if (level === undefined) return [policy];
    const { version } = choice;
    const validate = (resource: PolicyResource, settings: PolicySettings, report: Reporter): void => {
        if (version === undefined) policy.validate(resource, settings, report);
        else judgeAtVersion(resource, settings, report, level, version);
    };
    const asIs = version === undefined ? policy : { ...policy, validate };
    if (choice.level !== undefined) return podSecurityAtLeast(choice.level, level) ? [asIs] : [];
    // A level every env enforces needs no per-resource decision.
    if (ENFORCED_LEVELS.every((enforced) => podSecurityAtLeast(enforced, level))) return [asIs];
    return [
        {
            ...policy,
            validate(resource, settings, report) {
                if (modeFor(resource, settings, level, choice) === "enforce") validate(resource, settings, report);
            },
        },
        {
            ...policy,
            enforcementLevel:
                policy.enforcementLevel === EnforcementLevel.Disabled
                    ? EnforcementLevel.Disabled
                    : EnforcementLevel.Advisory,
            validate(resource, settings, report) {
                if (modeFor(resource, settings, level, choice) === "warn") validate(resource, settings, report);
            },
        },
    ];
}
