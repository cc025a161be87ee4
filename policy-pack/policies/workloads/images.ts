/**
 * Where images come from and how they are named: the preview-time twins of Kyverno's
 * baseline-require-image-digest, baseline-restrict-image-registries and baseline-disallow-latest-tag
 * (components/addons/kyverno/policies.ts). Like them, each judges every container list of the pod: containers,
 * init containers and ephemeral containers.
 *
 * Unknowns: an unknown pod template, container list, container or image is reported unknown, and the
 * containers that are known are judged all the same. Nothing is exempt by namespace: only the platform's own
 * chart resources are left to their charts (pod-template.ts scopedReporter).
 */
import { imageFromRegistry, imageHasDigest, MUTABLE_TAGS } from "../../../components/baseline";
import { DEFAULT_APP_REGISTRY_PATTERN } from "../../settings";
import { EnforcementLevel, PolicySettings, ResourcePolicy, Severity } from "../types";
import { ALL_CONTAINER_LISTS, judgeContainers, judgeImage, POD_TYPES } from "./pod-template";

export const WORKLOADS_GROUP = "workloads";

/** Every image is pinned by its sha256 digest (`imageHasDigest`). */
export const workloadsImageDigest: ResourcePolicy = {
    kind: "resource",
    name: "workloads-image-digest",
    group: WORKLOADS_GROUP,
    description:
        "Every container image is pinned by its sha256 digest, so what runs is exactly what was built, scanned " +
        "and signed; a tag can be moved to another image.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Reference each image as <repository>@sha256:<64 hex characters> (a tag may stay in front of the digest, " +
        "e.g. app:1.4.2@sha256:...). Resolve the digest with `crane digest <image>` or from the build's output.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(resource, settings, report, ALL_CONTAINER_LISTS, (container, scoped) =>
            judgeImage(resource, container, scoped, (image) =>
                imageHasDigest(image) ? undefined : "is not pinned by digest (name@sha256:<64 hex characters>)",
            ),
        );
    },
};

/** Describes the registries app images may come from under `settings`. */
function approvedRegistriesText(settings: PolicySettings): string {
    return settings.registries.length > 0
        ? settings.registries.join(", ")
        : "a private Amazon ECR registry (<account>.dkr.ecr.<region>.amazonaws.com/)";
}

/**
 * True when `image` comes from the env's app registries (settings.registries; when none are configured, any
 * private ECR registry, DEFAULT_APP_REGISTRY_PATTERN). The platform's registries (PLATFORM_REGISTRIES) are
 * not among them: they hold the add-ons' images, approved only for the platform's own charts, which the
 * workload policies leave to their charts (scopedReporter). An app that names `registry.k8s.io/` or
 * `ghcr.io/kyverno/` runs an image nobody of the env reviewed for it, in whatever namespace it sits.
 */
export function imageFromApprovedRegistry(image: string, settings: PolicySettings): boolean {
    return settings.registries.length > 0
        ? imageFromRegistry(image, settings.registries)
        : DEFAULT_APP_REGISTRY_PATTERN.test(image);
}

/** Every image of an app comes from the env's registries. */
export const workloadsApprovedRegistries: ResourcePolicy = {
    kind: "resource",
    name: "workloads-approved-registries",
    group: WORKLOADS_GROUP,
    description:
        "Every container image of an app comes from the environment's registries; an image from anywhere else, the " +
        "platform's own registries included (approved for the platform's charts only), is unreviewed code.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Push the image to one of the environment's registries (the pack's `registries` setting) and reference it " +
        "from there, with the full registry host and path as prefix.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(resource, settings, report, ALL_CONTAINER_LISTS, (container, scoped) =>
            judgeImage(resource, container, scoped, (image) =>
                imageFromApprovedRegistry(image, settings)
                    ? undefined
                    : `is not from an approved registry: ${approvedRegistriesText(settings)}`,
            ),
        );
    },
};

function escapeRegex(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A reference's tag follows the last `:` of its last path segment (a registry port's `:` is followed by a
 * `/`); its digest follows `@`. `repo:latest` and `repo:latest@sha256:...` both carry the mutable tag.
 */
const MUTABLE_TAG = new RegExp(`:(${MUTABLE_TAGS.map(escapeRegex).join("|")})(@|$)`);
const TAG = /:[^/]+$/;

/** Why `image` runs a moving target, or undefined when it names a fixed tag or a digest. */
export function mutableImageProblem(image: string): string | undefined {
    const mutable = MUTABLE_TAG.exec(image);
    if (mutable) return `uses the mutable tag "${mutable[1]}"`;
    if (!image.includes("@") && !TAG.test(image)) return "names no tag or digest, so it runs latest";
    return undefined;
}

/** No image uses a mutable tag (MUTABLE_TAGS) or no tag at all. */
export const workloadsNoLatestTag: ResourcePolicy = {
    kind: "resource",
    name: "workloads-no-latest-tag",
    group: WORKLOADS_GROUP,
    description:
        "No container image uses a mutable tag such as latest, or no tag at all (which the runtime resolves to " +
        "latest): such a tag says nothing about what runs, and changes under a running workload.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: "Name a fixed release tag, or better a digest (workloads-image-digest), for every image.",
    url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(resource, settings, report, ALL_CONTAINER_LISTS, (container, scoped) =>
            judgeImage(resource, container, scoped, mutableImageProblem),
        );
    },
};
