/**
 * StackSecretsKey: each env's stack-config key, used by that env's deployer alone with exactly kms:Decrypt and
 * kms:Encrypt; judged by simulation, every env's deployer against every env's key.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, REGION, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import { PolicyDocument } from "../../../components/aws/iam";
import { StackSecretsKey, StackSecretsKeyArgs } from "../../../components/aws/stack-secrets-key";
import { ArgumentError, ENVIRONMENTS, Environment, PROFILES } from "../../../components/baseline";
import { simulate } from "./iam-simulation";

const deployer = (env: Environment) => `arn:aws:iam::${ACCOUNT}:role/ci/shop-${env}-deployer`;

function args(env: Environment, overrides: Partial<StackSecretsKeyArgs> = {}): StackSecretsKeyArgs {
    return { project: "shop", env, accountId: ACCOUNT, region: REGION, deployerRoleArn: deployer(env), ...overrides };
}

const KMS_ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DescribeKey",
];

describe("StackSecretsKey", () => {
    beforeEach(resetResources);

    it("is aliased alias/<project>-<env>-stack-config and names the stack's awskms secrets provider", async () => {
        const key = new StackSecretsKey("prod-stack", args("prod"));
        assert.equal(await valueOf(key.aliasName), "alias/shop-prod-stack-config");
        assert.equal(await valueOf(key.secretsProvider), `awskms://alias/shop-prod-stack-config?region=${REGION}`);
        await settled();
        const inputs = named("aws:kms/key:Key", "prod-stack-key").inputs;
        assert.equal(inputs.enableKeyRotation, true);
        assert.equal(inputs.deletionWindowInDays, PROFILES.prod.kmsDeletionWindowDays);
        const policy = named("aws:iam/rolePolicy:RolePolicy", "prod-stack-deployer").inputs;
        assert.equal(policy.role, "shop-prod-deployer");
        for (const r of resources().filter((r) => r.custom)) {
            assert.equal(r.parentType, "k8s-baseline:index:StackSecretsKey", r.name);
        }
    });

    it("gives each env's deployer exactly Decrypt and Encrypt on its own key, nothing on the others'", async () => {
        const keys = new Map<Environment, { arn: string; keyPolicy: PolicyDocument; deployerPolicy: PolicyDocument }>();
        for (const env of ENVIRONMENTS) {
            const key = new StackSecretsKey(`${env}-stack`, args(env));
            const arn = await valueOf(key.keyArn);
            await settled();
            keys.set(env, {
                arn,
                keyPolicy: JSON.parse(named("aws:kms/key:Key", `${env}-stack-key`).inputs.policy),
                deployerPolicy: JSON.parse(
                    named("aws:iam/rolePolicy:RolePolicy", `${env}-stack-deployer`).inputs.policy,
                ),
            });
        }
        for (const caller of ENVIRONMENTS) {
            for (const owner of ENVIRONMENTS) {
                const key = keys.get(owner)!;
                for (const action of KMS_ACTIONS) {
                    const decision = await simulate(
                        { principal: deployer(caller), action, resource: key.arn, accountId: ACCOUNT },
                        [keys.get(caller)!.deployerPolicy],
                        key.keyPolicy,
                    );
                    const expected =
                        caller === owner && (action === "kms:Decrypt" || action === "kms:Encrypt")
                            ? "Allowed"
                            : "ImplicitlyDenied";
                    assert.equal(decision, expected, `${caller} deployer ${action} on ${owner} key`);
                }
            }
        }
    });

    it("does not delegate use to the account: the key policy alone decides who uses the key", async () => {
        new StackSecretsKey("prod-stack", args("prod"));
        await settled();
        const policy: PolicyDocument = JSON.parse(named("aws:kms/key:Key", "prod-stack-key").inputs.policy);
        const users = policy.Statement.filter((s) => [s.Action].flat().includes("kms:Decrypt"));
        assert.deepEqual(
            users.map((s) => s.Principal),
            [{ AWS: deployer("prod") }],
        );
        for (const statement of policy.Statement) {
            assert.ok(![statement.Action].flat().some((a) => a.endsWith("*")), "no wildcard action");
        }
    });

    it("refuses a bad or foreign deployer role before registering anything", () => {
        for (const [overrides, field] of [
            [{ deployerRoleArn: "arn:aws:iam::111111111111:role/*" }, /deployerRoleArn/],
            [{ deployerRoleArn: "arn:aws:iam::999999999999:role/shop-prod-deployer" }, /another account/],
            [{ administratorArns: [deployer("prod")] }, /rewrite the key policy/],
        ] as const) {
            resetResources();
            assert.throws(
                () => new StackSecretsKey("prod-stack", args("prod", overrides as Partial<StackSecretsKeyArgs>)),
                (error: unknown) => error instanceof ArgumentError && field.test(error.message),
            );
            assert.equal(resources().length, 0);
        }
    });
});
