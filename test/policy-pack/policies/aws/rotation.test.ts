/** Rotation in the pack: prod secrets without one (advisory), rotation functions scoped beyond their secret (mandatory). */
import * as assert from "node:assert/strict";
import { rotationFunctionPolicy } from "../../../../components/aws/app-secrets";
import {
    rotationFunctionScope,
    SECRETS_MANAGER_ROTATION,
    SECRETS_MANAGER_SECRET,
    secretProdRotation,
} from "../../../../policy-pack/policies/aws";
import { checkStack } from "../../../../policy-pack/engine";
import { EnforcementLevel, PolicyResource } from "../../../../policy-pack/policies/types";
import { ACCOUNT, KEY_ARN, REGION, resourceOf, secretInputs, settingsOf, violationsOf } from "./fixtures";

const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-prod/payments/db-password-AbCdEf`;
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const rotationPolicy = (document: unknown = rotationFunctionPolicy(SECRET_ARN, KEY_ARN)) =>
    resourceOf(ROLE_POLICY, { role: "rotate-db", policy: JSON.stringify(document) }, "payments-db-password-rotation");

describe("aws-secret-prod-rotation", () => {
    const secret = (env: "prod" | "dev" = "prod") =>
        resourceOf(SECRETS_MANAGER_SECRET, secretInputs(env), `payments-db-password`);
    const rotation = (props: Record<string, any>, name = "payments-db-password") =>
        resourceOf(SECRETS_MANAGER_ROTATION, { rotationLambdaArn: "arn:aws:lambda:x", ...props }, name);
    const judge = (env: "prod" | "dev", ...resources: PolicyResource[]) =>
        checkStack(resources, [secretProdRotation], settingsOf(env));

    it("passes a prod secret with a rotation under its name, or naming it", () => {
        assert.deepEqual(judge("prod", secret(), rotation({})), []);
        assert.deepEqual(judge("prod", secret(), rotation({ secretId: secretInputs().name }, "elsewhere")), []);
    });

    it("reports a prod secret with no rotation, as advisory", () => {
        const found = judge("prod", secret());
        assert.equal(found.length, 1);
        assert.equal(found[0].level, EnforcementLevel.Advisory);
        assert.match(found[0].message, /is a prod secret with no rotation/);
    });

    it("reports a rotation of another secret as none", () => {
        assert.equal(judge("prod", secret(), rotation({ secretId: "shop-prod/orders/db" }, "orders-db")).length, 1);
    });

    it("matches a rotation by the ARN of the secret it names (what a preview of an existing stack passes)", () => {
        const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Zx9Qw1`;
        assert.deepEqual(judge("prod", secret(), rotation({ secretId: arnOf(secretInputs().name) }, "elsewhere")), []);
        // Another secret's ARN, one whose name only starts with this one's, and a partial ARN rotate nothing here.
        for (const other of [
            arnOf("shop-prod/orders/db"),
            arnOf(`${secretInputs().name}-old`),
            `${arnOf(secretInputs().name)}x`,
        ]) {
            assert.equal(judge("prod", secret(), rotation({ secretId: other }, "elsewhere")).length, 1, other);
        }
    });

    it("leaves dev secrets alone", () => {
        assert.deepEqual(judge("dev", secret("dev")), []);
    });
});

describe("aws-rotation-function-scope", () => {
    it("passes the policy AppSecrets attaches to a rotation function's role", () => {
        assert.deepEqual(violationsOf(rotationFunctionScope, rotationPolicy()), []);
    });

    it("ignores policies that do not rotate", () => {
        const read = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
        };
        assert.deepEqual(violationsOf(rotationFunctionScope, rotationPolicy(read)), []);
    });

    const broader: [string, unknown][] = [
        ["every resource", "*"],
        ["the app's prefix", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-prod/payments/*`],
        ["two secrets", [SECRET_ARN, SECRET_ARN.replace("db-password", "api-key")]],
        ["every secret of the account", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:*`],
    ];
    for (const [what, resource] of broader) {
        it(`reports rotation granted on ${what}`, () => {
            const document = rotationFunctionPolicy(SECRET_ARN, KEY_ARN);
            const wide = { ...document, Statement: [{ ...document.Statement[0], Resource: resource }] };
            const found = violationsOf(rotationFunctionScope, rotationPolicy(wide));
            assert.equal(found.length, 1, JSON.stringify(found));
            assert.match(found[0], /grants secret rotation on .*, not on one secret's ARN/);
        });
    }

    it("reports rotation granted by NotResource, in any case of the action", () => {
        const document = {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Rotate",
                    Effect: "Allow",
                    Action: ["SecretsManager:UpdateSecretVersionStage"],
                    NotResource: SECRET_ARN.replace("db-password", "api-key"),
                },
            ],
        };
        assert.deepEqual(violationsOf(rotationFunctionScope, rotationPolicy(document)), [
            `${ROLE_POLICY} payments-db-password-rotation: statement Rotate grants secret rotation by NotResource`,
        ]);
    });

    it("is mandatory", () => {
        assert.equal(rotationFunctionScope.enforcementLevel, EnforcementLevel.Mandatory);
    });
});
