/**
 * The parts of the check command on their own, with policies made for the test: how inputs become
 * resources, how stack violations find their resource, what a throwing policy does, and the Pod Security
 * stand-ins. The command as a whole is exercised in cli.test.ts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policiesToRun, selectPolicies } from "../../../policy-pack/cli/catalog";
import { judgeEach, ResourceVerdict, runCheck } from "../../../policy-pack/cli/check";
import { readConfigDocument } from "../../../policy-pack/cli/config";
import { judgingFor, JudgingOptions } from "../../../policy-pack/cli/judging";
import { judgingThreads, readAndJudgeInParallel } from "../../../policy-pack/cli/parallel";
import { ALL_POLICIES } from "../../../policy-pack/policies";
import { Environment } from "../../../components/baseline";
import { main } from "../../../policy-pack/cli/index";
import {
    CheckedResource,
    inputFiles,
    readInputs,
    receivedResources,
    sentResources,
} from "../../../policy-pack/cli/inputs";
import { podSecurityStandIns } from "../../../policy-pack/cli/pod-security";
import { podSecurityBaseline, podSecurityRestricted } from "../../../policy-pack/policies/pod-security";
import { envOf } from "../../../policy-pack/policies/resource";
import { EnforcementLevel, Policy, ResourcePolicy, Severity, StackPolicy } from "../../../policy-pack/policies/types";
import { settingsFrom } from "../../../policy-pack/settings";
import { REPO_ROOT } from "../../shared";

const FIXTURES = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures");
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

const info = {
    group: "test",
    description: "a policy made for the test",
    severity: Severity.Low,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: "none",
    url: "https://example.com",
} as const;

/** Refuses ConfigMaps whose data sets `bad`. */
const noBadData: ResourcePolicy = {
    ...info,
    kind: "resource",
    name: "test-no-bad-data",
    types: [CONFIG_MAP],
    validate(resource, _settings, report) {
        if (resource.props.data?.bad !== undefined) report.violation("bad data");
    },
};

/** Wants exactly one ConfigMap named `main`: names the extras by URN, and reports its absence for the stack. */
const oneMain: StackPolicy = {
    ...info,
    kind: "stack",
    name: "test-one-main",
    enforcementLevel: EnforcementLevel.Advisory,
    validateStack(resources, _settings, report) {
        const maps = resources.filter((r) => r.type === CONFIG_MAP);
        if (!maps.some((r) => r.props.metadata?.name === "main")) report.violation("no ConfigMap named main");
        for (const extra of maps.filter((r) => r.props.metadata?.name !== "main")) {
            report.violation("an extra ConfigMap", { urn: extra.urn });
        }
    },
};

const made: string[] = [];

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-cli-"));
    made.push(dir);
    return dir;
}

after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function read(files: string[]): CheckedResource[] {
    const { resources, errors } = readInputs(files);
    assert.deepEqual(errors, []);
    return resources;
}

function configMaps(...specs: [string, Record<string, string>][]): string {
    return specs
        .map(([name, data]) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data }))
        .join("\n---\n");
}

describe("check: inputs", () => {
    it("gives List items distinct URNs whose stack names no env, so a URN never decides the env", () => {
        const resources = read([path.join(FIXTURES, "multi-document.yaml")]);
        const urns = resources.map((r) => r.resource.urn);
        assert.equal(new Set(urns).size, resources.length);
        const settings = settingsFrom(undefined);
        for (const { resource } of resources) assert.equal(envOf(resource, settings), undefined);
        const pods = resources.filter((r) => r.resource.type === "kubernetes:core/v1:Pod");
        assert.deepEqual(
            pods.map((p) => [p.source.endsWith("#2"), p.resource.name]),
            [
                [true, "quiet"],
                [true, "loud"],
            ],
        );
        assert.equal(pods[0].resource.props.apiVersion, undefined, "props are the object less apiVersion and kind");
    });

    it("reports every bad JSON resource by its index, and a JSON syntax error by file", () => {
        const dir = tempDir();
        const resources = path.join(dir, "resources.json");
        fs.writeFileSync(resources, JSON.stringify([{ type: CONFIG_MAP, name: "ok", props: {} }, { name: "x" }, 3]));
        const broken = path.join(dir, "broken.json");
        fs.writeFileSync(broken, "[{");
        const { errors } = readInputs([resources, broken]);
        assert.equal(errors.length, 3);
        assert.match(errors[0], /^cannot parse .*resources\.json#1: "type" must be a non-empty string$/);
        assert.match(errors[1], /^cannot parse .*resources\.json#2: expected a Pulumi resource/);
        assert.match(errors[2], /^cannot parse .*broken\.json: /);
    });

    it("names a YAML syntax error by file#document, line and column, and reads the other documents", () => {
        const dir = tempDir();
        const file = path.join(dir, "deploy.yaml");
        fs.writeFileSync(file, `${configMaps(["ok", {}])}\n---\nmetadata:\n  name: a: b\n`);
        const { resources, errors } = readInputs([file]);
        assert.equal(resources.length, 1);
        assert.deepEqual(errors, [
            `cannot parse ${file}#1: Nested mappings are not allowed in compact mappings at line 4, column 9`,
        ]);
    });

    it("names a List item that is no Kubernetes object by its place in the List", () => {
        const dir = tempDir();
        const file = path.join(dir, "list.yaml");
        fs.writeFileSync(
            file,
            "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n  - just text\n",
        );
        const { errors } = readInputs([file]);
        assert.deepEqual(errors, [
            `cannot parse ${file}#0 items[1]: expected a Kubernetes object, found a string (line 1)`,
        ]);
    });

    it("keeps dates and sexagesimal-looking values strings, as the API server does", () => {
        const dir = tempDir();
        const file = path.join(dir, "dates.yaml");
        fs.writeFileSync(
            file,
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  expires: 2030-01-01\n  port: 22:22\n  mode: 0755\n",
        );
        const [only] = read([file]);
        assert.deepEqual(only.resource.props.data, { expires: "2030-01-01", port: "22:22", mode: 493 });
    });

    it("refuses a document with too many aliases (a billion-laughs bomb)", () => {
        const dir = tempDir();
        const file = path.join(dir, "bomb.yaml");
        const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 10; i++)
            lines.push(
                `a${i}: &a${i} [${Array(10)
                    .fill(`*a${i - 1}`)
                    .join(", ")}]`,
            );
        fs.writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\ndata:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
        const { errors } = readInputs([file]);
        assert.equal(errors.length, 1);
        assert.match(errors[0], /^cannot parse .*bomb\.yaml#0: /);
    });

    it("lists no file twice and reports every missing path", () => {
        const listed = inputFiles([FIXTURES + "/tree", path.join(FIXTURES, "tree", "namespace.yaml"), "/no/such/path"]);
        assert.equal(listed.files.length, 4);
        assert.deepEqual(listed.errors, ["cannot read /no/such/path: no such file or directory"]);
    });
});

describe("check: parsing in parallel", () => {
    it("judges on threads only with a few hundred files and a CPU to spare", () => {
        assert.equal(judgingThreads(10, 16, 0), 1);
        assert.equal(judgingThreads(10_000, 1, 0), 1);
        assert.equal(judgingThreads(10_000, 2, 0), 1, "on 2 CPUs a thread slows this one more than it helps");
        assert.equal(judgingThreads(10_000, 4, 0.3), 4, "idle CPUs beside this thread's");
        assert.equal(judgingThreads(10_000, 4, 2.5), 2, "one CPU to spare");
        assert.equal(judgingThreads(10_000, 4, 3.5), 1, "no CPU to spare");
        assert.equal(judgingThreads(10_000, 4, 9), 1);
        assert.equal(judgingThreads(10_000, 16, 12.5), 4);
        assert.equal(judgingThreads(10_000, 64, 0), 8);
        assert.equal(judgingThreads(300, 64, 0), 5, "no more threads than batches of files");
    });

    it("sends resources between threads as JSON only where JSON gives them back exactly", () => {
        const dir = tempDir();
        const plain = path.join(dir, "plain.yaml");
        fs.writeFileSync(
            plain,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    __proto__:\n      polluted: x\ndata:\n  on: yes\n",
        );
        const resources = read([plain]);
        const sent = sentResources(resources);
        assert.ok("json" in sent);
        const received = receivedResources(sent);
        assert.deepEqual(received, resources);
        const labels = (received[0].resource.props.metadata as { labels: object }).labels;
        assert.deepEqual(Object.getOwnPropertyNames(labels), ["__proto__"], "a __proto__ key stays data");
        assert.equal(Object.getPrototypeOf(labels), Object.prototype);
        for (const value of [".inf", "-.inf", ".nan", "-0"]) {
            const file = path.join(dir, "special.yaml");
            fs.writeFileSync(
                file,
                `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nspec:\n  replicas: ${value}\n`,
            );
            const special = read([file]);
            const replicas = (special[0].resource.props.spec as { replicas: number }).replicas;
            assert.ok(!Number.isFinite(replicas) || Object.is(replicas, -0), `${value} is read as ${replicas}`);
            const kept = sentResources(special);
            assert.ok("objects" in kept, `${value} is not sent as JSON`);
            assert.deepEqual(receivedResources(kept), special);
        }
    });

    it("judges on threads exactly as in this thread: resources, verdicts, errors and report", async () => {
        const { files } = inputFiles([FIXTURES]);
        const options: JudgingOptions = {
            document: readConfigDocument(undefined, Environment.Prod),
            env: Environment.Prod,
            now: Date.parse("2026-01-01T00:00:00Z"),
        };
        const judging = judgingFor(options, ALL_POLICIES);
        const serial = readInputs(files);
        const serialVerdicts = judgeEach(serial.resources, judging.toRun, judging.settings, judging.config.levels);
        assert.ok(
            serialVerdicts.some((verdict) => verdict.found !== undefined),
            "the fixtures break policies",
        );
        assert.ok(serialVerdicts.some((verdict) => verdict.found === undefined));
        const progress: number[] = [];
        const parallel = await readAndJudgeInParallel(files, 3, judging, options, 2, (done) => progress.push(done));
        assert.deepEqual(parallel.read, serial);
        assert.deepEqual(parallel.verdicts, serialVerdicts);
        assert.equal(progress.at(-1), files.length, "progress is told of every batch");
        const report = (verdicts?: readonly ResourceVerdict[]) =>
            runCheck(serial.resources, judging.toRun, judging.settings, judging.config.levels, undefined, verdicts);
        assert.deepEqual(report(parallel.verdicts), report());
    });
});

describe("check: running the policies", () => {
    const settings = settingsFrom(undefined);

    function check(yaml: string, policies: readonly Policy[]) {
        const dir = tempDir();
        const file = path.join(dir, "maps.yaml");
        fs.writeFileSync(file, yaml);
        return runCheck(read([file]), policiesToRun(policies, {}), settings);
    }

    it("lists only resources with violations, and counts every resource", () => {
        const report = check(configMaps(["main", {}], ["other", { bad: "1" }]), [noBadData]);
        assert.equal(report.summary.resources, 2);
        assert.deepEqual(
            report.results.map((r) => [r.kind, r.name, r.namespace, r.violations]),
            [
                [
                    "ConfigMap",
                    "other",
                    null,
                    [{ policy: "test-no-bad-data", level: "mandatory", message: "bad data", check: null }],
                ],
            ],
        );
        assert.deepEqual(report.summary, { resources: 2, notJudged: 0, mandatory: 1, advisory: 0 });
    });

    it("gives a stack violation to the resource it names by URN, and the rest to a stack entry", () => {
        const report = check(configMaps(["a", {}], ["b", { bad: "1" }]), [noBadData, oneMain]);
        assert.deepEqual(
            report.results.map((r) => [r.source.replace(/.*\//, ""), r.name, r.violations.map((v) => v.message)]),
            [
                ["maps.yaml#0", "a", ["an extra ConfigMap"]],
                ["maps.yaml#1", "b", ["bad data", "an extra ConfigMap"]],
                ["stack", "stack", ["no ConfigMap named main"]],
            ],
        );
        assert.deepEqual(report.summary, { resources: 2, notJudged: 0, mandatory: 1, advisory: 3 });
    });

    it("turns a policy that throws into a violation of that policy, at its level", () => {
        const throws: ResourcePolicy = {
            ...noBadData,
            name: "test-throws",
            validate() {
                throw new TypeError("cannot read properties of undefined");
            },
        };
        const report = check(configMaps(["main", {}]), [throws]);
        assert.deepEqual(report.results[0].violations, [
            {
                policy: "test-throws",
                level: "mandatory",
                message: "test-throws could not check this resource: cannot read properties of undefined",
                check: null,
            },
        ]);
    });

    it("selects by group and by name, in the pack's order", () => {
        const all: Policy[] = [noBadData, oneMain, podSecurityBaseline];
        assert.deepEqual(
            selectPolicies(all, ["pod-security", "test-one-main"]).map((p) => p.name),
            ["test-one-main", "pod-security-baseline"],
        );
        assert.throws(() => selectPolicies(all, ["nope"]), /unknown group or policy "nope"/);
    });

    it("main returns exit status 2 on bad input, and still reports what it could read", async () => {
        let stdout = "";
        let stderr = "";
        const out = {
            stdout: (text: string) => void (stdout += text),
            stderr: (text: string) => void (stderr += text),
        };
        assert.equal(await main(["check", path.join(FIXTURES, "unparseable.yaml")], out, [noBadData]), 2);
        assert.match(stdout, /2 resources checked/);
        stdout = "";
        assert.match(stderr, /unparseable\.yaml#2/);
        stderr = "";
        assert.equal(
            await main(["check", "--format", "json", path.join(FIXTURES, "multi-document.yaml")], out, [noBadData]),
            0,
        );
        assert.deepEqual(JSON.parse(stdout).summary, { resources: 4, notJudged: 3, mandatory: 0, advisory: 0 });
    });
});

describe("check: the Pod Security stand-ins", () => {
    it("leave other policies alone", () => {
        assert.deepEqual(podSecurityStandIns(noBadData, { level: "baseline", version: "v1.23" }), [noBadData]);
    });

    it("with --level alone, run the pack's own policies of that level and below", () => {
        assert.deepEqual(podSecurityStandIns(podSecurityBaseline, { level: "restricted" }), [podSecurityBaseline]);
        assert.deepEqual(podSecurityStandIns(podSecurityRestricted, { level: "restricted" }), [podSecurityRestricted]);
        assert.deepEqual(podSecurityStandIns(podSecurityRestricted, { level: "baseline" }), []);
        assert.deepEqual(podSecurityStandIns(podSecurityBaseline, { level: "privileged" }), []);
    });

    it("without flags, run a level every env enforces as the pack's own policy", () => {
        assert.deepEqual(podSecurityStandIns(podSecurityBaseline, {}), [podSecurityBaseline]);
    });

    it("with --version, run stand-ins of the same name and level", () => {
        const [standIn] = podSecurityStandIns(podSecurityBaseline, { version: "v1.23" });
        assert.notEqual(standIn, podSecurityBaseline);
        assert.deepEqual(
            [standIn.name, standIn.group, standIn.enforcementLevel, standIn.types],
            [
                podSecurityBaseline.name,
                podSecurityBaseline.group,
                podSecurityBaseline.enforcementLevel,
                podSecurityBaseline.types,
            ],
        );
    });

    it("without --level, enforce by the env profile and warn above it: two stand-ins of the same name", () => {
        const standIns = podSecurityStandIns(podSecurityRestricted, {});
        assert.deepEqual(
            standIns.map((p) => [p.name, p.enforcementLevel, p.types]),
            [
                ["pod-security-restricted", "mandatory", podSecurityRestricted.types],
                ["pod-security-restricted", "advisory", podSecurityRestricted.types],
            ],
        );
    });
});
