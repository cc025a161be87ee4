/** Small helpers every policy uses to read a resource. Pure; no Pulumi SDK. */
import { Environment, isEnvironment } from "../../components/baseline";
import { PolicyResource, PolicySettings } from "./types";

/**
 * Marks an input a preview does not know yet. The pack replaces the engine's unknown sentinels with it; the
 * check command never sees one.
 */
export const UNKNOWN: unique symbol = Symbol.for("k8s-baseline.unknown");

export function isUnknown(value: unknown): value is typeof UNKNOWN {
    return value === UNKNOWN;
}

/** True when any value inside `value` is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** `kubernetes:apps/v1:Deployment` → `{ apiVersion: "apps/v1", kind: "Deployment" }`; undefined for other packages. */
export function kubernetesKindOf(type: string): { apiVersion: string; kind: string } | undefined {
    if (!type.startsWith("kubernetes:")) return undefined;
    const [, groupVersion, kind] = type.split(":");
    if (groupVersion === undefined || kind === undefined) return undefined;
    return { apiVersion: groupVersion.startsWith("core/") ? groupVersion.slice(5) : groupVersion, kind };
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
