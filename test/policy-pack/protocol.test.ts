/**
 * The policy pack as `pulumi preview --policy-pack policy-pack` runs it: spawned as the CLI spawns it, asked
 * over the pulumirpc.Analyzer protocol with the generated client, resources in Pulumi's wire encoding.
 * One pack for the protocol suite, as starting one takes seconds; the plan suite runs the command, which
 * starts its own.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { CERT_MANAGER_CHART_VERSION } from "../../components/addons/cert-manager/chart";
import { EXTERNAL_SECRETS_CHART_VERSION } from "../../components/addons/external-secrets/operator";
import { KYVERNO_CHART_VERSION } from "../../components/addons/kyverno/chart";
import { ALL_POLICIES } from "../../policy-pack/policies";
import { configForEveryPolicy, Diagnostic, reconcilePolicyConfig } from "../../policy-pack/harness/analyzer-client";
import {
    analyzeRecords,
    Pack,
    PackVerdict,
    recordRegistrations,
    RegistrationRecorder,
    ResourceRecord,
    startPack,
} from "../../policy-pack/harness/resources";
import { packSettings } from "../../policy-pack/harness/stack-config";
import { secretWire, toAnalyzerWire, UNKNOWN_WIRE } from "../../policy-pack/harness/wire";
import { platformProgram } from "../../stacks/program";
import { REPO_ROOT } from "../shared";
import { STACKS, stackArgs } from "../stacks/stack-config";
import { BAD, BAD_ENV, BAD_REGISTRY, badProgram } from "./fixtures/bad-program";

const PROJECT = "k8s-baseline";
const PACK_PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy-pack", "package.json"), "utf8")) as {
    version: string;
};

/**
 * The mandatory violations the bad program must produce, per resource: its logical name to the policies
 * that must fail it, and no others.
 */
const EXPECTED_BAD_PROGRAM_VIOLATIONS: Readonly<Record<string, readonly string[]>> = {
    [BAD.namespaceWithoutDefaultDeny]: ["namespaces-default-deny"],
    // Privileged is a baseline failure; a privileged container cannot set allowPrivilegeEscalation: false,
    // which restricted requires.
    [BAD.privilegedPod]: ["pod-security-baseline", "pod-security-restricted"],
    // Action "*" on Resource "*": every action of every service, and every app's secrets.
    [BAD.adminIamPolicy]: ["aws-iam-policy-effect", "aws-iam-secret-scope", "aws-no-wildcard-secrets-access"],
    [BAD.v1beta1ExternalSecret]: ["external-secrets-v1-only"],
    // The name has the wrong shape for prod and names dev.
    [BAD.otherEnvSecret]: ["aws-secret-env-prefix", "cross-env-references"],
};

const mandatory = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => d.enforcementLevel === "mandatory");

function show(diagnostics: readonly Diagnostic[]): string {
    return diagnostics.map((d) => `[${d.enforcementLevel}] ${d.policyName} ${d.urn}: ${d.message}`).join("\n");
}

/** The diagnostics about the resource named `name`, by the URN the engine gave it. */
function about(verdict: PackVerdict, name: string): Diagnostic[] {
    const urns = new Set(verdict.resources.filter((r) => r.name === name).map((r) => r.urn));
    assert.equal(urns.size, 1, `one resource named ${name}`);
    return verdict.diagnostics.filter((d) => urns.has(d.urn));
}

function policyNames(diagnostics: readonly Diagnostic[]): string[] {
    return [...new Set(diagnostics.map((d) => d.policyName))].sort();
}

/** Registrations of the program `run` registers, with the resources test/mocks recorded for it. */
async function register(recorder: RegistrationRecorder, run: () => pulumi.Output<unknown>[] | void) {
    resetResources();
    recorder.reset();
    const outputs = run() ?? [];
    for (const output of outputs) await settle(output);
    await settled();
    return { records: recorder.records(), recorded: resources() };
}

describe("policy pack over the analyzer protocol", function () {
    this.timeout(180_000);
    let pack: Pack;
    let recorder: RegistrationRecorder;

    before(async () => {
        recorder = recordRegistrations();
        pack = await startPack();
    });

    after(async () => {
        await pack?.stop();
    });

    // Mocha runs a suite's own tests before its nested suites: every test sits in a nested suite, so the
    // last one runs after all the traffic.
    describe("start-up", () => {
        it("prints the port alone on the first stdout line, as the CLI reads it", () => {
            assert.match(pack.process.portLine, /^\d+$/);
            assert.equal(pack.process.portLine, String(pack.process.port));
            assert.ok(pack.process.startupMs > 0 && pack.process.startupMs < 30_000, `${pack.process.startupMs} ms`);
        });
    });

    describe("GetAnalyzerInfo", () => {
        it("lists every policy of ALL_POLICIES, with the pack's name and its package version", async () => {
            const info = await pack.session.getAnalyzerInfo();
            assert.equal(info.name, "k8s-baseline");
            assert.equal(info.version, PACK_PACKAGE.version);
            assert.equal(info.supportsConfig, true);
            assert.deepEqual(info.policies.map((p) => p.name).sort(), ALL_POLICIES.map((p) => p.name).sort());
            for (const policy of ALL_POLICIES) {
                const described = info.policies.find((p) => p.name === policy.name)!;
                assert.equal(described.enforcementLevel, policy.enforcementLevel, policy.name);
                assert.equal(described.description, policy.description, policy.name);
                assert.equal(described.policyType, policy.kind, policy.name);
                assert.equal(described.severity, policy.severity, policy.name);
                assert.equal(described.url, policy.url, policy.name);
                assert.ok(described.configSchema?.properties.env, `${policy.name} takes env`);
                assert.ok(described.configSchema?.properties.registries, `${policy.name} takes registries`);
            }
            assert.deepEqual(info.initialConfig, {});
        });

        it("has its config validated against the policies' schemas before Configure, as the CLI does", async () => {
            const info = await pack.session.getAnalyzerInfo();
            assert.ok(info.policies.length > 0, "the pack describes no policy");
            assert.throws(
                () => reconcilePolicyConfig(info, configForEveryPolicy(info, { env: "qa" })),
                /invalid policy pack config/,
            );
            assert.throws(
                () => reconcilePolicyConfig(info, { [info.policies[0].name]: "blocking" as never }),
                /not a valid enforcement level/,
            );
            const reconciled = reconcilePolicyConfig(info, { all: "advisory" });
            assert.ok(Object.values(reconciled).every((c) => c.enforcementLevel === "advisory"));
        });
    });

    describe("wire encoding of unknowns and secrets", () => {
        const NAMESPACE = "payments";
        const GOOD_IMAGE = `${BAD_REGISTRY}payments@sha256:${"b2".repeat(32)}`;
        const BAD_IMAGE = "docker.io/library/nginx:latest";
        const CANARY = "canary-plaintext-7f3a91";

        /** A prod Deployment as the baseline wants it, with `image` and one environment variable's value given. */
        function deployment(name: string, image: unknown, envValue: unknown = "info"): ResourceRecord {
            const labels = { "app.kubernetes.io/name": "payments" };
            const probe = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10 };
            return {
                type: "kubernetes:apps/v1:Deployment",
                name,
                custom: true,
                properties: {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    metadata: { name, namespace: NAMESPACE, labels },
                    spec: {
                        replicas: 2,
                        selector: { matchLabels: labels },
                        template: {
                            metadata: { labels },
                            spec: {
                                serviceAccountName: "payments",
                                automountServiceAccountToken: false,
                                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                                containers: [
                                    {
                                        name: "app",
                                        image,
                                        env: [{ name: "LOG_LEVEL", value: envValue }],
                                        ports: [{ containerPort: 8080 }],
                                        securityContext: {
                                            allowPrivilegeEscalation: false,
                                            readOnlyRootFilesystem: true,
                                            runAsNonRoot: true,
                                            capabilities: { drop: ["ALL"] },
                                            seccompProfile: { type: "RuntimeDefault" },
                                        },
                                        resources: {
                                            requests: { cpu: "50m", memory: "64Mi" },
                                            limits: { cpu: "200m", memory: "128Mi" },
                                        },
                                        livenessProbe: probe,
                                        readinessProbe: probe,
                                    },
                                ],
                            },
                        },
                    },
                },
            };
        }

        function secret(name: string, value: unknown): ResourceRecord {
            return {
                type: "kubernetes:core/v1:Secret",
                name,
                custom: true,
                properties: {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name, namespace: NAMESPACE },
                    stringData: { password: value },
                },
            };
        }

        let verdict: PackVerdict;
        before(async () => {
            verdict = await analyzeRecords(
                pack.session,
                [
                    deployment("good-image", GOOD_IMAGE),
                    deployment("bad-image", BAD_IMAGE),
                    deployment("unknown-image", UNKNOWN_WIRE),
                    deployment("secret-bad-image", secretWire(BAD_IMAGE)),
                    deployment("secret-env", GOOD_IMAGE, secretWire(CANARY)),
                    secret("plain-secret", CANARY),
                    secret("secret-secret", secretWire(CANARY)),
                ],
                {
                    stack: BAD_ENV,
                    project: PROJECT,
                    config: (info) => configForEveryPolicy(info, { env: BAD_ENV, registries: [BAD_REGISTRY] }),
                },
            );
        });

        it("passes a Deployment as the baseline wants it", () => {
            assert.deepEqual(about(verdict, "good-image"), [], show(about(verdict, "good-image")));
        });

        it('reports an unknown image as advisory "can\'t run", not as a violation, where a bad image fails', () => {
            const failed = policyNames(mandatory(about(verdict, "bad-image")));
            assert.ok(failed.length > 0, "a Docker Hub image with a mutable tag fails some policy");
            const unknown = about(verdict, "unknown-image");
            assert.deepEqual(mandatory(unknown), [], show(unknown));
            for (const policy of failed) {
                const diagnostic = unknown.find((d) => d.policyName === policy);
                assert.ok(diagnostic, `${policy} says it could not check the unknown image`);
                assert.equal(diagnostic.enforcementLevel, "advisory");
                assert.match(diagnostic.message, /can't run policy .* during preview/);
            }
        });

        it("unwraps a secret value before the policies see it", () => {
            assert.deepEqual(
                policyNames(mandatory(about(verdict, "secret-bad-image"))),
                policyNames(mandatory(about(verdict, "bad-image"))),
            );
            assert.deepEqual(policyNames(about(verdict, "secret-secret")), policyNames(about(verdict, "plain-secret")));
            assert.ok(
                mandatory(about(verdict, "secret-secret")).length > 0,
                "a Secret with a value in stringData fails",
            );
        });

        it("never reports a secret value in plaintext", () => {
            const leaking = verdict.diagnostics.filter((d) => d.message.includes(CANARY));
            assert.deepEqual(leaking, [], show(leaking));
            assert.deepEqual(about(verdict, "secret-env"), [], show(about(verdict, "secret-env")));
        });
    });

    describe("the platform stacks", () => {
        for (const stack of STACKS) {
            it(`passes every resource of the ${stack} stack without a mandatory violation`, async () => {
                const { records, recorded } = await register(
                    recorder,
                    () => Object.values(platformProgram(stackArgs(stack))) as pulumi.Output<unknown>[],
                );
                // What the analyzer is sent is what the program registered: every resource, with its real type
                // token and its inputs.
                const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
                const registered = new Map(recorded.map((r) => [key(r), r.inputs]));
                assert.deepEqual(records.map(key).sort(), [...registered.keys()].sort());
                for (const record of records) {
                    assert.deepEqual(toAnalyzerWire(record.properties), registered.get(key(record)), key(record));
                }
                const verdict = await analyzeRecords(pack.session, records, {
                    stack,
                    project: PROJECT,
                    config: (info) => configForEveryPolicy(info, packSettings(stack)),
                });
                assert.equal(verdict.resources.filter((r) => !r.synthetic).length, records.length);
                assert.deepEqual(mandatory(verdict.diagnostics), [], show(mandatory(verdict.diagnostics)));
            });
        }
    });

    describe("the bad program", () => {
        it("produces exactly the expected mandatory violations, per resource", async () => {
            const { records } = await register(recorder, () => badProgram());
            const verdict = await analyzeRecords(pack.session, records, {
                stack: BAD_ENV,
                project: PROJECT,
                config: (info) => configForEveryPolicy(info, { env: BAD_ENV, registries: [BAD_REGISTRY] }),
            });
            const actual: Record<string, string[]> = {};
            for (const resource of verdict.resources) {
                const names = policyNames(mandatory(verdict.diagnostics.filter((d) => d.urn === resource.urn)));
                if (names.length > 0 || resource.name in EXPECTED_BAD_PROGRAM_VIOLATIONS) actual[resource.name] = names;
            }
            const expected = Object.fromEntries(
                Object.entries(EXPECTED_BAD_PROGRAM_VIOLATIONS).map(([name, names]) => [name, [...names].sort()]),
            );
            assert.deepEqual(actual, expected, show(mandatory(verdict.diagnostics)));
        });
    });

    describe("afterwards", () => {
        it("printed nothing to stdout but its port, and never dialed the engine address", () => {
            assert.equal(pack.process.stdoutAfterPort(), "");
            assert.equal(pack.process.engineConnections(), 0);
        });
    });
});

describe("npm run plan", function () {
    this.timeout(120_000);
    const PLAN = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");
    const plan = (...args: string[]) =>
        spawnSync(process.execPath, [PLAN, ...args], { cwd: REPO_ROOT, encoding: "utf8" });

    it("exits 2 on a usage error, naming a missing stack file and the stacks there are", () => {
        assert.equal(plan().status, 2);
        const missing = plan("qa");
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /^no stack file stacks\/Pulumi\.qa\.yaml; stacks: .*\bdev\b/m);
    });

    it("prints the dev stack's resource tree, the pack's verdicts and a summary, and exits 0", () => {
        const result = plan("dev");
        assert.equal(result.status, 0, result.stdout + result.stderr);
        const lines = result.stdout.split("\n");
        assert.ok(lines.includes("  pulumi:pulumi:Stack  k8s-baseline-dev"));
        assert.ok(lines.includes("    k8s-baseline:index:SecureEnvironment  dev"));
        assert.ok(lines.some((l) => /^ {6}k8s-baseline:index:SecureNamespace {2}dev-payments$/.test(l)));
        assert.ok(lines.some((l) => /^ {8}kubernetes:core\/v1:Namespace {2}dev-payments$/.test(l)));
        assert.match(result.stdout, /^Policy verdicts of k8s-baseline /m);
        // The charts' objects are not judged offline: each chart is named with its pinned version. Whether
        // its values could be judged depends on ../shared (plan.shared.test judges them).
        assert.ok(lines.includes("Not judged offline (judged only in a real pulumi preview):"));
        for (const [chart, version] of [
            ["kyverno", KYVERNO_CHART_VERSION],
            ["cert-manager", CERT_MANAGER_CHART_VERSION],
            ["external-secrets", EXTERNAL_SECRETS_CHART_VERSION],
        ]) {
            const at = lines.findIndex((l) => l.includes(`: chart ${chart} ${version} from `));
            assert.ok(at >= 0, `${chart} ${version} is not named`);
            assert.match(
                lines[at + 1],
                /^ {4}values: (judged against the chart's values\.yaml.*: no problem|not judged: no chart data at .*)$/,
            );
        }
        assert.match(
            result.stdout,
            /^Summary: stack dev: \d+ resources, \d+ policies: 0 mandatory, \d+ advisory; not judged offline: the objects of 4 Helm charts; chart values: \d of 4 judged, 0 problems\. PASS$/m,
        );
    });
});
