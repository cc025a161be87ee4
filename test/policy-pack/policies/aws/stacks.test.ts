/**
 * The dev, stage and prod platform stacks, run under mocks, through the `aws` policies: zero violations; and
 * the stacks' own IAM documents, widened, are caught.
 */
import * as assert from "node:assert/strict";
import { awsPolicies, IAM_ROLE, IAM_ROLE_POLICY } from "../../../../policy-pack/policies/aws";
import { EnforcementLevel, PolicyResource, ResourcePolicy } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import { platformResources, STACKS, stackSettings, stackValues, stackViolations } from "./platform-stacks";
import { violationsOf } from "./fixtures";

const policy = (name: string) => awsPolicies.find((p) => p.name === name) as ResourcePolicy;

/** A copy of `resource` whose JSON document at `field` has `change` applied to every statement. */
function widen(resource: PolicyResource, field: string, change: (statement: any) => void): PolicyResource {
    const document = JSON.parse(resource.props[field]);
    document.Statement.forEach(change);
    return { ...resource, props: { ...resource.props, [field]: JSON.stringify(document) } };
}

/** What each AWS backend stores an app's secrets as, and the role policy and statement that read them. */
const BACKENDS: Record<string, { type: string; policyName: string; readSid: string; service: string }> = {
    "aws-secrets-manager": {
        type: "aws:secretsmanager/secret:Secret",
        policyName: "read-own-secrets",
        readSid: "ReadOwnSecrets",
        service: "secretsmanager",
    },
    "aws-parameter-store": {
        type: "aws:ssm/parameter:Parameter",
        policyName: "read-own-parameters",
        readSid: "ReadOwnParameters",
        service: "ssm",
    },
};

for (const stack of STACKS) {
    // Dev keeps its secrets in Vault: no AWS store, and its roles read nothing from AWS.
    const backend = BACKENDS[stackValues(stack).secretBackend as string];
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
            assert.equal(stack === "dev", backend === undefined);
            if (backend) {
                assert.ok(types.has(backend.type), backend.type);
                for (const other of Object.values(BACKENDS).filter((b) => b !== backend)) {
                    assert.ok(!types.has(other.type), `${other.type} in a ${backend.service} stack`);
                }
            }
            assert.ok(stackSettings(stack).env === stack);
        });

        // A Vault env's app roles keep the Secrets Manager read policy of their own prefix.
        const reads = backend ?? BACKENDS["aws-secrets-manager"];
        it(`catch each app policy widened to Resource * or ${reads.service}:*`, () => {
            const policies = all.filter(
                (r) => r.type === IAM_ROLE_POLICY && Object.values(BACKENDS).some((b) => b.policyName === r.props.name),
            );
            assert.ok(policies.length > 0);
            assert.deepEqual([...new Set(policies.map((r) => r.props.name))], [reads.policyName]);
            for (const resource of policies) {
                assert.deepEqual(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), resource, stackSettings(stack)),
                    [],
                );
                // One violation per statement: each reads a store or decrypts with the key.
                const star = widen(resource, "policy", (s) => (s.Resource = "*"));
                assert.equal(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), star, stackSettings(stack)).length,
                    JSON.parse(resource.props.policy).Statement.length,
                );
                const service = widen(resource, "policy", (s) => {
                    if (s.Sid === reads.readSid) s.Action = `${reads.service}:*`;
                });
                assert.match(
                    violationsOf(policy("aws-no-wildcard-secrets-access"), service, stackSettings(stack)).join("\n"),
                    new RegExp(`allows ${reads.service}:\\*, every ${reads.service} action`),
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
