/**
 * Kyverno policies, on the ValidatingPolicies and PolicyExceptions BaselinePolicies builds.
 */
import * as assert from "node:assert/strict";
import { ExceptionAnnotation, policyException } from "../../../../components/addons/kyverno/exceptions";
import { baselineRules, validatingPolicy } from "../../../../components/addons/kyverno/policies";
import { DEFAULT_EXEMPT_NAMESPACES } from "../../../../policy-pack/settings";
import {
    CLASSIC_POLICY_EXCEPTION,
    kyvernoExceptionExpiry,
    kyvernoProdDenies,
    POLICY_EXCEPTION,
    VALIDATING_POLICY,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf, unknowns, violations } from "./check";

type Env = "dev" | "stage" | "prod";

function baselinePolicy(env: Env): Record<string, any> {
    const rule = baselineRules({ env, registries: ["registry.example.com/shop/"], apiAccessServiceAccounts: [] })[0];
    return validatingPolicy(rule, { env, excludedNamespaces: DEFAULT_EXEMPT_NAMESPACES }) as unknown as Record<
        string,
        any
    >;
}

/** Today in these tests is 2026-03-01 (settingsOf). */
function exception(expires = "2026-04-01"): Record<string, any> {
    return policyException({
        name: "legacy-batch",
        namespace: "kyverno",
        policies: [{ name: "baseline-require-probes", kind: "ValidatingPolicy" }],
        owner: "team-data",
        reason: "The batch image has no health endpoint until the 2.0 release.",
        expires,
        namespaces: ["reports"],
        matchLabels: {},
    }) as unknown as Record<string, any>;
}

describe("policy kyverno-prod-denies", () => {
    it("passes the prod policy BaselinePolicies builds, which denies", () => {
        assert.deepEqual(baselinePolicy("prod").spec.validationActions, ["Deny"]);
        assert.deepEqual(run(kyvernoProdDenies, resource(VALIDATING_POLICY, baselinePolicy("prod"))), []);
    });

    it("reports a prod policy that only audits and warns", () => {
        const policy = baselinePolicy("prod");
        policy.spec.validationActions = ["Audit", "Warn"];
        assert.deepEqual(violations(run(kyvernoProdDenies, resource(VALIDATING_POLICY, policy))), [
            `ValidatingPolicy ${policy.metadata.name} has validationActions Audit, Warn in prod: violating objects are admitted`,
        ]);
    });

    it("reports a prod policy without validationActions", () => {
        const policy = baselinePolicy("prod");
        delete policy.spec.validationActions;
        assert.deepEqual(violations(run(kyvernoProdDenies, resource(VALIDATING_POLICY, policy))), [
            `ValidatingPolicy ${policy.metadata.name} has no validationActions in prod: violating objects are admitted`,
        ]);
    });

    it("leaves dev and stage to audit, and judges a policy whose env nothing names as prod", () => {
        for (const env of ["dev", "stage"] as const) {
            assert.deepEqual(
                run(kyvernoProdDenies, resource(VALIDATING_POLICY, baselinePolicy(env)), settingsOf(env)),
                [],
            );
        }
        assert.equal(
            violations(run(kyvernoProdDenies, resource(VALIDATING_POLICY, baselinePolicy("dev")), settingsOf())).length,
            1,
        );
    });

    it("covers the image policy kind too", () => {
        const image: Record<string, any> = { ...baselinePolicy("prod"), kind: "ImageValidatingPolicy" };
        image.spec = { ...image.spec, validationActions: ["Audit"] };
        const type = "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy";
        assert.equal(violations(run(kyvernoProdDenies, resource(type, image))).length, 1);
    });

    it("reports unknown validationActions as unknown", () => {
        const policy = baselinePolicy("prod");
        policy.spec.validationActions = UNKNOWN;
        assert.deepEqual(unknowns(run(kyvernoProdDenies, resource(VALIDATING_POLICY, policy))), [
            "spec.validationActions",
        ]);
    });
});

describe("policy kyverno-exception-expiry", () => {
    it("passes an exception BaselinePolicies writes, before its expiry", () => {
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, exception())), []);
    });

    it("reports an exception on or after its expiry day", () => {
        const reported = violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, exception("2026-03-01"))));
        assert.deepEqual(reported, [
            `PolicyException kyverno/legacy-batch expired: metadata.annotations["${ExceptionAnnotation.Expires}"] is ` +
                "2026-03-01 (today is 2026-03-01)",
            "PolicyException kyverno/legacy-batch expired: spec.expiresAt is 2026-03-01T00:00:00Z (now is 2026-03-01T12:00:00.000Z)",
        ]);
        assert.deepEqual(
            run(
                kyvernoExceptionExpiry,
                resource(POLICY_EXCEPTION, exception("2026-03-01")),
                settingsOf("prod", new Date("2026-02-28T23:59:59Z")),
            ),
            [],
        );
    });

    it("reports an exception without expiry, or with a malformed one", () => {
        const none = exception();
        delete none.metadata.annotations[ExceptionAnnotation.Expires];
        delete none.spec.expiresAt;
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, none))), [
            `PolicyException kyverno/legacy-batch has no expiry (metadata.annotations["${ExceptionAnnotation.Expires}"] or ` +
                "spec.expiresAt): it would never end",
        ]);
        const bad = exception();
        bad.metadata.annotations[ExceptionAnnotation.Expires] = "next quarter";
        assert.equal(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, bad))).length, 1);
    });

    it("accepts either expiry on a kyverno.io/v2 exception, which has no expiresAt", () => {
        const classic = exception();
        classic.apiVersion = "kyverno.io/v2";
        delete classic.spec.expiresAt;
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classic)), []);
        delete classic.metadata.annotations;
        assert.equal(violations(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classic))).length, 1);
    });

    it("reports unknown expiries as unknown, judging the known one", () => {
        const ex = exception("2026-02-01");
        ex.spec.expiresAt = UNKNOWN;
        const reported = run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, ex));
        assert.deepEqual(unknowns(reported), ["spec.expiresAt"]);
        assert.equal(violations(reported).length, 1);
    });
});
