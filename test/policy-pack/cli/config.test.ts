/**
 * One configuration for preview and `check`: `check --env ENV` judges with policy-pack/config/<ENV>.json,
 * `--config FILE` with any pack config file, through the same schema and settings builder as the pack;
 * exemptions by object, applied by the engine; older API versions judged as their kind's current one.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENVIRONMENTS } from "../../../components/baseline";
import { main } from "../../../policy-pack/cli";
import { loadCheckConfig } from "../../../policy-pack/cli/config";
import { CONFIG_DIR } from "../../../policy-pack/config/generate";
import { checkResource, checkStack, exemptionFor } from "../../../policy-pack/engine";
import { ALL_POLICIES } from "../../../policy-pack/policies";
import { exemptionsInForce } from "../../../policy-pack/policies/exemptions";
import { currentTypeOf, normalizedResource, OLDER_API_TYPES } from "../../../policy-pack/policies/resource";
import { EnforcementLevel, PolicyResource } from "../../../policy-pack/policies/types";
import { SETTINGS_CONFIG_SCHEMA, settingsFrom } from "../../../policy-pack/settings";

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api@sha256:" + "3f".repeat(32);

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-config-"));
}

async function check(...argv: string[]): Promise<{ code: number; report: any; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", "--format", "json", ...argv], {
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
    });
    return { code, report: stdout === "" ? undefined : JSON.parse(stdout), stderr };
}

function mandatoryPolicies(report: any): string[] {
    const names = report.results.flatMap((r: any) =>
        r.violations.filter((v: any) => v.level === "mandatory").map((v: any) => v.policy),
    );
    return [...new Set<string>(names)].sort();
}

function privilegedPod(namespace = "payments", name = "debug", extra = ""): string {
    return (
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n` +
        `  automountServiceAccountToken: false\n  containers:\n    - name: c\n      image: ${IMAGE}\n` +
        `      securityContext:\n        privileged: true\n${extra}`
    );
}

/** A Deployment that breaks only the workload rules Kyverno audits in dev (no probes, no limits, a tag). */
function sloppyDeployment(): string {
    return [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:\n  name: api\n  namespace: payments",
        "spec:",
        "  selector:\n    matchLabels:\n      app: api",
        "  template:",
        "    metadata:\n      labels:\n        app: api",
        "    spec:",
        "      automountServiceAccountToken: false",
        "      securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault",
        "      containers:",
        "        - name: api",
        "          image: 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.2.3",
        "          securityContext:",
        "            allowPrivilegeEscalation: false",
        "            capabilities:\n              drop: [ALL]",
        "",
    ].join("\n");
}

describe("check: one configuration with the preview", () => {
    it("--env ENV reads policy-pack/config/<ENV>.json: its levels per policy and its settings", () => {
        for (const env of ENVIRONMENTS) {
            const file = JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${env}.json`), "utf8"));
            const config = loadCheckConfig({ env, policies: ALL_POLICIES });
            assert.equal(config.source, path.join(CONFIG_DIR, `${env}.json`));
            for (const policy of ALL_POLICIES) {
                assert.equal(config.levels[policy.name], file[policy.name].enforcementLevel, `${env} ${policy.name}`);
                const settings = config.settingsFor(policy);
                assert.equal(settings.env, env);
                assert.deepEqual([...settings.registries], file[policy.name].registries);
                assert.equal(settings.trustedUrns, false, "no URN in a file is the engine's");
            }
        }
    });

    it("a dev verdict is a dev preview's: the workload rules Kyverno audits in dev are advisory", async () => {
        const dir = tempDir();
        const file = path.join(dir, "deploy.yaml");
        fs.writeFileSync(file, sloppyDeployment());
        const prod = await check(file);
        assert.equal(prod.code, 1);
        assert.ok(mandatoryPolicies(prod.report).includes("workloads-probes"), JSON.stringify(prod.report));
        const dev = await check("--env", "dev", file);
        assert.equal(dev.code, 0, JSON.stringify(dev.report));
        const levels = dev.report.results.flatMap((r: any) => r.violations.map((v: any) => `${v.policy}=${v.level}`));
        assert.ok(levels.includes("workloads-probes=advisory"), levels.join(" "));
        // The same file given explicitly judges the same.
        const explicit = await check("--config", path.join(CONFIG_DIR, "dev.json"), file);
        assert.deepEqual(explicit.report, dev.report);
    });

    it("--config with a level per policy, `all`, and a disabled policy", async () => {
        const dir = tempDir();
        const pod = path.join(dir, "pod.yaml");
        fs.writeFileSync(pod, privilegedPod());
        const config = path.join(dir, "config.json");
        fs.writeFileSync(config, JSON.stringify({ all: "advisory", "pod-security-baseline": "mandatory" }));
        const run = await check("--config", config, pod);
        assert.equal(run.code, 1);
        assert.deepEqual(mandatoryPolicies(run.report), ["pod-security-baseline"]);
        fs.writeFileSync(
            config,
            JSON.stringify({ "pod-security-baseline": "disabled", "pod-security-restricted": "disabled" }),
        );
        const off = await check("--config", config, pod);
        assert.ok(!JSON.stringify(off.report).includes("pod-security-baseline"));
    });

    it("refuses a config the pack would refuse, naming every problem", async () => {
        const dir = tempDir();
        const config = path.join(dir, "bad.json");
        fs.writeFileSync(
            config,
            JSON.stringify({
                "no-such-policy": "mandatory",
                "pod-security-baseline": { enforcementLevel: "blocking" },
                "workloads-probes": { env: "qa" },
                "rbac-no-wildcards": { exemptions: [{ kind: "Pod", name: "p", expires: "2030-01-01" }] },
            }),
        );
        const run = await check("--config", config, "x.yaml");
        assert.equal(run.code, 2);
        assert.match(run.stderr, /"no-such-policy" is not a policy of the pack/);
        assert.match(run.stderr, /enforcementLevel "blocking"/);
        assert.match(run.stderr, /workloads-probes.*env/);
        assert.match(run.stderr, /rbac-no-wildcards.*owner/);
        fs.writeFileSync(config, JSON.stringify({ "workloads-probes": { env: "dev" } }));
        const conflict = await check("--config", config, "--env", "prod", "x.yaml");
        assert.equal(conflict.code, 2);
        assert.match(conflict.stderr, /judges as env dev, but --env is prod/);
    });

    it("--registries replaces the config's registries", async () => {
        const dir = tempDir();
        const file = path.join(dir, "deploy.yaml");
        fs.writeFileSync(file, sloppyDeployment());
        const messages = async (...args: string[]) =>
            (await check("--env", "prod", ...args, file)).report.results
                .flatMap((r: any) => r.violations)
                .filter((v: any) => v.policy === "workloads-approved-registries");
        assert.equal((await messages()).length, 1, "prod's registry is not dev's");
        assert.equal((await messages("--registries", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/")).length, 0);
    });

    it("the config takes a Pod Security version, and --version only a known one", async () => {
        const dir = tempDir();
        const pod = path.join(dir, "pod.yaml");
        fs.writeFileSync(pod, privilegedPod());
        const config = path.join(dir, "config.json");
        fs.writeFileSync(config, JSON.stringify({ "pod-security-baseline": { podSecurityVersion: "v1.22" } }));
        const run = await check("--config", config, pod);
        assert.match(JSON.stringify(run.report), /baseline \(v1\.22\)/);
        fs.writeFileSync(config, JSON.stringify({ "pod-security-baseline": { podSecurityVersion: "v1.38" } }));
        assert.equal((await check("--config", config, pod)).code, 2);
        assert.equal((await check("--version", "v1.37", pod)).code, 1);
        assert.equal((await check("--version", "latest", pod)).code, 1);
        assert.equal((await check("--version", "v1.38", pod)).code, 2);
    });

    it("the schema has exemptions with owner, reason and expiry required, and no exemptNamespaces", () => {
        const properties = SETTINGS_CONFIG_SCHEMA.properties;
        assert.equal(properties.exemptNamespaces, undefined);
        const items = properties.exemptions.items as { required: string[] };
        assert.deepEqual([...items.required].sort(), ["expires", "kind", "name", "owner", "reason"]);
        assert.ok(properties.podSecurityVersion);
    });
});

describe("exemptions by object", () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const base = { owner: "team-payments", reason: "a debug pod for an incident" };
    const pod = (namespace: string, name: string): PolicyResource => ({
        type: "kubernetes:core/v1:Pod",
        name,
        props: {
            metadata: { name, namespace },
            spec: { containers: [{ name: "c", securityContext: { privileged: true } }] },
        },
    });

    it("exempt exactly the object named, from the policies named, until it expires", () => {
        const settings = settingsFrom(
            {
                env: "prod",
                exemptions: [
                    {
                        kind: "Pod",
                        namespace: "payments",
                        name: "debug",
                        policies: ["p1"],
                        expires: "2026-07-01",
                        ...base,
                    },
                ],
            },
            now,
        );
        assert.ok(exemptionFor(pod("payments", "debug"), "p1", settings));
        assert.equal(exemptionFor(pod("payments", "debug"), "p2", settings), undefined, "another policy");
        assert.equal(exemptionFor(pod("payments", "debug2"), "p1", settings), undefined, "another name");
        assert.equal(exemptionFor(pod("kube-system", "debug"), "p1", settings), undefined, "another namespace");
        const unknown: PolicyResource = {
            ...pod("payments", "debug"),
            props: { metadata: Symbol.for("k8s-baseline.unknown") },
        };
        assert.equal(exemptionFor(unknown, "p1", settings), undefined, "unknown metadata exempts nothing");
    });

    it("a namespaced object is exempt only where its manifest names its namespace, and only by its namespace", () => {
        const exemptions = [
            { kind: "Pod", name: "debug", expires: "2999-01-01", ...base },
            { kind: "Pod", namespace: "payments", name: "named", expires: "2999-01-01", ...base },
            { kind: "ClusterRoleBinding", namespace: "payments", name: "break-glass", expires: "2999-01-01", ...base },
            { kind: "ClusterRoleBinding", name: "kept", expires: "2999-01-01", ...base },
        ];
        const settings = settingsFrom({ env: "prod", exemptions }, now);
        const unplaced = (name: string, namespace?: unknown): PolicyResource => ({
            ...pod("payments", name),
            props: {
                ...pod("payments", name).props,
                metadata: namespace === undefined ? { name } : { name, namespace },
            },
        });
        // A name alone is one anyone can give an object in a namespace of their own.
        assert.equal(exemptionFor(unplaced("debug"), "any", settings), undefined, "no namespace on either side");
        assert.equal(exemptionFor(unplaced("debug", ""), "any", settings), undefined, "an empty namespace");
        assert.equal(exemptionFor(pod("team-x", "debug"), "any", settings), undefined, "a namespace of its own");
        // The object that names the exemption's namespace is exempt; the same name applied anywhere is not.
        assert.ok(exemptionFor(pod("payments", "named"), "any", settings));
        assert.equal(exemptionFor(unplaced("named"), "any", settings), undefined, "applied into any namespace");
        // A cluster-scoped object has no namespace: its manifest's namespace field is not read.
        const binding = (name: string, namespace?: string): PolicyResource => ({
            type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            name,
            props: { metadata: namespace === undefined ? { name } : { name, namespace } },
        });
        assert.ok(exemptionFor(binding("kept"), "any", settings));
        assert.ok(exemptionFor(binding("kept", "anything"), "any", settings));
        assert.equal(exemptionFor(binding("break-glass", "payments"), "any", settings), undefined);
        const found = checkStack([], [exemptionsInForce], settings);
        assert.deepEqual(
            found.map((v) => v.message.replace(/^.*exempts nothing: /, "")),
            [
                "it names no namespace, and a Pod lives in one (a cluster-scoped kind the pack does not know is read as namespaced)",
                "it names namespace payments, but a ClusterRoleBinding is cluster-scoped",
            ],
        );
        assert.ok(found.every((v) => v.level === EnforcementLevel.Mandatory));
    });

    it("an expired exemption, or one without an owner, exempts nothing and is a mandatory finding", async () => {
        const exemptions = [
            { kind: "Pod", namespace: "payments", name: "debug", expires: "2026-06-01", ...base },
            { kind: "Pod", namespace: "payments", name: "other", expires: "2027-01-01", owner: "", reason: "x" },
            { kind: "Pod", namespace: "payments", name: "kept", expires: "2027-01-01", ...base },
        ];
        const settings = settingsFrom({ env: "prod", exemptions }, now);
        assert.equal(exemptionFor(pod("payments", "debug"), "any", settings), undefined);
        assert.equal(exemptionFor(pod("payments", "other"), "any", settings), undefined);
        assert.ok(exemptionFor(pod("payments", "kept"), "any", settings));
        const found = checkStack([], [exemptionsInForce], settings);
        assert.deepEqual(
            found.map((v) => [v.level, /expired on 2026-06-01|names no owner/.test(v.message)]),
            [
                [EnforcementLevel.Mandatory, true],
                [EnforcementLevel.Mandatory, true],
            ],
        );
    });

    it("every policy honours them, stack policies included, in check as in the pack's engine", async () => {
        const dir = tempDir();
        const file = path.join(dir, "objects.yaml");
        fs.writeFileSync(
            file,
            `${privilegedPod("payments", "debug")}---\n` +
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: break-glass\n" +
                "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n" +
                "subjects:\n  - kind: Group\n    apiGroup: rbac.authorization.k8s.io\n    name: oncall\n",
        );
        const before = await check(file);
        for (const name of ["pod-security-baseline", "rbac-no-cluster-admin", "rbac-no-cluster-secret-read"]) {
            assert.ok(mandatoryPolicies(before.report).includes(name), name);
        }
        const config = path.join(dir, "config.json");
        const exemptions = [
            { kind: "Pod", namespace: "payments", name: "debug", expires: "2999-01-01", ...base },
            { kind: "ClusterRoleBinding", name: "break-glass", expires: "2999-01-01", ...base },
        ];
        const block = { exemptions };
        fs.writeFileSync(config, JSON.stringify(Object.fromEntries(ALL_POLICIES.map((p) => [p.name, block]))));
        const after = await check("--config", config, file);
        assert.equal(after.code, 0, JSON.stringify(after.report));
        assert.deepEqual(mandatoryPolicies(after.report), []);
        // Expired: nothing is exempt, and the exemption itself is reported.
        const expired = { exemptions: exemptions.map((e) => ({ ...e, expires: "2020-01-01" })) };
        fs.writeFileSync(config, JSON.stringify(Object.fromEntries(ALL_POLICIES.map((p) => [p.name, expired]))));
        const lapsed = await check("--config", config, file);
        assert.deepEqual(
            mandatoryPolicies(lapsed.report),
            [...mandatoryPolicies(before.report), "exemptions-in-force"].sort(),
        );
    });
});

describe("older API versions, judged as their kind's current one", () => {
    it("map every removed version of the kinds policies judge to the current type token", () => {
        const expected: Record<string, string> = {
            "kubernetes:extensions/v1beta1:Deployment": "kubernetes:apps/v1:Deployment",
            "kubernetes:extensions/v1beta1:DaemonSet": "kubernetes:apps/v1:DaemonSet",
            "kubernetes:extensions/v1beta1:ReplicaSet": "kubernetes:apps/v1:ReplicaSet",
            "kubernetes:apps/v1beta1:Deployment": "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1beta2:DaemonSet": "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1beta1:StatefulSet": "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1beta2:StatefulSet": "kubernetes:apps/v1:StatefulSet",
            "kubernetes:batch/v1beta1:CronJob": "kubernetes:batch/v1:CronJob",
            "kubernetes:batch/v2alpha1:CronJob": "kubernetes:batch/v1:CronJob",
            "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBinding":
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            "kubernetes:rbac.authorization.k8s.io/v1alpha1:Role": "kubernetes:rbac.authorization.k8s.io/v1:Role",
            "kubernetes:extensions/v1beta1:NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:extensions/v1beta1:Ingress": "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:networking.k8s.io/v1beta1:Ingress": "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:admissionregistration.k8s.io/v1beta1:ValidatingWebhookConfiguration":
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
            "kubernetes:admissionregistration.k8s.io/v1beta1:MutatingWebhookConfiguration":
                "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
        };
        for (const [older, current] of Object.entries(expected)) assert.equal(currentTypeOf(older), current, older);
        assert.equal(currentTypeOf("kubernetes:apps/v1:Deployment"), "kubernetes:apps/v1:Deployment");
        assert.equal(OLDER_API_TYPES.get("kubernetes:policy/v1beta1:PodSecurityPolicy")?.judged, false);
        // Every current type is one some policy or the pack's kinds know.
        for (const { current } of OLDER_API_TYPES.values()) assert.match(current, /^kubernetes:[a-z0-9./]+:[A-Z]/);
    });

    it("a v1beta1 Ingress's backends as v1 spells them", () => {
        const ingress = normalizedResource({
            type: "kubernetes:extensions/v1beta1:Ingress",
            name: "web",
            props: {
                apiVersion: "extensions/v1beta1",
                metadata: { name: "web", namespace: "payments" },
                spec: {
                    backend: { serviceName: "web", servicePort: 80 },
                    rules: [
                        {
                            host: "a",
                            http: { paths: [{ path: "/", backend: { serviceName: "api", servicePort: "http" } }] },
                        },
                    ],
                },
            },
        });
        assert.equal(ingress.type, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.equal(ingress.props.apiVersion, "networking.k8s.io/v1");
        assert.deepEqual(ingress.props.spec.defaultBackend, { service: { name: "web", port: { number: 80 } } });
        assert.deepEqual(ingress.props.spec.rules[0].http.paths[0].backend, {
            service: { name: "api", port: { name: "http" } },
        });
    });

    it("a privileged DaemonSet in extensions/v1beta1 is refused exactly as in apps/v1", () => {
        const props = {
            metadata: { name: "agent", namespace: "payments" },
            spec: {
                template: {
                    spec: { containers: [{ name: "c", image: IMAGE, securityContext: { privileged: true } }] },
                },
            },
        };
        const settings = settingsFrom({ env: "prod" }, new Date(), false);
        const judge = (type: string) =>
            checkResource({ type, name: "agent", props }, ALL_POLICIES, settings).map((v) => `${v.policy}:${v.level}`);
        const current = judge("kubernetes:apps/v1:DaemonSet");
        assert.ok(current.includes("pod-security-baseline:mandatory"), current.join(" "));
        assert.deepEqual(judge("kubernetes:extensions/v1beta1:DaemonSet"), current);
        assert.deepEqual(judge("kubernetes:apps/v1beta2:DaemonSet"), current);
    });

    it("check says which objects use a version the pinned Kubernetes no longer serves, and what no policy judges", async () => {
        const dir = tempDir();
        const file = path.join(dir, "old.yaml");
        fs.writeFileSync(
            file,
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: open\nspec: {}\n---\n" +
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: payments\n---\n" +
                "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: j\n  namespace: payments\n" +
                "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n" +
                `          containers:\n            - name: c\n              image: ${IMAGE}\n` +
                "              securityContext:\n                privileged: true\n",
        );
        const run = await check(file);
        assert.equal(run.code, 1);
        const notices: string[] = run.report.notices;
        assert.ok(
            notices.some((n) =>
                /#0: PodSecurityPolicy open uses policy\/v1beta1, which Kubernetes stopped serving in v1\.25/.test(n),
            ),
            notices.join("\n"),
        );
        assert.ok(notices.some((n) => /#2: CronJob j uses batch\/v1beta1.*judged as batch\/v1 CronJob/.test(n)));
        assert.ok(
            notices.includes("not judged by any policy: ConfigMap (1), PodSecurityPolicy (1)"),
            notices.join("\n"),
        );
        assert.equal(run.report.summary.notJudged, 2);
        assert.ok(mandatoryPolicies(run.report).includes("pod-security-baseline"));
    });
});

describe("check: inputs that hold nothing, or are reached twice", () => {
    it("names an empty file, a file without objects, and a file reached again through a link", async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "empty.yaml"), "");
        fs.writeFileSync(path.join(dir, "comments.yaml"), "# nothing here\n---\n");
        fs.writeFileSync(path.join(dir, "pod.yaml"), privilegedPod());
        fs.symlinkSync(path.join(dir, "pod.yaml"), path.join(dir, "zz-link.yaml"));
        fs.symlinkSync(dir, path.join(dir, "loop"));
        const run = await check(dir);
        assert.equal(run.code, 1);
        const notices: string[] = run.report.notices;
        assert.ok(
            notices.some((n) => /empty\.yaml: empty, nothing in it to check/.test(n)),
            notices.join("\n"),
        );
        assert.ok(notices.some((n) => /comments\.yaml: no Kubernetes object/.test(n)));
        assert.ok(notices.some((n) => /zz-link\.yaml: the same file as .*pod\.yaml/.test(n)));
        assert.equal(run.report.summary.resources, 1, "the linked file and the looping folder are read once");
    });

    it("a bad file is reported with its document and line, and the other files are still judged: exit 2", async () => {
        const dir = tempDir();
        const bad = path.join(dir, "bad.yaml");
        fs.writeFileSync(bad, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n- just\n- a list\n");
        fs.writeFileSync(path.join(dir, "pod.yaml"), privilegedPod());
        const run = await check(dir);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /cannot parse .*bad\.yaml#1: expected a Kubernetes object, found a list \(line 6\)/);
        assert.ok(mandatoryPolicies(run.report).includes("pod-security-baseline"));
    });

    it("an input with no resources at all says so", async () => {
        const dir = tempDir();
        const file = path.join(dir, "empty.json");
        fs.writeFileSync(file, "[]");
        const run = await check(file);
        assert.equal(run.code, 0);
        assert.ok(run.report.notices.includes("no resources to check in the input"), run.report.notices.join("\n"));
    });
});
