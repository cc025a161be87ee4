/**
 * CEL building blocks for the baseline's admission rules.
 *
 * Every expression is standard CEL (macros `all`/`exists`, `has`, `in`, `matches`, `startsWith`,
 * `contains`): no Kyverno library, no `cel.bind`, no optional (`.?`) syntax. Kyverno evaluates them, and so
 * can any other CEL engine (the CrossGuard pack, the tests) against the same manifest.
 *
 * Expressions reach the Pod through `object.spec` and `object.metadata` only, because that is what
 * Kyverno's autogen rewrites (to `object.spec.template.spec`, `object.spec.jobTemplate.spec.template.spec`,
 * ...) when it derives the rules for Deployments, CronJobs and the other pod controllers.
 */
import { MUTABLE_TAGS } from "../../baseline";

/** A CEL string literal of `value`: single-quoted, with backslashes and quotes escaped. */
export function celString(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/** A CEL list literal of strings. */
export function celStringList(values: readonly string[]): string {
    return `[${values.map(celString).join(", ")}]`;
}

/** The container lists of a Pod spec. */
export const ContainerList = {
    Containers: "containers",
    InitContainers: "initContainers",
    EphemeralContainers: "ephemeralContainers",
} as const;
export type ContainerList = (typeof ContainerList)[keyof typeof ContainerList];

/** Every container list of a Pod spec. */
export const ALL_CONTAINER_LISTS: readonly ContainerList[] = [
    ContainerList.Containers,
    ContainerList.InitContainers,
    ContainerList.EphemeralContainers,
];

/**
 * True when `predicate` holds for every container of the given lists of `object.spec`.
 *
 * Each list is checked on its own rather than concatenated: a Container and an EphemeralContainer are
 * different types to a typed CEL environment (Kubernetes' own ValidatingAdmissionPolicy), where
 * `containers + ephemeralContainers` does not type-check. An absent list is vacuously compliant.
 */
export function everyContainer(lists: readonly ContainerList[], predicate: (container: string) => string): string {
    return lists
        .map((list) => `(!has(object.spec.${list}) || object.spec.${list}.all(c, ${predicate("c")}))`)
        .join(" && ");
}

function escapeRegex(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A reference names its tag after the last `:` of its last path segment (a registry port's `:` is followed
 * by a `/`), and its digest after `@`. `repo:latest` and `repo:latest@sha256:...` both carry the tag.
 */
const MUTABLE_TAG_PATTERN = `:(${MUTABLE_TAGS.map(escapeRegex).join("|")})(@|$)`;
const TAG_PATTERN = ":[^/]+$";

/** The digest form the baseline accepts (the same as `imageHasDigest` in the baseline). */
export const DIGEST_PATTERN = "@sha256:[a-f0-9]{64}$";

/**
 * The image `image` names a fixed tag or a digest: not a mutable tag (MUTABLE_TAGS), and not a bare
 * repository, which the runtime resolves to `latest`.
 */
export function imageNotMutable(image: string): string {
    return (
        `!${image}.matches(${celString(MUTABLE_TAG_PATTERN)}) && ` +
        `(${image}.contains('@') || ${image}.matches(${celString(TAG_PATTERN)}))`
    );
}

/** The image `image` is pinned by a sha256 digest. */
export function imagePinnedByDigest(image: string): string {
    return `${image}.matches(${celString(DIGEST_PATTERN)})`;
}

/** The image `image` comes from one of `registries` (prefixes ending in `/`, as `imageFromRegistry`). */
export function imageFromRegistries(image: string, registries: readonly string[]): string {
    return `${celStringList(registries)}.exists(r, ${image}.startsWith(r))`;
}

/** `has(a.b.c)` for every prefix of the path, so that reading `a.b.c` cannot fail on a missing field. */
export function hasPath(root: string, ...fields: string[]): string {
    return fields.map((_, i) => `has(${[root, ...fields.slice(0, i + 1)].join(".")})`).join(" && ");
}
