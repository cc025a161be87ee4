/**
 * The package run as the engine runs it for a Python, Go, .NET or YAML program: started through
 * `@pulumi/pulumi/cmd/run-plugin` with a fake engine, asked for its plugin info and schema with the generated
 * gRPC client, and asked to construct a SecureEnvironment with the inputs examples/yaml/Pulumi.yaml sends,
 * against a fake resource monitor, in an update and in a preview.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import { CONTRACT_VERSION } from "../../components/contract";
import { formatSchema, GOLDEN_SCHEMA_PATH, readGoldenSchema, readPackageJSON, REPO_ROOT } from "../schema/infer-schema";
import { Empty, FakeEngine, plainOf, Registered, stackUrn, Struct, UNKNOWN } from "./engine";
import { launchPlugin, PluginProcess, providerMessages, unary } from "./plugin";
import { constructInputs, readYamlProgram, YAML_EXAMPLE_DIR } from "./yaml-program";

const TOKEN = (name: string) => `k8s-baseline:index:${name}`;
const STACK = { project: "shop-platform-stage", stack: "stage" };
const DB_PASSWORD = "correct-horse-battery-staple";

interface Constructed {
    readonly urn: string;
    readonly state: Record<string, any>;
    readonly registered: Registered[];
}

describe("the package as a plugin, started as the engine starts it", function () {
    // Start-up loads the components; the first GetSchema runs the TypeScript analyzer over the sources.
    this.timeout(90_000);

    const engine = new FakeEngine(STACK);
    let plugin: PluginProcess;
    let schemaText = "";
    let getSchemaMs = 0;

    before(async () => {
        await engine.start();
        // The language host runs the plugin in the consumer program's directory, here the YAML example.
        plugin = await launchPlugin({
            pluginDir: REPO_ROOT,
            cwd: YAML_EXAMPLE_DIR,
            engineAddress: engine.engineAddress,
            engineFlags: ["--logtostderr", "-v=1"],
        });
        const request = new providerMessages.GetSchemaRequest();
        request.setVersion(0);
        const started = performance.now();
        const response = await unary<providerPb.GetSchemaRequest, providerPb.GetSchemaResponse>(
            plugin.client,
            "getSchema",
            request,
        );
        getSchemaMs = performance.now() - started;
        schemaText = response.getSchema();
        console.log(
            `      plugin start-up: ${Math.round(plugin.startupMs)} ms to the port, first GetSchema ${Math.round(getSchemaMs)} ms`,
        );
    });

    after(async () => {
        await plugin?.stop();
        await engine.stop();
    });

    async function construct(dryRun: boolean): Promise<Constructed> {
        engine.reset(dryRun);
        const program = readYamlProgram();
        const inputs = constructInputs(program, "stage", { paymentsDbPassword: DB_PASSWORD });
        const req = new providerMessages.ConstructRequest();
        req.setProject(STACK.project);
        req.setStack(STACK.stack);
        req.setOrganization("acme");
        req.setDryrun(dryRun);
        req.setParallel(16);
        req.setMonitorendpoint(engine.monitorAddress);
        req.setType(program.resources.stage.type);
        req.setName("stage");
        req.setParent(stackUrn(STACK));
        req.setInputs(Struct.fromJavaScript(inputs as any));
        req.getConfigMap().set(`${STACK.project}:paymentsDbPassword`, DB_PASSWORD);
        req.setConfigsecretkeysList([`${STACK.project}:paymentsDbPassword`]);
        req.setAcceptsOutputValues(true);
        const res = await unary<providerPb.ConstructRequest, providerPb.ConstructResponse>(
            plugin.client,
            "construct",
            req,
        );
        return {
            urn: res.getUrn(),
            state: plainOf(res.getState()?.toJavaScript() ?? {}) as Record<string, any>,
            registered: [...engine.registered],
        };
    }

    function ofType(registered: readonly Registered[], type: string): Registered[] {
        return registered.filter((r) => r.type === type);
    }

    function assertTree(constructed: Constructed): void {
        const byUrn = new Map(constructed.registered.map((r) => [r.urn, r]));
        const root = constructed.registered.filter((r) => r.type === TOKEN("SecureEnvironment"));
        assert.equal(root.length, 1, "one SecureEnvironment");
        assert.equal(root[0].urn, constructed.urn, "Construct answers with the component's URN");
        assert.equal(root[0].parent, stackUrn(STACK), "the component is the stack's child, as the program asked");
        assert.equal(root[0].custom, false);
        for (const r of constructed.registered) {
            if (r === root[0]) continue;
            assert.ok(
                byUrn.has(r.parent),
                `${r.type} ${r.name} has parent ${r.parent}, not a resource of the component`,
            );
            assert.ok(r.urn.startsWith(`urn:pulumi:stage::${STACK.project}::${TOKEN("SecureEnvironment")}$`), r.urn);
        }
        const parentType = (r: Registered) => byUrn.get(r.parent)?.type;
        // The component's own pieces, each a component of this package, directly under it.
        const direct = new Map<string, number>();
        for (const r of constructed.registered.filter((x) => x.parent === constructed.urn)) {
            direct.set(r.type, (direct.get(r.type) ?? 0) + 1);
        }
        assert.deepEqual(
            Object.fromEntries([...direct].sort()),
            {
                [TOKEN("AppExternalSecrets")]: 1,
                [TOKEN("AppSecrets")]: 1,
                [TOKEN("BaselinePolicies")]: 1,
                [TOKEN("CertManager")]: 1,
                [TOKEN("EnvironmentIssuer")]: 1,
                [TOKEN("EnvironmentIsolationPolicies")]: 1,
                [TOKEN("EnvironmentKey")]: 1,
                [TOKEN("ExternalSecretsOperator")]: 1,
                [TOKEN("Kyverno")]: 1,
                [TOKEN("RuntimeSecurity")]: 1,
                [TOKEN("SecureNamespace")]: 5,
                [TOKEN("WorkloadIdentity")]: 2,
            },
            "the environment's components: 3 platform and 2 app namespaces, the runtime sensor, an identity per app, secrets for payments",
        );
        const namespaces = ofType(constructed.registered, "kubernetes:core/v1:Namespace");
        assert.deepEqual(namespaces.map((n) => (n.inputs.metadata as any)?.name).sort(), [
            "cert-manager",
            "external-secrets",
            "kyverno",
            "payments",
            "reports",
            "runtime-security",
        ]);
        for (const n of namespaces) {
            // The sensor's privileged namespace is RuntimeSecurity's own; every other is a SecureNamespace's.
            const owner =
                (n.inputs.metadata as any)?.name === "runtime-security" ? "RuntimeSecurity" : "SecureNamespace";
            assert.equal(parentType(n), TOKEN(owner), `${n.name}'s parent`);
        }
        const stores = ofType(constructed.registered, "kubernetes:external-secrets.io/v1:SecretStore");
        assert.equal(stores.length, 1, "one SecretStore, for payments");
        assert.equal((stores[0].inputs.metadata as any)?.namespace, "payments");
        assert.equal(parentType(stores[0]), TOKEN("AppExternalSecrets"));
        const key = ofType(constructed.registered, "aws:kms/key:Key");
        assert.equal(key.length, 1);
        assert.equal(parentType(key[0]), TOKEN("EnvironmentKey"));
        const roles = ofType(constructed.registered, "aws:iam/role:Role");
        assert.deepEqual(
            [...new Set(roles.map(parentType))].sort(),
            [TOKEN("EnvironmentIssuer"), TOKEN("WorkloadIdentity")],
            "IAM roles for the app identities and the env's certificate issuer",
        );
        const k8sRoles = ofType(constructed.registered, "kubernetes:rbac.authorization.k8s.io/v1:Role");
        assert.ok(k8sRoles.length > 0, "namespace Roles");
        const policies = ofType(constructed.registered, "kubernetes:policies.kyverno.io/v1:ValidatingPolicy");
        assert.ok(policies.length > 0, "Kyverno ValidatingPolicies");
        // The baseline's, and the two that keep envs apart (once per cluster: this env's own cluster).
        const isolation = policies.filter((p) => parentType(p) === TOKEN("EnvironmentIsolationPolicies"));
        assert.equal(isolation.length, 2, "the env label guard and the ClusterIssuer guard");
        for (const p of policies.filter((p) => !isolation.includes(p))) {
            assert.equal(parentType(p), TOKEN("BaselinePolicies"), `${p.name}'s parent`);
        }
        const charts = ofType(constructed.registered, "kubernetes:helm.sh/v4:Chart");
        assert.equal(charts.length, 4, "the three add-on charts and the runtime security sensor's");
        for (const c of charts) assert.equal(c.remote, true, `${c.name} is constructed by the Kubernetes provider`);
        const secrets = ofType(constructed.registered, "aws:secretsmanager/secret:Secret");
        assert.equal(secrets.length, 1, "payments' db-password");
        assert.equal(parentType(secrets[0]), TOKEN("AppSecrets"));
        const versions = ofType(constructed.registered, "aws:secretsmanager/secretVersion:SecretVersion");
        assert.equal(versions.length, 1, "the value the YAML program set from secret config");
        assert.equal(versions[0].inputs.secretString, DB_PASSWORD);
        assert.deepEqual(
            engine.logs.filter((l) => l.severity === "error"),
            [],
            "the plugin logged errors to the engine",
        );
        assert.deepEqual(engine.unanswered, [], "the plugin called engine methods the fake does not answer");
    }

    it("prints its port first, and GetPluginInfo reports the package version", async () => {
        assert.ok(plugin.port > 0);
        const info = await unary<unknown, pluginPb.PluginInfo>(plugin.client, "getPluginInfo", new Empty());
        assert.equal(info.getVersion(), readPackageJSON().version);
    });

    it("answers GetSchema with schema.json, the committed copy (npm run schema regenerates it)", () => {
        const served = JSON.parse(schemaText);
        assert.ok(
            formatSchema(served) === formatSchema(readGoldenSchema()),
            `${GOLDEN_SCHEMA_PATH} is stale: the plugin infers a different schema; run \`npm run schema\` and ` +
                "review the diff",
        );
        assert.deepEqual(served, readGoldenSchema());
    });

    it("constructs SecureEnvironment from the YAML program's inputs: children, type tokens, parents, outputs", async () => {
        const constructed = await construct(false);
        assertTree(constructed);
        const { state } = constructed;
        const key = ofType(constructed.registered, "aws:kms/key:Key")[0];
        assert.equal(state.contractVersion, CONTRACT_VERSION);
        assert.equal(state.kmsKeyArn, `arn:aws:kms:eu-west-1:222222222222:key/${key.name}-key-id`);
        assert.equal(typeof state.clusterIssuerName, "string");
        assert.ok(state.clusterIssuerName.length > 0);
        assert.deepEqual(Object.keys(state.apps).sort(), ["payments", "reports"]);
        assert.equal(state.apps.payments.namespace, "payments");
        assert.equal(state.apps.payments.serviceAccountName, "payments");
        assert.match(state.apps.payments.roleArn, /^arn:aws:iam::222222222222:role\//);
        assert.ok(state.apps.payments.secretStoreName, "payments has a SecretStore");
        assert.equal(state.apps.payments.secretNames.length, 1);
        assert.equal(state.apps.reports.secretStoreName, "", "reports declares no secrets: no store");
        // The component registered the same outputs it returned.
        assert.deepEqual(engine.outputs.get(constructed.urn), state);
    });

    it("constructs the same resources in a preview, with the outputs not yet known unknown", async () => {
        const update = (await construct(false)).registered.map((r) => `${r.type} ${r.urn}`).sort();
        const constructed = await construct(true);
        assertTree(constructed);
        assert.deepEqual(constructed.registered.map((r) => `${r.type} ${r.urn}`).sort(), update);
        const { state } = constructed;
        assert.equal(state.contractVersion, CONTRACT_VERSION, "a constant is known in a preview too");
        assert.equal(state.kmsKeyArn, UNKNOWN, "the key's ARN is known once AWS creates it");
        assert.equal(state.apps, UNKNOWN, "the apps' role ARNs are known once IAM creates them");
        const roles = ofType(constructed.registered, "aws:iam/role:Role");
        assert.ok(
            roles.every((r) => typeof r.inputs.assumeRolePolicy === "string"),
            "trust policies are known",
        );
    });

    it("refuses a secret sent as a bare secret inside apps: the SDK lifts it to all of apps, an Output", async () => {
        // What an engine that does not keep output values would send: the host's SDK then makes the whole
        // top-level input secret, so `apps` arrives as an Output and the component (rightly) cannot check it.
        engine.reset(false);
        const program = readYamlProgram();
        const inputs = constructInputs(program, "stage", { paymentsDbPassword: DB_PASSWORD }, (value) => ({
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            value,
        }));
        const req = new providerMessages.ConstructRequest();
        req.setProject(STACK.project);
        req.setStack(STACK.stack);
        req.setMonitorendpoint(engine.monitorAddress);
        req.setType(TOKEN("SecureEnvironment"));
        req.setName("stage");
        req.setParent(stackUrn(STACK));
        req.setInputs(Struct.fromJavaScript(inputs as any));
        await assert.rejects(
            unary(plugin.client, "construct", req),
            /SecureEnvironment "stage"[\s\S]*apps: is required/,
        );
        assert.deepEqual(engine.registered, [], "nothing registered");
    });

    it("refuses an isolation input the YAML program gets wrong, before registering anything", async () => {
        engine.reset(false);
        const program = readYamlProgram();
        const inputs = constructInputs(program, "stage", { paymentsDbPassword: DB_PASSWORD });
        (inputs.apps as any[])[1].namespace = "kyverno";
        const req = new providerMessages.ConstructRequest();
        req.setProject(STACK.project);
        req.setStack(STACK.stack);
        req.setMonitorendpoint(engine.monitorAddress);
        req.setType(TOKEN("SecureEnvironment"));
        req.setName("stage");
        req.setParent(stackUrn(STACK));
        req.setInputs(Struct.fromJavaScript(inputs as any));
        await assert.rejects(
            unary(plugin.client, "construct", req),
            /SecureEnvironment "stage": invalid arguments[\s\S]*apps\[1\]\.namespace: kyverno belongs to the platform/,
        );
        assert.deepEqual(engine.registered, [], "nothing registered");
    });
});

describe("the package as a plugin from a checkout that was never built", function () {
    // `pulumi package add <repo>@<tag>` clones the repository and runs `npm install`; nothing runs the build.
    this.timeout(90_000);

    let dir = "";
    const engine = new FakeEngine(STACK);

    before(async () => {
        await engine.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-checkout-"));
        for (const file of ["package.json", "PulumiPlugin.yaml", "tsconfig.json", "index.ts"]) {
            fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
        }
        fs.cpSync(path.join(REPO_ROOT, "components"), path.join(dir, "components"), { recursive: true });
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    });

    after(async () => {
        await engine.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("starts from the sources: main is missing, so Node loads index.ts through the host's ts-node", async () => {
        assert.ok(!fs.existsSync(path.join(dir, readPackageJSON().main)));
        const plugin = await launchPlugin({
            pluginDir: dir,
            cwd: YAML_EXAMPLE_DIR,
            engineAddress: engine.engineAddress,
        });
        try {
            // A port means run-plugin found ComponentResource classes in what it loaded and hosts them.
            const info = await unary<unknown, pluginPb.PluginInfo>(plugin.client, "getPluginInfo", new Empty());
            assert.equal(info.getVersion(), readPackageJSON().version);
            console.log(`      from the sources: ${Math.round(plugin.startupMs)} ms to the port`);
        } finally {
            await plugin.stop();
        }
    });
});
