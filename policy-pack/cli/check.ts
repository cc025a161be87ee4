/**
 * Runs the pack's policies over the resources the CLI read: every resource policy over each resource (through
 * engine.ts, whose index by type token is built once per policy list), then every stack policy once over all
 * of them, as a preview of one stack containing them all would.
 */
import { checkResource, checkStack } from "../engine";
import { kubernetesKindOf } from "../policies/resource";
import { EnforcementLevel, Policy, PolicySettings, Violation } from "../policies/types";
import { CheckedResource } from "./inputs";

/** One violation, as the CLI prints it. */
export interface ReportedViolation {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly message: string;
    /** The Pod Security check id where one applies, else null (always present, so consumers need no guard). */
    readonly check: string | null;
}

/** The violations of one resource. */
export interface ResourceResult {
    /** `path#<document>` (YAML) or `path#<index>` (JSON); `stack` for stack violations no resource owns. */
    readonly source: string;
    /** The Kubernetes kind, or the type token of another resource; `Stack` for the stack entry. */
    readonly kind: string;
    /** `metadata.name`, else the resource's name. */
    readonly name: string;
    /** `metadata.namespace` when set, else null (cluster-scoped, or left to the namespace of the apply). */
    readonly namespace: string | null;
    readonly violations: ReportedViolation[];
}

export interface CheckSummary {
    /** Resources checked (List items count one each). */
    readonly resources: number;
    /** Mandatory violations, over all resources. */
    readonly mandatory: number;
    /** Advisory violations, over all resources. */
    readonly advisory: number;
}

/** What `check` found. Only resources with at least one violation are listed. */
export interface CheckReport {
    readonly results: ResourceResult[];
    readonly summary: CheckSummary;
}

/** Source of the entry holding stack violations that name no resource. */
export const STACK_SOURCE = "stack";

function identify(input: CheckedResource): Omit<ResourceResult, "violations"> {
    const { resource } = input;
    const metadata = resource.props.metadata;
    const hasMetadata = typeof metadata === "object" && metadata !== null;
    return {
        source: input.source,
        kind: kubernetesKindOf(resource.type)?.kind ?? resource.type,
        name: hasMetadata && typeof metadata.name === "string" ? metadata.name : resource.name,
        namespace: hasMetadata && typeof metadata.namespace === "string" ? metadata.namespace : null,
    };
}

function reported(violation: Violation): ReportedViolation {
    return {
        policy: violation.policy,
        level: violation.level,
        message: violation.message,
        check: violation.check ?? null,
    };
}

/**
 * Checks `inputs` against `policies`. `policies` should be the same array across calls (the engine indexes
 * it by type token once); `settings` are built once by the caller.
 */
export function runCheck(
    inputs: readonly CheckedResource[],
    policies: readonly Policy[],
    settings: PolicySettings,
): CheckReport {
    const violationsOf: (ReportedViolation[] | undefined)[] = new Array(inputs.length);
    const hasStackPolicies = policies.some((policy) => policy.kind === "stack");
    const byUrn = new Map<string, number>();
    for (let index = 0; index < inputs.length; index++) {
        const { resource } = inputs[index];
        const found = checkResource(resource, policies, settings);
        if (found.length > 0) violationsOf[index] = found.map(reported);
        if (hasStackPolicies && resource.urn !== undefined && !byUrn.has(resource.urn)) byUrn.set(resource.urn, index);
    }

    const unowned: ReportedViolation[] = [];
    if (hasStackPolicies) {
        const stackViolations = checkStack(
            inputs.map((input) => input.resource),
            policies,
            settings,
        );
        for (const violation of stackViolations) {
            const owner = violation.urn === undefined ? undefined : byUrn.get(violation.urn);
            if (owner === undefined) unowned.push(reported(violation));
            else (violationsOf[owner] ??= []).push(reported(violation));
        }
    }

    const results: ResourceResult[] = [];
    let mandatory = 0;
    let advisory = 0;
    const count = (violations: readonly ReportedViolation[]): void => {
        for (const violation of violations) {
            if (violation.level === EnforcementLevel.Mandatory) mandatory++;
            else advisory++;
        }
    };
    for (let index = 0; index < inputs.length; index++) {
        const violations = violationsOf[index];
        if (violations === undefined) continue;
        count(violations);
        results.push({ ...identify(inputs[index]), violations });
    }
    if (unowned.length > 0) {
        count(unowned);
        results.push({ source: STACK_SOURCE, kind: "Stack", name: "stack", namespace: null, violations: unowned });
    }
    return { results, summary: { resources: inputs.length, mandatory, advisory } };
}
