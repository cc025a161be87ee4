/**
 * The admission policy that pins which ServiceAccounts a namespace's pods may run as, built as data from the
 * baseline so it can be validated and evaluated without a cluster.
 *
 * RBAC cannot say this: whoever may create a Deployment in a namespace may name any ServiceAccount of that
 * namespace in its pod template, and the pod then holds that ServiceAccount's tokens, cloud role and RBAC.
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+) runs in the API server
 * itself, so no webhook outage, and no one without rights on cluster-scoped admission objects, lifts it.
 */
import type * as k8s from "@pulumi/kubernetes";
import {
    DEFAULT_SERVICE_ACCOUNT,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    NAMESPACE_NAME_LABEL,
    POD_CONTROLLERS,
    serviceAccountPolicyName,
} from "../baseline";

/** The API group and resource of each kind whose pods the policy judges: the Pod and its controllers. */
const POD_RESOURCES: Readonly<Record<string, { apiGroup: string; resource: string }>> = {
    Pod: { apiGroup: "", resource: "pods" },
    Deployment: { apiGroup: "apps", resource: "deployments" },
    StatefulSet: { apiGroup: "apps", resource: "statefulsets" },
    DaemonSet: { apiGroup: "apps", resource: "daemonsets" },
    ReplicaSet: { apiGroup: "apps", resource: "replicasets" },
    ReplicationController: { apiGroup: "", resource: "replicationcontrollers" },
    Job: { apiGroup: "batch", resource: "jobs" },
    CronJob: { apiGroup: "batch", resource: "cronjobs" },
};

const celString = (value: string) => `'${value}'`;
const celList = (values: readonly string[]) => `[${values.map(celString).join(", ")}]`;

/** `object.spec.template.spec`: the CEL path of a kind's pod spec, from the baseline's template paths. */
function podSpecPath(kind: string): string {
    if (kind === "Pod") return "object.spec";
    const template = POD_CONTROLLERS[kind];
    if (template === undefined) throw new Error(`${kind} is not a pod controller of the baseline`);
    return ["object", ...template, "spec"].join(".");
}

/** The kinds the policy judges: Pod, then every pod controller the baseline knows. */
export function pinnedKinds(): string[] {
    const kinds = ["Pod", ...Object.keys(POD_CONTROLLERS)];
    for (const kind of kinds) {
        if (POD_RESOURCES[kind] === undefined) throw new Error(`no API resource is known for ${kind}`);
    }
    return kinds;
}

/**
 * The CEL expression of the pod spec of whatever kind `object` is: kinds grouped by where their template
 * sits, the most common place last, as the default (the policy matches no other kind).
 */
export function podSpecExpression(): string {
    const byPath = new Map<string, string[]>();
    for (const kind of pinnedKinds()) byPath.set(podSpecPath(kind), [...(byPath.get(podSpecPath(kind)) ?? []), kind]);
    const groups = [...byPath.entries()].sort(([, a], [, b]) => a.length - b.length);
    const fallback = groups[groups.length - 1][0];
    return groups
        .slice(0, -1)
        .reduceRight(
            (otherwise, [path, kinds]) =>
                `(${kinds.length === 1 ? `object.kind == '${kinds[0]}'` : `object.kind in ${celList(kinds)}`} ? ${path} : ${otherwise})`,
            fallback,
        );
}

/**
 * The pod spec runs as one of `serviceAccounts`. A spec naming none runs as `default`; the deprecated
 * `serviceAccount` field, which the API server copies into `serviceAccountName` when that is empty, must
 * name an allowed one too.
 */
export function serviceAccountExpression(serviceAccounts: readonly string[]): string {
    const allowed = celList([...serviceAccounts].sort());
    const spec = "variables.podSpec";
    const named = `(has(${spec}.serviceAccountName) && ${spec}.serviceAccountName != '' ? ${spec}.serviceAccountName : '${DEFAULT_SERVICE_ACCOUNT}')`;
    const deprecated = `(!has(${spec}.serviceAccount) || ${spec}.serviceAccount == '' || ${spec}.serviceAccount in ${allowed})`;
    return `${named} in ${allowed} && ${deprecated}`;
}

/** A ValidatingAdmissionPolicy and its binding, as their inputs. */
export interface ServiceAccountPolicy {
    readonly policy: {
        metadata: { name: string; labels: Record<string, string> };
        spec: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec;
    };
    readonly binding: {
        metadata: { name: string; labels: Record<string, string> };
        spec: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec;
    };
}

/**
 * The policy that lets pods in `namespace` run only as `serviceAccounts`, and its binding, which denies.
 * Matched by the namespace's immutable name label, so relabelling a namespace neither escapes it nor
 * drags another namespace in.
 */
export function serviceAccountPolicy(namespace: string, serviceAccounts: readonly string[]): ServiceAccountPolicy {
    const name = serviceAccountPolicyName(namespace);
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
    const kinds = pinnedKinds();
    const byGroup = new Map<string, string[]>();
    for (const kind of kinds) {
        const { apiGroup, resource } = POD_RESOURCES[kind];
        byGroup.set(apiGroup, [...(byGroup.get(apiGroup) ?? []), resource]);
    }
    const sorted = [...serviceAccounts].sort();
    return {
        policy: {
            metadata: { name, labels },
            spec: {
                // Fail closed: a pod the API server cannot judge is not admitted.
                failurePolicy: "Fail",
                matchConstraints: {
                    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
                    resourceRules: [...byGroup.entries()].map(([apiGroup, resources]) => ({
                        apiGroups: [apiGroup],
                        apiVersions: ["v1"],
                        // serviceAccountName is immutable on a Pod but not in a controller's template.
                        operations: ["CREATE", "UPDATE"],
                        resources,
                    })),
                },
                variables: [{ name: "podSpec", expression: podSpecExpression() }],
                validations: [
                    {
                        expression: serviceAccountExpression(sorted),
                        message: `Pods in ${namespace} may run only as ${sorted.join(", ")}: the ServiceAccounts the platform declared for the namespace's apps.`,
                        reason: "Forbidden",
                    },
                ],
            },
        },
        binding: {
            metadata: { name, labels },
            spec: { policyName: name, validationActions: ["Deny"] },
        },
    };
}
