/**
 * Runs the pack's policies over the resources the CLI read: every resource policy over each resource (through
 * engine.ts, whose index by type token is built once per policy list), then every stack policy once over all
 * of them, as a preview of one stack containing them all would.
 */
import { POD_SECURITY_VERSION } from "../../components/baseline";
import { checkResource, checkStack, LevelOverrides, normalizedResource, SettingsFor, typeJudged } from "../engine";
import { kubernetesKindOf, OLDER_API_TYPES } from "../policies/resource";
import { EnforcementLevel, Policy, PolicyResource, Violation } from "../policies/types";
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
    /**
     * YAML: the line of the object's `kind` in its file; a stack file: the line of the key its finding names;
     * null for JSON, the stack entry and a stack file's missing `secretsprovider`.
     */
    readonly line: number | null;
    /** The Kubernetes kind, or the type token of another resource; `Stack` for the stack entry. */
    readonly kind: string;
    /** `metadata.name`, else the resource's name. */
    readonly name: string;
    /** `metadata.namespace` when set, else null (cluster-scoped, or left to the namespace of the apply). */
    readonly namespace: string | null;
    readonly violations: readonly ReportedViolation[];
}

/**
 * What the resource policies found on one resource, as plain data a thread can send: the violations as the
 * JSON text of their list, and how many of them are mandatory and advisory. A report on many resources is
 * mostly violations: kept as one string per resource rather than an object and a message per violation, they
 * cost the garbage collector one object each.
 */
export interface FoundViolations {
    /** JSON.stringify of the ReportedViolation list, keys in ReportedViolation's order. */
    readonly json: string;
    readonly mandatory: number;
    readonly advisory: number;
}

/** Violations as FoundViolations. */
export function foundOf(violations: readonly ReportedViolation[]): FoundViolations {
    let mandatory = 0;
    for (const violation of violations) if (violation.level === EnforcementLevel.Mandatory) mandatory++;
    return { json: JSON.stringify(violations), mandatory, advisory: violations.length - mandatory };
}

/** A resource's result whose violations are kept as FoundViolations, read back only when asked for. */
export class JudgedResult implements ResourceResult {
    private parsed?: readonly ReportedViolation[];

    constructor(
        identity: Omit<ResourceResult, "violations">,
        readonly found: FoundViolations,
    ) {
        this.source = identity.source;
        this.line = identity.line;
        this.kind = identity.kind;
        this.name = identity.name;
        this.namespace = identity.namespace;
    }

    readonly source: string;
    readonly line: number | null;
    readonly kind: string;
    readonly name: string;
    readonly namespace: string | null;

    get violations(): readonly ReportedViolation[] {
        this.parsed ??= JSON.parse(this.found.json) as ReportedViolation[];
        return this.parsed;
    }

    /** As JSON.stringify writes it: the plain ResourceResult, violations included. */
    toJSON(): ResourceResult {
        const { source, line, kind, name, namespace, violations } = this;
        return { source, line, kind, name, namespace, violations };
    }
}

export interface CheckSummary {
    /** Resources checked (List items count one each). */
    readonly resources: number;
    /**
     * Of those, resources no policy judges: of a kind no resource policy names and whose fields no stack
     * policy read. Counted apart so that they are not mistaken for resources found compliant.
     */
    readonly notJudged: number;
    /** Mandatory violations, over all resources. */
    readonly mandatory: number;
    /** Advisory violations, over all resources. */
    readonly advisory: number;
}

/** What `check` found. Only resources with at least one violation are listed. */
export interface CheckReport {
    readonly results: ResourceResult[];
    /**
     * What the verdict should be read with: objects of an API version the pinned Kubernetes no longer serves
     * (judged as their kind's current version), the kinds no policy judges, files with nothing to check.
     */
    readonly notices: string[];
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
        line: input.line ?? null,
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

/** The Kubernetes minor version the profiles pin (POD_SECURITY_VERSION). */
const PINNED_MINOR = Number(POD_SECURITY_VERSION.split(".")[1]);

function olderApiNotice(input: CheckedResource): string | undefined {
    const older = OLDER_API_TYPES.get(input.resource.type);
    if (older === undefined) return undefined;
    const { apiVersion, kind } = kubernetesKindOf(input.resource.type)!;
    const { name } = identify(input);
    const served =
        older.removedIn <= PINNED_MINOR
            ? `which Kubernetes stopped serving in v1.${older.removedIn} (the pinned ${POD_SECURITY_VERSION} refuses it)`
            : `which Kubernetes stops serving in v1.${older.removedIn}`;
    const judged = older.judged
        ? `judged as ${kubernetesKindOf(older.current)!.apiVersion} ${kind}`
        : "not judged: the kind has no successor";
    return `${input.source}: ${kind} ${name} uses ${apiVersion}, ${served}; ${judged}`;
}

/** How a resource is shown to the stack policies: its props read through a getter, to learn who read them. */
function tracked(resource: PolicyResource, read: () => void): PolicyResource {
    const { props } = resource;
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        parent: resource.parent,
        get props() {
            read();
            return props;
        },
    };
}

/** How many resources judgeEach judges between two calls of its progress callback. */
const PROGRESS_EVERY = 256;

/**
 * What the resource policies found on one resource, apart from the stack policies: its violations (absent
 * when none), whether a policy judges it (its type is named by one, or a policy found something), and the
 * notice of an API version no longer served. A parsing thread computes them beside the parse (parallel.ts);
 * runCheck does the same in this thread otherwise.
 */
export interface ResourceVerdict {
    readonly found?: FoundViolations;
    readonly judged: boolean;
    readonly notice?: string;
}

/** The verdicts of a resource no resource policy found anything on (most of them): shared, never copied. */
const JUDGED: ResourceVerdict = Object.freeze({ judged: true });
const NOT_JUDGED: ResourceVerdict = Object.freeze({ judged: false });

/**
 * Every resource policy over each of `inputs`, in order; `progress` is told every few hundred resources how
 * many are judged. The arguments are runCheck's.
 */
export function judgeEach(
    inputs: readonly CheckedResource[],
    policies: readonly Policy[],
    settings: SettingsFor,
    levels: LevelOverrides = {},
    progress?: (judged: number) => void,
): ResourceVerdict[] {
    const verdicts: ResourceVerdict[] = new Array(inputs.length);
    for (let index = 0; index < inputs.length; index++) {
        if (progress !== undefined && index % PROGRESS_EVERY === 0) progress(index);
        const input = inputs[index];
        const resource = normalizedResource(input.resource);
        const notice = olderApiNotice(input);
        const violations = checkResource(resource, policies, settings, levels);
        const found = violations.length > 0 ? foundOf(violations.map(reported)) : undefined;
        const judged = found !== undefined || typeJudged(policies, resource.type);
        verdicts[index] =
            found === undefined && notice === undefined ? (judged ? JUDGED : NOT_JUDGED) : { found, judged, notice };
    }
    return verdicts;
}

/**
 * Checks `inputs` against `policies`. `policies` should be the same array across calls (the engine indexes
 * it by type token once); `settings` are built once by the caller (one for every policy, or per policy as a
 * config file gives them); `levels` are the config's levels per policy; `progress` is told every few hundred
 * resources how many are judged. `verdicts`, when given, are judgeEach's over the same inputs and policies,
 * computed beforehand (by the parsing threads); the stack policies are then all that is left to run.
 */
export function runCheck(
    inputs: readonly CheckedResource[],
    policies: readonly Policy[],
    settings: SettingsFor,
    levels: LevelOverrides = {},
    progress?: (judged: number) => void,
    verdicts: readonly ResourceVerdict[] = judgeEach(inputs, policies, settings, levels, progress),
): CheckReport {
    if (verdicts.length !== inputs.length) throw new Error("runCheck: one verdict per input is needed");
    const foundOn: (FoundViolations | undefined)[] = new Array(inputs.length);
    const hasStackPolicies = policies.some((policy) => policy.kind === "stack");
    const byUrn = new Map<string, number>();
    const judged: boolean[] = new Array(inputs.length);
    const notices: string[] = [];
    for (let index = 0; index < inputs.length; index++) {
        const verdict = verdicts[index];
        if (verdict.notice !== undefined) notices.push(verdict.notice);
        judged[index] = verdict.judged;
        foundOn[index] = verdict.found;
    }
    const normalized = hasStackPolicies ? inputs.map((input) => normalizedResource(input.resource)) : [];
    for (let index = 0; index < normalized.length; index++) {
        const { urn } = normalized[index];
        if (urn !== undefined && !byUrn.has(urn)) byUrn.set(urn, index);
    }

    const unowned: ReportedViolation[] = [];
    if (hasStackPolicies) {
        const stackViolations = checkStack(
            normalized.map((resource, index) =>
                judged[index] ? resource : tracked(resource, () => (judged[index] = true)),
            ),
            policies,
            settings,
            levels,
            false,
        );
        // A resource a stack policy found something on gets its list read back, the stack's violations after it.
        const added = new Map<number, ReportedViolation[]>();
        for (const violation of stackViolations) {
            const owner = violation.urn === undefined ? undefined : byUrn.get(violation.urn);
            if (owner === undefined) unowned.push(reported(violation));
            else {
                let list = added.get(owner);
                if (list === undefined) {
                    const earlier = foundOn[owner];
                    list = earlier === undefined ? [] : (JSON.parse(earlier.json) as ReportedViolation[]);
                    added.set(owner, list);
                }
                list.push(reported(violation));
                judged[owner] = true;
            }
        }
        for (const [owner, list] of added) foundOn[owner] = foundOf(list);
    }

    const results: ResourceResult[] = [];
    let mandatory = 0;
    let advisory = 0;
    const count = (found: FoundViolations): void => {
        mandatory += found.mandatory;
        advisory += found.advisory;
    };
    for (let index = 0; index < inputs.length; index++) {
        const found = foundOn[index];
        if (found === undefined) continue;
        count(found);
        results.push(new JudgedResult(identify(inputs[index]), found));
    }
    if (unowned.length > 0) {
        const found = foundOf(unowned);
        count(found);
        results.push(
            new JudgedResult(
                { source: STACK_SOURCE, line: null, kind: "Stack", name: "stack", namespace: null },
                found,
            ),
        );
    }
    const notJudgedKinds = new Map<string, number>();
    for (let index = 0; index < inputs.length; index++) {
        if (judged[index]) continue;
        const kind = identify(inputs[index]).kind;
        notJudgedKinds.set(kind, (notJudgedKinds.get(kind) ?? 0) + 1);
    }
    const notJudged = [...notJudgedKinds.values()].reduce((sum, count) => sum + count, 0);
    if (notJudged > 0) {
        const kinds = [...notJudgedKinds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        notices.push(`not judged by any policy: ${kinds.map(([kind, count]) => `${kind} (${count})`).join(", ")}`);
    }
    return { results, notices, summary: { resources: inputs.length, notJudged, mandatory, advisory } };
}
