/**
 * Namespaces: each one declares its Pod Security levels, its owner, env and tier, and starts from
 * default-deny in both directions. The levels and labels are the environment profile's
 * (components/baseline), the same SecureNamespace writes.
 */
import {
    Environment,
    podSecurityAtLeast,
    podSecurityLabel,
    POD_SECURITY_VERSION,
    podSecurityVersionLabel,
    PROFILES,
    REQUIRED_NAMESPACE_LABELS,
    RequiredLabel,
} from "../../../components/baseline";
import { isRuntimeSecurityNamespace } from "../platform";
import { isPodSecurityLevel, isPodSecurityVersion } from "../pod-security/levels";
import { containsUnknown, describeResource, envOf, isUnknown, namespaceOf, UNKNOWN } from "../resource";
import { EnforcementLevel, PolicyResource, ResourcePolicy, Severity, StackPolicy } from "../types";
import { labelsOf, objectNameOf, show, stringsOf } from "./common";

export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const MODES = ["enforce", "audit", "warn"] as const;
const LABEL_PATH = (key: string) => `metadata.labels["${key}"]`;

/**
 * A Namespace carries `pod-security.kubernetes.io/enforce` at least as strict as its env profile's enforce
 * level, with `enforce-version` pinned to a `v1.N` version (`latest`, like no label, lets a cluster upgrade
 * change admission without a reviewed change), and `audit` and `warn` labels at least as strict as the
 * profile's audit and warn levels. The env is
 * envOf's (prod when nothing names it). The platform's own namespaces are judged like any other: whoever
 * creates a Namespace chooses its name, so a name such as `kyverno` or `kube-system` must not lower the level
 * it has to enforce (SecureNamespace gives the platform's namespaces the profile's levels too; an object that
 * truly needs less takes an exemption by object, with an owner and an expiry). The one namespace whose level
 * is not the profile's is the runtime security sensor's, `privileged` in every mode, and only when
 * RuntimeSecurity registered it (platform.ts isRuntimeSecurityNamespace: the engine's URN, never its name);
 * its labels must still be valid levels and its version pinned. An unknown `metadata.labels`,
 * or an unknown value of a label the policy reads, is reported as unknown; the other labels are still judged.
 */
export const namespacesPodSecurityLabels: ResourcePolicy = {
    kind: "resource",
    name: "namespaces-pod-security-labels",
    group: "namespaces",
    description: "Namespaces enforce at least their env's Pod Security level at a pinned version, and audit and warn.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create the namespace with SecureNamespace, or set the pod-security.kubernetes.io/enforce, " +
        "enforce-version, audit and warn labels from the env profile (components/baseline PROFILES).",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces",
    types: [NAMESPACE],
    validate(resource, settings, report) {
        const labels = labelsOf(resource);
        if (isUnknown(labels)) {
            report.unknown("metadata.labels");
            return;
        }
        const env = envOf(resource, settings) ?? Environment.Prod;
        const profile = PROFILES[env].podSecurity;
        const what = describeResource(resource);
        const sensor = isRuntimeSecurityNamespace(resource, settings);
        for (const mode of MODES) {
            const key = podSecurityLabel(mode);
            const level = labels[key];
            if (isUnknown(level)) {
                report.unknown(LABEL_PATH(key));
            } else if (level === undefined) {
                report.violation(`${what} has no ${key} label`);
            } else if (typeof level !== "string" || !isPodSecurityLevel(level)) {
                report.violation(`${what}: ${key} is ${show(level)}, not privileged, baseline or restricted`);
            } else if (!sensor && !podSecurityAtLeast(level, profile[mode])) {
                // audit and warn too: `warn: privileged` silences the warnings that show, at the first dev
                // deploy, what prod will refuse.
                report.violation(
                    mode === "enforce"
                        ? `${what} enforces ${level}, below the ${env} profile's ${profile[mode]}`
                        : `${what}: ${key} is ${level}, below the ${env} profile's ${profile[mode]}`,
                );
            }
        }
        const versionKey = podSecurityVersionLabel("enforce");
        const version = labels[versionKey];
        if (isUnknown(version)) {
            report.unknown(LABEL_PATH(versionKey));
        } else if (version === undefined) {
            report.violation(`${what} has no ${versionKey} label, so it enforces whatever the cluster's version is`);
        } else if (typeof version !== "string" || !isPodSecurityVersion(version) || version === "latest") {
            report.violation(
                `${what}: ${versionKey} is ${show(version)}, not a pinned version such as "${POD_SECURITY_VERSION}"`,
            );
        }
    },
};

/**
 * A Namespace carries every REQUIRED_NAMESPACE_LABELS label with a non-empty value, and its `env` label is
 * its environment (envOf: the pack's config, else the stack's name). An unknown `metadata.labels` or label
 * value is reported as unknown. Applies to the platform's namespaces too: they have owners.
 */
export const namespacesRequiredLabels: ResourcePolicy = {
    kind: "resource",
    name: "namespaces-required-labels",
    group: "namespaces",
    description: `Namespaces carry the ${REQUIRED_NAMESPACE_LABELS.join(", ")} labels; env is the namespace's environment.`,
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: `Set the ${REQUIRED_NAMESPACE_LABELS.join(", ")} labels (SecureNamespace sets them from its owner, env and tier).`,
    url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
    types: [NAMESPACE],
    validate(resource, settings, report) {
        const labels = labelsOf(resource);
        if (isUnknown(labels)) {
            report.unknown("metadata.labels");
            return;
        }
        const what = describeResource(resource);
        const env = envOf(resource, settings);
        for (const key of REQUIRED_NAMESPACE_LABELS) {
            const value = labels[key];
            if (isUnknown(value)) {
                report.unknown(LABEL_PATH(key));
            } else if (typeof value !== "string" || value.length === 0) {
                report.violation(`${what} has no ${key} label`);
            } else if (key === RequiredLabel.Env && env !== undefined && value !== env) {
                report.violation(`${what} is labelled env=${value} in ${env}`);
            }
        }
    },
};

/** The two directions a default-deny NetworkPolicy closes. */
type Direction = "Ingress" | "Egress";

/** What a NetworkPolicy closes, judged by shape; `unknown` when a field that decides it is unknown. */
function defaultDenyShape(policy: PolicyResource): { closes: Direction[]; unknown: boolean } {
    const spec = policy.props?.spec;
    if (isUnknown(spec)) return { closes: [], unknown: true };
    const selector = spec?.podSelector;
    // Without policyTypes the API server takes Ingress (and Egress only when there are egress rules).
    const types = spec?.policyTypes === undefined ? ["Ingress"] : stringsOf(spec.policyTypes);
    if (containsUnknown(selector) || types === undefined) return { closes: [], unknown: true };
    // Every pod: `{}`, or a selector whose matchLabels and matchExpressions are empty.
    const everyPod =
        selector !== null &&
        typeof selector === "object" &&
        Object.keys(selector.matchLabels ?? {}).length === 0 &&
        (selector.matchExpressions ?? []).length === 0;
    if (!everyPod) return { closes: [], unknown: false };
    const closes: Direction[] = [];
    let unknown = false;
    for (const [direction, rulesKey] of [
        ["Ingress", "ingress"],
        ["Egress", "egress"],
    ] as const) {
        if (!types.includes(direction)) continue;
        const rules = spec[rulesKey];
        if (isUnknown(rules)) unknown = true;
        else if (rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0)) {
            closes.push(direction);
        }
    }
    return { closes, unknown };
}

/**
 * Every Namespace of the stack has, in the stack, a default-deny NetworkPolicy for ingress and one for egress
 * (one policy may do both). Judged by shape, not name: `podSelector` selecting every pod, `policyTypes`
 * listing the direction, and no rule for it. The stack is read in one pass: NetworkPolicies indexed by
 * namespace, then each Namespace looked up. A Namespace whose name is unknown, or a NetworkPolicy whose
 * namespace or shape is unknown, is reported as unknown instead of as a missing policy. Applies to the
 * platform's namespaces too: SecureNamespace gives them default-deny like any other.
 */
export const namespacesDefaultDeny: StackPolicy = {
    kind: "stack",
    name: "namespaces-default-deny",
    group: "namespaces",
    description: "Every Namespace has default-deny ingress and egress NetworkPolicies.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create the namespace with SecureNamespace, which adds default-deny-ingress and default-deny-egress, or " +
        "add NetworkPolicies with `podSelector: {}`, the policyType, and no ingress (or egress) rules.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    validateStack(resources, _settings, report) {
        const closed = new Map<string, Set<Direction>>();
        // Policies that may be default-deny but cannot be placed or judged at preview.
        const undecided: PolicyResource[] = [];
        const undecidedIn = new Set<string>();
        for (const policy of resources) {
            if (policy.type !== NETWORK_POLICY) continue;
            const namespace = isUnknown(policy.props?.metadata?.namespace) ? UNKNOWN : namespaceOf(policy);
            const shape = defaultDenyShape(policy);
            if (namespace === UNKNOWN || namespace === undefined) {
                if (shape.unknown || shape.closes.length > 0) undecided.push(policy);
                continue;
            }
            if (shape.unknown) undecidedIn.add(namespace);
            if (shape.closes.length === 0) continue;
            const set = closed.get(namespace) ?? new Set<Direction>();
            for (const direction of shape.closes) set.add(direction);
            closed.set(namespace, set);
        }
        for (const ns of resources) {
            if (ns.type !== NAMESPACE) continue;
            const rawName = ns.props?.metadata?.name;
            if (isUnknown(ns.props?.metadata) || isUnknown(rawName)) {
                report.unknown(`${describeResource(ns)}: metadata.name`, { urn: ns.urn });
                continue;
            }
            const name = objectNameOf(ns);
            if (name === undefined) continue;
            const set = closed.get(name);
            const missing = (["Ingress", "Egress"] as const).filter((d) => !set?.has(d));
            if (missing.length === 0) continue;
            if (undecided.length > 0 || undecidedIn.has(name)) {
                report.unknown(`NetworkPolicies that may close ${missing.join(" and ")} of Namespace ${name}`, {
                    urn: ns.urn,
                });
                continue;
            }
            report.violation(
                `Namespace ${name} has no default-deny ${missing.map((d) => d.toLowerCase()).join(" or ")} ` +
                    "NetworkPolicy in the stack",
                { urn: ns.urn },
            );
        }
    },
};

export const namespacesPolicies = [
    namespacesPodSecurityLabels,
    namespacesRequiredLabels,
    namespacesDefaultDeny,
] as const;
