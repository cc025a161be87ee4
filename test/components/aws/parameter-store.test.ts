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
import { AppParameters, AppParametersArgs, PARAMETER_PLACEHOLDER } from "../../../components/aws/parameter-store";
import { appParametersPolicy, environmentKeyPolicy, PolicyDocument } from "../../../components/aws/iam";
import { ENVIRONMENTS, Environment, profileFor } from "../../../components/baseline";
import { WorkloadIdentity } from "../../../components/aws/workload-identity";
import { identityArgs, KEY_ARN } from "./fixtures";
import { simulate } from "./iam-simulation";

function args(overrides: Partial<AppParametersArgs> = {}): AppParametersArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        kmsKeyArn: KEY_ARN,
        parameters: [{ name: "db-password", description: "Primary database password" }, { name: "api-key" }],
        ...overrides,
    };
}

const PARAMETER = "aws:ssm/parameter:Parameter";

describe("AppParameters", () => {
    beforeEach(resetResources);

    it("names parameters /<project>-<env>/<app>/<name>, SecureString with the env key, tier and tags from the profile", async () => {
        const parameters = new AppParameters("payments", args());
        assert.deepEqual(await valueOf(parameters.parameterNames), [
            "/shop-prod/payments/db-password",
            "/shop-prod/payments/api-key",
        ]);
        assert.equal(await valueOf(parameters.path), "/shop-prod/payments/");
        const arns = await valueOf(parameters.parameterArns);
        assert.equal(arns["db-password"], `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-prod/payments/db-password`);
        await settled();
        const db = named(PARAMETER, "payments-db-password").inputs;
        assert.equal(db.name, "/shop-prod/payments/db-password");
        assert.equal(db.type, "SecureString");
        assert.equal(db.keyId, KEY_ARN);
        assert.equal(db.tier, profileFor("prod").parameterTier);
        assert.equal(db.tier, "Advanced");
        assert.equal(db.description, "Primary database password");
        assert.deepEqual(db.tags, {
            ...profileFor("prod").parameterTags,
            project: "shop",
            env: "prod",
            app: "payments",
        });
    });

    it("uses the dev profile's tier in dev", async () => {
        new AppParameters("payments", args({ env: "dev" }));
        await settled();
        assert.equal(named(PARAMETER, "payments-api-key").inputs.tier, "Standard");
        assert.equal(named(PARAMETER, "payments-api-key").inputs.name, "/shop-dev/payments/api-key");
    });

    it("creates a parameter without a value with a placeholder, never a secret of the program", async () => {
        new AppParameters("payments", args());
        await settled();
        const db = named(PARAMETER, "payments-db-password").inputs;
        assert.ok(isSerializedSecret(db.value, PARAMETER_PLACEHOLDER), "placeholder sent as a secret");
        assert.equal(db.valueWo, undefined);
        assert.equal(db.insecureValue, undefined);
    });

    it("writes a value from secret config write-only, as a secret", async () => {
        const fromConfig = pulumi.output("s3cr3t-from-config");
        new AppParameters(
            "payments",
            args({ parameters: [{ name: "db-password", value: fromConfig, valueVersion: 3 }] }),
        );
        await settled();
        const db = named(PARAMETER, "payments-db-password").inputs;
        assert.ok(isSerializedSecret(db.valueWo, "s3cr3t-from-config"), "sent to the engine as a secret");
        assert.equal(db.valueWoVersion, 3);
        assert.equal(db.value, undefined, "not kept in the state");
    });

    it("accepts a full name inside the app's path, and parents its children", async () => {
        const parameters = new AppParameters(
            "payments",
            args({ parameters: [{ name: "/shop-prod/payments/db-url" }] }),
        );
        assert.deepEqual(await valueOf(parameters.parameterNames), ["/shop-prod/payments/db-url"]);
        await settled();
        assert.equal(ofType(PARAMETER).length, 1);
        for (const r of resources().filter((r) => r.custom))
            assert.equal(r.parentType, "k8s-baseline:index:AppParameters");
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<AppParametersArgs>, RegExp][] = [
            [
                "a parameter of another app",
                { parameters: [{ name: "/shop-prod/orders/db" }] },
                /parameters\[0\]\.name: "\/shop-prod\/orders\/db" is outside the app's path \/shop-prod\/payments\//,
            ],
            [
                "a parameter of another env",
                { parameters: [{ name: "/shop-dev/payments/db" }] },
                /is outside the app's path \/shop-prod\/payments\//,
            ],
            [
                "a path that climbs out",
                { parameters: [{ name: "/shop-prod/payments/../orders/db" }] },
                /is not a parameter name/,
            ],
            [
                "a plaintext value",
                { parameters: [{ name: "db", value: "hunter2" }] },
                /parameters\[0\]\.value: is a plain string written in the program; fix: read it with config.requireSecret/,
            ],
            [
                "a version without a value",
                { parameters: [{ name: "db", valueVersion: 2 }] },
                /valueVersion: is set without a value/,
            ],
            [
                "a duplicate",
                { parameters: [{ name: "db" }, { name: "db" }] },
                /parameters\[1\]\.name: db is declared twice/,
            ],
            [
                "the AWS managed key",
                { kmsKeyArn: "alias/aws/ssm" },
                /kmsKeyArn: "alias\/aws\/ssm" is not a KMS key ARN/,
            ],
            ["a tag that replaces env", { tags: { env: "dev" } }, /tags\.env: would replace the tag/],
            ["an unknown env", { env: "test" as never }, /env: "test" is not a known environment/],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new AppParameters("payments", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^AppParameters "payments": invalid arguments:/);
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

/**
 * The Parameter Store isolation matrix: every app's role of every env against every app's parameters in
 * every env, by simulation. `pay` is a prefix of `payments`.
 */
describe("Parameter Store access, by simulation", () => {
    const PROJECT = "shop";
    const APPS = ["payments", "pay", "orders"];
    const keyArn = (env: Environment) =>
        `arn:aws:kms:${REGION}:${ACCOUNT}:key/${{ dev: "de", stage: "5a", prod: "9d" }[env]}000000-0000-0000-0000-000000000000`;
    const roleArn = (env: Environment, app: string) => `arn:aws:iam::${ACCOUNT}:role/${PROJECT}-${env}-${app}`;
    const parameterArn = (env: Environment, app: string, name: string) =>
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${PROJECT}-${env}/${app}/${name}`;
    const pathArn = (env: Environment, app: string) =>
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${PROJECT}-${env}/${app}`;
    const policyOf = (env: Environment, app: string): PolicyDocument =>
        appParametersPolicy({
            partition: "aws",
            region: REGION,
            accountId: ACCOUNT,
            project: PROJECT,
            env,
            app,
            environmentKeyArn: keyArn(env),
        });

    it("lets each app read its own parameters and path, and no other app's or env's", async function () {
        this.timeout(120000);
        for (const env of ENVIRONMENTS) {
            for (const app of APPS) {
                const policy = policyOf(env, app);
                for (const otherEnv of ENVIRONMENTS) {
                    for (const other of APPS) {
                        const own = otherEnv === env && other === app;
                        const expected = own ? "Allowed" : "ImplicitlyDenied";
                        for (const [action, resource] of [
                            ["ssm:GetParameter", parameterArn(otherEnv, other, "db-password")],
                            ["ssm:GetParametersByPath", pathArn(otherEnv, other)],
                        ]) {
                            const decision = await simulate(
                                { principal: roleArn(env, app), action, resource, accountId: ACCOUNT },
                                [policy],
                            );
                            assert.equal(decision, expected, `${env}/${app} ${action} ${resource}`);
                        }
                    }
                }
            }
        }
    });

    it("grants no write, no describe, no batch read, and no path above the app's", async () => {
        const policy = policyOf("prod", "payments");
        const denied: [string, string][] = [
            ["ssm:PutParameter", parameterArn("prod", "payments", "db-password")],
            ["ssm:DeleteParameter", parameterArn("prod", "payments", "db-password")],
            ["ssm:GetParameters", parameterArn("prod", "payments", "db-password")],
            ["ssm:GetParameterHistory", parameterArn("prod", "payments", "db-password")],
            ["ssm:GetParametersByPath", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-prod`],
            ["ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/shop-prod/paymentsx/db`],
        ];
        for (const [action, resource] of denied) {
            assert.equal(
                await simulate({ principal: roleArn("prod", "payments"), action, resource, accountId: ACCOUNT }, [
                    policy,
                ]),
                "ImplicitlyDenied",
                `${action} ${resource}`,
            );
        }
    });

    it("decrypts with the env key only through Parameter Store, and not with another env's key", async () => {
        const policy = policyOf("prod", "payments");
        const keyPolicy = environmentKeyPolicy({
            partition: "aws",
            region: REGION,
            accountId: ACCOUNT,
            administratorArns: [`arn:aws:iam::${ACCOUNT}:root`],
            parameterStore: true,
        });
        const decrypt = (resource: string, via?: string) =>
            simulate(
                {
                    principal: roleArn("prod", "payments"),
                    action: "kms:Decrypt",
                    resource,
                    accountId: ACCOUNT,
                    context: { "kms:CallerAccount": ACCOUNT, ...(via ? { "kms:ViaService": via } : {}) },
                },
                [policy],
                keyPolicy,
            );
        assert.equal(await decrypt(keyArn("prod"), `ssm.${REGION}.amazonaws.com`), "Allowed");
        assert.equal(await decrypt(keyArn("prod")), "ImplicitlyDenied", "directly");
        assert.equal(await decrypt(keyArn("prod"), `secretsmanager.${REGION}.amazonaws.com`), "ImplicitlyDenied");
        assert.equal(await decrypt(keyArn("prod"), `s3.${REGION}.amazonaws.com`), "ImplicitlyDenied");
        assert.equal(await decrypt(keyArn("stage"), `ssm.${REGION}.amazonaws.com`), "ImplicitlyDenied");
    });

    it("a parameter-store env key admits use through SSM as well as Secrets Manager; the default key only Secrets Manager", () => {
        const base = {
            partition: "aws",
            region: REGION,
            accountId: ACCOUNT,
            administratorArns: [`arn:aws:iam::${ACCOUNT}:root`],
        };
        const via = (doc: PolicyDocument) => doc.Statement[1].Condition!.StringEquals["kms:ViaService"];
        assert.deepEqual(via(environmentKeyPolicy({ ...base, parameterStore: true })), [
            `secretsmanager.${REGION}.amazonaws.com`,
            `ssm.${REGION}.amazonaws.com`,
        ]);
        assert.equal(via(environmentKeyPolicy(base)), `secretsmanager.${REGION}.amazonaws.com`);
    });

    it("is what a WorkloadIdentity with parameterStore registers, and an app of every env reads only its own", async () => {
        resetResources();
        for (const env of ENVIRONMENTS) {
            for (const app of APPS) {
                new WorkloadIdentity(`${env}-${app}`, {
                    ...identityArgs({ env, app, namespace: env === "prod" ? app : `${app}-${env}` }),
                    environmentKeyArn: keyArn(env),
                    parameterStore: true,
                });
            }
        }
        await settled();
        for (const env of ENVIRONMENTS) {
            for (const app of APPS) {
                const registered = named("aws:iam/rolePolicy:RolePolicy", `${env}-${app}-secrets`).inputs;
                assert.equal(registered.name, "read-own-parameters");
                const policy = JSON.parse(registered.policy) as PolicyDocument;
                assert.deepEqual(policy, policyOf(env, app));
                for (const otherEnv of ENVIRONMENTS) {
                    for (const other of APPS) {
                        const decision = await simulate(
                            {
                                principal: roleArn(env, app),
                                action: "ssm:GetParameter",
                                resource: parameterArn(otherEnv, other, "db-password"),
                                accountId: ACCOUNT,
                            },
                            [policy],
                        );
                        const own = otherEnv === env && other === app;
                        assert.equal(
                            decision,
                            own ? "Allowed" : "ImplicitlyDenied",
                            `${env}/${app} on ${otherEnv}/${other}`,
                        );
                    }
                }
            }
        }
    });
});
