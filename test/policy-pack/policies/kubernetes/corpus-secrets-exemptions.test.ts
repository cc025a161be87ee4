/**
 * The hostile corpus of External Secrets and policy exceptions (test/corpus/external-secrets/ and
 * test/corpus/exemptions/), each case run through `k8s-baseline check` as a user runs it, with the verdict
 * its leading comments expect (test/corpus/README.md).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../../policy-pack/cli/index";
import { ALL_POLICIES } from "../../../../policy-pack/policies";
import { REPO_ROOT } from "../../../shared";

const CLASSES = ["external-secrets", "exemptions"];
const HEADER = /^# (expect|policies|env|why): (.*)$/;

interface Case {
    readonly file: string;
    readonly expect: string;
    readonly policies: string[];
    readonly env?: string;
}

function caseOf(file: string): Case {
    const fields: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = HEADER.exec(line);
        if (!match) break;
        fields[match[1]] = match[2].trim();
    }
    return {
        file,
        expect: fields.expect,
        policies: (fields.policies ?? "")
            .split(",")
            .map((p) => p.trim())
            .filter((p) => p.length > 0),
        env: fields.env,
    };
}

/** The mandatory violations anywhere in check's JSON report. */
function mandatoryPolicies(report: unknown): Set<string> {
    const found = new Set<string>();
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value !== null && typeof value === "object") {
            const v = value as Record<string, unknown>;
            if (typeof v.policy === "string" && v.level === "mandatory") found.add(v.policy);
            Object.values(v).forEach(walk);
        }
    };
    walk(report);
    return found;
}

for (const name of CLASSES) {
    const dir = path.join(REPO_ROOT, "test", "corpus", name);
    const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort();
    describe(`corpus ${name}`, () => {
        it("has deny and allow cases, each naming its verdict", () => {
            const cases = files.map((f) => caseOf(path.join(dir, f)));
            assert.ok(cases.some((c) => c.expect === "deny"));
            assert.ok(cases.some((c) => c.expect === "allow"));
            for (const c of cases) {
                assert.ok(c.expect === "deny" || c.expect === "allow", c.file);
                if (c.expect === "deny") assert.ok(c.policies.length > 0, `${c.file} names no policy`);
            }
        });

        for (const file of files) {
            it(`${file}`, async () => {
                const c = caseOf(path.join(dir, file));
                let stdout = "";
                const out = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stdout += t) };
                const args = ["check", "--format", "json", ...(c.env ? ["--env", c.env] : []), c.file];
                const code = await main(args, out, ALL_POLICIES);
                const found = mandatoryPolicies(JSON.parse(stdout));
                if (c.expect === "allow") {
                    assert.equal(code, 0, `mandatory: ${[...found].join(", ")}`);
                } else {
                    assert.equal(code, 1);
                    for (const policy of c.policies) assert.ok(found.has(policy), `${policy} did not refuse it`);
                }
            });
        }
    });
}
