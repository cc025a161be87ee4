/** Small helpers every policy uses to read a resource. Pure; no Pulumi SDK. */
import { ClusterTopology, dedicatedTopology, Environment, isEnvironment } from "../../components/baseline";
import { PolicyResource, PolicySettings } from "./types";

/**
 * Marks an input a preview does not know yet. The pack replaces the engine's unknown sentinels with it; the
 * check command never sees one.
 */
export const UNKNOWN: unique symbol = Symbol.for("k8s-baseline.unknown");

export function isUnknown(value: unknown): value is typeof UNKNOWN {
    return value === UNKNOWN;
}

/** Pulumi's wire form of a secret value: `{ [SIG_KEY]: SECRET_SIG, value }` (runtime/rpc specialSigKey/specialSecretSig). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * The value inside Pulumi's secret wrapper, or the value itself. The SDK unwraps secrets before policies run,
 * but a resource read from a file may carry the wrapper, and must not hide a value behind it.
 */
export function unwrapSecret(value: unknown): unknown {
    while (value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
        value = (value as Record<string, unknown>).value;
    }
    return value;
}

/** True when any value inside `value` is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) {
        for (const item of value) if (containsUnknown(item)) return true;
    } else if (value !== null && typeof value === "object") {
        for (const key in value) {
            if (Object.hasOwn(value, key) && containsUnknown((value as Record<string, unknown>)[key])) return true;
        }
    }
    return false;
}

/** The apiVersion and kind a Kubernetes type token names. */
export interface KubernetesKind {
    readonly apiVersion: string;
    readonly kind: string;
}

/**
 * kubernetesKindOf's answers by type token: a run meets few distinct types and asks for each of them many
 * times (every policy describing a resource does). Only Kubernetes tokens are kept, so the map is bounded by
 * the kinds in the input.
 */
const KINDS_BY_TYPE = new Map<string, KubernetesKind>();

/** `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }`; undefined for other packages. */
export function kubernetesKindOf(type: string): KubernetesKind | undefined {
    const known = KINDS_BY_TYPE.get(type);
    if (known !== undefined) return known;
    if (!type.startsWith("kubernetes:")) return undefined;
    const [, groupVersion, kind] = type.split(":");
    if (groupVersion === undefined || kind === undefined) return undefined;
    const found: KubernetesKind = Object.freeze({
        apiVersion: groupVersion.startsWith("core/") ? groupVersion.slice(5) : groupVersion,
        kind,
    });
    KINDS_BY_TYPE.set(type, found);
    return found;
}

/** The Pulumi type token of a Kubernetes kind: the inverse of kubernetesKindOf. */
export function kubernetesTypeOf(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** A Kubernetes resource's manifest: its inputs with apiVersion and kind. */
export function manifestOf(resource: PolicyResource): Record<string, any> {
    const kind = kubernetesKindOf(resource.type);
    return kind ? { ...kind, ...resource.props } : resource.props;
}

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::...`. */
export function stackOfUrn(urn: string | undefined): string | undefined {
    return urn?.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[0] : undefined;
}

/**
 * The environment a resource is judged as: the pack config's `env` (or `check --env`); else its stack, when
 * the stack is named after an env (the platform's stacks are). Undefined when neither says: policies then
 * judge by the strictest profile, prod. A resource's own labels, or its namespace's name, never decide it:
 * whoever writes the object chooses those, and an `env: dev` label must not lower the level it is judged at.
 */
export function envOf(resource: PolicyResource, settings: PolicySettings): Environment | undefined {
    if (settings.env) return settings.env;
    const stack = stackOfUrn(resource.urn);
    return isEnvironment(stack) ? stack : undefined;
}

/**
 * The cluster layout `env` is judged in: the config's topology, else a cluster of the env's own. The config's
 * topology is taken as written, even one that does not list `env` (cross-env-topology reports that).
 */
export function topologyOf(settings: PolicySettings, env: Environment): ClusterTopology {
    return settings.topology ?? dedicatedTopology(env);
}

/** The namespace of a namespaced Kubernetes resource (`default` when unset, as the API server defaults it). */
export function namespaceOf(resource: PolicyResource): string | undefined {
    const metadata = resource.props?.metadata;
    if (metadata === undefined || isUnknown(metadata)) return undefined;
    return typeof metadata.namespace === "string" ? metadata.namespace : "default";
}

/** A short human name for messages: `Deployment payments/api`. */
export function describeResource(resource: PolicyResource): string {
    const kind = kubernetesKindOf(resource.type)?.kind ?? resource.type;
    const metadata = resource.props?.metadata;
    const name = typeof metadata?.name === "string" ? metadata.name : resource.name;
    const ns = typeof metadata?.namespace === "string" ? `${metadata.namespace}/` : "";
    return `${kind} ${ns}${name}`;
}

/** An older API version of a kind: the current type token policies judge it as, and the minor it left in. */
export interface OlderApiVersion {
    /** The type token the policies match: the kind's current group/version. */
    readonly current: string;
    /** The Kubernetes minor version that stopped serving it (`v1.<removedIn>`). */
    readonly removedIn: number;
    /** Whether the objects of this type are judged at all (PodSecurityPolicy is gone, not replaced). */
    readonly judged: boolean;
}

/** [apiVersions, kinds, current apiVersion, removed in v1.N]; undefined current: no successor, not judged. */
const OLDER_API_VERSIONS: readonly [readonly string[], readonly string[], string | undefined, number][] = [
    [["extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"], ["Deployment", "DaemonSet", "ReplicaSet"], "apps/v1", 16],
    [["apps/v1beta1", "apps/v1beta2"], ["StatefulSet", "ControllerRevision"], "apps/v1", 16],
    [["batch/v1beta1"], ["CronJob"], "batch/v1", 25],
    [["batch/v2alpha1"], ["CronJob"], "batch/v1", 21],
    [
        ["rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1"],
        ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
        "rbac.authorization.k8s.io/v1",
        22,
    ],
    [["extensions/v1beta1"], ["NetworkPolicy"], "networking.k8s.io/v1", 16],
    [["extensions/v1beta1", "networking.k8s.io/v1beta1"], ["Ingress"], "networking.k8s.io/v1", 22],
    [["networking.k8s.io/v1beta1"], ["IngressClass"], "networking.k8s.io/v1", 22],
    [
        ["admissionregistration.k8s.io/v1beta1"],
        ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
        "admissionregistration.k8s.io/v1",
        22,
    ],
    [["policy/v1beta1"], ["PodDisruptionBudget"], "policy/v1", 25],
    [["policy/v1beta1", "extensions/v1beta1"], ["PodSecurityPolicy"], undefined, 25],
];

/** By older type token (`kubernetes:extensions/v1beta1:Deployment`); built once at load. */
export const OLDER_API_TYPES: ReadonlyMap<string, OlderApiVersion> = new Map(
    OLDER_API_VERSIONS.flatMap(([apiVersions, kinds, current, removedIn]) =>
        apiVersions.flatMap((apiVersion) =>
            kinds.map((kind): [string, OlderApiVersion] => {
                const type = kubernetesTypeOf(apiVersion, kind);
                return [
                    type,
                    {
                        current: current ? kubernetesTypeOf(current, kind) : type,
                        removedIn,
                        judged: current !== undefined,
                    },
                ];
            }),
        ),
    ),
);

/** The type token policies judge a resource of `type` as: the kind's current one for an older API version. */
export function currentTypeOf(type: string): string {
    return OLDER_API_TYPES.get(type)?.current ?? type;
}

/** A v1beta1 Ingress backend `{serviceName, servicePort}` as v1 spells it `{service: {name, port}}`. */
function ingressBackendV1(backend: unknown): unknown {
    if (backend === null || typeof backend !== "object" || isUnknown(backend)) return backend;
    const { serviceName, servicePort, ...rest } = backend as Record<string, unknown>;
    if (serviceName === undefined && servicePort === undefined) return backend;
    const port =
        servicePort === undefined
            ? undefined
            : typeof servicePort === "string" && !/^[0-9]+$/.test(servicePort)
              ? { name: servicePort }
              : isUnknown(servicePort)
                ? servicePort
                : { number: typeof servicePort === "string" ? Number(servicePort) : servicePort };
    return { ...rest, service: { name: serviceName, ...(port === undefined ? {} : { port }) } };
}

/** A v1beta1 Ingress spec as networking.k8s.io/v1 spells it: `backend` is `defaultBackend`, backends `service`. */
function ingressSpecV1(spec: unknown): unknown {
    if (spec === null || typeof spec !== "object" || isUnknown(spec)) return spec;
    const { backend, rules, ...rest } = spec as Record<string, any>;
    const out: Record<string, unknown> = { ...rest };
    if (backend !== undefined && out.defaultBackend === undefined) out.defaultBackend = ingressBackendV1(backend);
    if (Array.isArray(rules)) {
        out.rules = rules.map((rule) => {
            const paths = rule?.http?.paths;
            if (!Array.isArray(paths)) return rule;
            return {
                ...rule,
                http: {
                    ...rule.http,
                    paths: paths.map((p) =>
                        p !== null && typeof p === "object" ? { ...p, backend: ingressBackendV1(p.backend) } : p,
                    ),
                },
            };
        });
    } else if (rules !== undefined) {
        out.rules = rules;
    }
    return out;
}

/**
 * `resource` as the policies judge it: an object of an older API version as its kind's current type (and,
 * for an Ingress, its fields as v1 spells them), so a policy that matches the kind judges every version the
 * same way. Returns `resource` itself when nothing changes; no copy for the common case.
 */
export function normalizedResource(resource: PolicyResource): PolicyResource {
    const older = OLDER_API_TYPES.get(resource.type);
    if (older === undefined || !older.judged) return resource;
    const props: Record<string, any> = { ...resource.props };
    // The pack's inputs carry apiVersion too (the check command's do not): it follows the type.
    if (typeof props.apiVersion === "string") props.apiVersion = kubernetesKindOf(older.current)!.apiVersion;
    if (props.spec !== undefined && resource.type.endsWith(":Ingress")) props.spec = ingressSpecV1(props.spec);
    return { ...resource, type: older.current, props };
}

/**
 * Kinds the API server keeps cluster-scoped (no namespace), of Kubernetes and of the add-ons the baseline
 * installs or judges; any other kind is read as namespaced. An object's `metadata.namespace` means nothing
 * for these.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "APIService",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "GatewayClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "ClusterTrustBundle",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "PodSecurityPolicy",
    "IPAddress",
    "ServiceCIDR",
    "DeviceClass",
    "ClusterIssuer",
    "CertificateRequestPolicy",
    "ClusterSecretStore",
    "ClusterExternalSecret",
    "ClusterGenerator",
    "ClusterPushSecret",
    "ClusterPolicy",
    "ClusterCleanupPolicy",
    "ClusterPolicyReport",
    "ClusterEphemeralReport",
    "ValidatingPolicy",
    "ImageValidatingPolicy",
    "MutatingPolicy",
    "GeneratingPolicy",
    "DeletingPolicy",
]);
