/**
 * Finding the pod a resource runs, and reading it field by field with unknowns in mind. The workload and
 * Pod Security policies share these: a Pod is judged as itself, a pod controller by its pod template (at the
 * POD_CONTROLLERS path), and any value a preview does not know yet is reported as unknown, never guessed.
 */
import { CUSTOM_POD_TEMPLATES, POD_CONTROLLERS } from "../../../components/baseline";
import { isPlatformChartResource } from "../platform";
import { describeResource, isUnknown, kubernetesKindOf, kubernetesTypeOf } from "../resource";
import { PolicyResource, PolicySettings, Reporter } from "../types";

/** A JSON object. */
export type Json = Record<string, unknown>;

/**
 * The API group and version of each kind that runs pods. POD_CONTROLLERS says where each keeps its pod
 * template; the group is the Kubernetes API's own fact, listed here once to build the type tokens.
 */
const POD_KIND_API_VERSIONS: Readonly<Record<string, string>> = {
    Pod: "v1",
    Deployment: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    ReplicaSet: "apps/v1",
    ReplicationController: "v1",
    Job: "batch/v1",
    CronJob: "batch/v1",
};

/**
 * `kubernetes:<group>/v1:<Kind>` of every kind that runs pods: Pod and the POD_CONTROLLERS kinds (a test
 * holds POD_KIND_API_VERSIONS to POD_CONTROLLERS).
 */
export const POD_TYPES: readonly string[] = Object.freeze([
    ...["Pod", ...Object.keys(POD_CONTROLLERS)]
        .filter((kind) => Object.hasOwn(POD_KIND_API_VERSIONS, kind))
        .map((kind) => kubernetesTypeOf(POD_KIND_API_VERSIONS[kind], kind)),
    // Custom resources with a pod template (components/baseline CUSTOM_POD_TEMPLATES), by their own type.
    ...Object.keys(CUSTOM_POD_TEMPLATES).map((key) => {
        const at = key.lastIndexOf(":");
        return kubernetesTypeOf(key.slice(0, at), key.slice(at + 1));
    }),
]);

/** A path inside a resource's inputs, as segments (numbers index lists). */
export type Path = readonly (string | number)[];

/** `spec.template.spec.containers[0].image`. */
export function formatPath(path: Path): string {
    let out = "";
    for (const segment of path) {
        if (typeof segment === "number") out += `[${segment}]`;
        else out += out === "" ? segment : `.${segment}`;
    }
    return out;
}

/** `value` when it is a (non-array) object. */
export function asJson(value: unknown): Json | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Set, as the API server's typed decoding sees it: present and not null. */
export function isSet(value: unknown): boolean {
    return value !== undefined && value !== null;
}

/** The value at `path` under `root`, or where an unknown stops the walk. Missing steps read as undefined. */
export function readPath(root: unknown, path: Path): { value: unknown; unknownAt?: Path } {
    let node = root;
    for (let i = 0; i < path.length; i++) {
        if (isUnknown(node)) return { value: node, unknownAt: path.slice(0, i) };
        const segment = path[i];
        if (typeof segment === "number") node = Array.isArray(node) ? node[segment] : undefined;
        else node = asJson(node)?.[segment];
    }
    return isUnknown(node) ? { value: node, unknownAt: path } : { value: node };
}

/** The pod a resource runs: a Pod's own metadata and spec, or a controller's pod template. */
export interface PodSite {
    /** The resource's kind (`Pod`, `Deployment`, ...). */
    readonly kind: string;
    /** Where the pod template is in the resource's inputs (empty for a Pod). */
    readonly templatePath: Path;
    /** The template's metadata (a Pod's own metadata): an object, undefined, or UNKNOWN. */
    readonly metadata: unknown;
    /** The pod spec. */
    readonly spec: Json;
}

/**
 * The pod `resource` runs, or undefined when it runs none: another kind, or a template without a spec (the
 * API server would reject it). When the template or its spec is unknown, reports it and returns undefined.
 */
export function podSiteOf(resource: PolicyResource, report: Reporter): PodSite | undefined {
    const groupKind = kubernetesKindOf(resource.type);
    if (groupKind === undefined) return undefined;
    const { kind, apiVersion } = groupKind;
    const custom = CUSTOM_POD_TEMPLATES[`${apiVersion}:${kind}`];
    let templatePath: Path;
    // A custom resource first: Knative's Service is no core Service, and OpenKruise's StatefulSet no apps one.
    if (custom !== undefined) templatePath = custom;
    else if (kind === "Pod") templatePath = [];
    else if (Object.hasOwn(POD_CONTROLLERS, kind)) templatePath = POD_CONTROLLERS[kind];
    else return undefined;
    const template = readPath(resource.props, templatePath);
    if (template.unknownAt) {
        report.unknown(formatPath(template.unknownAt));
        return undefined;
    }
    const templateObject = asJson(template.value);
    if (!templateObject) return undefined;
    const spec = templateObject.spec;
    if (isUnknown(spec)) {
        report.unknown(formatPath([...templatePath, "spec"]));
        return undefined;
    }
    const specObject = asJson(spec);
    if (!specObject) return undefined;
    return { kind, templatePath, metadata: templateObject.metadata, spec: specObject };
}

/** The container lists of a pod spec, as Kubernetes names them. */
export const ContainerList = {
    InitContainers: "initContainers",
    Containers: "containers",
    EphemeralContainers: "ephemeralContainers",
} as const;
export type ContainerList = (typeof ContainerList)[keyof typeof ContainerList];

/** Every container list, in the order the API server runs (and Pod Security reports) them. */
export const ALL_CONTAINER_LISTS: readonly ContainerList[] = [
    ContainerList.InitContainers,
    ContainerList.Containers,
    ContainerList.EphemeralContainers,
];

const CONTAINER_NOUNS: Readonly<Record<ContainerList, string>> = {
    initContainers: "init container",
    containers: "container",
    ephemeralContainers: "ephemeral container",
};

/** One container of a pod, where it is and how to name it in a message. */
export interface ContainerSite {
    readonly container: Json;
    /** Its path in the resource's inputs. */
    readonly path: Path;
    /** `container "api"`, `init container "migrate"`, `ephemeral container "debug"`. */
    readonly label: string;
}

/**
 * The containers of `lists` in the pod. A list or a container that is unknown is reported and skipped; the
 * others are returned, so one unknown container does not hide what is known about its neighbours.
 */
export function containersOf(site: PodSite, lists: readonly ContainerList[], report: Reporter): ContainerSite[] {
    const out: ContainerSite[] = [];
    for (const list of lists) {
        const items = site.spec[list];
        const listPath: Path = [...site.templatePath, "spec", list];
        if (isUnknown(items)) {
            report.unknown(formatPath(listPath));
            continue;
        }
        if (!Array.isArray(items)) continue;
        items.forEach((item: unknown, index: number) => {
            if (isUnknown(item)) {
                report.unknown(formatPath([...listPath, index]));
                return;
            }
            const container = asJson(item);
            if (!container) return;
            const name = typeof container.name === "string" ? container.name : `#${index}`;
            out.push({ container, path: [...listPath, index], label: `${CONTAINER_NOUNS[list]} "${name}"` });
        });
    }
    return out;
}

/**
 * A field of a container: its value when known; otherwise `known: false`, after reporting where it is unknown
 * (an unknown anywhere on the way counts). Callers judge only known values.
 */
export function containerField(
    site: ContainerSite,
    field: Path,
    report: Reporter,
): { known: true; value: unknown } | { known: false } {
    const read = readPath(site.container, field);
    if (read.unknownAt) {
        report.unknown(formatPath([...site.path, ...read.unknownAt]));
        return { known: false };
    }
    return { known: true, value: read.value };
}

/** The namespace Pulumi and the API server put a namespaced object in when its manifest names none. */
const DEFAULT_NAMESPACE = "default";

/** A resource's namespace: known (`default` when unset), or unknown at `path`. */
export type NamespaceOf =
    { readonly known: true; readonly namespace: string } | { readonly known: false; readonly path: string };

/** The namespace of a namespaced resource, or where it is unknown. */
export function namespaceOfResource(resource: PolicyResource): NamespaceOf {
    const metadata = resource.props?.metadata;
    if (isUnknown(metadata)) return { known: false, path: "metadata" };
    const namespace = asJson(metadata)?.namespace;
    if (isUnknown(namespace)) return { known: false, path: "metadata.namespace" };
    return {
        known: true,
        namespace: typeof namespace === "string" && namespace !== "" ? namespace : DEFAULT_NAMESPACE,
    };
}

/**
 * The reporter to judge `resource` with, or undefined when it belongs to one of the platform's own charts
 * (isPlatformChartResource: by the engine's URN parentage, never by a name). Nothing is exempt by its
 * namespace: a workload in kube-system, default or an add-on's namespace is judged like any other, since
 * whoever may create a pod there chooses the namespace.
 */
export function scopedReporter(
    resource: PolicyResource,
    settings: PolicySettings,
    report: Reporter,
): Reporter | undefined {
    return isPlatformChartResource(resource, settings) ? undefined : report;
}

/**
 * Runs `judge` on each container of `lists` in the pod `resource` runs, unless it is a platform chart's (see
 * scopedReporter) or `applies` says the rule does not apply to it.
 */
export function judgeContainers(
    resource: PolicyResource,
    settings: PolicySettings,
    report: Reporter,
    lists: readonly ContainerList[],
    judge: (container: ContainerSite, report: Reporter, pod: PodSite) => void,
    applies: (report: Reporter) => boolean = () => true,
): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped || !applies(scoped)) return;
    const pod = podSiteOf(resource, scoped);
    if (!pod) return;
    for (const container of containersOf(pod, lists, scoped)) judge(container, scoped, pod);
}

/**
 * The image of a container, judged by `problem` (a reason it is not acceptable, or undefined). A missing or
 * empty image is a problem of its own: the admission rules cannot judge it either and refuse the pod.
 */
export function judgeImage(
    resource: PolicyResource,
    container: ContainerSite,
    report: Reporter,
    problem: (image: string) => string | undefined,
): void {
    const image = containerField(container, ["image"], report);
    if (!image.known) return;
    if (typeof image.value !== "string" || image.value === "") {
        report.violation(`${describeResource(resource)}: ${container.label} names no image`);
        return;
    }
    const reason = problem(image.value);
    if (reason !== undefined) {
        report.violation(`${describeResource(resource)}: ${container.label} image "${image.value}" ${reason}`);
    }
}
