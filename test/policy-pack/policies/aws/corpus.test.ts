/**
 * The AWS cases of the hostile corpus (test/corpus/aws), each judged as `check` judges it: every resource
 * through the resource policies, the list through the stack policies, with the case's env.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkResource, checkStack } from "../../../../policy-pack/engine";
import { ALL_POLICIES } from "../../../../policy-pack/policies";
import { EnforcementLevel, PolicyResource } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";

const DIR = path.join(__dirname, "..", "..", "..", "..", "..", "test", "corpus", "aws");

interface Case {
    readonly expect: "deny" | "allow";
    readonly policies?: readonly string[];
    readonly env?: string;
    readonly why: string;
    readonly resources: readonly PolicyResource[];
}

describe("the aws corpus", () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));

    it("has at least 30 cases, deny and allow", () => {
        const cases = files.map((f) => JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8")) as Case);
        assert.ok(cases.length >= 30);
        assert.ok(cases.some((c) => c.expect === "allow") && cases.some((c) => c.expect === "deny"));
    });

    for (const file of files) {
        const c = JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Case;
        it(`${file}: ${c.expect} (${c.why})`, () => {
            const settings = settingsFrom(c.env ? { env: c.env } : {}, new Date(), false);
            const found = [
                ...c.resources.flatMap((r) => checkResource(r, ALL_POLICIES, settings)),
                ...checkStack(c.resources, ALL_POLICIES, settings),
            ].filter((v) => v.level === EnforcementLevel.Mandatory);
            const names = new Set(found.map((v) => v.policy));
            if (c.expect === "allow") assert.deepEqual(found, []);
            else {
                assert.ok(found.length > 0, "no mandatory violation");
                for (const policy of c.policies ?? []) assert.ok(names.has(policy), `${policy} did not refuse it`);
            }
        });
    }
});
