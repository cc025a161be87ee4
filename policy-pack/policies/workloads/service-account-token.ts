/**
 * No Kubernetes API token where nothing calls the API: the preview-time twin of Kyverno's
 * baseline-restrict-sa-token-automount (components/addons/kyverno/policies.ts), which judges the Pod's own
 * `automountServiceAccountToken` and projected token volumes, extended to ServiceAccount objects, which
 * admission does not judge.
 *
 * A pod must set `automountServiceAccountToken: false` unless it runs as one of settings.apiAccessServiceAccounts
 * (`namespace/name`, the ServiceAccount defaulting to `default`). Relying on the ServiceAccount's own setting is
 * not enough, as at admission: the pod's field is what a check of the pod alone can see. A ServiceAccount must
 * set `automountServiceAccountToken: false` unless it is listed itself.
 *
 * A projected ServiceAccount token volume (`volumes[].projected.sources[].serviceAccountToken`) is a mounted
 * token too, whatever `automountServiceAccountToken` says, and is held to the same allow-list. Its audience
 * decides whether it is an API token: with no audience the token is the API server's own; with one of
 * NON_API_TOKEN_AUDIENCES (sts.amazonaws.com, for IRSA), the API server rejects it, since its
 * `--api-audiences` do not include it; with any other audience it may be one the API server accepts (its
 * flags are not known at preview), so it counts as an API token.
 *
 * Unknowns: an unknown pod template, automount field, volume, projected source or audience is reported
 * unknown, unless the ServiceAccount is known and listed (the pod may mount a token either way); an unknown
 * ServiceAccount name or namespace is reported unknown when it decides the verdict. No namespace is exempt:
 * only the platform's own chart resources are left to their charts.
 */
import {
    LEGACY_TOKEN_ACCOUNT_ANNOTATION,
    LEGACY_TOKEN_SECRET_TYPE,
    NON_API_TOKEN_AUDIENCES,
} from "../../../components/baseline";
import { describeResource, isUnknown, kubernetesTypeOf, unwrapSecret } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, Reporter, ResourcePolicy, Severity } from "../types";
import { WORKLOADS_GROUP } from "./images";
import {
    asJson,
    formatPath,
    Json,
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

/**
 * The projected ServiceAccount token volumes of a pod spec that carry a Kubernetes API token: every
 * `volumes[].projected.sources[].serviceAccountToken` whose audience is not one of NON_API_TOKEN_AUDIENCES
 * (no audience is the API server's own). The kubelet writes such a token whatever
 * `automountServiceAccountToken` says, and any container of the pod, an ephemeral one added later included,
 * may mount the volume. Unknown volumes, sources or audiences are listed apart.
 */
export function apiTokenVolumes(
    spec: Json,
    specPath: readonly (string | number)[],
): { found: string[]; unknown: string[] } {
    const found: string[] = [];
    const unknown: string[] = [];
    const volumes = spec.volumes;
    if (isUnknown(volumes)) return { found, unknown: [formatPath([...specPath, "volumes"])] };
    if (!Array.isArray(volumes)) return { found, unknown };
    volumes.forEach((volume: unknown, v: number) => {
        const volumePath = [...specPath, "volumes", v];
        const sources = readPath(volume, ["projected", "sources"]);
        if (sources.unknownAt) {
            unknown.push(formatPath([...volumePath, ...sources.unknownAt]));
            return;
        }
        if (!Array.isArray(sources.value)) return;
        sources.value.forEach((source: unknown, i: number) => {
            const sourcePath = [...volumePath, "projected", "sources", i];
            const token = readPath(source, ["serviceAccountToken"]);
            if (token.unknownAt) {
                unknown.push(formatPath([...sourcePath, ...token.unknownAt]));
                return;
            }
            if (token.value === undefined || token.value === null) return;
            const audience = readPath(token.value, ["audience"]);
            if (audience.unknownAt) {
                unknown.push(formatPath([...sourcePath, "serviceAccountToken", "audience"]));
                return;
            }
            if (typeof audience.value === "string" && NON_API_TOKEN_AUDIENCES.includes(audience.value)) return;
            const name = asJson(volume)?.name;
            found.push(`volume ${typeof name === "string" ? `"${name}"` : `#${v}`} (${formatPath(sourcePath)})`);
        });
    });
    return { found, unknown };
}

function validatePod(resource: PolicyResource, settings: PolicySettings, report: Reporter): void {
    const scoped = scopedReporter(resource, settings, report);
    if (!scoped) return;
    const pod = podSiteOf(resource, scoped);
    if (!pod) return;
    const specPath = [...pod.templatePath, "spec"];
    const namespace = namespaceOfResource(resource);
    // The API server falls back to the deprecated `serviceAccount` field when `serviceAccountName` is empty.
    const named = pod.spec.serviceAccountName;
    const serviceAccount =
        isUnknown(named) || (typeof named === "string" && named !== "") ? named : pod.spec.serviceAccount;
    const automountPath = formatPath([...specPath, "automountServiceAccountToken"]);
    const account: Account = {
        namespace: namespace.known ? namespace.namespace : undefined,
        name: isUnknown(serviceAccount)
            ? undefined
            : typeof serviceAccount === "string" && serviceAccount !== ""
              ? serviceAccount
              : DEFAULT_SERVICE_ACCOUNT,
        unknownPath: namespace.known ? formatPath([...specPath, "serviceAccountName"]) : namespace.path,
    };
    judgeAutomount(
        settings,
        scoped,
        pod.spec.automountServiceAccountToken,
        automountPath,
        account,
        (why) =>
            `${describeResource(resource)}: the pod mounts a Kubernetes API token (set ${automountPath}: false): ${why}`,
    );

    // A projected token is mounted whatever automountServiceAccountToken says.
    const listed = allowed(settings, account.namespace, account.name);
    if (listed === true) return;
    const tokens = apiTokenVolumes(pod.spec, specPath);
    for (const path of tokens.unknown) scoped.unknown(path);
    if (tokens.found.length === 0) return;
    if (listed === undefined) {
        scoped.unknown(account.unknownPath);
        return;
    }
    scoped.violation(
        `${describeResource(resource)}: projects a Kubernetes API token into ${tokens.found.join(", ")}, ` +
            `which any container may mount whatever automountServiceAccountToken says: ` +
            allowListText(settings, `${account.namespace}/${account.name}`),
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
        "Pods and ServiceAccounts set automountServiceAccountToken: false, and pods project no ServiceAccount token " +
        "for the API server, unless the ServiceAccount is one declared to call the Kubernetes API: a pod that never " +
        "calls the API server has no use for a token that lets it.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set automountServiceAccountToken: false on the pod spec (or pod template) and on the ServiceAccount, and " +
        "remove projected serviceAccountToken volumes (one for AWS STS sets audience: sts.amazonaws.com). If " +
        "the workload calls the Kubernetes API, declare its ServiceAccount (namespace/name) in the pack's " +
        "apiAccessServiceAccounts setting, as the platform's apps do with callsKubernetesApi.",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
    types: [...POD_TYPES, SERVICE_ACCOUNT_TYPE],
    validate(resource, settings, report) {
        if (resource.type === SERVICE_ACCOUNT_TYPE) validateServiceAccount(resource, settings, report);
        else validatePod(resource, settings, report);
    },
};

/** The Secret type token. */
export const SECRET_TYPE = kubernetesTypeOf("v1", "Secret");

/**
 * No Secret of type `kubernetes.io/service-account-token`: the token controller fills it with a token of the
 * ServiceAccount its annotation names, one that never expires and that any pod of the namespace may mount as a
 * plain secret volume, whatever automountServiceAccountToken says. Whoever may create Secrets in a namespace
 * can so mint a token for any ServiceAccount there, the most privileged included. No app needs one: pods get
 * short-lived projected tokens, and the declared API clients do too. The preview-time twin of Kyverno's
 * baseline-restrict-legacy-token-secrets.
 */
export const workloadsNoLegacyTokenSecret: ResourcePolicy = {
    kind: "resource",
    name: "workloads-no-legacy-token-secret",
    group: WORKLOADS_GROUP,
    description:
        "No Secret of type kubernetes.io/service-account-token: it holds a long-lived API token of the ServiceAccount " +
        "it names, which any pod of the namespace can mount, so creating one mints a token for any account there.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Delete the Secret. A workload that calls the API gets a short-lived token by automount or a projected " +
        "serviceAccountToken volume, for a ServiceAccount declared in apiAccessServiceAccounts.",
    url: "https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token",
    types: [SECRET_TYPE],
    validate(resource, settings, report) {
        const scoped = scopedReporter(resource, settings, report);
        if (!scoped) return;
        // A type behind Pulumi's secret wrapper is the same type to the API server.
        const type = unwrapSecret(asJson(resource.props)?.type);
        if (isUnknown(type)) {
            scoped.unknown("type");
            return;
        }
        if (type !== LEGACY_TOKEN_SECRET_TYPE) return;
        const account = readPath(resource.props, ["metadata", "annotations", LEGACY_TOKEN_ACCOUNT_ANNOTATION]);
        const named = account.unknownAt ? "an unknown ServiceAccount" : `ServiceAccount ${String(account.value)}`;
        scoped.violation(
            `${describeResource(resource)} is a ${LEGACY_TOKEN_SECRET_TYPE} Secret: a long-lived API token of ${named} ` +
                "that any pod of the namespace can mount",
        );
    },
};
