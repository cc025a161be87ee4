/**
 * The pack's dispatch (adapter.ts dispatchedPolicies): every policy registered by name, one of them judging
 * for all through a table by type. It must say exactly what one SDK policy per pack policy says, under every
 * config the CLI can send, and reach every policy of the pack, including any added later.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzeAll } from "../../bench/analyze-all";
import { workload } from "../../bench/workload";
import {
    dispatchedPolicies,
    observeConfigure,
    SDK_CONFIGURE_OBSERVED,
    toPulumiPolicies,
} from "../../policy-pack/adapter";
import {
    AnalyzerResource,
    AnalyzerSession,
    configForEveryPolicy,
    Diagnostic,
    PolicyPackConfig,
    analyzeRequest,
    reconcilePolicyConfig,
} from "../../policy-pack/harness/analyzer-client";
import { PACK_DIR } from "../../policy-pack/harness/paths";
import { Pack, startPack } from "../../policy-pack/harness/resources";
import { packSettings, stackConfigText } from "../../policy-pack/harness/stack-config";
import { UNKNOWN_WIRE } from "../../policy-pack/harness/wire";
import { ALL_POLICIES } from "../../policy-pack/policies";
import { Policy, ResourcePolicy } from "../../policy-pack/policies/types";
import { REPO_ROOT } from "../shared";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(
        name: string,
        version: string,
        level: string,
        policies: unknown[],
    ): (call: { request: unknown }, callback: (err: unknown, response: any) => void) => Promise<void>;
};

const STACK = "prod";
const PROJECT = "k8s-baseline";
const PACK_NAME = "k8s-baseline";
const PACK_VERSION = (JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8")) as { version: string })
    .version;

const resourcePolicies = ALL_POLICIES.filter((policy): policy is ResourcePolicy => policy.kind === "resource");

/** Analyzes one resource in this process with the SDK's own Analyze handler over `policies`. */
async function analyzeInProcess(policies: unknown[], resource: AnalyzerResource): Promise<string[]> {
    const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, "advisory", policies);
    const response = await new Promise<any>((resolve, reject) =>
        analyze({ request: analyzeRequest(resource) }, (err, res) => (err ? reject(err) : resolve(res))),
    );
    assert.deepEqual(response.getNotApplicableList(), []);
    return response
        .getDiagnosticsList()
        .map((d: any) =>
            JSON.stringify([d.getPolicyname(), d.getEnforcementlevel(), d.getSeverity(), d.getUrn(), d.getMessage()]),
        );
}

function resourceOfType(type: string, i: number): AnalyzerResource {
    return {
        urn: `urn:pulumi:${STACK}::${PROJECT}::${type}::probe-${i}`,
        type,
        name: `probe-${i}`,
        properties: { metadata: { name: `probe-${i}`, namespace: "shop" } },
        options: {},
    };
}

describe("the pack's dispatch", () => {
    it("is in effect on the pinned @pulumi/policy", () => {
        assert.equal(SDK_CONFIGURE_OBSERVED, true);
        const registered = dispatchedPolicies(ALL_POLICIES, PACK_NAME);
        // Every policy registered, in order, with its own name, description, level and severity.
        assert.deepEqual(
            registered.map((p) => [p.name, p.description, p.enforcementLevel, p.severity]),
            ALL_POLICIES.map((p) => [p.name, p.description, p.enforcementLevel, p.severity]),
        );
        // One validation in all: the SDK runs nothing for the others.
        const validations = registered.flatMap((p) =>
            "validateResource" in p && Array.isArray(p.validateResource) ? p.validateResource : [],
        );
        assert.equal(validations.length, 1);
    });

    it("reaches every resource policy of the pack for each type it names, and no other", async () => {
        // Each policy replaced by a probe with the same name and types that reports once whenever it runs.
        const probes: Policy[] = ALL_POLICIES.map((policy) =>
            policy.kind === "resource"
                ? { ...policy, validate: (_r, _s, report) => report.violation("reached") }
                : policy,
        );
        const registered = dispatchedPolicies(probes, PACK_NAME);
        const types = [...new Set(resourcePolicies.flatMap((p) => p.types ?? []))];
        types.push("example:index:Unjudged");
        assert.ok(types.length > 20, `policies name ${types.length} types`);
        const reached = new Set<string>();
        for (const [i, type] of types.entries()) {
            const names = (await analyzeInProcess(registered, resourceOfType(type, i))).map(
                (d) => JSON.parse(d)[0] as string,
            );
            const expected = resourcePolicies.filter((p) => !p.types || p.types.includes(type)).map((p) => p.name);
            assert.deepEqual(names, expected, type);
            for (const name of names) reached.add(name);
        }
        assert.deepEqual(
            resourcePolicies.map((p) => p.name).filter((name) => !reached.has(name)),
            [],
        );
    });

    it("reports in this process exactly what one SDK policy per pack policy reports", async () => {
        const dispatched = dispatchedPolicies(ALL_POLICIES, PACK_NAME);
        const each = toPulumiPolicies(ALL_POLICIES);
        const inputs = hostile(benchTemplates(), 400);
        for (const resource of inputs) {
            const expected = await analyzeInProcess(each, resource);
            assert.deepEqual(await analyzeInProcess(dispatched, resource), expected, resource.urn);
            if (HOSTILE.has(resource)) assert.notDeepEqual(expected, [], resource.urn);
        }
    });
});

describe("observeConfigure", () => {
    function wireRequest(entries: [string, Record<string, unknown>, number][]) {
        return {
            getPolicyconfigMap: () => ({
                entries: () =>
                    entries.map(([name, props, level]) => [
                        name,
                        { getProperties: () => ({ toJavaScript: () => props }), getEnforcementlevel: () => level },
                    ]),
            }),
        };
    }
    const convert = (level: number) => {
        const names = ["advisory", "mandatory", "disabled", "remediate"];
        if (names[level] === undefined) throw new Error(`Unknown enforcement level ${level}.`);
        return names[level];
    };

    it("passes on each Configure's config as the SDK decodes it, and the request unchanged", () => {
        const request = wireRequest([
            ["a", { registries: ["r/"], enforcementLevel: "ignored" }, 1],
            ["b", {}, 2],
        ]);
        const method = { requestDeserialize: (_buffer: Buffer): unknown => request };
        const seen: unknown[] = [];
        assert.equal(
            observeConfigure(method, convert, (config) => seen.push([...config])),
            true,
        );
        assert.equal(method.requestDeserialize(Buffer.alloc(0)), request);
        assert.deepEqual(seen, [
            [
                ["a", { enforcementLevel: "mandatory", settings: { registries: ["r/"] } }],
                ["b", { enforcementLevel: "disabled", settings: {} }],
            ],
        ]);
    });

    it("passes nothing on for a config the SDK refuses, and leaves another shape alone", () => {
        const method = { requestDeserialize: (_buffer: Buffer): unknown => wireRequest([["a", {}, 9]]) };
        const seen: unknown[] = [];
        observeConfigure(method, convert, (config) => seen.push(config));
        method.requestDeserialize(Buffer.alloc(0));
        assert.deepEqual(seen, []);
        assert.equal(
            observeConfigure(undefined, convert, () => undefined),
            false,
        );
        assert.equal(
            observeConfigure({} as never, convert, () => undefined),
            false,
        );
    });
});

// ---------------------------------------------------------------------------------------------------------

let templates: AnalyzerResource[] | undefined;

/** The bench's templates: the prod platform program with 10 apps, as `npm run bench` dumps it. */
function benchTemplates(): AnalyzerResource[] {
    if (templates) return templates;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-dispatch-"));
    try {
        const dump = path.join(dir, "templates.json");
        const child = spawnSync(
            process.execPath,
            [path.join(REPO_ROOT, "dist", "bench", "plan-child.js"), "platform", "10", dump],
            {
                encoding: "utf8",
            },
        );
        assert.equal(child.status, 0, child.stderr);
        templates = JSON.parse(fs.readFileSync(dump, "utf8")) as AnalyzerResource[];
        return templates;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The resources hostile() made hostile: each draws at least one diagnostic from the pack. */
const HOSTILE = new WeakSet<AnalyzerResource>();

/**
 * The bench's workload of `count` resources, with every fifth Deployment or Pod made hostile in turn:
 * privileged, a mutable image from another registry, an image unknown at preview, an older API version.
 */
function hostile(programResources: readonly AnalyzerResource[], count: number): AnalyzerResource[] {
    let n = 0;
    const made = (resource: AnalyzerResource) => (HOSTILE.add(resource), resource);
    return workload(programResources, count, { stack: STACK, project: PROJECT }).map((resource) => {
        if (!/:(Deployment|Pod)$/.test(resource.type) || n++ % 5 !== 0) return resource;
        const properties = structuredClone(resource.properties) as any;
        const spec = resource.type.endsWith(":Pod") ? properties.spec : properties.spec.template.spec;
        const container = spec.containers[0];
        switch (((n / 5) % 4) | 0) {
            case 0:
                container.securityContext = { privileged: true };
                break;
            case 1:
                container.image = "nginx:latest";
                break;
            case 2:
                container.image = UNKNOWN_WIRE;
                break;
            default:
                if (resource.type.endsWith(":Deployment")) {
                    spec.hostNetwork = true;
                    return made({ ...resource, type: "kubernetes:extensions/v1beta1:Deployment", properties });
                }
                spec.hostPID = true;
        }
        return made({ ...resource, properties });
    });
}

/** A pack folder serving the same policies through one SDK policy each (adapter.ts toPulumiPolicies). */
function perPolicyPackDir(root: string): string {
    const dir = path.join(root, "per-policy");
    fs.mkdirSync(dir);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: one SDK policy per policy\n");
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "per-policy", version: PACK_VERSION, private: true, main: "index.js" }),
    );
    const dist = path.join(REPO_ROOT, "dist", "policy-pack");
    fs.writeFileSync(
        path.join(dir, "index.js"),
        [
            `"use strict";`,
            `const { PolicyPack } = require("@pulumi/policy");`,
            `const { toPulumiPolicies } = require(${JSON.stringify(path.join(dist, "adapter"))});`,
            `const { ALL_POLICIES } = require(${JSON.stringify(path.join(dist, "policies"))});`,
            `new PolicyPack(${JSON.stringify(PACK_NAME)}, { policies: toPulumiPolicies(ALL_POLICIES) });`,
            "",
        ].join("\n"),
    );
    return dir;
}

const key = (d: Diagnostic) =>
    JSON.stringify([
        d.urn,
        d.policyName,
        d.policyPackName,
        d.policyPackVersion,
        d.enforcementLevel,
        d.severity,
        d.description,
        d.message,
    ]);

/** Each resource's diagnostics, one request at a time. */
async function serialDiagnostics(
    session: AnalyzerSession,
    resources: readonly AnalyzerResource[],
): Promise<string[][]> {
    const out: string[][] = [];
    for (const resource of resources) out.push((await session.analyze(resource)).map(key));
    return out;
}

describe("the pack's dispatch over the analyzer protocol", function () {
    this.timeout(300_000);
    let root: string;
    let packs: { dispatched: Pack; perPolicy: Pack } | undefined;
    let resources: AnalyzerResource[];

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-dispatch-"));
        resources = hostile(benchTemplates(), 600);
        const dispatched = await startPack({ stack: { stack: STACK, project: PROJECT } });
        try {
            packs = {
                dispatched,
                perPolicy: await startPack({
                    packDir: perPolicyPackDir(root),
                    stack: { stack: STACK, project: PROJECT },
                }),
            };
        } catch (err) {
            await dispatched.stop();
            throw err;
        }
    });

    after(async () => {
        await packs?.dispatched.stop();
        await packs?.perPolicy.stop();
        fs.rmSync(root, { recursive: true, force: true });
    });

    async function configureBoth(
        config: (info: Awaited<ReturnType<AnalyzerSession["getAnalyzerInfo"]>>) => PolicyPackConfig,
    ) {
        for (const pack of [packs!.dispatched, packs!.perPolicy]) {
            await pack.session.configureStack({
                stack: STACK,
                project: PROJECT,
                dryRun: true,
                config: stackConfigText(STACK),
            });
            const info = await pack.session.getAnalyzerInfo();
            await pack.session.configure(reconcilePolicyConfig(info, config(info)));
        }
    }

    it("describes the same pack in GetAnalyzerInfo", async () => {
        assert.deepEqual(
            await packs!.dispatched.session.getAnalyzerInfo(),
            await packs!.perPolicy.session.getAnalyzerInfo(),
        );
    });

    const configs: Record<string, (info: Awaited<ReturnType<AnalyzerSession["getAnalyzerInfo"]>>) => PolicyPackConfig> =
        {
            "no config": () => ({}),
            "the prod settings for every policy, as the plan and the bench send them": (info) =>
                configForEveryPolicy(info, packSettings(STACK)),
            "per-policy levels and settings: the first policy disabled, others advisory or mandatory, one policy's registries":
                (info) => {
                    const base = configForEveryPolicy(info, packSettings(STACK)) as Record<
                        string,
                        Record<string, unknown>
                    >;
                    const [first, second] = resourcePolicies;
                    return {
                        ...base,
                        [first.name]: "disabled",
                        [second.name]: { ...base[second.name], enforcementLevel: "advisory" },
                        "workloads-approved-registries": {
                            ...base["workloads-approved-registries"],
                            registries: ["docker.io/library/"],
                        },
                        "pod-security-restricted": { ...base["pod-security-restricted"], enforcementLevel: "disabled" },
                        "pod-security-baseline": { ...base["pod-security-baseline"], enforcementLevel: "remediate" },
                    };
                },
            "every policy disabled": (info) => Object.fromEntries(info.policies.map((p) => [p.name, "disabled"])),
        };

    for (const [name, config] of Object.entries(configs)) {
        it(`gives the same diagnostics for the bench's inputs, hostile ones included: ${name}`, async () => {
            await configureBoth(config);
            const expected = await serialDiagnostics(packs!.perPolicy.session, resources);
            const got = await serialDiagnostics(packs!.dispatched.session, resources);
            for (const [i, resource] of resources.entries()) assert.deepEqual(got[i], expected[i], resource.urn);
            const total = expected.reduce((sum, list) => sum + list.length, 0);
            const silent = name === "every policy disabled";
            for (const [i, resource] of resources.entries()) {
                if (HOSTILE.has(resource)) assert.equal(expected[i].length === 0, silent, resource.urn);
            }
            // The bench's count with its concurrent workers equals this serial count.
            const concurrent = await analyzeAll(packs!.dispatched.session, resources, 4);
            assert.equal(concurrent.diagnostics, total);
        });
    }
});
