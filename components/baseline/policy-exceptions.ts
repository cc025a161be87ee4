/**
 * Policy exception facts: how long a waiver of the admission policies may live in each environment, and the
 * fields Kyverno acts on to end one. BaselinePolicies and the pack read them.
 */
import { Environment } from "./environments";

/**
 * The longest a policy exception may live, in days from the moment it is judged: a month in prod, where a
 * waiver is an incident, longer where teams are still bringing workloads up to the baseline.
 */
export const MAX_POLICY_EXCEPTION_DAYS: Readonly<Record<Environment, number>> = {
    dev: 90,
    stage: 60,
    prod: 30,
};

/** No exception lives longer than this, whatever a profile says (used when the env is not known). */
export const POLICY_EXCEPTION_LIFETIME_CAP_DAYS = 90;

/** The longest lifetime of an exception in `env`, in days; the cap when the env is not known. */
export function policyExceptionLifetimeDays(env: Environment | undefined): number {
    return env === undefined
        ? POLICY_EXCEPTION_LIFETIME_CAP_DAYS
        : Math.min(MAX_POLICY_EXCEPTION_DAYS[env], POLICY_EXCEPTION_LIFETIME_CAP_DAYS);
}

/**
 * The label Kyverno's cleanup controller deletes an object by: an ISO 8601 date (`2026-05-01`), a time
 * written without colons (`2026-05-01T000000Z`, label values allow none) or a duration from creation (`4h`,
 * `30d`). The controller needs delete permission on the object's kind for it to take effect.
 */
export const CLEANUP_TTL_LABEL = "cleanup.kyverno.io/ttl";
