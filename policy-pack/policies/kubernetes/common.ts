/** Small readers the Kubernetes platform policies share. Pure; nothing runs at module load but constants. */
import { containsUnknown, isUnknown, UNKNOWN } from "../resource";
import { PolicyResource } from "../types";

/** The labels of a resource: `{}` when it has none, UNKNOWN when its metadata or labels are not known yet. */
export function labelsOf(resource: PolicyResource): Record<string, unknown> | typeof UNKNOWN {
    const metadata = resource.props?.metadata;
    if (isUnknown(metadata)) return UNKNOWN;
    const labels = metadata?.labels;
    if (isUnknown(labels)) return UNKNOWN;
    return labels !== null && typeof labels === "object" ? labels : {};
}

/** The annotations of a resource, as labelsOf reads labels. */
export function annotationsOf(resource: PolicyResource): Record<string, unknown> | typeof UNKNOWN {
    const metadata = resource.props?.metadata;
    if (isUnknown(metadata)) return UNKNOWN;
    const annotations = metadata?.annotations;
    if (isUnknown(annotations)) return UNKNOWN;
    return annotations !== null && typeof annotations === "object" ? annotations : {};
}

/** `metadata.name` when it is a known string. */
export function objectNameOf(resource: PolicyResource): string | undefined {
    const name = resource.props?.metadata?.name;
    return typeof name === "string" ? name : undefined;
}

/**
 * A list of strings as an RBAC rule or a spec spells it: `[]` when absent, undefined when the list or one of
 * its elements is unknown (the caller reports it). Non-string elements are dropped: the API server would
 * refuse the object anyway.
 */
export function stringsOf(value: unknown): string[] | undefined {
    if (value === undefined || value === null) return [];
    if (containsUnknown(value)) return undefined;
    if (!Array.isArray(value)) return [];
    return value.filter((item): item is string => typeof item === "string");
}

/** `JSON.stringify` for messages, with UNKNOWN spelled out. */
export function show(value: unknown): string {
    return isUnknown(value) ? "(unknown)" : JSON.stringify(value);
}
