/**
 * The Kyverno Helm chart: which release is installed and the values it is installed with.
 *
 * Value keys are those of the chart's values.yaml at the pinned release (kyverno/kyverno, charts/kyverno,
 * chart 3.9.0 = Kyverno v1.19.0, the release whose CRD schemas the package's policies are validated against).
 */
import {
    ADMISSION_EXCLUDED_NAMESPACES,
    EnvironmentProfile,
    PLATFORM_NAMESPACES,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
    SYSTEM_NAMESPACES,
} from "../../baseline";
import { namespacesExcept } from "./manifests";

/** The chart repository and chart name. */
export const KYVERNO_CHART_REPOSITORY = "https://kyverno.github.io/kyverno/";
export const KYVERNO_CHART = "kyverno";

/** The chart release installed by default. */
export const KYVERNO_CHART_VERSION = "3.9.0";

/**
 * The Kyverno release each known chart release ships (its `appVersion`), which is also the tag of every
 * image the chart runs. A chart is installed only with its images pinned to that tag, so a chart version
 * must be listed here, after checking its appVersion and that its CRDs still accept the policies.
 */
export const KYVERNO_CHART_APP_VERSIONS: Readonly<Record<string, string>> = {
    "3.9.0": "v1.19.0",
};

/** The Helm release name: Kyverno's webhooks, services and resource filters are named after it. */
export const KYVERNO_RELEASE_NAME = "kyverno";

/** A Helm values document. */
export interface HelmValues {
    [key: string]: HelmValue;
}
export type HelmValue = string | number | boolean | HelmValue[] | HelmValues;

/** The validated input the values are built from. */
export interface KyvernoValuesInput {
    readonly profile: EnvironmentProfile;
    /** The namespace Kyverno runs in. */
    readonly namespace: string;
    /** The namespace Kyverno accepts PolicyExceptions in. */
    readonly policyExceptionNamespace: string;
    /** The Kyverno release (image tag) the chart runs. */
    readonly appVersion: string;
}

/** A deep copy of plain data, as Helm values. */
function toValues(data: object): HelmValues {
    return structuredClone(data) as HelmValues;
}

/** Requests and limits of one container. */
function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): HelmValues {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * Every container gets CPU and memory requests and limits, as the baseline requires of any workload. The
 * memory figures are the chart's defaults; the CPU limits are generous, since a throttled admission
 * controller slows every API write and, failing closed, can refuse them.
 */
const RESOURCES = {
    admission: () => resources("100m", "128Mi", "1", "384Mi"),
    controller: () => resources("100m", "64Mi", "500m", "128Mi"),
    oneShot: () => resources("10m", "64Mi", "100m", "256Mi"),
} as const;

/** The restricted container securityContext of the baseline, as a fresh object. */
function restrictedContainer(): HelmValues {
    return toValues(RESTRICTED_CONTAINER_SECURITY_CONTEXT);
}

/** The restricted pod securityContext of the baseline, as a fresh object. */
function restrictedPod(): HelmValues {
    return toValues(RESTRICTED_POD_SECURITY_CONTEXT);
}

/**
 * An image pinned to its registry, repository and tag. The chart's own defaults would resolve most tags to
 * its appVersion, but its test image to `latest`; pinning all of them here keeps every image, and its
 * registry, visible and reviewable in one place.
 */
function image(registry: string, repository: string, tag: string): HelmValues {
    return { registry, repository, tag };
}

/** A PodDisruptionBudget that lets one pod at a time be evicted, or none when the profile wants none. */
function disruptionBudget(profile: EnvironmentProfile, replicas: number): HelmValues {
    if (!profile.podDisruptionBudget) return { enabled: false };
    return {
        enabled: true,
        minAvailable: Math.max(1, replicas - 1),
        // A crash-looping pod must not block a node drain: it is not serving anyway.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
    };
}

/**
 * Replicas of the leader-elected controllers (background, cleanup, reports): only the leader works, the
 * others stand by, so two give availability and more add nothing.
 */
function standbyReplicas(profile: EnvironmentProfile): number {
    return Math.min(profile.addonReplicas, 2);
}

/**
 * A controller's own NetworkPolicy, off. The chart's allows ingress from every source (`- {}`) unless
 * `ingressFrom` is set; NetworkPolicies only add, so it would widen the namespace's default-deny, and
 * SecureNamespace already lets the control plane reach the webhook. Stated rather than left to the default.
 */
function noChartNetworkPolicy(): HelmValues {
    return { enabled: false };
}

/**
 * The namespaces Kyverno leaves alone: the baseline's ADMISSION_EXCLUDED_NAMESPACES (kube-system and the
 * add-ons'), with Kyverno's own where it is installed. kube-public and kube-node-lease are judged.
 */
export function kyvernoExcludedNamespaces(namespace: string): string[] {
    return [
        ...new Set(ADMISSION_EXCLUDED_NAMESPACES.map((ns) => (ns === PLATFORM_NAMESPACES.kyverno ? namespace : ns))),
    ];
}

/** The resourceFilters entry of the chart's defaults that makes Kyverno skip every object of `namespace`. */
function namespaceFilter(namespace: string): string {
    return `[*/*,${namespace},*]`;
}

/**
 * The Kyverno kinds whose PolicyExceptions end by the `cleanup.kyverno.io/ttl` label: the cleanup controller
 * deletes a labelled object only if it may list, watch and delete its kind, which the chart grants for none
 * of these.
 */
const EXCEPTION_CLEANUP_RULES: HelmValues[] = [
    { apiGroups: ["kyverno.io"], resources: ["policyexceptions"], verbs: ["delete", "list", "watch"] },
    { apiGroups: ["policies.kyverno.io"], resources: ["policyexceptions"], verbs: ["delete", "list", "watch"] },
];

/** The chart values for `input`. Pure: tested as data. */
export function kyvernoValues(input: KyvernoValuesInput): HelmValues {
    const { profile, namespace, appVersion } = input;
    const admissionReplicas = profile.addonReplicas;
    const standby = standbyReplicas(profile);
    const excluded = kyvernoExcludedNamespaces(namespace);
    const kyvernoImage = (repository: string) => image("reg.kyverno.io", repository, appVersion);
    // The readiness checker is published to ghcr.io with the same release tags.
    const readinessChecker = () => image("ghcr.io", "kyverno/readiness-checker", appVersion);
    const controller = (repository: string, replicas: number): HelmValues => ({
        replicas,
        image: kyvernoImage(repository),
        podSecurityContext: restrictedPod(),
        securityContext: restrictedContainer(),
        resources: RESOURCES.controller(),
        podDisruptionBudget: disruptionBudget(profile, replicas),
        networkPolicy: noChartNetworkPolicy(),
    });
    return {
        // The chart aggregates write access to Kyverno's policies and exceptions into the built-in `admin`
        // role: whoever is namespace admin could then waive the baseline in their namespace. Reading them
        // (aggregated into `view`) is harmless.
        rbac: { roles: { aggregate: { admin: false, view: true } } },
        config: {
            // Requests from these namespaces never reach Kyverno's webhooks: the cluster and the platform add-ons
            // can start, and Kyverno can restart, while Kyverno is unavailable and the webhooks fail closed.
            // The chart adds Kyverno's own namespace to this selector (excludeKyvernoNamespace).
            webhooks: { namespaceSelector: toValues(namespacesExcept(excluded)) },
            excludeKyvernoNamespace: true,
            // The chart's resourceFilters skip kube-system, kube-public, kube-node-lease and Kyverno's namespace:
            // the cluster namespaces the baseline judges (kube-public, kube-node-lease) are taken out of them,
            // and the other platform namespaces added, so the engine skips exactly what the webhooks skip.
            resourceFiltersExclude: SYSTEM_NAMESPACES.filter((ns) => !excluded.includes(ns)).map(namespaceFilter),
            resourceFiltersIncludeNamespaces: excluded.filter(
                (ns) => !SYSTEM_NAMESPACES.includes(ns) && ns !== namespace,
            ),
        },
        features: {
            // When on, Kyverno registers every webhook with failurePolicy Ignore and admits requests unchecked
            // whenever it cannot answer. The policies ask for Fail; pinning this off keeps their word, whatever a
            // later chart defaults to.
            forceFailurePolicyIgnore: { enabled: false },
            // Exceptions are accepted only in one namespace, which only platform administrators can write to:
            // a team cannot waive a policy for itself by creating an exception in its own namespace.
            policyExceptions: { enabled: true, namespace: input.policyExceptionNamespace },
        },
        admissionController: {
            replicas: admissionReplicas,
            podSecurityContext: restrictedPod(),
            podDisruptionBudget: disruptionBudget(profile, admissionReplicas),
            networkPolicy: noChartNetworkPolicy(),
            initContainer: {
                image: kyvernoImage("kyverno/kyvernopre"),
                securityContext: restrictedContainer(),
                resources: RESOURCES.oneShot(),
            },
            container: {
                image: kyvernoImage("kyverno/kyverno"),
                securityContext: restrictedContainer(),
                resources: RESOURCES.admission(),
            },
        },
        backgroundController: controller("kyverno/background-controller", standby),
        cleanupController: {
            ...controller("kyverno/cleanup-controller", standby),
            rbac: { clusterRole: { extraResources: EXCEPTION_CLEANUP_RULES } },
        },
        reportsController: controller("kyverno/reports-controller", standby),
        crds: {
            migration: {
                image: kyvernoImage("kyverno/kyverno-cli"),
                podSecurityContext: restrictedPod(),
                securityContext: restrictedContainer(),
                podResources: RESOURCES.oneShot(),
            },
        },
        webhooksCleanup: {
            image: readinessChecker(),
            podSecurityContext: restrictedPod(),
            securityContext: restrictedContainer(),
            resources: RESOURCES.oneShot(),
        },
        test: {
            image: readinessChecker(),
            securityContext: restrictedContainer(),
            resources: RESOURCES.oneShot(),
        },
    };
}
