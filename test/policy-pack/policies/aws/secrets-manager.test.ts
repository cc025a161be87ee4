/** An app secret as AppSecrets registers it passes; each change below breaks one Secrets Manager policy. */
import * as assert from "node:assert/strict";
import { ENVIRONMENTS } from "../../../../components/baseline";
import {
    secretCustomerKey,
    secretEnvPrefix,
    secretRecoveryWindow,
    SECRETS_MANAGER_SECRET,
} from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { KEY_ARN, resourceOf, secretInputs, settingsOf, unknownsOf, violationsOf } from "./fixtures";

const NAME = "aws:secretsmanager/secret:Secret prod-payments-db-password";
const secret = (props: Record<string, any> = secretInputs()) =>
    resourceOf(SECRETS_MANAGER_SECRET, props, "prod-payments-db-password");

describe("aws-secret-customer-key", () => {
    it("passes a secret encrypted with the env key", () => {
        assert.deepEqual(violationsOf(secretCustomerKey, secret()), []);
    });

    it("reports a secret without kmsKeyId (the AWS managed key)", () => {
        const { kmsKeyId: _, ...props } = secretInputs();
        assert.deepEqual(violationsOf(secretCustomerKey, secret(props)), [
            `${NAME} has no kmsKeyId, so it is encrypted with the AWS managed aws/secretsmanager key`,
        ]);
    });

    it("reports the aws/secretsmanager alias, by name or by ARN", () => {
        for (const kmsKeyId of [
            "alias/aws/secretsmanager",
            "arn:aws:kms:eu-west-1:333333333333:alias/aws/secretsmanager",
        ]) {
            assert.deepEqual(violationsOf(secretCustomerKey, secret({ ...secretInputs(), kmsKeyId })), [
                `${NAME} is encrypted with the AWS managed key ${kmsKeyId}`,
            ]);
        }
    });

    it("passes a customer managed key named by alias", () => {
        assert.deepEqual(
            violationsOf(secretCustomerKey, secret({ ...secretInputs(), kmsKeyId: "alias/shop-prod" })),
            [],
        );
    });

    it("reports a replica left on the AWS managed key", () => {
        const props = {
            ...secretInputs(),
            replicas: [{ region: "eu-central-1", kmsKeyId: KEY_ARN }, { region: "us-east-1" }],
        };
        assert.deepEqual(violationsOf(secretCustomerKey, secret(props)), [
            `${NAME}: its replica in us-east-1 has no kmsKeyId, so it is encrypted with the AWS managed aws/secretsmanager key`,
        ]);
    });

    it("reports an unknown key (the env key's ARN before the key exists) as unknown", () => {
        const resource = secret({ ...secretInputs(), kmsKeyId: UNKNOWN });
        assert.deepEqual(violationsOf(secretCustomerKey, resource), []);
        assert.deepEqual(unknownsOf(secretCustomerKey, resource), ["kmsKeyId"]);
    });
});

describe("aws-secret-env-prefix", () => {
    it("passes <project>-<env>/<app>/<secret> in every env", () => {
        for (const env of ENVIRONMENTS) {
            assert.deepEqual(violationsOf(secretEnvPrefix, secret(secretInputs(env)), settingsOf(env)), [], env);
        }
    });

    it("reports a name outside the shape", () => {
        for (const name of [
            "payments/db-password",
            "shop-prod/db-password",
            "shop-prod/payments/db/password",
            "shop/prod/payments/x",
        ]) {
            assert.deepEqual(violationsOf(secretEnvPrefix, secret({ ...secretInputs(), name })), [
                `${NAME}: name ${JSON.stringify(name)} is not named <project>-<env>/<app>/<secret>`,
            ]);
        }
    });

    it("reports another env's prefix", () => {
        assert.deepEqual(violationsOf(secretEnvPrefix, secret(secretInputs("prod")), settingsOf("dev")), [
            `${NAME}: name "shop-prod/payments/db-password" is under the prod prefix, but the secret belongs to dev`,
        ]);
    });

    it("reports another env's name anywhere in the name", () => {
        const name = "shop-dev/payments-prod/db-password";
        assert.deepEqual(violationsOf(secretEnvPrefix, secret({ ...secretInputs("dev"), name }), settingsOf("dev")), [
            `${NAME}: name "shop-dev/payments-prod/db-password" names prod besides its own env dev`,
        ]);
    });

    it("takes the env from the name when the resource's env is not known", () => {
        assert.deepEqual(violationsOf(secretEnvPrefix, secret(secretInputs("stage")), settingsOf()), []);
    });

    it("judges a namePrefix as the start of such a name", () => {
        const { name: _, ...props } = secretInputs();
        assert.deepEqual(violationsOf(secretEnvPrefix, secret({ ...props, namePrefix: "shop-prod/payments/" })), []);
        assert.deepEqual(violationsOf(secretEnvPrefix, secret({ ...props, namePrefix: "shop-prod/" })), [
            `${NAME}: namePrefix "shop-prod/" is not named <project>-<env>/<app>/`,
        ]);
    });

    it("reports a secret with no name", () => {
        const { name: _, ...props } = secretInputs();
        assert.deepEqual(violationsOf(secretEnvPrefix, secret(props)), [
            `${NAME} has no name, so it is not named <project>-<env>/<app>/<secret>`,
        ]);
    });

    it("reports an unknown name as unknown", () => {
        const resource = secret({ ...secretInputs(), name: UNKNOWN });
        assert.deepEqual(violationsOf(secretEnvPrefix, resource), []);
        assert.deepEqual(unknownsOf(secretEnvPrefix, resource), ["name"]);
    });
});

describe("aws-secret-recovery-window", () => {
    it("passes the prod profile's window, and an unset one (AWS's default 30 days)", () => {
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret()), []);
        const { recoveryWindowInDays: _, ...props } = secretInputs();
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret(props)), []);
    });

    it("reports immediate deletion in prod", () => {
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret({ ...secretInputs(), recoveryWindowInDays: 0 })), [
            `${NAME}: recoveryWindowInDays 0 deletes the prod secret beyond recovery at once`,
        ]);
    });

    it("reports a window below 7 days in prod", () => {
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret({ ...secretInputs(), recoveryWindowInDays: 3 })), [
            `${NAME}: recoveryWindowInDays 3 is below 7, the shortest window AWS keeps a deleted secret`,
        ]);
    });

    it("lets dev and stage delete at once, and judges an unknown env as prod", () => {
        const props = { ...secretInputs("dev"), recoveryWindowInDays: 0 };
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret(props), settingsOf("dev")), []);
        assert.deepEqual(violationsOf(secretRecoveryWindow, secret(props), settingsOf("stage")), []);
        assert.equal(violationsOf(secretRecoveryWindow, secret(props), settingsOf()).length, 1);
    });

    it("reports an unknown window as unknown", () => {
        const resource = secret({ ...secretInputs(), recoveryWindowInDays: UNKNOWN });
        assert.deepEqual(violationsOf(secretRecoveryWindow, resource), []);
        assert.deepEqual(unknownsOf(secretRecoveryWindow, resource), ["recoveryWindowInDays"]);
    });
});
