import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    ACCOUNT,
    installMocks,
    isSerializedSecret,
    named,
    ofType,
    REGION,
    resetResources,
    resources,
    settled,
    valueOf,
} from "../../mocks";
installMocks();
import { AppSecrets, AppSecretsArgs } from "../../../components/aws/app-secrets";
import { KEY_ARN } from "./fixtures";

function args(overrides: Partial<AppSecretsArgs> = {}): AppSecretsArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        kmsKeyArn: KEY_ARN,
        secrets: [{ name: "db-password", description: "Primary database password" }, { name: "api-key" }],
        ...overrides,
    };
}

const SECRET = "aws:secretsmanager/secret:Secret";

describe("AppSecrets", () => {
    beforeEach(resetResources);

    it("names secrets <project>-<env>/<app>/<name>, encrypts them with the env key and keeps the prod recovery window", async () => {
        const secrets = new AppSecrets("payments", args());
        assert.deepEqual(await valueOf(secrets.secretNames), [
            "shop-prod/payments/db-password",
            "shop-prod/payments/api-key",
        ]);
        const arns = await valueOf(secrets.secretArns);
        assert.match(
            arns["db-password"],
            new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-prod/payments/db-password-\\w{6}$`),
        );
        await settled();
        const db = named(SECRET, "payments-db-password").inputs;
        assert.equal(db.name, "shop-prod/payments/db-password");
        assert.equal(db.kmsKeyId, KEY_ARN);
        assert.equal(db.recoveryWindowInDays, 30);
        assert.equal(db.description, "Primary database password");
        assert.deepEqual(db.tags, { project: "shop", env: "prod", app: "payments" });
        assert.equal(ofType("aws:secretsmanager/secretVersion:SecretVersion").length, 0, "created empty");
    });

    it("accepts a full name inside the app's prefix", async () => {
        const secrets = new AppSecrets("payments", args({ secrets: [{ name: "shop-prod/payments/db-url" }] }));
        assert.deepEqual(await valueOf(secrets.secretNames), ["shop-prod/payments/db-url"]);
    });

    it("writes an initial value only from a secret Output, and keeps it secret", async () => {
        // An Output that is not marked secret (say, read with config.require by mistake) is marked by the component.
        const fromConfig = pulumi.output("s3cr3t-from-config");
        new AppSecrets("payments", args({ secrets: [{ name: "db-password", value: fromConfig }] }));
        await settled();
        const versions = ofType("aws:secretsmanager/secretVersion:SecretVersion");
        assert.equal(versions.length, 1);
        assert.ok(
            isSerializedSecret(versions[0].inputs.secretString, "s3cr3t-from-config"),
            "sent to the engine as a secret",
        );
    });

    it("configures rotation with the Lambda and schedule given", async () => {
        const lambdaArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-db`;
        new AppSecrets(
            "payments",
            args({ secrets: [{ name: "db-password", rotation: { lambdaArn, automaticallyAfterDays: 30 } }] }),
        );
        await settled();
        const rotation = named("aws:secretsmanager/secretRotation:SecretRotation", "payments-db-password").inputs;
        assert.equal(rotation.rotationLambdaArn, lambdaArn);
        assert.deepEqual(rotation.rotationRules, { automaticallyAfterDays: 30 });
    });

    it("lets dev delete at once when asked, and uses the dev profile otherwise", async () => {
        new AppSecrets("payments", args({ env: "dev", recoveryWindowInDays: 0 }));
        new AppSecrets("orders", args({ env: "dev", app: "orders" }));
        await settled();
        assert.equal(named(SECRET, "payments-db-password").inputs.recoveryWindowInDays, 0);
        assert.equal(named(SECRET, "orders-db-password").inputs.recoveryWindowInDays, 7);
    });

    it("parents its children", async () => {
        new AppSecrets("payments", args());
        await settled();
        for (const r of resources().filter((r) => r.custom))
            assert.equal(r.parentType, "k8s-baseline:index:AppSecrets");
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<AppSecretsArgs>, RegExp][] = [
            [
                "a recovery window of 0 in prod",
                { recoveryWindowInDays: 0 },
                /recoveryWindowInDays: 0 in prod deletes a secret beyond recovery at once/,
            ],
            [
                "a recovery window AWS refuses",
                { env: "dev", recoveryWindowInDays: 3 },
                /recoveryWindowInDays: 3 is not a Secrets Manager recovery window; fix: give 7 to 30 days/,
            ],
            [
                "a secret path outside the app's prefix",
                { secrets: [{ name: "shop-prod/orders/db" }] },
                /secrets\[0\]\.name: "shop-prod\/orders\/db" is outside the app's prefix shop-prod\/payments\//,
            ],
            [
                "a secret path of another env",
                { secrets: [{ name: "shop-dev/payments/db" }] },
                /is outside the app's prefix shop-prod\/payments\//,
            ],
            [
                "a path that climbs out",
                { secrets: [{ name: "shop-prod/payments/../orders/db" }] },
                /is not a secret name/,
            ],
            [
                "a plaintext value",
                { secrets: [{ name: "db", value: "hunter2" }] },
                /secrets\[0\]\.value: is a plain string written in the program; fix: read it with config.requireSecret/,
            ],
            [
                "a duplicate secret",
                { secrets: [{ name: "db" }, { name: "db" }] },
                /secrets\[1\]\.name: db is declared twice/,
            ],
            [
                "a rotation with two schedules",
                {
                    secrets: [
                        {
                            name: "db",
                            rotation: {
                                lambdaArn: "arn:aws:lambda:eu-west-1:123456789012:function:r",
                                automaticallyAfterDays: 1,
                                scheduleExpression: "rate(1 days)",
                            },
                        },
                    ],
                },
                /needs exactly one of automaticallyAfterDays and scheduleExpression/,
            ],
            [
                "the AWS managed key",
                { kmsKeyArn: "alias/aws/secretsmanager" },
                /kmsKeyArn: "alias\/aws\/secretsmanager" is not a KMS key ARN/,
            ],
            ["an unknown env", { env: "test" as never }, /env: "test" is not a known environment/],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new AppSecrets("payments", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^AppSecrets "payments": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }
    });
});
