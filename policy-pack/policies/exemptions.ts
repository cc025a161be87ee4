/**
 * Exemptions, as the pack's config gives them: one object each (kind, namespace, name), with an owner, a
 * reason and an expiry. The engine applies them (engine.ts exemptionFor) before any policy runs; this policy
 * reports those that exempt nothing, so an exemption cannot lapse, or be written without an owner, unseen.
 */
import { exemptionProblem } from "../engine";
import { EnforcementLevel, Severity, StackPolicy } from "./types";

function describeExemption(exemption: { kind: string; namespace?: string; name: string }): string {
    return `${exemption.kind} ${exemption.namespace === undefined ? "" : `${exemption.namespace}/`}${exemption.name}`;
}

/**
 * Every exemption of the config is in force: it names an owner and a reason, and has not expired. One that
 * is not exempts nothing (the engine leaves it out) and is reported here, mandatory, once per stack.
 */
export const exemptionsInForce: StackPolicy = {
    kind: "stack",
    name: "exemptions-in-force",
    group: "exemptions",
    description: "Every exemption in the pack's config names an owner and a reason, and has not expired.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Fix the object so that it needs no exemption and remove the exemption, or, if it is still needed, have " +
        "its owner renew it with a new `expires` date and the reason.",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/#exemptions",
    validateStack(_resources, settings, report) {
        for (const exemption of settings.exemptions) {
            const problem = exemptionProblem(exemption, settings.now);
            if (problem === undefined) continue;
            const scope = exemption.policies === undefined ? "every policy" : exemption.policies.join(", ");
            report.violation(
                `the exemption of ${describeExemption(exemption)} from ${scope} exempts nothing: ${problem}`,
            );
        }
    },
};

export const exemptionsPolicies = [exemptionsInForce] as const;
