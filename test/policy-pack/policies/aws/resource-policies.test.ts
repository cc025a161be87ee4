/** Secret and key policies: who they admit, how the key may be used, and KMS grants. */
import * as assert from "node:assert/strict";
import { PolicyDocument } from "../../../../components/aws/iam";
import {
    KMS_GRANT,
    KMS_KEY,
    kmsKeyHasPolicy,
    kmsKeyUseViaService,
    KMS_KEY_POLICY,
    kmsNoDecryptingGrants,
    resourcePolicyPrincipals,
    SECRET_POLICY,
    SECRETS_MANAGER_SECRET,
} from "../../../../policy-pack/policies/aws";
import { checkStack } from "../../../../policy-pack/engine";
import {
    ACCOUNT,
    copy,
    KEY_ARN,
    keyDocument,
    keyInputs,
    resourceOf,
    secretInputs,
    settingsOf,
    violationsOf,
} from "./fixtures";

const FOREIGN = "999999999999";
const doc = (...Statement: any[]): string => JSON.stringify({ Version: "2012-10-17", Statement });
const read = (principal: unknown) => ({
    Effect: "Allow",
    Principal: principal,
    Action: "secretsmanager:GetSecretValue",
    Resource: "*",
});
const secretPolicy = (policy: string) =>
    resourceOf(SECRET_POLICY, {
        secretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:shop-prod/payments/db-password-AbCdEf`,
        policy,
    });
const key = (document: PolicyDocument, extra: Record<string, unknown> = {}) =>
    resourceOf(KMS_KEY, { ...keyInputs(), policy: JSON.stringify(document), ...extra }, "prod-key");
const withStatement = (statement: any): PolicyDocument => {
    const out = copy(keyDocument());
    out.Statement.push(statement);
    return out;
};

describe("aws-resource-policy-principals", () => {
    it("passes the env key's policy, a secret without a policy, and the secret's own app's role", () => {
        assert.deepEqual(violationsOf(resourcePolicyPrincipals, key(keyDocument())), []);
        assert.deepEqual(
            violationsOf(resourcePolicyPrincipals, resourceOf(SECRETS_MANAGER_SECRET, secretInputs())),
            [],
        );
        const own = secretPolicy(doc(read({ AWS: `arn:aws:iam::${ACCOUNT}:role/shop-prod-payments` })));
        assert.deepEqual(violationsOf(resourcePolicyPrincipals, own), []);
    });

    it("reports a secret policy open to everyone", () => {
        const secret = resourceOf(SECRETS_MANAGER_SECRET, { ...secretInputs(), policy: doc(read("*")) });
        assert.match(violationsOf(resourcePolicyPrincipals, secret).join(), /everyone/);
    });

    it("reports another account, on a secret (by its ARN) and on a key (by its kms:CallerAccount)", () => {
        assert.match(
            violationsOf(resourcePolicyPrincipals, secretPolicy(doc(read({ AWS: FOREIGN })))).join(),
            /not the env's 333333333333/,
        );
        const vendor = withStatement({
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
            Action: "kms:Decrypt",
            Resource: "*",
        });
        assert.match(violationsOf(resourcePolicyPrincipals, key(vendor)).join(), /account 999999999999, not the env's/);
    });

    it("reports another app's or env's role on a secret", () => {
        for (const name of ["shop-prod-orders", "shop-dev-payments"]) {
            const found = violationsOf(
                resourcePolicyPrincipals,
                secretPolicy(doc(read({ AWS: `arn:aws:iam::${ACCOUNT}:role/${name}` }))),
            );
            assert.match(found.join(), new RegExp(`role ${name} of app`));
        }
    });

    it("reports * pinned only to an organization, which is many accounts", () => {
        const org = { ...read("*"), Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } };
        assert.match(
            violationsOf(resourcePolicyPrincipals, secretPolicy(doc(org))).join(),
            /every account of an organization/,
        );
    });

    it("reports NotPrincipal with Allow", () => {
        const found = violationsOf(
            resourcePolicyPrincipals,
            secretPolicy(doc({ Effect: "Allow", NotPrincipal: { AWS: FOREIGN }, Action: "*", Resource: "*" })),
        );
        assert.match(found.join(), /NotPrincipal/);
    });
});

describe("aws-kms-key-use-via-service", () => {
    it("passes the env key's policy, also with a role administering it", () => {
        assert.deepEqual(violationsOf(kmsKeyUseViaService, key(keyDocument())), []);
        const admin = copy(keyDocument());
        admin.Statement[0].Principal = { AWS: [`arn:aws:iam::${ACCOUNT}:role/platform-admin`] };
        assert.deepEqual(violationsOf(kmsKeyUseViaService, key(admin)), []);
    });

    it("reports Decrypt without kms:ViaService, however the action is spelled", () => {
        for (const action of ["kms:Decrypt", "kms:De*", "KMS:decrypt", "kms:*"]) {
            const found = violationsOf(
                kmsKeyUseViaService,
                key(
                    withStatement({
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                        Action: action,
                        Resource: "*",
                    }),
                ),
            );
            assert.match(found.join(), /kms:Decrypt.*directly/, action);
        }
    });

    it("reports a ViaService condition that pins nothing", () => {
        const statement = {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringLike: { "kms:ViaService": "*" } },
        };
        assert.equal(violationsOf(kmsKeyUseViaService, key(withStatement(statement))).length, 1);
    });

    it("reports CreateGrant, and PutKeyPolicy outside the administrators' statement", () => {
        const grant = {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/shop-prod-payments` },
            Action: ["kms:CreateGrant"],
            Resource: "*",
        };
        assert.match(violationsOf(kmsKeyUseViaService, key(withStatement(grant))).join(), /kms:CreateGrant directly/);
        const put = { ...grant, Action: ["kms:PutKeyPolicy", "kms:Encrypt"] };
        assert.match(
            violationsOf(kmsKeyUseViaService, key(withStatement(put))).join(),
            /PutKeyPolicy outside an administrators' statement/,
        );
    });

    it("reports bypassPolicyLockoutSafetyCheck", () => {
        assert.match(
            violationsOf(kmsKeyUseViaService, key(keyDocument(), { bypassPolicyLockoutSafetyCheck: true })).join(),
            /lock the account out/,
        );
    });
});

describe("aws-kms-no-decrypting-grants", () => {
    const grant = (operations: string[]) =>
        resourceOf(KMS_GRANT, { keyId: KEY_ARN, granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/x`, operations });

    it("passes a grant that only encrypts", () => {
        assert.deepEqual(violationsOf(kmsNoDecryptingGrants, grant(["Encrypt", "GenerateDataKey", "DescribeKey"])), []);
    });

    it("reports Decrypt, ReEncryptFrom and CreateGrant", () => {
        for (const operation of ["Decrypt", "ReEncryptFrom", "CreateGrant"]) {
            assert.equal(violationsOf(kmsNoDecryptingGrants, grant([operation])).length, 1, operation);
        }
    });
});

describe("aws-kms-key-has-policy", () => {
    const judge = (...resources: ReturnType<typeof key>[]) =>
        checkStack(resources, [kmsKeyHasPolicy], settingsOf("prod"));
    const bare = () => resourceOf(KMS_KEY, { ...keyInputs(), policy: undefined });

    it("passes a key with its own policy, and a bare key with a KeyPolicy beside it", () => {
        assert.deepEqual(judge(key(keyDocument())), []);
        assert.deepEqual(
            judge(bare(), resourceOf(KMS_KEY_POLICY, { keyId: "k", policy: JSON.stringify(keyDocument()) })),
            [],
        );
    });

    it("reports a key left with AWS's default policy", () => {
        assert.match(
            judge(bare())
                .map((v) => v.message)
                .join(),
            /sets no key policy/,
        );
    });
});
