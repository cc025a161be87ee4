/**
 * Collisions between envs that share a cluster (components/baseline/topology.ts): an env stack's namespaces,
 * trust subjects, cluster-scoped objects and NetworkPolicy peers, judged by what the API server, IAM and
 * Vault would do with them on a cluster other envs also run on. On a dedicated cluster there is no other env
 * to meet, and these policies report nothing beyond the env label; the topology itself is judged on both.
 *
 * The topology is the pack config's `topology` (absent: a cluster of the env's own); the env is the judged
 * one (envOf). A resource whose env is not known is not judged here, as in cross-env-references.
 */
import {
    ADDON_NAMESPACES,
    ClusterTopology,
    Environment,
    environmentNamespacePattern,
    isEnvironmentScopedName,
    isSharedCluster,
    NAMESPACE_NAME_LABEL,
    namespaceBelongsTo,
    namespaceEnvironment,
    RequiredLabel,
    topologyProblems,
} from "../../../components/baseline";
import { VAULT_KUBERNETES_AUTH_ROLE } from "../vault/kubernetes-auth";
import { IAM_ROLE } from "../aws/iam";
import { coversAction, documentAt, Statement, statementName } from "../aws/documents";
import { isPositiveOperator } from "../aws/principals";
import { EKS_POD_IDENTITY_ASSOCIATION, podIdentityStatements, WEB_IDENTITY } from "../aws/trust";
import { isPlatformChartResource } from "../platform";
import {
    CLUSTER_SCOPED_KINDS,
    containsUnknown,
    describeResource,
    envOf,
    isUnknown,
    kubernetesKindOf,
    topologyOf,
} from "../resource";
import {
    EnforcementLevel,
    PolicyResource,
    PolicySettings,
    Reporter,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../types";
import { globPattern, hasWildcard, namePattern, patternsOverlap } from "./globs";

const TOPOLOGY_URL = "https://kubernetes.io/docs/concepts/security/multi-tenancy/";

/** The env and topology a resource is judged in, or undefined when its env is not known. */
function judgedIn(
    resource: PolicyResource,
    settings: PolicySettings,
): { env: Environment; topology: ClusterTopology } | undefined {
    const env = envOf(resource, settings);
    if (env === undefined) return undefined;
    return { env, topology: topologyOf(settings, env) };
}

/** Whom a namespace belongs to on a shared cluster, for messages: `stage`, or `no env`. */
function ownerOf(namespace: string, topology: ClusterTopology): string {
    return namespaceEnvironment(namespace, topology.namespaceLayout) ?? "no env (its name carries none)";
}

/**
 * True for an env's own object in an add-on's namespace on a shared cluster: its name carries the env (an
 * issuer's DNS-01 ServiceAccount `shop-dev-acme-dns01` and its token Role in cert-manager's namespace), so
 * another env's copy is another object. Only the platform deploys into the add-ons' namespaces.
 */
function envObjectInAddonNamespace(
    namespace: string,
    name: unknown,
    env: Environment,
    topology: ClusterTopology,
): boolean {
    return (
        ADDON_NAMESPACES.includes(namespace) &&
        typeof name === "string" &&
        isEnvironmentScopedName(name, env, topology) &&
        otherEnvironments(env, topology).every((other) => !isEnvironmentScopedName(name, other, topology))
    );
}

/** What an env's namespaces are called, for remediation text: `payments-dev`, or `dev`. */
function namespaceForm(env: Environment, topology: ClusterTopology): string {
    return environmentNamespacePattern(env, topology.namespaceLayout).replace("*", "<app>");
}

/** The other envs of the cluster. */
function otherEnvironments(env: Environment, topology: ClusterTopology): Environment[] {
    return topology.environments.filter((other) => other !== env);
}

// ---------------------------------------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------------------------------------

/** Helm resources that install into a namespace given as their own `namespace` input. */
const HELM_TYPES: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);

/**
 * `cross-env-namespaces`: on a shared cluster, an env stack's Namespaces and namespaced objects (and Helm
 * releases) sit in namespaces of that env under the namespace layout (namespaceBelongsTo: `<app>-<env>`
 * per app, `<env>` per env); a namespace whose name carries no env (`payments`) is one every env's stack
 * could render, and would: their objects would overwrite each other. On either layout, a Namespace's `env`
 * label is the judged env, set: per-env admission and NetworkPolicies select namespaces by it. Objects of
 * the platform's own charts are left alone (policies/platform.ts). Unknowns: an unknown namespace, name or
 * env label is reported as unknown.
 */
export const crossEnvNamespaces: ResourcePolicy = {
    kind: "resource",
    name: "cross-env-namespaces",
    group: "cross-env",
    description:
        "An env's namespaces and namespaced objects sit in namespaces of that env, and its Namespaces carry its env label.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name namespaces with environmentNamespace (`<app>-<env>`, or `<env>` with the per-env layout) and let SecureNamespace set the env label; keep each env stack's objects in its own namespaces.",
    url: TOPOLOGY_URL,
    validate(resource, settings, report) {
        const judged = judgedIn(resource, settings);
        if (!judged) return;
        const { env, topology } = judged;
        const shared = isSharedCluster(topology);
        const what = describeResource(resource);
        if (HELM_TYPES.has(resource.type)) {
            if (!shared) return;
            const namespace = resource.props.namespace;
            if (isUnknown(namespace)) return report.unknown("namespace");
            const ns = typeof namespace === "string" && namespace !== "" ? namespace : "default";
            if (!namespaceBelongsTo(ns, env, topology)) {
                report.violation(
                    `${what} installs into namespace ${ns}, which belongs to ${ownerOf(ns, topology)}, not to ${env}, on a cluster ${env} shares`,
                );
            }
            return;
        }
        const kind = kubernetesKindOf(resource.type)?.kind;
        if (kind === undefined || isPlatformChartResource(resource, settings)) return;
        const metadata = resource.props.metadata;
        if (isUnknown(metadata)) return report.unknown("metadata");
        if (metadata === undefined || metadata === null || typeof metadata !== "object") return;
        if (kind === "Namespace") {
            const name = metadata.name;
            if (isUnknown(name)) report.unknown("metadata.name");
            else if (shared && typeof name === "string" && !namespaceBelongsTo(name, env, topology)) {
                report.violation(
                    `${what} belongs to ${ownerOf(name, topology)}, not to ${env}, on a cluster ${env} shares with ${otherEnvironments(env, topology).join(", ")}: name it ${namespaceForm(env, topology)}`,
                );
            }
            const labels = metadata.labels;
            const label = labels !== null && typeof labels === "object" ? labels[RequiredLabel.Env] : undefined;
            if (isUnknown(labels) || isUnknown(label)) report.unknown(`metadata.labels.${RequiredLabel.Env}`);
            else if (label !== env) {
                report.violation(
                    `${what}: metadata.labels.${RequiredLabel.Env} is ${typeof label === "string" ? label : label === undefined ? "not set" : JSON.stringify(label)}, but the namespace is ${env}'s: per-env admission and NetworkPolicies select namespaces by it`,
                );
            }
            return;
        }
        if (!shared || CLUSTER_SCOPED_KINDS.has(kind)) return;
        const namespace = metadata.namespace;
        if (isUnknown(namespace)) return report.unknown("metadata.namespace");
        const ns = typeof namespace === "string" && namespace !== "" ? namespace : "default";
        if (isUnknown(metadata.name)) return report.unknown("metadata.name");
        if (!namespaceBelongsTo(ns, env, topology) && !envObjectInAddonNamespace(ns, metadata.name, env, topology)) {
            report.violation(
                `${what} is in namespace ${ns}, which belongs to ${ownerOf(ns, topology)}, not to ${env}, on a cluster ${env} shares with ${otherEnvironments(env, topology).join(", ")}`,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------------------
// Trust subjects
// ---------------------------------------------------------------------------------------------------------

const SUBJECT_PREFIX = "system:serviceaccount:";
const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;
const OIDC_PROVIDER = ":oidc-provider/";
const NAMESPACE_TAG = "aws:requesttag/kubernetes-namespace";

/**
 * Why a namespace value (a literal, or a glob when `glob`) admits a namespace that is not `env`'s on the
 * shared cluster, or undefined. `subject`: the value is a whole `system:serviceaccount:<ns>:<sa>` subject.
 */
function namespaceValueProblem(
    value: string,
    glob: "*?" | "*" | undefined,
    subject: boolean,
    env: Environment,
    topology: ClusterTopology,
): string | undefined {
    if (glob !== undefined && hasWildcard(value, glob)) {
        const pattern = globPattern(value, glob);
        const reached = otherEnvironments(env, topology).filter((other) => {
            const namespaces = environmentNamespacePattern(other, topology.namespaceLayout);
            return patternsOverlap(pattern, namePattern(subject ? `${SUBJECT_PREFIX}${namespaces}:*` : namespaces));
        });
        if (reached.length === 0) return undefined;
        return `${JSON.stringify(value)} matches namespaces of ${reached.join(", ")}`;
    }
    let namespace = value;
    if (subject) {
        const match = SUBJECT.exec(value);
        // Not a ServiceAccount subject: it admits no pod.
        if (!match) return undefined;
        namespace = match[1];
    }
    if (namespaceBelongsTo(namespace, env, topology)) return undefined;
    if (subject && envObjectInAddonNamespace(namespace, SUBJECT.exec(value)![2], env, topology)) return undefined;
    return `${JSON.stringify(value)} is in namespace ${namespace}, which belongs to ${ownerOf(namespace, topology)}, not to ${env}`;
}

/** True for the operators under which IAM reads `*` and `?` as wildcards. */
function isLikeOperator(operator: string): boolean {
    return /Like$/i.test(operator);
}

/** The values of every positive condition on a key (any case) that `accepts`, with the operator's glob syntax. */
function conditionsOn(
    statement: Statement,
    accepts: (key: string) => boolean,
): { value: string; glob: "*?" | undefined }[] {
    const found: { value: string; glob: "*?" | undefined }[] = [];
    for (const [operator, block] of Object.entries(statement.condition)) {
        if (!isPositiveOperator(operator)) continue;
        for (const [key, values] of Object.entries(block)) {
            if (!accepts(key.toLowerCase())) continue;
            for (const value of values) found.push({ value, glob: isLikeOperator(operator) ? "*?" : undefined });
        }
    }
    return found;
}

function judgeRoleTrust(resource: PolicyResource, env: Environment, topology: ClusterTopology, report: Reporter): void {
    const statements = documentAt(resource.props.assumeRolePolicy, "assumeRolePolicy", report);
    if (!statements) return;
    const what = describeResource(resource);
    const others = otherEnvironments(env, topology).join(", ");
    for (const statement of statements) {
        if (statement.effect !== "Allow") continue;
        const where = `${what}: ${statementName(statement)}`;
        if (coversAction(statement, WEB_IDENTITY)) {
            const subjects = conditionsOn(statement, (key) => key.endsWith(":sub"));
            const federated = statement.principal?.Federated ?? [];
            if (subjects.length === 0 && federated.some((p) => p.includes(OIDC_PROVIDER))) {
                report.violation(
                    `${where} trusts the cluster's OIDC provider with no :sub condition, so every ServiceAccount of the cluster, ${others}'s included, can assume the role`,
                );
            }
            for (const { value, glob } of subjects) {
                const problem = namespaceValueProblem(value, glob, true, env, topology);
                if (problem) {
                    report.violation(`${where} trusts subject ${problem}, on a cluster ${env} shares with ${others}`);
                }
            }
        }
        if (podIdentityStatements([statement]).length > 0) {
            for (const { value, glob } of conditionsOn(statement, (key) => key === NAMESPACE_TAG)) {
                const problem = namespaceValueProblem(value, glob, false, env, topology);
                if (problem) {
                    report.violation(
                        `${where} admits the kubernetes-namespace session tag ${problem}, on a cluster ${env} shares with ${others}`,
                    );
                }
            }
        }
    }
}

/**
 * `cross-env-trust-subjects`: on a shared cluster (one OIDC issuer, one cluster name for every env on it),
 * nothing that hands out an env's credentials admits a ServiceAccount outside that env's namespaces:
 * - an IAM role's IRSA trust: every `<issuer>:sub` value (StringEquals or StringLike, ForAnyValue too; the
 *   key in any case, as IAM compares keys) names a ServiceAccount in one of the env's namespaces, and a glob
 *   (`system:serviceaccount:*:payments`) matches none of another env's; a web-identity statement on the
 *   cluster's provider with no `:sub` condition admits every ServiceAccount;
 * - an IAM role's Pod Identity trust: its `aws:RequestTag/kubernetes-namespace` values, likewise;
 * - a PodIdentityAssociation: its namespace is the env's;
 * - a Vault Kubernetes auth role: its boundServiceAccountNamespaces (`*` and globs as Vault matches them)
 *   admit none of another env's namespaces (one auth backend serves the cluster, so a role is the only line
 *   between envs).
 * On a dedicated cluster no other env's ServiceAccount exists to be admitted. Unknowns: an unknown trust
 * policy, namespace or namespace list is reported as unknown.
 */
export const crossEnvTrustSubjects: ResourcePolicy = {
    kind: "resource",
    name: "cross-env-trust-subjects",
    group: "cross-env",
    description:
        "On a shared cluster, IRSA and Pod Identity trust and Vault Kubernetes auth roles admit only ServiceAccounts of the env's own namespaces.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Bind each role to its ServiceAccount in the env's namespace (environmentNamespace), with StringEquals and no wildcard: WorkloadIdentity and VaultAppAccess do when given the topology.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    types: [IAM_ROLE, EKS_POD_IDENTITY_ASSOCIATION, VAULT_KUBERNETES_AUTH_ROLE],
    validate(resource, settings, report) {
        const judged = judgedIn(resource, settings);
        if (!judged || !isSharedCluster(judged.topology)) return;
        const { env, topology } = judged;
        const what = describeResource(resource);
        const others = otherEnvironments(env, topology).join(", ");
        if (resource.type === IAM_ROLE) return judgeRoleTrust(resource, env, topology, report);
        if (resource.type === EKS_POD_IDENTITY_ASSOCIATION) {
            const namespace = resource.props.namespace;
            if (isUnknown(namespace)) return report.unknown("namespace");
            if (typeof namespace !== "string") return;
            const problem = namespaceValueProblem(namespace, undefined, false, env, topology);
            if (problem) report.violation(`${what}: namespace ${problem}, on a cluster ${env} shares with ${others}`);
            return;
        }
        const namespaces = resource.props.boundServiceAccountNamespaces;
        if (containsUnknown(namespaces)) return report.unknown("boundServiceAccountNamespaces");
        if (!Array.isArray(namespaces)) return;
        namespaces.forEach((value, i) => {
            if (typeof value !== "string") return;
            const problem = namespaceValueProblem(value, "*", false, env, topology);
            if (problem) {
                report.violation(
                    `${what}: boundServiceAccountNamespaces[${i}] ${problem}, on a cluster ${env} shares with ${others}`,
                );
            }
        });
    },
};

// ---------------------------------------------------------------------------------------------------------
// Namespace selection
// ---------------------------------------------------------------------------------------------------------

/**
 * Whether a label selector of namespaces selects only `env`'s namespaces: it requires the `env` label to
 * be `env` (matchLabels, or In with `env` as its only value), or it names namespaces by
 * kubernetes.io/metadata.name (matchLabels, or In) none of which is another env's (the env's own, or the
 * cluster's: kube-system, a shared ingress controller's). Requirements are ANDed, so one
 * such requirement is enough. Undefined when part of it is unknown.
 */
export function selectsOnlyEnvironment(
    selector: unknown,
    env: Environment,
    topology: ClusterTopology,
): boolean | undefined {
    if (containsUnknown(selector)) return undefined;
    if (selector === null || typeof selector !== "object") return false;
    const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
    // Namespaces named one by one select exactly those: none may be another env's. A namespace no env claims
    // (kube-system, a shared ingress controller's) is the cluster's, and only the platform creates namespaces.
    const ownNamespaces = (values: unknown[]): boolean =>
        values.length > 0 &&
        values.every((v) => {
            if (typeof v !== "string") return false;
            const owner = namespaceEnvironment(v, topology.namespaceLayout);
            return owner === undefined || owner === env;
        });
    if (matchLabels !== null && typeof matchLabels === "object") {
        const labels = matchLabels as Record<string, unknown>;
        if (labels[RequiredLabel.Env] === env) return true;
        if (NAMESPACE_NAME_LABEL in labels && ownNamespaces([labels[NAMESPACE_NAME_LABEL]])) return true;
    }
    const expressions = Array.isArray(matchExpressions) ? matchExpressions : [];
    return expressions.some((e) => {
        if (e?.operator !== "In" || !Array.isArray(e.values)) return false;
        if (e.key === RequiredLabel.Env) return e.values.length > 0 && e.values.every((v: unknown) => v === env);
        return e.key === NAMESPACE_NAME_LABEL && ownNamespaces(e.values);
    });
}

/** `env: <env>` as a selector requirement, for messages. */
function envRequirement(env: Environment): string {
    return `{"key":"${RequiredLabel.Env}","operator":"In","values":["${env}"]}`;
}

// ---------------------------------------------------------------------------------------------------------
// Cluster-scoped objects
// ---------------------------------------------------------------------------------------------------------

const KYVERNO_CEL_KINDS: ReadonlySet<string> = new Set([
    "ValidatingPolicy",
    "ImageValidatingPolicy",
    "MutatingPolicy",
    "GeneratingPolicy",
    "DeletingPolicy",
]);
const ADMISSION_POLICY_KINDS: ReadonlySet<string> = new Set(["ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"]);
const ADMISSION_BINDING_KINDS: ReadonlySet<string> = new Set([
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicyBinding",
]);

/** The cluster-scoped kinds an env stack may own on a shared cluster, each once per env, by API group. */
const ENV_OWNED_CLUSTER_KINDS: ReadonlyMap<string, string> = new Map([
    ["ClusterRole", "rbac.authorization.k8s.io"],
    ["ClusterRoleBinding", "rbac.authorization.k8s.io"],
    ["ClusterIssuer", "cert-manager.io"],
    ["ClusterSecretStore", "external-secrets.io"],
    ["ClusterPolicy", "kyverno.io"],
    ...[...KYVERNO_CEL_KINDS].map((kind): [string, string] => [kind, "policies.kyverno.io"]),
    ...[...ADMISSION_POLICY_KINDS, ...ADMISSION_BINDING_KINDS].map((kind): [string, string] => [
        kind,
        "admissionregistration.k8s.io",
    ]),
]);

/** The kind of a cluster-scoped object an env owns, or undefined. */
function envOwnedKind(resource: PolicyResource): string | undefined {
    const kind = kubernetesKindOf(resource.type);
    if (kind === undefined) return undefined;
    const group = kind.apiVersion.includes("/") ? kind.apiVersion.slice(0, kind.apiVersion.indexOf("/")) : "";
    return ENV_OWNED_CLUSTER_KINDS.get(kind.kind) === group ? kind.kind : undefined;
}

/** Whether a Kyverno ClusterPolicy rule's `match` selects only the env's namespaces; undefined: unknown. */
function classicMatchLimited(match: unknown, env: Environment, topology: ClusterTopology): boolean | undefined {
    if (containsUnknown(match)) return undefined;
    if (match === null || typeof match !== "object") return false;
    const filterLimited = (filter: any): boolean => {
        const resources = filter?.resources;
        if (resources === null || typeof resources !== "object") return false;
        const namespaces: unknown = resources.namespaces;
        if (
            Array.isArray(namespaces) &&
            namespaces.length > 0 &&
            namespaces.every(
                (ns) => typeof ns === "string" && !ns.includes("*") && namespaceBelongsTo(ns, env, topology),
            )
        ) {
            return true;
        }
        return selectsOnlyEnvironment(resources.namespaceSelector, env, topology) === true;
    };
    const { resources, any, all } = match as { resources?: unknown; any?: unknown; all?: unknown };
    if (resources !== undefined && filterLimited({ resources })) return true;
    if (Array.isArray(all) && all.some(filterLimited)) return true;
    return Array.isArray(any) && any.length > 0 && any.every(filterLimited);
}

/** Where an object's namespace selection is not limited to the env's namespaces: paths and problems. */
function selectionProblems(
    kind: string,
    props: Record<string, any>,
    env: Environment,
    topology: ClusterTopology,
    report: Reporter,
    options?: { urn?: string },
): string[] {
    const problems: string[] = [];
    const selector = (path: string, value: unknown): void => {
        const limited = selectsOnlyEnvironment(value, env, topology);
        if (limited === undefined) report.unknown(path, options);
        else if (!limited) {
            problems.push(
                value === undefined
                    ? `${path} is not set, so it selects every namespace`
                    : `${path} ${JSON.stringify(value)} does not limit it to ${env}'s namespaces`,
            );
        }
    };
    const spec = props.spec;
    if (isUnknown(spec)) {
        report.unknown("spec", options);
        return problems;
    }
    if (KYVERNO_CEL_KINDS.has(kind) || ADMISSION_POLICY_KINDS.has(kind)) {
        selector("spec.matchConstraints.namespaceSelector", spec?.matchConstraints?.namespaceSelector);
    } else if (ADMISSION_BINDING_KINDS.has(kind)) {
        selector("spec.matchResources.namespaceSelector", spec?.matchResources?.namespaceSelector);
    } else if (kind === "ClusterPolicy") {
        const rules: unknown = spec?.rules;
        if (isUnknown(rules)) report.unknown("spec.rules", options);
        else if (Array.isArray(rules)) {
            rules.forEach((rule, i) => {
                const limited = classicMatchLimited(rule?.match, env, topology);
                if (limited === undefined) report.unknown(`spec.rules[${i}].match`, options);
                else if (!limited) {
                    problems.push(`spec.rules[${i}].match does not limit the rule to ${env}'s namespaces`);
                }
            });
        }
    }
    return problems;
}

/**
 * `cross-env-cluster-objects`: on a shared cluster, every cluster-scoped object an env stack creates
 * (ClusterRole, ClusterRoleBinding, ClusterIssuer, ClusterSecretStore, Kyverno ClusterPolicy and
 * ValidatingPolicy / ImageValidatingPolicy / MutatingPolicy / GeneratingPolicy / DeletingPolicy,
 * ValidatingAdmissionPolicy / MutatingAdmissionPolicy and their bindings) is named for its env
 * (carries the env as a word: environmentScopedName, `<base>-<env>`), since another env's copy of the same name would overwrite it; and
 * an admission policy selects only the env's namespaces (the `env` label In [env], or namespaces of the env
 * by name), since a cluster-scoped policy otherwise judges every env's namespaces at this env's level.
 * Kyverno CEL policies and admission policies are read at spec.matchConstraints.namespaceSelector, a
 * binding at spec.matchResources.namespaceSelector (or, when the stack holds it, its policy's: either
 * limits what the binding applies to), each ClusterPolicy rule at its match (resources, all, any). The
 * platform's own charts' objects are the cluster's and left alone. Unknowns are reported as unknown.
 */
export const crossEnvClusterObjects: StackPolicy = {
    kind: "stack",
    name: "cross-env-cluster-objects",
    group: "cross-env",
    description:
        "On a shared cluster, an env's cluster-scoped objects carry its env in their name, and its admission policies select only its namespaces.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Name cluster-scoped objects with environmentScopedName (`<base>-<env>`) and add {"key":"env","operator":"In","values":["<env>"]} to each admission policy\'s namespaceSelector.',
    url: TOPOLOGY_URL,
    validateStack(resources, settings, report) {
        // The admission policies of the stack whose own selection is limited, by name.
        const limitedPolicies = new Set<string>();
        const candidates: { resource: PolicyResource; kind: string; env: Environment; topology: ClusterTopology }[] =
            [];
        for (const resource of resources) {
            const kind = envOwnedKind(resource);
            if (kind === undefined || isPlatformChartResource(resource, settings)) continue;
            const judged = judgedIn(resource, settings);
            if (!judged || !isSharedCluster(judged.topology)) continue;
            candidates.push({ resource, kind, ...judged });
            if (ADMISSION_POLICY_KINDS.has(kind)) {
                const name = resource.props?.metadata?.name;
                const silent: Reporter = { violation() {}, unknown() {} };
                if (
                    typeof name === "string" &&
                    selectionProblems(kind, resource.props, judged.env, judged.topology, silent).length === 0
                ) {
                    limitedPolicies.add(`${kind}/${name}`);
                }
            }
        }
        for (const { resource, kind, env, topology } of candidates) {
            const options = resource.urn === undefined ? undefined : { urn: resource.urn };
            const what = describeResource(resource);
            const metadata = resource.props?.metadata;
            const name = isUnknown(metadata) ? metadata : metadata?.name;
            if (isUnknown(name)) report.unknown("metadata.name", options);
            else if (typeof name === "string" && !isEnvironmentScopedName(name, env, topology)) {
                report.violation(
                    `${what}: the name ${name} does not carry the env, so ${otherEnvironments(env, topology).join(", ")}'s ${kind} of the same name would be the same object: name it ${name}-${env}`,
                    options,
                );
            }
            if (ADMISSION_POLICY_KINDS.has(kind)) continue;
            if (ADMISSION_BINDING_KINDS.has(kind)) {
                const policyName = resource.props?.spec?.policyName;
                const policyKind = kind.replace(/Binding$/, "");
                if (typeof policyName === "string" && limitedPolicies.has(`${policyKind}/${policyName}`)) continue;
            }
            const problems = selectionProblems(kind, resource.props ?? {}, env, topology, report, options);
            for (const problem of problems) {
                report.violation(
                    `${what}: ${problem}, so it judges ${otherEnvironments(env, topology).join(", ")}'s namespaces at ${env}'s level: add ${envRequirement(env)}`,
                    options,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------
// NetworkPolicy peers
// ---------------------------------------------------------------------------------------------------------

const DIRECTIONS = [
    { type: "Ingress", rules: "ingress", peers: "from" },
    { type: "Egress", rules: "egress", peers: "to" },
] as const;

/**
 * `cross-env-network-peers`: on a shared cluster, a NetworkPolicy peer's namespaceSelector selects only the
 * env's namespaces (the `env` label In [env], or namespaces of the env by name): a selector by any other
 * label (`team: payments`) also selects another env's namespaces carrying it, and opens traffic between
 * envs that a cluster per env keeps apart. A peer without a namespaceSelector is the policy's own
 * namespace; ipBlocks are judged by the network group. Directions that `policyTypes` leaves out are not
 * applied and not judged. Unknowns are reported as unknown.
 */
export const crossEnvNetworkPeers: ResourcePolicy = {
    kind: "resource",
    name: "cross-env-network-peers",
    group: "cross-env",
    description: "On a shared cluster, NetworkPolicy namespace selectors select only the env's namespaces.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Select peer namespaces by kubernetes.io/metadata.name (the env's own), or add the env label requirement to the selector.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors",
    types: ["kubernetes:networking.k8s.io/v1:NetworkPolicy"],
    validate(resource, settings, report) {
        const judged = judgedIn(resource, settings);
        if (!judged || !isSharedCluster(judged.topology) || isPlatformChartResource(resource, settings)) return;
        const { env, topology } = judged;
        const spec = resource.props.spec;
        if (isUnknown(spec)) return report.unknown("spec");
        if (spec === null || typeof spec !== "object") return;
        const types: unknown = spec.policyTypes;
        if (isUnknown(types)) return report.unknown("spec.policyTypes");
        const listed = Array.isArray(types) && types.length > 0 ? types : undefined;
        for (const direction of DIRECTIONS) {
            if (listed && !listed.includes(direction.type)) continue;
            const rules: unknown = spec[direction.rules];
            if (isUnknown(rules)) {
                report.unknown(`spec.${direction.rules}`);
                continue;
            }
            if (!Array.isArray(rules)) continue;
            rules.forEach((rule, i) => {
                const peers: unknown = isUnknown(rule) ? rule : rule?.[direction.peers];
                const at = `spec.${direction.rules}[${i}].${direction.peers}`;
                if (isUnknown(peers)) return report.unknown(at);
                if (!Array.isArray(peers)) return;
                peers.forEach((peer, j) => {
                    const selector = isUnknown(peer) ? peer : peer?.namespaceSelector;
                    if (selector === undefined || selector === null) return;
                    const limited = selectsOnlyEnvironment(selector, env, topology);
                    if (limited === undefined) return report.unknown(`${at}[${j}].namespaceSelector`);
                    if (!limited) {
                        report.violation(
                            `${describeResource(resource)}: ${at}[${j}].namespaceSelector ${JSON.stringify(selector)} also selects ${otherEnvironments(env, topology).join(", ")}'s namespaces on the cluster ${env} shares: add ${envRequirement(env)}`,
                        );
                    }
                });
            });
        }
    },
};

// ---------------------------------------------------------------------------------------------------------
// The topology itself
// ---------------------------------------------------------------------------------------------------------

/** The env a stack is judged as: the config's, else the first its resources' URNs name. */
function stackEnvironment(resources: readonly PolicyResource[], settings: PolicySettings): Environment | undefined {
    if (settings.env) return settings.env;
    for (const resource of resources) {
        const env = envOf(resource, settings);
        if (env) return env;
    }
    return undefined;
}

/**
 * `cross-env-topology`: the topology the config declares is safe and consistent for the judged env
 * (topologyProblems): it lists the env, lists known envs once each, a dedicated cluster lists one env, and
 * prod shares a cluster with a lower env only when `allowProdWithLowerEnvironments` says so explicitly
 * (then cross-env-prod-shared reports it, advisory). Judged once per stack, from the config alone.
 */
export const crossEnvTopology: StackPolicy = {
    kind: "stack",
    name: "cross-env-topology",
    group: "cross-env",
    description:
        "The cluster topology is consistent (a dedicated cluster hosts one env) and prod shares no cluster with a lower env unless explicitly allowed.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give prod a cluster of its own; list every env of a shared cluster in topology.environments and use the shared layout for it.",
    url: TOPOLOGY_URL,
    validateStack(resources, settings, report) {
        if (settings.topology === undefined) return;
        const env = stackEnvironment(resources, settings);
        if (env === undefined) return;
        for (const { field, problem, fix } of topologyProblems(settings.topology, env)) {
            report.violation(`topology.${field} ${problem}: ${fix}`);
        }
    },
};

/**
 * `cross-env-prod-shared` (advisory): prod shares the cluster with a lower env, as the configuration allows
 * explicitly (`allowProdWithLowerEnvironments`): a node, add-on or cluster-admin compromise in the lower env
 * reaches prod. Reported in every env stack of that cluster, so the risk stays visible in each preview.
 */
export const crossEnvProdShared: StackPolicy = {
    kind: "stack",
    name: "cross-env-prod-shared",
    group: "cross-env",
    description: "Prod shares a cluster with a lower env (allowed explicitly by the configuration).",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Advisory,
    remediationSteps: "Move prod to a cluster of its own (the dedicated layout) when the risk is no longer accepted.",
    url: TOPOLOGY_URL,
    validateStack(resources, settings, report) {
        const topology = settings.topology;
        if (topology === undefined || !isSharedCluster(topology) || !topology.allowProdWithLowerEnvironments) return;
        if (stackEnvironment(resources, settings) === undefined) return;
        const lower = topology.environments.filter((env) => env !== Environment.Prod);
        if (!topology.environments.includes(Environment.Prod) || lower.length === 0) return;
        report.violation(
            `prod shares this cluster with ${lower.join(", ")} (allowProdWithLowerEnvironments): a compromise of a node, an add-on or cluster-wide access in ${lower.join(", ")} reaches prod`,
        );
    },
};
