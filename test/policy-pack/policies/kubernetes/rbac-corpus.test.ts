/**
 * The RBAC class of the hostile corpus (test/corpus/rbac), run through `k8s-baseline check` as a user runs
 * it: each file's verdict and, for a deny, every policy it names must refuse it at the mandatory level.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../../policy-pack/cli";

const CORPUS = path.resolve(__dirname, "..", "..", "..", "..", "..", "test", "corpus", "rbac");

interface Case {
    readonly file: string;
    readonly expect: "deny" | "allow";
    readonly policies: readonly string[];
    readonly env?: string;
}

/** The leading `# key: value` comments of a YAML case. */
function readCase(file: string): Case {
    const header = new Map<string, string>();
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = /^#\s*(\w+):\s*(.*)$/.exec(line);
        if (!match) break;
        header.set(match[1], match[2].trim());
    }
    const expect = header.get("expect");
    if (expect !== "deny" && expect !== "allow") throw new Error(`${file}: expect must be deny or allow`);
    const policies = (header.get("policies") ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p.length > 0);
    if (expect === "deny" && policies.length === 0) throw new Error(`${file}: a deny case names its policies`);
    if (!header.get("why")) throw new Error(`${file}: a case says why`);
    return { file, expect, policies, env: header.get("env") };
}

async function mandatoryPolicies(c: Case): Promise<{ policies: Set<string>; messages: string[] }> {
    let stdout = "";
    const argv = ["check", "--format", "json", ...(c.env ? ["--env", c.env] : []), c.file];
    await main(argv, { stdout: (t) => (stdout += t), stderr: () => undefined });
    const report = JSON.parse(stdout) as {
        results: { violations: { policy: string; level: string; message: string }[] }[];
    };
    const mandatory = report.results.flatMap((r) => r.violations).filter((v) => v.level === "mandatory");
    return {
        policies: new Set(mandatory.map((v) => v.policy)),
        messages: mandatory.map((v) => `${v.policy}: ${v.message}`),
    };
}

describe("the RBAC hostile corpus through check", () => {
    const files = fs
        .readdirSync(CORPUS)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(CORPUS, f));

    it("has at least 25 cases, deny and allow", () => {
        const cases = files.map(readCase);
        assert.ok(cases.length >= 25, `${cases.length} cases`);
        assert.ok(cases.some((c) => c.expect === "allow"));
        assert.ok(cases.some((c) => c.expect === "deny"));
    });

    for (const file of files) {
        it(path.basename(file), async () => {
            const c = readCase(file);
            const { policies, messages } = await mandatoryPolicies(c);
            if (c.expect === "allow") {
                assert.deepEqual(messages, []);
            } else {
                for (const policy of c.policies) assert.ok(policies.has(policy), `${policy} in ${messages.join("\n")}`);
            }
        });
    }
});
