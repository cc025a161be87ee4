/**
 * The admission policies: foreign webhook configurations and admission policies, webhooks that fail open on
 * Pods or Secrets, and bindings that only audit in prod.
 */
import * as assert from "node:assert/strict";
import {
    admissionBindingDenies,
    admissionForeignPolicy,
    admissionForeignWebhook,
    admissionWebhookFailClosed,
    ruleCoversGuarded,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { settingsFrom } from "../../../../policy-pack/settings";
import { resource, run, settingsOf, unknowns, violations } from "./check";

const MUTATING = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const VALIDATING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration";
const VALIDATING_PATCH = "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfigurationPatch";
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const MAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1beta1:MutatingAdmissionPolicyBinding";

function webhookConfiguration(failurePolicy: string | undefined, resources: string[], apiGroups = [""]) {
    return {
        metadata: { name: "injector" },
        webhooks: [
            {
                name: "inject.example.com",
                ...(failurePolicy ? { failurePolicy } : {}),
                admissionReviewVersions: ["v1"],
                sideEffects: "None",
                clientConfig: { service: { name: "injector", namespace: "tools" } },
                rules: [{ apiGroups, apiVersions: ["v1"], operations: ["CREATE"], resources }],
            },
        ],
    };
}

/** `type` rendered by the chart of the platform add-on `component`, as the engine writes its URN. */
function fromChart(type: string, props: Record<string, any>, component = "CertManager") {
    const chain = [`k8s-baseline:index:${component}`, "kubernetes:helm.sh/v4:Chart", type].join("$");
    return resource(type, props, { urn: `urn:pulumi:prod::platform::${chain}::webhook` });
}

describe("policy admission-foreign-webhook", () => {
    it("refuses a mutating and a validating webhook configuration not from the platform's charts", () => {
        for (const type of [MUTATING, VALIDATING, VALIDATING_PATCH]) {
            assert.deepEqual(
                violations(run(admissionForeignWebhook, resource(type, webhookConfiguration("Fail", ["pods"])))),
                [
                    `${type.split(":")[2]} injector is not registered by one of the platform's charts; admission webhooks ` +
                        "see (and a mutating one rewrites) every request they match",
                ],
            );
        }
    });

    it("leaves the platform charts' own webhooks alone, and trusts no URN in check", () => {
        const chart = fromChart(VALIDATING, webhookConfiguration("Fail", ["certificates"], ["cert-manager.io"]));
        assert.deepEqual(run(admissionForeignWebhook, chart), []);
        assert.equal(run(admissionForeignWebhook, chart, settingsFrom({ env: "prod" }, undefined, false)).length, 1);
    });
});

describe("policy admission-webhook-fail-closed", () => {
    it("refuses failurePolicy Ignore on a webhook covering pods, a pods subresource, secrets or *", () => {
        for (const resources of [
            ["pods"],
            ["pods/ephemeralcontainers"],
            ["secrets"],
            ["*"],
            ["*/*"],
            ["configmaps", "pods/*"],
        ]) {
            assert.deepEqual(
                violations(
                    run(admissionWebhookFailClosed, resource(MUTATING, webhookConfiguration("Ignore", resources))),
                ),
                [
                    "MutatingWebhookConfiguration injector: webhook inject.example.com intercepts pods or secrets with failurePolicy Ignore",
                ],
                resources.join(","),
            );
        }
        const anyGroup = webhookConfiguration("Ignore", ["*"], ["*"]);
        assert.equal(run(admissionWebhookFailClosed, resource(VALIDATING, anyGroup)).length, 1);
    });

    it("refuses a patch that turns a webhook on pods to Ignore, even on a platform chart's", () => {
        assert.equal(
            run(admissionWebhookFailClosed, resource(VALIDATING_PATCH, webhookConfiguration("Ignore", ["pods"])))
                .length,
            1,
        );
        assert.equal(
            run(admissionWebhookFailClosed, fromChart(VALIDATING, webhookConfiguration("Ignore", ["secrets"]))).length,
            1,
        );
    });

    it("allows Fail, the default, and Ignore on other resources or another group's pods", () => {
        assert.deepEqual(
            run(admissionWebhookFailClosed, resource(MUTATING, webhookConfiguration("Fail", ["pods"]))),
            [],
        );
        assert.deepEqual(
            run(admissionWebhookFailClosed, resource(MUTATING, webhookConfiguration(undefined, ["*"]))),
            [],
        );
        assert.deepEqual(
            run(admissionWebhookFailClosed, resource(MUTATING, webhookConfiguration("Ignore", ["configmaps"]))),
            [],
        );
        assert.deepEqual(
            run(
                admissionWebhookFailClosed,
                resource(MUTATING, webhookConfiguration("Ignore", ["pods"], ["metrics.k8s.io"])),
            ),
            [],
        );
    });

    it("reports unknown webhooks, failure policies and rules", () => {
        assert.deepEqual(unknowns(run(admissionWebhookFailClosed, resource(MUTATING, { webhooks: UNKNOWN }))), [
            "webhooks",
        ]);
        const config = webhookConfiguration(UNKNOWN as never, ["pods"]);
        config.webhooks[0].failurePolicy = UNKNOWN as never;
        assert.deepEqual(unknowns(run(admissionWebhookFailClosed, resource(MUTATING, config))), [
            "webhooks[0].failurePolicy",
        ]);
        assert.equal(ruleCoversGuarded({ apiGroups: [""], resources: UNKNOWN }), undefined);
    });
});

describe("policy admission-foreign-policy", () => {
    const vap = { metadata: { name: "deny-kyverno-updates" }, spec: { validations: [{ expression: "false" }] } };

    it("refuses a ValidatingAdmissionPolicy, a binding and a MutatingAdmissionPolicy binding not from the platform", () => {
        for (const type of [VAP, VAP_BINDING, MAP_BINDING]) {
            assert.equal(violations(run(admissionForeignPolicy, resource(type, vap))).length, 1, type);
        }
    });

    it("leaves a platform chart's own alone", () => {
        assert.deepEqual(run(admissionForeignPolicy, fromChart(VAP, vap, "Kyverno")), []);
    });
});

describe("policy admission-binding-denies", () => {
    const binding = (validationActions?: string[]) => ({
        metadata: { name: "restrict" },
        spec: { policyName: "restrict", ...(validationActions ? { validationActions } : {}) },
    });

    it("refuses a binding that only audits or warns in prod, or when no env is named", () => {
        assert.deepEqual(violations(run(admissionBindingDenies, resource(VAP_BINDING, binding(["Audit"])))), [
            "ValidatingAdmissionPolicyBinding restrict only Audit, so its policy refuses nothing in prod",
        ]);
        assert.equal(
            run(admissionBindingDenies, resource(VAP_BINDING, binding(["Warn", "Audit"])), settingsOf()).length,
            1,
        );
        assert.equal(run(admissionBindingDenies, resource(VAP_BINDING, binding())).length, 1);
    });

    it("allows Deny in prod, and audit-only bindings where the profile audits (dev, stage)", () => {
        assert.deepEqual(run(admissionBindingDenies, resource(VAP_BINDING, binding(["Deny", "Audit"]))), []);
        for (const env of ["dev", "stage"] as const) {
            assert.deepEqual(
                run(admissionBindingDenies, resource(VAP_BINDING, binding(["Audit"])), settingsOf(env)),
                [],
            );
        }
    });

    it("reports unknown actions", () => {
        assert.deepEqual(
            unknowns(run(admissionBindingDenies, resource(VAP_BINDING, { spec: { validationActions: UNKNOWN } }))),
            ["spec.validationActions"],
        );
    });
});
