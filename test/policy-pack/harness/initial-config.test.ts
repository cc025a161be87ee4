/**
 * A pack's initial config and `--policy-pack-config` keys that name no policy (`all`, as awsguard's initial
 * config has): reconciled as the Pulumi CLI does (pkg/resource/analyzer/config.go, applyConfig). `all` gives
 * its level to every entry reconciled so far, then stays an entry of its own; a key that names no policy is
 * kept, is not validated against any schema, and goes to Configure with the rest, so one without a level
 * fails there as the CLI's Configure does. The pack's SDK reads only its policies' names from what Configure
 * sends.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    AnalyzerDescription,
    PolicyDescription,
    reconcilePolicyConfig,
} from "../../../policy-pack/harness/analyzer-client";
import { REPO_ROOT } from "../../../policy-pack/harness/paths";
import { connectPack } from "../../../policy-pack/harness/resources";
import { launchPack } from "../../../policy-pack/harness/spawn";

function policy(
    name: string,
    enforcementLevel: PolicyDescription["enforcementLevel"],
    schema?: object,
): PolicyDescription {
    return {
        name,
        enforcementLevel,
        description: name,
        policyType: "resource",
        ...(schema ? { configSchema: { properties: schema as Record<string, object>, required: [] } } : {}),
    } as unknown as PolicyDescription;
}

const POLICIES = [
    policy("one", "mandatory"),
    policy("two", "advisory", { limit: { type: "number", default: 1 } }),
    policy("three", "disabled"),
];

function described(initialConfig: AnalyzerDescription["initialConfig"]): AnalyzerDescription {
    return { name: "guard", version: "0.0.1", supportsConfig: true, policies: POLICIES, initialConfig };
}

describe("a pack's config keys that name no policy, reconciled as the Pulumi CLI does", () => {
    it("an initial `all` gives every policy its level, and is passed on as an entry of its own", () => {
        const info = described({
            all: { enforcementLevel: "advisory" },
            two: { enforcementLevel: "mandatory", properties: { limit: 2 } },
        });
        assert.deepEqual(reconcilePolicyConfig(info), {
            all: { enforcementLevel: "advisory", properties: undefined },
            one: { enforcementLevel: "advisory", properties: undefined },
            two: { enforcementLevel: "mandatory", properties: { limit: 2 } },
            three: { enforcementLevel: "advisory", properties: undefined },
        });
    });

    it("the given config's `all` then overrides every entry, the initial ones that name no policy included", () => {
        const info = described({
            all: { enforcementLevel: "advisory" },
            grouped: { enforcementLevel: "advisory", properties: { note: "kept" } },
            two: { enforcementLevel: "mandatory", properties: { limit: 2 } },
        });
        assert.deepEqual(reconcilePolicyConfig(info, { all: "disabled", one: "mandatory" }), {
            all: { enforcementLevel: "disabled", properties: undefined },
            grouped: { enforcementLevel: "disabled", properties: { note: "kept" } },
            one: { enforcementLevel: "mandatory", properties: undefined },
            two: { enforcementLevel: "disabled", properties: { limit: 2 } },
            three: { enforcementLevel: "disabled", properties: undefined },
        });
    });

    it("validates the policies' properties only, not those of keys that name no policy", () => {
        const info = described({ grouped: { enforcementLevel: "advisory", properties: { limit: "many" } } });
        assert.deepEqual(reconcilePolicyConfig(info).grouped, {
            enforcementLevel: "advisory",
            properties: { limit: "many" },
        });
        assert.throws(
            () => reconcilePolicyConfig(info, { two: { limit: "many" } }),
            /invalid policy pack config:\n {2}two: \/limit must be number/,
        );
    });

    it("refuses a key that names no policy and has no level, as the CLI's Configure does", () => {
        assert.throws(
            () => reconcilePolicyConfig(described({}), { stray: { limit: 3 } }),
            /invalid enforcement level "" for policy stray/,
        );
        // `all` is such a key too: with properties but no level, the CLI's Configure refuses it as well.
        assert.throws(
            () => reconcilePolicyConfig(described({}), { all: { limit: 3 }, one: "advisory" }),
            /invalid enforcement level "" for policy all/,
        );
    });
});

describe("an initial `all` over the analyzer protocol", function () {
    this.timeout(60_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-initial-config-"));
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: initial config\n");
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({ name: "initial-config", version: "0.1.0", main: "index.js" }),
        );
        fs.writeFileSync(
            path.join(dir, "index.js"),
            [
                `const { PolicyPack } = require("@pulumi/policy");`,
                `const report = (name) => ({ name, description: name, enforcementLevel: "mandatory",`,
                `    validateResource: (args, violation) => violation(JSON.stringify(args.getConfig())) });`,
                `new PolicyPack("guard", { policies: [report("one"), report("two")] }, { all: "advisory" });`,
                "",
            ].join("\n"),
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("is described, reconciled, sent through Configure and applied to every policy", async () => {
        const launched = await launchPack({ packDir: dir });
        const pack = await connectPack(await launched.ready, dir);
        try {
            const info = await pack.session.getAnalyzerInfo();
            assert.deepEqual(
                info.policies.map((p) => [p.name, p.enforcementLevel]),
                [
                    ["one", "mandatory"],
                    ["two", "mandatory"],
                ],
            );
            assert.deepEqual(Object.keys(info.initialConfig), ["all"]);
            assert.equal(info.initialConfig.all.enforcementLevel, "advisory");

            const resource = {
                urn: "urn:pulumi:dev::p::test:index:Thing::thing",
                type: "test:index:Thing",
                name: "thing",
                properties: {},
                options: {},
            };
            const levels = async (given: Parameters<typeof reconcilePolicyConfig>[1]) => {
                await pack.session.configure(reconcilePolicyConfig(info, given));
                const diagnostics = await pack.session.analyze(resource);
                return diagnostics.map((d) => [d.policyName, d.enforcementLevel]).sort();
            };
            assert.deepEqual(await levels({}), [
                ["one", "advisory"],
                ["two", "advisory"],
            ]);
            assert.deepEqual(await levels({ all: "mandatory", two: "disabled" }), [["one", "mandatory"]]);
        } finally {
            await pack.stop();
        }
    });
});
