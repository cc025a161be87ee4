/**
 * The admission policy that pins a namespace's pods to its apps' ServiceAccounts: valid against the
 * Kubernetes OpenAPI schema, matching every pod controller the baseline knows, and, evaluated with a CEL
 * engine as the API server would (variables first, then the validation), admitting the declared
 * ServiceAccounts and nothing else, in a Pod and in every controller's template.
 */
import * as assert from "node:assert/strict";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { NAMESPACE_NAME_LABEL, POD_CONTROLLERS } from "../../../components/baseline";
import { pinnedKinds, serviceAccountPolicy } from "../../../components/kubernetes/service-account-policy";
import { coreObjectErrors } from "../../k8s-schemas";

const NAMESPACE = "payments";
const ALLOWED = ["payments", "payments-worker"];

function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
    const result = run(expression, bindings as never, { funcs: strings });
    if (isCelError(result)) assert.fail(`${expression}\nfailed: ${result.message}`);
    return result;
}

/** The policy's verdict on `object`: its variables bound in order, then every validation. */
function admits(object: unknown, serviceAccounts = ALLOWED): boolean {
    const { spec } = serviceAccountPolicy(NAMESPACE, serviceAccounts).policy;
    const variables: Record<string, unknown> = {};
    for (const variable of spec.variables as { name: string; expression: string }[]) {
        variables[variable.name] = evaluate(variable.expression, { object, variables });
    }
    return (spec.validations as { expression: string }[]).every((validation) => {
        const result = evaluate(validation.expression, { object, variables });
        assert.equal(typeof result, "boolean", validation.expression);
        return result as boolean;
    });
}

function podSpec(fields: Record<string, unknown>): Record<string, unknown> {
    return { containers: [{ name: "app", image: "registry.example.com/app@sha256:" + "a".repeat(64) }], ...fields };
}

/** `kind` with `spec` as its pod spec, where that kind keeps it. */
function objectOf(kind: string, spec: Record<string, unknown>): Record<string, unknown> {
    const metadata = { name: "x", namespace: NAMESPACE };
    if (kind === "Pod") return { apiVersion: "v1", kind, metadata, spec };
    const path = POD_CONTROLLERS[kind];
    let inner: Record<string, unknown> = { metadata: {}, spec };
    for (const key of [...path].reverse()) inner = { [key]: inner };
    return { kind, metadata, ...inner };
}

describe("serviceAccountPolicy", () => {
    // Plain data: the builder returns no Outputs or Promises, whatever the Input types allow.
    const { policy, binding } = serviceAccountPolicy(NAMESPACE, ALLOWED) as unknown as {
        policy: { metadata: { name: string }; spec: any };
        binding: { metadata: { name: string }; spec: any };
    };

    it("validates against the Kubernetes OpenAPI schema", async () => {
        const manifests = [
            { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", ...policy },
            { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", ...binding },
        ];
        for (const manifest of manifests) assert.deepEqual(await coreObjectErrors(manifest), [], manifest.kind);
    });

    it("applies to the one namespace, by its immutable name label, and denies, failing closed", () => {
        assert.deepEqual(policy.spec.matchConstraints.namespaceSelector, {
            matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACE },
        });
        assert.equal(policy.spec.failurePolicy, "Fail");
        assert.deepEqual(binding.spec, { policyName: policy.metadata.name, validationActions: ["Deny"] });
        assert.equal(policy.metadata.name, "k8s-baseline-service-accounts-payments");
    });

    it("matches Pods and every pod controller the baseline knows, on create and update", () => {
        const rules = policy.spec.matchConstraints.resourceRules as {
            apiGroups: string[];
            resources: string[];
            operations: string[];
        }[];
        const resources = rules.flatMap((rule) => rule.resources.map((r) => `${rule.apiGroups[0]}/${r}`)).sort();
        assert.deepEqual(resources, [
            "/pods",
            "/replicationcontrollers",
            "apps/daemonsets",
            "apps/deployments",
            "apps/replicasets",
            "apps/statefulsets",
            "batch/cronjobs",
            "batch/jobs",
        ]);
        for (const rule of rules) assert.deepEqual(rule.operations, ["CREATE", "UPDATE"]);
        assert.deepEqual(pinnedKinds().sort(), ["Pod", ...Object.keys(POD_CONTROLLERS)].sort());
    });

    for (const kind of pinnedKinds()) {
        describe(kind, () => {
            it("admits each declared ServiceAccount", () => {
                for (const sa of ALLOWED) assert.ok(admits(objectOf(kind, podSpec({ serviceAccountName: sa }))), sa);
            });

            it("denies the deployer's, another app's and the default ServiceAccount", () => {
                for (const sa of ["ci-deployer", "orders", "default", "payments-admin"]) {
                    assert.ok(!admits(objectOf(kind, podSpec({ serviceAccountName: sa }))), sa);
                }
            });

            it("denies a pod that names no ServiceAccount (it runs as default) or an empty one", () => {
                assert.ok(!admits(objectOf(kind, podSpec({}))));
                assert.ok(!admits(objectOf(kind, podSpec({ serviceAccountName: "" }))));
            });

            it("denies another ServiceAccount in the deprecated serviceAccount field", () => {
                assert.ok(!admits(objectOf(kind, podSpec({ serviceAccount: "ci-deployer" }))));
                assert.ok(
                    !admits(objectOf(kind, podSpec({ serviceAccountName: "payments", serviceAccount: "ci-deployer" }))),
                );
                assert.ok(
                    admits(objectOf(kind, podSpec({ serviceAccountName: "payments", serviceAccount: "payments" }))),
                );
            });
        });
    }

    it("names the allowed ServiceAccounts in its message", () => {
        assert.match(
            String(policy.spec.validations[0].message),
            /Pods in payments may run only as payments, payments-worker/,
        );
    });

    it("quotes nothing it was not given: a ServiceAccount list of one admits that one only", () => {
        assert.ok(admits(objectOf("Pod", podSpec({ serviceAccountName: "reports" })), ["reports"]));
        assert.ok(!admits(objectOf("Pod", podSpec({ serviceAccountName: "payments" })), ["reports"]));
    });
});
