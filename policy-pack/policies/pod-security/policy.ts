/**
 * The Pod Security policies: Pods, and the pod templates of the pod controllers, judged by the evaluator at
 * the version of the standard the resource's env pins (PROFILES[env].podSecurity.version; prod, the strictest,
 * when the env is not known). `pod-security-baseline` runs every baseline check; `pod-security-restricted`
 * runs the checks the restricted level adds (including those that replace a baseline check, such as
 * restrictedVolumes for hostPathVolumes), so an env that enforces baseline and only warns on restricted (dev)
 * can make the second advisory in its config. Each violation names the upstream check id.
 *
 * Unknowns: each check declares the fields it reads (CHECK_READS). An unknown value none of a check's fields
 * depends on does not affect it. When one does: an unknown container or volume (or a field inside one) is
 * left out and the check run on the rest; a violation there holds whatever the unknown turns out to be (every
 * check is a condition on each container or volume), so it is reported; otherwise, and for unknown pod-level
 * fields, the check is reported unknown. Fields that can only exempt a pod (`spec.os.name` for Windows pods,
 * `spec.hostUsers`) matter only when the check fails. An unknown pod template or spec is reported unknown.
 * No namespace is exempt, kube-system included: only the platform's own chart resources are left to their
 * charts (workloads/pod-template.ts scopedReporter).
 */
import { Environment, ENVIRONMENTS, PROFILES } from "../../../components/baseline";
import { containsUnknown, describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, Reporter, ResourcePolicy, Severity } from "../types";
import {
    ALL_CONTAINER_LISTS,
    asJson,
    formatPath,
    Json,
    Path,
    PodSite,
    podSiteOf,
    POD_TYPES,
    scopedReporter,
} from "../workloads/pod-template";
import { checksFor, evaluatePodTemplate, PodSecurityViolation } from "./evaluator";
import { PodSecurityLevel } from "./levels";

export const POD_SECURITY_GROUP = "pod-security";

// ---------------------------------------------------------------------------------------------------------
// What each check reads

/** One segment of a field pattern: a key, `*` (any key or index), or a test on the key. */
type PatternSegment = string | ((segment: string | number) => boolean);
type Pattern = readonly PatternSegment[];

/** What a check reads: fields its verdict depends on, and fields that can only exempt a pod from it. */
interface CheckReads {
    readonly reads: readonly Pattern[];
    readonly exemptions?: readonly Pattern[];
}

const ANY = "*";

/** The pattern of `fields` in every container of every list. */
function inContainers(...fields: PatternSegment[]): Pattern[] {
    return ALL_CONTAINER_LISTS.map((list) => ["spec", list, ANY, ...fields]);
}

const prefixed =
    (prefix: string) =>
    (segment: string | number): boolean =>
        typeof segment === "string" && segment.startsWith(prefix);

const WINDOWS: Pattern = ["spec", "os", "name"];
const HOST_USERS: Pattern = ["spec", "hostUsers"];
const POD_CONTEXT = (field: string): Pattern => ["spec", "securityContext", field];

/**
 * The fields each check of checks.ts reads (relative to the pod: `metadata`, `spec`), kept beside the policy
 * that needs them; a test holds it to ALL_CHECK_IDS.
 */
export const CHECK_READS: Readonly<Record<string, CheckReads>> = {
    appArmorProfile: {
        reads: [
            POD_CONTEXT("appArmorProfile"),
            ...inContainers("securityContext", "appArmorProfile"),
            ["metadata", "annotations", prefixed("container.apparmor.security.beta.kubernetes.io/")],
        ],
    },
    capabilities_baseline: { reads: inContainers("securityContext", "capabilities", "add") },
    hostNamespaces: {
        reads: [
            ["spec", "hostNetwork"],
            ["spec", "hostPID"],
            ["spec", "hostIPC"],
        ],
    },
    hostPathVolumes: { reads: [["spec", "volumes", ANY, "hostPath"]] },
    hostPorts: { reads: inContainers("ports", ANY, "hostPort") },
    hostProbesAndHostLifecycle: {
        reads: [
            ...inContainers("livenessProbe"),
            ...inContainers("readinessProbe"),
            ...inContainers("startupProbe"),
            ...inContainers("lifecycle"),
        ],
    },
    privileged: { reads: inContainers("securityContext", "privileged") },
    procMount: { reads: inContainers("securityContext", "procMount"), exemptions: [HOST_USERS] },
    seccompProfile_baseline: {
        reads: [
            POD_CONTEXT("seccompProfile"),
            ...inContainers("securityContext", "seccompProfile"),
            ["metadata", "annotations", prefixed("seccomp.security.alpha.kubernetes.io/pod")],
            ["metadata", "annotations", prefixed("container.seccomp.security.alpha.kubernetes.io/")],
        ],
    },
    seLinuxOptions: { reads: [POD_CONTEXT("seLinuxOptions"), ...inContainers("securityContext", "seLinuxOptions")] },
    sysctls: { reads: [POD_CONTEXT("sysctls")] },
    windowsHostProcess: {
        reads: [
            ["spec", "securityContext", "windowsOptions", "hostProcess"],
            ...inContainers("securityContext", "windowsOptions", "hostProcess"),
        ],
    },
    allowPrivilegeEscalation: {
        reads: inContainers("securityContext", "allowPrivilegeEscalation"),
        exemptions: [WINDOWS],
    },
    capabilities_restricted: { reads: inContainers("securityContext", "capabilities"), exemptions: [WINDOWS] },
    procMount_restricted: { reads: inContainers("securityContext", "procMount") },
    restrictedVolumes: { reads: [["spec", "volumes", ANY]] },
    runAsNonRoot: {
        reads: [POD_CONTEXT("runAsNonRoot"), ...inContainers("securityContext", "runAsNonRoot")],
        exemptions: [HOST_USERS],
    },
    runAsUser: {
        reads: [POD_CONTEXT("runAsUser"), ...inContainers("securityContext", "runAsUser")],
        exemptions: [HOST_USERS],
    },
    seccompProfile_restricted: {
        reads: [POD_CONTEXT("seccompProfile"), ...inContainers("securityContext", "seccompProfile")],
        exemptions: [WINDOWS],
    },
};

/** For a check missing from CHECK_READS (a test forbids it): any unknown may change its verdict. */
const READS_EVERYTHING: CheckReads = { reads: [["metadata"], ["spec"]] };

/** True when the unknown at `path` may change what `pattern` reads: one lies inside the other. */
function overlaps(path: Path, pattern: Pattern): boolean {
    const length = Math.min(path.length, pattern.length);
    for (let i = 0; i < length; i++) {
        const expected = pattern[i];
        if (expected === ANY) continue;
        if (typeof expected === "function" ? !expected(path[i]) : expected !== path[i]) return false;
    }
    return true;
}

function relevant(unknowns: readonly Path[], patterns: readonly Pattern[] | undefined): Path[] {
    if (!patterns) return [];
    return unknowns.filter((path) => patterns.some((pattern) => overlaps(path, pattern)));
}

// ---------------------------------------------------------------------------------------------------------
// Unknowns in a pod

/**
 * Objects of a pod found to hold no unknown value: each Pod Security level asks about the same pod's spec.
 * The resources judged are never changed while they are judged.
 */
const WITHOUT_UNKNOWNS = new WeakSet<object>();

function holdsUnknown(value: unknown): boolean {
    if (typeof value !== "object" || value === null) return isUnknown(value);
    if (WITHOUT_UNKNOWNS.has(value)) return false;
    if (containsUnknown(value)) return true;
    WITHOUT_UNKNOWNS.add(value);
    return false;
}

/** The paths (from the pod: `metadata...`, `spec...`) of every unknown value in the pod. */
function unknownPaths(site: PodSite): Path[] {
    // Most pods hold no unknown (a file read by `check` never does): one pass that builds no path says so.
    if (!holdsUnknown(site.metadata) && !holdsUnknown(site.spec)) return [];
    const found: Path[] = [];
    const walk = (value: unknown, path: (string | number)[]): void => {
        if (isUnknown(value)) {
            found.push([...path]);
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => walk(item, [...path, index]));
        } else if (value !== null && typeof value === "object") {
            for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
        }
    };
    walk(site.metadata, ["metadata"]);
    walk(site.spec, ["spec"]);
    return found;
}

/** Collections whose items each check judges one by one, so an unknown item can be left out. */
const PRUNABLE: ReadonlySet<string | number> = new Set<string | number>([...ALL_CONTAINER_LISTS, "volumes"]);

function prunable(path: Path): boolean {
    return path[0] === "spec" && path.length >= 2 && PRUNABLE.has(path[1]);
}

/** The pod spec without the containers and volumes (or whole lists) the unknowns at `paths` lie in. */
function pruned(spec: Json, paths: readonly Path[]): Json {
    const out: Json = { ...spec };
    const dropped = new Map<string, Set<number>>();
    for (const path of paths) {
        const list = String(path[1]);
        if (path.length === 2 || typeof path[2] !== "number") {
            delete out[list];
            continue;
        }
        let indices = dropped.get(list);
        if (!indices) dropped.set(list, (indices = new Set()));
        indices.add(path[2]);
    }
    for (const [list, indices] of dropped) {
        const items = out[list];
        if (Array.isArray(items)) out[list] = items.filter((_, index) => !indices.has(index));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// The policies

/** The version of the standard `env` pins; prod's when the env is not known. */
function versionFor(env: Environment | undefined): string {
    return PROFILES[env ?? Environment.Prod].podSecurity.version;
}

/** The check ids a policy runs at a version. */
type ChecksAt = (version: string) => readonly string[];

function cached(compute: ChecksAt): ChecksAt {
    const cache = new Map<string, readonly string[]>();
    for (const env of ENVIRONMENTS) cache.set(versionFor(env), compute(versionFor(env)));
    return (version) => {
        let ids = cache.get(version);
        if (!ids) cache.set(version, (ids = compute(version)));
        return ids;
    };
}

const BASELINE_CHECKS = cached((version) => checksFor(PodSecurityLevel.Baseline, version));

/** The checks the restricted level runs beyond baseline's, including those that replace a baseline check. */
const RESTRICTED_ONLY_CHECKS = cached((version) => {
    const baseline = new Set(checksFor(PodSecurityLevel.Baseline, version));
    return checksFor(PodSecurityLevel.Restricted, version).filter((id) => !baseline.has(id));
});

function message(resource: PolicyResource, site: PodSite, level: string, version: string, v: PodSecurityViolation) {
    const where = site.templatePath.length > 0 ? "pod template " : "";
    return `${describeResource(resource)}: ${where}breaks Pod Security ${level} (${version}) check ${v.check}: ${v.message}`;
}

/** Runs the `checks` of `level` on the pod `resource` runs, reporting violations and unknowns as documented. */
function judgePod(
    resource: PolicyResource,
    settings: PolicySettings,
    report: Reporter,
    level: PodSecurityLevel,
    checks: ChecksAt,
): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped) return;
    const site = podSiteOf(resource, scoped);
    if (!site) return;
    const version = versionFor(envOf(resource, settings));
    const ids = checks(version);
    const template = { metadata: asJson(site.metadata), spec: site.spec };
    // Baseline runs every check of its level; restricted only those it adds (the evaluator's `only`).
    const result = evaluatePodTemplate(
        template,
        level,
        version,
        level === PodSecurityLevel.Baseline ? undefined : { only: ids },
    );
    const unknowns = unknownPaths(site);
    if (unknowns.length === 0) {
        for (const violation of result.violations) {
            scoped.violation(message(resource, site, level, version, violation), { check: violation.check });
        }
        return;
    }

    const failing = new Map(result.violations.map((violation) => [violation.check, violation]));
    const reported = new Set<string>();
    const unknown = (paths: readonly Path[]): void => {
        for (const path of paths) {
            const text = formatPath([...site.templatePath, ...path]);
            if (reported.has(text)) continue;
            reported.add(text);
            scoped.unknown(text);
        }
    };
    for (const id of ids) {
        const reads = CHECK_READS[id] ?? READS_EVERYTHING;
        const values = relevant(unknowns, reads.reads);
        const exemptions = relevant(unknowns, reads.exemptions);
        const violation = failing.get(id);
        if (values.length === 0) {
            // The verdict stands; an unknown exemption could only lift a failure.
            if (violation && exemptions.length > 0) unknown(exemptions);
            else if (violation) scoped.violation(message(resource, site, level, version, violation), { check: id });
            continue;
        }
        if (exemptions.length === 0 && values.every(prunable)) {
            const rest = evaluatePodTemplate({ ...template, spec: pruned(site.spec, values) }, level, version, {
                only: [id],
            });
            const certain = rest.violations.find((v) => v.check === id);
            if (certain) {
                scoped.violation(message(resource, site, level, version, certain), { check: id });
                // What the unknown parts hold is still unchecked, but the resource fails either way.
                continue;
            }
        }
        unknown([...values, ...exemptions]);
    }
}

const STANDARDS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/** Every baseline check of the Pod Security Standards, at the env's pinned version. */
export const podSecurityBaseline: ResourcePolicy = {
    kind: "resource",
    name: "pod-security-baseline",
    group: POD_SECURITY_GROUP,
    description:
        "Pods and pod templates meet the baseline Pod Security Standard at the version the environment pins: no " +
        "privileged containers, host namespaces, hostPath volumes, host ports, added capabilities beyond the " +
        "defaults, or unsafe sysctls, AppArmor, SELinux, seccomp or procMount settings.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove what the violation names (privileged, hostNetwork/hostPID/hostIPC, hostPath volumes, hostPort, " +
        "added capabilities, unsafe sysctls or profiles). Run the container as the restricted profile describes; " +
        "the platform's RESTRICTED_POD_SECURITY_CONTEXT and RESTRICTED_CONTAINER_SECURITY_CONTEXT meet it.",
    url: `${STANDARDS_URL}#baseline`,
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgePod(resource, settings, report, PodSecurityLevel.Baseline, BASELINE_CHECKS);
    },
};

/** The checks the restricted Pod Security Standard adds to baseline, at the env's pinned version. */
export const podSecurityRestricted: ResourcePolicy = {
    kind: "resource",
    name: "pod-security-restricted",
    group: POD_SECURITY_GROUP,
    description:
        "Pods and pod templates meet the restricted Pod Security Standard at the version the environment pins: " +
        "non-root, no privilege escalation, all capabilities dropped (only NET_BIND_SERVICE added back), a " +
        "RuntimeDefault or Localhost seccomp profile, and only the allowed volume types.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set the pod's securityContext to runAsNonRoot: true and seccompProfile.type: RuntimeDefault, and every " +
        "container's to allowPrivilegeEscalation: false and capabilities.drop: [ALL] (the platform's " +
        "RESTRICTED_POD_SECURITY_CONTEXT and RESTRICTED_CONTAINER_SECURITY_CONTEXT); use only configMap, csi, " +
        "downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
    url: `${STANDARDS_URL}#restricted`,
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgePod(resource, settings, report, PodSecurityLevel.Restricted, RESTRICTED_ONLY_CHECKS);
    },
};
