/** The env key as EnvironmentKey registers it passes; each change below breaks one KMS policy. */
import * as assert from "node:assert/strict";
import { kmsKeyRotation, kmsNoPublicAccess, KMS_KEY, KMS_KEY_POLICY } from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { ACCOUNT, copy, keyDocument, keyInputs, resourceOf, unknownsOf, violationsOf } from "./fixtures";

const key = (props: Record<string, any> = keyInputs()) => resourceOf(KMS_KEY, props, "prod-key-key");

describe("aws-kms-key-rotation", () => {
    it("passes the env key, which rotates yearly", () => {
        assert.deepEqual(violationsOf(kmsKeyRotation, key()), []);
    });

    it("reports a key with rotation off", () => {
        assert.deepEqual(violationsOf(kmsKeyRotation, key({ ...keyInputs(), enableKeyRotation: false })), [
            "aws:kms/key:Key prod-key-key does not rotate its key material: enableKeyRotation is false",
        ]);
    });

    it("reports a key that leaves rotation unset (AWS's default is off)", () => {
        const { enableKeyRotation: _, ...props } = keyInputs();
        assert.deepEqual(violationsOf(kmsKeyRotation, key(props)), [
            "aws:kms/key:Key prod-key-key does not rotate its key material: enableKeyRotation is null",
        ]);
    });

    it("skips asymmetric keys, which AWS cannot rotate", () => {
        const props = {
            ...keyInputs(),
            customerMasterKeySpec: "RSA_3072",
            keyUsage: "SIGN_VERIFY",
            enableKeyRotation: false,
        };
        assert.deepEqual(violationsOf(kmsKeyRotation, key(props)), []);
    });

    it("reports an unknown rotation flag as unknown, not as a violation", () => {
        const resource = key({ ...keyInputs(), enableKeyRotation: UNKNOWN });
        assert.deepEqual(violationsOf(kmsKeyRotation, resource), []);
        assert.deepEqual(unknownsOf(kmsKeyRotation, resource), ["enableKeyRotation"]);
    });
});

describe("aws-kms-no-public-access", () => {
    const withStatement = (change: (statements: any[]) => void) => {
        const document = copy(keyDocument()) as any;
        change(document.Statement);
        return key({ ...keyInputs(), policy: JSON.stringify(document) });
    };

    it("passes the env key's policy: the account root, and use confined to this account through Secrets Manager", () => {
        assert.deepEqual(violationsOf(kmsNoPublicAccess, key()), []);
    });

    it("reports Principal * without a condition", () => {
        const resource = withStatement((s) => (s[1] = { ...s[1], Principal: "*", Condition: undefined }));
        assert.deepEqual(violationsOf(kmsNoPublicAccess, resource), [
            'aws:kms/key:Key prod-key-key: statement "UseThroughSecretsManager" allows kms:Decrypt, kms:DescribeKey, ' +
                "kms:Encrypt, kms:GenerateDataKey, kms:ReEncryptFrom, kms:ReEncryptTo to * without a condition confining the caller",
        ]);
    });

    it('reports {AWS: "*"} confined by kms:ViaService alone, which any account\'s principal can go through', () => {
        const resource = withStatement((s) => {
            s[1].Principal = { AWS: "*" };
            delete s[1].Condition.StringEquals["kms:CallerAccount"];
        });
        assert.equal(violationsOf(kmsNoPublicAccess, resource).length, 1);
    });

    it('passes {AWS: "*"} confined by kms:CallerAccount, the AWS managed keys\' own pattern', () => {
        const resource = withStatement((s) => (s[1].Principal = { AWS: "*" }));
        assert.deepEqual(violationsOf(kmsNoPublicAccess, resource), []);
    });

    it("does not count a negated or IfExists condition as confining", () => {
        for (const operator of ["StringNotEquals", "StringEqualsIfExists"]) {
            const resource = withStatement((s) => {
                s[1].Principal = { AWS: ["*"] };
                s[1].Condition = { [operator]: { "kms:CallerAccount": ACCOUNT } };
            });
            assert.equal(violationsOf(kmsNoPublicAccess, resource).length, 1, operator);
        }
    });

    it("reports kms:* to everyone", () => {
        const resource = withStatement((s) =>
            s.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }),
        );
        assert.deepEqual(violationsOf(kmsNoPublicAccess, resource), [
            "aws:kms/key:Key prod-key-key: statement 2 allows kms:* to * without a condition confining the caller",
        ]);
    });

    it("reports an Allow with NotPrincipal", () => {
        const resource = withStatement((s) => {
            s[0].NotPrincipal = s[0].Principal;
            delete s[0].Principal;
        });
        assert.deepEqual(violationsOf(kmsNoPublicAccess, resource), [
            'aws:kms/key:Key prod-key-key: statement "AdministerKey" allows every principal but those in NotPrincipal',
        ]);
    });

    it("ignores Deny statements to everyone", () => {
        const resource = withStatement((s) =>
            s.push({ Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" }),
        );
        assert.deepEqual(violationsOf(kmsNoPublicAccess, resource), []);
    });

    it("reads a standalone KeyPolicy too", () => {
        const document = copy(keyDocument()) as any;
        document.Statement[0].Principal = "*";
        const resource = resourceOf(KMS_KEY_POLICY, { keyId: "k", policy: JSON.stringify(document) });
        assert.equal(violationsOf(kmsNoPublicAccess, resource).length, 1);
    });

    it("reports an unknown or non-JSON policy as unknown", () => {
        assert.deepEqual(unknownsOf(kmsNoPublicAccess, key({ ...keyInputs(), policy: UNKNOWN })), ["policy"]);
        const notJson = key({ ...keyInputs(), policy: "{not json" });
        assert.deepEqual(violationsOf(kmsNoPublicAccess, notJson), []);
        assert.deepEqual(unknownsOf(kmsNoPublicAccess, notJson), ["policy (is not JSON, so not a policy document)"]);
    });
});
