/**
 * The `cost` group: what the env's secrets plumbing costs a month (estimate.ts), against the profile's
 * budget. Advisory: a cost is a trade-off for the env's owner, never a reason to fail a preview.
 */
import { Environment, isEnvironment, profileFor } from "../../components/baseline";
import { envOf } from "../policies/resource";
import { EnforcementLevel, Policy, Severity, StackPolicy } from "../policies/types";
import { estimateSecretsCost, formatUsd, shortestIntervals } from "./estimate";

export const COST_GROUP = "cost";

/** The env a whole stack is judged as: the config's, else the stack of its resources' URNs, else prod. */
function stackEnv(
    resources: Parameters<StackPolicy["validateStack"]>[0],
    settings: Parameters<StackPolicy["validateStack"]>[1],
): Environment {
    for (const resource of resources) {
        const env = envOf(resource, settings);
        if (isEnvironment(env)) return env;
    }
    return Environment.Prod;
}

export const costSecretsBudget: StackPolicy = {
    kind: "stack",
    name: "cost-secrets-budget",
    group: COST_GROUP,
    description:
        "The env's Secrets Manager, Parameter Store and KMS costs, estimated from the stack's secrets, keys and ExternalSecret refresh intervals, stay within the profile's secretsMonthlyBudgetUsd.",
    severity: Severity.Low,
    enforcementLevel: EnforcementLevel.Advisory,
    remediationSteps:
        "Lengthen the refreshInterval of the ExternalSecrets named (AppExternalSecrets' refreshInterval, per secret or for the app), read several keys of one secret in one ExternalSecret, or raise the env's budget in components/baseline/environments.ts.",
    url: "https://aws.amazon.com/secrets-manager/pricing/",
    validateStack(resources, settings, report) {
        const env = stackEnv(resources, settings);
        const budget = profileFor(env).secretsMonthlyBudgetUsd;
        const estimate = estimateSecretsCost(resources);
        if (estimate.totalUsd <= budget) return;
        const shortest = shortestIntervals(estimate);
        const named = shortest.map(
            (e) =>
                `${e.name} (every ${e.intervalSeconds === 0 ? "never" : e.refreshInterval}, ${formatUsd(e.monthlyUsd)} a month)`,
        );
        report.violation(
            `the secrets plumbing of ${env} is estimated at ${formatUsd(estimate.totalUsd)} a month, over its budget of ` +
                `${formatUsd(budget)}` +
                (named.length > 0 ? `; the ExternalSecrets refreshed most often: ${named.join(", ")}` : ""),
            { urn: shortest[0]?.urn },
        );
    },
};

export const costPolicies: readonly Policy[] = [costSecretsBudget];
