/**
 * Tetragon's tracing policies (TracingPolicyNamespaced, and the cluster-wide TracingPolicy): they observe.
 *
 * The agent that applies them runs privileged on every node, so what a policy tells it to do it does to the
 * kernel: an action that kills, signals, overrides a return value or rewrites an argument (Sigkill, Signal,
 * Override, Set, NotifyEnforcer, an `enforcers` section) changes what the selected processes may do, and
 * GetUrl or DnsLookup make the agent reach the network. The baseline's policies only post events; anything
 * else is not the baseline's to admit, and is refused wherever it comes from (no URN is needed to judge a
 * spec). A policy bearing one of the baseline's names in a namespace (TracingPolicyName: the object the env's
 * stack writes there) must watch what the generator watches (components/addons/runtime-security
 * tracing-policies.ts), so that a same-named object cannot replace the baseline's watch with one that matches
 * nothing; and no selector may match nothing (an inclusive operator over an empty list of values).
 */
import {
    apiConnectSpec,
    TRACING_POLICY_API_VERSION,
    TracingPolicyName,
    tokenReadSpec,
} from "../../../components/addons/runtime-security/tracing-policies";
import { containsUnknown, describeResource, isUnknown } from "../resource";
import { EnforcementLevel, Reporter, ResourcePolicy, Severity } from "../types";

export const TRACING_POLICY_NAMESPACED = `kubernetes:${TRACING_POLICY_API_VERSION}:TracingPolicyNamespaced`;
export const TRACING_POLICY = `kubernetes:${TRACING_POLICY_API_VERSION}:TracingPolicy`;

/** The actions that only observe: post (or not) an event, and track file descriptors and sockets for later events. */
export const OBSERVING_TRACING_ACTIONS: readonly string[] = [
    "Post",
    "NoPost",
    "FollowFD",
    "UnfollowFD",
    "CopyFD",
    "TrackSock",
    "UntrackSock",
];

/** The spec's hook lists: each item may hold selectors. */
const HOOK_LISTS = ["kprobes", "tracepoints", "uprobes", "lsmhooks", "usdts", "fentries"] as const;

/** The JSON of a value with its keys sorted, for comparing specs whatever their key order. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** The API server addresses a `kubernetes-api-connect` spec names (its DAddr values), as the generator takes them. */
function daddrValues(spec: Record<string, unknown>): string[] {
    const kprobes = spec.kprobes as { selectors?: { matchArgs?: { operator?: unknown; values?: unknown }[] }[] }[];
    const args = kprobes?.[0]?.selectors?.[0]?.matchArgs ?? [];
    const daddr = args.find((arg) => arg?.operator === "DAddr");
    return Array.isArray(daddr?.values) ? (daddr.values as string[]) : [];
}

/** The problems of one selector: its actions, and its lists that match nothing. */
function selectorProblems(selector: Record<string, unknown>, where: string): string[] {
    const problems: string[] = [];
    for (const field of ["matchActions", "matchReturnActions"]) {
        const actions = selector[field];
        if (!Array.isArray(actions)) continue;
        actions.forEach((action: { action?: unknown }, i) => {
            const name = action?.action;
            if (!OBSERVING_TRACING_ACTIONS.includes(name as string)) {
                problems.push(
                    `${where}.${field}[${i}].action is ${JSON.stringify(name)}, which acts on the traced processes or the network instead of posting an event`,
                );
            }
        });
    }
    for (const [field, list] of Object.entries(selector)) {
        if (!field.startsWith("match") || field.endsWith("Actions") || !Array.isArray(list)) continue;
        list.forEach((match: { operator?: unknown; values?: unknown }, i) => {
            const operator = typeof match?.operator === "string" ? match.operator : "";
            if (Array.isArray(match?.values) && match.values.length === 0 && !operator.startsWith("Not")) {
                problems.push(
                    `${where}.${field}[${i}] (${operator || "no operator"}) lists no value: it matches nothing`,
                );
            }
        });
    }
    return problems;
}

function judgeSpec(spec: Record<string, unknown>, what: string, report: Reporter): void {
    if (spec.enforcers !== undefined) {
        report.violation(`${what}: spec.enforcers is set: an enforcer overrides syscalls of the traced processes`);
    }
    for (const hook of HOOK_LISTS) {
        const items = spec[hook];
        if (!Array.isArray(items)) continue;
        items.forEach((item: { selectors?: unknown }, i) => {
            const selectors = item?.selectors;
            if (!Array.isArray(selectors)) return;
            selectors.forEach((selector, j) => {
                if (selector === null || typeof selector !== "object") return;
                for (const problem of selectorProblems(
                    selector as Record<string, unknown>,
                    `spec.${hook}[${i}].selectors[${j}]`,
                )) {
                    report.violation(`${what}: ${problem}`);
                }
            });
        });
    }
}

/**
 * `runtime-security-tracing-policies`: Tetragon's tracing policies only post events, match something, and a
 * namespaced one bearing a baseline policy's name watches what the baseline's generator writes. Unknown
 * specs are reported as unknown.
 */
export const runtimeSecurityTracingPolicies: ResourcePolicy = {
    kind: "resource",
    name: "runtime-security-tracing-policies",
    group: "runtime-security",
    description:
        "Tetragon tracing policies only observe (post events), every selector matches something, and the baseline's named policies watch what the baseline generates.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Let RuntimeSecurity or EnvironmentTracingPolicies write the env's tracing policies; keep matchActions to Post " +
        "(or FollowFD, TrackSock and their kin), give every inclusive selector values, and name a policy of your own " +
        `other than ${Object.values(TracingPolicyName).join(" or ")}.`,
    url: "https://tetragon.io/docs/concepts/tracing-policy/selectors/#actions-filter",
    types: [TRACING_POLICY_NAMESPACED, TRACING_POLICY],
    validate(resource, _settings, report) {
        const what = describeResource(resource);
        const spec = resource.props?.spec;
        if (isUnknown(spec) || containsUnknown(spec)) return report.unknown("spec");
        if (spec === null || typeof spec !== "object") {
            return report.violation(`${what}: has no spec`);
        }
        judgeSpec(spec as Record<string, unknown>, what, report);
        if (resource.type !== TRACING_POLICY_NAMESPACED) return;
        const name = resource.props?.metadata?.name;
        if (isUnknown(name)) return report.unknown("metadata.name");
        let expected: Record<string, unknown> | undefined;
        if (name === TracingPolicyName.TokenRead) expected = tokenReadSpec();
        else if (name === TracingPolicyName.KubernetesApiConnect) expected = apiConnectSpec(daddrValues(spec));
        if (expected !== undefined && canonical(spec) !== canonical(expected)) {
            report.violation(
                `${what}: is named ${name}, the baseline's policy of its namespace, but does not watch what the baseline's does: it would replace that watch`,
            );
        }
    },
};

export const runtimeSecurityPolicies: readonly ResourcePolicy[] = [runtimeSecurityTracingPolicies];
