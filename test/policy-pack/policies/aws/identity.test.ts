/**
 * Identity policies by their whole effect, their patterns against the baseline's naming, and the managed
 * policies attached to a role.
 */
import * as assert from "node:assert/strict";
import { PolicyDocument } from "../../../../components/aws/iam";
import {
    attachedPolicies,
    AWS_MANAGED_POLICIES,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    policyEffect,
    secretScope,
} from "../../../../policy-pack/policies/aws";
import { checkStack } from "../../../../policy-pack/engine";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import {
    ACCOUNT,
    appDocument,
    copy,
    dnsDocument,
    resourceOf,
    roleInputs,
    rolePolicyInputs,
    settingsOf,
    trustDocument,
    violationsOf,
} from "./fixtures";

const SM = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:`;
const rolePolicy = (document: PolicyDocument | object, role = "shop-prod-payments") =>
    resourceOf(IAM_ROLE_POLICY, { ...rolePolicyInputs(), role, policy: JSON.stringify(document) });
const allow = (Action: unknown, Resource: unknown, extra: object = {}) =>
    ({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action, Resource, ...extra }],
    }) as unknown as PolicyDocument;
const withResource = (resource: string, app = "payments") => {
    const document = copy(appDocument("prod", app));
    document.Statement[0].Resource = resource;
    return document;
};

describe("aws-iam-policy-effect", () => {
    it("passes the app policy WorkloadIdentity writes and cert-manager's DNS policy", () => {
        assert.deepEqual(violationsOf(policyEffect, rolePolicy(appDocument())), []);
        assert.deepEqual(violationsOf(policyEffect, rolePolicy(dnsDocument())), []);
    });

    it("reports Allow with NotAction and with NotResource", () => {
        const notAction = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
        };
        assert.match(violationsOf(policyEffect, rolePolicy(notAction)).join(), /Allow with NotAction/);
        const notResource = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::x/*" }],
        };
        assert.match(violationsOf(policyEffect, rolePolicy(notResource)).join(), /Allow with NotResource/);
    });

    it("reports * and permission-granting actions on wildcard resources, matched case-insensitively", () => {
        assert.match(violationsOf(policyEffect, rolePolicy(allow("*", "*"))).join(), /every action of every service/);
        assert.match(violationsOf(policyEffect, rolePolicy(allow("iam:passrole", "*"))).join(), /iam:PassRole/);
        assert.match(
            violationsOf(policyEffect, rolePolicy(allow("IAM:Put*Policy", `arn:aws:iam::${ACCOUNT}:role/*`))).join(),
            /iam:PutRolePolicy/,
        );
        assert.match(
            violationsOf(policyEffect, rolePolicy(allow("s3:Get*", "arn:aws:s3:::*/*"))).join(),
            /every bucket/,
        );
    });

    it("passes iam:PassRole on one named role and s3:GetObject on one bucket", () => {
        assert.deepEqual(
            violationsOf(
                policyEffect,
                rolePolicy(allow("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/shop-prod-lambda`)),
            ),
            [],
        );
        assert.deepEqual(
            violationsOf(policyEffect, rolePolicy(allow("s3:GetObject", "arn:aws:s3:::shop-prod-assets/*"))),
            [],
        );
    });

    it("reads a role's inlinePolicies", () => {
        const role = resourceOf(IAM_ROLE, {
            ...roleInputs(trustDocument()),
            inlinePolicies: [{ name: "x", policy: JSON.stringify(allow("*", "*")) }],
        });
        assert.equal(violationsOf(policyEffect, role).length, 1);
    });
});

describe("aws-iam-secret-scope", () => {
    it("passes the app's own prefix, narrower patterns inside it, and any region or account", () => {
        for (const resource of [
            `${SM}shop-prod/payments/*`,
            `${SM}shop-prod/payments/db-*`,
            "arn:aws:secretsmanager:*:*:secret:shop-prod/payments/*",
        ]) {
            assert.deepEqual(violationsOf(secretScope, rolePolicy(withResource(resource))), [], resource);
        }
    });

    it("reports patterns that match another app's or env's names", () => {
        for (const resource of [
            `${SM}shop-prod/*`,
            `${SM}shop-*`,
            `${SM}shop-prod/pay*`,
            `${SM}shop-dev/payments/*`,
            `${SM}*/payments/*`,
            `${SM}shop-prod/payment?/*`,
        ]) {
            assert.match(
                violationsOf(secretScope, rolePolicy(withResource(resource))).join(),
                /which also matches/,
                resource,
            );
        }
    });

    it("judges app pay's pay* as reaching payments, and pa?/ as reaching other apps", () => {
        assert.match(
            violationsOf(secretScope, rolePolicy(withResource(`${SM}shop-prod/pay*`, "pay"), "shop-prod-pay")).join(),
            /also matches shop-prod\/pay[a-z0-9-]/,
        );
        assert.equal(
            violationsOf(secretScope, rolePolicy(withResource(`${SM}shop-prod/pa?/*`, "pay"), "shop-prod-pay")).length,
            1,
        );
    });

    it("judges the role's env from the stack, not from its name", () => {
        const found = violationsOf(
            secretScope,
            rolePolicy(withResource(`${SM}shop-dev/payments/*`), "shop-dev-payments"),
            settingsOf("prod"),
        );
        assert.equal(found.length, 1);
    });

    it("reports SSM parameter paths and KMS key wildcards", () => {
        const ssm = allow("ssm:GetParameter*", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop-prod/*`);
        assert.match(violationsOf(secretScope, rolePolicy(ssm)).join(), /\/shop-prod\//);
        assert.deepEqual(
            violationsOf(
                secretScope,
                rolePolicy(
                    allow("ssm:GetParameter", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/shop-prod/payments/*`),
                ),
            ),
            [],
        );
        assert.match(
            violationsOf(
                secretScope,
                rolePolicy(allow("kms:Decrypt", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`)),
            ).join(),
            /other envs' keys/,
        );
    });

    it("judges GetParametersByPath by everything below the path", () => {
        const path = (resource: string) =>
            allow("ssm:GetParametersByPath", `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/${resource}`);
        assert.equal(violationsOf(secretScope, rolePolicy(path("shop-prod"))).length, 1);
        assert.deepEqual(violationsOf(secretScope, rolePolicy(path("shop-prod/payments"))), []);
    });

    it("lets a policy of no one app reach one app's names, not two", () => {
        const one = resourceOf(IAM_POLICY, {
            name: "p",
            policy: JSON.stringify(allow("secretsmanager:GetSecretValue", `${SM}shop-prod/orders/*`)),
        });
        assert.deepEqual(violationsOf(secretScope, one), []);
        const two = resourceOf(IAM_POLICY, {
            name: "p",
            policy: JSON.stringify(
                allow("secretsmanager:GetSecretValue", [`${SM}shop-prod/orders/*`, `${SM}shop-prod/payments/*`]),
            ),
        });
        assert.match(violationsOf(secretScope, two).join(), /one app's names at most/);
    });
});

describe("aws-iam-attached-policies", () => {
    const attach = (policyArn: unknown, role = "shop-prod-payments") =>
        resourceOf(IAM_ROLE_POLICY_ATTACHMENT, { role, policyArn }, `attach-${String(policyArn).split("/").pop()}`);
    const judge = (resources: PolicyResource[]) => checkStack(resources, [attachedPolicies], settingsOf("prod"));
    const mandatory = (resources: PolicyResource[]) => judge(resources).filter((v) => v.level === "mandatory");

    it("passes the EKS node policies and a customer policy scoped to the role's own app", () => {
        assert.deepEqual(
            mandatory([attach("arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "shop-prod-nodes")]),
            [],
        );
        const own = resourceOf(IAM_POLICY, { name: "payments-read", policy: JSON.stringify(appDocument()) });
        assert.deepEqual(judge([own, attach(`arn:aws:iam::${ACCOUNT}:policy/payments-read`)]), []);
    });

    it("reports the broad AWS managed policies", () => {
        for (const name of [
            "AdministratorAccess",
            "PowerUserAccess",
            "IAMFullAccess",
            "SecretsManagerReadWrite",
            "AWSKeyManagementServicePowerUser",
            "AmazonSSMFullAccess",
            "AmazonS3FullAccess",
            "ReadOnlyAccess",
        ]) {
            assert.ok(AWS_MANAGED_POLICIES[name], name);
            assert.ok(mandatory([attach(`arn:aws:iam::aws:policy/${name}`)]).length > 0, name);
        }
    });

    it("reads a role's managedPolicyArns", () => {
        const role = resourceOf(IAM_ROLE, {
            ...roleInputs(trustDocument()),
            managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        });
        assert.ok(mandatory([role]).length > 0);
    });

    it("judges a customer policy's patterns against the role it is attached to", () => {
        const orders = resourceOf(IAM_POLICY, {
            name: "orders-read",
            policy: JSON.stringify(appDocument("prod", "orders")),
        });
        assert.match(
            mandatory([orders, attach(`arn:aws:iam::${ACCOUNT}:policy/orders-read`)])
                .map((v) => v.message)
                .join(),
            /shop-prod\/orders/,
        );
    });

    it("reports an unknown AWS managed policy, a customer policy not in the stack and an unknown ARN as unknown", () => {
        const found = judge([
            attach("arn:aws:iam::aws:policy/SomeNewPolicy"),
            attach(`arn:aws:iam::${ACCOUNT}:policy/elsewhere`),
            attach(UNKNOWN),
        ]);
        assert.equal(found.length, 3);
        assert.ok(found.every((v) => v.level === "advisory"));
    });
});
