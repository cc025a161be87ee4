/**
 * The Pod Security Standards checks, one definition per upstream check id, each with the versions of the
 * standard at which its behaviour changed.
 *
 * The semantics follow the Pod Security admission plugin (k8s.io/pod-security-admission, policy/check_*.go):
 * which fields each check reads, which values it allows, which containers it visits (init, regular and
 * ephemeral) and the version each revision applies from. A check returns undefined when the pod passes, or
 * a message naming the forbidden field and the containers (or pod) that set it.
 */
import {
    ALLOWED_ADDED_CAPABILITIES,
    BASELINE_ALLOWED_CAPABILITIES,
    REQUIRED_DROPPED_CAPABILITIES,
} from "../../../components/baseline/workloads";
import { EnforcedPodSecurityLevel, PodSecurityLevel } from "./levels";
import { asList, asObject, ContainerView, Json, PodView } from "./pod";

/** Evaluates one check on a pod: undefined when allowed, else the reason it is forbidden. */
export type CheckFn = (pod: PodView) => string | undefined;

/** One revision of a check. */
export interface VersionedCheck {
    /** The first minor version (v1.N) this revision applies to; it applies until the next revision. */
    readonly since: number;
    readonly evaluate: CheckFn;
    /** Baseline checks this (restricted) revision replaces in the restricted level. */
    readonly overrides?: readonly string[];
}

/** A check of the standard. */
export interface CheckDefinition {
    /** The upstream check id, e.g. `hostPathVolumes`, `capabilities_restricted`. */
    readonly id: string;
    /** The level the check belongs to; restricted includes every baseline check it does not override. */
    readonly level: EnforcedPodSecurityLevel;
    /** Revisions, in strictly increasing `since` order. */
    readonly versions: readonly VersionedCheck[];
}

// ---------------------------------------------------------------------------------------------------------
// Message helpers

function quoted(items: readonly string[]): string {
    return items.map((item) => JSON.stringify(item)).join(", ");
}

function plural(count: number, singular: string, pluralForm: string): string {
    return count === 1 ? singular : pluralForm;
}

/** `container "a"` or `containers "a", "b"`. */
function containersPhrase(names: readonly string[]): string {
    return `${plural(names.length, "container", "containers")} ${quoted(names)}`;
}

function forbidden(reason: string, detail: string): string {
    return detail ? `${reason} (${detail})` : reason;
}

function sorted(values: Set<string>): string[] {
    return [...values].sort();
}

function isSet(value: unknown): boolean {
    return value !== undefined && value !== null;
}

/** A string field's value as the typed API reads it: unset is "". */
function text(value: unknown): string {
    return value === undefined || value === null ? "" : String(value);
}

function names(containers: readonly ContainerView[]): string[] {
    return containers.map((container) => container.name);
}

// ---------------------------------------------------------------------------------------------------------
// Fixed data of the standard that the baseline components do not already define

const DEFAULT_PROC_MOUNT = "Default";

/** Seccomp and AppArmor profile types a pod or container may set (both fields use the same two values). */
const SECCOMP_PROFILE_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);
const APPARMOR_PROFILE_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const APPARMOR_RUNTIME_DEFAULT = "runtime/default";
const APPARMOR_LOCALHOST_PREFIX = "localhost/";

const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";
const SECCOMP_ANNOTATION_RUNTIME_DEFAULT = "runtime/default";
const SECCOMP_ANNOTATION_DOCKER_DEFAULT = "docker/default";
const SECCOMP_ANNOTATION_LOCALHOST_PREFIX = "localhost/";

/** SELinux types allowed until v1.30; v1.31 added `container_engine_t`. */
const SELINUX_TYPES_1_0: ReadonlySet<string> = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const SELINUX_TYPES_1_31: ReadonlySet<string> = new Set([...SELINUX_TYPES_1_0, "container_engine_t"]);

/**
 * The "safe" sysctls, by the version that allowed them. The list grows with the standard, so it is kept
 * per version here rather than as a single list in the baseline components.
 */
const SYSCTLS_1_0: ReadonlySet<string> = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
]);
const SYSCTLS_1_27: ReadonlySet<string> = new Set([...SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"]);
const SYSCTLS_1_29: ReadonlySet<string> = new Set([
    ...SYSCTLS_1_27,
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
const SYSCTLS_1_32: ReadonlySet<string> = new Set([...SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);
const SYSCTLS_1_37: ReadonlySet<string> = new Set([
    ...SYSCTLS_1_32,
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
]);

/** Inline volume sources the restricted level allows. */
const RESTRICTED_ALLOWED_VOLUME_SOURCES: readonly string[] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/**
 * Every other inline volume source the API knows: restricted. A volume is reported with the first of these
 * it sets. With the allowed list this covers the whole of the API's VolumeSource.
 */
const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set(BASELINE_ALLOWED_CAPABILITIES);
const RESTRICTED_ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set(ALLOWED_ADDED_CAPABILITIES);

const PROBES: readonly string[] = ["livenessProbe", "readinessProbe", "startupProbe"];
const LIFECYCLE_HANDLERS: readonly string[] = ["postStart", "preStop"];

// ---------------------------------------------------------------------------------------------------------
// Checks

/** Windows pods are exempt from the Linux-only restricted checks from v1.25 (`spec.os.name: windows`). */
function exemptWindows(check: CheckFn): CheckFn {
    return (pod) => (pod.windows ? undefined : check(pod));
}

/** From v1.35 some checks relax for pods in their own user namespace (`spec.hostUsers: false`). */
function exemptUserNamespace(check: CheckFn): CheckFn {
    return (pod) => (pod.userNamespace ? undefined : check(pod));
}

function allowPrivilegeEscalation(pod: PodView): string | undefined {
    const bad: string[] = [];
    for (const container of pod.containers) {
        if (container.securityContext?.allowPrivilegeEscalation !== false) bad.push(container.name);
    }
    if (bad.length === 0) return undefined;
    return forbidden(
        "allowPrivilegeEscalation != false",
        `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
    );
}

function appArmorAnnotationAllowed(value: string): boolean {
    return value === "" || value === APPARMOR_RUNTIME_DEFAULT || value.startsWith(APPARMOR_LOCALHOST_PREFIX);
}

function appArmorProfile(pod: PodView): string | undefined {
    const setters: string[] = [];
    const badTypes = new Set<string>();
    const podProfile = pod.podSecurityContext?.appArmorProfile;
    if (isSet(podProfile)) {
        const type = text(asObject(podProfile)?.type);
        if (!APPARMOR_PROFILE_TYPES.has(type)) {
            setters.push("pod");
            badTypes.add(type);
        }
    }
    const badContainers: string[] = [];
    for (const container of pod.containers) {
        const profile = container.securityContext?.appArmorProfile;
        if (!isSet(profile)) continue;
        const type = text(asObject(profile)?.type);
        if (!APPARMOR_PROFILE_TYPES.has(type)) {
            badContainers.push(container.name);
            badTypes.add(type);
        }
    }
    if (badContainers.length > 0) setters.push(containersPhrase(badContainers));

    const badAnnotations: string[] = [];
    if (pod.annotations) {
        for (const key in pod.annotations) {
            if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
            const value = text(pod.annotations[key]);
            if (!appArmorAnnotationAllowed(value)) badAnnotations.push(`${key}=${JSON.stringify(value)}`);
        }
    }
    const badValues = sorted(badTypes).map((value) => JSON.stringify(value));
    if (badAnnotations.length > 0) {
        badValues.push(...badAnnotations.sort());
        setters.push(plural(badAnnotations.length, "annotation", "annotations"));
    }
    if (setters.length === 0) return undefined;
    return forbidden(
        plural(badValues.length, "forbidden AppArmor profile", "forbidden AppArmor profiles"),
        `${setters.join(" and ")} must not set AppArmor profile type to ${badValues.join(", ")}`,
    );
}

function capabilitiesBaseline(pod: PodView): string | undefined {
    const bad: string[] = [];
    const added = new Set<string>();
    for (const container of pod.containers) {
        const capabilities = asObject(container.securityContext?.capabilities);
        if (!capabilities) continue;
        let valid = true;
        for (const capability of asList(capabilities.add)) {
            const name = text(capability);
            if (!BASELINE_CAPABILITIES.has(name)) {
                valid = false;
                added.add(name);
            }
        }
        if (!valid) bad.push(container.name);
    }
    if (bad.length === 0) return undefined;
    return forbidden(
        "non-default capabilities",
        `${containersPhrase(bad)} must not include ${quoted(sorted(added))} in securityContext.capabilities.add`,
    );
}

function capabilitiesRestricted(pod: PodView): string | undefined {
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const added = new Set<string>();
    for (const container of pod.containers) {
        const capabilities = asObject(container.securityContext?.capabilities);
        if (!capabilities) {
            missingDrop.push(container.name);
            continue;
        }
        const dropped = asList(capabilities.drop);
        if (!REQUIRED_DROPPED_CAPABILITIES.every((required) => dropped.includes(required))) {
            missingDrop.push(container.name);
        }
        let addsForbidden = false;
        for (const capability of asList(capabilities.add)) {
            const name = text(capability);
            if (!RESTRICTED_ADDABLE_CAPABILITIES.has(name)) {
                addsForbidden = true;
                added.add(name);
            }
        }
        if (addsForbidden) adding.push(container.name);
    }
    const details: string[] = [];
    if (missingDrop.length > 0) {
        details.push(
            `${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=${JSON.stringify(REQUIRED_DROPPED_CAPABILITIES)}`,
        );
    }
    if (adding.length > 0) {
        details.push(
            `${containersPhrase(adding)} must not include ${quoted(sorted(added))} in securityContext.capabilities.add`,
        );
    }
    if (details.length === 0) return undefined;
    return forbidden("unrestricted capabilities", details.join("; "));
}

function hostNamespaces(pod: PodView): string | undefined {
    const shared: string[] = [];
    if (pod.spec.hostNetwork === true) shared.push("hostNetwork=true");
    if (pod.spec.hostPID === true) shared.push("hostPID=true");
    if (pod.spec.hostIPC === true) shared.push("hostIPC=true");
    if (shared.length === 0) return undefined;
    return forbidden("host namespaces", shared.join(", "));
}

function hostPathVolumes(pod: PodView): string | undefined {
    const bad: string[] = [];
    for (const item of asList(pod.spec.volumes)) {
        const volume = asObject(item);
        if (volume && isSet(volume.hostPath)) bad.push(text(volume.name));
    }
    if (bad.length === 0) return undefined;
    return forbidden("hostPath volumes", `${plural(bad.length, "volume", "volumes")} ${quoted(bad)}`);
}

function hostPorts(pod: PodView): string | undefined {
    const bad: string[] = [];
    const ports = new Set<string>();
    for (const container of pod.containers) {
        let valid = true;
        for (const item of asList(container.raw.ports)) {
            const hostPort = asObject(item)?.hostPort;
            if (isSet(hostPort) && hostPort !== 0) {
                valid = false;
                ports.add(String(hostPort));
            }
        }
        if (!valid) bad.push(container.name);
    }
    if (bad.length === 0) return undefined;
    return forbidden(
        "hostPort",
        `${containersPhrase(bad)} ${plural(bad.length, "uses", "use")} ${plural(ports.size, "hostPort", "hostPorts")} ${sorted(ports).join(", ")}`,
    );
}

/** Adds the non-empty `httpGet.host` and `tcpSocket.host` of a probe or lifecycle handler to `hosts`. */
function collectHosts(handler: unknown, hosts: Set<string>): boolean {
    const object = asObject(handler);
    if (!object) return false;
    let found = false;
    for (const action of [object.httpGet, object.tcpSocket]) {
        const host = text(asObject(action)?.host);
        if (host !== "") {
            hosts.add(host);
            found = true;
        }
    }
    return found;
}

function hostProbesAndHostLifecycle(pod: PodView): string | undefined {
    const bad = new Set<string>();
    const hosts = new Set<string>();
    for (const container of pod.containers) {
        for (const probe of PROBES) {
            if (collectHosts(container.raw[probe], hosts)) bad.add(container.name);
        }
        const lifecycle = asObject(container.raw.lifecycle);
        if (!lifecycle) continue;
        for (const handler of LIFECYCLE_HANDLERS) {
            if (collectHosts(lifecycle[handler], hosts)) bad.add(container.name);
        }
    }
    if (bad.size === 0) return undefined;
    return forbidden(
        "probe or lifecycle host",
        `${containersPhrase(sorted(bad))} ${plural(bad.size, "uses", "use")} ${plural(hosts.size, "probe or lifecycle host", "probe or lifecycle hosts")} ${quoted(sorted(hosts))}`,
    );
}

function privileged(pod: PodView): string | undefined {
    const bad = names(pod.containers.filter((container) => container.securityContext?.privileged === true));
    if (bad.length === 0) return undefined;
    return forbidden("privileged", `${containersPhrase(bad)} must not set securityContext.privileged=true`);
}

function procMount(pod: PodView): string | undefined {
    const bad: string[] = [];
    const types = new Set<string>();
    for (const container of pod.containers) {
        const value = container.securityContext?.procMount;
        if (!isSet(value) || value === DEFAULT_PROC_MOUNT) continue;
        bad.push(container.name);
        types.add(text(value));
    }
    if (bad.length === 0) return undefined;
    return forbidden(
        "procMount",
        `${containersPhrase(bad)} must not set securityContext.procMount to ${quoted(sorted(types))}`,
    );
}

/**
 * A volume's restricted source, or undefined when the volume is allowed. A volume that names no source the
 * API knows is an emptyDir: the API server defaults it so before admission sees it.
 */
function restrictedSourceOf(volume: Json): string | undefined {
    if (RESTRICTED_ALLOWED_VOLUME_SOURCES.some((source) => isSet(volume[source]))) return undefined;
    return RESTRICTED_VOLUME_SOURCES.find((source) => isSet(volume[source]));
}

function restrictedVolumes(pod: PodView): string | undefined {
    const bad: string[] = [];
    const types = new Set<string>();
    for (const item of asList(pod.spec.volumes)) {
        const volume = asObject(item);
        const source = volume && restrictedSourceOf(volume);
        if (!source) continue;
        bad.push(text(volume.name));
        types.add(source);
    }
    if (bad.length === 0) return undefined;
    return forbidden(
        "restricted volume types",
        `${plural(bad.length, "volume", "volumes")} ${quoted(bad)} ${plural(bad.length, "uses", "use")} ${plural(types.size, "restricted volume type", "restricted volume types")} ${quoted(sorted(types))}`,
    );
}

function runAsNonRoot(pod: PodView): string | undefined {
    const setters: string[] = [];
    let podNonRoot = false;
    const podValue = pod.podSecurityContext?.runAsNonRoot;
    if (isSet(podValue)) {
        if (podValue === true) podNonRoot = true;
        else setters.push("pod");
    }
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const container of pod.containers) {
        const value = container.securityContext?.runAsNonRoot;
        if (isSet(value)) {
            // A container's own setting takes precedence over the pod's.
            if (value !== true) explicit.push(container.name);
        } else if (!podNonRoot) {
            implicit.push(container.name);
        }
    }
    if (explicit.length > 0) setters.push(containersPhrase(explicit));
    if (setters.length > 0) {
        return forbidden(
            "runAsNonRoot != true",
            `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false`,
        );
    }
    if (implicit.length > 0) {
        return forbidden(
            "runAsNonRoot != true",
            `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
        );
    }
    return undefined;
}

function runAsUser(pod: PodView): string | undefined {
    const setters: string[] = [];
    if (pod.podSecurityContext?.runAsUser === 0) setters.push("pod");
    const bad = names(pod.containers.filter((container) => container.securityContext?.runAsUser === 0));
    if (bad.length > 0) setters.push(containersPhrase(bad));
    if (setters.length === 0) return undefined;
    return forbidden("runAsUser=0", `${setters.join(" and ")} must not set runAsUser=0`);
}

function seLinuxOptions(allowedTypes: ReadonlySet<string>): CheckFn {
    return (pod) => {
        const badTypes = new Set<string>();
        let setsUser = false;
        let setsRole = false;
        const valid = (options: unknown): boolean => {
            const object = asObject(options) ?? {};
            let ok = true;
            const type = text(object.type);
            if (!allowedTypes.has(type)) {
                ok = false;
                badTypes.add(type);
            }
            if (text(object.user) !== "") {
                ok = false;
                setsUser = true;
            }
            if (text(object.role) !== "") {
                ok = false;
                setsRole = true;
            }
            return ok;
        };
        const setters: string[] = [];
        const podOptions = pod.podSecurityContext?.seLinuxOptions;
        if (isSet(podOptions) && !valid(podOptions)) setters.push("pod");
        const bad: string[] = [];
        for (const container of pod.containers) {
            const options = container.securityContext?.seLinuxOptions;
            if (isSet(options) && !valid(options)) bad.push(container.name);
        }
        if (bad.length > 0) setters.push(containersPhrase(bad));
        if (setters.length === 0) return undefined;
        const what: string[] = [];
        if (badTypes.size > 0) what.push(`${plural(badTypes.size, "type", "types")} ${quoted(sorted(badTypes))}`);
        if (setsUser) what.push("user may not be set");
        if (setsRole) what.push("role may not be set");
        return forbidden(
            "seLinuxOptions",
            `${setters.join(" and ")} set forbidden securityContext.seLinuxOptions: ${what.join("; ")}`,
        );
    };
}

function seccompAnnotationAllowed(value: string): boolean {
    return (
        value === SECCOMP_ANNOTATION_RUNTIME_DEFAULT ||
        value === SECCOMP_ANNOTATION_DOCKER_DEFAULT ||
        value.startsWith(SECCOMP_ANNOTATION_LOCALHOST_PREFIX)
    );
}

/** Until v1.18 seccomp was set with annotations: the pod's, and one per container keyed by its name. */
function seccompProfileBaselineAnnotations(pod: PodView): string | undefined {
    const annotations = pod.annotations;
    if (!annotations) return undefined;
    const bad = new Set<string>();
    const inspect = (key: string): void => {
        if (!Object.hasOwn(annotations, key)) return;
        const value = text(annotations[key]);
        if (!seccompAnnotationAllowed(value)) bad.add(`${key}=${JSON.stringify(value)}`);
    };
    inspect(SECCOMP_POD_ANNOTATION);
    for (const container of pod.containers) inspect(SECCOMP_CONTAINER_ANNOTATION_PREFIX + container.name);
    if (bad.size === 0) return undefined;
    return forbidden(
        "seccompProfile",
        `forbidden ${plural(bad.size, "annotation", "annotations")} ${sorted(bad).join(", ")}`,
    );
}

function seccompType(profile: unknown): string {
    return text(asObject(profile)?.type);
}

function seccompMessage(setters: string[], explicit: string[], types: Set<string>): string {
    if (explicit.length > 0) setters.push(containersPhrase(explicit));
    return forbidden(
        "seccompProfile",
        `${setters.join(" and ")} must not set securityContext.seccompProfile.type to ${quoted(sorted(types))}`,
    );
}

/** From v1.19, the `seccompProfile` fields: when set, only RuntimeDefault or Localhost. */
function seccompProfileBaselineFields(pod: PodView): string | undefined {
    const setters: string[] = [];
    const types = new Set<string>();
    const podProfile = pod.podSecurityContext?.seccompProfile;
    if (isSet(podProfile) && !SECCOMP_PROFILE_TYPES.has(seccompType(podProfile))) {
        setters.push("pod");
        types.add(seccompType(podProfile));
    }
    const explicit: string[] = [];
    for (const container of pod.containers) {
        const profile = container.securityContext?.seccompProfile;
        if (isSet(profile) && !SECCOMP_PROFILE_TYPES.has(seccompType(profile))) {
            explicit.push(container.name);
            types.add(seccompType(profile));
        }
    }
    if (setters.length === 0 && explicit.length === 0) return undefined;
    return seccompMessage(setters, explicit, types);
}

/** Restricted: every container must end up with RuntimeDefault or Localhost, its own or the pod's. */
function seccompProfileRestricted(pod: PodView): string | undefined {
    const setters: string[] = [];
    const types = new Set<string>();
    let podSet = false;
    const podProfile = pod.podSecurityContext?.seccompProfile;
    if (isSet(podProfile)) {
        if (SECCOMP_PROFILE_TYPES.has(seccompType(podProfile))) {
            podSet = true;
        } else {
            setters.push("pod");
            types.add(seccompType(podProfile));
        }
    }
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const container of pod.containers) {
        const profile = container.securityContext?.seccompProfile;
        if (isSet(profile)) {
            if (!SECCOMP_PROFILE_TYPES.has(seccompType(profile))) {
                explicit.push(container.name);
                types.add(seccompType(profile));
            }
        } else if (!podSet) {
            implicit.push(container.name);
        }
    }
    if (setters.length > 0 || explicit.length > 0) return seccompMessage(setters, explicit, types);
    if (implicit.length > 0) {
        return forbidden(
            "seccompProfile",
            `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        );
    }
    return undefined;
}

function sysctls(allowed: ReadonlySet<string>): CheckFn {
    return (pod) => {
        const bad: string[] = [];
        for (const item of asList(pod.podSecurityContext?.sysctls)) {
            const name = text(asObject(item)?.name);
            if (!allowed.has(name)) bad.push(name);
        }
        return bad.length === 0 ? undefined : forbidden("forbidden sysctls", bad.join(", "));
    };
}

function hostProcess(securityContext: Json | undefined): boolean {
    return asObject(securityContext?.windowsOptions)?.hostProcess === true;
}

function windowsHostProcess(pod: PodView): string | undefined {
    const setters: string[] = [];
    if (hostProcess(pod.podSecurityContext)) setters.push("pod");
    const bad = names(pod.containers.filter((container) => hostProcess(container.securityContext)));
    if (bad.length > 0) setters.push(containersPhrase(bad));
    if (setters.length === 0) return undefined;
    return forbidden(
        "hostProcess",
        `${setters.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true`,
    );
}

// ---------------------------------------------------------------------------------------------------------
// The registry

const BASELINE = PodSecurityLevel.Baseline;
const RESTRICTED = PodSecurityLevel.Restricted;

/** Every check of the standard, with the version each revision applies from. */
export const CHECKS: readonly CheckDefinition[] = [
    // Baseline.
    { id: "appArmorProfile", level: BASELINE, versions: [{ since: 0, evaluate: appArmorProfile }] },
    { id: "capabilities_baseline", level: BASELINE, versions: [{ since: 0, evaluate: capabilitiesBaseline }] },
    { id: "hostNamespaces", level: BASELINE, versions: [{ since: 0, evaluate: hostNamespaces }] },
    { id: "hostPathVolumes", level: BASELINE, versions: [{ since: 0, evaluate: hostPathVolumes }] },
    { id: "hostPorts", level: BASELINE, versions: [{ since: 0, evaluate: hostPorts }] },
    {
        id: "hostProbesAndHostLifecycle",
        level: BASELINE,
        versions: [{ since: 34, evaluate: hostProbesAndHostLifecycle }],
    },
    { id: "privileged", level: BASELINE, versions: [{ since: 0, evaluate: privileged }] },
    {
        id: "procMount",
        level: BASELINE,
        versions: [
            { since: 0, evaluate: procMount },
            { since: 35, evaluate: exemptUserNamespace(procMount) },
        ],
    },
    {
        id: "seccompProfile_baseline",
        level: BASELINE,
        versions: [
            { since: 0, evaluate: seccompProfileBaselineAnnotations },
            { since: 19, evaluate: seccompProfileBaselineFields },
        ],
    },
    {
        id: "seLinuxOptions",
        level: BASELINE,
        versions: [
            { since: 0, evaluate: seLinuxOptions(SELINUX_TYPES_1_0) },
            { since: 31, evaluate: seLinuxOptions(SELINUX_TYPES_1_31) },
        ],
    },
    {
        id: "sysctls",
        level: BASELINE,
        versions: [
            { since: 0, evaluate: sysctls(SYSCTLS_1_0) },
            { since: 27, evaluate: sysctls(SYSCTLS_1_27) },
            { since: 29, evaluate: sysctls(SYSCTLS_1_29) },
            { since: 32, evaluate: sysctls(SYSCTLS_1_32) },
            { since: 37, evaluate: sysctls(SYSCTLS_1_37) },
        ],
    },
    { id: "windowsHostProcess", level: BASELINE, versions: [{ since: 0, evaluate: windowsHostProcess }] },

    // Restricted.
    {
        id: "allowPrivilegeEscalation",
        level: RESTRICTED,
        versions: [
            { since: 8, evaluate: allowPrivilegeEscalation },
            { since: 25, evaluate: exemptWindows(allowPrivilegeEscalation) },
        ],
    },
    {
        id: "capabilities_restricted",
        level: RESTRICTED,
        versions: [
            { since: 22, evaluate: capabilitiesRestricted, overrides: ["capabilities_baseline"] },
            { since: 25, evaluate: exemptWindows(capabilitiesRestricted), overrides: ["capabilities_baseline"] },
        ],
    },
    {
        id: "procMount_restricted",
        level: RESTRICTED,
        // Same rule as baseline procMount before v1.35: no relaxation for user-namespaced pods.
        versions: [{ since: 35, evaluate: procMount, overrides: ["procMount"] }],
    },
    {
        id: "restrictedVolumes",
        level: RESTRICTED,
        versions: [{ since: 0, evaluate: restrictedVolumes, overrides: ["hostPathVolumes"] }],
    },
    {
        id: "runAsNonRoot",
        level: RESTRICTED,
        versions: [
            { since: 0, evaluate: runAsNonRoot },
            { since: 35, evaluate: exemptUserNamespace(runAsNonRoot) },
        ],
    },
    {
        id: "runAsUser",
        level: RESTRICTED,
        versions: [
            { since: 23, evaluate: runAsUser },
            { since: 35, evaluate: exemptUserNamespace(runAsUser) },
        ],
    },
    {
        id: "seccompProfile_restricted",
        level: RESTRICTED,
        versions: [
            { since: 19, evaluate: seccompProfileRestricted, overrides: ["seccompProfile_baseline"] },
            {
                since: 25,
                evaluate: exemptWindows(seccompProfileRestricted),
                overrides: ["seccompProfile_baseline"],
            },
        ],
    },
];
