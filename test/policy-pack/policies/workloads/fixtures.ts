/**
 * Real manifests for the workload and Pod Security policy tests: the payments API's pod spec, compliant with
 * every rule of the baseline (digest-pinned images from the env's registry, restricted security contexts,
 * requests and limits, probes, no API token), as a Pod of a Deployment's ReplicaSet and as the pod template of
 * every pod controller; and a runner that reports what a policy says about one of them.
 */
import { componentType, POD_CONTROLLERS } from "../../../../components/baseline";
import { checkResource } from "../../../../policy-pack/engine";
import { kubernetesTypeOf, UNKNOWN } from "../../../../policy-pack/policies/resource";
import { Policy, PolicyResource, PolicySettings, Violation } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";

export type Manifest = Record<string, any>;

import {
    APP_REGISTRY,
    compliantPodSpec,
    DEBUG_IMAGE,
    restrictedContext,
} from "../../../../policy-pack/conformance/workload";

export {
    API_IMAGE,
    APP_REGISTRY,
    compliantPodSpec,
    DEBUG_IMAGE,
    DIGEST,
    MIGRATE_IMAGE,
} from "../../../../policy-pack/conformance/workload";

/** The prod settings of the tests: the env's registry, one ServiceAccount that calls the API. */
export const SETTINGS: PolicySettings = settingsFrom({
    env: "prod",
    registries: [APP_REGISTRY],
    apiAccessServiceAccounts: ["reports/reports-operator"],
});

export { UNKNOWN };

const LABELS = { "app.kubernetes.io/name": "payments-api" };

/** A Pod of the payments Deployment's ReplicaSet, with a debug container added by `kubectl debug`. */
export function compliantPod(): Manifest {
    const spec = compliantPodSpec();
    spec.ephemeralContainers = [
        { name: "debug", image: DEBUG_IMAGE, targetContainerName: "api", securityContext: restrictedContext() },
    ];
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: "payments-api-7d4b9c6f5-x2k8q",
            namespace: "payments",
            labels: { ...LABELS },
            ownerReferences: [
                { apiVersion: "apps/v1", kind: "ReplicaSet", name: "payments-api-7d4b9c6f5", uid: "3f1c2a9e" },
            ],
        },
        spec,
    };
}

const API_VERSIONS: Record<string, string> = {
    Deployment: "apps/v1",
    StatefulSet: "apps/v1",
    DaemonSet: "apps/v1",
    ReplicaSet: "apps/v1",
    ReplicationController: "v1",
    Job: "batch/v1",
    CronJob: "batch/v1",
};

/** Every pod controller kind. */
export const CONTROLLER_KINDS: readonly string[] = Object.keys(POD_CONTROLLERS);

/** A `kind` controller of the payments API in `payments`, whose pod template holds `spec`. */
export function compliantController(kind: string, spec: Manifest = compliantPodSpec()): Manifest {
    const name = kind === "CronJob" || kind === "Job" ? "payments-reconcile" : "payments-api";
    const template = { metadata: { labels: { ...LABELS } }, spec };
    const manifest: Manifest = {
        apiVersion: API_VERSIONS[kind],
        kind,
        metadata: { name, namespace: "payments", labels: { ...LABELS } },
    };
    if (kind === "Job" || kind === "CronJob") spec.restartPolicy = "OnFailure";
    if (kind !== "Job" && kind !== "CronJob") manifest.spec = { selector: { matchLabels: { ...LABELS } } };
    const path = POD_CONTROLLERS[kind];
    let node = manifest;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path[path.length - 1]] = template;
    if (kind === "CronJob") manifest.spec.schedule = "0 3 * * *";
    return manifest;
}

/** The pod spec of a Pod or a controller (its template's). */
export function podSpecOf(manifest: Manifest): Manifest {
    if (manifest.kind === "Pod") return manifest.spec;
    let node = manifest;
    for (const key of POD_CONTROLLERS[manifest.kind]) node = node[key];
    return node.spec;
}

/** The path of the pod spec in a manifest, as policies report it: `spec`, `spec.template.spec`, ... */
export function specPathOf(kind: string): string {
    return kind === "Pod" ? "spec" : [...POD_CONTROLLERS[kind], "spec"].join(".");
}

/** The resource Pulumi would register for `manifest`: its inputs are the manifest. */
export function resourceOf(manifest: Manifest): PolicyResource {
    return {
        type: kubernetesTypeOf(manifest.apiVersion, manifest.kind),
        name: typeof manifest.metadata?.name === "string" ? manifest.metadata.name : "unnamed",
        props: manifest,
    };
}

/** What `policy` says about `manifest`: its violations, and the paths it reports unknown. */
export function judge(
    policy: Policy,
    manifest: Manifest,
    settings: PolicySettings = SETTINGS,
): { violations: Violation[]; unknowns: string[]; messages: string[] } {
    const all = checkResource(resourceOf(manifest), [policy], settings);
    const unknowns: string[] = [];
    const violations: Violation[] = [];
    for (const v of all) {
        const match = /^(.*) is not known until the update, so /.exec(v.message);
        if (match) unknowns.push(match[1]);
        else violations.push(v);
    }
    return { violations, unknowns, messages: violations.map((v) => v.message) };
}

/**
 * `manifest` as the chart of the platform add-on `component` (e.g. `Kyverno`) renders it: its URN's type chain
 * is `<component>$kubernetes:helm.sh/v4:Chart$<type>`, as the engine writes it (policies/platform.ts).
 */
export function platformChartResource(manifest: Manifest, component: string): PolicyResource {
    const resource = resourceOf(manifest);
    const chain = [componentType(component), "kubernetes:helm.sh/v4:Chart", resource.type].join("$");
    return { ...resource, urn: `urn:pulumi:prod::platform::${chain}::${resource.name}` };
}

/** What `policy` says about `resource` (see judge). */
export function judgeResource(
    policy: Policy,
    resource: PolicyResource,
    settings: PolicySettings = SETTINGS,
): { violations: Violation[]; messages: string[] } {
    const violations = checkResource(resource, [policy], settings);
    return { violations, messages: violations.map((v) => v.message) };
}
