/**
 * Admission control itself: who may intercept the API server's writes, and whether the checks that guard Pods
 * and Secrets can be switched off by failing open or only auditing.
 *
 * - A webhook configuration (Validating or Mutating) is the platform's only when one of its charts rendered it
 *   (policies/platform.ts isPlatformChartResource: by URN parentage in the pack; never in `check`, whose files
 *   may claim any URN). Any other one is foreign: a mutating webhook on pods can inject any container, volume or
 *   token into every pod it sees, and a validating one sees every object sent to it, Secrets included.
 * - A webhook whose rules cover Pods or Secrets (`*` included) must fail closed (`failurePolicy: Fail`, the
 *   admissionregistration/v1 default): with `Ignore`, taking the webhook's service down admits everything.
 * - A ValidatingAdmissionPolicy or MutatingAdmissionPolicy, or a binding of one, is the platform's only from its
 *   charts, or from the platform's own components that register one (SecureNamespace's ServiceAccount pin:
 *   isPlatformAdmissionResource, by URN parent likewise); a foreign one may refuse the platform's own writes
 *   or rewrite objects.
 * - In an env whose profile enforces (policyAction Enforce: prod), a ValidatingAdmissionPolicyBinding denies
 *   (`validationActions` includes Deny): one that only audits or warns is a policy switched off.
 *
 * Patches (`...Patch` types) change an existing configuration, so they are judged on what they set: a patch
 * that sets `failurePolicy: Ignore` on a webhook covering pods opens the same hole. Unknown values are reported.
 */
import { PolicyAction, profileFor } from "../../../components/baseline";
import { isPlatformAdmissionResource, isPlatformChartResource } from "../platform";
import { describeResource, envOf, isUnknown, kubernetesKindOf } from "../resource";
import { EnforcementLevel, PolicyResource, ResourcePolicy, Severity } from "../types";

export const ADMISSION_GROUP = "admission";

const GROUP = "admissionregistration.k8s.io";
const WEBHOOK_KINDS = ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"];
const POLICY_KINDS = [
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
];

function typesOf(kinds: readonly string[], versions: readonly string[]): string[] {
    return kinds.flatMap((kind) =>
        versions.flatMap((version) => [
            `kubernetes:${GROUP}/${version}:${kind}`,
            `kubernetes:${GROUP}/${version}:${kind}Patch`,
        ]),
    );
}

/** Every webhook configuration type token, Patch types included. */
export const WEBHOOK_CONFIGURATION_TYPES: readonly string[] = typesOf(WEBHOOK_KINDS, ["v1", "v1beta1"]);
/** Every admission policy and binding type token, Patch types included. */
export const ADMISSION_POLICY_TYPES: readonly string[] = typesOf(POLICY_KINDS, ["v1", "v1beta1", "v1alpha1"]);
/** The ValidatingAdmissionPolicyBinding type tokens. */
const VAP_BINDING_TYPES: readonly string[] = typesOf(
    ["ValidatingAdmissionPolicyBinding"],
    ["v1", "v1beta1", "v1alpha1"],
);

/** The resources whose interception decides what runs and what is read: Pods (any subresource) and Secrets. */
const GUARDED_RESOURCES: readonly string[] = ["pods", "secrets"];

/** True when a webhook rule's apiGroups and resources match the core group's pods or secrets. */
export function ruleCoversGuarded(rule: unknown): boolean | undefined {
    if (isUnknown(rule)) return undefined;
    const r = (rule ?? {}) as Record<string, unknown>;
    const groups = r.apiGroups;
    const resources = r.resources;
    if (isUnknown(groups) || isUnknown(resources)) return undefined;
    if (!Array.isArray(groups) || !Array.isArray(resources)) return false;
    if (groups.some(isUnknown) || resources.some(isUnknown)) return undefined;
    if (!groups.some((group) => group === "" || group === "*")) return false;
    // `pods`, `pods/exec`, `pods/*`, `*`, `*/*`, `*/status`: the part before the `/` names the resource.
    return resources.some((resource) => {
        if (typeof resource !== "string") return false;
        const name = resource.split("/")[0];
        return name === "*" || GUARDED_RESOURCES.includes(name);
    });
}

/** The webhooks of a configuration: an array, or undefined when unknown (reported). */
function webhooksOf(resource: PolicyResource, report: { unknown(path: string): void }): unknown[] | undefined {
    const webhooks = resource.props?.webhooks;
    if (isUnknown(webhooks)) {
        report.unknown("webhooks");
        return undefined;
    }
    return Array.isArray(webhooks) ? webhooks : [];
}

export const admissionWebhookFailClosed: ResourcePolicy = {
    kind: "resource",
    name: "admission-webhook-fail-closed",
    group: ADMISSION_GROUP,
    description:
        "A webhook that intercepts Pods or Secrets (its rules name pods, secrets or *) fails closed: with " +
        "failurePolicy Ignore, whoever can take the webhook's service down (or slow it past its timeout) gets every " +
        "request admitted unchecked.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set failurePolicy: Fail (the default) on every webhook whose rules cover pods or secrets, and run the " +
        "webhook's service highly available; narrow rules that say * to the resources the webhook needs.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy",
    types: WEBHOOK_CONFIGURATION_TYPES,
    validate(resource, _settings, report) {
        const webhooks = webhooksOf(resource, report);
        if (!webhooks) return;
        webhooks.forEach((webhook, i) => {
            if (isUnknown(webhook)) {
                report.unknown(`webhooks[${i}]`);
                return;
            }
            const w = (webhook ?? {}) as Record<string, unknown>;
            if (isUnknown(w.failurePolicy)) {
                report.unknown(`webhooks[${i}].failurePolicy`);
                return;
            }
            if (w.failurePolicy !== "Ignore") return;
            if (isUnknown(w.rules)) {
                report.unknown(`webhooks[${i}].rules`);
                return;
            }
            const rules = Array.isArray(w.rules) ? w.rules : [];
            const covers = rules.map(ruleCoversGuarded);
            const name = typeof w.name === "string" ? w.name : `#${i}`;
            if (covers.includes(true)) {
                report.violation(
                    `${describeResource(resource)}: webhook ${name} intercepts pods or secrets with failurePolicy Ignore`,
                );
            } else if (covers.includes(undefined)) {
                report.unknown(`webhooks[${i}].rules`);
            }
        });
    },
};

export const admissionForeignWebhook: ResourcePolicy = {
    kind: "resource",
    name: "admission-foreign-webhook",
    group: ADMISSION_GROUP,
    description:
        "Only the platform's own charts register admission webhooks: a foreign mutating webhook can inject " +
        "containers, volumes or tokens into every pod it sees, and a foreign validating one receives every object " +
        "sent to it, Secrets included, or refuses the platform's own writes.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove the webhook configuration. An add-on that needs one is installed as a platform component, whose " +
        "chart registers it.",
    url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks",
    types: WEBHOOK_CONFIGURATION_TYPES,
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings)) return;
        report.violation(
            `${describeResource(resource)} is not registered by one of the platform's charts; admission webhooks ` +
                "see (and a mutating one rewrites) every request they match",
        );
    },
};

export const admissionForeignPolicy: ResourcePolicy = {
    kind: "resource",
    name: "admission-foreign-policy",
    group: ADMISSION_GROUP,
    description:
        "Only the platform's own charts create ValidatingAdmissionPolicies, MutatingAdmissionPolicies and their " +
        "bindings: a foreign one can refuse the platform's own writes, and a mutating one rewrites objects at " +
        "admission.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove the policy or binding; admission rules of the baseline are Kyverno policies (BaselinePolicies).",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/",
    types: ADMISSION_POLICY_TYPES,
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings) || isPlatformAdmissionResource(resource, settings)) return;
        report.violation(`${describeResource(resource)} is not created by one of the platform's charts or components`);
    },
};

export const admissionBindingDenies: ResourcePolicy = {
    kind: "resource",
    name: "admission-binding-denies",
    group: ADMISSION_GROUP,
    description:
        "In an env whose profile enforces its policies (prod), a ValidatingAdmissionPolicyBinding denies: " +
        "validationActions includes Deny. One that only audits or warns leaves the policy switched off.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: 'Set spec.validationActions: ["Deny"] (with "Audit" beside it if the events are wanted).',
    url: "https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/#validation-actions",
    types: VAP_BINDING_TYPES,
    validate(resource, settings, report) {
        const env = envOf(resource, settings);
        // Unknown env: judged as prod.
        const action = env ? profileFor(env).policyAction : PolicyAction.Enforce;
        if (action !== PolicyAction.Enforce) return;
        // A Patch that does not set validationActions keeps the binding's.
        const isPatch = kubernetesKindOf(resource.type)?.kind.endsWith("Patch") ?? false;
        const spec = resource.props?.spec;
        const actions = isUnknown(spec) ? spec : spec?.validationActions;
        if (isUnknown(actions)) {
            report.unknown("spec.validationActions");
            return;
        }
        if (isPatch && actions === undefined) return;
        if (Array.isArray(actions) && actions.some(isUnknown)) {
            report.unknown("spec.validationActions");
            return;
        }
        if (!Array.isArray(actions) || !actions.includes("Deny")) {
            report.violation(
                `${describeResource(resource)} only ${Array.isArray(actions) && actions.length > 0 ? actions.join(" and ") : "names no action"}` +
                    `, so its policy refuses nothing in ${env ?? "prod (no env named)"}`,
            );
        }
    },
};

export const admissionPolicies = [
    admissionForeignWebhook,
    admissionWebhookFailClosed,
    admissionForeignPolicy,
    admissionBindingDenies,
] as const;
