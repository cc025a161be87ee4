/**
 * The hostile corpus (README.md): every case under test/corpus through `k8s-baseline check` in this process
 * (the CLI's own code path, `--format json`), each class folder once through the compiled binary to prove
 * that path gives the same report, and every JSON case through one spawned pack over the analyzer protocol,
 * whose verdict must be the expected one and check's.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pack, startPack } from "../../policy-pack/harness/resources";
import { REPO_ROOT } from "../shared";
import {
    caseFiles,
    caseRecords,
    checkCase,
    classOf,
    CORPUS_DIR,
    CorpusCase,
    judgeCase,
    MalformedCase,
    Outcome,
    packCase,
    readCase,
    runCli,
    verdictOf,
    verdictProblem,
} from "./corpus";

const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");
const FILES = caseFiles([CORPUS_DIR]);
const relative = (file: string) => path.relative(CORPUS_DIR, file);

/** The case, or the test fails naming what is malformed. */
function caseOf(file: string): CorpusCase {
    return readCase(file);
}

/** The classes of attack the corpus must cover, a folder each. */
const CLASSES = [
    "rbac",
    "aws",
    "external-secrets",
    "network",
    "exemptions",
    "workloads",
    "admission",
    "services",
    "cross-env",
];

describe("hostile corpus", function () {
    this.timeout(180_000);
    const checked = new Map<string, Outcome>();

    it("has cases, each a file under a class folder", () => {
        assert.ok(FILES.length > 0, `no cases under ${CORPUS_DIR}`);
        for (const file of FILES) assert.notEqual(path.dirname(file), CORPUS_DIR, `${relative(file)}: not in a class`);
    });

    it("covers every class of attack with deny and allow cases", () => {
        for (const name of CLASSES) {
            const cases = FILES.filter((file) => path.relative(CORPUS_DIR, file).split(path.sep)[0] === name);
            const verdicts = new Set(cases.map((file) => caseOf(file).expect));
            assert.ok(
                verdicts.has("deny") && verdicts.has("allow"),
                `${name}/: ${cases.length} cases, ${[...verdicts]}`,
            );
        }
        assert.ok(FILES.length >= 100, `${FILES.length} cases`);
    });

    describe("through check", () => {
        for (const file of FILES) {
            it(relative(file), async () => {
                const corpusCase = caseOf(file);
                const outcome = await checkCase(corpusCase);
                checked.set(file, outcome);
                const problem = verdictProblem(corpusCase, outcome);
                assert.equal(problem, undefined, `${relative(file)}: ${problem} (why: ${corpusCase.why ?? "-"})`);
            });
        }
    });

    describe("through the compiled check, one run per class folder", () => {
        const classes = new Map<string, string[]>();
        for (const file of FILES) classes.set(classOf(file), [...(classes.get(classOf(file)) ?? []), file]);
        for (const [name, files] of classes) {
            it(`${name}/: the binary's report is the in-process one`, async () => {
                const folder = path.join(CORPUS_DIR, name);
                // The folder is searched for YAML; JSON files are read when named, as check documents.
                const json = files
                    .filter((file) => /\.json$/i.test(file))
                    .map((file) => path.relative(REPO_ROOT, file));
                const hasYaml = files.some((file) => !/\.json$/i.test(file));
                const args = [
                    "check",
                    "--format",
                    "json",
                    ...(hasYaml ? [path.relative(REPO_ROOT, folder)] : []),
                    ...json,
                ];
                const spawned = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
                if (spawned.error) throw spawned.error;
                const cwd = process.cwd();
                let inProcess: Awaited<ReturnType<typeof runCli>>;
                try {
                    process.chdir(REPO_ROOT);
                    inProcess = await runCli(args);
                } finally {
                    process.chdir(cwd);
                }
                assert.ok(spawned.status === 0 || spawned.status === 1, `exit ${spawned.status}: ${spawned.stderr}`);
                assert.equal(spawned.status, inProcess.code);
                assert.equal(spawned.stdout, inProcess.stdout);
                const report = JSON.parse(spawned.stdout) as { summary: { resources: number; mandatory: number } };
                assert.ok(report.summary.resources >= files.length, JSON.stringify(report.summary));
                // A class with a deny case judged as prod has at least one mandatory violation in it.
                const denies = files.map(readCase).filter((c) => c.expect === "deny" && c.env === undefined);
                if (denies.length > 0) assert.equal(spawned.status, 1);
            });
        }
    });

    describe("JSON cases through the pack over the analyzer protocol", () => {
        const jsonFiles = FILES.filter((file) => /\.json$/i.test(file));
        let pack: Pack | undefined;

        before(async () => {
            // The AWS cases are JSON: a corpus without any would leave the pack's protocol path untested.
            assert.ok(jsonFiles.length > 0, `no JSON cases under ${CORPUS_DIR}`);
            pack = await startPack();
        });

        after(async () => {
            await pack?.stop();
        });

        for (const file of jsonFiles) {
            it(relative(file), async () => {
                const corpusCase = caseOf(file);
                const outcome = await packCase(pack!, corpusCase);
                const problem = verdictProblem(corpusCase, outcome);
                assert.equal(problem, undefined, `${relative(file)}: pack: ${problem}`);
                const viaCheck = checked.get(file) ?? (await checkCase(corpusCase));
                assert.equal(
                    verdictOf(outcome),
                    verdictOf(viaCheck),
                    `pack [${[...outcome.mandatory].sort()}], check [${[...viaCheck.mandatory].sort()}]`,
                );
            });
        }

        it("builds URNs as the engine does, the case's own URNs aside", () => {
            const corpusCase: CorpusCase = {
                file: "x.json",
                format: "json",
                expect: "allow",
                policies: [],
                resources: [
                    { type: "k8s-baseline:index:App", name: "app", urn: "urn:pulumi:dev::evil::Forged::app" },
                    { type: "kubernetes:core/v1:ConfigMap", name: "cm", parent: "app" },
                ],
            };
            const records = caseRecords(corpusCase);
            assert.equal(records[0].custom, false);
            assert.equal(records[1].custom, true);
            assert.equal(records[1].parent, records[0].urn);
            assert.ok(!records.some((record) => record.urn?.startsWith("urn:pulumi:")));
        });
    });

    describe("malformed cases fail", () => {
        let dir: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        const write = (name: string, text: string) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            return file;
        };
        const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: payments\n";

        for (const [name, text, pattern] of [
            ["no-expect.yaml", `# why: nothing\n${manifest}`, /no "expect"/],
            ["bad-expect.yaml", `# expect: maybe\n${manifest}`, /not deny or allow/],
            ["deny-without-policies.yaml", `# expect: deny\n${manifest}`, /names the policies/],
            ["unknown-policy.yaml", `# expect: deny\n# policies: no-such-policy\n${manifest}`, /unknown policy/],
            ["unknown-env.yaml", `# expect: allow\n# env: qa\n${manifest}`, /not one of dev, stage, prod/],
            [
                "topology-without-env.yaml",
                `# expect: allow\n# topology: {"layout": "shared", "environments": ["dev"]}\n${manifest}`,
                /names its "env"/,
            ],
            [
                "bad-topology.yaml",
                `# expect: allow\n# env: dev\n# topology: {"layout": "mixed", "environments": ["dev"]}\n${manifest}`,
                /not one the pack config takes/,
            ],
            ["config-not-json.yaml", `# expect: allow\n# config: {advisory}\n${manifest}`, /"config" is not JSON/],
            [
                "config-unknown-policy.yaml",
                `# expect: allow\n# config: {"stack-secret-provider": "advisory"}\n${manifest}`,
                /"config" names no policy: stack-secret-provider/,
            ],
            ["config-list.yaml", `# expect: allow\n# config: ["advisory"]\n${manifest}`, /"config" is an object/],
            ["json-no-expect.json", `{"resources": [{"type": "t", "name": "n"}]}`, /no "expect"/],
            [
                "json-deny-no-policies.json",
                `{"expect": "deny", "resources": [{"type": "t", "name": "n"}]}`,
                /names the policies/,
            ],
            ["json-no-resources.json", `{"expect": "allow", "resources": []}`, /non-empty list/],
            [
                "json-unknown-policy.json",
                `{"expect": "deny", "policies": ["x"], "resources": [{"type": "t", "name": "n"}]}`,
                /unknown policy/,
            ],
        ] as const) {
            it(name, async () => {
                const file = write(name, text);
                assert.throws(
                    () => readCase(file),
                    (error: Error) => error instanceof MalformedCase && pattern.test(error.message),
                );
                const result = await judgeCase(file, undefined);
                assert.equal(result.problems.length, 1);
                assert.match(result.problems[0], /^malformed: /);
            });
        }

        it("a case refused for another policy than it names does not count", async () => {
            const file = write(
                "wrong-policy.yaml",
                "# expect: deny\n# policies: rbac-no-wildcards\n" +
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: payments\nspec:\n" +
                    "  containers:\n    - name: c\n      image: nginx\n      securityContext:\n        privileged: true\n",
            );
            const result = await judgeCase(file, undefined);
            assert.match(result.problems.join("\n"), /expected deny by rbac-no-wildcards, got mandatory from/);
        });

        it("an allow case with a mandatory violation fails", async () => {
            const file = write(
                "allow-but-privileged.yaml",
                "# expect: allow\n" +
                    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: payments\nspec:\n" +
                    "  containers:\n    - name: c\n      image: nginx\n      securityContext:\n        privileged: true\n",
            );
            const result = await judgeCase(file, undefined);
            assert.match(result.problems.join("\n"), /expected allow, refused by .*pod-security-baseline/);
        });

        it("npm run corpus prints a line per failing case and `N passed, M failed`, exit 1", () => {
            const good = path.join(dir, "good");
            fs.mkdirSync(good, { recursive: true });
            fs.writeFileSync(path.join(good, "ok.yaml"), `# expect: allow\n${manifest}`);
            fs.copyFileSync(path.join(dir, "no-expect.yaml"), path.join(good, "bad.yaml"));
            const run = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "test", "corpus", "run.js"), good], {
                encoding: "utf8",
            });
            assert.equal(run.status, 1, run.stderr);
            const lines = run.stdout.trimEnd().split("\n");
            assert.equal(lines.length, 2, run.stdout);
            assert.match(lines[0], /^FAIL .*bad\.yaml: malformed: no "expect"/);
            assert.equal(lines[1], "1 passed, 1 failed");
            fs.rmSync(path.join(good, "bad.yaml"));
            const passing = spawnSync(
                process.execPath,
                [path.join(REPO_ROOT, "dist", "test", "corpus", "run.js"), good],
                {
                    encoding: "utf8",
                },
            );
            assert.equal(passing.status, 0, passing.stdout);
            assert.equal(passing.stdout, "1 passed, 0 failed\n");
        });
    });
});
