/**
 * The network cases of the hostile corpus (test/corpus/network), each through `k8s-baseline check` as a
 * user runs it, with the verdict its header expects (format in test/corpus/README.md).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../policy-pack/cli/index";
import { REPO_ROOT } from "../shared";

const DIR = path.join(REPO_ROOT, "test", "corpus", "network");

interface Case {
    readonly expect: "deny" | "allow";
    readonly policies: string[];
    readonly env?: string;
}

/** The verdict a case expects: a YAML file's leading comments, or a JSON file's fields. */
function caseOf(file: string): Case {
    const text = fs.readFileSync(file, "utf8");
    if (file.endsWith(".json")) {
        const json = JSON.parse(text) as { expect: Case["expect"]; policies?: string[]; env?: string };
        return { expect: json.expect, policies: json.policies ?? [], env: json.env };
    }
    const header = new Map<string, string>();
    for (const line of text.split("\n")) {
        if (!line.startsWith("# ")) break;
        const colon = line.indexOf(":");
        header.set(line.slice(2, colon).trim(), line.slice(colon + 1).trim());
    }
    const policies = (header.get("policies") ?? "").split(",").map((p) => p.trim());
    return {
        expect: header.get("expect") as Case["expect"],
        policies: policies.filter((p) => p.length > 0),
        env: header.get("env"),
    };
}

describe("hostile corpus: network", () => {
    const files = fs.readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f));

    it("has deny and allow cases", () => {
        const cases = files.map((f) => caseOf(path.join(DIR, f)));
        assert.ok(cases.filter((c) => c.expect === "deny").length >= 15);
        assert.ok(cases.filter((c) => c.expect === "allow").length >= 5);
    });

    for (const file of files) {
        it(file, async () => {
            const full = path.join(DIR, file);
            const expected = caseOf(full);
            assert.ok(expected.expect === "deny" || expected.expect === "allow", "expect: deny or allow");
            let stdout = "";
            const argv = ["check", "--format", "json", full, ...(expected.env ? ["--env", expected.env] : [])];
            await main(argv, { stdout: (t) => (stdout += t), stderr: () => {} });
            const report = JSON.parse(stdout) as {
                results: { violations: { policy: string; level: string; message: string }[] }[];
            };
            const mandatory = report.results.flatMap((r) => r.violations).filter((v) => v.level === "mandatory");
            if (expected.expect === "allow") {
                assert.deepEqual(mandatory, []);
            } else {
                assert.ok(expected.policies.length > 0, "a deny case names its policies");
                const refusing = new Set(mandatory.map((v) => v.policy));
                for (const policy of expected.policies) {
                    assert.ok(refusing.has(policy), `${policy} refuses it; got ${JSON.stringify(mandatory)}`);
                }
            }
        });
    }
});
