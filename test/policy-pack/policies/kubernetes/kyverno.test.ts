/**
 * Kyverno policies, on the ValidatingPolicies and PolicyExceptions BaselinePolicies builds.
 */
import * as assert from "node:assert/strict";
import { ExceptionAnnotation, policyException } from "../../../../components/addons/kyverno/exceptions";
import { ADMISSION_EXCLUDED_NAMESPACES, CLEANUP_TTL_LABEL } from "../../../../components/baseline";
import { baselineRules, imageSignaturePolicy, validatingPolicy } from "../../../../components/addons/kyverno/policies";
import {
    CLASSIC_POLICY_EXCEPTION,
    kyvernoExceptionAccountable,
    kyvernoExceptionExpiry,
    kyvernoExceptionNamespace,
    kyvernoExceptionScope,
    kyvernoProdDenies,
    kyvernoProdVerifiesDigests,
    POLICY_EXCEPTION,
    VALIDATING_POLICY,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf, unknowns, violations } from "./check";

type Env = "dev" | "stage" | "prod";

function baselinePolicy(env: Env): Record<string, any> {
    const rule = baselineRules({ env, registries: ["registry.example.com/shop/"], apiAccessServiceAccounts: [] })[0];
    return validatingPolicy(rule, { env, excludedNamespaces: ADMISSION_EXCLUDED_NAMESPACES }) as unknown as Record<
        string,
        any
    >;
}

/** Today in these tests is 2026-03-01 (settingsOf). */
function exception(expires = "2026-03-20"): Record<string, any> {
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

const IMAGE_VALIDATING_POLICY = "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy";

function imagePolicy(env: Env): Record<string, any> {
    return imageSignaturePolicy(
        { keyless: { issuer: "https://token.actions.githubusercontent.com", subject: "https://github.com/shop/*" } },
        ["registry.example.com/shop/"],
        { env, excludedNamespaces: ADMISSION_EXCLUDED_NAMESPACES },
    ) as unknown as Record<string, any>;
}

describe("policy kyverno-prod-verifies-digests", () => {
    it("passes the prod ImageValidatingPolicy BaselinePolicies builds, which verifies digests", () => {
        assert.equal(imagePolicy("prod").spec.validationConfigurations.verifyDigest, true);
        assert.deepEqual(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, imagePolicy("prod"))), []);
    });

    it("reports a prod ImageValidatingPolicy with verifyDigest false", () => {
        const policy = imagePolicy("prod");
        policy.spec.validationConfigurations.verifyDigest = false;
        assert.deepEqual(violations(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy))), [
            `ImageValidatingPolicy ${policy.metadata.name} sets spec.validationConfigurations.verifyDigest false ` +
                "in prod: images that name no digest pass",
        ]);
    });

    it("passes a policy that leaves verifyDigest to Kyverno's default (true)", () => {
        const policy = imagePolicy("prod");
        delete policy.spec.validationConfigurations.verifyDigest;
        assert.deepEqual(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy)), []);
        delete policy.spec.validationConfigurations;
        assert.deepEqual(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy)), []);
    });

    it("covers the namespaced kind and older versions, judging a policy whose env nothing names as prod", () => {
        const policy: Record<string, any> = { ...imagePolicy("prod"), kind: "NamespacedImageValidatingPolicy" };
        policy.spec = { ...policy.spec, validationConfigurations: { verifyDigest: false } };
        for (const version of ["v1", "v1beta1", "v1alpha1"]) {
            const type = `kubernetes:policies.kyverno.io/${version}:NamespacedImageValidatingPolicy`;
            assert.equal(violations(run(kyvernoProdVerifiesDigests, resource(type, policy), settingsOf())).length, 1);
        }
    });

    it("leaves dev and stage to their profiles", () => {
        for (const env of ["dev", "stage"] as const) {
            const policy = imagePolicy(env);
            policy.spec.validationConfigurations.verifyDigest = false;
            assert.deepEqual(
                run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy), settingsOf(env)),
                [],
            );
        }
    });

    it("reports an unknown verifyDigest as unknown", () => {
        const policy = imagePolicy("prod");
        policy.spec.validationConfigurations.verifyDigest = UNKNOWN;
        assert.deepEqual(unknowns(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy))), [
            "spec.validationConfigurations.verifyDigest",
        ]);
        policy.spec.validationConfigurations = UNKNOWN;
        assert.deepEqual(unknowns(run(kyvernoProdVerifiesDigests, resource(IMAGE_VALIDATING_POLICY, policy))), [
            "spec.validationConfigurations.verifyDigest",
        ]);
    });
});

/** A kyverno.io/v2 exception of one ClusterPolicy rule, for the objects of one namespace. */
function classicException(): Record<string, any> {
    return {
        apiVersion: "kyverno.io/v2",
        kind: "PolicyException",
        metadata: {
            name: "legacy-batch",
            namespace: "kyverno",
            labels: { [CLEANUP_TTL_LABEL]: "2026-03-20" },
            annotations: { [ExceptionAnnotation.Owner]: "team-data", [ExceptionAnnotation.Reason]: "No probes yet." },
        },
        spec: {
            exceptions: [{ policyName: "require-probes", ruleNames: ["liveness"] }],
            match: { any: [{ resources: { kinds: ["Deployment"], namespaces: ["reports"] } }] },
        },
    };
}

describe("policy kyverno-exception-expiry", () => {
    it("passes an exception BaselinePolicies writes, before its expiry, and a classic one with a TTL label", () => {
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, exception())), []);
        assert.equal(exception().metadata.labels[CLEANUP_TTL_LABEL], "2026-03-20");
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classicException())), []);
        for (const ttl of ["2026-03-20T120000Z", "7d", "72h", "1w2d"]) {
            const classic = classicException();
            classic.metadata.labels[CLEANUP_TTL_LABEL] = ttl;
            assert.deepEqual(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classic)), [], ttl);
        }
    });

    it("reports an exception on or after its expiry day", () => {
        const reported = violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, exception("2026-03-01"))));
        assert.deepEqual(reported, [
            'PolicyException kyverno/legacy-batch expired: spec.expiresAt is "2026-03-01T00:00:00Z" (today is 2026-03-01)',
            `PolicyException kyverno/legacy-batch expired: metadata.labels["${CLEANUP_TTL_LABEL}"] is "2026-03-01" (today is 2026-03-01)`,
            `PolicyException kyverno/legacy-batch expired: metadata.annotations["${ExceptionAnnotation.Expires}"] is ` +
                "2026-03-01 (today is 2026-03-01)",
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

    it("reports an exception that lives longer than its env's longest lifetime, judging no env as prod", () => {
        const far = exception("2026-05-15");
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, far))), [
            'PolicyException kyverno/legacy-batch: spec.expiresAt is "2026-05-15T00:00:00Z", more than 30 days away, the longest an exception may live here',
            `PolicyException kyverno/legacy-batch: metadata.labels["${CLEANUP_TTL_LABEL}"] is "2026-05-15", more than 30 days away, the longest an exception may live here`,
        ]);
        assert.equal(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, far), settingsOf())).length, 2);
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, far), settingsOf("dev")), []);
        const long = classicException();
        long.metadata.labels[CLEANUP_TTL_LABEL] = "45d";
        assert.equal(violations(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, long))).length, 1);
        assert.deepEqual(
            run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, long), settingsOf("stage")),
            [],
        );
    });

    it("reports an exception whose only expiry is the annotation, which Kyverno does not read", () => {
        const annotated = exception();
        delete annotated.spec.expiresAt;
        delete annotated.metadata.labels[CLEANUP_TTL_LABEL];
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, annotated))), [
            `PolicyException kyverno/legacy-batch has neither spec.expiresAt nor metadata.labels["${CLEANUP_TTL_LABEL}"]: Kyverno would apply it forever (an annotation ends nothing)`,
        ]);
        // The cleanup label alone is the cleanup controller's to act on, as for a kyverno.io exception.
        const labelOnly = exception();
        delete labelOnly.spec.expiresAt;
        assert.deepEqual(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, labelOnly)), []);
        const classic = classicException();
        delete classic.metadata.labels;
        classic.metadata.annotations[ExceptionAnnotation.Expires] = "2026-03-20";
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classic))), [
            `PolicyException kyverno/legacy-batch has no metadata.labels["${CLEANUP_TTL_LABEL}"]: a kyverno.io exception has no expiry field, so nothing would ever delete it`,
        ]);
    });

    it("reports malformed expiries", () => {
        const bad = exception();
        bad.metadata.annotations[ExceptionAnnotation.Expires] = "next quarter";
        assert.equal(violations(run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, bad))).length, 1);
        const classic = classicException();
        classic.metadata.labels[CLEANUP_TTL_LABEL] = "2026-03-20T12:00:00Z";
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, resource(CLASSIC_POLICY_EXCEPTION, classic))), [
            `PolicyException kyverno/legacy-batch: metadata.labels["${CLEANUP_TTL_LABEL}"] is "2026-03-20T12:00:00Z", which the cleanup controller does not read as a date, time or duration`,
            `PolicyException kyverno/legacy-batch has no metadata.labels["${CLEANUP_TTL_LABEL}"]: a kyverno.io exception has no expiry field, so nothing would ever delete it`,
        ]);
    });

    it("reports unknown expiries as unknown, judging the known one", () => {
        const ex = exception("2026-02-01");
        ex.spec.expiresAt = UNKNOWN;
        const reported = run(kyvernoExceptionExpiry, resource(POLICY_EXCEPTION, ex));
        assert.deepEqual(unknowns(reported), ["spec.expiresAt"]);
        assert.equal(violations(reported).length, 2);
    });
});

describe("policy kyverno-exception-scope", () => {
    it("passes the exceptions BaselinePolicies writes, with and without labels, and a bounded classic one", () => {
        assert.deepEqual(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, exception())), []);
        const labelled = policyException({
            name: "legacy-batch",
            namespace: "kyverno",
            policies: [{ name: "baseline-require-probes", kind: "ValidatingPolicy" }],
            owner: "team-data",
            reason: "No probes yet.",
            expires: "2026-03-20",
            namespaces: ["reports", "batch"],
            matchLabels: { "app.kubernetes.io/name": "report" },
        }) as unknown as Record<string, any>;
        assert.deepEqual(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, labelled)), []);
        assert.deepEqual(run(kyvernoExceptionScope, resource(CLASSIC_POLICY_EXCEPTION, classicException())), []);
        for (const expression of [
            "object.metadata.namespace == 'reports'",
            'request.namespace in ["reports", "batch"]',
            "has(object.metadata.labels) && object.metadata.namespace == 'reports' && object.metadata.labels['app'] == 'r'",
            "object.metadata.namespace == 'reports' || object.metadata.namespace == 'batch'",
        ]) {
            const simple = exception();
            simple.spec.matchConditions = [{ name: "ns", expression }];
            assert.deepEqual(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, simple)), [], expression);
        }
    });

    it("reports wildcard policies and rules", () => {
        const wildcard = exception();
        wildcard.spec.policyRefs = [{ name: "*", kind: "ValidatingPolicy" }];
        assert.deepEqual(violations(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, wildcard))), [
            'PolicyException kyverno/legacy-batch spec.policyRefs[0].name "*" is not one policy',
        ]);
        const classic = classicException();
        classic.spec.exceptions = [{ policyName: "*", ruleNames: ["*"] }];
        assert.equal(violations(run(kyvernoExceptionScope, resource(CLASSIC_POLICY_EXCEPTION, classic))).length, 2);
    });

    it("reports conditions that match objects anywhere", () => {
        for (const expression of [
            "true",
            "object.metadata.namespace != 'kube-system'",
            "object.metadata.namespace == 'reports' || true",
            "object.metadata.name == 'report'",
            "object.metadata.namespace.startsWith('rep')",
            "object.metadata.namespace in ['*']",
            "object.kind == 'Namespace' ? object.metadata.name in ['reports'] : true",
        ]) {
            const open = exception();
            open.spec.matchConditions = [{ name: "open", expression }];
            assert.equal(
                violations(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, open))).length,
                1,
                expression,
            );
        }
        const none = exception();
        delete none.spec.matchConditions;
        assert.deepEqual(violations(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, none))), [
            "PolicyException kyverno/legacy-batch has no spec.matchConditions, so it excepts every object the policies judge",
        ]);
    });

    it("reports classic matches that cover every kind, name or namespace", () => {
        const cases: [string, (spec: any) => void][] = [
            ["empty match", (spec) => (spec.match = {})],
            ["every kind", (spec) => (spec.match.any[0].resources.kinds = ["*"])],
            ["no namespaces", (spec) => delete spec.match.any[0].resources.namespaces],
            ["pattern namespaces", (spec) => (spec.match.any[0].resources.namespaces = ["rep*"])],
            ["pattern names", (spec) => (spec.match.any[0].resources.names = ["*"])],
            ["a second open filter", (spec) => spec.match.any.push({ resources: { kinds: ["Pod"] } })],
        ];
        for (const [what, change] of cases) {
            const classic = classicException();
            change(classic.spec);
            assert.ok(
                violations(run(kyvernoExceptionScope, resource(CLASSIC_POLICY_EXCEPTION, classic))).length > 0,
                what,
            );
        }
    });

    it("reports an unknown scope as unknown", () => {
        const ex = exception();
        ex.spec.matchConditions = UNKNOWN;
        assert.deepEqual(unknowns(run(kyvernoExceptionScope, resource(POLICY_EXCEPTION, ex))), [
            "spec.matchConditions",
        ]);
    });
});

describe("policy kyverno-exception-accountable", () => {
    it("passes an exception with an owner and a reason", () => {
        assert.deepEqual(run(kyvernoExceptionAccountable, resource(POLICY_EXCEPTION, exception())), []);
    });

    it("reports a missing owner or reason", () => {
        const ex = exception();
        delete ex.metadata.annotations[ExceptionAnnotation.Owner];
        ex.metadata.annotations[ExceptionAnnotation.Reason] = "  ";
        assert.equal(violations(run(kyvernoExceptionAccountable, resource(POLICY_EXCEPTION, ex))).length, 2);
        const bare = classicException();
        delete bare.metadata.annotations;
        assert.equal(violations(run(kyvernoExceptionAccountable, resource(CLASSIC_POLICY_EXCEPTION, bare))).length, 2);
    });
});

describe("policy kyverno-exception-namespace", () => {
    const kyvernoChart = (namespace: unknown) =>
        resource("kubernetes:helm.sh/v4:Chart", {
            chart: "kyverno",
            namespace: "kyverno",
            values: { features: { policyExceptions: { enabled: true, namespace } } },
        });

    it("passes an exception in the Kyverno namespace, or in the one the chart is configured with", () => {
        assert.deepEqual(run(kyvernoExceptionNamespace, [resource(POLICY_EXCEPTION, exception())]), []);
        const moved = exception();
        moved.metadata.namespace = "policy-exceptions";
        assert.deepEqual(
            run(kyvernoExceptionNamespace, [kyvernoChart("policy-exceptions"), resource(POLICY_EXCEPTION, moved)]),
            [],
        );
    });

    it("reports an exception in a team's namespace, whatever the chart allows", () => {
        const own = exception();
        own.metadata.namespace = "reports";
        assert.deepEqual(violations(run(kyvernoExceptionNamespace, [resource(POLICY_EXCEPTION, own)])), [
            "PolicyException reports/legacy-batch is in namespace reports; Kyverno accepts exceptions only in kyverno",
        ]);
        assert.equal(
            violations(run(kyvernoExceptionNamespace, [kyvernoChart("*"), resource(POLICY_EXCEPTION, own)])).length,
            1,
        );
        const classic = classicException();
        delete classic.metadata.namespace;
        assert.equal(
            violations(run(kyvernoExceptionNamespace, [resource(CLASSIC_POLICY_EXCEPTION, classic)])).length,
            1,
        );
    });

    it("reports an unknown chart namespace as unknown", () => {
        assert.deepEqual(
            unknowns(run(kyvernoExceptionNamespace, [kyvernoChart(UNKNOWN), resource(POLICY_EXCEPTION, exception())])),
            ["features.policyExceptions.namespace"],
        );
    });
});
