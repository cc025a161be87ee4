/**
 * The MutatingPolicy defaulting Pods to no API token: it fits Kyverno's CRD schema (../shared/crds/schemas),
 * writes the default only where the Pod leaves the field unset and runs as no ServiceAccount declared to call
 * the API, and the Pod it writes is one baseline-restrict-service-account-token admits.
 */
import * as assert from "node:assert/strict";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import {
    BaselinePolicyName,
    baselineRules,
    resolveBaselinePoliciesArgs,
    ruleInputsOf,
} from "../../../../components/addons/kyverno";
import {
    DEFAULT_NO_TOKEN_AUTOMOUNT,
    tokenAutomountDefaultPolicy,
} from "../../../../components/addons/kyverno/mutating-policies";
import { ADMISSION_EXCLUDED_NAMESPACES, ENVIRONMENTS } from "../../../../components/baseline";
import { customResourceErrors } from "../../../k8s-schemas";
import { compliantPod, policiesArgs } from "./fixtures";

function evaluate(expression: string, object: unknown): boolean {
    const result = run(expression, { object: object as never, oldObject: null as never }, { funcs: strings });
    if (isCelError(result)) assert.fail(`${expression}\nfailed: ${result.message}`);
    assert.equal(typeof result, "boolean");
    return result as boolean;
}

const RESOLVED = resolveBaselinePoliciesArgs("cluster", policiesArgs());
const INPUTS = ruleInputsOf(RESOLVED);
const TOKEN_RULE = baselineRules(INPUTS).find((r) => r.name === BaselinePolicyName.RestrictServiceAccountToken)!;
const POLICY = tokenAutomountDefaultPolicy(INPUTS.apiAccessServiceAccounts, {
    env: INPUTS.env,
    excludedNamespaces: ADMISSION_EXCLUDED_NAMESPACES,
});

/** Whether the policy mutates `pod`: every match condition holds. */
const mutates = (pod: unknown) => POLICY.spec.matchConditions.every((c) => evaluate(c.expression, pod));
/** The token rule's verdict on `pod`. */
const admitted = (pod: unknown) => TOKEN_RULE.validations.every((v) => evaluate(v.expression, pod));

/** A compliant Pod that leaves automountServiceAccountToken unset, as `serviceAccount` in `namespace`. */
function podAs(namespace: string, serviceAccount: string): Record<string, any> {
    const pod = compliantPod();
    pod.metadata.namespace = namespace;
    pod.spec.serviceAccountName = serviceAccount;
    delete pod.spec.automountServiceAccountToken;
    return pod;
}

describe("MutatingPolicy: no ServiceAccount token by default", () => {
    for (const env of ENVIRONMENTS) {
        it(`fits the upstream CRD schema in ${env}`, () => {
            const policy = tokenAutomountDefaultPolicy(INPUTS.apiAccessServiceAccounts, {
                env,
                excludedNamespaces: ADMISSION_EXCLUDED_NAMESPACES,
            });
            assert.equal(policy.metadata.name, DEFAULT_NO_TOKEN_AUTOMOUNT);
            assert.deepEqual(customResourceErrors(policy), []);
        });
    }

    it("fits the schema with no ServiceAccount declared to call the API", () => {
        const policy = tokenAutomountDefaultPolicy([], { env: INPUTS.env, excludedNamespaces: [] });
        assert.deepEqual(
            policy.spec.matchConditions.map((c) => c.name),
            ["field-unset"],
        );
        assert.deepEqual(customResourceErrors(policy), []);
    });

    it("judges Pods only at CREATE, outside the excluded namespaces, and fails open", () => {
        assert.deepEqual(POLICY.spec.matchConstraints.resourceRules, [
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
        ]);
        const excluded = POLICY.spec.matchConstraints.namespaceSelector.matchExpressions[0];
        assert.equal(excluded.operator, "NotIn");
        assert.deepEqual([...excluded.values].sort(), [...ADMISSION_EXCLUDED_NAMESPACES].sort());
        assert.equal(POLICY.spec.failurePolicy, "Ignore");
    });

    it("defaults a Pod that leaves the field unset, and the token rule admits what it writes", () => {
        const pod = podAs("reports", "reports");
        assert.equal(admitted(pod), false, "the rule refuses the Pod as written");
        assert.equal(mutates(pod), true);
        pod.spec.automountServiceAccountToken = false; // what the mutation's apply configuration writes
        assert.equal(admitted(pod), true);
    });

    it("leaves alone a Pod that sets the field, either way, and one of a ServiceAccount declared to call the API", () => {
        for (const value of [true, false]) {
            const pod = podAs("reports", "reports");
            pod.spec.automountServiceAccountToken = value;
            assert.equal(mutates(pod), false, String(value));
        }
        const [declared] = INPUTS.apiAccessServiceAccounts;
        const operator = podAs(declared.namespace, declared.name);
        assert.equal(mutates(operator), false);
        assert.equal(admitted(operator), true);
    });
});
