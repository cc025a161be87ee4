/** `npm run plan -- prod` prints the secrets plumbing's monthly estimate, from the stack's own figures. */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROFILES } from "../../../components/baseline";
import { formatUsd } from "../../../policy-pack/cost/estimate";
import { REPO_ROOT } from "../../shared";

describe("npm run plan: the cost of the secrets plumbing", function () {
    this.timeout(120_000);

    it("prices prod's three app secrets, its two keys and three hourly ExternalSecrets, against its budget", () => {
        const plan = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");
        const result = spawnSync(process.execPath, [plan, "prod"], { cwd: REPO_ROOT, encoding: "utf8" });
        assert.equal(result.status, 0, result.stdout + result.stderr);
        const section = result.stdout.slice(
            result.stdout.indexOf("Secrets plumbing of stack prod, estimated a month:"),
        );
        assert.ok(section.length > 0, result.stdout);
        assert.match(section, /Secrets Manager secrets: 3 secret-month x \$0\.40 = \$1\.20/);
        // The env key and the stack secrets key.
        assert.match(section, /KMS customer managed keys: 2 key-month x \$1\.00 = \$2\.00/);
        // 3 ExternalSecrets x 730 hourly refreshes x 1 key = 2190 calls, each a Decrypt under the env's key.
        assert.match(
            section,
            /Secrets Manager API calls \(External Secrets refreshes\): 2190 calls at \$0\.05 per 10,000/,
        );
        assert.match(section, /KMS requests \(Decrypt on each read\): 2190 requests at \$0\.03 per 10,000/);
        // $1.20 + $1.00 + 2190 x $0.05 / 10,000 + 2190 x $0.03 / 10,000 = $2.21752
        const budget = formatUsd(PROFILES.prod.secretsMonthlyBudgetUsd).replace("$", "\\$");
        assert.match(section, new RegExp(`total: \\$3\\.22 a month \\(budget ${budget}\\)`));
        assert.match(section, /prices of \d{4}-\d{2}-\d{2} .*; assumptions:/);
    });
});
