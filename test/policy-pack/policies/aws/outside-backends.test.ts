/** IAM users, and secrets kept in plain SSM parameters or S3 objects. */
import * as assert from "node:assert/strict";
import {
    IAM_ACCESS_KEY,
    IAM_USER,
    noIamUsers,
    noSecretsOutsideBackends,
    S3_BUCKET_OBJECT_V2,
    SSM_PARAMETER,
} from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resourceOf, unknownsOf, violationsOf } from "./fixtures";

describe("aws-no-iam-users", () => {
    it("reports users and access keys", () => {
        assert.equal(violationsOf(noIamUsers, resourceOf(IAM_USER, { name: "ci" })).length, 1);
        assert.equal(violationsOf(noIamUsers, resourceOf(IAM_ACCESS_KEY, { user: "ci" })).length, 1);
    });

    it("is not called for roles", () => {
        assert.deepEqual(violationsOf(noIamUsers, resourceOf("aws:iam/role:Role", { name: "r" })), []);
    });
});

describe("aws-no-secrets-outside-backends", () => {
    const parameter = (name: string, value: string, type: unknown = "String") =>
        resourceOf(SSM_PARAMETER, { name, value, type });

    it("passes a SecureString, a plain config value and a static object", () => {
        assert.deepEqual(
            violationsOf(noSecretsOutsideBackends, parameter("/shop-prod/payments/db-password", "x", "SecureString")),
            [],
        );
        assert.deepEqual(
            violationsOf(noSecretsOutsideBackends, parameter("/shop-prod/payments/log-level", "info")),
            [],
        );
        assert.deepEqual(
            violationsOf(
                noSecretsOutsideBackends,
                resourceOf(S3_BUCKET_OBJECT_V2, { bucket: "b", key: "static/logo.png" }),
            ),
            [],
        );
    });

    it("reports a plain parameter named like a secret, or holding a credential", () => {
        assert.equal(violationsOf(noSecretsOutsideBackends, parameter("/shop-prod/payments/API_KEY", "x")).length, 1);
        assert.equal(
            violationsOf(noSecretsOutsideBackends, parameter("/shop-prod/payments/upstream", "AKIAIOSFODNN7EXAMPLE"))
                .length,
            1,
        );
        assert.equal(
            violationsOf(noSecretsOutsideBackends, parameter("/x/dsn", "postgres://u:pw@h/db", "StringList")).length,
            1,
        );
    });

    it("reports secret-looking object keys and credential content", () => {
        for (const key of [
            "certs/tls.pem",
            "home/.ssh/id_rsa",
            "payments/.env",
            "ci/credentials.json",
            "db-password.txt",
        ]) {
            assert.equal(
                violationsOf(noSecretsOutsideBackends, resourceOf(S3_BUCKET_OBJECT_V2, { bucket: "b", key })).length,
                1,
                key,
            );
        }
        const content = "-----BEGIN RSA PRIVATE KEY-----\nMIIE...";
        assert.equal(
            violationsOf(
                noSecretsOutsideBackends,
                resourceOf(S3_BUCKET_OBJECT_V2, { bucket: "b", key: "x.txt", content }),
            ).length,
            1,
        );
    });

    it("reports an unknown parameter type as unknown", () => {
        assert.deepEqual(unknownsOf(noSecretsOutsideBackends, parameter("/p", "x", UNKNOWN)), ["type"]);
    });
});
