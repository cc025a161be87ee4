/**
 * Runs policies over resources without the Pulumi engine: what `k8s-baseline check` and the tests use. The
 * pack (index.ts) runs the same policies through @pulumi/policy.
 */
import { Policy, PolicyResource, PolicySettings, EnforcementLevel, Violation, ResourcePolicy } from "./policies/types";

/** Levels per policy name, overriding each policy's default. */
export type LevelOverrides = Readonly<Record<string, EnforcementLevel>>;

function levelOf(policy: Policy, overrides: LevelOverrides): EnforcementLevel {
    return overrides[policy.name] ?? policy.enforcementLevel;
}

/** Index of resource policies by type token, built once per policy list. */
const byTypeCache = new WeakMap<
    readonly Policy[],
    { typed: Map<string, ResourcePolicy[]>; untyped: ResourcePolicy[] }
>();

function resourcePoliciesFor(policies: readonly Policy[], type: string): ResourcePolicy[] {
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
        index = { typed, untyped };
        byTypeCache.set(policies, index);
    }
    const typed = index.typed.get(type);
    return typed ? [...typed, ...index.untyped] : index.untyped;
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

/** The violations of one resource. */
export function checkResource(
    resource: PolicyResource,
    policies: readonly Policy[],
    settings: PolicySettings,
    overrides: LevelOverrides = {},
): Violation[] {
    const out: Violation[] = [];
    for (const policy of resourcePoliciesFor(policies, resource.type)) {
        const level = levelOf(policy, overrides);
        if (level === EnforcementLevel.Disabled) continue;
        policy.validate(resource, settings, reporterFor(policy, level, resource.urn, out));
    }
    return out;
}

/** The violations of the stack policies over a set of resources. */
export function checkStack(
    resources: readonly PolicyResource[],
    policies: readonly Policy[],
    settings: PolicySettings,
    overrides: LevelOverrides = {},
): Violation[] {
    const out: Violation[] = [];
    for (const policy of policies) {
        if (policy.kind !== "stack") continue;
        const level = levelOf(policy, overrides);
        if (level === EnforcementLevel.Disabled) continue;
        policy.validateStack(resources, settings, reporterFor(policy, level, undefined, out));
    }
    return out;
}
