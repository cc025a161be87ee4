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
    AWS_LB_INTERNAL_TRUE,
    AWS_LB_SCHEME_INTERNAL,
    AWS_LBC_LOAD_BALANCER_CLASS,
    AWS_LBC_LOAD_BALANCER_TYPES,
    AwsLoadBalancerAnnotation,
    BROAD_SYSTEM_SUBJECTS,
    CLUSTER_ADMIN_ROLE,
    CLUSTER_WIDE_NAMESPACE_LABEL,
    Environment,
    EVERY_NAMESPACE_LABELS,
    exposureProfileFor,
    IDENTITY_SUBJECT_KINDS,
    LEGACY_TOKEN_SECRET_TYPE,
    LONG_RUNNING_KINDS,
    NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX,
    NON_API_TOKEN_AUDIENCES,
    POD_CONTROLLERS,
    PolicyAction,
    profileFor,
    PROVIDERS_WITHOUT_AUTH_FALLBACK,
    REQUIRED_DROPPED_CAPABILITIES,
    REQUIRED_NAMESPACE_LABELS,
    RequiredLabel,
    SERVICE_ACCOUNT_USER_PREFIX,
    STORED_CREDENTIAL_AUTH,
    Severity,
    SYSTEM_IDENTITY_PREFIX,
    WHOLE_SPACE_CIDRS,
} from "../../baseline";
import { BaselinePolicyName } from "../../baseline";

export { BaselinePolicyName };
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
    LabelSelectorRequirement,
    managedLabels,
    NamespaceSelector,
    namespacesExcept,
    ResourceRule,
    ValidatingPolicyManifest,
} from "./manifests";

/** A ServiceAccount by namespace and name. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** What the rules are built from, besides the baseline itself. */
export interface RuleInputs {
    /** The environment whose cluster the rules guard. */
    readonly env: Environment;
    /**
     * The registry prefixes app images may come from: the env's own. The platform's registries are not among
     * them: the add-ons' images run in the namespaces the policies do not judge (ADMISSION_EXCLUDED_NAMESPACES),
     * and an app anywhere else has no business running them.
     */
    readonly registries: readonly string[];
    /** ServiceAccounts whose pods may mount an API token. */
    readonly apiAccessServiceAccounts: readonly ServiceAccountRef[];
    /**
     * The values a namespace's `env` label may take where the rules judge it. Default: `[env]`. The policies
     * for the namespaces of a shared cluster that no env claims list the cluster's envs, none of which such a
     * namespace carries, so every one of them is refused until it is given to an env.
     */
    readonly namespaceEnvironments?: readonly Environment[];
}

/** The kind of object a rule judges. */
export const RuleSubject = {
    Pod: "Pod",
    Namespace: "Namespace",
    Secret: "Secret",
    Service: "Service",
    Ingress: "Ingress",
    /** RoleBindings and ClusterRoleBindings: one rule judges both, as the pack does. */
    Binding: "RoleBinding, ClusterRoleBinding",
    NetworkPolicy: "NetworkPolicy",
    SecretStore: "SecretStore",
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
    /**
     * The rule reads ephemeral containers, so it gets a twin on the `pods/ephemeralcontainers` subresource
     * (ephemeralContainerTwin): `kubectl debug` adds them through it, which the rule on `pods` does not see.
     */
    readonly ephemeralContainers?: boolean;
}

/** The suffix of the twin of a Pod rule on the `pods/ephemeralcontainers` subresource. */
export const EPHEMERAL_TWIN_SUFFIX = "-ephemeral";

/** The name of the Kyverno policy a twin (`...-ephemeral`) was derived from; the name itself otherwise. */
export function ruleNameOf(policyName: string): string {
    return policyName.endsWith(EPHEMERAL_TWIN_SUFFIX) ? policyName.slice(0, -EPHEMERAL_TWIN_SUFFIX.length) : policyName;
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

const SECRET_RULE: ResourceRule = { ...POD_RULE, resources: ["secrets"] };

const SERVICE_RULE: ResourceRule = { ...POD_RULE, resources: ["services"] };

const INGRESS_RULE: ResourceRule = { ...POD_RULE, apiGroups: ["networking.k8s.io"], resources: ["ingresses"] };

/**
 * ClusterRoleBindings are cluster-scoped: a namespaceSelector never skips a cluster-scoped object other than
 * a Namespace (admissionregistration's matching, which Kyverno applies), so every ClusterRoleBinding is
 * judged, whatever ADMISSION_EXCLUDED_NAMESPACES lists. RoleBindings in the excluded namespaces are not.
 */
const BINDING_RULE: ResourceRule = {
    ...POD_RULE,
    apiGroups: ["rbac.authorization.k8s.io"],
    resources: ["rolebindings", "clusterrolebindings"],
};

/**
 * Namespaced SecretStores only: a ClusterSecretStore is cluster-scoped, so no namespace exclusion would spare
 * one the platform renders; the pack judges those (and knows which are the platform's, by URN).
 */
const SECRET_STORE_RULE: ResourceRule = {
    ...POD_RULE,
    apiGroups: ["external-secrets.io"],
    apiVersions: ["v1"],
    resources: ["secretstores"],
};

const NETWORK_POLICY_RULE: ResourceRule = {
    ...POD_RULE,
    apiGroups: ["networking.k8s.io"],
    resources: ["networkpolicies"],
};

/** `kubectl debug` adds ephemeral containers to a running Pod through this subresource (UPDATE only). */
const EPHEMERAL_CONTAINERS_RULE: ResourceRule = {
    ...POD_RULE,
    operations: ["UPDATE"],
    resources: ["pods/ephemeralcontainers"],
};

const RESOURCE_RULES: Readonly<Record<RuleSubject, ResourceRule>> = {
    Pod: POD_RULE,
    Namespace: NAMESPACE_RULE,
    Secret: SECRET_RULE,
    Service: SERVICE_RULE,
    Ingress: INGRESS_RULE,
    "RoleBinding, ClusterRoleBinding": BINDING_RULE,
    NetworkPolicy: NETWORK_POLICY_RULE,
    SecretStore: SECRET_STORE_RULE,
};

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
 * The Pod projects no API token: no `volumes[].projected.sources[].serviceAccountToken` whose audience is
 * missing (the API server's own) or not one of NON_API_TOKEN_AUDIENCES. The kubelet writes a projected token
 * whatever `automountServiceAccountToken` says.
 */
function noProjectedApiToken(): string {
    return (
        "(!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.projected) || !has(v.projected.sources) || " +
        "v.projected.sources.all(s, !has(s.serviceAccountToken) || (has(s.serviceAccountToken.audience) && " +
        `s.serviceAccountToken.audience in ${celStringList(NON_API_TOKEN_AUDIENCES)}))))`
    );
}

/**
 * The Pod mounts no API token: it says `automountServiceAccountToken: false` itself and projects none, or
 * runs as one of the allowed ServiceAccounts. The Pod's field is what a Pod-only check can see: the
 * ServiceAccount's own `automountServiceAccountToken` applies only when the Pod leaves the field unset, and
 * standard CEL cannot read the ServiceAccount, so a Pod that relies on it is flagged.
 */
function tokenAutomountExpression(allowed: readonly ServiceAccountRef[]): string {
    const optedOut =
        "(has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken == false && " +
        `${noProjectedApiToken()})`;
    if (allowed.length === 0) return optedOut;
    return `${optedOut} || ${runsAsOneOf(allowed)}`;
}

/** CEL: the Pod (or pod template) runs as one of `allowed`, by `<namespace>/<name>`. */
export function runsAsOneOf(allowed: readonly ServiceAccountRef[]): string {
    // `object.metadata.namespace` is kept as is by autogen: a Deployment's namespace is its pods' namespace.
    // The API server falls back to the deprecated `serviceAccount` when `serviceAccountName` is empty.
    const serviceAccount =
        "(has(object.metadata.namespace) ? object.metadata.namespace : '') + '/' + " +
        "(has(object.spec.serviceAccountName) && object.spec.serviceAccountName != '' ? object.spec.serviceAccountName : " +
        "has(object.spec.serviceAccount) && object.spec.serviceAccount != '' ? object.spec.serviceAccount : 'default')";
    const keys = allowed.map((sa) => `${sa.namespace}/${sa.name}`);
    return `(${serviceAccount}) in ${celStringList(keys)}`;
}

/** An annotation of the object: `has(annotations) && key in annotations && annotations[key] == value`. */
function annotationIs(key: string, value: string): string {
    return (
        `(has(object.metadata.annotations) && ${celString(key)} in object.metadata.annotations && ` +
        `object.metadata.annotations[${celString(key)}] == ${celString(value)})`
    );
}

function annotationAbsent(key: string): string {
    return `(!has(object.metadata.annotations) || !(${celString(key)} in object.metadata.annotations))`;
}

/**
 * A LoadBalancer Service is internal as every AWS controller that may serve it reads it (see
 * AwsLoadBalancerAnnotation): scheme `internal` on a Service handed to the AWS Load Balancer Controller, or
 * `aws-load-balancer-internal: "true"` with no scheme and no other loadBalancerClass.
 */
function internalLoadBalancerExpression(): string {
    const lbc =
        `(has(object.spec.loadBalancerClass) ? object.spec.loadBalancerClass == ${celString(AWS_LBC_LOAD_BALANCER_CLASS)} : ` +
        `(has(object.metadata.annotations) && ${celString(AwsLoadBalancerAnnotation.Type)} in object.metadata.annotations && ` +
        `object.metadata.annotations[${celString(AwsLoadBalancerAnnotation.Type)}] in ${celStringList(AWS_LBC_LOAD_BALANCER_TYPES)}))`;
    const byScheme = `(${annotationIs(AwsLoadBalancerAnnotation.Scheme, AWS_LB_SCHEME_INTERNAL)} && ${lbc})`;
    const byLegacy =
        `(${annotationAbsent(AwsLoadBalancerAnnotation.Scheme)} && ` +
        `${annotationIs(AwsLoadBalancerAnnotation.Internal, AWS_LB_INTERNAL_TRUE)} && ` +
        `(!has(object.spec.loadBalancerClass) || object.spec.loadBalancerClass == ${celString(AWS_LBC_LOAD_BALANCER_CLASS)}))`;
    return `!has(object.spec.type) || object.spec.type != 'LoadBalancer' || ${byScheme} || ${byLegacy}`;
}

/**
 * Every host of the Ingress is covered by one of its `tls` entries: listed, or matched by a one-label
 * wildcard (`*.example.com` covers `api.example.com`, not `a.b.example.com`); a rule without a host (every
 * host) needs a `tls` entry without hosts (the controller's default certificate). An Ingress without `tls`
 * serves plain HTTP.
 */
function ingressTlsExpression(): string {
    const covers =
        "(h == r.host || (h.startsWith('*.') && r.host.size() > h.size() - 1 && r.host.endsWith(h.substring(1)) && " +
        "!r.host.substring(0, r.host.size() - h.size() + 1).contains('.')))";
    return (
        "has(object.spec.tls) && object.spec.tls.size() > 0 && (!has(object.spec.rules) || object.spec.rules.all(r, " +
        `has(r.host) && r.host != '' ? object.spec.tls.exists(t, has(t.hosts) && t.hosts.exists(h, ${covers})) : ` +
        "object.spec.tls.exists(t, !has(t.hosts) || t.hosts.size() == 0)))"
    );
}

/** The env's Service and Ingress rules, from its exposure profile: only those the profile asks for. */
function exposureRules(env: Environment): BaselineRule[] {
    const exposure = exposureProfileFor(env);
    const service = { subject: RuleSubject.Service, matchConditions: [], autogenControllers: [] } as const;
    const rules: BaselineRule[] = [];
    if (!exposure.nodePortServices) {
        rules.push({
            ...service,
            name: BaselinePolicyName.RestrictNodePortServices,
            title: "Restrict NodePort Services",
            category: "Networking",
            severity: Severity.Medium,
            description:
                `A NodePort Service opens a port on every node, outside any load balancer's rules. The ${env} ` +
                "cluster serves traffic through load balancers and Ingresses only.",
            validations: [
                {
                    expression: "!has(object.spec.type) || object.spec.type != 'NodePort'",
                    message: `Services of type NodePort are not allowed in ${env}; use ClusterIP behind an Ingress or an internal load balancer.`,
                },
            ],
        });
    }
    if (!exposure.externalIPs) {
        rules.push({
            ...service,
            name: BaselinePolicyName.RestrictExternalIPs,
            title: "Restrict Service External IPs",
            category: "Networking",
            severity: Severity.High,
            description:
                "spec.externalIPs lets whoever creates a Service intercept the cluster's traffic to any IP " +
                "(CVE-2020-8554). No Service may set it.",
            validations: [
                {
                    expression: "!has(object.spec.externalIPs) || object.spec.externalIPs.size() == 0",
                    message: "Services may not set spec.externalIPs (CVE-2020-8554).",
                },
            ],
        });
    }
    if (exposure.loadBalancers === "internal") {
        rules.push({
            ...service,
            name: BaselinePolicyName.RequireInternalLoadBalancers,
            title: "Require Internal Load Balancers",
            category: "Networking",
            severity: Severity.High,
            description:
                `A LoadBalancer Service in ${env} must be internal: ${AwsLoadBalancerAnnotation.Scheme}: ` +
                `${AWS_LB_SCHEME_INTERNAL} with the AWS Load Balancer Controller, or ` +
                `${AwsLoadBalancerAnnotation.Internal}: "${AWS_LB_INTERNAL_TRUE}".`,
            validations: [
                {
                    expression: internalLoadBalancerExpression(),
                    message:
                        `LoadBalancer Services must be internal in ${env}: set ${AwsLoadBalancerAnnotation.Scheme}: ` +
                        `${AWS_LB_SCHEME_INTERNAL} and spec.loadBalancerClass: ${AWS_LBC_LOAD_BALANCER_CLASS}.`,
                },
            ],
        });
    }
    if (exposure.ingressTls) {
        rules.push({
            ...service,
            subject: RuleSubject.Ingress,
            name: BaselinePolicyName.RequireIngressTls,
            title: "Require Ingress TLS",
            category: "Networking",
            severity: Severity.Medium,
            description: `Every host an Ingress serves in ${env} must be served over TLS (listed in spec.tls[].hosts).`,
            validations: [
                {
                    expression: ingressTlsExpression(),
                    message: "Every host of the Ingress must be listed in one of its spec.tls[].hosts.",
                },
            ],
        });
    }
    return rules;
}

/** A User or Group subject `s` named as one of the cluster's `system:` identities, not one ServiceAccount's user. */
function systemIdentity(s: string): string {
    return (
        `(has(${s}.kind) && ${s}.kind in ${celStringList(IDENTITY_SUBJECT_KINDS)} && has(${s}.name) && ` +
        `${s}.name.startsWith(${celString(SYSTEM_IDENTITY_PREFIX)}) && ` +
        `!${s}.name.startsWith(${celString(SERVICE_ACCOUNT_USER_PREFIX)}))`
    );
}

/**
 * The subject `s` is the cluster's own: a `system:` identity that stands for neither callers at large
 * (BROAD_SYSTEM_SUBJECTS) nor the ServiceAccounts of a namespace.
 */
function clusterIdentity(s: string): string {
    return (
        `(${systemIdentity(s)} && !(${s}.name in ${celStringList(BROAD_SYSTEM_SUBJECTS)}) && ` +
        `!${s}.name.startsWith(${celString(NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX)}))`
    );
}

/**
 * On UPDATE, the subject `s` was already bound by the object being replaced. The API server reconciles its
 * bootstrap bindings (system:discovery to system:authenticated, cluster-admin to system:masters, ...) by
 * updating them, and they exist before Kyverno is installed: a rule that refused them would stop the control
 * plane from keeping its own defaults. A binding gains no subject this way; on CREATE `oldObject` is null.
 */
function alreadyBound(s: string): string {
    return (
        "(oldObject != null && has(oldObject.subjects) && oldObject.subjects.exists(o, has(o.kind) && has(o.name) && " +
        `o.kind == ${s}.kind && o.name == ${s}.name))`
    );
}

/**
 * The rules on RoleBindings and ClusterRoleBindings that the binding alone decides: who it names, and
 * whether it gives cluster-admin. What a binding grants through a role defined elsewhere (a ClusterRole
 * equivalent to cluster-admin, a built-in `system:` role) needs the other objects: the pack judges it.
 */
function bindingRules(): BaselineRule[] {
    const binding = { subject: RuleSubject.Binding, matchConditions: [], autogenControllers: [] } as const;
    return [
        {
            ...binding,
            name: BaselinePolicyName.RestrictBindingSubjects,
            title: "Restrict Binding Subjects",
            category: "RBAC",
            severity: Severity.High,
            description:
                `A binding may not name callers at large (${BROAD_SYSTEM_SUBJECTS.join(", ")}, ` +
                `${NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX}<namespace>) or the cluster's own ${SYSTEM_IDENTITY_PREFIX} ` +
                "users and groups, which the API server's bootstrap policy binds. Subjects a binding already " +
                "named are kept on update.",
            validations: [
                {
                    expression:
                        "!has(object.subjects) || " +
                        `object.subjects.all(s, !${systemIdentity("s")} || ${alreadyBound("s")})`,
                    message:
                        `Bind the ServiceAccount or the group of people that needs the role, by name: no ` +
                        `${SYSTEM_IDENTITY_PREFIX} user or group (everyone, every ServiceAccount, the cluster's own identities).`,
                },
            ],
        },
        {
            ...binding,
            name: BaselinePolicyName.RestrictClusterAdminBindings,
            title: "Restrict cluster-admin Bindings",
            category: "RBAC",
            severity: Severity.High,
            description:
                `Nobody but the cluster's own identities is bound to ${CLUSTER_ADMIN_ROLE}, cluster-wide or in a ` +
                "namespace (where it is full control of the namespace, RBAC included).",
            validations: [
                {
                    expression:
                        `!has(object.roleRef) || object.roleRef.kind != 'ClusterRole' || ` +
                        `object.roleRef.name != ${celString(CLUSTER_ADMIN_ROLE)} || !has(object.subjects) || ` +
                        `object.subjects.all(s, ${clusterIdentity("s")})`,
                    message:
                        `Do not bind ${CLUSTER_ADMIN_ROLE}: bind the built-in view, edit or admin ClusterRole in a ` +
                        "namespace, or a Role listing what the subject needs.",
                },
            ],
        },
    ];
}

/** The NetworkPolicy directions: the rules' key, the peers' key, the policyTypes value. */
const NETWORK_DIRECTIONS = [
    { type: "Ingress", rules: "ingress", peers: "from" },
    { type: "Egress", rules: "egress", peers: "to" },
] as const;
type NetworkDirection = (typeof NETWORK_DIRECTIONS)[number];

/**
 * `predicate` (on the rule `r`) holds for every rule of `direction` the API server applies: all of them when
 * `policyTypes` is unset or empty (Ingress, and Egress when there are egress rules), else only those of a
 * listed direction.
 */
function everyAppliedRule(direction: NetworkDirection, predicate: (rule: string) => string): string {
    return (
        `(!has(object.spec.${direction.rules}) || (has(object.spec.policyTypes) && object.spec.policyTypes.size() > 0 && ` +
        `!(${celString(direction.type)} in object.spec.policyTypes)) || object.spec.${direction.rules}.all(r, ${predicate("r")}))`
    );
}

/** A rule `r` names its peers: a non-empty `from` / `to`, and no peer without a field. */
function namesPeers(direction: NetworkDirection, r: string): string {
    const peers = `${r}.${direction.peers}`;
    return (
        `(has(${peers}) && ${peers}.size() > 0 && ` +
        `${peers}.all(p, has(p.podSelector) || has(p.namespaceSelector) || has(p.ipBlock)))`
    );
}

/** `predicate` (on the peer `p`) holds for every peer of the rule `r`. */
function everyPeer(direction: NetworkDirection, r: string, predicate: (peer: string) => string): string {
    const peers = `${r}.${direction.peers}`;
    return `(!has(${peers}) || ${peers}.all(p, ${predicate("p")}))`;
}

/**
 * The namespaceSelector `sel` selects every namespace: its labels ask only for the env every namespace of
 * the cluster carries, and its expressions only exclude (NotIn, DoesNotExist of a label not every namespace
 * has) or ask for what every namespace has.
 */
function selectsEveryNamespace(sel: string): string {
    const every = celStringList(EVERY_NAMESPACE_LABELS);
    const env = celString(CLUSTER_WIDE_NAMESPACE_LABEL);
    return (
        `((!has(${sel}.matchLabels) || ${sel}.matchLabels.all(k, k == ${env})) && ` +
        `(!has(${sel}.matchExpressions) || ${sel}.matchExpressions.all(e, has(e.operator) && has(e.key) && (` +
        `(e.operator == 'In' && e.key == ${env}) || (e.operator == 'Exists' && e.key in ${every}) || ` +
        `(e.operator == 'DoesNotExist' && !(e.key in ${every})) || e.operator == 'NotIn'))))`
    );
}

/**
 * The peer `p` is an ipBlock of a whole address space with nothing excepted. Standard CEL has no CIDR
 * arithmetic: other spellings of a whole space, blocks that reach more public space than the baseline
 * allows and excepts are the pack's to judge (network-address-space).
 */
function wholeSpaceBlock(p: string): string {
    return (
        `(has(${p}.ipBlock) && has(${p}.ipBlock.cidr) && ${p}.ipBlock.cidr in ${celStringList(WHOLE_SPACE_CIDRS)} && ` +
        `(!has(${p}.ipBlock.except) || ${p}.ipBlock.except.size() == 0))`
    );
}

/** The NetworkPolicy rules that one NetworkPolicy decides, as far as standard CEL can read them. */
function networkPolicyRules(): BaselineRule[] {
    const networkPolicy = { subject: RuleSubject.NetworkPolicy, matchConditions: [], autogenControllers: [] } as const;
    const egress = NETWORK_DIRECTIONS[1];
    const both = (predicate: (d: NetworkDirection, r: string) => string): string =>
        `!has(object.spec) || (${NETWORK_DIRECTIONS.map((d) => everyAppliedRule(d, (r) => predicate(d, r))).join(" && ")})`;
    return [
        {
            ...networkPolicy,
            name: BaselinePolicyName.RestrictOpenNetworkRules,
            title: "Restrict Open NetworkPolicy Rules",
            category: "Networking",
            severity: Severity.High,
            description:
                "A NetworkPolicy rule with no from / to, an empty list or an empty peer allows every source or " +
                "destination, undoing the namespace's default-deny for the pods it selects.",
            validations: [
                {
                    expression: both((d, r) => namesPeers(d, r)),
                    message:
                        "Every ingress and egress rule must list its peers in from / to, each peer with a selector or an ipBlock.",
                },
            ],
        },
        {
            ...networkPolicy,
            name: BaselinePolicyName.RestrictAllNamespacesPeers,
            title: "Restrict NetworkPolicy Peers of Every Namespace",
            category: "Networking",
            severity: Severity.High,
            description:
                "A namespaceSelector every namespace satisfies ({}, NotIn, Exists on a label every namespace " +
                "carries) lets the pods of every namespace in, with or without a podSelector beside it.",
            validations: [
                {
                    expression: both((d, r) =>
                        everyPeer(
                            d,
                            r,
                            (p) =>
                                `!has(${p}.namespaceSelector) || !${selectsEveryNamespace(`${p}.namespaceSelector`)}`,
                        ),
                    ),
                    message: "Select each peer namespace by name (kubernetes.io/metadata.name), not every namespace.",
                },
            ],
        },
        {
            ...networkPolicy,
            name: BaselinePolicyName.RestrictWholeAddressSpace,
            title: "Restrict Whole-Address-Space ipBlocks",
            category: "Networking",
            severity: Severity.High,
            description: `An ipBlock of ${WHOLE_SPACE_CIDRS.join(" or ")} allows every source or destination.`,
            validations: [
                {
                    expression: both((d, r) => everyPeer(d, r, (p) => `!${wholeSpaceBlock(p)}`)),
                    message: "Name the peers' own CIDR blocks; route internet egress through a proxy.",
                },
            ],
        },
        {
            ...networkPolicy,
            name: BaselinePolicyName.RestrictMetadataEgress,
            title: "Restrict Egress to the Instance Metadata Service",
            category: "Networking",
            severity: Severity.High,
            description:
                "Egress that allows every destination (no to, an empty peer, a whole address space) reaches the " +
                "instance metadata service and with it the node's credentials.",
            validations: [
                {
                    expression:
                        `!has(object.spec) || ` +
                        everyAppliedRule(
                            egress,
                            (r) =>
                                `${namesPeers(egress, r)} && ${everyPeer(egress, r, (p) => `!${wholeSpaceBlock(p)}`)}`,
                        ),
                    message:
                        "Egress rules must name their destinations; pods get AWS credentials from their ServiceAccount's role.",
                },
            ],
        },
    ];
}

/**
 * A SecretStore neither falls back to the operator's identity (a provider of PROVIDERS_WITHOUT_AUTH_FALLBACK
 * without `auth`) nor logs in with credentials kept in a Secret (STORED_CREDENTIAL_AUTH).
 */
function secretStoreRule(): BaselineRule {
    const provider = "object.spec.provider";
    const checks = [
        ...PROVIDERS_WITHOUT_AUTH_FALLBACK.map(
            (name) =>
                `(!has(${provider}.${name}) || (has(${provider}.${name}.auth) && ${provider}.${name}.auth.size() > 0))`,
        ),
        ...Object.entries(STORED_CREDENTIAL_AUTH).flatMap(([name, methods]) =>
            methods.map(
                (method) =>
                    `(!has(${provider}.${name}) || !has(${provider}.${name}.auth) || !has(${provider}.${name}.auth.${method}))`,
            ),
        ),
    ];
    const stored = Object.entries(STORED_CREDENTIAL_AUTH)
        .flatMap(([name, methods]) => methods.map((m) => `${name} auth.${m}`))
        .join(", ");
    return {
        name: BaselinePolicyName.RestrictSecretStoreCredentials,
        title: "Restrict SecretStore Credentials",
        category: "Secrets",
        severity: Severity.High,
        subject: RuleSubject.SecretStore,
        description:
            `A SecretStore authenticates as a ServiceAccount it names: a ${PROVIDERS_WITHOUT_AUTH_FALLBACK.join(", ")} ` +
            `provider without auth uses the operator's own identity, and ${stored} log in with credentials kept in a Secret.`,
        matchConditions: [],
        validations: [
            {
                expression: `!has(object.spec) || !has(${provider}) || (${checks.join(" && ")})`,
                message:
                    "Authenticate the SecretStore as the app's ServiceAccount (aws auth.jwt.serviceAccountRef, vault " +
                    "auth.kubernetes.serviceAccountRef), not with stored credentials or the operator's identity.",
            },
        ],
        autogenControllers: [],
    };
}

/** The namespace's `env` label, when it has one, is the env's (or one of `namespaceEnvironments`). */
function namespaceEnvironmentValidation(inputs: RuleInputs): CelValidation {
    const label = `object.metadata.labels[${celString(RequiredLabel.Env)}]`;
    const present = `!has(object.metadata.labels) || !(${celString(RequiredLabel.Env)} in object.metadata.labels) || `;
    const allowed = inputs.namespaceEnvironments;
    if (allowed === undefined) {
        return {
            expression: `${present}${label} == ${celString(inputs.env)}`,
            message: `The ${RequiredLabel.Env} label of a namespace in the ${inputs.env} cluster must be ${inputs.env}.`,
        };
    }
    return {
        expression: `${present}${label} in ${celStringList(allowed)}`,
        message: `The ${RequiredLabel.Env} label of a namespace on this cluster must name one of its envs: ${allowed.join(", ")}.`,
    };
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
            ephemeralContainers: true,
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
            ephemeralContainers: true,
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
            ephemeralContainers: true,
            title: "Restrict Image Registries",
            category: "Supply Chain Security",
            severity: Severity.High,
            description:
                "App images must come from the environment's registries; anything else, the platform's own " +
                "registries included (approved for the add-ons' namespaces only), is unreviewed code.",
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
            ephemeralContainers: true,
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
            ephemeralContainers: true,
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
                "automountServiceAccountToken to false and project no API token (a projected serviceAccountToken " +
                "volume without a non-API audience such as sts.amazonaws.com) unless their ServiceAccount is one " +
                "declared to need API access.",
            validations: [
                {
                    expression: tokenAutomountExpression(inputs.apiAccessServiceAccounts),
                    message:
                        "Set automountServiceAccountToken: false on the Pod and project no API token; only the " +
                        "ServiceAccounts declared to call the Kubernetes API may mount a token.",
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
                namespaceEnvironmentValidation(inputs),
            ],
            autogenControllers: [],
        },
        {
            name: BaselinePolicyName.RestrictLegacyTokenSecrets,
            title: "Restrict Legacy ServiceAccount Token Secrets",
            category: "Security",
            severity: Severity.High,
            subject: RuleSubject.Secret,
            description:
                `A Secret of type ${LEGACY_TOKEN_SECRET_TYPE} is filled with a never-expiring API token of the ` +
                "ServiceAccount it names, which any pod of the namespace can mount. Pods get short-lived tokens instead.",
            matchConditions: [],
            validations: [
                {
                    expression: `!has(object.type) || object.type != ${celString(LEGACY_TOKEN_SECRET_TYPE)}`,
                    message: `Secrets of type ${LEGACY_TOKEN_SECRET_TYPE} are not allowed; use projected tokens.`,
                },
            ],
            autogenControllers: [],
        },
        ...exposureRules(inputs.env),
        ...bindingRules(),
        ...networkPolicyRules(),
        secretStoreRule(),
    ];
}

/** Where and how policies apply: the environment's action and the namespaces they leave alone. */
export interface PolicyScope {
    /** The env whose profile (deny or audit) the policies apply. */
    readonly env: Environment;
    /** Namespaces the policies do not judge at admission (ADMISSION_EXCLUDED_NAMESPACES by default). */
    readonly excludedNamespaces: readonly string[];
    /**
     * On a shared cluster, the `env` label a namespace must (In) or must not (NotIn) carry for the policies
     * to judge its objects. Default: none, every namespace but the excluded ones (a cluster of its own).
     */
    readonly environmentLabel?: LabelSelectorRequirement;
    /** The cluster-wide name of the policy named `base` in this scope. Default: `base` itself. */
    readonly policyName?: (base: string) => string;
}

/** The name of the policy `base` in `scope`. */
export function scopedPolicyName(base: string, scope: PolicyScope): string {
    return scope.policyName ? scope.policyName(base) : base;
}

/** The namespaces `scope` judges: every one but the excluded, and on a shared cluster only those of its env label. */
export function scopeNamespaceSelector(scope: PolicyScope): NamespaceSelector {
    const selector = namespacesExcept(scope.excludedNamespaces);
    if (!scope.environmentLabel) return selector;
    const { key, operator, values } = scope.environmentLabel;
    return { matchExpressions: [...selector.matchExpressions, { key, operator, values: [...values] }] };
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
    const resourceRule = RESOURCE_RULES[rule.subject];
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "ValidatingPolicy",
        metadata: {
            name: scopedPolicyName(rule.name, scope),
            labels: managedLabels(),
            annotations: policyAnnotations(rule),
        },
        spec: {
            validationActions: validationActionsFor(profileFor(scope.env).policyAction),
            // Fail closed: when Kyverno cannot evaluate a security rule (down, timing out, an expression
            // erroring) the request is refused rather than admitted unchecked. The excluded namespaces
            // (ADMISSION_EXCLUDED_NAMESPACES: kube-system and the add-ons') keep the cluster and Kyverno itself
            // able to start while Kyverno is unavailable.
            failurePolicy: "Fail",
            // One rule on `pods` and nothing else is what lets Kyverno autogen the controller rules; the
            // `pods/ephemeralcontainers` subresource would disable it, so ephemeral containers added by
            // `kubectl debug` are judged at admission by the rule's twin on that subresource
            // (ephemeralContainerTwin).
            matchConstraints: {
                resourceRules: [{ ...resourceRule }],
                namespaceSelector: scopeNamespaceSelector(scope),
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

/**
 * The twin of a Pod rule that reads ephemeral containers: the same validations on the
 * `pods/ephemeralcontainers` subresource, whose request carries the whole Pod with the containers
 * `kubectl debug` adds. No autogen: controllers' pod templates cannot hold ephemeral containers.
 */
export function ephemeralContainerTwin(rule: BaselineRule, scope: PolicyScope): ValidatingPolicyManifest {
    const policy = validatingPolicy(rule, scope);
    return {
        ...policy,
        metadata: { ...policy.metadata, name: scopedPolicyName(`${rule.name}${EPHEMERAL_TWIN_SUFFIX}`, scope) },
        spec: {
            ...policy.spec,
            matchConstraints: { ...policy.spec.matchConstraints, resourceRules: [{ ...EPHEMERAL_CONTAINERS_RULE }] },
            autogen: { validatingAdmissionPolicy: { enabled: false } },
        },
    };
}

/** The ValidatingPolicies of the baseline: one per rule, and the ephemeral-container twins. */
export function baselineValidatingPolicies(inputs: RuleInputs, scope: PolicyScope): ValidatingPolicyManifest[] {
    const rules = baselineRules(inputs);
    return [
        ...rules.map((rule) => validatingPolicy(rule, scope)),
        ...rules.filter((rule) => rule.ephemeralContainers).map((rule) => ephemeralContainerTwin(rule, scope)),
    ];
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
 * The ImageValidatingPolicy requiring a valid cosign signature on every image an app can run: every image
 * reference is matched (`*`; Kyverno skips any image no reference matches, even in the verification
 * functions), in containers, init containers and ephemeral containers, on Pods, on the pod controllers
 * (autogen) and on the `pods/ephemeralcontainers` subresource `kubectl debug` writes through. The
 * registries rule already refuses images from outside the env's `registries`; matching every image keeps an
 * image from anywhere else unsigned even where an exception waives that rule. The add-ons' images run in the
 * excluded namespaces and are signed by their upstream projects with other identities.
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
    const signer = verification.keyless
        ? `${verification.keyless.subject} (issuer ${verification.keyless.issuer})`
        : "one of the declared public keys";
    const rule = {
        title: "Verify Image Signatures",
        category: "Supply Chain Security",
        severity: Severity.High,
        subject: RuleSubject.Pod,
        description:
            `Every image (from ${registries.join(", ")}, the only registries apps may use) must carry a cosign ` +
            `signature by ${signer}.`,
    };
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "ImageValidatingPolicy",
        metadata: {
            name: scopedPolicyName(BaselinePolicyName.VerifyImageSignatures, scope),
            labels: managedLabels(),
            annotations: policyAnnotations(rule),
        },
        spec: {
            validationActions: validationActionsFor(profileFor(scope.env).policyAction),
            failurePolicy: "Fail",
            // Verification fetches signatures from the registry: allow the API server's maximum.
            webhookConfiguration: { timeoutSeconds: 30 },
            matchConstraints: {
                resourceRules: [{ ...POD_RULE }, { ...EPHEMERAL_CONTAINERS_RULE }],
                namespaceSelector: scopeNamespaceSelector(scope),
            },
            autogen: { podControllers: { controllers: autogenControllersFor(Object.keys(POD_CONTROLLERS)) } },
            // Kyverno's globs are not path-aware: `*` matches every reference, registry and repository.
            matchImageReferences: [{ glob: "*" }],
            // The env's profile decides (components/baseline imageDigests): Kyverno defaults both to true, so
            // both are written out.
            validationConfigurations: {
                mutateDigest: profileFor(scope.env).imageDigests.mutate,
                verifyDigest: profileFor(scope.env).imageDigests.verify,
                required: true,
            },
            attestors,
            validations: [
                {
                    expression:
                        "(images.containers + images.initContainers + images.ephemeralContainers)" +
                        `.all(image, verifyImageSignatures(image, ${attestorList}) > 0)`,
                    message: `Every image must be signed by ${signer}.`,
                },
            ],
        },
    };
}
