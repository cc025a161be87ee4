/**
 * SARIF written by `k8s-baseline check --format sarif` and `npm run plan -- <stack> --format sarif`, validated
 * against the official OASIS SARIF 2.1.0 JSON schema (../shared/sarif, draft-04, so Ajv's draft-04 class),
 * formats included: findings with lines in multi-document files, unreadable inputs, the plan of a stack and
 * the plan of a program with findings.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { planSarif } from "../../policy-pack/harness/plan-report";
import { SARIF_SCHEMA } from "../../policy-pack/report/sarif";
import { REPO_ROOT, sharedPath } from "../shared";
import { BAD_ENV } from "./fixtures/bad-program";
import { badProgramVerdict } from "./harness/bad-verdict";

const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");
const PLAN = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");
const FIXTURES = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures");

interface Log {
    $schema: string;
    runs: { results: { locations: { physicalLocation?: { region?: { startLine: number } } }[] }[] }[];
}

describe("SARIF output against the SARIF 2.1.0 schema", function () {
    this.timeout(180_000);
    let validate: (log: unknown) => void;

    before(() => {
        const schema = JSON.parse(fs.readFileSync(sharedPath("sarif", "sarif-schema-2.1.0.json"), "utf8")) as {
            id: string;
        };
        assert.equal(schema.id, SARIF_SCHEMA, "the logs name the schema they are validated against");
        const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
        addFormats(ajv);
        const compiled = ajv.compile(schema);
        validate = (log) => {
            const valid = compiled(log);
            assert.ok(valid, JSON.stringify(compiled.errors?.slice(0, 10), null, 2));
        };
    });

    function check(...args: string[]): { status: number | null; log: Log } {
        const run = spawnSync(process.execPath, [CLI, "check", "--format", "sarif", ...args], {
            cwd: FIXTURES,
            encoding: "utf8",
        });
        return { status: run.status, log: JSON.parse(run.stdout) as Log };
    }

    it("refuses a log that breaks the schema, so that passing means something", () => {
        const { log } = check("privileged-pod.yaml");
        const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
        broken.runs[0].results[0].level = "fatal";
        assert.throws(() => validate(broken));
        const noUri = structuredClone(log) as unknown as { runs: { originalUriBaseIds: unknown }[] };
        noUri.runs[0].originalUriBaseIds = { "%SRCROOT%": { uri: "not a uri" } };
        assert.throws(() => validate(noUri));
    });

    it("validates check's log over a multi-document file, a folder and a List", () => {
        const { status, log } = check("multi-document.yaml", "tree", "mixed-pod.yaml", "pulumi-resources.json");
        assert.equal(status, 1);
        validate(log);
        const lines = log.runs[0].results.map((r) => r.locations[0].physicalLocation?.region?.startLine);
        assert.ok(
            lines.some((line) => line !== undefined && line > 20),
            "a finding deep in a multi-document file",
        );
    });

    it("validates check's log with unreadable inputs as notifications", () => {
        const { status, log } = check("unparseable.yaml", "not-kubernetes.yaml", "no-such-file.yaml", "no-manifests");
        assert.equal(status, 2);
        validate(log);
    });

    it("validates the plan's log of the prod stack, as the command writes it", () => {
        const run = spawnSync(process.execPath, [PLAN, "prod", "--format", "sarif"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        assert.ok(run.status === 0 || run.status === 1, run.stderr);
        validate(JSON.parse(run.stdout));
    });

    it("validates the plan's log of a program with findings at source lines", async () => {
        const verdict = await badProgramVerdict();
        const log = JSON.parse(
            planSarif(verdict, { stack: BAD_ENV, root: REPO_ROOT, configSource: "test", exitCode: 1 }),
        ) as Log;
        assert.ok(log.runs[0].results.length > 0);
        validate(log);
    });
});
