/**
 * A policy's controls as @pulumi/policy's compliance metadata: `framework` (one per policy, so the first of
 * FRAMEWORK_PRECEDENCE the policy has controls in, with those controls' ids as its reference) and `tags`
 * (every control id, so a consumer of the pack's metadata sees them all).
 */
import { Control, CONTROLS_BY_ID, FrameworkId, FRAMEWORKS } from "./catalogue";
import { POLICY_CONTROLS } from "./mapping";

/** The shape of @pulumi/policy's PolicyComplianceFramework, without importing the SDK. */
export interface ComplianceFramework {
    readonly name: string;
    readonly version: string;
    readonly reference: string;
    readonly specification: string;
}

/** The framework a policy's `framework` names when it has controls in several: the most specific first. */
export const FRAMEWORK_PRECEDENCE: readonly FrameworkId[] = [
    FrameworkId.CisEks,
    FrameworkId.PodSecurityStandards,
    FrameworkId.NsaCisa,
    FrameworkId.SeedChecklist,
    FrameworkId.Baseline,
];

/** The catalogue's controls a policy provides; an empty list for a policy the mapping does not name. */
export function controlsOfPolicy(policyName: string): Control[] {
    return (POLICY_CONTROLS[policyName] ?? []).flatMap((id) => {
        const control = CONTROLS_BY_ID.get(id);
        return control ? [control] : [];
    });
}

/** The compliance metadata of a policy: undefined framework and no tags when the mapping does not name it. */
export function complianceMetadata(policyName: string): { framework?: ComplianceFramework; tags: string[] } {
    const controls = controlsOfPolicy(policyName);
    const tags = controls.map((control) => control.id);
    const frameworkId = FRAMEWORK_PRECEDENCE.find((id) => controls.some((control) => control.framework === id));
    if (frameworkId === undefined) return { tags };
    const framework = FRAMEWORKS[frameworkId];
    const own = controls.filter((control) => control.framework === frameworkId);
    return {
        framework: {
            name: framework.name,
            version: framework.version,
            reference: own.map((control) => control.reference).join(", "),
            specification: own.map((control) => control.title).join("; "),
        },
        tags,
    };
}
