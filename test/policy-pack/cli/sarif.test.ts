/**
 * `k8s-baseline check --format sarif`: where each finding points (the file and the line of its object in a
 * multi-document file), fingerprints that survive edits above a finding, one rule per policy with its level
 * and severity, and exit statuses that do not depend on the format.
 */
import { POLICY_CONTROLS } from "../../../policy-pack/compliance/mapping";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCheckConfig } from "../../../policy-pack/cli/config";
import { ExitCode, main } from "../../../policy-pack/cli/index";
import { ALL_POLICIES } from "../../../policy-pack/policies";
import { EnforcementLevel, ResourcePolicy, Severity, StackPolicy } from "../../../policy-pack/policies/types";
import {
    FINGERPRINT_KEY,
    firstSentence,
    POLICY_HELP_ANCHOR,
    policyTags,
    SECURITY_SEVERITY,
    sarifLevel,
    SRCROOT,
    toolInfo,
    uriOf,
} from "../../../policy-pack/report/sarif";
import { REPO_ROOT } from "../../shared";

const FIXTURES = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures");

interface Location {
    physicalLocation?: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number } };
    logicalLocations: { name: string; kind: string; fullyQualifiedName: string }[];
}
interface Result {
    ruleId: string;
    ruleIndex: number;
    level: string;
    message: { text: string };
    locations: Location[];
    partialFingerprints: Record<string, string>;
    properties?: { check?: string; namespace?: string };
}
interface Rule {
    id: string;
    shortDescription: { text: string };
    fullDescription: { text: string };
    help: { text: string; markdown: string };
    helpUri: string;
    defaultConfiguration: { enabled: boolean; level: string };
    properties: { "security-severity": string; tags: string[] };
}
interface Notification {
    descriptor: { id: string };
    level: string;
    message: { text: string };
    locations?: Location[];
}
interface Log {
    version: string;
    runs: {
        tool: { driver: { name: string; version: string; informationUri: string; rules: Rule[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        invocations: { executionSuccessful: boolean; exitCode: number; toolExecutionNotifications: Notification[] }[];
        results: Result[];
    }[];
}

const made: string[] = [];
function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-sarif-"));
    made.push(dir);
    return dir;
}
after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], policies = ALL_POLICIES): Promise<{ status: number; stdout: string }> {
    let stdout = "";
    const status = await main(argv, { stdout: (text) => (stdout += text), stderr: () => undefined }, policies);
    return { status, stdout };
}

async function sarif(root: string, ...args: string[]): Promise<{ status: number; log: Log }> {
    const { status, stdout } = await run(["check", "--format", "sarif", "--sarif-root", root, ...args]);
    return { status, log: JSON.parse(stdout) as Log };
}

/** The 1-based lines of `text` that match `pattern`. */
function linesMatching(text: string, pattern: RegExp): number[] {
    return text
        .split("\n")
        .map((line, index) => (pattern.test(line) ? index + 1 : 0))
        .filter((line) => line > 0);
}

const region = (result: Result) => result.locations[0].physicalLocation?.region?.startLine;
const uri = (result: Result) => result.locations[0].physicalLocation?.artifactLocation.uri;
const objectName = (result: Result) => result.locations[0].logicalLocations[0].fullyQualifiedName;

const IMAGE =
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api@sha256:3f1a9c1bde5c3b9e0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a";

/** A Pod whose only fault is its privileged container. */
function privilegedPod(name: string): string {
    return [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        `  name: ${name}`,
        "  namespace: payments",
        "spec:",
        "  automountServiceAccountToken: false",
        "  containers:",
        "    - name: main",
        `      image: ${IMAGE}`,
        "      securityContext:",
        "        privileged: true",
    ].join("\n");
}

const CONFIG_MAP = ["# settings", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: settings"].join("\n");

describe("check --format sarif: locations", () => {
    it("points findings in documents 1 and 3 of a file at the kind line of their own document", async () => {
        const dir = tempDir();
        const text = [privilegedPod("first"), CONFIG_MAP, `# the third document\n${privilegedPod("third")}`].join(
            "\n---\n",
        );
        fs.writeFileSync(path.join(dir, "pods.yaml"), text);
        const { status, log } = await sarif(dir, "--only", "pod-security-baseline", path.join(dir, "pods.yaml"));
        assert.equal(status, ExitCode.MandatoryViolations);
        const [first, third] = linesMatching(text, /^kind: Pod$/);
        const results = log.runs[0].results;
        assert.deepEqual(
            results.map((r) => [objectName(r), uri(r), region(r)]),
            [
                ["payments/Pod/first", "pods.yaml", first],
                ["payments/Pod/third", "pods.yaml", third],
            ],
        );
        assert.ok(third > 20, `the third document's object is far below line 1 (line ${third})`);
        assert.ok(results.every((r) => r.locations[0].physicalLocation?.artifactLocation.uriBaseId === SRCROOT));
    });

    it("points a List item at its own kind line, and a file in a folder by its relative path", async () => {
        const { log } = await sarif(FIXTURES, "--only", "pod-security-baseline", path.join(FIXTURES, "tree"));
        const text = fs.readFileSync(path.join(FIXTURES, "tree", "zz-privileged-pod.yml"), "utf8");
        const found = log.runs[0].results.find((r) => uri(r) === "tree/zz-privileged-pod.yml");
        assert.ok(found, JSON.stringify(log.runs[0].results.map(uri)));
        assert.equal(region(found), linesMatching(text, /^kind: /)[0]);

        const list = await sarif(FIXTURES, path.join(FIXTURES, "multi-document.yaml"));
        const listText = fs.readFileSync(path.join(FIXTURES, "multi-document.yaml"), "utf8");
        const loud = list.log.runs[0].results.filter((r) => objectName(r) === "payments/Pod/loud");
        assert.ok(loud.length > 0, "the privileged List item is found");
        const podKinds = linesMatching(listText, /^ {4}kind: Pod$/);
        assert.equal(podKinds.length, 2);
        for (const result of loud) assert.equal(region(result), podKinds[1]);
    });

    it("percent-encodes what a URI reference cannot hold, and keeps the path's separators", () => {
        assert.equal(uriOf("apps/my app/deploy#1.yaml"), "apps/my%20app/deploy%231.yaml");
        assert.equal(uriOf("apps\\win.yaml"), "apps/win.yaml");
    });

    it("gives a stack violation no resource owns only a logical location", async () => {
        const stackWide: StackPolicy = {
            kind: "stack",
            name: "test-stack-wide",
            group: "test",
            description: "Reports the stack as a whole. It is made for the test.",
            severity: Severity.Medium,
            enforcementLevel: EnforcementLevel.Mandatory,
            remediationSteps: "Nothing to do.",
            url: "https://example.com/stack",
            validateStack(_resources, _settings, report) {
                report.violation("the stack lacks something");
            },
        };
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "a.yaml"), CONFIG_MAP);
        const { status, stdout } = await run(
            ["check", "--format", "sarif", "--sarif-root", dir, path.join(dir, "a.yaml")],
            [stackWide],
        );
        assert.equal(status, ExitCode.MandatoryViolations);
        const [result, ...others] = (JSON.parse(stdout) as Log).runs[0].results;
        assert.deepEqual(others, []);
        assert.equal(result.locations[0].physicalLocation, undefined);
        assert.deepEqual(result.locations[0].logicalLocations, [
            { name: "stack", kind: "Stack", fullyQualifiedName: "Stack/stack" },
        ]);
    });
});

describe("check --format sarif: fingerprints", () => {
    it("keeps every finding's fingerprint when a document and comments are inserted above it", async () => {
        const dir = tempDir();
        const file = path.join(dir, "pods.yaml");
        fs.writeFileSync(file, [privilegedPod("first"), privilegedPod("second")].join("\n---\n"));
        const before = (await sarif(dir, file)).log.runs[0].results;
        fs.writeFileSync(
            file,
            ["# added later\n# and more", CONFIG_MAP, privilegedPod("first"), privilegedPod("second")].join("\n---\n"),
        );
        const after = (await sarif(dir, file)).log.runs[0].results;
        assert.ok(before.length >= 2, "both Pods have findings");
        assert.equal(after.length, before.length);
        const key = (r: Result) => `${r.ruleId} ${objectName(r)} ${r.properties?.check ?? ""}`;
        const prints = (results: Result[]) =>
            results.map((r) => [key(r), r.partialFingerprints[FINGERPRINT_KEY]]).sort();
        assert.deepEqual(prints(after), prints(before));
        // The lines did move: the fingerprint ignores them on purpose.
        assert.notDeepEqual(after.map(region), before.map(region));
        const distinct = new Set(before.map((r) => r.partialFingerprints[FINGERPRINT_KEY]));
        assert.equal(distinct.size, before.length, "no two findings share a fingerprint");
    });

    it("keeps the other findings' fingerprints on an object when one of them is fixed", async () => {
        const dir = tempDir();
        const file = path.join(dir, "ns.yaml");
        const namespace = (labels: string[]) =>
            ["apiVersion: v1", "kind: Namespace", "metadata:", "  name: shop", "  labels:", ...labels].join("\n");
        fs.writeFileSync(file, namespace(["    owner: team-shop"]));
        const before = (await sarif(dir, "--only", "namespaces", file)).log.runs[0].results;
        fs.writeFileSync(
            file,
            namespace(["    owner: team-shop", "    pod-security.kubernetes.io/enforce: restricted"]),
        );
        const after = (await sarif(dir, "--only", "namespaces", file)).log.runs[0].results;
        assert.ok(after.length > 1 && after.length < before.length, `${before.length} then ${after.length} findings`);
        const printsBefore = new Map(before.map((r) => [r.message.text, r.partialFingerprints[FINGERPRINT_KEY]]));
        for (const result of after) {
            assert.equal(
                result.partialFingerprints[FINGERPRINT_KEY],
                printsBefore.get(result.message.text),
                result.message.text,
            );
        }
    });

    it("tells apart two findings of one policy on one object, and changes with the file or the object", async () => {
        const twice: ResourcePolicy = {
            kind: "resource",
            name: "test-twice",
            group: "test",
            description: "Reports every ConfigMap twice. It is made for the test.",
            severity: Severity.Low,
            enforcementLevel: EnforcementLevel.Advisory,
            remediationSteps: "Nothing to do.",
            url: "https://example.com/twice",
            types: ["kubernetes:core/v1:ConfigMap"],
            validate(_resource, _settings, report) {
                report.violation("one");
                report.violation("two");
            },
        };
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "a.yaml"), CONFIG_MAP);
        fs.writeFileSync(path.join(dir, "b.yaml"), CONFIG_MAP.replace("name: settings", "name: other"));
        const { status, stdout } = await run(
            ["check", "--format", "sarif", "--sarif-root", dir, path.join(dir, "a.yaml"), path.join(dir, "b.yaml")],
            [twice],
        );
        assert.equal(status, ExitCode.Pass, "advisory findings do not fail the run");
        const results = (JSON.parse(stdout) as Log).runs[0].results;
        assert.equal(results.length, 4);
        assert.deepEqual(
            results.map((r) => r.level),
            ["warning", "warning", "warning", "warning"],
        );
        assert.equal(new Set(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).size, 4);
    });
});

describe("check --format sarif: rules", () => {
    it("has one rule per policy, in order, with remediation help, a README anchor and the package as tool", async () => {
        const { status, log } = await sarif(FIXTURES, path.join(FIXTURES, "restricted-deployment.yaml"));
        assert.equal(status, ExitCode.Pass);
        const { driver } = log.runs[0].tool;
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Record<string, string>;
        assert.equal(driver.name, pkg.name);
        assert.equal(driver.version, pkg.version);
        assert.equal(driver.informationUri, pkg.homepage.replace(/#.*$/, ""));
        assert.deepEqual(
            driver.rules.map((rule) => rule.id),
            ALL_POLICIES.map((policy) => policy.name),
        );
        for (const [index, policy] of ALL_POLICIES.entries()) {
            const rule = driver.rules[index];
            assert.ok(policy.remediationSteps.trim().length > 0, `${policy.name} has remediation steps`);
            assert.ok(rule.help.text.startsWith(policy.remediationSteps), policy.name);
            assert.ok(rule.help.text.includes(policy.url), policy.name);
            assert.ok(policy.description.startsWith(rule.shortDescription.text), policy.name);
            assert.ok(rule.fullDescription.text.startsWith(policy.description), policy.name);
            assert.equal(rule.helpUri, `${toolInfo().informationUri}#${POLICY_HELP_ANCHOR}`);
            assert.equal(rule.properties["security-severity"], SECURITY_SEVERITY[policy.severity]);
            assert.deepEqual(rule.properties.tags.slice(0, 3), ["security", policy.group, policy.severity]);
            // The compliance mapping's controls, so code scanning filters by control.
            const controls = POLICY_CONTROLS[policy.name];
            assert.ok(controls.length > 0, policy.name);
            for (const control of controls)
                assert.ok(rule.properties.tags.includes(control), `${policy.name}: ${control}`);
        }
        assert.deepEqual(log.runs[0].originalUriBaseIds[SRCROOT].uri.endsWith("/fixtures/"), true);
    });

    it("takes a rule's short description from its first sentence, not from an abbreviation's period", () => {
        assert.equal(
            firstSentence("Pods (e.g. jobs) run as non-root. Init containers too."),
            "Pods (e.g. jobs) run as non-root.",
        );
        assert.equal(firstSentence("Version v1.2 is pinned. More."), "Version v1.2 is pinned.");
        assert.equal(firstSentence("No period at all"), "No period at all");
    });

    it("points helpUri at a heading README.md has", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const anchors = readme
            .split("\n")
            .filter((line) => /^#{1,6} /.test(line))
            .map((line) =>
                line
                    .replace(/^#+ /, "")
                    .trim()
                    .toLowerCase()
                    .replace(/[^\p{L}\p{N} _-]/gu, "")
                    .replace(/ /g, "-"),
            );
        assert.ok(anchors.includes(POLICY_HELP_ANCHOR), `README anchors: ${anchors.join(", ")}`);
    });

    it("scores severities inside GitHub's bands: critical 9.0+, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9", () => {
        const bands: Record<Severity, [number, number]> = {
            critical: [9.0, 10.0],
            high: [7.0, 8.9],
            medium: [4.0, 6.9],
            low: [0.1, 3.9],
        };
        for (const severity of Object.values(Severity)) {
            const score = Number(SECURITY_SEVERITY[severity]);
            const [low, high] = bands[severity];
            assert.ok(score >= low && score <= high, `${severity}: ${score}`);
        }
    });

    it("sets each rule's default level from the level the env's config gives its policy", async () => {
        const { levels } = loadCheckConfig({ env: "dev", policies: ALL_POLICIES });
        const lowered = ALL_POLICIES.filter(
            (policy) => levels[policy.name] !== undefined && levels[policy.name] !== policy.enforcementLevel,
        );
        assert.ok(lowered.length > 0, "dev's config changes some policy's level");
        const { log } = await sarif(FIXTURES, "--env", "dev", path.join(FIXTURES, "restricted-deployment.yaml"));
        const rules = new Map(log.runs[0].tool.driver.rules.map((rule) => [rule.id, rule]));
        for (const policy of ALL_POLICIES) {
            const level = levels[policy.name] ?? policy.enforcementLevel;
            assert.equal(rules.get(policy.name)?.defaultConfiguration.level, sarifLevel(level), policy.name);
        }
        assert.equal(sarifLevel(EnforcementLevel.Mandatory), "error");
        assert.equal(sarifLevel(EnforcementLevel.Advisory), "warning");
        assert.equal(sarifLevel(EnforcementLevel.Disabled), "none");
    });

    it("gives each result its rule's index and the level it was reported at", async () => {
        const { log } = await sarif(FIXTURES, path.join(FIXTURES, "mixed-pod.yaml"), path.join(FIXTURES, "tree"));
        const { rules } = log.runs[0].tool.driver;
        const results = log.runs[0].results;
        assert.ok(results.some((r) => r.level === "error"));
        for (const result of results) {
            assert.equal(rules[result.ruleIndex].id, result.ruleId);
            assert.ok(["error", "warning"].includes(result.level), result.level);
        }
    });

    it("runs only the --only policies' rules, and takes framework controls as extra tags", async () => {
        const { log } = await sarif(FIXTURES, "--only", "rbac", path.join(FIXTURES, "restricted-deployment.yaml"));
        const rbac = ALL_POLICIES.filter((policy) => policy.group === "rbac").map((policy) => policy.name);
        assert.ok(rbac.length > 0);
        assert.deepEqual(
            log.runs[0].tool.driver.rules.map((rule) => rule.id),
            rbac,
        );
        const policy = ALL_POLICIES[0];
        assert.deepEqual(
            policyTags(policy, () => ["CIS-EKS 4.1.1", policy.group]),
            ["security", policy.group, policy.severity, "CIS-EKS 4.1.1"],
        );
    });
});

describe("check --format sarif: exit status and unreadable inputs", () => {
    async function statuses(...paths: string[]): Promise<[number, number]> {
        const json = await run(["check", "--format", "json", ...paths]);
        const sarifRun = await run(["check", "--format", "sarif", ...paths]);
        return [json.status, sarifRun.status];
    }

    it("exits as the other formats do: 0, 1 and 2", async () => {
        assert.deepEqual(await statuses(path.join(FIXTURES, "restricted-deployment.yaml")), [0, 0]);
        assert.deepEqual(await statuses(path.join(FIXTURES, "privileged-pod.yaml")), [1, 1]);
        assert.deepEqual(await statuses(path.join(FIXTURES, "unparseable.yaml")), [2, 2]);
    });

    it("reports an unparseable document as an error notification at its file and line, and a partial run", async () => {
        const { status, log } = await sarif(
            FIXTURES,
            path.join(FIXTURES, "unparseable.yaml"),
            path.join(FIXTURES, "privileged-pod.yaml"),
            path.join(FIXTURES, "no-such.yaml"),
        );
        assert.equal(status, ExitCode.UsageOrInput);
        const [invocation] = log.runs[0].invocations;
        assert.equal(invocation.executionSuccessful, false);
        assert.equal(invocation.exitCode, 2);
        const errors = invocation.toolExecutionNotifications.filter((n) => n.level === "error");
        const parse = errors.find((n) => n.descriptor.id === "parse-error");
        assert.ok(parse, JSON.stringify(errors));
        assert.equal(parse.locations?.[0].physicalLocation?.artifactLocation.uri, "unparseable.yaml");
        const line = /at line (\d+)/.exec(parse.message.text)?.[1];
        assert.ok(line !== undefined, parse.message.text);
        assert.equal(parse.locations?.[0].physicalLocation?.region?.startLine, Number(line));
        const missing = errors.find((n) => n.descriptor.id === "read-error");
        assert.ok(missing?.message.text.includes("no-such.yaml"), JSON.stringify(errors));
        assert.ok(
            log.runs[0].results.some((r) => uri(r) === "privileged-pod.yaml"),
            "the readable file is still judged",
        );
    });

    it("refuses --format sarif for policies, and --sarif-root without it", async () => {
        assert.equal((await run(["policies", "--format", "sarif"])).status, ExitCode.UsageOrInput);
        assert.equal(
            (await run(["check", "--sarif-root", ".", path.join(FIXTURES, "privileged-pod.yaml")])).status,
            ExitCode.UsageOrInput,
        );
    });
});
