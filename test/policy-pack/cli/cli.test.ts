/**
 * `k8s-baseline check` and `k8s-baseline policies`, run as a user runs them: the compiled command in a child
 * process, over the manifests in ./fixtures, judged by its exit status and its output.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { POD_SECURITY_VERSION } from "../../../components/baseline";
import { REPO_ROOT } from "../../shared";

const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");
const FIXTURES = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures");

interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the CLI from the fixtures folder, so sources read `privileged-pod.yaml#0`. */
function cli(...args: string[]): Run {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: FIXTURES, encoding: "utf8" });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonViolation {
    policy: string;
    level: string;
    message: string;
    check: string | null;
}
interface JsonResult {
    source: string;
    kind: string;
    name: string;
    namespace: string | null;
    violations: JsonViolation[];
}
interface JsonReport {
    results: JsonResult[];
    notices: string[];
    summary: { resources: number; notJudged: number; mandatory: number; advisory: number };
}

/** `check --format json ...args`, asserting the exit status. */
function checkJson(status: number, ...args: string[]): JsonReport {
    const run = cli("check", "--format", "json", ...args);
    assert.equal(run.status, status, `exit status ${run.status}, stderr: ${run.stderr}`);
    return JSON.parse(run.stdout) as JsonReport;
}

function violations(report: JsonReport): JsonViolation[] {
    return report.results.flatMap((result) => result.violations);
}

function result(report: JsonReport, source: string, name?: string): JsonResult {
    const found = report.results.find((r) => r.source === source && (name === undefined || r.name === name));
    assert.ok(found, `no result for ${source}${name ? ` ${name}` : ""} in ${JSON.stringify(report.results)}`);
    return found;
}

describe("the k8s-baseline binary", () => {
    const BIN = path.join(REPO_ROOT, "bin", "k8s-baseline.js");

    it("is the package's bin entry, committed with its run bit, so no build can leave it unrunnable", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
            bin: Record<string, string>;
            files: string[];
        };
        assert.deepEqual(manifest.bin, { "k8s-baseline": "bin/k8s-baseline.js" });
        assert.ok(manifest.files.includes("bin"));
        const staged = spawnSync("git", ["ls-files", "-s", "bin/k8s-baseline.js"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
        });
        assert.match(staged.stdout, /^100755 /, "git records bin/k8s-baseline.js without its run bit");
        assert.ok((fs.statSync(BIN).mode & 0o111) !== 0, `${BIN} is not executable`);
    });

    it("runs the compiled command, exit status and output included, as npx runs it", () => {
        const run = spawnSync(BIN, ["policies", "--format", "json"], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.ok((JSON.parse(run.stdout) as { policies: unknown[] }).policies.length > 0);
        const usage = spawnSync(BIN, ["check", "--version", "v1.99", "x.yaml"], { encoding: "utf8" });
        assert.equal(usage.status, 2, usage.stderr);
        assert.match(usage.stderr, /--version must be/);
    });

    it("before any build, says to build first instead of failing with not found", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-unbuilt-"));
        try {
            fs.mkdirSync(path.join(dir, "bin"));
            fs.copyFileSync(BIN, path.join(dir, "bin", "k8s-baseline.js"));
            const run = spawnSync(process.execPath, [path.join(dir, "bin", "k8s-baseline.js"), "policies"], {
                encoding: "utf8",
            });
            assert.equal(run.status, 3);
            assert.equal(run.stdout, "");
            assert.match(run.stderr, /dist\/policy-pack\/cli\/index\.js is missing: .*run `npm run build` in /);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is also runnable as the compiled file after `npm run build`, which sets its run bit", () => {
        const build = (
            JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { build: string } }
        ).scripts.build;
        assert.match(build, /chmodSync\('dist\/policy-pack\/cli\/index\.js', 0o755\)/);
    });
});

describe("k8s-baseline check", () => {
    it("the compiled command starts with a node shebang, so npm can link it as a bin", () => {
        const run = spawnSync("head", ["-n", "1", CLI], { encoding: "utf8" });
        assert.equal(run.stdout.trim(), "#!/usr/bin/env node");
    });

    describe("verdicts", () => {
        it("passes a Deployment that meets the restricted level and the workload rules: exit 0, no results", () => {
            const report = checkJson(0, "restricted-deployment.yaml");
            assert.deepEqual(report, {
                results: [],
                notices: [],
                summary: { resources: 1, notJudged: 0, mandatory: 0, advisory: 0 },
            });
        });

        it("fails a privileged Pod: exit 1, a mandatory violation with the Pod Security check id", () => {
            const report = checkJson(1, "privileged-pod.yaml");
            const pod = result(report, "privileged-pod.yaml#0");
            assert.equal(pod.kind, "Pod");
            assert.equal(pod.name, "debug");
            assert.equal(pod.namespace, "payments");
            const privileged = pod.violations.find((v) => v.check === "privileged");
            assert.ok(privileged, JSON.stringify(pod.violations));
            assert.equal(privileged.policy, "pod-security-baseline");
            assert.equal(privileged.level, "mandatory");
            assert.match(privileged.message, /container "shell" must not set securityContext\.privileged=true/);
            assert.ok(report.summary.mandatory >= 1);
        });

        it("reads a YAML 1.1 `yes` as true, as the API server does", () => {
            const report = checkJson(1, "--only", "pod-security", "yaml11-booleans.yaml");
            assert.deepEqual(
                violations(report).map((v) => v.check),
                ["privileged"],
            );
        });

        it("prints one block per resource with violations and a summary line as text", () => {
            const run = cli("check", "--only", "pod-security", "privileged-pod.yaml", "restricted-deployment.yaml");
            assert.equal(run.status, 1);
            const lines = run.stdout.trimEnd().split("\n");
            assert.equal(lines[0], "privileged-pod.yaml#0: Pod payments/debug");
            assert.match(lines[1], /^ {2}mandatory pod-security-baseline \[privileged\]: Pod payments\/debug: /);
            assert.ok(!run.stdout.includes("restricted-deployment.yaml"));
            assert.equal(lines[lines.length - 1], "2 resources checked: 2 mandatory violations, 0 advisory violations");
        });
    });

    describe("inputs", () => {
        it("numbers the documents of a multi-document file and expands a List into its items", () => {
            const report = checkJson(1, "--only", "pod-security", "multi-document.yaml");
            // ConfigMap (#0), the empty document (#1, skipped), the List's two Pods (#2), the Service (#3).
            assert.equal(report.summary.resources, 4);
            assert.deepEqual(
                report.results.map((r) => [r.source, r.kind, r.name]),
                [["multi-document.yaml#2", "Pod", "loud"]],
            );
            assert.deepEqual(
                violations(report).map((v) => [v.policy, v.check]),
                [["pod-security-baseline", "hostNamespaces"]],
            );
        });

        it("reads a JSON array of Pulumi resources, numbered by array index", () => {
            const report = checkJson(1, "--only", "pod-security", "pulumi-resources.json");
            assert.equal(report.summary.resources, 3);
            assert.equal(report.results.length, 1);
            const deployment = result(report, "pulumi-resources.json#1");
            // No metadata.name (Pulumi would autoname it): the resource's own name stands in.
            assert.deepEqual(
                [deployment.kind, deployment.name, deployment.namespace],
                ["Deployment", "node-agent", "payments"],
            );
            assert.deepEqual(
                deployment.violations.map((v) => v.check),
                ["hostNamespaces"],
            );
        });

        it("searches folders for .yaml and .yml files in name order, skipping hidden folders", () => {
            const report = checkJson(1, "--only", "pod-security", "tree");
            // namespace.yaml, apps/api/configmap.yml, apps/api/privileged-pod.yaml, zz-privileged-pod.yml; not
            // .hidden/ci.yaml (it is no manifest, and would fail the run), README.md or resources.json.
            assert.equal(report.summary.resources, 4);
            assert.deepEqual(
                report.results.map((r) => r.source),
                [
                    path.join("tree", "apps", "api", "privileged-pod.yaml#0"),
                    path.join("tree", "zz-privileged-pod.yml#0"),
                ],
            );
        });

        it("checks a file named twice, or also found in a named folder, once", () => {
            const report = checkJson(1, "--only", "pod-security", "tree", "tree/zz-privileged-pod.yml", "tree");
            assert.equal(report.summary.resources, 4);
        });

        it("runs the stack policies over every resource given, at once", () => {
            // One run over all the inputs: every resource counts, whichever file it came from.
            const report = checkJson(1, "multi-document.yaml", "pulumi-resources.json", "privileged-pod.yaml");
            assert.equal(report.summary.resources, 8);
        });
    });

    describe("unreadable input: exit 2, naming the file, document and line, and judging the rest", () => {
        it("a YAML error (a duplicated key) names file#document and the line", () => {
            const run = cli("check", "unparseable.yaml");
            assert.equal(run.status, 2);
            // The other two documents are still judged and reported.
            assert.match(run.stdout, /2 resources checked/);
            assert.match(
                run.stderr,
                /^cannot parse unparseable\.yaml#2: Map keys must be unique at line 24, column \d+/,
            );
            assert.ok(!run.stderr.includes("#0") && !run.stderr.includes("#1"), run.stderr);
        });

        it("a document that is no Kubernetes object", () => {
            const run = cli("check", "not-kubernetes.yaml");
            assert.equal(run.status, 2);
            assert.match(run.stderr, /^cannot parse not-kubernetes\.yaml#0: not a Kubernetes object/);
        });

        it("a path that does not exist, reported with every other unreadable input", () => {
            const run = cli("check", "missing.yaml", "unparseable.yaml", "privileged-pod.yaml");
            // Exit 2 although the readable files hold a mandatory violation: a partial verdict is no verdict.
            assert.equal(run.status, 2);
            assert.match(run.stdout, /^privileged-pod\.yaml#0: Pod payments\/debug$/m);
            assert.match(run.stdout, /mandatory pod-security-baseline \[privileged\]/);
            const lines = run.stderr.trimEnd().split("\n");
            assert.equal(lines[0], "cannot read missing.yaml: no such file or directory");
            assert.match(lines[1], /^cannot parse unparseable\.yaml#2: /);
            assert.equal(lines.length, 2);
        });

        it("a folder without YAML: a check that checks nothing must not pass", () => {
            const empty = cli("check", "no-manifests");
            assert.equal(empty.status, 2);
            assert.match(empty.stderr, /no \.yaml or \.yml files in it/);
        });
    });

    describe("bad usage: exit 2 with the reason and the usage", () => {
        const cases: [string, string[], RegExp][] = [
            ["no command", [], /a command is required/],
            ["an unknown command", ["lint", "x.yaml"], /unknown command "lint"/],
            ["an unknown flag", ["check", "--strict", "x.yaml"], /Unknown option '--strict'/],
            ["a flag without its value", ["check", "x.yaml", "--env"], /--env/],
            ["an unknown env", ["check", "--env", "qa", "x.yaml"], /--env must be one of dev, stage, prod, not "qa"/],
            ["an unknown level", ["check", "--level", "strict", "x.yaml"], /--level must be one of/],
            [
                "a malformed version",
                ["check", "--version", "1.23", "x.yaml"],
                /--version must be "latest" or one of v1\.0 to v1\.37/,
            ],
            ["a version the evaluator does not know", ["check", "--version", "v1.38", "x.yaml"], /not "v1\.38"/],
            ["a version with a leading zero", ["check", "--version", "v1.033", "x.yaml"], /not "v1\.033"/],
            ["a registry without its slash", ["check", "--registries", "ghcr.io/acme", "x.yaml"], /--registries/],
            ["an empty --config", ["check", "--config", "", "x.yaml"], /--config needs a file/],
            ["an unknown format", ["check", "--format", "xml", "x.yaml"], /--format must be one of text, json/],
            ["check without paths", ["check", "--env", "prod"], /at least one file or folder/],
            ["an empty --only name", ["check", "--only", "pod-security,", "x.yaml"], /an empty name/],
            ["policies with paths", ["policies", "x.yaml"], /policies takes no paths/],
        ];
        for (const [what, args, message] of cases) {
            it(what, () => {
                const run = cli(...args);
                assert.equal(run.status, 2, run.stdout);
                assert.equal(run.stdout, "");
                assert.match(run.stderr, message);
                assert.match(run.stderr, /Usage:/);
            });
        }

        it("unknown --only names: all named, and the valid groups and policies listed", () => {
            const run = cli("check", "--only", "pod-security,podsecurity,no-such-policy", "privileged-pod.yaml");
            assert.equal(run.status, 2);
            assert.match(run.stderr, /unknown group or policy "podsecurity", "no-such-policy"/);
            assert.match(run.stderr, /groups: .*\bpod-security\b/);
            assert.match(run.stderr, /policies: .*\bpod-security-baseline\b.*\bpod-security-restricted\b/);
        });

        it("--help prints the usage and exits 0", () => {
            const run = cli("--help");
            assert.equal(run.status, 0);
            assert.match(run.stdout, /^Usage:/);
        });
    });

    describe("--only", () => {
        it("a group runs that group's policies only", () => {
            const all = checkJson(1, "mixed-pod.yaml");
            assert.ok(
                violations(all).some((v) => !v.policy.startsWith("pod-security-")),
                "without --only, the other groups report the mutable public image and missing resources",
            );
            const only = checkJson(1, "--only", "pod-security", "mixed-pod.yaml");
            assert.ok(violations(only).length > 0);
            for (const violation of violations(only)) assert.match(violation.policy, /^pod-security-/);
        });

        it("a policy name runs that policy only; names and groups combine", () => {
            const one = checkJson(1, "--only", "pod-security-baseline", "privileged-pod.yaml");
            assert.deepEqual([...new Set(violations(one).map((v) => v.policy))], ["pod-security-baseline"]);
            const both = checkJson(
                1,
                "--only",
                "pod-security-baseline",
                "--only",
                "pod-security-restricted",
                "privileged-pod.yaml",
            );
            assert.deepEqual([...new Set(violations(both).map((v) => v.policy))].sort(), [
                "pod-security-baseline",
                "pod-security-restricted",
            ]);
        });
    });

    describe("--level and --version", () => {
        it("judge by another Pod Security level and version than the env profile's", () => {
            // By default (prod's profile: restricted, the pinned version) the baseline-only Deployment fails.
            const strict = checkJson(1, "--only", "pod-security", "baseline-deployment.yaml");
            assert.ok(
                violations(strict).every((v) => v.policy === "pod-security-restricted" && v.level === "mandatory"),
            );
            assert.ok(violations(strict).every((v) => v.message.includes(`restricted (${POD_SECURITY_VERSION})`)));
            assert.deepEqual(
                violations(strict)
                    .map((v) => v.check)
                    .sort(),
                ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"],
            );

            const lenient = checkJson(
                0,
                "--only",
                "pod-security",
                "--level",
                "baseline",
                "--version",
                "v1.23",
                "baseline-deployment.yaml",
            );
            assert.deepEqual(lenient.results, []);
        });

        it("--version alone keeps the level and changes the checks (capabilities_restricted dates from v1.22)", () => {
            const report = checkJson(1, "--only", "pod-security", "--version", "v1.21", "baseline-deployment.yaml");
            assert.deepEqual(
                violations(report)
                    .map((v) => v.check)
                    .sort(),
                ["allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted"],
            );
            assert.ok(violations(report).every((v) => v.message.includes("restricted (v1.21)")));
        });

        it("--level baseline still refuses what baseline refuses, at the version given", () => {
            const report = checkJson(
                1,
                "--only",
                "pod-security",
                "--level",
                "baseline",
                "--version",
                "v1.23",
                "privileged-pod.yaml",
            );
            assert.deepEqual(
                violations(report).map((v) => [v.policy, v.check]),
                [["pod-security-baseline", "privileged"]],
            );
            assert.match(violations(report)[0].message, /baseline \(v1\.23\)/);
        });

        it("--level privileged runs no Pod Security check", () => {
            const report = checkJson(0, "--only", "pod-security", "--level", "privileged", "privileged-pod.yaml");
            assert.deepEqual(report.results, []);
        });

        it("--env dev enforces its profile's baseline level and warns (advisory) on restricted", () => {
            const report = checkJson(0, "--only", "pod-security", "--env", "dev", "baseline-deployment.yaml");
            assert.ok(violations(report).length > 0);
            for (const violation of violations(report)) {
                assert.equal(violation.policy, "pod-security-restricted");
                assert.equal(violation.level, "advisory");
            }
            assert.equal(report.summary.mandatory, 0);
            assert.equal(report.summary.advisory, violations(report).length);
            checkJson(1, "--only", "pod-security", "--env", "stage", "baseline-deployment.yaml");
        });
    });
});

describe("k8s-baseline policies", () => {
    interface Listed {
        name: string;
        group: string;
        kind: string;
        description: string;
        severity: string;
        enforcementLevel: string;
        podSecurity?: { level: string; version: string };
        checks?: string[];
    }

    function listed(...args: string[]): Listed[] {
        const run = cli("policies", "--format", "json", ...args);
        assert.equal(run.status, 0, run.stderr);
        return (JSON.parse(run.stdout) as { policies: Listed[] }).policies;
    }

    it("lists every policy with its group, description, severity and level as JSON", () => {
        const policies = listed();
        assert.ok(policies.some((policy) => policy.group === "pod-security"));
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length, "names are unique");
        for (const policy of policies) {
            for (const field of ["name", "group", "description", "severity", "enforcementLevel"] as const) {
                assert.equal(typeof policy[field], "string", `${policy.name}.${field}`);
            }
        }
    });

    it("gives the Pod Security policies their check ids at the version in force", () => {
        const policies = listed();
        const baseline = policies.find((p) => p.name === "pod-security-baseline");
        const restricted = policies.find((p) => p.name === "pod-security-restricted");
        assert.ok(baseline && restricted);
        assert.deepEqual(baseline.podSecurity, { level: "baseline", version: POD_SECURITY_VERSION });
        assert.ok(baseline.checks?.includes("privileged"));
        assert.ok(restricted.checks?.includes("runAsNonRoot"));
        assert.ok(!restricted.checks?.includes("privileged"), "restricted lists what it adds to baseline");
        assert.ok(restricted.checks?.includes("capabilities_restricted"));

        const old = listed("--version", "v1.21").find((p) => p.name === "pod-security-restricted");
        assert.ok(old && !old.checks?.includes("capabilities_restricted"), "capabilities_restricted dates from v1.22");
    });

    it("--only narrows the list", () => {
        const policies = listed("--only", "pod-security");
        assert.deepEqual(
            policies.map((p) => p.name),
            ["pod-security-baseline", "pod-security-restricted"],
        );
    });

    it("lists by group as text", () => {
        const run = cli("policies");
        assert.equal(run.status, 0);
        assert.match(run.stdout, /^pod-security:$/m);
        assert.match(run.stdout, /^ {2}pod-security-baseline \(mandatory, high\): /m);
        assert.match(
            run.stdout,
            new RegExp(`^ {4}checks at baseline ${POD_SECURITY_VERSION.replace(".", "\\.")}: .*\\bprivileged\\b`, "m"),
        );
    });
});
