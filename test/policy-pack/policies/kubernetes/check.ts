/** Runs one policy over fixtures the way the pack does, and sorts what it reports. */
import { checkResource, checkStack } from "../../../../policy-pack/engine";
import {
    EnforcementLevel,
    Policy,
    PolicyResource,
    PolicySettings,
    ResourcePolicy,
    StackPolicy,
    Violation,
} from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";

/** The settings of an env's stack, at a fixed day (`now`), so expiry tests do not age. */
export function settingsOf(env?: "dev" | "stage" | "prod", now = new Date("2026-03-01T12:00:00Z")): PolicySettings {
    return { ...settingsFrom(env ? { env } : {}), now };
}

/** A resource as the engine hands it to a policy. */
export function resource(
    type: string,
    props: Record<string, any>,
    extra: Partial<PolicyResource> = {},
): PolicyResource {
    const name = props?.metadata?.name;
    return { type, name: typeof name === "string" ? name : "fixture", props, ...extra };
}

/** What one policy reports for one resource, or for a stack when the policy is a stack policy. */
export function run(
    policy: Policy,
    resources: PolicyResource | readonly PolicyResource[],
    settings: PolicySettings = settingsOf("prod"),
): Violation[] {
    const list = Array.isArray(resources) ? resources : [resources as PolicyResource];
    if (policy.kind === "stack") return checkStack(list, [policy as StackPolicy], settings);
    return list.flatMap((r) => checkResource(r, [policy as ResourcePolicy], settings));
}

const UNKNOWN_SUFFIX = " is not known until the update";

/** The messages of real violations (not "cannot check at preview"). */
export function violations(reported: readonly Violation[]): string[] {
    return reported.filter((v) => !v.message.includes(UNKNOWN_SUFFIX)).map((v) => v.message);
}

/** The paths reported as unknown. */
export function unknowns(reported: readonly Violation[]): string[] {
    return reported
        .filter((v) => v.message.includes(UNKNOWN_SUFFIX))
        .map((v) => v.message.slice(0, v.message.indexOf(UNKNOWN_SUFFIX)));
}

/** Reported violations at the mandatory level. */
export function mandatory(reported: readonly Violation[]): Violation[] {
    return reported.filter((v) => v.level === EnforcementLevel.Mandatory);
}

/** A deep copy of a fixture, to change one field of it. */
export function copy<T>(value: T): T {
    return structuredClone(value);
}
