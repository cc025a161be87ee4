/**
 * The dev, stage and prod platform stacks, run under mocks, through the `cross-env` policies: each names only
 * its own env; and judged as another env, each is caught naming its own.
 */
import * as assert from "node:assert/strict";
import { ENVIRONMENTS } from "../../../../components/baseline";
import { crossEnvPolicies } from "../../../../policy-pack/policies/cross-env";
import { settingsFrom } from "../../../../policy-pack/settings";
import { platformResources, STACKS, stackViolations } from "../aws/platform-stacks";

for (const stack of STACKS) {
    describe(`cross-env policies on the ${stack} stack`, function () {
        this.timeout(60_000);

        it("report nothing, with the env from the pack's config", async () => {
            assert.deepEqual(await stackViolations(stack, crossEnvPolicies), []);
        });

        it("report nothing, with the env from the stack name in each URN", async () => {
            assert.deepEqual(await stackViolations(stack, crossEnvPolicies, settingsFrom({})), []);
        });

        it("catch the stack deployed as another env: its key alias, secrets, roles and Vault paths name its own", async () => {
            const all = await platformResources(stack);
            for (const other of ENVIRONMENTS.filter((env) => env !== stack)) {
                const found = await stackViolations(stack, crossEnvPolicies, settingsFrom({ env: other }));
                const types = new Set(found.map((v) => v.message.split(" ")[0]));
                assert.ok(types.has("aws:kms/alias:Alias"), `${stack} as ${other}`);
                assert.ok(types.has("aws:iam/role:Role") && types.has("aws:iam/rolePolicy:RolePolicy"));
                if (all.some((r) => r.type === "aws:secretsmanager/secret:Secret")) {
                    assert.ok(types.has("aws:secretsmanager/secret:Secret"));
                }
                if (all.some((r) => r.type === "vault:index/policy:Policy")) {
                    assert.ok(types.has("vault:index/policy:Policy") && types.has("ExternalSecret"));
                }
                assert.ok(
                    found.every(
                        (v) =>
                            v.message.includes(`names ${stack} from the ${other} environment`) ||
                            v.message.includes(`is ${stack}, but`),
                    ),
                );
            }
        });
    });
}
