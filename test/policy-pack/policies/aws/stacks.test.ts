/**
 * The dev, stage and prod platform stacks, run under mocks, through the `aws` policies: zero violations; and
 * the stacks' own IAM documents, widened, are caught.
 */
import * as assert from "node:assert/strict";
import { awsPolicies, IAM_ROLE, IAM_ROLE_POLICY } from "../../../../policy-pack/policies/aws";
import { EnforcementLevel, PolicyResource, ResourcePolicy } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import { platformResources, STACKS, stackSettings, stackViolations } from "./platform-stacks";
import { violationsOf } from "./fixtures";

const policy = (name: string) => awsPolicies.find((p) => p.name === name) as ResourcePolicy;

/** A copy of `resource` whose JSON document at `field` has `change` applied to every statement. */
function widen(resource: PolicyResource, field: string, change: (statement: any) => void): PolicyResource {
    const document = JSON.parse(resource.props[field]);
    document.Statement.forEach(change);
    return { ...resource, props: { ...resource.props, [field]: JSON.stringify(document) } };
}

for (const stack of STACKS) {
    describe(`aws policies on the ${stack} stack`, function () {
        this.timeout(60_000);
        let all: readonly PolicyResource[];
        before(async () => {
            all = await platformResources(stack);
        });

        it("report nothing, with the env from the pack's config", async () => {
            // Dev runs EKS Pod Identity: its trust pins the cluster, the namespace and the ServiceAccount.
            assert.deepEqual(await stackViolations(stack, awsPolicies), []);
        });

        it("report nothing, with the env from the stack name in each URN", async () => {
            const found = await stackViolations(stack, awsPolicies, settingsFrom({}));
            assert.deepEqual(
                found.filter((v) => v.level === EnforcementLevel.Mandatory),
                [],
            );
        });

        it("judge the stack's keys, roles and role policies", () => {
            const judged = new Set(awsPolicies.flatMap((p) => (p.kind === "resource" ? (p.types ?? []) : [])));
            const types = new Set(all.filter((r) => judged.has(r.type)).map((r) => r.type));
            for (const type of ["aws:kms/key:Key", IAM_ROLE, IAM_ROLE_POLICY]) assert.ok(types.has(type), type);
            if (stack !== "dev") assert.ok(types.has("aws:secretsmanager/secret:Secret"));
            assert.ok(stackSettings(stack).env === stack);
        });

        it("catch each app policy widened to Resource * or secretsmanager:*", () => {
            const policies = all.filter((r) => r.type === IAM_ROLE_POLICY && r.props.name === "read-own-secrets");
            assert.ok(policies.length > 0);
            for (const resource of policies) {
                assert.deepEqual(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), resource, stackSettings(stack)),
                    [],
                );
                const star = widen(resource, "policy", (s) => (s.Resource = "*"));
                assert.equal(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), star, stackSettings(stack)).length,
                    2,
                );
                const service = widen(resource, "policy", (s) => {
                    if (s.Sid === "ReadOwnSecrets") s.Action = "secretsmanager:*";
                });
                assert.match(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), service, stackSettings(stack)).join("\n"),
                    /allows secretsmanager:\*, every secretsmanager action/,
                );
            }
        });

        it("catch each IRSA trust policy widened to StringLike on the subject", () => {
            const roles = all.filter((r) => r.type === IAM_ROLE && r.props.assumeRolePolicy.includes("WebIdentity"));
            // Dev runs EKS Pod Identity: its trust policies have no web identity statement.
            assert.equal(roles.length > 0, stack !== "dev");
            for (const resource of roles) {
                const like = widen(resource, "assumeRolePolicy", (s) => {
                    s.Condition.StringLike = {};
                    for (const key of Object.keys(s.Condition.StringEquals).filter((k) => k.endsWith(":sub"))) {
                        s.Condition.StringLike[key] = "system:serviceaccount:*";
                        delete s.Condition.StringEquals[key];
                    }
                });
                assert.match(
                    violationsOf(policy("aws-irsa-trust-pinned"), like, stackSettings(stack)).join("\n"),
                    /:sub with StringLike, not StringEquals/,
                );
            }
        });
    });
}
