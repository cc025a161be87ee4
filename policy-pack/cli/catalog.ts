/**
 * Which policies a command runs or lists: `--only` resolved against the pack's list, the Pod Security
 * choice applied (pod-security.ts), and what `policies` prints about each.
 */
import { Environment, PodSecurityLevel } from "../../components/baseline";
import {
    EnforcementLevel,
    Policy,
    PolicyInfo,
    PolicySettings,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../policies/types";
import { UsageError } from "./args";
import { STACK_FILE_RULES } from "./stack-files";
import {
    PodSecurityChoice,
    podSecurityLevelOf,
    podSecurityStandIns,
    policyChecks,
    profilePodSecurity,
} from "./pod-security";

/** What `--only` selects: policies of the pack, and the rules `check` applies to Pulumi stack files. */
export interface Selection {
    readonly policies: readonly Policy[];
    /** Of STACK_FILE_RULES (stack-files.ts), which a preview never runs. */
    readonly stackFileRules: readonly PolicyInfo[];
}

/**
 * The policies and stack-file rules `only` names, by group or by name, in their lists' order; all of them
 * without `only`. Throws UsageError naming every unknown name and listing the valid ones.
 */
export function selectRules(policies: readonly Policy[], only: readonly string[] | undefined): Selection {
    if (only === undefined) return { policies, stackFileRules: STACK_FILE_RULES };
    const rules: readonly PolicyInfo[] = [...policies, ...STACK_FILE_RULES];
    const groups = [...new Set(rules.map((rule) => rule.group))];
    const names = rules.map((rule) => rule.name);
    const known = new Set([...groups, ...names]);
    const unknown = only.filter((name) => !known.has(name));
    if (unknown.length > 0) {
        throw new UsageError(
            `--only: unknown group or policy ${unknown.map((name) => `"${name}"`).join(", ")}\n` +
                `  groups: ${groups.join(", ") || "(none)"}\n` +
                `  policies: ${names.join(", ") || "(none)"}`,
        );
    }
    const wanted = new Set(only);
    const chosen = (rule: PolicyInfo) => wanted.has(rule.group) || wanted.has(rule.name);
    return { policies: policies.filter(chosen), stackFileRules: STACK_FILE_RULES.filter(chosen) };
}

/** The pack's policies `only` names (selectRules, without the stack-file rules). */
export function selectPolicies(policies: readonly Policy[], only: readonly string[] | undefined): readonly Policy[] {
    return selectRules(policies, only).policies;
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/**
 * A policy that throws on a resource reports it as its own violation instead of ending the run: input the
 * CLI is given can be anything, and a manifest that breaks a policy must not pass because of it.
 */
function guarded(policy: Policy): Policy {
    if (policy.kind === "resource") {
        const resourcePolicy: ResourcePolicy = {
            ...policy,
            validate(resource, settings, report) {
                try {
                    policy.validate(resource, settings, report);
                } catch (error) {
                    report.violation(`${policy.name} could not check this resource: ${errorText(error)}`);
                }
            },
        };
        return resourcePolicy;
    }
    const stackPolicy: StackPolicy = {
        ...policy,
        validateStack(resources, settings, report) {
            try {
                policy.validateStack(resources, settings, report);
            } catch (error) {
                report.violation(`${policy.name} could not check the resources: ${errorText(error)}`);
            }
        },
    };
    return stackPolicy;
}

/** The list `check` hands the engine: built once per run, so the engine indexes it by type token once. */
export function policiesToRun(selected: readonly Policy[], choice: PodSecurityChoice): readonly Policy[] {
    return selected
        .flatMap((policy): Policy[] => (policy.kind === "resource" ? podSecurityStandIns(policy, choice) : [policy]))
        .map(guarded);
}

/**
 * Where a listed rule applies: `resource` and `stack`, the pack's policies, run by a preview and by `check`;
 * `stack-file`, a rule `check` alone applies, to Pulumi stack files (a preview never sees them).
 */
export type ListingKind = "resource" | "stack" | "stack-file";

/** What `policies` prints about one policy. */
export interface PolicyListing {
    readonly name: string;
    readonly group: string;
    readonly kind: ListingKind;
    readonly description: string;
    readonly severity: Severity;
    readonly enforcementLevel: EnforcementLevel;
    readonly remediationSteps: string;
    readonly url: string;
    /** For the Pod Security policies: the level whose checks they run, and the version they run them at. */
    readonly podSecurity?: { readonly level: PodSecurityLevel; readonly version: string };
    /** For the Pod Security policies: the check ids they run at that version. */
    readonly checks?: readonly string[];
}

/**
 * Every policy of `policies`, with the Pod Security checks at `--version`, else at the version `--env` pins
 * (prod's without it); then every rule of `stackFileRules`, at the level the config gives it.
 */
export function listPolicies(
    policies: readonly Policy[],
    settings: PolicySettings,
    choice: PodSecurityChoice,
    levels: Readonly<Record<string, EnforcementLevel>> = {},
    stackFileRules: readonly PolicyInfo[] = [],
): PolicyListing[] {
    return [
        ...listPackPolicies(policies, settings, choice, levels),
        ...stackFileRules.map((rule): PolicyListing => ({
            name: rule.name,
            group: rule.group,
            kind: "stack-file",
            description: rule.description,
            severity: rule.severity,
            enforcementLevel: levels[rule.name] ?? rule.enforcementLevel,
            remediationSteps: rule.remediationSteps,
            url: rule.url,
        })),
    ];
}

function listPackPolicies(
    policies: readonly Policy[],
    settings: PolicySettings,
    choice: PodSecurityChoice,
    levels: Readonly<Record<string, EnforcementLevel>>,
): PolicyListing[] {
    const env: Environment | undefined = settings.env;
    const version = choice.version ?? profilePodSecurity(env).version;
    return policies.map((policy) => {
        const listing: PolicyListing = {
            name: policy.name,
            group: policy.group,
            kind: policy.kind,
            description: policy.description,
            severity: policy.severity,
            // The level the config gives it, as a preview with that config runs it.
            enforcementLevel: levels[policy.name] ?? policy.enforcementLevel,
            remediationSteps: policy.remediationSteps,
            url: policy.url,
        };
        const level = podSecurityLevelOf(policy);
        if (level === undefined) return listing;
        return { ...listing, podSecurity: { level, version }, checks: policyChecks(level, version) };
    });
}
