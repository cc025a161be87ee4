/**
 * What a workload must look like: the restricted securityContext, capabilities and approved registries.
 * SecureNamespace, the Kyverno policies and the CrossGuard pack all read these.
 */

/** The only capability a restricted container may add (Pod Security Standards, restricted, v1.22+). */
export const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

/** Capabilities a container must drop: everything. */
export const REQUIRED_DROPPED_CAPABILITIES: readonly string[] = ["ALL"];

/**
 * Capabilities the Pod Security baseline level allows a container to add (the Docker defaults).
 * Anything else added fails baseline; anything but NET_BIND_SERVICE fails restricted.
 */
export const BASELINE_ALLOWED_CAPABILITIES: readonly string[] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/** The UID/GID the product's own workloads run as when an image sets none (the distroless `nonroot` user). */
export const NON_ROOT_UID = 65532;

/** Pod-level securityContext every workload runs with. */
export const RESTRICTED_POD_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * Container-level securityContext every container runs with: the restricted Pod Security level plus a
 * read-only root filesystem, which Pod Security does not require but the baseline does.
 */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: [...REQUIRED_DROPPED_CAPABILITIES] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * Registries the platform's own add-ons pull from. Application registries are configured per environment
 * and added to these; an image from anywhere else is rejected.
 */
export const PLATFORM_REGISTRIES: readonly string[] = [
    "ghcr.io/external-secrets/",
    "oci.external-secrets.io/",
    "reg.kyverno.io/",
    "ghcr.io/kyverno/",
    "quay.io/jetstack/",
    "registry.k8s.io/",
];

/** Tags that move and so say nothing about what runs. */
export const MUTABLE_TAGS: readonly string[] = ["latest"];

/** The kinds whose pod template Kyverno's autogen and the pack check, with the path to the template. */
export const POD_CONTROLLERS: Readonly<Record<string, readonly string[]>> = {
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    ReplicationController: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/**
 * Custom resources that carry a full pod template, by `<apiVersion>:<kind>`, with the path to it: their
 * operators create pods from it, so the pack judges it as it judges a Deployment's (Pod Security, images,
 * tokens, resources). Admission does not: the Kyverno policies match the pods these operators create.
 */
export const CUSTOM_POD_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
    // Argo Rollouts
    "argoproj.io/v1alpha1:Rollout": ["spec", "template"],
    // Knative Serving: the revision template of a Service or a Configuration
    "serving.knative.dev/v1:Service": ["spec", "template"],
    "serving.knative.dev/v1:Configuration": ["spec", "template"],
    // KEDA: the Job a ScaledJob starts
    "keda.sh/v1alpha1:ScaledJob": ["spec", "jobTargetRef", "template"],
    // OpenKruise
    "apps.kruise.io/v1alpha1:CloneSet": ["spec", "template"],
    "apps.kruise.io/v1beta1:StatefulSet": ["spec", "template"],
};

/** Kinds that run until stopped, and so must declare liveness and readiness probes. */
export const LONG_RUNNING_KINDS: readonly string[] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
];

/** True when `image` comes from one of `registries` (each a prefix ending in `/`). */
export function imageFromRegistry(image: string, registries: readonly string[]): boolean {
    return registries.some((registry) => image.startsWith(registry));
}

/** True when `image` is pinned by digest (`name@sha256:<64 hex>`). */
export function imageHasDigest(image: string): boolean {
    return /@sha256:[a-f0-9]{64}$/.test(image);
}
