/**
 * Runtime security on a cluster several envs share. Tetragon: the cluster stack installs the chart, its
 * namespace and its exception, and each env stack writes the TracingPolicyNamespaced objects of its own
 * namespaces, told the engine by the cluster's facts. Falco: the cluster stack's rule on API connections
 * spares exactly the namespaces the env stacks export as declared API clients, and no other.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, mockStackOutputs, ofType, resetResources, resources, settle, settled } from "../../../mocks";
installMocks();
import {
    EnvironmentTracingPolicies,
    FALCO_RULES_FILE,
    matchesNamespaceGlob,
    resolveEnvironmentTracingPoliciesArgs,
    RuntimeSecurityEngine,
} from "../../../../components/addons/runtime-security";
import {
    ArgumentError,
    ClusterTopology,
    Environment,
    NamespaceLayout,
    namespaceEnvironment,
    PodSecurityLevel,
    podSecurityLabel,
    RUNTIME_SECURITY_NAMESPACE,
} from "../../../../components/baseline";
import {
    planSecureCluster,
    SecureCluster,
    SecureClusterArgs,
    sharedClusterFacts,
} from "../../../../components/cluster";
import { CONTRACT_VERSION } from "../../../../components/contract";
import {
    appNamespaceOf,
    environmentKubernetesApiNamespaces,
    environmentTopology,
    SecureEnvironment,
    SecureEnvironmentArgs,
} from "../../../../components/environment";
import { stackConfig, stackValues } from "../../../../policy-pack/harness/stack-config";
import { parseStack, StackKind } from "../../../../stacks/config";
import { CLUSTER_OUTPUT, stackProgram } from "../../../../stacks/program";
import { stackArgs } from "../../../stacks/stack-config";

const TRACING_POLICY = "kubernetes:cilium.io/v1alpha1:TracingPolicyNamespaced";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const CHART = "kubernetes:helm.sh/v4:Chart";
const CLUSTER_STACK = "organization/k8s-baseline/shared-cluster";
const DEV_STACK = "organization/k8s-baseline/shared-dev";
const STAGE_STACK = "organization/k8s-baseline/shared-stage";

/** The shared-cluster stack's arguments, with the engine given. */
function clusterArgs(engine?: RuntimeSecurityEngine): SecureClusterArgs {
    const config = stackConfig("shared-cluster");
    assert.equal(config.kind, StackKind.Cluster);
    const args = structuredClone((config as { args: SecureClusterArgs }).args);
    if (engine !== undefined) args.runtimeSecurity = { engine };
    return args;
}

/** A shared env stack's arguments, on the cluster `cluster` describes (its exported facts). */
function envArgs(stack: "shared-dev" | "shared-stage", cluster: SecureClusterArgs): SecureEnvironmentArgs {
    return { ...stackArgs(stack), cluster: sharedClusterFacts(cluster) };
}

/** The namespaces an env's apps land in, and those declared to call the API, from its declarations. */
function declared(args: SecureEnvironmentArgs): { namespaces: string[]; api: string[] } {
    const topology = environmentTopology(args);
    const of = (apps: SecureEnvironmentArgs["apps"]) =>
        [...new Set(apps.map((app) => appNamespaceOf(app, args.env, topology)))].sort();
    return { namespaces: of(args.apps), api: of(args.apps.filter((app) => app.callsKubernetesApi)) };
}

const policyIds = () =>
    ofType(TRACING_POLICY)
        .map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`)
        .sort();

function problemsOf(body: () => unknown): string[] {
    let problems: string[] = [];
    assert.throws(body, (e: unknown) => {
        assert.ok(e instanceof ArgumentError, String(e));
        problems = [...e.problems];
        return true;
    });
    return problems;
}

describe("runtime security on a shared cluster", function () {
    this.timeout(60_000);
    beforeEach(resetResources);

    describe("Tetragon", () => {
        const tetragon = () => clusterArgs(RuntimeSecurityEngine.Tetragon);

        it("the cluster stack installs the chart, its privileged namespace and exception, and no policy", async () => {
            const cluster = new SecureCluster("cluster", tetragon());
            await settled();
            const charts = ofType(CHART).map((r) => r.inputs.chart);
            assert.ok(charts.includes("tetragon"), charts.join(", "));
            assert.ok(!charts.includes("falco"));
            assert.deepEqual(policyIds(), [], "no env's namespace is the cluster stack's to write into");
            const privileged = ofType(NAMESPACE)
                .filter((r) => r.inputs.metadata.labels[podSecurityLabel("enforce")] === PodSecurityLevel.Privileged)
                .map((r) => r.inputs.metadata.name);
            assert.deepEqual(privileged, [RUNTIME_SECURITY_NAMESPACE]);
            assert.equal(await settle(cluster.runtimeSecurityEngine), RuntimeSecurityEngine.Tetragon);
            assert.equal(sharedClusterFacts(tetragon()).runtimeSecurityEngine, RuntimeSecurityEngine.Tetragon);
        });

        for (const stack of ["shared-dev", "shared-stage"] as const) {
            it(`${stack} writes the policies of its own namespaces, and makes none of them privileged`, async () => {
                const args = envArgs(stack, tetragon());
                new SecureEnvironment(args.env, args);
                await settled();
                const { namespaces, api } = declared(args);
                const expected = namespaces
                    .flatMap((ns) => [
                        `${ns}/token-read`,
                        ...(api.includes(ns) ? [] : [`${ns}/kubernetes-api-connect`]),
                    ])
                    .sort();
                assert.deepEqual(policyIds(), expected);
                for (const policy of ofType(TRACING_POLICY)) {
                    assert.equal(
                        namespaceEnvironment(policy.inputs.metadata.namespace, NamespaceLayout.PerApp),
                        args.env,
                    );
                    assert.equal(policy.parentType, "k8s-baseline:index:EnvironmentTracingPolicies");
                }
                // The env stack installs no sensor: no chart, no sensor namespace, no exception.
                assert.equal(ofType(CHART).length, 0);
                assert.equal(resources().filter((r) => r.type === "k8s-baseline:index:RuntimeSecurity").length, 0);
                assert.equal(ofType("kubernetes:policies.kyverno.io/v1:PolicyException").length, 0);
                for (const ns of ofType(NAMESPACE)) {
                    const labels = ns.inputs.metadata.labels;
                    for (const mode of ["enforce", "audit", "warn"] as const) {
                        assert.notEqual(
                            labels[podSecurityLabel(mode)],
                            PodSecurityLevel.Privileged,
                            ns.inputs.metadata.name,
                        );
                    }
                }
            });
        }

        it("dev's and stage's stacks write into disjoint namespaces, each only its own", async () => {
            const written: Record<string, string[]> = {};
            for (const stack of ["shared-dev", "shared-stage"] as const) {
                resetResources();
                const args = envArgs(stack, tetragon());
                new SecureEnvironment(args.env, args);
                await settled();
                written[args.env] = [
                    ...new Set(ofType(TRACING_POLICY).map((r) => r.inputs.metadata.namespace as string)),
                ];
                assert.ok(written[args.env].length > 0);
            }
            assert.deepEqual(
                written.dev.filter((ns) => written.stage.includes(ns)),
                [],
            );
            for (const [env, namespaces] of Object.entries(written)) {
                for (const ns of namespaces) assert.ok(ns.endsWith(`-${env}`), `${env} wrote into ${ns}`);
            }
        });

        it("an env on a Falco cluster, or with no sensor, writes no policy", async () => {
            for (const cluster of [
                clusterArgs(RuntimeSecurityEngine.Falco),
                { ...clusterArgs(), runtimeSecurity: { disabled: true } },
            ]) {
                resetResources();
                const args = envArgs("shared-dev", cluster);
                new SecureEnvironment(args.env, args);
                await settled();
                assert.deepEqual(policyIds(), []);
            }
        });

        it("the shared-dev stack's program learns the engine from the cluster stack's output", async () => {
            mockStackOutputs(CLUSTER_STACK, { [CLUSTER_OUTPUT]: sharedClusterFacts(tetragon()) });
            const outputs = stackProgram(stackConfig("shared-dev"));
            await settle(outputs.apps as pulumi.Output<unknown>);
            await settled();
            assert.ok(policyIds().includes("payments-dev/token-read"), policyIds().join(", "));
            // A cluster stack of before the engine was exported (Falco then, always) gives none.
            resetResources();
            const { runtimeSecurityEngine: _engine, ...older } = sharedClusterFacts(tetragon());
            mockStackOutputs(CLUSTER_STACK, { [CLUSTER_OUTPUT]: older });
            await settle(stackProgram(stackConfig("shared-dev")).apps as pulumi.Output<unknown>);
            await settled();
            assert.deepEqual(policyIds(), []);
        });

        it("EnvironmentTracingPolicies refuses another env's namespace, a platform namespace and undeclared subsets", () => {
            const topology: ClusterTopology = environmentTopology(envArgs("shared-dev", tetragon()));
            const base = { env: Environment.Dev, apiServerCidrs: ["10.40.0.0/24"], topology };
            assert.deepEqual(
                resolveEnvironmentTracingPoliciesArgs("p", { ...base, namespaces: ["payments-dev"] }).namespaces,
                ["payments-dev"],
            );
            const problems = problemsOf(() =>
                resolveEnvironmentTracingPoliciesArgs("p", {
                    ...base,
                    namespaces: ["payments-stage", "payments", RUNTIME_SECURITY_NAMESPACE, "orders-dev"],
                    kubernetesApiNamespaces: ["reports-dev"],
                }),
            );
            assert.deepEqual(problems, [
                "namespaces[0]: payments-stage is not one of dev's namespaces on the shared cluster; fix: list only dev's namespaces (<app>-dev)",
                "namespaces[1]: payments is not one of dev's namespaces on the shared cluster; fix: list only dev's namespaces (<app>-dev)",
                "namespaces[2]: runtime-security is a platform namespace; fix: list only the env's app namespaces",
                'kubernetesApiNamespaces[0]: "reports-dev" is not one of namespaces; fix: name only namespaces listed in namespaces',
            ]);
            assert.throws(
                () => new EnvironmentTracingPolicies("p", { ...base, namespaces: ["payments-stage"] }),
                /payments-stage is not one of dev's namespaces/,
            );
            assert.equal(resources().length, 0, "refused before any resource");
        });

        it("SecureEnvironment refuses an engine it is not given by a shared cluster's facts", () => {
            const dedicated = stackArgs("stage");
            dedicated.cluster = { ...dedicated.cluster, runtimeSecurityEngine: RuntimeSecurityEngine.Tetragon };
            assert.ok(
                problemsOf(() => new SecureEnvironment("stage", dedicated)).includes(
                    "cluster.runtimeSecurityEngine: is set, but on a cluster of the env's own the sensor is the env's; fix: remove it, and choose the engine in runtimeSecurity.engine",
                ),
            );
            const shared = envArgs("shared-dev", tetragon());
            shared.cluster = { ...shared.cluster, runtimeSecurityEngine: "sysdig" as never };
            assert.ok(
                problemsOf(() => new SecureEnvironment("dev", shared)).some((p) =>
                    p.startsWith('cluster.runtimeSecurityEngine: "sysdig" is not a runtime security engine'),
                ),
            );
            // Nor can a stack file write it: the engine comes from the cluster stack's output only.
            const values = stackValues("stage") as { cluster: Record<string, unknown> };
            values.cluster.runtimeSecurityEngine = RuntimeSecurityEngine.Tetragon;
            assert.throws(
                () => parseStack("stage", values, () => pulumi.output("")),
                /k8s-baseline:cluster\.runtimeSecurityEngine: is not a known key/,
            );
            const cluster = tetragon();
            cluster.cluster.runtimeSecurityEngine = RuntimeSecurityEngine.Tetragon;
            assert.ok(
                problemsOf(() => planSecureCluster("c", cluster)).some((p) =>
                    p.startsWith("cluster.runtimeSecurityEngine: is set, but it is what the cluster exports"),
                ),
            );
        });
    });

    describe("Falco's rule on API connections", () => {
        /** The rules file of the cluster's Falco chart. */
        function rules(): Record<string, any>[] {
            const chart = ofType(CHART).find((r) => r.inputs.chart === "falco")!;
            return parse(chart.inputs.values.customRules[FALCO_RULES_FILE]);
        }
        const apiRule = (entries: Record<string, any>[]) =>
            entries.find((e) => e.rule === "Kubernetes API contacted from an undeclared namespace")!;
        const apiList = (entries: Record<string, any>[]) =>
            (entries.find((e) => e.list === "k8s_baseline_kubernetes_api_namespaces")!.items as string[]).map((i) =>
                JSON.parse(i),
            );

        /**
         * Whether the rule fires for a connection from `namespace`, read off the rule's text: the namespace is
         * watched (one of the env list's items or a match of a glob in the condition) and not in the API list.
         */
        function fires(entries: Record<string, any>[], namespace: string): boolean {
            const condition = apiRule(entries).condition as string;
            assert.match(condition, /not k8s\.ns\.name in \(k8s_baseline_kubernetes_api_namespaces\)/);
            const envList = (entries.find((e) => e.list === "k8s_baseline_env_namespaces")!.items as string[]).map(
                (i) => JSON.parse(i),
            );
            const globs = [...condition.matchAll(/k8s\.ns\.name glob "([^"]+)"/g)].map((m) => m[1]);
            const watched = envList.includes(namespace) || globs.some((g) => matchesNamespaceGlob(namespace, g));
            return watched && !apiList(entries).includes(namespace);
        }

        const clients = () =>
            [envArgs("shared-dev", clusterArgs()), envArgs("shared-stage", clusterArgs())].map((args) => ({
                env: args.env,
                namespaces: environmentKubernetesApiNamespaces(args),
            }));

        it("lists exactly the namespaces every env declares, and still fires for every other env namespace", async () => {
            new SecureCluster("cluster", { ...clusterArgs(), kubernetesApiClients: clients() });
            await settled();
            const entries = rules();
            const envs = [envArgs("shared-dev", clusterArgs()), envArgs("shared-stage", clusterArgs())];
            const declaredApi = envs.flatMap((args) => declared(args).api).sort();
            assert.deepEqual(apiList(entries), declaredApi);
            assert.deepEqual(declaredApi, ["reports-dev", "reports-stage"]);
            for (const args of envs) {
                const { namespaces, api } = declared(args);
                for (const ns of namespaces) assert.equal(fires(entries, ns), !api.includes(ns), ns);
            }
            // A namespace no env declared, made later by hand in an env's name, is still caught.
            assert.equal(fires(entries, "scratch-dev"), true);
        });

        it("with no env stack read, spares no namespace: the rule stays strict", async () => {
            new SecureCluster("cluster", clusterArgs());
            await settled();
            assert.deepEqual(apiList(rules()), []);
            assert.equal(fires(rules(), "reports-dev"), true);
        });

        it("refuses an env's claim on another env's namespace, an env not on the cluster, and an env twice", () => {
            const args = clusterArgs();
            args.kubernetesApiClients = [
                { env: Environment.Dev, namespaces: ["reports-stage", "reports-dev"] },
                { env: Environment.Prod, namespaces: ["reports-prod"] },
                { env: Environment.Dev, namespaces: [] },
            ];
            const problems = problemsOf(() => planSecureCluster("c", args));
            assert.deepEqual(problems, [
                "kubernetesApiClients[0].namespaces[0]: reports-stage is not one of dev's namespaces; fix: list only dev's namespaces (<app>-dev)",
                'kubernetesApiClients[1].env: "prod" is not one of the cluster\'s envs (dev, stage); fix: name an env on the cluster',
                "kubernetesApiClients[2].env: dev is listed twice; fix: list each env once",
            ]);
        });

        it("the cluster stack's program reads each env stack's API clients; one not deployed contributes none", async () => {
            const [dev, stage] = clients();
            mockStackOutputs(DEV_STACK, {
                contractVersion: CONTRACT_VERSION,
                env: "dev",
                kubernetesApiNamespaces: dev.namespaces,
            });
            mockStackOutputs(STAGE_STACK, {
                contractVersion: CONTRACT_VERSION,
                env: "stage",
                kubernetesApiNamespaces: stage.namespaces,
            });
            await settle(stackProgram(stackConfig("shared-cluster"))[CLUSTER_OUTPUT]);
            await settled();
            assert.deepEqual(apiList(rules()), ["reports-dev", "reports-stage"]);
            assert.equal(ofType("pulumi:pulumi:StackReference").length, 2);

            // Stage not deployed yet (no output), dev of a platform older than 1.2 (no such output): none.
            for (const [devOutputs, expected] of [
                [{ contractVersion: "1.1", env: "dev" }, []],
                [
                    { contractVersion: CONTRACT_VERSION, env: "dev", kubernetesApiNamespaces: dev.namespaces },
                    ["reports-dev"],
                ],
            ] as const) {
                resetResources();
                mockStackOutputs(DEV_STACK, devOutputs);
                mockStackOutputs(STAGE_STACK, {});
                await settle(stackProgram(stackConfig("shared-cluster"))[CLUSTER_OUTPUT]);
                await settled();
                assert.deepEqual(apiList(rules()), expected);
            }
        });

        it("the cluster stack's program takes an env stack's env from its name, never from what its outputs claim", async () => {
            // shared-dev claiming to be stage, to spare stage's namespaces in Falco's API rule.
            mockStackOutputs(DEV_STACK, {
                contractVersion: CONTRACT_VERSION,
                env: "stage",
                kubernetesApiNamespaces: ["reports-stage"],
            });
            mockStackOutputs(STAGE_STACK, {});
            await assert.rejects(
                settle(stackProgram(stackConfig("shared-cluster"))[CLUSTER_OUTPUT]),
                /stack organization\/k8s-baseline\/shared-dev: exports env "stage", which is not the env its name shared-dev gives it/,
            );
            mockStackOutputs(DEV_STACK, {
                contractVersion: CONTRACT_VERSION,
                kubernetesApiNamespaces: ["reports-dev"],
            });
            await assert.rejects(
                settle(stackProgram(stackConfig("shared-cluster"))[CLUSTER_OUTPUT]),
                /exports env undefined/,
            );
        });

        it("the cluster stack's program refuses an env stack of another contract major version", async () => {
            mockStackOutputs(DEV_STACK, {
                contractVersion: "2.0",
                env: "dev",
                kubernetesApiNamespaces: ["reports-dev"],
            });
            mockStackOutputs(STAGE_STACK, {});
            await assert.rejects(
                settle(stackProgram(stackConfig("shared-cluster"))[CLUSTER_OUTPUT]),
                /stack organization\/k8s-baseline\/shared-dev: .*major versions differ/,
            );
        });
    });
});
