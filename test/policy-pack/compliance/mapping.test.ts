/**
 * The control mapping against the pack: every policy provides a control of the catalogue, every checklist
 * item of the seeds is provided or said not to be, and the pack's policies carry their controls as
 * @pulumi/policy's compliance metadata. The check itself is shown to catch each kind of broken mapping.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { mappingProblems, MappingInput } from "../../../policy-pack/compliance/check";
import { CONTROLS, CONTROLS_BY_ID, FrameworkId, FRAMEWORKS } from "../../../policy-pack/compliance/catalogue";
import { complianceMetadata, controlsOfPolicy } from "../../../policy-pack/compliance/metadata";
import {
    COMPONENT_CONTROLS,
    componentsOf,
    POLICY_CONTROLS,
    POLICY_SUBJECTS,
    policiesOf,
} from "../../../policy-pack/compliance/mapping";
import { toPulumiPolicies } from "../../../policy-pack/adapter";
import { ALL_POLICIES } from "../../../policy-pack/policies";
import { ALL_CHECK_IDS } from "../../../policy-pack/policies/pod-security";
import { REPO_ROOT } from "../../shared";

/** The component type tokens the package serves, from its schema. */
const COMPONENT_TYPES = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as { resources: object }).resources,
);

function realInput(): MappingInput {
    return {
        policies: ALL_POLICIES,
        controls: CONTROLS,
        policyControls: POLICY_CONTROLS,
        componentControls: COMPONENT_CONTROLS,
        policySubjects: POLICY_SUBJECTS,
        componentTypes: COMPONENT_TYPES,
    };
}

describe("compliance mapping", () => {
    it("fits the pack: every policy provides a control the catalogue has, every control is provided or not covered", () => {
        assert.deepEqual(mappingProblems(realInput()), []);
        for (const policy of ALL_POLICIES) {
            assert.ok(controlsOfPolicy(policy.name).length >= 1, `${policy.name} provides no control`);
        }
    });

    it("fails a policy with no control, and one that names a control the catalogue lacks", () => {
        const { "rbac-no-wildcards": _dropped, ...withoutOne } = POLICY_CONTROLS;
        assert.deepEqual(mappingProblems({ ...realInput(), policyControls: withoutOne }), [
            "policy rbac-no-wildcards provides no control",
            // It was the only policy of CIS 4.1.3.
            "control cis-eks-4.1.3 is neither provided nor listed as not covered",
        ]);
        const misnamed = { ...POLICY_CONTROLS, "rbac-no-wildcards": ["cis-eks-4.1.3", "cis-eks-9.9.9"] };
        assert.deepEqual(mappingProblems({ ...realInput(), policyControls: misnamed }), [
            "policy rbac-no-wildcards names cis-eks-9.9.9, which the catalogue does not have",
        ]);
    });

    it("fails a mapping that names a policy or a component the package does not have", () => {
        const extra = { ...POLICY_CONTROLS, "rbac-no-stars": ["cis-eks-4.1.3"] };
        assert.deepEqual(mappingProblems({ ...realInput(), policyControls: extra }), [
            "the mapping names policy rbac-no-stars, which the pack does not have",
        ]);
        const component = { ...COMPONENT_CONTROLS, "k8s-baseline:index:Nothing": ["seed-checklist-19"] };
        assert.deepEqual(mappingProblems({ ...realInput(), componentControls: component }), [
            "the mapping names component k8s-baseline:index:Nothing, which the package does not register",
        ]);
    });

    it("fails a checklist item that is neither provided nor listed as not covered", () => {
        // seed-checklist-8 (no cluster-admin bindings) is provided by two RBAC policies only.
        const withoutItem = Object.fromEntries(
            Object.entries(POLICY_CONTROLS).map(([policy, ids]) => [
                policy,
                ids.filter((id) => id !== "seed-checklist-8"),
            ]),
        );
        assert.deepEqual(mappingProblems({ ...realInput(), policyControls: withoutItem }), [
            'checklist item seed-checklist-8 ("No cluster-admin bindings (except break-glass)") is neither provided nor listed as not covered',
        ]);
    });

    it("fails a policy that provides a control the catalogue says is not covered", () => {
        const wrong = {
            ...POLICY_CONTROLS,
            "aws-eks-audit-logs": [...POLICY_CONTROLS["aws-eks-audit-logs"], "cis-eks-2.1.2"],
        };
        assert.deepEqual(mappingProblems({ ...realInput(), policyControls: wrong }), [
            "policy aws-eks-audit-logs provides cis-eks-2.1.2, which the catalogue says the package does not cover",
        ]);
    });

    it("fails a stack policy whose subjects are not named", () => {
        const { "namespaces-default-deny": _dropped, ...subjects } = POLICY_SUBJECTS;
        assert.deepEqual(mappingProblems({ ...realInput(), policySubjects: subjects }), [
            "policy namespaces-default-deny has no types, and the mapping names none it reads",
        ]);
    });

    it("lists every item of the production checklist, numbered from 1, each provided or not covered", () => {
        const items = CONTROLS.filter((c) => c.framework === FrameworkId.SeedChecklist);
        assert.equal(items.length, 51);
        items.forEach((item, index) => assert.equal(item.id, `seed-checklist-${index + 1}`));
        for (const item of items) {
            const provided = policiesOf(item.id).length + componentsOf(item.id).length > 0;
            assert.ok(
                provided || item.notCovered !== undefined || item.providedByCommand !== undefined,
                `${item.id} ${item.title}`,
            );
            if (item.notCovered) assert.ok(item.notCovered.check.length > 20, `${item.id} says what to check`);
        }
    });

    it("gives each Pod Security check of the evaluator exactly one Pod Security Standards control", () => {
        const pss = CONTROLS.filter((c) => c.framework === FrameworkId.PodSecurityStandards);
        const checks = pss.flatMap((c) => c.checks ?? []);
        assert.deepEqual([...checks].sort(), [...ALL_CHECK_IDS].sort());
        assert.equal(new Set(checks).size, checks.length);
    });

    it("dates each framework and names its source", () => {
        for (const framework of Object.values(FRAMEWORKS)) {
            assert.match(framework.checked, /^\d{4}-\d{2}-\d{2}$/);
            assert.ok(framework.source.length > 0 && framework.version.length > 0, framework.id);
        }
        assert.equal(FRAMEWORKS[FrameworkId.CisEks].version, "1.8.0");
        assert.ok(CONTROLS_BY_ID.has("cis-eks-4.1.12") && CONTROLS_BY_ID.has("cis-eks-5.5.1"));
    });

    it("attaches the controls to the pack's policies as the SDK's framework and tags", () => {
        const pulumiPolicies = toPulumiPolicies(ALL_POLICIES);
        assert.equal(pulumiPolicies.length, ALL_POLICIES.length);
        for (const policy of pulumiPolicies) {
            assert.deepEqual(policy.tags, POLICY_CONTROLS[policy.name], policy.name);
            assert.ok(policy.framework, `${policy.name} has a framework`);
        }
        const restricted = pulumiPolicies.find((p) => p.name === "pod-security-restricted")!;
        // CIS first: the most specific framework the policy has controls in.
        assert.equal(restricted.framework!.name, FRAMEWORKS[FrameworkId.CisEks].name);
        assert.equal(restricted.framework!.reference, "4.2.5");
        const cost = complianceMetadata("cost-secrets-budget");
        assert.equal(cost.framework!.name, FRAMEWORKS[FrameworkId.Baseline].name);
        assert.deepEqual(complianceMetadata("no-such-policy"), { tags: [] });
    });
});
