/**
 * Finding the pod inside a manifest, and a read-once view of it for the checks.
 *
 * Manifests are untyped JSON (parsed YAML or a resource's inputs), so every field is read defensively:
 * a missing or null field counts as unset, which is how the API server's typed decoding treats it.
 */
import { POD_CONTROLLERS } from "../../../components/baseline/workloads";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** The metadata and spec of a pod, or of a controller's pod template. */
export interface PodTemplate {
    readonly metadata: Json | undefined;
    readonly spec: Json;
}

/** One container of any kind (init, regular, ephemeral), with what the checks read from it. */
export interface ContainerView {
    readonly name: string;
    /** `securityContext`, when it is set. */
    readonly securityContext: Json | undefined;
    readonly raw: Json;
}

/** A pod as the checks see it: resolved once per evaluation. */
export interface PodView {
    readonly metadata: Json | undefined;
    /** `metadata.annotations`, when set. */
    readonly annotations: Json | undefined;
    readonly spec: Json;
    /** `spec.securityContext`, when set. */
    readonly podSecurityContext: Json | undefined;
    /** Init containers, then containers, then ephemeral containers: the order upstream reports them in. */
    readonly containers: readonly ContainerView[];
    /** `spec.os.name` is `windows`. */
    readonly windows: boolean;
    /** `spec.hostUsers` is explicitly false: the pod runs in its own user namespace. */
    readonly userNamespace: boolean;
}

/**
 * Kinds besides the pod controllers that carry a pod template. The Pod Security admission plugin also
 * evaluates PodTemplate objects; they are not a controller, so they live here rather than in
 * POD_CONTROLLERS.
 */
const TEMPLATE_KINDS: Readonly<Record<string, readonly string[]>> = {
    ...POD_CONTROLLERS,
    PodTemplate: ["template"],
};

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** `value` when it is a (non-array) object. */
export function asObject(value: unknown): Json | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** `value` when it is an array, otherwise an empty list. */
export function asList(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : NO_ITEMS;
}

function at(root: unknown, path: readonly string[]): unknown {
    let node = root;
    for (const key of path) {
        const object = asObject(node);
        if (!object) return undefined;
        node = object[key];
    }
    return node;
}

/**
 * The pod (metadata and spec) a manifest runs: the Pod itself, or the template of a pod controller or
 * PodTemplate. Undefined for any other kind, or when the spec is missing. A manifest without a `kind` is
 * taken as a Pod when its spec lists containers.
 */
export function podTemplateOf(manifest: unknown): PodTemplate | undefined {
    const object = asObject(manifest);
    if (!object) return undefined;
    const kind = object.kind;
    let template: Json | undefined;
    if (kind === "Pod" || (kind === undefined && Array.isArray(asObject(object.spec)?.containers))) {
        template = object;
    } else if (typeof kind === "string" && Object.hasOwn(TEMPLATE_KINDS, kind)) {
        template = asObject(at(object, TEMPLATE_KINDS[kind]));
    }
    const spec = asObject(template?.spec);
    if (!template || !spec) return undefined;
    return { metadata: asObject(template.metadata), spec };
}

function addContainers(into: ContainerView[], list: unknown): void {
    for (const item of asList(list)) {
        const raw = asObject(item);
        if (!raw) continue;
        into.push({
            name: typeof raw.name === "string" ? raw.name : String(raw.name ?? ""),
            securityContext: asObject(raw.securityContext),
            raw,
        });
    }
}

/** The view the checks read. */
export function viewOf(template: PodTemplate): PodView {
    const { metadata, spec } = template;
    const containers: ContainerView[] = [];
    addContainers(containers, spec.initContainers);
    addContainers(containers, spec.containers);
    addContainers(containers, spec.ephemeralContainers);
    return {
        metadata,
        annotations: asObject(metadata?.annotations),
        spec,
        podSecurityContext: asObject(spec.securityContext),
        containers,
        windows: asObject(spec.os)?.name === "windows",
        userNamespace: spec.hostUsers === false,
    };
}
