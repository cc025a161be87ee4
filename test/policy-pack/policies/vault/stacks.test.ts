/** The dev, stage and prod platform stacks, run under mocks, through the `vault` policies: zero violations. */
import * as assert from "node:assert/strict";
import { settingsFrom } from "../../../../policy-pack/settings";
import { VAULT_KUBERNETES_AUTH_ROLE, VAULT_POLICY, vaultPolicies } from "../../../../policy-pack/policies/vault";
import { platformResources, STACKS, stackValues, stackViolations } from "../aws/platform-stacks";

for (const stack of STACKS) {
    describe(`vault policies on the ${stack} stack`, function () {
        this.timeout(60_000);

        it("report nothing, with the env from the pack's config or from each URN", async () => {
            assert.deepEqual(await stackViolations(stack, vaultPolicies), []);
            assert.deepEqual(await stackViolations(stack, vaultPolicies, settingsFrom({})), []);
        });

        it("judge a policy and a role per app that reads secrets, when the stack uses Vault", async () => {
            const all = await platformResources(stack);
            const values = stackValues(stack) as { secretBackend?: string; apps: { secrets?: unknown[] }[] };
            const apps =
                values.secretBackend === "vault" ? values.apps.filter((a) => (a.secrets ?? []).length > 0).length : 0;
            assert.equal(all.filter((r) => r.type === VAULT_POLICY).length, apps);
            assert.equal(all.filter((r) => r.type === VAULT_KUBERNETES_AUTH_ROLE).length, apps);
        });
    });
}
