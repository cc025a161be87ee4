/**
 * Every Pod Security check, allowed and rejected, at the versions where its behaviour changes. Each case
 * starts from the minimal pod its level allows (an init container `init`, a container `app`) and changes
 * what the case is about.
 */
import * as assert from "node:assert/strict";
import {
    ALL_CHECK_IDS,
    evaluatePodSecurity,
    PodSecurityLevel,
    PodSecurityResult,
} from "../../../../policy-pack/policies/pod-security";

type Manifest = Record<string, any>;

const B = PodSecurityLevel.Baseline;
const R = PodSecurityLevel.Restricted;

function baselinePod(): Manifest {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "pod" },
        spec: {
            initContainers: [{ name: "init", image: "registry.k8s.io/pause" }],
            containers: [{ name: "app", image: "registry.k8s.io/pause" }],
        },
    };
}

function restrictedPod(): Manifest {
    const pod = baselinePod();
    pod.spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
        c.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    }
    return pod;
}

function all(pod: Manifest): Manifest[] {
    return [
        ...(pod.spec.initContainers ?? []),
        ...(pod.spec.containers ?? []),
        ...(pod.spec.ephemeralContainers ?? []),
    ];
}

/** The securityContext of container `name` (init, regular or ephemeral), created when absent. */
function sc(pod: Manifest, name: string): Manifest {
    const found = all(pod).find((c) => c.name === name);
    if (!found) throw new Error(`no container ${name}`);
    found.securityContext ??= {};
    return found.securityContext;
}

function podSc(pod: Manifest): Manifest {
    pod.spec.securityContext ??= {};
    return pod.spec.securityContext;
}

function app(pod: Manifest): Manifest {
    return pod.spec.containers[0];
}

function ephemeral(pod: Manifest, securityContext?: Manifest): void {
    pod.spec.ephemeralContainers = [{ name: "debug", image: "busybox", targetContainerName: "app", securityContext }];
}

function checks(result: PodSecurityResult): string[] {
    return result.violations.map((violation) => violation.check);
}

interface Case {
    /** The check the case is about. */
    readonly check: string;
    readonly title: string;
    readonly level: PodSecurityLevel;
    readonly version: string;
    /** Changes the level's minimal pod. */
    readonly change: (pod: Manifest) => void;
    /** The checks that must fire, in reporting order; [] = allowed. */
    readonly expect: readonly string[];
    /** A substring the first violation's message must contain. */
    readonly message?: string;
}

const CASES: Case[] = [
    // appArmorProfile
    {
        check: "appArmorProfile",
        title: "RuntimeDefault and Localhost profile fields, runtime/default and localhost/ annotations",
        level: B,
        version: "latest",
        change: (pod) => {
            podSc(pod).appArmorProfile = { type: "RuntimeDefault" };
            sc(pod, "app").appArmorProfile = { type: "Localhost", localhostProfile: "k8s-app" };
            pod.metadata.annotations = {
                "container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-app",
                "container.apparmor.security.beta.kubernetes.io/init": "runtime/default",
                "container.apparmor.security.beta.kubernetes.io/other": "",
            };
        },
        expect: [],
    },
    {
        check: "appArmorProfile",
        title: "an Unconfined profile field on the pod",
        level: B,
        version: "latest",
        change: (pod) => (podSc(pod).appArmorProfile = { type: "Unconfined" }),
        expect: ["appArmorProfile"],
        message: 'pod must not set AppArmor profile type to "Unconfined"',
    },
    {
        check: "appArmorProfile",
        title: "an Unconfined profile field on an ephemeral container",
        level: B,
        version: "latest",
        change: (pod) => ephemeral(pod, { appArmorProfile: { type: "Unconfined" } }),
        expect: ["appArmorProfile"],
        message: 'container "debug"',
    },
    {
        check: "appArmorProfile",
        title: "an unconfined annotation, at v1.0 as at latest",
        level: B,
        version: "v1.0",
        change: (pod) =>
            (pod.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" }),
        expect: ["appArmorProfile"],
        message: "annotation",
    },

    // capabilities_baseline
    {
        check: "capabilities_baseline",
        title: "adding capabilities of the default set",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").capabilities = { add: ["CHOWN", "NET_BIND_SERVICE", "SETUID"] }),
        expect: [],
    },
    {
        check: "capabilities_baseline",
        title: "adding NET_RAW in an init container",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "init").capabilities = { add: ["NET_RAW", "CHOWN"] }),
        expect: ["capabilities_baseline"],
        message: 'container "init" must not include "NET_RAW"',
    },
    {
        check: "capabilities_baseline",
        title: "capability names are case-sensitive",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").capabilities = { add: ["chown"] }),
        expect: ["capabilities_baseline"],
    },
    {
        check: "capabilities_baseline",
        title: "restricted runs it until v1.21 (missing drop ALL allowed)",
        level: R,
        version: "v1.21",
        change: (pod) => (sc(pod, "app").capabilities = { add: ["SYS_ADMIN"] }),
        expect: ["capabilities_baseline"],
    },

    // hostNamespaces
    {
        check: "hostNamespaces",
        title: "host namespaces explicitly false",
        level: B,
        version: "latest",
        change: (pod) => Object.assign(pod.spec, { hostNetwork: false, hostPID: false, hostIPC: false }),
        expect: [],
    },
    {
        check: "hostNamespaces",
        title: "hostPID and hostIPC",
        level: B,
        version: "latest",
        change: (pod) => Object.assign(pod.spec, { hostPID: true, hostIPC: true }),
        expect: ["hostNamespaces"],
        message: "hostPID=true, hostIPC=true",
    },

    // hostPathVolumes
    {
        check: "hostPathVolumes",
        title: "emptyDir and nfs volumes (baseline allows every source but hostPath)",
        level: B,
        version: "latest",
        change: (pod) =>
            (pod.spec.volumes = [
                { name: "scratch", emptyDir: {} },
                { name: "share", nfs: { server: "nfs", path: "/" } },
            ]),
        expect: [],
    },
    {
        check: "hostPathVolumes",
        title: "a hostPath volume",
        level: B,
        version: "v1.0",
        change: (pod) =>
            (pod.spec.volumes = [
                { name: "scratch", emptyDir: {} },
                { name: "docker", hostPath: { path: "/var/run/docker.sock" } },
            ]),
        expect: ["hostPathVolumes"],
        message: 'volume "docker"',
    },

    // hostPorts
    {
        check: "hostPorts",
        title: "container ports with hostPort unset or 0",
        level: B,
        version: "latest",
        change: (pod) => (app(pod).ports = [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 0 }]),
        expect: [],
    },
    {
        check: "hostPorts",
        title: "a hostPort on an ephemeral container",
        level: B,
        version: "latest",
        change: (pod) => {
            ephemeral(pod);
            pod.spec.ephemeralContainers[0].ports = [{ containerPort: 80, hostPort: 80 }];
        },
        expect: ["hostPorts"],
        message: 'container "debug" uses hostPort 80',
    },

    // hostProbesAndHostLifecycle
    {
        check: "hostProbesAndHostLifecycle",
        title: "probes and handlers without a host, or with an empty one",
        level: B,
        version: "v1.34",
        change: (pod) => {
            app(pod).livenessProbe = { httpGet: { path: "/healthz", port: 8080 } };
            app(pod).readinessProbe = { tcpSocket: { port: 8080, host: "" } };
            app(pod).lifecycle = { preStop: { httpGet: { path: "/stop", port: 8080 } } };
        },
        expect: [],
    },
    {
        check: "hostProbesAndHostLifecycle",
        title: "a startup probe host",
        level: B,
        version: "v1.34",
        change: (pod) => (app(pod).startupProbe = { httpGet: { host: "10.0.0.1", port: 80 } }),
        expect: ["hostProbesAndHostLifecycle"],
        message: '"10.0.0.1"',
    },
    {
        check: "hostProbesAndHostLifecycle",
        title: "a postStart tcpSocket host on an init container",
        level: R,
        version: "latest",
        change: (pod) =>
            (pod.spec.initContainers[0].lifecycle = { postStart: { tcpSocket: { host: "db", port: 5432 } } }),
        expect: ["hostProbesAndHostLifecycle"],
        message: 'container "init"',
    },
    {
        check: "hostProbesAndHostLifecycle",
        title: "not checked before v1.34",
        level: B,
        version: "v1.33",
        change: (pod) => (app(pod).livenessProbe = { httpGet: { host: "metadata.internal", port: 80 } }),
        expect: [],
    },

    // privileged
    {
        check: "privileged",
        title: "privileged false",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").privileged = false),
        expect: [],
    },
    {
        check: "privileged",
        title: "a privileged init container",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "init").privileged = true),
        expect: ["privileged"],
        message: 'container "init" must not set securityContext.privileged=true',
    },

    // procMount
    {
        check: "procMount",
        title: "procMount Default",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").procMount = "Default"),
        expect: [],
    },
    {
        check: "procMount",
        title: "procMount Unmasked",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").procMount = "Unmasked"),
        expect: ["procMount"],
        message: '"Unmasked"',
    },
    {
        check: "procMount",
        title: "Unmasked in a user namespace: still forbidden at v1.34",
        level: B,
        version: "v1.34",
        change: (pod) => {
            pod.spec.hostUsers = false;
            sc(pod, "app").procMount = "Unmasked";
        },
        expect: ["procMount"],
    },
    {
        check: "procMount",
        title: "Unmasked in a user namespace: allowed by baseline from v1.35",
        level: B,
        version: "v1.35",
        change: (pod) => {
            pod.spec.hostUsers = false;
            sc(pod, "app").procMount = "Unmasked";
        },
        expect: [],
    },
    {
        check: "procMount",
        title: "restricted runs the baseline check until v1.34",
        level: R,
        version: "v1.34",
        change: (pod) => (sc(pod, "app").procMount = "Unmasked"),
        expect: ["procMount"],
    },

    // seccompProfile_baseline
    {
        check: "seccompProfile_baseline",
        title: "allowed annotation values before v1.19",
        level: B,
        version: "v1.18",
        change: (pod) =>
            (pod.metadata.annotations = {
                "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                "container.seccomp.security.alpha.kubernetes.io/app": "docker/default",
                "container.seccomp.security.alpha.kubernetes.io/init": "localhost/profile.json",
            }),
        expect: [],
    },
    {
        check: "seccompProfile_baseline",
        title: "an unconfined container annotation before v1.19",
        level: B,
        version: "v1.18",
        change: (pod) =>
            (pod.metadata.annotations = { "container.seccomp.security.alpha.kubernetes.io/init": "unconfined" }),
        expect: ["seccompProfile_baseline"],
        message: 'container.seccomp.security.alpha.kubernetes.io/init="unconfined"',
    },
    {
        check: "seccompProfile_baseline",
        title: "fields are not read before v1.19",
        level: B,
        version: "v1.18",
        change: (pod) => (podSc(pod).seccompProfile = { type: "Unconfined" }),
        expect: [],
    },
    {
        check: "seccompProfile_baseline",
        title: "annotations are not read from v1.19",
        level: B,
        version: "v1.19",
        change: (pod) => (pod.metadata.annotations = { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }),
        expect: [],
    },
    {
        check: "seccompProfile_baseline",
        title: "a Localhost field, and none at all",
        level: B,
        version: "v1.19",
        change: (pod) => (sc(pod, "app").seccompProfile = { type: "Localhost", localhostProfile: "p.json" }),
        expect: [],
    },
    {
        check: "seccompProfile_baseline",
        title: "an Unconfined field from v1.19",
        level: B,
        version: "v1.19",
        change: (pod) => (sc(pod, "app").seccompProfile = { type: "Unconfined" }),
        expect: ["seccompProfile_baseline"],
        message: 'container "app" must not set securityContext.seccompProfile.type to "Unconfined"',
    },
    {
        check: "seccompProfile_baseline",
        title: "restricted runs the annotation check before v1.19",
        level: R,
        version: "v1.18",
        change: (pod) => (pod.metadata.annotations = { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }),
        expect: ["seccompProfile_baseline"],
    },

    // seLinuxOptions
    {
        check: "seLinuxOptions",
        title: "allowed types and a level",
        level: B,
        version: "latest",
        change: (pod) => {
            podSc(pod).seLinuxOptions = { type: "container_t", level: "s0:c123,c456" };
            sc(pod, "init").seLinuxOptions = { type: "container_init_t" };
            sc(pod, "app").seLinuxOptions = { type: "container_kvm_t" };
        },
        expect: [],
    },
    {
        check: "seLinuxOptions",
        title: "a user on a container",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").seLinuxOptions = { user: "system_u" }),
        expect: ["seLinuxOptions"],
        message: "user may not be set",
    },
    {
        check: "seLinuxOptions",
        title: "a role and a custom type on the pod",
        level: B,
        version: "latest",
        change: (pod) => (podSc(pod).seLinuxOptions = { role: "system_r", type: "spc_t" }),
        expect: ["seLinuxOptions"],
        message: 'pod set forbidden securityContext.seLinuxOptions: type "spc_t"; role may not be set',
    },
    {
        check: "seLinuxOptions",
        title: "container_engine_t before v1.31",
        level: B,
        version: "v1.30",
        change: (pod) => (sc(pod, "app").seLinuxOptions = { type: "container_engine_t" }),
        expect: ["seLinuxOptions"],
    },
    {
        check: "seLinuxOptions",
        title: "container_engine_t from v1.31",
        level: B,
        version: "v1.31",
        change: (pod) => (sc(pod, "app").seLinuxOptions = { type: "container_engine_t" }),
        expect: [],
    },

    // sysctls
    {
        check: "sysctls",
        title: "the v1.0 safe set",
        level: B,
        version: "v1.0",
        change: (pod) =>
            (podSc(pod).sysctls = [
                "kernel.shm_rmid_forced",
                "net.ipv4.ip_local_port_range",
                "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range",
                "net.ipv4.ip_unprivileged_port_start",
            ].map((name) => ({ name, value: "1" }))),
        expect: [],
    },
    {
        check: "sysctls",
        title: "an unsafe sysctl",
        level: B,
        version: "latest",
        change: (pod) =>
            (podSc(pod).sysctls = [
                { name: "kernel.shm_rmid_forced", value: "1" },
                { name: "kernel.msgmax", value: "65536" },
            ]),
        expect: ["sysctls"],
        message: "forbidden sysctls (kernel.msgmax)",
    },
    ...sysctlBoundary("net.ipv4.ip_local_reserved_ports", 27),
    ...sysctlBoundary("net.ipv4.tcp_keepalive_time", 29),
    ...sysctlBoundary("net.ipv4.tcp_fin_timeout", 29),
    ...sysctlBoundary("net.ipv4.tcp_keepalive_intvl", 29),
    ...sysctlBoundary("net.ipv4.tcp_keepalive_probes", 29),
    ...sysctlBoundary("net.ipv4.tcp_rmem", 32),
    ...sysctlBoundary("net.ipv4.tcp_wmem", 32),
    ...sysctlBoundary("net.ipv4.tcp_slow_start_after_idle", 37),
    ...sysctlBoundary("net.ipv4.tcp_notsent_lowat", 37),

    // windowsHostProcess
    {
        check: "windowsHostProcess",
        title: "hostProcess false",
        level: B,
        version: "latest",
        change: (pod) => {
            podSc(pod).windowsOptions = { hostProcess: false };
            sc(pod, "app").windowsOptions = { runAsUserName: "ContainerUser" };
        },
        expect: [],
    },
    {
        check: "windowsHostProcess",
        title: "hostProcess on a container",
        level: B,
        version: "latest",
        change: (pod) => (sc(pod, "app").windowsOptions = { hostProcess: true }),
        expect: ["windowsHostProcess"],
        message: 'container "app" must not set securityContext.windowsOptions.hostProcess=true',
    },

    // allowPrivilegeEscalation
    {
        check: "allowPrivilegeEscalation",
        title: "unset before v1.8",
        level: R,
        version: "v1.7",
        change: (pod) => delete sc(pod, "app").allowPrivilegeEscalation,
        expect: [],
    },
    {
        check: "allowPrivilegeEscalation",
        title: "unset from v1.8",
        level: R,
        version: "v1.8",
        change: (pod) => delete sc(pod, "app").allowPrivilegeEscalation,
        expect: ["allowPrivilegeEscalation"],
        message: 'container "app" must set securityContext.allowPrivilegeEscalation=false',
    },
    {
        check: "allowPrivilegeEscalation",
        title: "true on an ephemeral container",
        level: R,
        version: "latest",
        change: (pod) => ephemeral(pod, { allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"] } }),
        expect: ["allowPrivilegeEscalation"],
        message: 'container "debug"',
    },
    {
        check: "allowPrivilegeEscalation",
        title: "false on an ephemeral container",
        level: R,
        version: "latest",
        change: (pod) => ephemeral(pod, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } }),
        expect: [],
    },
    {
        check: "allowPrivilegeEscalation",
        title: "a Windows pod without it at v1.24",
        level: R,
        version: "v1.24",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete sc(pod, "app").allowPrivilegeEscalation;
        },
        expect: ["allowPrivilegeEscalation"],
    },
    {
        check: "allowPrivilegeEscalation",
        title: "a Windows pod without it from v1.25",
        level: R,
        version: "v1.25",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete sc(pod, "app").allowPrivilegeEscalation;
        },
        expect: [],
    },

    // capabilities_restricted
    {
        check: "capabilities_restricted",
        title: "drop ALL and add NET_BIND_SERVICE",
        level: R,
        version: "v1.22",
        change: (pod) => (sc(pod, "app").capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] }),
        expect: [],
    },
    {
        check: "capabilities_restricted",
        title: "not dropping ALL from v1.22",
        level: R,
        version: "v1.22",
        change: (pod) => (sc(pod, "init").capabilities = { drop: ["NET_RAW"] }),
        expect: ["capabilities_restricted"],
        message: 'container "init" must set securityContext.capabilities.drop=["ALL"]',
    },
    {
        check: "capabilities_restricted",
        title: "not dropping ALL before v1.22",
        level: R,
        version: "v1.21",
        change: (pod) => delete sc(pod, "app").capabilities,
        expect: [],
    },
    {
        check: "capabilities_restricted",
        title: "adding a default capability (baseline's set is not enough)",
        level: R,
        version: "latest",
        change: (pod) => (sc(pod, "app").capabilities = { drop: ["ALL"], add: ["CHOWN"] }),
        expect: ["capabilities_restricted"],
        message: 'must not include "CHOWN"',
    },
    {
        check: "capabilities_restricted",
        title: "an ephemeral container without a securityContext",
        level: R,
        version: "latest",
        change: (pod) => {
            // Ephemeral containers are visited by every container check.
            ephemeral(pod);
        },
        expect: ["allowPrivilegeEscalation", "capabilities_restricted"],
        message: 'container "debug"',
    },
    {
        check: "capabilities_restricted",
        title: "a Windows pod without dropped capabilities at v1.24",
        level: R,
        version: "v1.24",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete sc(pod, "app").capabilities;
        },
        expect: ["capabilities_restricted"],
    },
    {
        check: "capabilities_restricted",
        title: "a Windows pod without dropped capabilities from v1.25",
        level: R,
        version: "v1.25",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete sc(pod, "app").capabilities;
        },
        expect: [],
    },

    // procMount_restricted
    {
        check: "procMount_restricted",
        title: "procMount Default",
        level: R,
        version: "v1.35",
        change: (pod) => {
            pod.spec.hostUsers = false;
            sc(pod, "app").procMount = "Default";
        },
        expect: [],
    },
    {
        check: "procMount_restricted",
        title: "Unmasked in a user namespace (no relaxation at restricted)",
        level: R,
        version: "v1.35",
        change: (pod) => {
            pod.spec.hostUsers = false;
            sc(pod, "app").procMount = "Unmasked";
        },
        expect: ["procMount_restricted"],
    },

    // restrictedVolumes
    {
        check: "restrictedVolumes",
        title: "every allowed source, and a volume that names none (defaulted to emptyDir)",
        level: R,
        version: "latest",
        change: (pod) =>
            (pod.spec.volumes = [
                { name: "v0" },
                { name: "v1", configMap: { name: "c" } },
                { name: "v2", csi: { driver: "secrets-store.csi.k8s.io" } },
                { name: "v3", downwardAPI: { items: [] } },
                { name: "v4", emptyDir: {} },
                { name: "v5", ephemeral: { volumeClaimTemplate: { spec: {} } } },
                { name: "v6", image: { reference: "registry.k8s.io/pause" } },
                { name: "v7", persistentVolumeClaim: { claimName: "data" } },
                { name: "v8", projected: { sources: [] } },
                { name: "v9", secret: { secretName: "s" } },
            ]),
        expect: [],
    },
    {
        check: "restrictedVolumes",
        title: "nfs and hostPath volumes",
        level: R,
        version: "latest",
        change: (pod) =>
            (pod.spec.volumes = [
                { name: "share", nfs: { server: "nfs", path: "/" } },
                { name: "scratch", emptyDir: {} },
                { name: "host", hostPath: { path: "/" } },
            ]),
        expect: ["restrictedVolumes"],
        message: 'volumes "share", "host" use restricted volume types "hostPath", "nfs"',
    },
    {
        check: "restrictedVolumes",
        title: "replaces hostPathVolumes at every version",
        level: R,
        version: "v1.0",
        change: (pod) => (pod.spec.volumes = [{ name: "host", hostPath: { path: "/" } }]),
        expect: ["restrictedVolumes"],
    },

    // runAsNonRoot
    {
        check: "runAsNonRoot",
        title: "set on the pod only",
        level: R,
        version: "latest",
        change: () => undefined,
        expect: [],
    },
    {
        check: "runAsNonRoot",
        title: "set on every container only",
        level: R,
        version: "latest",
        change: (pod) => {
            delete podSc(pod).runAsNonRoot;
            sc(pod, "init").runAsNonRoot = true;
            sc(pod, "app").runAsNonRoot = true;
        },
        expect: [],
    },
    {
        check: "runAsNonRoot",
        title: "set on one container of two, not on the pod",
        level: R,
        version: "latest",
        change: (pod) => {
            delete podSc(pod).runAsNonRoot;
            sc(pod, "app").runAsNonRoot = true;
        },
        expect: ["runAsNonRoot"],
        message: 'pod or container "init" must set securityContext.runAsNonRoot=true',
    },
    {
        check: "runAsNonRoot",
        title: "a container's false wins over the pod's true",
        level: R,
        version: "latest",
        change: (pod) => (sc(pod, "app").runAsNonRoot = false),
        expect: ["runAsNonRoot"],
        message: 'container "app" must not set securityContext.runAsNonRoot=false',
    },
    {
        check: "runAsNonRoot",
        title: "the pod's false is forbidden even when every container sets true",
        level: R,
        version: "latest",
        change: (pod) => {
            podSc(pod).runAsNonRoot = false;
            sc(pod, "init").runAsNonRoot = true;
            sc(pod, "app").runAsNonRoot = true;
        },
        expect: ["runAsNonRoot"],
        message: "pod must not set",
    },
    {
        check: "runAsNonRoot",
        title: "unset in a user namespace at v1.34",
        level: R,
        version: "v1.34",
        change: (pod) => {
            pod.spec.hostUsers = false;
            delete podSc(pod).runAsNonRoot;
        },
        expect: ["runAsNonRoot"],
    },
    {
        check: "runAsNonRoot",
        title: "unset in a user namespace from v1.35",
        level: R,
        version: "v1.35",
        change: (pod) => {
            pod.spec.hostUsers = false;
            delete podSc(pod).runAsNonRoot;
        },
        expect: [],
    },
    {
        check: "runAsNonRoot",
        title: "not relaxed for Windows pods",
        level: R,
        version: "latest",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete podSc(pod).runAsNonRoot;
        },
        expect: ["runAsNonRoot"],
    },

    // runAsUser
    {
        check: "runAsUser",
        title: "non-zero users",
        level: R,
        version: "v1.23",
        change: (pod) => {
            podSc(pod).runAsUser = 1000;
            sc(pod, "app").runAsUser = 65532;
        },
        expect: [],
    },
    {
        check: "runAsUser",
        title: "root before v1.23",
        level: R,
        version: "v1.22",
        change: (pod) => (podSc(pod).runAsUser = 0),
        expect: [],
    },
    {
        check: "runAsUser",
        title: "root on the pod from v1.23 (a container's non-zero user does not excuse it)",
        level: R,
        version: "v1.23",
        change: (pod) => {
            podSc(pod).runAsUser = 0;
            sc(pod, "init").runAsUser = 1000;
            sc(pod, "app").runAsUser = 1000;
        },
        expect: ["runAsUser"],
        message: "pod must not set runAsUser=0",
    },
    {
        check: "runAsUser",
        title: "root on a container overriding the pod's user",
        level: R,
        version: "latest",
        change: (pod) => {
            podSc(pod).runAsUser = 1000;
            sc(pod, "init").runAsUser = 0;
        },
        expect: ["runAsUser"],
        message: 'container "init" must not set runAsUser=0',
    },
    {
        check: "runAsUser",
        title: "root in a user namespace at v1.34",
        level: R,
        version: "v1.34",
        change: (pod) => {
            pod.spec.hostUsers = false;
            podSc(pod).runAsUser = 0;
        },
        expect: ["runAsUser"],
    },
    {
        check: "runAsUser",
        title: "root in a user namespace from v1.35",
        level: R,
        version: "v1.35",
        change: (pod) => {
            pod.spec.hostUsers = false;
            podSc(pod).runAsUser = 0;
        },
        expect: [],
    },

    // seccompProfile_restricted
    {
        check: "seccompProfile_restricted",
        title: "unset on the pod, Localhost and RuntimeDefault on every container",
        level: R,
        version: "v1.19",
        change: (pod) => {
            delete podSc(pod).seccompProfile;
            sc(pod, "init").seccompProfile = { type: "RuntimeDefault" };
            sc(pod, "app").seccompProfile = { type: "Localhost", localhostProfile: "p.json" };
        },
        expect: [],
    },
    {
        check: "seccompProfile_restricted",
        title: "unset everywhere before v1.19",
        level: R,
        version: "v1.18",
        change: (pod) => delete podSc(pod).seccompProfile,
        expect: [],
    },
    {
        check: "seccompProfile_restricted",
        title: "unset on the pod and one container from v1.19",
        level: R,
        version: "v1.19",
        change: (pod) => {
            delete podSc(pod).seccompProfile;
            sc(pod, "app").seccompProfile = { type: "RuntimeDefault" };
        },
        expect: ["seccompProfile_restricted"],
        message: 'pod or container "init" must set securityContext.seccompProfile.type',
    },
    {
        check: "seccompProfile_restricted",
        title: "a container's Unconfined wins over the pod's RuntimeDefault",
        level: R,
        version: "latest",
        change: (pod) => (sc(pod, "app").seccompProfile = { type: "Unconfined" }),
        expect: ["seccompProfile_restricted"],
        message: 'container "app" must not set securityContext.seccompProfile.type to "Unconfined"',
    },
    {
        check: "seccompProfile_restricted",
        title: "a Windows pod without a profile at v1.24",
        level: R,
        version: "v1.24",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete podSc(pod).seccompProfile;
        },
        expect: ["seccompProfile_restricted"],
    },
    {
        check: "seccompProfile_restricted",
        title: "a Windows pod without a profile from v1.25",
        level: R,
        version: "v1.25",
        change: (pod) => {
            pod.spec.os = { name: "windows" };
            delete podSc(pod).seccompProfile;
        },
        expect: [],
    },
    {
        check: "seccompProfile_restricted",
        title: "a Linux pod without a profile from v1.25",
        level: R,
        version: "v1.25",
        change: (pod) => {
            pod.spec.os = { name: "linux" };
            delete podSc(pod).seccompProfile;
        },
        expect: ["seccompProfile_restricted"],
    },
];

function sysctlBoundary(name: string, since: number): Case[] {
    const change = (pod: Manifest) => (podSc(pod).sysctls = [{ name, value: "1" }]);
    return [
        {
            check: "sysctls",
            title: `${name} before v1.${since}`,
            level: B,
            version: `v1.${since - 1}`,
            change,
            expect: ["sysctls"],
        },
        { check: "sysctls", title: `${name} from v1.${since}`, level: B, version: `v1.${since}`, change, expect: [] },
    ];
}

describe("Pod Security checks", () => {
    for (const c of CASES) {
        const verdict = c.expect.length === 0 ? "allows" : `rejects (${c.expect.join(", ")})`;
        it(`${c.check} at ${c.level} ${c.version} ${verdict}: ${c.title}`, () => {
            const pod = c.level === R ? restrictedPod() : baselinePod();
            c.change(pod);
            const result = evaluatePodSecurity(pod, c.level, c.version);
            assert.deepEqual(checks(result), c.expect, JSON.stringify(result.violations));
            assert.equal(result.allowed, c.expect.length === 0);
            if (c.message) assert.ok(result.violations[0].message.includes(c.message), result.violations[0].message);
        });
    }

    it("has an allowed and a rejected case for every check id", () => {
        for (const id of ALL_CHECK_IDS) {
            const mine = CASES.filter((c) => c.check === id);
            assert.ok(
                mine.some((c) => c.expect.length === 0),
                `no allowed case for ${id}`,
            );
            assert.ok(
                mine.some((c) => c.expect.includes(id)),
                `no rejected case for ${id}`,
            );
        }
    });

    it("the minimal pods are allowed at every version", () => {
        for (let minor = 0; minor <= 40; minor++) {
            for (const level of [B, R]) {
                const result = evaluatePodSecurity(level === R ? restrictedPod() : baselinePod(), level, `v1.${minor}`);
                assert.deepEqual(result.violations, [], `${level} v1.${minor}`);
            }
        }
    });

    it("a baseline pod fails restricted with every restricted requirement it misses, by version", () => {
        const at = (version: string) => checks(evaluatePodSecurity(baselinePod(), R, version));
        assert.deepEqual(at("v1.0"), ["runAsNonRoot"]);
        assert.deepEqual(at("v1.8"), ["allowPrivilegeEscalation", "runAsNonRoot"]);
        assert.deepEqual(at("v1.19"), ["allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted"]);
        assert.deepEqual(at("v1.22"), [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted",
        ]);
        // Windows pods keep only runAsNonRoot from v1.25.
        const windowsPod = baselinePod();
        windowsPod.spec.os = { name: "windows" };
        assert.deepEqual(checks(evaluatePodSecurity(windowsPod, R, "v1.25")), ["runAsNonRoot"]);
        assert.deepEqual(checks(evaluatePodSecurity(windowsPod, R, "v1.24")), at("v1.24"));
    });

    it("reports baseline checks before restricted ones, with the level each belongs to", () => {
        const pod = baselinePod();
        pod.spec.hostNetwork = true;
        sc(pod, "app").privileged = true;
        const result = evaluatePodSecurity(pod, R, "latest");
        assert.deepEqual(
            result.violations.map((v) => [v.check, v.level]),
            [
                ["hostNamespaces", B],
                ["privileged", B],
                ["allowPrivilegeEscalation", R],
                ["capabilities_restricted", R],
                ["runAsNonRoot", R],
                ["seccompProfile_restricted", R],
            ],
        );
    });

    it("names every offending container, init, regular and ephemeral, in that order", () => {
        const pod = baselinePod();
        ephemeral(pod, { privileged: true });
        sc(pod, "init").privileged = true;
        sc(pod, "app").privileged = true;
        const [violation] = evaluatePodSecurity(pod, B, "latest").violations;
        assert.equal(
            violation.message,
            'privileged (containers "init", "app", "debug" must not set securityContext.privileged=true)',
        );
    });
});
