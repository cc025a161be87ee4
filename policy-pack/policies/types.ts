/**
 * The policy model the pack, the `k8s-baseline check` command and the tests share. A policy here knows
 * nothing of @pulumi/policy: the pack adapts it (policy-pack/adapter.ts), the check command runs it directly.
 */
import { ClusterTopology, Environment, Severity } from "../../components/baseline";

export { Severity };

/** What a violation does to a preview: `mandatory` fails it, `advisory` reports it. */
export const EnforcementLevel = {
    Advisory: "advisory",
    Mandatory: "mandatory",
    Disabled: "disabled",
} as const;
export type EnforcementLevel = (typeof EnforcementLevel)[keyof typeof EnforcementLevel];

/**
 * A resource as a policy sees it: its Pulumi type token, name and inputs. Inputs a preview does not know
 * yet hold the UNKNOWN marker (see resource.ts).
 */
export interface PolicyResource {
    readonly type: string;
    readonly name: string;
    readonly urn?: string;
    readonly props: Record<string, any>;
    /** URN of the parent, when known (stack analysis). */
    readonly parent?: string;
}

/** Settings every policy reads, built once from the pack's config and code defaults. */
export interface PolicySettings {
    /** The environment, when the config names it; otherwise each resource's env is inferred (see envOf). */
    readonly env?: Environment;
    /** Registries app images may come from, each a prefix ending in `/` (the platform's are always added). */
    readonly registries: readonly string[];
    /** ServiceAccounts (`namespace/name`) whose pods may mount an API token. */
    readonly apiAccessServiceAccounts: readonly string[];
    /**
     * Objects exempt from some (or every) policy, each with an owner, a reason and an expiry. Applied by the
     * engine (engine.ts) before any policy runs, so every policy honours them alike; an expired one exempts
     * nothing and is itself a mandatory finding (policies/exemptions.ts).
     */
    readonly exemptions: readonly Exemption[];
    /** The Pod Security version (`v1.N` or `latest`) the pod-security policies judge by, instead of the profile's. */
    readonly podSecurityVersion?: string;
    /** The env's AWS account, when the config names it: the only account its trust and resource policies admit. */
    readonly accountId?: string;
    /**
     * The cluster layout the env runs in, when the config declares one; undefined: the env has a cluster of
     * its own (read it with topologyOf in resource.ts, which applies that default).
     */
    readonly topology?: ClusterTopology;
    /** Today, for expiry checks. */
    readonly now: Date;
    /**
     * True when resources' URNs were written by the Pulumi engine (the pack), so their type chains show which
     * component registered them (policies/platform.ts); false in `check`, whose input files may carry any URN.
     */
    readonly trustedUrns: boolean;
}

/**
 * One object exempt from policies, as the pack's config (and `check --config`) names it: by kind, namespace
 * (omitted for a cluster-scoped object) and name, never by a pattern or a label the object itself carries.
 */
export interface Exemption {
    /** The Kubernetes kind (`Deployment`) or, for another package, the Pulumi type token. */
    readonly kind: string;
    /** The object's namespace; undefined for a cluster-scoped object. */
    readonly namespace?: string;
    readonly name: string;
    /** The policies it is exempt from; undefined: every policy. */
    readonly policies?: readonly string[];
    /** Who answers for it (a team or a person). */
    readonly owner: string;
    /** Why it is needed. */
    readonly reason: string;
    /** The day it ends (`YYYY-MM-DD`, or an ISO date-time); from then on it exempts nothing. */
    readonly expires: string;
}

/** What a policy reports with. */
export interface Reporter {
    /** The resource (or the stack) breaks the policy. `check` names the Pod Security check, where one applies. */
    violation(message: string, options?: { check?: string; urn?: string }): void;
    /**
     * A value the policy needs is unknown until the update: reported as advisory, whatever the policy's
     * level, so a preview says what it could not check instead of passing it silently.
     */
    unknown(path: string, options?: { urn?: string }): void;
}

/** What every policy declares about itself. */
export interface PolicyInfo {
    /** Unique, kebab-case, prefixed by its group's concern. */
    readonly name: string;
    /** The group it belongs to (`--only` takes groups or names), e.g. `pod-security`, `rbac`, `aws`. */
    readonly group: string;
    readonly description: string;
    readonly severity: Severity;
    /** Default level; the pack's config may change it per env. */
    readonly enforcementLevel: EnforcementLevel;
    readonly remediationSteps: string;
    readonly url: string;
}

/** A policy that judges one resource at a time. */
export interface ResourcePolicy extends PolicyInfo {
    readonly kind: "resource";
    /** Type tokens it applies to; others are skipped without calling it. Undefined: every type. */
    readonly types?: readonly string[];
    validate(resource: PolicyResource, settings: PolicySettings, report: Reporter): void;
}

/** A policy that judges the whole stack (e.g. "every Namespace has default-deny"). */
export interface StackPolicy extends PolicyInfo {
    readonly kind: "stack";
    validateStack(resources: readonly PolicyResource[], settings: PolicySettings, report: Reporter): void;
}

export type Policy = ResourcePolicy | StackPolicy;

/** A reported violation, with the level it was reported at. */
export interface Violation {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly message: string;
    readonly check?: string;
    readonly urn?: string;
}
