/** The per-env pack config files are what the profiles and the stacks' configuration make them. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS } from "../../components/baseline";
import { stackNames } from "../../policy-pack/harness/paths";
import { CONFIG_DIR, packConfigFor, packConfigText } from "../../policy-pack/config/generate";
import { ALL_POLICIES } from "../../policy-pack/policies";
import { STACK_FILE_RULES } from "../../policy-pack/cli/stack-files";

/** The entries of the pack's policies in a config (the stack-file rules' entries set a level only). */
function packBlocks(config: ReturnType<typeof packConfigFor>) {
    const stackFileRules = new Set(STACK_FILE_RULES.map((rule) => rule.name));
    return Object.entries(config)
        .filter(([name]) => !stackFileRules.has(name))
        .map(([, block]) => block);
}

describe("policy-pack/config/<stack>.json", () => {
    for (const stack of stackNames()) {
        it(`${stack}.json is up to date (npm run pack-config regenerates it)`, () => {
            const file = path.join(CONFIG_DIR, `${stack}.json`);
            assert.equal(fs.readFileSync(file, "utf8"), packConfigText(stack));
        });
    }

    it("carries each stack's topology: dedicated for dev, stage and prod, shared for the shared layout's stacks", () => {
        for (const env of ENVIRONMENTS) {
            assert.deepEqual(packConfigFor(env)["workloads-approved-registries"].topology, {
                layout: "dedicated",
                namespaceLayout: "per-app",
                environments: [env],
                allowProdWithLowerEnvironments: false,
            });
        }
        const shared = {
            layout: "shared",
            namespaceLayout: "per-app",
            environments: ["dev", "stage"],
            allowProdWithLowerEnvironments: false,
        };
        for (const stack of ["shared-cluster", "shared-dev", "shared-stage"]) {
            for (const block of packBlocks(packConfigFor(stack))) assert.deepEqual(block.topology, shared, stack);
        }
        // A cluster stack belongs to no env: judged as prod, by prod's levels, and left alone by cross-env.
        const cluster = packConfigFor("shared-cluster");
        for (const block of Object.values(cluster)) assert.equal(block.env, undefined);
        assert.equal(
            cluster["workloads-probes"].enforcementLevel,
            packConfigFor("prod")["workloads-probes"].enforcementLevel,
        );
        assert.deepEqual(packConfigFor("shared-stage")["workloads-approved-registries"].apiAccessServiceAccounts, [
            "reports-stage/reports",
        ]);
    });

    it("configures every policy and stack-file rule, and nothing else", () => {
        const names = [...ALL_POLICIES, ...STACK_FILE_RULES].map((p) => p.name).sort();
        for (const stack of stackNames()) assert.deepEqual(Object.keys(packConfigFor(stack)).sort(), names, stack);
    });

    it("gives the stack-file rules the level each env's profile wants, and nothing but a level", () => {
        for (const stack of stackNames()) {
            const config = packConfigFor(stack);
            for (const rule of STACK_FILE_RULES) {
                // Every profile demands its own KMS key and no plaintext secret; the cluster stack is prod's.
                assert.deepEqual(config[rule.name], { enforcementLevel: "mandatory" }, `${stack} ${rule.name}`);
            }
        }
    });

    it("makes workload rules advisory where Kyverno audits, and restricted Pod Security advisory where only baseline is enforced", () => {
        const dev = packConfigFor("dev");
        const prod = packConfigFor("prod");
        assert.equal(dev["workloads-image-digest"].enforcementLevel, "advisory");
        assert.equal(dev["pod-security-restricted"].enforcementLevel, "advisory");
        assert.equal(dev["pod-security-baseline"].enforcementLevel, undefined);
        assert.equal(packConfigFor("stage")["pod-security-restricted"].enforcementLevel, undefined);
        for (const block of packBlocks(prod))
            assert.equal(block.enforcementLevel, undefined, "prod keeps every default");
    });

    it("carries the env, its registries and the API-calling ServiceAccounts", () => {
        const prod = packConfigFor("prod")["workloads-approved-registries"];
        assert.equal(prod.env, "prod");
        assert.deepEqual(prod.registries, ["333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/"]);
        assert.deepEqual(prod.apiAccessServiceAccounts, ["reports/reports"]);
    });
});
