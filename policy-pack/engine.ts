/**
 * Runs policies over resources without the Pulumi engine: what `k8s-baseline check` and the tests use. The
 * pack (index.ts) runs the same policies through @pulumi/policy, and takes from here what must be the same in
 * both: the older API versions judged as their kind's current one (normalizedResource) and the exemptions
 * (exemptionFor), applied before any policy sees a resource.
 */
import { CLUSTER_SCOPED_KINDS, isUnknown, kubernetesKindOf, normalizedResource } from "./policies/resource";
import {
    Exemption,
    Policy,
    PolicyResource,
    PolicySettings,
    EnforcementLevel,
    Violation,
    ResourcePolicy,
} from "./policies/types";

export { normalizedResource };

/** The instant an exemption's `expires` ends it: a date ends at its start (UTC); NaN when it does not parse. */
export function expiryOf(exemption: Exemption): number {
    const { expires } = exemption;
    return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T00:00:00Z` : expires);
}

/**
 * Whether objects of `kind` (an exemption's: a Kubernetes kind, or the type token of another package) live in a
 * namespace: a Kubernetes kind not among the cluster-scoped ones.
 */
function namespacedKind(kind: string): boolean {
    return !kind.includes(":") && !CLUSTER_SCOPED_KINDS.has(kind);
}

/** Why an exemption exempts nothing, or undefined when it is in force at `now`. */
export function exemptionProblem(exemption: Exemption, now: Date): string | undefined {
    if (typeof exemption.owner !== "string" || exemption.owner.trim() === "") return "it names no owner";
    if (typeof exemption.reason !== "string" || exemption.reason.trim() === "") return "it gives no reason";
    // Without one, it would exempt an object of that name in whatever namespace anyone creates it.
    if (namespacedKind(exemption.kind) && exemption.namespace === undefined) {
        return `it names no namespace, and a ${exemption.kind} lives in one (a cluster-scoped kind the pack does not know is read as namespaced)`;
    }
    if (!exemption.kind.includes(":") && !namespacedKind(exemption.kind) && exemption.namespace !== undefined) {
        return `it names namespace ${exemption.namespace}, but a ${exemption.kind} is cluster-scoped`;
    }
    const expiry = expiryOf(exemption);
    if (Number.isNaN(expiry)) return `its expiry ${JSON.stringify(exemption.expires)} is not a date`;
    if (now.getTime() >= expiry) return `it expired on ${exemption.expires}`;
    return undefined;
}

function exemptionKey(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}\u0000${namespace ?? ""}\u0000${name}`;
}

/** The exemptions in force, by object: built once per settings (settings are built once per config). */
const exemptionIndex = new WeakMap<PolicySettings, Map<string, Exemption[]>>();

function exemptionsByObject(settings: PolicySettings): Map<string, Exemption[]> {
    let index = exemptionIndex.get(settings);
    if (!index) {
        index = new Map();
        for (const exemption of settings.exemptions) {
            if (exemptionProblem(exemption, settings.now) !== undefined) continue;
            const key = exemptionKey(exemption.kind, exemption.namespace, exemption.name);
            index.set(key, [...(index.get(key) ?? []), exemption]);
        }
        exemptionIndex.set(settings, index);
    }
    return index;
}

/**
 * The exemption in force that exempts `resource` from the policy `policyName`, if any. An exemption names
 * one object: its kind (the Kubernetes kind, or the type token of another package), its namespace (none for
 * a cluster-scoped object) and its name, all as the object declares them, never a pattern. An object whose
 * metadata is unknown at preview is exempt from nothing. `resource` is normalized (older API versions under
 * their kind's current type), so an exemption of a Deployment covers it in every version.
 */
export function exemptionFor(
    resource: PolicyResource,
    policyName: string,
    settings: PolicySettings,
): Exemption | undefined {
    if (settings.exemptions.length === 0) return undefined;
    const kubernetes = kubernetesKindOf(resource.type);
    let kind = resource.type;
    let namespace: string | undefined;
    let name: string = resource.name;
    if (kubernetes) {
        const metadata = resource.props?.metadata;
        if (metadata === null || typeof metadata !== "object" || isUnknown(metadata)) return undefined;
        if (typeof metadata.name !== "string") return undefined;
        kind = kubernetes.kind;
        if (namespacedKind(kind)) {
            if (typeof metadata.namespace !== "string" || metadata.namespace === "") return undefined;
            namespace = metadata.namespace;
        }
        name = metadata.name;
    }
    const found = exemptionsByObject(settings).get(exemptionKey(kind, namespace, name));
    return found?.find((exemption) => exemption.policies === undefined || exemption.policies.includes(policyName));
}

/** Levels per policy name, overriding each policy's default. */
export type LevelOverrides = Readonly<Record<string, EnforcementLevel>>;

function levelOf(policy: Policy, overrides: LevelOverrides): EnforcementLevel {
    return overrides[policy.name] ?? policy.enforcementLevel;
}

/**
 * Index of resource policies by type token, built once per policy list: the policies naming each type, and
 * the list each type is judged by (those, then the untyped ones), made the first time the type is met.
 */
interface PolicyIndex {
    readonly typed: Map<string, ResourcePolicy[]>;
    readonly untyped: readonly ResourcePolicy[];
    readonly judgedBy: Map<string, readonly ResourcePolicy[]>;
}

const byTypeCache = new WeakMap<readonly Policy[], PolicyIndex>();

function policyIndex(policies: readonly Policy[]): PolicyIndex {
    let index = byTypeCache.get(policies);
    if (!index) {
        const typed = new Map<string, ResourcePolicy[]>();
        const untyped: ResourcePolicy[] = [];
        for (const policy of policies) {
            if (policy.kind !== "resource") continue;
            if (!policy.types) {
                untyped.push(policy);
                continue;
            }
            for (const t of policy.types) typed.set(t, [...(typed.get(t) ?? []), policy]);
        }
        index = { typed, untyped, judgedBy: new Map() };
        byTypeCache.set(policies, index);
    }
    return index;
}

function resourcePoliciesFor(policies: readonly Policy[], type: string): readonly ResourcePolicy[] {
    const index = policyIndex(policies);
    let judgedBy = index.judgedBy.get(type);
    if (!judgedBy) {
        const typed = index.typed.get(type);
        judgedBy = typed ? [...typed, ...index.untyped] : index.untyped;
        index.judgedBy.set(type, judgedBy);
    }
    return judgedBy;
}

function reporterFor(policy: Policy, level: EnforcementLevel, urn: string | undefined, out: Violation[]) {
    return {
        violation(message: string, options?: { check?: string; urn?: string }) {
            out.push({ policy: policy.name, level, message, check: options?.check, urn: options?.urn ?? urn });
        },
        unknown(path: string, options?: { urn?: string }) {
            out.push({
                policy: policy.name,
                level: EnforcementLevel.Advisory,
                message: `${path} is not known until the update, so ${policy.name} cannot check it at preview`,
                urn: options?.urn ?? urn,
            });
        },
    };
}

/**
 * The settings each policy runs with: one for all (the common case), or per policy, as a pack config file
 * may give each policy's block its own.
 */
export type SettingsFor = PolicySettings | ((policy: Policy) => PolicySettings);

function settingsOf(settings: SettingsFor, policy: Policy): PolicySettings {
    return typeof settings === "function" ? settings(policy) : settings;
}

/** True when some resource policy of `policies` judges resources of `type` by name (untyped ones aside). */
export function typeJudged(policies: readonly Policy[], type: string): boolean {
    return policyIndex(policies).typed.has(type);
}

/** The violations of one resource. */
export function checkResource(
    resource: PolicyResource,
    policies: readonly Policy[],
    settings: SettingsFor,
    overrides: LevelOverrides = {},
): Violation[] {
    const out: Violation[] = [];
    const judged = normalizedResource(resource);
    for (const policy of resourcePoliciesFor(policies, judged.type)) {
        const level = levelOf(policy, overrides);
        if (level === EnforcementLevel.Disabled) continue;
        const own = settingsOf(settings, policy);
        if (exemptionFor(judged, policy.name, own)) continue;
        policy.validate(judged, own, reporterFor(policy, level, resource.urn, out));
    }
    return out;
}

/**
 * Drops the violations a stack policy reports against a resource exempt from it. `byUrn` holds the stack's
 * (normalized) resources by URN; built by the caller once per stack.
 */
export function withoutExempt(
    violations: readonly Violation[],
    byUrn: ReadonlyMap<string, PolicyResource>,
    settingsFor: (policy: string) => PolicySettings,
): Violation[] {
    return violations.filter((violation) => {
        const resource = violation.urn === undefined ? undefined : byUrn.get(violation.urn);
        return resource === undefined || !exemptionFor(resource, violation.policy, settingsFor(violation.policy));
    });
}

/**
 * The violations of the stack policies over a set of resources (normalized by the caller, or here when
 * `normalize` is left true), less those against a resource exempt from the policy.
 */
export function checkStack(
    resources: readonly PolicyResource[],
    policies: readonly Policy[],
    settings: SettingsFor,
    overrides: LevelOverrides = {},
    normalize: boolean = true,
): Violation[] {
    const out: Violation[] = [];
    const judged = normalize ? resources.map(normalizedResource) : resources;
    const byName = new Map<string, PolicySettings>();
    let anyExemption = false;
    for (const policy of policies) {
        if (policy.kind !== "stack") continue;
        const level = levelOf(policy, overrides);
        if (level === EnforcementLevel.Disabled) continue;
        const own = settingsOf(settings, policy);
        byName.set(policy.name, own);
        anyExemption ||= own.exemptions.length > 0;
        policy.validateStack(judged, own, reporterFor(policy, level, undefined, out));
    }
    if (!anyExemption) return out;
    const byUrn = new Map<string, PolicyResource>();
    for (const resource of judged) if (resource.urn !== undefined) byUrn.set(resource.urn, resource);
    return withoutExempt(out, byUrn, (name) => byName.get(name)!);
}
