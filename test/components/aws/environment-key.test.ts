import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, REGION, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import { EnvironmentKey, EnvironmentKeyArgs } from "../../../components/aws/environment-key";
import { PROFILES } from "../../../components/baseline";

function args(overrides: Partial<EnvironmentKeyArgs> = {}): EnvironmentKeyArgs {
    return { project: "shop", env: "prod", accountId: ACCOUNT, region: REGION, ...overrides };
}

describe("EnvironmentKey", () => {
    beforeEach(resetResources);

    it("rotates, waits the profile's deletion window and is aliased alias/<project>-<env>", async () => {
        const key = new EnvironmentKey("prod-key", args());
        assert.equal(await valueOf(key.aliasName), "alias/shop-prod");
        assert.match(await valueOf(key.keyArn), new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/[0-9a-f-]{36}$`));
        await settled();
        const inputs = named("aws:kms/key:Key", "prod-key-key").inputs;
        assert.equal(inputs.enableKeyRotation, true);
        assert.equal(inputs.deletionWindowInDays, 30);
        assert.equal(inputs.deletionWindowInDays, PROFILES.prod.kmsDeletionWindowDays);
        assert.deepEqual(inputs.tags, { project: "shop", env: "prod" });
        const alias = named("aws:kms/alias:Alias", "prod-key-alias").inputs;
        assert.equal(alias.targetKeyId, await valueOf(key.keyId));
    });

    it("uses a shorter deletion window in dev, from the profile", async () => {
        new EnvironmentKey("dev-key", args({ env: "dev" }));
        await settled();
        assert.equal(
            named("aws:kms/key:Key", "dev-key-key").inputs.deletionWindowInDays,
            PROFILES.dev.kmsDeletionWindowDays,
        );
    });

    it("lets the account administer the key and use it only through Secrets Manager", async () => {
        new EnvironmentKey("prod-key", args());
        await settled();
        const policy = JSON.parse(named("aws:kms/key:Key", "prod-key-key").inputs.policy);
        const [admin, use] = policy.Statement;
        assert.deepEqual(admin.Principal, { AWS: [`arn:aws:iam::${ACCOUNT}:root`] });
        assert.ok(admin.Action.includes("kms:PutKeyPolicy") && admin.Action.includes("kms:ScheduleKeyDeletion"));
        assert.ok(
            !admin.Action.includes("kms:*") && !admin.Action.includes("kms:Decrypt"),
            "administration is not use",
        );
        assert.deepEqual(use.Condition, {
            StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
        });
        for (const statement of policy.Statement) {
            assert.notEqual(statement.Principal, "*");
            assert.notDeepEqual(statement.Principal, { AWS: "*" });
        }
    });

    it("parents its children", async () => {
        new EnvironmentKey("prod-key", args());
        await settled();
        for (const r of resources().filter((r) => r.custom))
            assert.equal(r.parentType, "k8s-baseline:index:EnvironmentKey");
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<EnvironmentKeyArgs>, RegExp][] = [
            ["an unknown env", { env: "uat" as never }, /env: "uat" is not a known environment/],
            [
                "an account that is not 12 digits",
                { accountId: "1234567890123" },
                /accountId: "1234567890123" is not an AWS account id/,
            ],
            [
                "no administrators",
                { administratorArns: [] },
                /administratorArns: is empty, which would leave the key unmanageable/,
            ],
            [
                "a wildcard administrator",
                { administratorArns: ["*"] },
                /administratorArns\[0\]: "\*" is not an account root or role ARN/,
            ],
            [
                "an administrator of another account",
                { administratorArns: ["arn:aws:iam::210987654321:role/admin"] },
                /is in another account/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new EnvironmentKey("key", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^EnvironmentKey "key": invalid arguments:/);
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
