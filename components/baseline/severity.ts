/**
 * How bad a breach of the baseline is: one scale for the Kyverno policies' `policies.kyverno.io/severity`
 * annotation (whose reports also know `critical`) and the CrossGuard pack's policy severity.
 */
export const Severity = {
    Low: "low",
    Medium: "medium",
    High: "high",
    Critical: "critical",
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
