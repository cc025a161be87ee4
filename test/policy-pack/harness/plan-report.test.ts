/**
 * `npm run plan -- <stack> --format json|sarif`: its arguments, where each finding is located (the URN, and
 * the TypeScript line of the program that constructed the resource), fingerprints by URN, and the command.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parsePlanArgs } from "../../../policy-pack/harness/plan-args";
import { planJson, planSarif, programPosition, stackFile } from "../../../policy-pack/harness/plan-report";
import { PackVerdict } from "../../../policy-pack/harness/resources";
import { FINGERPRINT_KEY } from "../../../policy-pack/report/sarif";
import { REPO_ROOT } from "../../shared";
import { BAD, BAD_ENV } from "../fixtures/bad-program";
import { badProgramVerdict } from "./bad-verdict";

interface Result {
    ruleId: string;
    ruleIndex: number;
    level: string;
    locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
        logicalLocations: { name: string; kind: string; fullyQualifiedName: string }[];
    }[];
    partialFingerprints: Record<string, string>;
}
interface Log {
    runs: { tool: { driver: { rules: { id: string }[] } }; results: Result[]; properties: { stack: string } }[];
}

const BAD_PROGRAM = "test/policy-pack/fixtures/bad-program.ts";
const context = { stack: BAD_ENV, root: REPO_ROOT, configSource: "test config", exitCode: 1 };

/** The 1-based line of the first line of the bad program that contains `text`. */
function programLine(text: string): number {
    const lines = fs.readFileSync(path.join(REPO_ROOT, BAD_PROGRAM), "utf8").split("\n");
    const index = lines.findIndex((line) => line.includes(text));
    assert.ok(index >= 0, text);
    return index + 1;
}

describe("plan arguments", () => {
    let stacks: string;
    before(() => {
        stacks = fs.mkdtempSync(path.join(os.tmpdir(), "plan-args-"));
        for (const stack of ["dev", "prod"])
            fs.writeFileSync(path.join(stacks, `Pulumi.${stack}.yaml`), "config: {}\n");
    });
    after(() => fs.rmSync(stacks, { recursive: true, force: true }));
    it("takes a stack, a format and an output file, in any order", () => {
        assert.deepEqual(parsePlanArgs(["prod"], stacks), { stack: "prod", format: "text", output: undefined });
        assert.deepEqual(parsePlanArgs(["--format", "sarif", "dev", "--output", "out.sarif"], stacks), {
            stack: "dev",
            format: "sarif",
            output: "out.sarif",
        });
        assert.deepEqual(parsePlanArgs(["dev", "--format=json"], stacks), {
            stack: "dev",
            format: "json",
            output: undefined,
        });
    });

    it("refuses what it does not know", () => {
        const error = (argv: string[]) => {
            const parsed = parsePlanArgs(argv, stacks);
            assert.ok("error" in parsed, JSON.stringify(parsed));
            return parsed.error;
        };
        assert.match(error([]), /^no stack given; stacks: dev, prod$/);
        assert.match(error(["qa"]), /^no stack file .*Pulumi\.qa\.yaml; stacks: dev, prod$/);
        assert.match(error(["dev", "prod"]), /^one stack at a time/);
        assert.match(error(["dev", "--format", "xml"]), /--format must be one of text, json, sarif/);
        assert.match(error(["dev", "--format"]), /--format needs a value/);
        assert.match(error(["dev", "--output", "x.json"]), /--output is for --format json or sarif/);
        assert.match(error(["dev", "--verbose"]), /unknown option/);
    });
});

describe("plan source positions", () => {
    it("maps compiled JavaScript to its TypeScript line, and keeps only the repository's own files", () => {
        const js = path.join(REPO_ROOT, "dist", "test", "policy-pack", "fixtures", "bad-program.js");
        const jsLines = fs.readFileSync(js, "utf8").split("\n");
        const index = jsLines.findIndex((line) => line.includes("new k8s.core.v1.Pod("));
        assert.ok(index >= 0);
        const column = jsLines[index].indexOf("new") + 1;
        const position = { uri: pathToFileURL(js).href, line: index + 1, column };
        assert.deepEqual(programPosition(position, REPO_ROOT), {
            path: BAD_PROGRAM,
            line: programLine("new k8s.core.v1.Pod(BAD.privilegedPod"),
        });
        const library = pathToFileURL(path.join(REPO_ROOT, "node_modules", "@pulumi", "kubernetes", "index.js")).href;
        assert.equal(programPosition({ uri: library, line: 1, column: 1 }, REPO_ROOT), undefined);
        assert.equal(
            programPosition({ uri: "file:///elsewhere/program.ts", line: 3, column: 1 }, REPO_ROOT),
            undefined,
        );
        assert.equal(programPosition({ uri: "https://example.com/x.ts", line: 3, column: 1 }, REPO_ROOT), undefined);
        assert.equal(programPosition(undefined, REPO_ROOT), undefined);
    });
});

describe("plan --format sarif on the bad program's verdict", function () {
    this.timeout(120_000);
    let verdict: PackVerdict;
    let log: Log;

    before(async () => {
        verdict = await badProgramVerdict();
        log = JSON.parse(planSarif(verdict, context)) as Log;
    });

    const about = (name: string) => log.runs[0].results.filter((r) => r.locations[0].logicalLocations[0].name === name);

    it("locates each finding at its resource's URN and the program line that constructed it", () => {
        const pod = verdict.resources.find((r) => r.name === BAD.privilegedPod)!;
        const results = about(BAD.privilegedPod);
        assert.deepEqual([...new Set(results.map((r) => r.ruleId))].sort(), [
            "pod-security-baseline",
            "pod-security-restricted",
        ]);
        const line = programLine("new k8s.core.v1.Pod(BAD.privilegedPod");
        for (const result of results) {
            const [location] = result.locations;
            assert.equal(location.physicalLocation.artifactLocation.uri, BAD_PROGRAM);
            assert.equal(location.physicalLocation.region?.startLine, line);
            assert.deepEqual(location.logicalLocations, [
                { name: pod.name, kind: "kubernetes:core/v1:Pod", fullyQualifiedName: pod.urn },
            ]);
            assert.equal(result.level, "error");
        }
        const policy = about(BAD.adminIamPolicy);
        assert.ok(policy.length > 0);
        for (const result of policy) {
            assert.equal(
                result.locations[0].physicalLocation.region?.startLine,
                programLine("new aws.iam.Policy(BAD.adminIamPolicy"),
            );
        }
    });

    it("has a result per diagnostic, each with its rule's index, and one rule per policy of the pack", () => {
        const { rules } = log.runs[0].tool.driver;
        assert.deepEqual(
            rules.map((rule) => rule.id),
            verdict.info.policies.map((policy) => policy.name),
        );
        assert.equal(log.runs[0].results.length, verdict.diagnostics.length);
        for (const result of log.runs[0].results) assert.equal(rules[result.ruleIndex].id, result.ruleId);
        assert.equal(log.runs[0].properties.stack, BAD_ENV);
    });

    it("falls back to the stack file where no position is known, and fingerprints by URN, not by line", () => {
        const moved: PackVerdict = {
            ...verdict,
            resources: verdict.resources.map((resource) =>
                resource.name === BAD.privilegedPod
                    ? { ...resource, sourcePosition: undefined }
                    : resource.sourcePosition === undefined
                      ? resource
                      : { ...resource, sourcePosition: { ...resource.sourcePosition, line: 1 } },
            ),
        };
        const after = JSON.parse(planSarif(moved, context)) as Log;
        const prints = (results: Result[]) => results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
        assert.deepEqual(prints(after.runs[0].results), prints(log.runs[0].results));
        const pod = after.runs[0].results.filter((r) => r.locations[0].logicalLocations[0].name === BAD.privilegedPod);
        assert.ok(pod.length > 0);
        for (const result of pod) {
            assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, stackFile(BAD_ENV));
            assert.equal(result.locations[0].physicalLocation.region, undefined);
        }
    });

    it("writes the same findings as JSON, with their resource and source", () => {
        const document = JSON.parse(planJson(verdict, context)) as {
            stack: string;
            diagnostics: { policy: string; urn: string; name: string | null; source: { file: string } | null }[];
            summary: { mandatory: number; advisory: number };
        };
        assert.equal(document.stack, BAD_ENV);
        assert.equal(document.diagnostics.length, verdict.diagnostics.length);
        const mandatory = verdict.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
        assert.ok(mandatory > 0);
        assert.equal(document.summary.mandatory, mandatory);
        const pod = document.diagnostics.filter((d) => d.name === BAD.privilegedPod);
        assert.ok(pod.length > 0 && pod.every((d) => d.source?.file === BAD_PROGRAM));
    });
});

describe("npm run plan --format", function () {
    this.timeout(120_000);
    const PLAN = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");

    it("writes the SARIF document to --output and still prints the text verdict, with the same exit status", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-plan-"));
        try {
            const output = path.join(dir, "plan.sarif");
            const result = spawnSync(process.execPath, [PLAN, "dev", "--format", "sarif", "--output", output], {
                cwd: REPO_ROOT,
                encoding: "utf8",
            });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^Summary: stack dev: .* PASS$/m);
            const written = JSON.parse(fs.readFileSync(output, "utf8")) as Log & { version: string };
            assert.equal(written.version, "2.1.0");
            assert.equal(written.runs[0].properties.stack, "dev");
            assert.ok(written.runs[0].tool.driver.rules.length > 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits 2 on a bad format before running anything", () => {
        const result = spawnSync(process.execPath, [PLAN, "dev", "--format", "xml"], { encoding: "utf8" });
        assert.equal(result.status, 2);
        assert.match(result.stderr, /--format must be one of/);
    });
});
