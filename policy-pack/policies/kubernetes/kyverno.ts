/**
 * Kyverno: production denies at admission, and every policy exception is narrow, owned, justified, lives in
 * the one namespace Kyverno reads exceptions from, and ends by a field Kyverno itself acts on.
 */
import {
    cleanupTtlOf,
    ExceptionAnnotation,
    isIsoDate,
    latestExceptionEnd,
    utcDate,
} from "../../../components/addons/kyverno/exceptions";
import { KYVERNO_POLICIES_API_VERSION } from "../../../components/addons/kyverno/manifests";
import {
    CLEANUP_TTL_LABEL,
    Environment,
    isDns1123Label,
    LABEL_VALUE,
    PLATFORM_NAMESPACES,
    policyExceptionLifetimeDays,
} from "../../../components/baseline";
import { HELM_CHART_TYPES, isRuntimeSecurityException } from "../platform";
import { containsUnknown, describeResource, envOf, isUnknown, namespaceOf } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity, StackPolicy } from "../types";
import { annotationsOf, labelsOf, show, stringsOf } from "./common";

/** Versions of Kyverno's CEL policy group: v1 is what the platform writes, the others what older clusters serve. */
const POLICIES_GROUP_VERSIONS = [
    KYVERNO_POLICIES_API_VERSION,
    "policies.kyverno.io/v1beta1",
    "policies.kyverno.io/v1alpha1",
];
/** The CEL policy kinds that validate and carry `spec.validationActions`. */
const VALIDATING_KINDS = ["ValidatingPolicy", "NamespacedValidatingPolicy", "ImageValidatingPolicy"];

export const VALIDATING_POLICY = `kubernetes:${KYVERNO_POLICIES_API_VERSION}:ValidatingPolicy`;
export const POLICY_EXCEPTION = `kubernetes:${KYVERNO_POLICIES_API_VERSION}:PolicyException`;
/** The exception of Kyverno's classic policies (ClusterPolicy), kyverno.io/v2. */
export const CLASSIC_POLICY_EXCEPTION = "kubernetes:kyverno.io/v2:PolicyException";

const VALIDATING_TYPES = POLICIES_GROUP_VERSIONS.flatMap((version) =>
    VALIDATING_KINDS.map((kind) => `kubernetes:${version}:${kind}`),
);
const EXCEPTION_TYPES = [
    ...POLICIES_GROUP_VERSIONS.map((version) => `kubernetes:${version}:PolicyException`),
    CLASSIC_POLICY_EXCEPTION,
    "kubernetes:kyverno.io/v2beta1:PolicyException",
];

const DENY = "Deny";

/**
 * In prod, a ValidatingPolicy (and a NamespacedValidatingPolicy or ImageValidatingPolicy, which carry the same
 * field) lists `Deny` in `spec.validationActions`: Audit and Warn let the violating object in. The env is
 * envOf's; a policy whose env nothing names is judged as prod. Other envs pass: their profile audits. An
 * unknown `validationActions` is reported as unknown.
 */
export const kyvernoProdDenies: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-prod-denies",
    group: "kyverno",
    description: "Kyverno validating policies in prod deny violating objects at admission.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Set spec.validationActions to ["Deny"] in prod (BaselinePolicies does, from the prod profile\'s ' +
        "policyAction); to let one workload in, write a PolicyException with an owner and an expiry instead.",
    url: "https://kyverno.io/docs/policy-types/validating-policy/",
    types: VALIDATING_TYPES,
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? Environment.Prod;
        if (env !== Environment.Prod) return;
        const spec = resource.props?.spec;
        const actions = isUnknown(spec) ? undefined : stringsOf(spec?.validationActions);
        if (actions === undefined) {
            report.unknown("spec.validationActions");
            return;
        }
        if (!actions.includes(DENY)) {
            const has = actions.length > 0 ? `validationActions ${actions.join(", ")}` : "no validationActions";
            report.violation(`${describeResource(resource)} has ${has} in prod: violating objects are admitted`);
        }
    },
};

const IMAGE_VALIDATING_TYPES = POLICIES_GROUP_VERSIONS.flatMap((version) =>
    ["ImageValidatingPolicy", "NamespacedImageValidatingPolicy"].map((kind) => `kubernetes:${version}:${kind}`),
);

/**
 * In prod, an ImageValidatingPolicy keeps `spec.validationConfigurations.verifyDigest` on, as the prod profile
 * does (components/baseline imageDigests): with it off, an image that names no digest passes verification, so
 * what runs is whatever the tag points to at pull time. Kyverno defaults the field (and the object holding it)
 * to true, so only an explicit false fails. The env is envOf's; a policy whose env nothing names is judged as
 * prod. An unknown value is reported as unknown. Kyverno acts on the field from 1.19.0 (the pinned release).
 */
export const kyvernoProdVerifiesDigests: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-prod-verifies-digests",
    group: "kyverno",
    description: "Kyverno ImageValidatingPolicies in prod verify that images name a digest.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove spec.validationConfigurations.verifyDigest or set it to true in prod (BaselinePolicies writes it " +
        "from the prod profile's imageDigests); pin images by digest in the program.",
    url: "https://kyverno.io/docs/policy-types/image-validating-policy/",
    types: IMAGE_VALIDATING_TYPES,
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? Environment.Prod;
        if (env !== Environment.Prod) return;
        const spec = resource.props?.spec;
        const configurations = isUnknown(spec) ? spec : spec?.validationConfigurations;
        const verify = isUnknown(configurations) ? configurations : configurations?.verifyDigest;
        if (isUnknown(verify)) {
            report.unknown("spec.validationConfigurations.verifyDigest");
            return;
        }
        if (verify === false) {
            report.violation(
                `${describeResource(resource)} sets spec.validationConfigurations.verifyDigest false in prod: ` +
                    "images that name no digest pass",
            );
        }
    },
};

/** True for a policies.kyverno.io exception (CEL policies), false for a kyverno.io one (ClusterPolicy rules). */
function isCelException(resource: PolicyResource): boolean {
    return resource.type.startsWith("kubernetes:policies.kyverno.io/");
}

const OWNER_PATH = `metadata.annotations["${ExceptionAnnotation.Owner}"]`;
const REASON_PATH = `metadata.annotations["${ExceptionAnnotation.Reason}"]`;
const TTL_PATH = `metadata.labels["${CLEANUP_TTL_LABEL}"]`;

/**
 * Judges one expiry instant: not passed on `now`, and no later than the env's longest exception lifetime.
 */
function judgeEnd(
    what: string,
    path: string,
    value: unknown,
    at: number,
    now: Date,
    latest: number,
    days: number,
    report: Reporter,
): void {
    if (at <= now.getTime()) {
        // The day, not the instant: a report must read the same from one run to the next on the same day.
        report.violation(`${what} expired: ${path} is ${show(value)} (today is ${now.toISOString().slice(0, 10)})`);
    } else if (at > latest) {
        report.violation(
            `${what}: ${path} is ${show(value)}, more than ${days} days away, the longest an exception may live here`,
        );
    }
}

/**
 * Every PolicyException ends by a field Kyverno itself acts on, within the env's longest exception lifetime
 * (components/baseline MAX_POLICY_EXCEPTION_DAYS, the env envOf's, prod when nothing names it):
 * - a policies.kyverno.io exception (CEL policies, any served version) by `spec.expiresAt` (RFC 3339), which
 *   the engine honours: once passed, the exception no longer applies; or by the `cleanup.kyverno.io/ttl`
 *   label below. When both are present both are judged.
 * - a kyverno.io/v2 or v2beta1 exception, whose CRD has no expiry field, by the `cleanup.kyverno.io/ttl`
 *   label the cleanup controller deletes objects by: a date, a colon-less time or a duration from creation.
 * The `k8s-baseline/exception-expires` annotation alone ends nothing: it is for people, and when present it
 * must agree (not passed). A malformed value fails; an unknown one is reported as unknown. The one exception
 * that does not end is the runtime security sensor's, exactly as RuntimeSecurity writes and registers it
 * (platform.ts isRuntimeSecurityException): it lasts as long as the sensor.
 */
export const kyvernoExceptionExpiry: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-exception-expiry",
    group: "kyverno",
    description:
        "Kyverno PolicyExceptions end, by a field Kyverno acts on, within the environment's longest exception lifetime.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Declare the exception through BaselinePolicies' exceptions, which writes spec.expiresAt and the " +
        `${CLEANUP_TTL_LABEL} label; a kyverno.io exception needs the label. Keep the end within the env's ` +
        "longest exception lifetime (30 days in prod); when it has passed, remove the exception or renew it with a " +
        "new date and a current reason.",
    url: "https://kyverno.io/docs/guides/ttl-cleanup/",
    types: EXCEPTION_TYPES,
    validate(resource, settings, report) {
        if (isRuntimeSecurityException(resource, settings)) return;
        const what = describeResource(resource);
        const now = settings.now;
        const env = envOf(resource, settings) ?? Environment.Prod;
        const days = policyExceptionLifetimeDays(env);
        const latest = latestExceptionEnd(now, env);
        const cel = isCelException(resource);
        let ends = false;

        const spec = resource.props?.spec;
        const expiresAt = isUnknown(spec) ? spec : spec?.expiresAt;
        if (cel) {
            if (isUnknown(expiresAt)) {
                report.unknown("spec.expiresAt");
                ends = true;
            } else if (expiresAt !== undefined) {
                ends = true;
                const at = typeof expiresAt === "string" ? Date.parse(expiresAt) : NaN;
                if (Number.isNaN(at)) {
                    report.violation(`${what}: spec.expiresAt is ${show(expiresAt)}, not an RFC 3339 time`);
                } else {
                    judgeEnd(what, "spec.expiresAt", expiresAt, at, now, latest, days, report);
                }
            }
        }

        const labels = labelsOf(resource);
        const ttl = isUnknown(labels) ? labels : labels[CLEANUP_TTL_LABEL];
        if (isUnknown(ttl)) {
            report.unknown(TTL_PATH);
            ends = true;
        } else if (ttl !== undefined) {
            const parsed = cleanupTtlOf(ttl);
            if (parsed === undefined) {
                report.violation(
                    `${what}: ${TTL_PATH} is ${show(ttl)}, which the cleanup controller does not read as a date, time or duration`,
                );
            } else if ("afterMs" in parsed) {
                ends = true;
                if (parsed.afterMs > days * 24 * 60 * 60 * 1000) {
                    report.violation(
                        `${what}: ${TTL_PATH} is ${show(ttl)}, longer than ${days} days, the longest an exception may live here`,
                    );
                }
            } else {
                ends = true;
                judgeEnd(what, TTL_PATH, ttl, parsed.at, now, latest, days, report);
            }
        }

        const annotations = annotationsOf(resource);
        const annotation = isUnknown(annotations) ? annotations : annotations[ExceptionAnnotation.Expires];
        const annotationPath = `metadata.annotations["${ExceptionAnnotation.Expires}"]`;
        if (isUnknown(annotation)) report.unknown(annotationPath);
        else if (annotation !== undefined) {
            if (!isIsoDate(annotation)) {
                report.violation(`${what}: ${annotationPath} is ${show(annotation)}, not a date YYYY-MM-DD`);
            } else if (annotation <= utcDate(now)) {
                report.violation(`${what} expired: ${annotationPath} is ${annotation} (today is ${utcDate(now)})`);
            }
        }

        if (!ends) {
            report.violation(
                cel
                    ? `${what} has neither spec.expiresAt nor ${TTL_PATH}: Kyverno would apply it forever (an annotation ends nothing)`
                    : `${what} has no ${TTL_PATH}: a kyverno.io exception has no expiry field, so nothing would ever delete it`,
            );
        }
    },
};

/** Every policies.kyverno.io policy kind an exception may name. */
const CEL_POLICY_KINDS: ReadonlySet<string> = new Set([
    "ValidatingPolicy",
    "NamespacedValidatingPolicy",
    "ImageValidatingPolicy",
    "NamespacedImageValidatingPolicy",
    "MutatingPolicy",
    "NamespacedMutatingPolicy",
    "GeneratingPolicy",
    "NamespacedGeneratingPolicy",
    "DeletingPolicy",
    "NamespacedDeletingPolicy",
]);

/** A name that is a pattern rather than one name: Kyverno matches `*` and `?` as wildcards in its selectors. */
function isPattern(value: string): boolean {
    return value.length === 0 || value.includes("*") || value.includes("?");
}

/** A CEL string literal in single or double quotes, without escapes (what the component writes). */
const CEL_LITERAL = String.raw`(?:'[^'\\]*'|"[^"\\]*")`;
const CEL_LITERAL_LIST = new RegExp(String.raw`^\[\s*(${CEL_LITERAL}(?:\s*,\s*${CEL_LITERAL})*)\s*\]$`);
const CEL_LITERAL_ITEM = new RegExp(CEL_LITERAL, "g");
/** `<subject> == 'x'` or `<subject> in ['x', ...]`, where subject names the object's (or request's) namespace. */
const NAMESPACE_EQUALS = new RegExp(
    String.raw`^(?:object\.metadata\.namespace|request\.namespace|namespaceObject\.metadata\.name)\s*==\s*(${CEL_LITERAL})$`,
);
const NAMESPACE_IN =
    /^(?:object\.metadata\.namespace|request\.namespace|namespaceObject\.metadata\.name)\s+in\s+(\[.*\])$/s;
const NAME_EQUALS = new RegExp(String.raw`^object\.metadata\.name\s*==\s*(${CEL_LITERAL})$`);
const NAME_IN = /^object\.metadata\.name\s+in\s+(\[.*\])$/s;
const KIND_IS_NAMESPACE = /^object\.kind\s*==\s*(?:'Namespace'|"Namespace")$/;

/** The values of a CEL literal list, or undefined when it is not one. */
function literalList(text: string): string[] | undefined {
    const match = CEL_LITERAL_LIST.exec(text.trim());
    if (!match) return undefined;
    return [...match[1].matchAll(CEL_LITERAL_ITEM)].map((m) => m[0].slice(1, -1));
}

/** True when each value is one namespace name. */
function areNamespaces(values: readonly string[] | undefined): boolean {
    return values !== undefined && values.length > 0 && values.every((v) => isDns1123Label(v));
}

/**
 * Splits `expr` at the top-level occurrences of `op` (`&&`, `||`), outside strings, parentheses and brackets.
 * For `?`, returns [condition, then, else] of a top-level conditional, or one part when there is none.
 */
function splitTop(expr: string, op: "&&" | "||" | "?"): string[] {
    const parts: string[] = [];
    let depth = 0;
    let quote: string | undefined;
    let start = 0;
    let pendingQuestion = -1;
    let nested = 0;
    for (let i = 0; i < expr.length; i++) {
        const c = expr[i];
        if (quote) {
            if (c === "\\") i++;
            else if (c === quote) quote = undefined;
            continue;
        }
        if (c === "'" || c === '"') quote = c;
        else if (c === "(" || c === "[" || c === "{") depth++;
        else if (c === ")" || c === "]" || c === "}") depth--;
        else if (depth === 0) {
            if (op === "?") {
                if (c === "?") {
                    if (pendingQuestion < 0) pendingQuestion = i;
                    else nested++;
                } else if (c === ":" && pendingQuestion >= 0) {
                    if (nested > 0) nested--;
                    else
                        return [
                            expr.slice(0, pendingQuestion),
                            expr.slice(pendingQuestion + 1, i),
                            expr.slice(i + 1),
                        ].map((p) => p.trim());
                }
            } else if (expr.startsWith(op, i)) {
                parts.push(expr.slice(start, i).trim());
                start = i + op.length;
                i += op.length - 1;
            }
        }
    }
    if (op === "?") return [expr.trim()];
    parts.push(expr.slice(start).trim());
    return parts;
}

/** `expr` without parentheses that enclose all of it. */
function unwrap(expr: string): string {
    let e = expr.trim();
    while (e.startsWith("(") && e.endsWith(")")) {
        let depth = 0;
        let closesAtEnd = true;
        for (let i = 0; i < e.length; i++) {
            if (e[i] === "(") depth++;
            else if (e[i] === ")") depth--;
            if (depth === 0 && i < e.length - 1) {
                closesAtEnd = false;
                break;
            }
        }
        if (!closesAtEnd) break;
        e = e.slice(1, -1).trim();
    }
    return e;
}

/**
 * True when a CEL condition can only be true for objects of a listed set of namespaces (a Namespace object by
 * its own name): a namespace equality or literal `in` list as one of the top-level conjuncts, every branch of
 * a disjunction or conditional restricted. What it cannot read is taken as unrestricted, so `true`, a
 * negation or a function call counts as matching everything.
 */
function restrictsNamespaces(expr: string, namespaceKind = false): boolean {
    const e = unwrap(expr);
    const conditional = splitTop(e, "?");
    if (conditional.length === 3) {
        const [condition, then, otherwise] = conditional;
        return restrictsNamespaces(then, KIND_IS_NAMESPACE.test(unwrap(condition))) && restrictsNamespaces(otherwise);
    }
    const disjuncts = splitTop(e, "||");
    if (disjuncts.length > 1) return disjuncts.every((d) => restrictsNamespaces(d, namespaceKind));
    const conjuncts = splitTop(e, "&&");
    if (conjuncts.length > 1) return conjuncts.some((c) => restrictsNamespaces(c, namespaceKind));
    const equals = NAMESPACE_EQUALS.exec(e) ?? (namespaceKind ? NAME_EQUALS.exec(e) : null);
    if (equals) return areNamespaces([equals[1].slice(1, -1)]);
    const inList = NAMESPACE_IN.exec(e) ?? (namespaceKind ? NAME_IN.exec(e) : null);
    return inList !== null && areNamespaces(literalList(inList[1]));
}

/** The problems of a CEL exception's scope: wildcard or missing policies, conditions that match everything. */
function celScopeProblems(spec: any, report: Reporter): string[] {
    const problems: string[] = [];
    const refs = spec?.policyRefs;
    if (isUnknown(refs)) report.unknown("spec.policyRefs");
    else if (!Array.isArray(refs) || refs.length === 0) problems.push("names no policy in spec.policyRefs");
    else {
        refs.forEach((ref: any, i: number) => {
            if (containsUnknown(ref)) report.unknown(`spec.policyRefs[${i}]`);
            else if (typeof ref?.name !== "string" || isPattern(ref.name)) {
                problems.push(`spec.policyRefs[${i}].name ${show(ref?.name)} is not one policy`);
            } else if (typeof ref?.kind !== "string" || !CEL_POLICY_KINDS.has(ref.kind)) {
                problems.push(`spec.policyRefs[${i}].kind ${show(ref?.kind)} is not a Kyverno policy kind`);
            }
        });
    }
    const conditions = spec?.matchConditions;
    if (isUnknown(conditions)) report.unknown("spec.matchConditions");
    else if (!Array.isArray(conditions) || conditions.length === 0) {
        problems.push("has no spec.matchConditions, so it excepts every object the policies judge");
    } else if (containsUnknown(conditions)) report.unknown("spec.matchConditions");
    else if (!conditions.some((c: any) => typeof c?.expression === "string" && restrictsNamespaces(c.expression))) {
        // Kyverno excepts an object when every condition holds, so one restricted condition bounds it.
        problems.push(
            "has no spec.matchConditions expression that limits it to listed namespaces " +
                "(object.metadata.namespace == '<ns>' or in ['<ns>', ...]), so it can except objects anywhere",
        );
    }
    return problems;
}

/** The problems of one kyverno.io match filter (`match.any[i]` / `match.all[i]`). */
function classicFilterProblems(filter: any, path: string): { problems: string[]; namespaced: boolean } {
    const problems: string[] = [];
    const resources = filter?.resources;
    const kinds = stringsOf(resources?.kinds) ?? [];
    if (kinds.length === 0) problems.push(`${path}.resources.kinds is empty, so it matches every kind`);
    else if (kinds.some(isPattern)) problems.push(`${path}.resources.kinds ${show(kinds)} matches every kind`);
    const names = [...(stringsOf(resources?.names) ?? [])];
    if (typeof resources?.name === "string") names.push(resources.name);
    if (names.some(isPattern)) problems.push(`${path}.resources names ${show(names)} by a pattern`);
    const namespaces = stringsOf(resources?.namespaces) ?? [];
    const namespaced = namespaces.length > 0 && namespaces.every((ns) => isDns1123Label(ns));
    if (namespaces.length > 0 && !namespaced) {
        problems.push(`${path}.resources.namespaces ${show(namespaces)} is a pattern, not namespace names`);
    }
    return { problems, namespaced };
}

/** The problems of a kyverno.io exception's scope: wildcard policies or rules, a match that covers anything. */
function classicScopeProblems(spec: any): string[] {
    const problems: string[] = [];
    const exceptions = spec?.exceptions;
    if (!Array.isArray(exceptions) || exceptions.length === 0) problems.push("names no policy in spec.exceptions");
    else {
        exceptions.forEach((ex: any, i: number) => {
            if (typeof ex?.policyName !== "string" || isPattern(ex.policyName)) {
                problems.push(`spec.exceptions[${i}].policyName ${show(ex?.policyName)} is not one policy`);
            }
            const rules = stringsOf(ex?.ruleNames) ?? [];
            if (rules.length === 0 || rules.some(isPattern)) {
                problems.push(`spec.exceptions[${i}].ruleNames ${show(ex?.ruleNames)} does not name its rules`);
            }
        });
    }
    const any = Array.isArray(spec?.match?.any) ? spec.match.any : [];
    const all = Array.isArray(spec?.match?.all) ? spec.match.all : [];
    if (any.length === 0 && all.length === 0) {
        problems.push("has an empty spec.match, so it excepts every object");
        return problems;
    }
    // Any one `any` filter admits an object by itself, so each must be bounded; `all` filters must all hold.
    any.forEach((filter: any, i: number) => {
        const judged = classicFilterProblems(filter, `spec.match.any[${i}]`);
        problems.push(...judged.problems);
        if (!judged.namespaced)
            problems.push(`spec.match.any[${i}] lists no namespaces, so it matches objects anywhere`);
    });
    if (any.length === 0) {
        const judged = all.map((filter: any, i: number) => classicFilterProblems(filter, `spec.match.all[${i}]`));
        judged.forEach((j: { problems: string[] }) => problems.push(...j.problems));
        if (!judged.some((j: { namespaced: boolean }) => j.namespaced)) {
            problems.push("spec.match.all lists no namespaces, so it matches objects anywhere");
        }
    }
    return problems;
}

/**
 * A PolicyException is narrow: it names each policy it waives (no `*` or `?` pattern, and for kyverno.io each
 * rule), and it matches only objects of listed namespaces. For policies.kyverno.io exceptions at least one
 * `matchConditions` expression must bound the namespace (`object.metadata.namespace == '<ns>'` or `in
 * [...]`, as BaselinePolicies writes it); for kyverno.io exceptions every `match.any` filter (or one
 * `match.all` filter) lists namespaces by name, with named kinds and no name pattern. An empty match, or a
 * condition the pack cannot read as bounded, is reported. An unknown spec is reported as unknown.
 */
export const kyvernoExceptionScope: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-exception-scope",
    group: "kyverno",
    description: "Kyverno PolicyExceptions name their policies and match only objects of listed namespaces.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name each waived policy (and rule) exactly, and bound the exception to the namespaces of the workloads " +
        "it covers: BaselinePolicies' exceptions take policies and namespaces and write such a condition.",
    url: "https://kyverno.io/docs/exceptions/",
    types: EXCEPTION_TYPES,
    validate(resource, _settings, report) {
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        if (!isCelException(resource) && containsUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        const problems = isCelException(resource) ? celScopeProblems(spec, report) : classicScopeProblems(spec);
        for (const problem of problems) report.violation(`${describeResource(resource)} ${problem}`);
    },
};

/**
 * A PolicyException says who answers for it and why it exists: the `k8s-baseline/exception-owner` annotation
 * (a team, as a label value) and a non-empty `k8s-baseline/exception-reason`, as BaselinePolicies writes
 * them. Unknown values are reported as unknown.
 */
export const kyvernoExceptionAccountable: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-exception-accountable",
    group: "kyverno",
    description: "Kyverno PolicyExceptions name an owning team and a reason.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Set the ${ExceptionAnnotation.Owner} annotation to the accountable team and ${ExceptionAnnotation.Reason} ` +
        "to why the objects cannot comply yet (BaselinePolicies' exceptions require both).",
    url: "https://kyverno.io/docs/exceptions/",
    types: EXCEPTION_TYPES,
    validate(resource, _settings, report) {
        const what = describeResource(resource);
        const annotations = annotationsOf(resource);
        if (isUnknown(annotations)) {
            report.unknown("metadata.annotations");
            return;
        }
        const owner = annotations[ExceptionAnnotation.Owner];
        if (isUnknown(owner)) report.unknown(OWNER_PATH);
        else if (typeof owner !== "string" || owner.length === 0 || !LABEL_VALUE.test(owner)) {
            report.violation(`${what}: ${OWNER_PATH} is ${show(owner)}, not a team`);
        }
        const reason = annotations[ExceptionAnnotation.Reason];
        if (isUnknown(reason)) report.unknown(REASON_PATH);
        else if (typeof reason !== "string" || reason.trim().length === 0) {
            report.violation(`${what}: ${REASON_PATH} is ${show(reason)}: say why the exception exists`);
        }
    },
};

/** The chart Kyverno is installed from. */
const KYVERNO_CHART = "kyverno";

/**
 * The namespaces the stack's Kyverno installations accept exceptions in (`features.policyExceptions.namespace`
 * of each kyverno chart), UNKNOWN when one is not known yet. When no installation names one concretely,
 * the platform's default: the Kyverno namespace.
 */
function exceptionNamespaces(resources: readonly PolicyResource[]): Set<string> | typeof UNKNOWN_NAMESPACES {
    const namespaces = new Set<string>();
    for (const r of resources) {
        if (!HELM_CHART_TYPES.has(r.type)) continue;
        const chart = r.props?.chart;
        if (typeof chart !== "string" || !(chart === KYVERNO_CHART || chart.endsWith(`/${KYVERNO_CHART}`))) continue;
        const values = r.props?.values;
        const namespace = isUnknown(values) ? values : values?.features?.policyExceptions?.namespace;
        if (containsUnknown(namespace)) return UNKNOWN_NAMESPACES;
        if (isDns1123Label(namespace)) namespaces.add(namespace);
    }
    if (namespaces.size === 0) namespaces.add(PLATFORM_NAMESPACES.kyverno);
    return namespaces;
}
const UNKNOWN_NAMESPACES: unique symbol = Symbol("unknown exception namespaces");

/**
 * A PolicyException lives in the namespace Kyverno is configured to read exceptions from: the
 * `features.policyExceptions.namespace` of the stack's kyverno chart, else the platform's Kyverno namespace.
 * Only platform administrators write there; an exception in a team's own namespace is one the team granted
 * itself, and with the feature open to every namespace (`*`) Kyverno would honour it. An unknown namespace
 * (of the exception or the chart's value) is reported as unknown.
 */
export const kyvernoExceptionNamespace: StackPolicy = {
    kind: "stack",
    name: "kyverno-exception-namespace",
    group: "kyverno",
    description: "Kyverno PolicyExceptions live only in the namespace Kyverno accepts exceptions in.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Create the exception in ${PLATFORM_NAMESPACES.kyverno} (or the Kyverno component's policyExceptionNamespace) ` +
        "through BaselinePolicies, never in the namespace of the workloads it excepts.",
    url: "https://kyverno.io/docs/installation/customization/#policy-exceptions",
    validateStack(resources, _settings, report) {
        let allowed: Set<string> | typeof UNKNOWN_NAMESPACES | undefined;
        for (const r of resources) {
            if (!EXCEPTION_TYPE_SET.has(r.type)) continue;
            allowed ??= exceptionNamespaces(resources);
            const metadata = r.props?.metadata;
            if (isUnknown(metadata) || isUnknown(metadata?.namespace)) {
                report.unknown("metadata.namespace", { urn: r.urn });
                continue;
            }
            if (allowed === UNKNOWN_NAMESPACES) {
                report.unknown("features.policyExceptions.namespace", { urn: r.urn });
                continue;
            }
            const namespace = namespaceOf(r) ?? "default";
            if (!allowed.has(namespace)) {
                report.violation(
                    `${describeResource(r)} is in namespace ${namespace}; Kyverno accepts exceptions only in ${[...allowed].join(", ")}`,
                    { urn: r.urn },
                );
            }
        }
    },
};
const EXCEPTION_TYPE_SET: ReadonlySet<string> = new Set(EXCEPTION_TYPES);

export const kyvernoPolicies = [
    kyvernoProdDenies,
    kyvernoProdVerifiesDigests,
    kyvernoExceptionExpiry,
    kyvernoExceptionScope,
    kyvernoExceptionAccountable,
    kyvernoExceptionNamespace,
] as const;
