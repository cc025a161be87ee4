/**
 * Policy exceptions as BaselinePolicies checks and writes them: the lifetime limit of each env, the cleanup
 * label, and that what it writes passes the pack's exception policies.
 */
import * as assert from "node:assert/strict";
import {
    checkPolicyException,
    cleanupTtlOf,
    PolicyExceptionArgs,
    policyException,
} from "../../../../components/addons/kyverno/exceptions";
import {
    ArgsChecker,
    CLEANUP_TTL_LABEL,
    ENVIRONMENTS,
    MAX_POLICY_EXCEPTION_DAYS,
} from "../../../../components/baseline";
import { kyvernoPolicies, POLICY_EXCEPTION } from "../../../../policy-pack/policies/kubernetes";
import { resource, run, settingsOf } from "../../../policy-pack/policies/kubernetes/check";

const NOW = new Date("2026-03-01T12:00:00Z");
const KINDS = new Map([["baseline-require-probes", "ValidatingPolicy"]]);

function args(expires: string): PolicyExceptionArgs {
    return {
        name: "legacy-batch",
        policies: ["baseline-require-probes"],
        owner: "team-data",
        reason: "The batch image has no health endpoint until the 2.0 release.",
        expires,
        namespaces: ["reports"],
        matchLabels: { "app.kubernetes.io/name": "report" },
    };
}

function resolve(expires: string, env?: "dev" | "stage" | "prod") {
    const check = new ArgsChecker("BaselinePolicies", "test");
    const resolved = checkPolicyException(check, args(expires), "exceptions[0]", "kyverno", KINDS, NOW, env);
    let error: string | undefined;
    try {
        check.throwIfInvalid();
    } catch (e) {
        error = (e as Error).message;
    }
    return { resolved, error };
}

describe("checkPolicyException lifetime", () => {
    it("accepts an expiry within the env's longest lifetime and refuses one beyond it", () => {
        assert.equal(resolve("2026-03-31", "prod").error, undefined);
        assert.match(
            resolve("2026-04-15", "prod").error ?? "",
            /exceptions\[0\]\.expires: 2026-04-15 is more than 30 days away \(the longest an exception lives in prod\); fix: end it by 2026-03-31 at the latest/,
        );
        assert.equal(resolve("2026-04-15", "dev").error, undefined);
        assert.equal(resolve("2026-04-15", "stage").error, undefined);
        assert.match(resolve("2026-06-15").error ?? "", /is more than 90 days away/);
    });

    it("keeps each env's lifetime within the cap, prod the shortest", () => {
        for (const env of ENVIRONMENTS) assert.ok(MAX_POLICY_EXCEPTION_DAYS[env] <= 90);
        assert.ok(MAX_POLICY_EXCEPTION_DAYS.prod <= MAX_POLICY_EXCEPTION_DAYS.stage);
        assert.ok(MAX_POLICY_EXCEPTION_DAYS.stage <= MAX_POLICY_EXCEPTION_DAYS.dev);
    });
});

describe("policyException", () => {
    it("labels the exception for Kyverno's cleanup controller and passes every exception policy of the pack", () => {
        const { resolved } = resolve("2026-03-20", "prod");
        const manifest = policyException(resolved!) as unknown as Record<string, any>;
        assert.equal(manifest.metadata.labels[CLEANUP_TTL_LABEL], "2026-03-20");
        assert.equal(manifest.spec.expiresAt, "2026-03-20T00:00:00Z");
        const policies = kyvernoPolicies.filter((p) => p.name.startsWith("kyverno-exception-"));
        assert.equal(policies.length, 4);
        for (const policy of policies) {
            assert.deepEqual(
                run(policy, [resource(POLICY_EXCEPTION, manifest)], settingsOf("prod", NOW)),
                [],
                policy.name,
            );
        }
    });
});

describe("cleanupTtlOf", () => {
    it("reads what the cleanup controller reads", () => {
        assert.deepEqual(cleanupTtlOf("2026-03-20"), { at: Date.parse("2026-03-20T00:00:00Z") });
        assert.deepEqual(cleanupTtlOf("2026-03-20T153000Z"), { at: Date.parse("2026-03-20T15:30:00Z") });
        assert.deepEqual(cleanupTtlOf("1d12h"), { afterMs: 36 * 3600 * 1000 });
        for (const bad of ["", "soon", "2026-02-30", "2026-03-20T25:00:00Z", "1y", 7]) {
            assert.equal(cleanupTtlOf(bad), undefined, String(bad));
        }
    });
});
