/**
 * No Kubernetes API token where nothing calls the API: the preview-time twin of Kyverno's
 * baseline-restrict-sa-token-automount (components/addons/kyverno/policies.ts), which judges the Pod's own
 * `automountServiceAccountToken`, extended to ServiceAccount objects, which admission does not judge.
 *
 * A pod must set `automountServiceAccountToken: false` unless it runs as one of settings.apiAccessServiceAccounts
 * (`namespace/name`, the ServiceAccount defaulting to `default`). Relying on the ServiceAccount's own setting is
 * not enough, as at admission: the pod's field is what a check of the pod alone can see. A ServiceAccount must
 * set `automountServiceAccountToken: false` unless it is listed itself.
 *
 * Unknowns: an unknown pod template or automount field is reported unknown, unless the ServiceAccount is known
 * and listed (the pod may mount a token either way); an unknown ServiceAccount name or namespace is reported
 * unknown when it decides the verdict. An unknown namespace otherwise turns a violation into an unknown (the
 * namespace may be exempt).
 */
import { describeResource, isUnknown, kubernetesTypeOf } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, Reporter, ResourcePolicy, Severity } from "../types";
import { WORKLOADS_GROUP } from "./images";
import {
    asJson,
    formatPath,
    namespaceOfResource,
    podSiteOf,
    readPath,
    scopedReporter,
    POD_TYPES,
} from "./pod-template";

/** The ServiceAccount type token. */
export const SERVICE_ACCOUNT_TYPE = kubernetesTypeOf("v1", "ServiceAccount");

/** The ServiceAccount a pod runs as when its spec names none. */
const DEFAULT_SERVICE_ACCOUNT = "default";

/** Whether `namespace/name` may mount a token: yes, no, or undefined when a part is unknown. */
function allowed(
    settings: PolicySettings,
    namespace: string | undefined,
    name: string | undefined,
): boolean | undefined {
    if (settings.apiAccessServiceAccounts.length === 0) return false;
    if (namespace === undefined || name === undefined) return undefined;
    return settings.apiAccessServiceAccounts.includes(`${namespace}/${name}`);
}

/** Who may mount a token, for messages: why `key` may not. */
function allowListText(settings: PolicySettings, key: string): string {
    return settings.apiAccessServiceAccounts.length > 0
        ? `${key} is not one of the ServiceAccounts that may call the API (${settings.apiAccessServiceAccounts.join(", ")})`
        : "no ServiceAccount is declared to call the API";
}

/** The ServiceAccount a pod runs as, or a ServiceAccount itself: its parts, undefined where unknown. */
interface Account {
    readonly namespace?: string;
    readonly name?: string;
    /** Where the first unknown part is. */
    readonly unknownPath: string;
}

/**
 * Judges one `automountServiceAccountToken` value (at `path`) of a pod or ServiceAccount that runs as
 * `account`; `problem` words the violation from why the account may not mount a token.
 */
function judgeAutomount(
    settings: PolicySettings,
    report: Reporter,
    automount: unknown,
    path: string,
    account: Account,
    problem: (why: string) => string,
): void {
    if (automount === false) return;
    const listed = allowed(settings, account.namespace, account.name);
    if (listed === true) return;
    if (isUnknown(automount)) {
        report.unknown(path);
        return;
    }
    if (listed === undefined) {
        report.unknown(account.unknownPath);
        return;
    }
    report.violation(problem(allowListText(settings, `${account.namespace}/${account.name}`)));
}

function validatePod(resource: PolicyResource, settings: PolicySettings, report: Reporter): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped) return;
    const pod = podSiteOf(resource, scoped);
    if (!pod) return;
    const specPath = [...pod.templatePath, "spec"];
    const namespace = namespaceOfResource(resource);
    const serviceAccount = pod.spec.serviceAccountName;
    const automountPath = formatPath([...specPath, "automountServiceAccountToken"]);
    judgeAutomount(
        settings,
        scoped,
        pod.spec.automountServiceAccountToken,
        automountPath,
        {
            namespace: namespace.known ? namespace.namespace : undefined,
            name: isUnknown(serviceAccount)
                ? undefined
                : typeof serviceAccount === "string" && serviceAccount !== ""
                  ? serviceAccount
                  : DEFAULT_SERVICE_ACCOUNT,
            unknownPath: namespace.known ? formatPath([...specPath, "serviceAccountName"]) : namespace.path,
        },
        (why) =>
            `${describeResource(resource)}: the pod mounts a Kubernetes API token (set ${automountPath}: false): ${why}`,
    );
}

function validateServiceAccount(resource: PolicyResource, settings: PolicySettings, report: Reporter): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped) return;
    const namespace = namespaceOfResource(resource);
    const name = readPath(resource.props, ["metadata", "name"]);
    judgeAutomount(
        settings,
        scoped,
        asJson(resource.props)?.automountServiceAccountToken,
        "automountServiceAccountToken",
        {
            namespace: namespace.known ? namespace.namespace : undefined,
            // Without a name Pulumi generates one, which no allow-list entry can name.
            name: name.unknownAt ? undefined : typeof name.value === "string" ? name.value : "",
            unknownPath: namespace.known ? "metadata.name" : namespace.path,
        },
        (why) =>
            `${describeResource(resource)}: mounts its token into every pod that does not opt out (set ` +
            `automountServiceAccountToken: false): ${why}`,
    );
}

export const workloadsSaTokenAutomount: ResourcePolicy = {
    kind: "resource",
    name: "workloads-sa-token-automount",
    group: WORKLOADS_GROUP,
    description:
        "Pods and ServiceAccounts set automountServiceAccountToken: false, unless the ServiceAccount is one declared " +
        "to call the Kubernetes API: a pod that never calls the API server has no use for a token that lets it.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set automountServiceAccountToken: false on the pod spec (or pod template) and on the ServiceAccount. If " +
        "the workload calls the Kubernetes API, declare its ServiceAccount (namespace/name) in the pack's " +
        "apiAccessServiceAccounts setting, as the platform's apps do with callsKubernetesApi.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
    types: [...POD_TYPES, SERVICE_ACCOUNT_TYPE],
    validate(resource, settings, report) {
        if (resource.type === SERVICE_ACCOUNT_TYPE) validateServiceAccount(resource, settings, report);
        else validatePod(resource, settings, report);
    },
};
