/** A parameter as AppParameters registers it passes; each change below breaks one Parameter Store policy. */
import * as assert from "node:assert/strict";
import { parameterCustomerKey, parameterEnvPrefix, SSM_PARAMETER } from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { KEY_ARN, resourceOf, settingsOf, unknownsOf, violationsOf } from "./fixtures";

const NAME = "aws:ssm/parameter:Parameter prod-payments-db-password";
const inputs = (overrides: Record<string, unknown> = {}) => ({
    name: "/shop-prod/payments/db-password",
    type: "SecureString",
    keyId: KEY_ARN,
    tier: "Advanced",
    ...overrides,
});
const parameter = (overrides: Record<string, unknown> = {}) =>
    resourceOf(SSM_PARAMETER, inputs(overrides), "prod-payments-db-password");

describe("aws-parameter-customer-key", () => {
    it("passes a SecureString encrypted with the env key, and leaves plain String parameters alone", () => {
        assert.deepEqual(violationsOf(parameterCustomerKey, parameter(), settingsOf("prod")), []);
        assert.deepEqual(violationsOf(parameterCustomerKey, parameter({ keyId: "alias/shop-prod" })), []);
        assert.deepEqual(
            violationsOf(parameterCustomerKey, parameter({ type: "String", keyId: undefined, name: "/x/log-level" })),
            [],
        );
    });

    it("reports a SecureString on the AWS managed aws/ssm key, by default or by name", () => {
        assert.deepEqual(violationsOf(parameterCustomerKey, parameter({ keyId: undefined })), [
            `${NAME} has no keyId, so it is encrypted with the AWS managed aws/ssm key`,
        ]);
        for (const keyId of ["alias/aws/ssm", "arn:aws:kms:eu-west-1:333333333333:alias/aws/ssm"]) {
            assert.deepEqual(violationsOf(parameterCustomerKey, parameter({ keyId })), [
                `${NAME} is encrypted with the AWS managed key ${keyId}`,
            ]);
        }
    });

    it("reports another env's key", () => {
        assert.deepEqual(
            violationsOf(parameterCustomerKey, parameter({ keyId: "alias/shop-dev" }), settingsOf("prod")),
            [`${NAME} is encrypted with alias/shop-dev, a key of dev, in prod`],
        );
    });

    it("reports an unknown type or key as unknown", () => {
        assert.deepEqual(unknownsOf(parameterCustomerKey, parameter({ keyId: UNKNOWN })), ["keyId"]);
        assert.deepEqual(unknownsOf(parameterCustomerKey, parameter({ type: UNKNOWN })), ["type"]);
    });
});

describe("aws-parameter-env-prefix", () => {
    it("passes /<project>-<env>/<app>/<name> in its own env", () => {
        assert.deepEqual(violationsOf(parameterEnvPrefix, parameter(), settingsOf("prod")), []);
    });

    it("reports a name outside the shape, in another env's path, or deeper than the app's path", () => {
        const cases: [string, string][] = [
            ["shop-prod/payments/db-password", "is not named /<project>-<env>/<app>/<name>"],
            ["/db-password", "is not named /<project>-<env>/<app>/<name>"],
            ["/shop-prod/db-password", "is not named /<project>-<env>/<app>/<name>"],
            ["/shop-prod/payments/nested/db-password", "is not named /<project>-<env>/<app>/<name>"],
            ["/shop-dev/payments/db-password", "is under the dev prefix, but the secret belongs to prod"],
            ["/shop-prod/payments/db-stage", "names stage besides its own env prod"],
        ];
        for (const [name, problem] of cases) {
            assert.deepEqual(
                violationsOf(parameterEnvPrefix, parameter({ name }), settingsOf("prod")),
                [`${NAME}: name ${JSON.stringify(name)} ${problem}`],
                name,
            );
        }
    });

    it("leaves plain String parameters to aws-no-secrets-outside-backends", () => {
        assert.deepEqual(violationsOf(parameterEnvPrefix, parameter({ type: "String", name: "/anything" })), []);
    });

    it("reports an unknown name as unknown", () => {
        assert.deepEqual(unknownsOf(parameterEnvPrefix, parameter({ name: UNKNOWN })), ["name"]);
    });
});
