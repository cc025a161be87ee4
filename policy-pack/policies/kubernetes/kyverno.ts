/**
 * Kyverno: production denies at admission, and every policy exception ends.
 */
import { ExceptionAnnotation, isIsoDate, utcDate } from "../../../components/addons/kyverno/exceptions";
import { KYVERNO_POLICIES_API_VERSION } from "../../../components/addons/kyverno/manifests";
import { Environment } from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { annotationsOf, show, stringsOf } from "./common";

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

/**
 * A PolicyException (policies.kyverno.io, any served version, and kyverno.io/v2 and v2beta1) carries an expiry
 * that has not passed on `settings.now`: the `k8s-baseline/exception-expires` annotation (`YYYY-MM-DD`, the
 * first day it no longer applies, as components/addons/kyverno/exceptions.ts writes it) or `spec.expiresAt`
 * (RFC 3339, which Kyverno itself honours for policies.kyverno.io exceptions). Both are checked when both are
 * present; either passed or malformed fails; neither present fails. An unknown annotation or expiresAt is
 * reported as unknown (the known one is still judged).
 */
export const kyvernoExceptionExpiry: ResourcePolicy = {
    kind: "resource",
    name: "kyverno-exception-expiry",
    group: "kyverno",
    description: "Kyverno PolicyExceptions carry an expiry date that has not passed.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Declare the exception through BaselinePolicies' exceptions, which writes the ${ExceptionAnnotation.Expires} ` +
        "annotation and spec.expiresAt; when it has passed, remove the exception or renew it with a new date and a " +
        "current reason.",
    url: "https://kyverno.io/docs/exceptions/",
    types: EXCEPTION_TYPES,
    validate(resource, settings, report) {
        const what = describeResource(resource);
        const now = settings.now;
        const today = utcDate(now);
        let found = false;

        const annotations = annotationsOf(resource);
        const annotation = isUnknown(annotations) ? annotations : annotations[ExceptionAnnotation.Expires];
        const annotationPath = `metadata.annotations["${ExceptionAnnotation.Expires}"]`;
        if (isUnknown(annotation)) {
            report.unknown(annotationPath);
            found = true;
        } else if (annotation !== undefined) {
            found = true;
            if (!isIsoDate(annotation)) {
                report.violation(`${what}: ${annotationPath} is ${show(annotation)}, not a date YYYY-MM-DD`);
            } else if (annotation <= today) {
                report.violation(`${what} expired: ${annotationPath} is ${annotation} (today is ${today})`);
            }
        }

        const spec = resource.props?.spec;
        const expiresAt = isUnknown(spec) ? spec : spec?.expiresAt;
        if (isUnknown(expiresAt)) {
            report.unknown("spec.expiresAt");
            found = true;
        } else if (expiresAt !== undefined) {
            found = true;
            const at = typeof expiresAt === "string" ? Date.parse(expiresAt) : NaN;
            if (Number.isNaN(at)) {
                report.violation(`${what}: spec.expiresAt is ${show(expiresAt)}, not an RFC 3339 time`);
            } else if (at <= now.getTime()) {
                report.violation(`${what} expired: spec.expiresAt is ${expiresAt} (now is ${now.toISOString()})`);
            }
        }

        if (!found) {
            report.violation(`${what} has no expiry (${annotationPath} or spec.expiresAt): it would never end`);
        }
    },
};

export const kyvernoPolicies = [kyvernoProdDenies, kyvernoExceptionExpiry] as const;
