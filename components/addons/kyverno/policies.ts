/**
 * The baseline's admission rules as Kyverno `ValidatingPolicy` objects (policies.kyverno.io/v1), one policy
 * per rule, and the image signature rule as an `ImageValidatingPolicy`.
 *
 * Every fact comes from components/baseline: the capabilities, registries, mutable tags, pod controllers,
 * long-running kinds and namespace labels are imported, never restated. The rules are pure data: the
 * BaselinePolicies component wires them into resources, and the CrossGuard pack can evaluate the same
 * expressions against the manifests a program declares.
 */
import {
    ALLOWED_ADDED_CAPABILITIES,
    Environment,
    LONG_RUNNING_KINDS,
    POD_CONTROLLERS,
    PolicyAction,
    profileFor,
    REQUIRED_DROPPED_CAPABILITIES,
    REQUIRED_NAMESPACE_LABELS,
    RequiredLabel,
    Severity,
} from "../../baseline";
import {
    ALL_CONTAINER_LISTS,
    celString,
    celStringList,
    ContainerList,
    everyContainer,
    hasPath,
    imageFromRegistries,
    imageNotMutable,
    imagePinnedByDigest,
} from "./cel";
import {
    CelMatchCondition,
    CelValidation,
    CosignAttestor,
    ImageValidatingPolicyManifest,
    KYVERNO_POLICIES_API_VERSION,
    managedLabels,
    namespacesExcept,
    ResourceRule,
    ValidatingPolicyManifest,
} from "./manifests";

/** The names of the policies BaselinePolicies creates. Cluster-scoped, prefixed so as not to collide with kyverno/policies. */
export const BaselinePolicyName = {
    DisallowLatestTag: "baseline-disallow-latest-tag",
    RequireImageDigest: "baseline-require-image-digest",
    RestrictImageRegistries: "baseline-restrict-image-registries",
    RequireRequestsLimits: "baseline-require-requests-limits",
    RequireProbes: "baseline-require-probes",
    RequireReadOnlyRootFilesystem: "baseline-require-ro-rootfs",
    RestrictCapabilities: "baseline-restrict-capabilities",
    RestrictServiceAccountToken: "baseline-restrict-sa-token-automount",
    RequireNamespaceLabels: "baseline-require-namespace-labels",
    VerifyImageSignatures: "baseline-verify-image-signatures",
} as const;
export type BaselinePolicyName = (typeof BaselinePolicyName)[keyof typeof BaselinePolicyName];

/** A ServiceAccount by namespace and name. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** What the rules are built from, besides the baseline itself. */
export interface RuleInputs {
    /** The environment whose cluster the rules guard. */
    readonly env: Environment;
    /** Every approved registry prefix: the env's app registries followed by PLATFORM_REGISTRIES. */
    readonly registries: readonly string[];
    /** ServiceAccounts whose pods may mount an API token. */
    readonly apiAccessServiceAccounts: readonly ServiceAccountRef[];
}

/** The kind of object a rule judges. */
export const RuleSubject = {
    Pod: "Pod",
    Namespace: "Namespace",
} as const;
export type RuleSubject = (typeof RuleSubject)[keyof typeof RuleSubject];

/** One rule of the baseline as Kyverno enforces it: what it judges and the CEL it evaluates. */
export interface BaselineRule {
    readonly name: BaselinePolicyName;
    readonly title: string;
    readonly category: string;
    readonly severity: Severity;
    readonly subject: RuleSubject;
    readonly description: string;
    /** Conditions that must hold for the rule to apply at all (the object is skipped otherwise). */
    readonly matchConditions: readonly CelMatchCondition[];
    /** Every expression must be true for the object to comply. */
    readonly validations: readonly CelValidation[];
    /**
     * Kyverno's names of the pod controllers autogen derives the rule for. Empty for rules on other kinds
     * than Pod.
     */
    readonly autogenControllers: readonly string[];
}

/**
 * The pod controllers Kyverno's autogen supports, by kind, with the names `spec.autogen.podControllers`
 * takes (kyverno/kyverno pkg/cel/autogen). ReplicationController is a POD_CONTROLLERS kind Kyverno does not
 * autogen for: its pods are still checked, as Pods, when the controller creates them.
 */
export const KYVERNO_AUTOGEN_CONTROLLERS: Readonly<Record<string, string>> = {
    Deployment: "deployments",
    StatefulSet: "statefulsets",
    DaemonSet: "daemonsets",
    ReplicaSet: "replicasets",
    Job: "jobs",
    CronJob: "cronjobs",
};

/** Kyverno's autogen names for those of `kinds` it supports, sorted. */
export function autogenControllersFor(kinds: readonly string[]): string[] {
    return kinds
        .filter((kind) => kind in KYVERNO_AUTOGEN_CONTROLLERS)
        .map((kind) => KYVERNO_AUTOGEN_CONTROLLERS[kind])
        .sort();
}

/** `spec.validationActions` for a profile's policy action: Deny when enforcing; report and warn otherwise. */
export function validationActionsFor(action: PolicyAction): string[] {
    return action === PolicyAction.Enforce ? ["Deny"] : ["Audit", "Warn"];
}

const POD_RULE: ResourceRule = {
    apiGroups: [""],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["pods"],
};

const NAMESPACE_RULE: ResourceRule = { ...POD_RULE, resources: ["namespaces"] };

const CONTAINERS_AND_INIT: readonly ContainerList[] = [ContainerList.Containers, ContainerList.InitContainers];

/**
 * The Pod owns up to a long-running controller, or the object is such a controller (autogen). Pods of a
 * Deployment are owned by its ReplicaSet, which is a LONG_RUNNING_KINDS kind; Job and CronJob pods are not.
 * `object.kind` is not rewritten by autogen, so on a Deployment the ownerReferences branch is never read.
 */
function longRunningCondition(): string {
    return (
        `object.kind != 'Pod' || (has(object.metadata.ownerReferences) && ` +
        `object.metadata.ownerReferences.exists(o, o.kind in ${celStringList(LONG_RUNNING_KINDS)}))`
    );
}

/**
 * The Pod mounts no API token: it says `automountServiceAccountToken: false` itself, or runs as one of the
 * allowed ServiceAccounts. The Pod's field is what a Pod-only check can see: the ServiceAccount's own
 * `automountServiceAccountToken` applies only when the Pod leaves the field unset, and standard CEL cannot
 * read the ServiceAccount, so a Pod that relies on it is flagged.
 */
function tokenAutomountExpression(allowed: readonly ServiceAccountRef[]): string {
    const optedOut =
        "(has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken == false)";
    if (allowed.length === 0) return optedOut;
    // `object.metadata.namespace` is kept as is by autogen: a Deployment's namespace is its pods' namespace.
    const serviceAccount =
        "(has(object.metadata.namespace) ? object.metadata.namespace : '') + '/' + " +
        "(has(object.spec.serviceAccountName) ? object.spec.serviceAccountName : 'default')";
    const keys = allowed.map((sa) => `${sa.namespace}/${sa.name}`);
    return `${optedOut} || (${serviceAccount}) in ${celStringList(keys)}`;
}

/** The baseline's rules, one per policy, built from the baseline and `inputs`. */
export function baselineRules(inputs: RuleInputs): BaselineRule[] {
    const allControllers = autogenControllersFor(Object.keys(POD_CONTROLLERS));
    const pod = { subject: RuleSubject.Pod, matchConditions: [], autogenControllers: allControllers } as const;
    const labels = REQUIRED_NAMESPACE_LABELS.join(", ");
    return [
        {
            ...pod,
            name: BaselinePolicyName.DisallowLatestTag,
            title: "Disallow Latest Tag",
            category: "Best Practices",
            severity: Severity.Medium,
            description:
                "A mutable tag such as latest says nothing about what runs and changes under a running workload. " +
                "Every image must name a fixed tag or a digest.",
            validations: [
                {
                    expression: everyContainer(ALL_CONTAINER_LISTS, (c) => imageNotMutable(`${c}.image`)),
                    message: "Every image must name a fixed tag or a digest, not latest or no tag at all.",
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RequireImageDigest,
            title: "Require Image Digest",
            category: "Supply Chain Security",
            severity: Severity.Medium,
            description:
                "A digest names exactly the image that was built, scanned and signed; a tag can be moved to " +
                "another. Every image must be pinned by its sha256 digest.",
            validations: [
                {
                    expression: everyContainer(ALL_CONTAINER_LISTS, (c) => imagePinnedByDigest(`${c}.image`)),
                    message: "Every image must be pinned by digest (image@sha256:<64 hex characters>).",
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RestrictImageRegistries,
            title: "Restrict Image Registries",
            category: "Supply Chain Security",
            severity: Severity.High,
            description:
                "Images must come from the environment's approved registries or the platform's own; anything " +
                "else is unreviewed code.",
            validations: [
                {
                    expression: everyContainer(ALL_CONTAINER_LISTS, (c) =>
                        imageFromRegistries(`${c}.image`, inputs.registries),
                    ),
                    message: `Every image must come from an approved registry: ${inputs.registries.join(", ")}.`,
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RequireRequestsLimits,
            title: "Require Requests and Limits",
            category: "Best Practices",
            severity: Severity.Medium,
            // Ephemeral containers cannot declare resources; init containers are scheduled with them.
            description:
                "Containers and init containers must request and be limited in CPU and memory, so that the " +
                "scheduler can place them and one workload cannot starve its neighbours.",
            validations: [
                {
                    expression: everyContainer(
                        CONTAINERS_AND_INIT,
                        (c) =>
                            `${hasPath(c, "resources", "requests")} && has(${c}.resources.limits) && ` +
                            `['cpu', 'memory'].all(r, r in ${c}.resources.requests && r in ${c}.resources.limits)`,
                    ),
                    message: "Every container and init container must set cpu and memory requests and limits.",
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RequireProbes,
            title: "Require Liveness and Readiness Probes",
            category: "Best Practices",
            severity: Severity.Medium,
            description:
                `Long-running workloads (${LONG_RUNNING_KINDS.join(", ")} and their Pods) must declare liveness ` +
                "and readiness probes, so that a hung container is restarted and no traffic reaches one that is " +
                "not ready. Jobs run to completion and are exempt.",
            matchConditions: [{ name: "long-running-workload", expression: longRunningCondition() }],
            // Only regular containers take both probes: init containers and ephemeral containers cannot.
            validations: [
                {
                    expression: everyContainer(
                        [ContainerList.Containers],
                        (c) => `has(${c}.livenessProbe) && has(${c}.readinessProbe)`,
                    ),
                    message:
                        "Every container of a long-running workload must declare a liveness and a readiness probe.",
                },
            ],
            autogenControllers: autogenControllersFor(LONG_RUNNING_KINDS),
        },
        {
            ...pod,
            name: BaselinePolicyName.RequireReadOnlyRootFilesystem,
            title: "Require Read-Only Root Filesystem",
            category: "Pod Security",
            severity: Severity.Medium,
            description:
                "A read-only root filesystem stops an intruder from installing tools or altering binaries. Pod " +
                "Security Standards do not require it; the baseline does. Write to mounted volumes instead.",
            validations: [
                {
                    expression: everyContainer(
                        ALL_CONTAINER_LISTS,
                        (c) =>
                            `${hasPath(c, "securityContext", "readOnlyRootFilesystem")} && ` +
                            `${c}.securityContext.readOnlyRootFilesystem == true`,
                    ),
                    message: "Every container must set securityContext.readOnlyRootFilesystem to true.",
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RestrictCapabilities,
            title: "Restrict Capabilities",
            category: "Pod Security",
            severity: Severity.High,
            description:
                `Containers must drop ${REQUIRED_DROPPED_CAPABILITIES.join(", ")} capabilities and may add back ` +
                `only ${ALLOWED_ADDED_CAPABILITIES.join(", ")}, as the restricted Pod Security Standard requires.`,
            validations: [
                {
                    expression: everyContainer(
                        ALL_CONTAINER_LISTS,
                        (c) =>
                            `!(${hasPath(c, "securityContext", "capabilities", "add")}) || ` +
                            `${c}.securityContext.capabilities.add.all(a, a in ${celStringList(ALLOWED_ADDED_CAPABILITIES)})`,
                    ),
                    message: `Containers may add only these capabilities: ${ALLOWED_ADDED_CAPABILITIES.join(", ")}.`,
                },
                {
                    expression: everyContainer(
                        ALL_CONTAINER_LISTS,
                        (c) =>
                            `${hasPath(c, "securityContext", "capabilities", "drop")} && ` +
                            `${celStringList(REQUIRED_DROPPED_CAPABILITIES)}.all(d, d in ${c}.securityContext.capabilities.drop)`,
                    ),
                    message: `Every container must drop ${REQUIRED_DROPPED_CAPABILITIES.join(", ")} capabilities.`,
                },
            ],
        },
        {
            ...pod,
            name: BaselinePolicyName.RestrictServiceAccountToken,
            title: "Restrict ServiceAccount Token Automount",
            category: "Security",
            severity: Severity.Medium,
            description:
                "A Pod that never calls the API server has no use for a token that lets it. Pods must set " +
                "automountServiceAccountToken to false unless their ServiceAccount is one declared to need API access.",
            validations: [
                {
                    expression: tokenAutomountExpression(inputs.apiAccessServiceAccounts),
                    message:
                        "Set automountServiceAccountToken: false on the Pod; only the ServiceAccounts declared to " +
                        "call the Kubernetes API may mount a token.",
                },
            ],
        },
        {
            name: BaselinePolicyName.RequireNamespaceLabels,
            title: "Require Namespace Labels",
            category: "Multi-Tenancy",
            severity: Severity.Medium,
            subject: RuleSubject.Namespace,
            description:
                `Every namespace must say who owns it, which environment it belongs to and its tier (${labels}), ` +
                `and in the ${inputs.env} cluster its ${RequiredLabel.Env} label must be ${inputs.env}.`,
            matchConditions: [],
            validations: [
                {
                    expression:
                        `has(object.metadata.labels) && ${celStringList(REQUIRED_NAMESPACE_LABELS)}` +
                        ".all(l, l in object.metadata.labels && object.metadata.labels[l] != '')",
                    message: `Namespaces must carry non-empty labels ${labels}.`,
                },
                {
                    expression:
                        `!has(object.metadata.labels) || !(${celString(RequiredLabel.Env)} in object.metadata.labels) || ` +
                        `object.metadata.labels[${celString(RequiredLabel.Env)}] == ${celString(inputs.env)}`,
                    message: `The ${RequiredLabel.Env} label of a namespace in the ${inputs.env} cluster must be ${inputs.env}.`,
                },
            ],
            autogenControllers: [],
        },
    ];
}

/** Where and how policies apply: the environment's action and the namespaces they leave alone. */
export interface PolicyScope {
    readonly env: Environment;
    /** Namespaces exempt from the policies: the cluster's own and the platform's. */
    readonly excludedNamespaces: readonly string[];
}

function policyAnnotations(rule: {
    title: string;
    category: string;
    severity: string;
    subject: string;
    description: string;
}): Record<string, string> {
    return {
        "policies.kyverno.io/title": rule.title,
        "policies.kyverno.io/category": rule.category,
        "policies.kyverno.io/severity": rule.severity,
        "policies.kyverno.io/subject": rule.subject,
        "policies.kyverno.io/description": rule.description,
    };
}

/** The ValidatingPolicy enforcing `rule` in `scope`. */
export function validatingPolicy(rule: BaselineRule, scope: PolicyScope): ValidatingPolicyManifest {
    const resourceRule = rule.subject === RuleSubject.Pod ? POD_RULE : NAMESPACE_RULE;
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "ValidatingPolicy",
        metadata: { name: rule.name, labels: managedLabels(), annotations: policyAnnotations(rule) },
        spec: {
            validationActions: validationActionsFor(profileFor(scope.env).policyAction),
            // Fail closed: when Kyverno cannot evaluate a security rule (down, timing out, an expression
            // erroring) the request is refused rather than admitted unchecked. The excluded namespaces keep
            // the cluster and Kyverno itself able to start while Kyverno is unavailable.
            failurePolicy: "Fail",
            // One rule on `pods` and nothing else is what lets Kyverno autogen the controller rules; the
            // `pods/ephemeralcontainers` subresource would disable it. Ephemeral containers added by
            // `kubectl debug` are therefore judged by background scans (the expressions read them) and
            // gated by RBAC on that subresource, not at admission.
            matchConstraints: {
                resourceRules: [{ ...resourceRule }],
                namespaceSelector: namespacesExcept(scope.excludedNamespaces),
            },
            ...(rule.matchConditions.length > 0
                ? { matchConditions: rule.matchConditions.map((c) => ({ ...c })) }
                : {}),
            autogen: {
                ...(rule.autogenControllers.length > 0
                    ? { podControllers: { controllers: [...rule.autogenControllers] } }
                    : {}),
                // Enforcement stays in Kyverno, where exceptions, their expiry and the reports are handled.
                validatingAdmissionPolicy: { enabled: false },
            },
            validations: rule.validations.map((v) => ({ ...v })),
        },
    };
}

/** The ValidatingPolicies of the baseline, one per rule. */
export function baselineValidatingPolicies(inputs: RuleInputs, scope: PolicyScope): ValidatingPolicyManifest[] {
    return baselineRules(inputs).map((rule) => validatingPolicy(rule, scope));
}

/** A keyless (Fulcio certificate) signing identity: who signed, as which OIDC issuer vouched. */
export interface KeylessIdentity {
    readonly issuer: string;
    readonly subject: string;
}

/** How images are signed: keyless with one identity, or with one of a set of cosign public keys. */
export interface ImageVerification {
    readonly keyless?: KeylessIdentity;
    /** PEM public keys; an image verifies when any one of them signed it (so keys can be rotated). */
    readonly publicKeys?: readonly string[];
}

function attestorsFor(verification: ImageVerification): CosignAttestor[] {
    if (verification.keyless) {
        const { issuer, subject } = verification.keyless;
        return [{ name: "keyless", cosign: { keyless: { identities: [{ issuer, subject }] } } }];
    }
    return (verification.publicKeys ?? []).map((data, i) => ({ name: `key${i}`, cosign: { key: { data } } }));
}

/**
 * The ImageValidatingPolicy requiring a valid cosign signature on every image from the env's app
 * `registries`. Platform images run in the excluded namespaces and are signed by their upstream projects
 * with other identities, so they are not matched here.
 *
 * Unlike the ValidatingPolicies, its expression calls Kyverno's image verification library
 * (`verifyImageSignatures`): checking a signature needs the registry, which standard CEL cannot reach.
 */
export function imageSignaturePolicy(
    verification: ImageVerification,
    registries: readonly string[],
    scope: PolicyScope,
): ImageValidatingPolicyManifest {
    const attestors = attestorsFor(verification);
    const attestorList = `[${attestors.map((a) => `attestors.${a.name}`).join(", ")}]`;
    const rule = {
        title: "Verify Image Signatures",
        category: "Supply Chain Security",
        severity: Severity.High,
        subject: RuleSubject.Pod,
        description:
            `Images from ${registries.join(", ")} must carry a cosign signature by ` +
            (verification.keyless
                ? `${verification.keyless.subject} (issuer ${verification.keyless.issuer}).`
                : "one of the declared public keys."),
    };
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "ImageValidatingPolicy",
        metadata: {
            name: BaselinePolicyName.VerifyImageSignatures,
            labels: managedLabels(),
            annotations: policyAnnotations(rule),
        },
        spec: {
            validationActions: validationActionsFor(profileFor(scope.env).policyAction),
            failurePolicy: "Fail",
            // Verification fetches signatures from the registry: allow the API server's maximum.
            webhookConfiguration: { timeoutSeconds: 30 },
            matchConstraints: {
                resourceRules: [{ ...POD_RULE }],
                namespaceSelector: namespacesExcept(scope.excludedNamespaces),
            },
            autogen: { podControllers: { controllers: autogenControllersFor(Object.keys(POD_CONTROLLERS)) } },
            // Kyverno's globs are not path-aware: `*` after the prefix matches every repository below it.
            matchImageReferences: registries.map((registry) => ({ glob: `${registry}*` })),
            validationConfigurations: {
                // Manifests pin digests themselves (baseline-require-image-digest). Rewriting tags to digests
                // at admission would make the cluster differ from what the Pulumi program declares.
                mutateDigest: false,
                verifyDigest: true,
                required: true,
            },
            attestors,
            validations: [
                {
                    expression:
                        "(images.containers + images.initContainers + images.ephemeralContainers)" +
                        `.all(image, verifyImageSignatures(image, ${attestorList}) > 0)`,
                    message: `Every image from ${registries.join(", ")} must be signed by a trusted signer.`,
                },
            ],
        },
    };
}
