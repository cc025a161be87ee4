/**
 * Rotation of Secrets Manager secrets: the schedule is bounded by the env profile, the rotation function's
 * role may rotate its one secret and nothing else (judged by simulation), and the ExternalSecret reading a
 * rotated secret refreshes within a known share of the rotation period.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, REGION, resetResources, settled, valueOf } from "../../mocks";
installMocks();
import { rotationRefreshInterval, refreshIntervalSeconds } from "../../../components/addons/external-secrets/manifests";
import { AppSecrets, AppSecretsArgs, rotationDays } from "../../../components/aws/app-secrets";
import { EnvironmentKey } from "../../../components/aws/environment-key";
import { PolicyDocument } from "../../../components/aws/iam";
import { ENVIRONMENTS, PROFILES } from "../../../components/baseline";
import { KEY_ARN } from "./fixtures";
import { simulate } from "./iam-simulation";

const LAMBDA = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate-db`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/rotate-db`;

function args(overrides: Partial<AppSecretsArgs> = {}): AppSecretsArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        kmsKeyArn: KEY_ARN,
        secrets: [
            {
                name: "db-password",
                rotation: { lambdaArn: LAMBDA, automaticallyAfterDays: 30, rotationRoleName: "rotate-db" },
            },
            { name: "api-key" },
        ],
        ...overrides,
    };
}

const secretArn = (project: string, env: string, app: string, secret: string) =>
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${project}-${env}/${app}/${secret}-AbCdEf`;

describe("secret rotation", () => {
    beforeEach(resetResources);

    describe("the schedule is bounded by the env profile", () => {
        it("profiles bound rotation, prod tightest", () => {
            for (const env of ENVIRONMENTS) assert.ok(PROFILES[env].maxSecretRotationDays >= 1, env);
            assert.ok(PROFILES.prod.maxSecretRotationDays <= PROFILES.stage.maxSecretRotationDays);
            assert.ok(PROFILES.stage.maxSecretRotationDays <= PROFILES.dev.maxSecretRotationDays);
        });

        it("reads the period of a schedule", () => {
            assert.equal(rotationDays({ lambdaArn: LAMBDA, automaticallyAfterDays: 30 }), 30);
            assert.equal(rotationDays({ lambdaArn: LAMBDA, scheduleExpression: "rate(10 days)" }), 10);
            assert.equal(rotationDays({ lambdaArn: LAMBDA, scheduleExpression: "rate(12 hours)" }), 0.5);
            assert.equal(rotationDays({ lambdaArn: LAMBDA, scheduleExpression: "cron(0 4 1 * ? *)" }), undefined);
        });

        it("accepts the prod bound itself", () => {
            const max = PROFILES.prod.maxSecretRotationDays;
            new AppSecrets(
                "payments",
                args({ secrets: [{ name: "db", rotation: { lambdaArn: LAMBDA, automaticallyAfterDays: max } }] }),
            );
        });

        for (const [what, rotation] of [
            ["automaticallyAfterDays", { lambdaArn: LAMBDA, automaticallyAfterDays: 91 }],
            ["a rate expression", { lambdaArn: LAMBDA, scheduleExpression: "rate(365 days)" }],
        ] as const) {
            it(`refuses a prod rotation longer than the bound, given as ${what}`, () => {
                assert.throws(
                    () => new AppSecrets("payments", args({ secrets: [{ name: "db", rotation }] })),
                    /secrets\[0\]\.rotation: rotates every \d+ days, longer than the prod bound of 90 \(fix: rotate at least every 90 days\)|secrets\[0\]\.rotation: rotates every \d+ days, longer than the prod bound of 90/,
                );
            });
        }

        it("lets dev rotate less often than prod", () => {
            new AppSecrets(
                "payments",
                args({
                    env: "dev",
                    secrets: [{ name: "db", rotation: { lambdaArn: LAMBDA, automaticallyAfterDays: 180 } }],
                }),
            );
        });
    });

    describe("the rotation function's policy", () => {
        interface Registered {
            role: string;
            policy: PolicyDocument;
            arn: string;
            keyArn: string;
            keyPolicy: PolicyDocument;
        }
        /** The prod env key and an AppSecrets under it, as the components register them. */
        async function registeredPolicy(): Promise<Registered> {
            const key = new EnvironmentKey("prod-key", {
                project: "shop",
                env: "prod",
                accountId: ACCOUNT,
                region: REGION,
            });
            const keyArn = await valueOf(key.keyArn);
            const secrets = new AppSecrets("payments", args({ kmsKeyArn: keyArn }));
            const arns = await valueOf(secrets.secretArns);
            await settled();
            const inputs = named("aws:iam/rolePolicy:RolePolicy", "payments-db-password-rotation").inputs;
            const keyPolicy = JSON.parse(named("aws:kms/key:Key", "prod-key-key").inputs.policy);
            return {
                role: inputs.role,
                policy: JSON.parse(inputs.policy),
                arn: arns["db-password"],
                keyArn,
                keyPolicy,
            };
        }

        it("is attached to the role named, for the rotated secret only", async () => {
            const { role, policy, arn } = await registeredPolicy();
            assert.equal(role, "rotate-db");
            const rotate = policy.Statement.find((s) => s.Sid === "RotateThisSecret")!;
            assert.equal(rotate.Resource, arn);
            assert.ok(!JSON.stringify(policy).includes('"*"'), "no wildcard resource or action");
            assert.throws(() => named("aws:iam/rolePolicy:RolePolicy", "payments-api-key-rotation"));
        });

        it("is not created without a role name", async () => {
            new AppSecrets(
                "payments",
                args({ secrets: [{ name: "db", rotation: { lambdaArn: LAMBDA, automaticallyAfterDays: 30 } }] }),
            );
            await settled();
            assert.throws(() => named("aws:iam/rolePolicy:RolePolicy", "payments-db-rotation"));
        });

        describe("isolation, by simulation", () => {
            const via = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
            const ROTATE = [
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecretVersionStage",
            ];

            it("rotates its own secret", async () => {
                const { policy, arn, keyArn, keyPolicy } = await registeredPolicy();
                for (const action of ROTATE) {
                    const decision = await simulate(
                        { principal: ROLE_ARN, action, resource: arn, accountId: ACCOUNT },
                        [policy],
                    );
                    assert.equal(decision, "Allowed", action);
                }
                for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
                    const decision = await simulate(
                        { principal: ROLE_ARN, action, resource: keyArn, accountId: ACCOUNT, context: via },
                        [policy],
                        keyPolicy,
                    );
                    assert.equal(decision, "Allowed", action);
                }
            });

            const others: [string, string][] = [
                ["a sibling secret of the same app", secretArn("shop", "prod", "payments", "api-key")],
                ["a secret of app pay (a prefix of payments)", secretArn("shop", "prod", "pay", "db-password")],
                ["the same secret in stage", secretArn("shop", "stage", "payments", "db-password")],
                ["another project's secret", secretArn("bank", "prod", "payments", "db-password")],
            ];
            for (const [what, resource] of others) {
                it(`cannot read or write ${what}`, async () => {
                    const { policy } = await registeredPolicy();
                    for (const action of ROTATE) {
                        const decision = await simulate({ principal: ROLE_ARN, action, resource, accountId: ACCOUNT }, [
                            policy,
                        ]);
                        assert.equal(decision, "ImplicitlyDenied", `${action} on ${resource}`);
                    }
                });
            }

            it("cannot delete its secret, change its policy or list secrets", async () => {
                const { policy, arn } = await registeredPolicy();
                for (const action of [
                    "secretsmanager:DeleteSecret",
                    "secretsmanager:PutResourcePolicy",
                    "secretsmanager:RotateSecret",
                ]) {
                    const decision = await simulate(
                        { principal: ROLE_ARN, action, resource: arn, accountId: ACCOUNT },
                        [policy],
                    );
                    assert.equal(decision, "ImplicitlyDenied", action);
                }
                const list = await simulate(
                    { principal: ROLE_ARN, action: "secretsmanager:ListSecrets", resource: "*", accountId: ACCOUNT },
                    [policy],
                );
                assert.equal(list, "ImplicitlyDenied");
            });

            it("uses the env key only through Secrets Manager", async () => {
                const { policy, keyArn, keyPolicy } = await registeredPolicy();
                const direct = await simulate(
                    {
                        principal: ROLE_ARN,
                        action: "kms:Decrypt",
                        resource: keyArn,
                        accountId: ACCOUNT,
                        context: { "kms:CallerAccount": ACCOUNT },
                    },
                    [policy],
                    keyPolicy,
                );
                assert.equal(direct, "ImplicitlyDenied");
                const viaS3 = await simulate(
                    {
                        principal: ROLE_ARN,
                        action: "kms:Decrypt",
                        resource: keyArn,
                        accountId: ACCOUNT,
                        context: { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
                    },
                    [policy],
                    keyPolicy,
                );
                assert.equal(viaS3, "ImplicitlyDenied");
            });
        });
    });

    describe("the ExternalSecret refresh follows the rotation", () => {
        it("keeps the profile interval when rotation is slower", () => {
            assert.equal(rotationRefreshInterval("1h", undefined), "1h");
            assert.equal(rotationRefreshInterval("1h", 30), "1h");
            assert.equal(rotationRefreshInterval("1h", 1), "1h");
        });

        it("refreshes at a 24th of a rotation period shorter than 24 profile intervals", () => {
            assert.equal(rotationRefreshInterval("1h", 0.5), "30m");
            assert.equal(rotationRefreshInterval("4h", 2), "2h");
            assert.equal(rotationRefreshInterval("1h", 0.01), "36s");
            assert.equal(rotationRefreshInterval("1h", 1 / 16), "3m45s");
        });

        it("always yields a valid Go duration no longer than the profile's", () => {
            for (const days of [0.0001, 0.03, 0.5, 0.99, 1, 7, 90, 1000]) {
                const interval = rotationRefreshInterval("1h", days);
                const seconds = refreshIntervalSeconds(interval);
                assert.ok(seconds !== undefined && seconds > 0 && seconds <= 3600, `${days}: ${interval}`);
            }
        });
    });
});
