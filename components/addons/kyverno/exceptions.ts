/**
 * Policy exceptions: a named, owned, justified and dated waiver of some baseline policies in some
 * namespaces, as a Kyverno `PolicyException` (policies.kyverno.io/v1).
 *
 * An exception is a debt with a due date. It must say who owns it, why it exists and when it ends; one whose
 * date has passed, or lies further out than the environment's longest exception lifetime, is refused when the
 * program runs, so that it is removed or deliberately renewed. Kyverno stops applying it at `spec.expiresAt`
 * even if nobody runs the program, and its cleanup controller deletes it by the `cleanup.kyverno.io/ttl`
 * label where it is allowed to delete exceptions.
 */
import {
    ArgsChecker,
    CLEANUP_TTL_LABEL,
    ClusterTopology,
    Environment,
    isDns1123Subdomain,
    LABEL_VALUE,
    PLATFORM_NAMESPACES,
    policyExceptionLifetimeDays,
    RUNTIME_SECURITY_EXCEPTION_REASON,
    RUNTIME_SECURITY_NAMESPACE,
    RUNTIME_SECURITY_OWNER,
    runtimeSecurityExceptionName,
    runtimeSecurityExemptPolicyNames,
} from "../../baseline";
import { celString, celStringList } from "./cel";
import { KYVERNO_POLICIES_API_VERSION, managedLabels, PolicyExceptionManifest, PolicyRef } from "./manifests";

/** Annotations an exception carries, for people and tools that read the object. */
export const ExceptionAnnotation = {
    Owner: "k8s-baseline/exception-owner",
    Reason: "k8s-baseline/exception-reason",
    Expires: "k8s-baseline/exception-expires",
} as const;
export type ExceptionAnnotation = (typeof ExceptionAnnotation)[keyof typeof ExceptionAnnotation];

/** A validated exception, ready to be written as a PolicyException. */
export interface ResolvedPolicyException {
    readonly name: string;
    /** The namespace the PolicyException object lives in (where Kyverno accepts exceptions). */
    readonly namespace: string;
    readonly policies: readonly PolicyRef[];
    readonly owner: string;
    readonly reason: string;
    /** The first day (UTC) the exception no longer applies, `YYYY-MM-DD`. */
    readonly expires: string;
    /** The namespaces whose objects are excepted. */
    readonly namespaces: readonly string[];
    /** Labels an excepted object must carry, in addition to being in one of `namespaces`. */
    readonly matchLabels: Readonly<Record<string, string>>;
}

/** A time-limited waiver of some baseline policies for the objects of some namespaces. */
export interface PolicyExceptionArgs {
    /** Name of the PolicyException object. */
    name: string;
    /** Namespace the PolicyException object is created in: the one Kyverno accepts exceptions in. Default: `kyverno`. */
    namespace?: string;
    /** Names of the baseline policies waived, e.g. `baseline-require-probes`. */
    policies: string[];
    /** Team accountable for the exception (a label value). */
    owner: string;
    /** Why the objects cannot comply yet, and what will make them comply. */
    reason: string;
    /** First day (UTC) the exception no longer applies, `YYYY-MM-DD`; a date that has passed is refused. */
    expires: string;
    /** Namespaces whose objects are excepted (a Namespace object by its own name). At least one. */
    namespaces: string[];
    /**
     * Labels an excepted object must also carry; for a workload, put them on the controller and its pod
     * template, since Kyverno judges both. Default: none (every object of the namespaces).
     */
    matchLabels?: Record<string, string>;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LABEL_KEY =
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const RENEW = "remove the exception, or renew it with a new expiry date and a current reason";
const DAY_MS = 24 * 60 * 60 * 1000;
/** A cleanup TTL as a time, without colons: `2026-05-01T000000Z`. */
const TTL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** A cleanup TTL as a duration from creation, one or more `<n><unit>` (the cleanup controller's units). */
const TTL_DURATION = /^(?:\d+(?:ns|us|µs|ms|s|m|h|d|w))+$/;
const TTL_DURATION_PART = /(\d+)(ns|us|µs|ms|s|m|h|d|w)/g;
const TTL_UNIT_MS: Readonly<Record<string, number>> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60 * 1000,
    h: 60 * 60 * 1000,
    d: DAY_MS,
    w: 7 * DAY_MS,
};

/** When a cleanup TTL label deletes its object: at an instant, or a duration after the object's creation. */
export type CleanupTtl = { readonly at: number } | { readonly afterMs: number };

/**
 * What a `cleanup.kyverno.io/ttl` value means to Kyverno's cleanup controller, which reads a duration first,
 * then a time (`YYYY-MM-DDTHHMMSSZ`), then a date (`YYYY-MM-DD`, midnight UTC); undefined when it is none of
 * them (the controller then deletes nothing).
 */
export function cleanupTtlOf(value: unknown): CleanupTtl | undefined {
    if (typeof value !== "string") return undefined;
    if (TTL_DURATION.test(value)) {
        let afterMs = 0;
        for (const [, amount, unit] of value.matchAll(TTL_DURATION_PART)) afterMs += Number(amount) * TTL_UNIT_MS[unit];
        return { afterMs };
    }
    const dateTime = TTL_DATE_TIME.exec(value);
    if (dateTime) {
        const [, day, h, m, sec] = dateTime;
        if (!isIsoDate(day) || Number(h) > 23 || Number(m) > 59 || Number(sec) > 59) return undefined;
        return { at: Date.parse(`${day}T${h}:${m}:${sec}Z`) };
    }
    if (isIsoDate(value)) return { at: Date.parse(`${value}T00:00:00Z`) };
    return undefined;
}

/** The latest instant an exception judged at `now` in `env` may end: now plus the env's longest lifetime. */
export function latestExceptionEnd(now: Date, env: Environment | undefined): number {
    return now.getTime() + policyExceptionLifetimeDays(env) * DAY_MS;
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
    if (typeof value !== "string") return false;
    const match = DATE.exec(value);
    if (!match) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Today's date in UTC, `YYYY-MM-DD`. */
export function utcDate(now: Date): string {
    return now.toISOString().slice(0, 10);
}

/**
 * Checks one declared exception; records every problem on `check` under `field` and returns the resolved
 * exception when it is valid. `kinds` maps the policy names an exception may reference to their kind. The
 * expiry may lie no further than `env`'s longest exception lifetime (the cap of every env when not given).
 */
export function checkPolicyException(
    check: ArgsChecker,
    input: PolicyExceptionArgs,
    field: string,
    defaultNamespace: string,
    kinds: ReadonlyMap<string, string>,
    now: Date,
    env?: Environment,
): ResolvedPolicyException | undefined {
    let valid = true;
    const expect = (ok: boolean, at: string, problem: string, fix: string): boolean => {
        valid = check.check(ok, at, problem, fix) && valid;
        return ok;
    };
    const namespace = input.namespace ?? defaultNamespace;
    expect(
        isDns1123Subdomain(input.name) && input.name.length <= 63,
        `${field}.name`,
        `${JSON.stringify(input.name)} is not a valid object name`,
        "use lower-case letters, digits, '-' and '.', at most 63 characters",
    );
    valid = check.dnsLabel(namespace, `${field}.namespace`) && valid;
    expect(
        typeof input.owner === "string" && input.owner.length > 0 && LABEL_VALUE.test(input.owner),
        `${field}.owner`,
        `${JSON.stringify(input.owner)} does not name an owner`,
        "name the team accountable for the exception (letters, digits, '-', '_' or '.', at most 63 characters)",
    );
    expect(
        typeof input.reason === "string" && input.reason.trim().length > 0,
        `${field}.reason`,
        "is required",
        "say why the workload cannot comply yet and what will make it comply",
    );
    if (
        expect(
            isIsoDate(input.expires),
            `${field}.expires`,
            `${JSON.stringify(input.expires)} is not a date`,
            'give the day the exception ends, as "YYYY-MM-DD"',
        )
    ) {
        const today = utcDate(now);
        if (
            expect(input.expires > today, `${field}.expires`, `${input.expires} has passed (today is ${today})`, RENEW)
        ) {
            const days = policyExceptionLifetimeDays(env);
            const latest = utcDate(new Date(latestExceptionEnd(now, env)));
            expect(
                Date.parse(`${input.expires}T00:00:00Z`) <= latestExceptionEnd(now, env),
                `${field}.expires`,
                `${input.expires} is more than ${days} days away${env ? ` (the longest an exception lives in ${env})` : ""}`,
                `end it by ${latest} at the latest, and renew it then if it is still needed`,
            );
        }
    }

    const policies = Array.isArray(input.policies) ? input.policies : [];
    expect(policies.length > 0, `${field}.policies`, "is empty", "name the baseline policies the exception waives");
    const seenPolicies = new Set<string>();
    policies.forEach((policy, i) => {
        expect(
            kinds.has(policy),
            `${field}.policies[${i}]`,
            `${JSON.stringify(policy)} is not a policy of this baseline`,
            `use one of ${[...kinds.keys()].join(", ")}`,
        );
        expect(
            !seenPolicies.has(policy),
            `${field}.policies[${i}]`,
            `${policy} is listed twice`,
            "list each policy once",
        );
        seenPolicies.add(policy);
    });

    // Without a namespace an exception would waive the policy across the cluster, and a team could claim it
    // by labelling its own objects: the namespace is the boundary a team cannot cross by itself.
    const namespaces = Array.isArray(input.namespaces) ? input.namespaces : [];
    expect(
        namespaces.length > 0,
        `${field}.namespaces`,
        "is empty",
        "list the namespaces whose objects the exception covers (an exception never covers the whole cluster)",
    );
    namespaces.forEach((ns, i) => {
        valid = check.dnsLabel(ns, `${field}.namespaces[${i}]`) && valid;
    });

    const matchLabels = input.matchLabels ?? {};
    for (const [key, value] of Object.entries(matchLabels)) {
        expect(
            LABEL_KEY.test(key),
            `${field}.matchLabels`,
            `${JSON.stringify(key)} is not a label key`,
            "use a Kubernetes label key such as app.kubernetes.io/name",
        );
        expect(
            typeof value === "string" && value.length > 0 && LABEL_VALUE.test(value),
            `${field}.matchLabels.${key}`,
            `${JSON.stringify(value)} is not a label value`,
            "use a non-empty Kubernetes label value",
        );
    }
    if (!valid) return undefined;
    return {
        name: input.name,
        namespace,
        policies: policies.map((name) => ({ name, kind: kinds.get(name)! })),
        owner: input.owner,
        reason: input.reason.trim(),
        expires: input.expires,
        namespaces: [...namespaces],
        matchLabels: { ...matchLabels },
    };
}

/**
 * The condition selecting the excepted objects: in one of the namespaces (a Namespace object by its own
 * name) and, when given, carrying the labels.
 */
export function exceptionMatchExpression(
    exception: Pick<ResolvedPolicyException, "namespaces" | "matchLabels">,
): string {
    const namespaces = celStringList(exception.namespaces);
    const inNamespaces =
        `(object.kind == 'Namespace' ? object.metadata.name in ${namespaces} : ` +
        `(has(object.metadata.namespace) && object.metadata.namespace in ${namespaces}))`;
    const labels = Object.entries(exception.matchLabels).map(
        ([key, value]) =>
            `${celString(key)} in object.metadata.labels && object.metadata.labels[${celString(key)}] == ${celString(value)}`,
    );
    if (labels.length === 0) return inNamespaces;
    return `${inNamespaces} && has(object.metadata.labels) && ${labels.join(" && ")}`;
}

/** The PolicyException of `exception`. */
export function policyException(exception: ResolvedPolicyException): PolicyExceptionManifest {
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "PolicyException",
        metadata: {
            name: exception.name,
            namespace: exception.namespace,
            // Kyverno's cleanup controller deletes the object on its expiry day where it may delete exceptions;
            // spec.expiresAt stops it applying at the same instant either way.
            labels: { ...managedLabels(), [CLEANUP_TTL_LABEL]: exception.expires },
            annotations: {
                [ExceptionAnnotation.Owner]: exception.owner,
                [ExceptionAnnotation.Reason]: exception.reason,
                [ExceptionAnnotation.Expires]: exception.expires,
            },
        },
        spec: {
            policyRefs: exception.policies.map((ref) => ({ ...ref })),
            matchConditions: [{ name: "excepted-objects", expression: exceptionMatchExpression(exception) }],
            // The exception ends at the start of its expiry day, UTC, the same instant the construction check uses.
            expiresAt: `${exception.expires}T00:00:00Z`,
            // Shown in policy reports next to the skipped result.
            properties: { owner: exception.owner, reason: exception.reason, expires: exception.expires },
        },
    };
}

/** The condition of the runtime security sensor's exception: the objects of its namespace, and no other. */
export function runtimeSecurityMatchExpression(): string {
    return exceptionMatchExpression({ namespaces: [RUNTIME_SECURITY_NAMESPACE], matchLabels: {} });
}

/**
 * The runtime security sensor's PolicyException: the objects of RUNTIME_SECURITY_NAMESPACE only, the
 * policies of RUNTIME_SECURITY_EXEMPT_POLICIES only (named as `env`'s BaselinePolicies name them on
 * `topology`: the env whose label the namespace carries), with the platform as owner and the reason. It is the
 * one exception without an expiry: it lasts as long as the sensor, and RuntimeSecurity removes it with the
 * sensor. The pack accepts it as such only when RuntimeSecurity registered it (policy-pack/policies/
 * runtime-security.ts); any other exception must end.
 */
export function runtimeSecurityException(
    env: Environment,
    topology: ClusterTopology,
    namespace: string = PLATFORM_NAMESPACES.kyverno,
): PolicyExceptionManifest {
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "PolicyException",
        metadata: {
            name: runtimeSecurityExceptionName(env, topology),
            namespace,
            labels: managedLabels(),
            annotations: {
                [ExceptionAnnotation.Owner]: RUNTIME_SECURITY_OWNER,
                [ExceptionAnnotation.Reason]: RUNTIME_SECURITY_EXCEPTION_REASON,
            },
        },
        spec: {
            policyRefs: runtimeSecurityExemptPolicyNames(env, topology).map((name) => ({
                name,
                kind: "ValidatingPolicy",
            })),
            matchConditions: [{ name: "runtime-security-sensor", expression: runtimeSecurityMatchExpression() }],
            properties: { owner: RUNTIME_SECURITY_OWNER, reason: RUNTIME_SECURITY_EXCEPTION_REASON },
        },
    };
}
