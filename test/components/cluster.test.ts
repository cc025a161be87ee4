/**
 * The two topologies: an env on a cluster of its own (its SecureEnvironment installs everything), and envs
 * sharing a cluster (a SecureCluster installs the add-ons once, each env's SecureEnvironment only its own
 * objects), with the checks that refuse an unsafe or inconsistent layout before any resource exists.
 */
import * as assert from "node:assert/strict";
import { installMocks, mockStackOutputs, ofType, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { ArgumentError, ClusterLayout, Environment, NamespaceLayout, RequiredLabel } from "../../components/baseline";
import { planSecureCluster, planSharedCluster, SecureCluster, SecureClusterArgs } from "../../components/cluster";
import { SecureEnvironment, SecureEnvironmentArgs } from "../../components/environment";
import { referencedStackOutputs, stackConfig } from "../../policy-pack/harness/stack-config";
import { StackKind } from "../../stacks/config";
import { stackProgram } from "../../stacks/program";
import { stackArgs } from "../stacks/stack-config";

const HELM = "kubernetes:helm.sh/v4:Chart";
const NAMESPACE = "kubernetes:core/v1:Namespace";

function clusterArgs(): SecureClusterArgs {
    const config = stackConfig("shared-cluster");
    assert.equal(config.kind, StackKind.Cluster);
    return structuredClone(config.kind === StackKind.Cluster ? config.args : ({} as never));
}

const sharedDev = (): SecureEnvironmentArgs => stackArgs("shared-dev");
const sharedStage = (): SecureEnvironmentArgs => stackArgs("shared-stage");

/** The problems of the ArgumentError `body` throws. */
function problemsOf(body: () => unknown): string[] {
    let problems: string[] = [];
    assert.throws(body, (e: unknown) => {
        assert.ok(e instanceof ArgumentError, String(e));
        problems = [...e.problems];
        return true;
    });
    return problems;
}

const namespaces = () =>
    ofType(NAMESPACE).map((r) => r.inputs.metadata as { name: string; labels: Record<string, string> });

describe("topologies", function () {
    this.timeout(60_000);
    beforeEach(resetResources);

    describe("a dedicated cluster", () => {
        it("keeps the declared namespaces and installs the add-ons in the env's stack", async () => {
            new SecureEnvironment("stage", stackArgs("stage"));
            await settled();
            const names = namespaces().map((ns) => ns.name);
            for (const ns of [
                "payments",
                "orders",
                "reports",
                "external-secrets",
                "kyverno",
                "cert-manager",
                "runtime-security",
            ]) {
                assert.ok(names.includes(ns), `${ns} in ${names.join(", ")}`);
            }
            assert.equal(
                resources().filter((r) => r.type === HELM).length,
                4,
                "External Secrets, Kyverno, cert-manager, the runtime security sensor",
            );
        });
    });

    describe("a shared cluster", () => {
        it("SecureCluster installs the add-ons and their namespaces once, labelled as the strictest env", async () => {
            new SecureCluster("cluster", clusterArgs());
            await settled();
            const platform = namespaces();
            assert.deepEqual(platform.map((ns) => ns.name).sort(), [
                "cert-manager",
                "external-secrets",
                "kyverno",
                "runtime-security",
            ]);
            for (const ns of platform) assert.equal(ns.labels[RequiredLabel.Env], Environment.Stage, ns.name);
            assert.equal(
                resources().filter((r) => r.type === HELM).length,
                4,
                "External Secrets, Kyverno, cert-manager, the runtime security sensor",
            );
            // Once per cluster: the isolation policies, and no env's ClusterIssuer.
            const isolation = resources().filter((r) => r.type === "k8s-baseline:index:EnvironmentIsolationPolicies");
            assert.equal(isolation.length, 1);
            assert.equal(resources().filter((r) => r.type === "k8s-baseline:index:EnvironmentIssuer").length, 0);
        });

        it("SecureCluster exports the facts the env stacks read", async () => {
            const cluster = new SecureCluster("cluster", clusterArgs());
            assert.deepEqual(await settle(cluster.environments), ["dev", "stage"]);
            assert.equal(await settle(cluster.layout), ClusterLayout.Shared);
            assert.equal(await settle(cluster.namespaceLayout), NamespaceLayout.PerApp);
            assert.equal(await settle(cluster.profileEnvironment), Environment.Stage);
            assert.equal(await settle(cluster.clusterName), "shop-shared");
        });

        it("an env on it creates its own namespaces, carrying the env, and no add-on", async () => {
            new SecureEnvironment("dev", sharedDev());
            await settled();
            const envNamespaces = namespaces();
            assert.deepEqual(envNamespaces.map((ns) => ns.name).sort(), ["orders-dev", "payments-dev", "reports-dev"]);
            for (const ns of envNamespaces) assert.equal(ns.labels[RequiredLabel.Env], Environment.Dev);
            assert.equal(resources().filter((r) => r.type === HELM).length, 0);
            // Its own ClusterIssuer, named for the env, and no cluster-wide isolation policies of its own.
            const issuers = ofType("kubernetes:cert-manager.io/v1:ClusterIssuer").map((r) => r.inputs.metadata.name);
            assert.deepEqual(issuers, ["shop-dev-acme"]);
            assert.equal(
                resources().filter((r) => r.type === "k8s-baseline:index:EnvironmentIsolationPolicies").length,
                0,
            );
            const trust = ofType("aws:iam/role:Role").map((r) => JSON.parse(r.inputs.assumeRolePolicy));
            const subjects = trust.flatMap((doc) =>
                doc.Statement.flatMap((s: any) => Object.values(s.Condition?.StringEquals ?? {})),
            );
            assert.ok(subjects.includes("system:serviceaccount:payments-dev:payments"), JSON.stringify(subjects));
            assert.ok(!subjects.some((s: unknown) => s === "system:serviceaccount:payments:payments"));
        });

        it("the per-env layout puts every app of the env in namespace <env>, each with its own ServiceAccount", async () => {
            const args = sharedStage();
            args.cluster = { ...args.cluster, namespaceLayout: NamespaceLayout.PerEnv };
            args.apps = args.apps.map((app) => ({ ...app, owner: "team-shop", tier: "backend" }));
            const env = new SecureEnvironment("stage", args);
            const apps = await settle(env.apps);
            await settled();
            assert.deepEqual(
                namespaces().map((ns) => ns.name),
                ["stage"],
            );
            assert.deepEqual(
                Object.values(apps).map((a) => `${a.namespace}/${a.serviceAccountName}`),
                ["stage/payments", "stage/orders", "stage/reports"],
            );
        });

        it("the per-env layout refuses apps of different owners in the env's one namespace", () => {
            const args = sharedStage();
            args.cluster = { ...args.cluster, namespaceLayout: NamespaceLayout.PerEnv };
            const problems = problemsOf(() => new SecureEnvironment("stage", args));
            assert.ok(
                problems.includes(
                    "apps[1].owner: namespace stage would be owned by both team-payments and team-orders; fix: apps that share a namespace share its owner",
                ),
                problems.join("\n"),
            );
        });

        it("the shared-dev stack's program reads the cluster through its stack reference", async () => {
            mockStackOutputs(
                "organization/k8s-baseline/shared-cluster",
                referencedStackOutputs("organization/k8s-baseline/shared-cluster"),
            );
            const config = stackConfig("shared-dev");
            const outputs = stackProgram(config);
            const apps = (await settle(outputs.apps)) as Record<string, { namespace: string }>;
            await settled();
            assert.equal(apps.payments.namespace, "payments-dev");
            assert.equal(ofType("pulumi:pulumi:StackReference").length, 1);
        });
    });

    describe("refuses, before any resource", () => {
        it("an env not among the cluster's envs", () => {
            const args = sharedDev();
            args.cluster = { ...args.cluster, environments: [Environment.Stage] };
            const problems = problemsOf(() => new SecureEnvironment("dev", args));
            assert.ok(
                problems.includes(
                    "cluster.environments: does not list dev, the env being deployed; fix: list every env on the cluster, dev included",
                ),
                problems.join("\n"),
            );
            assert.equal(resources().length, 0);
        });

        it("prod on a cluster with a lower env, unless accepted explicitly", () => {
            const args = { ...stackArgs("prod") };
            // The prod stack's team groups are named for a cluster of its own; this case is about the layout.
            delete args.teamRoles;
            // On a shared cluster the sensor is the cluster's.
            delete args.runtimeSecurity;
            args.cluster = {
                ...args.cluster,
                layout: ClusterLayout.Shared,
                environments: [Environment.Stage, Environment.Prod],
            };
            const problems = problemsOf(() => new SecureEnvironment("prod", args));
            assert.ok(
                problems.some((p) =>
                    p.startsWith("cluster.allowProdWithLowerEnvironments: prod would share the cluster with stage"),
                ),
            );
            args.cluster.allowProdWithLowerEnvironments = true;
            assert.doesNotThrow(() => new SecureEnvironment("prod", args));
        });

        it("several envs on a dedicated cluster, and a namespace layout without the shared layout", () => {
            const args = stackArgs("stage");
            args.cluster = {
                ...args.cluster,
                environments: [Environment.Dev, Environment.Stage],
                namespaceLayout: NamespaceLayout.PerEnv,
            };
            const problems = problemsOf(() => new SecureEnvironment("stage", args));
            assert.ok(
                problems.includes(
                    "cluster.namespaceLayout: is set, but a dedicated cluster keeps the namespaces as the apps declare them; fix: remove it, or set layout: shared",
                ),
            );
            assert.ok(
                problems.some((p) =>
                    p.startsWith("cluster.layout: is dedicated, but dev, stage are listed on the cluster"),
                ),
            );
        });

        it("a SecureCluster that is not shared, lists no env, or lacks its OIDC provider", () => {
            const dedicated = clusterArgs();
            dedicated.cluster.layout = ClusterLayout.Dedicated;
            assert.ok(
                problemsOf(() => planSecureCluster("c", dedicated)).some((p) =>
                    p.startsWith('cluster.layout: is "dedicated"'),
                ),
            );
            const empty = clusterArgs();
            empty.cluster.environments = [];
            assert.ok(
                problemsOf(() => planSecureCluster("c", empty)).some((p) =>
                    p.startsWith("cluster.environments: must list"),
                ),
            );
            const noProvider = clusterArgs();
            delete noProvider.cluster.oidcProviderArn;
            assert.ok(
                problemsOf(() => planSecureCluster("c", noProvider)).some((p) =>
                    p.startsWith("cluster.oidcProviderArn:"),
                ),
            );
            const prodWithDev = clusterArgs();
            prodWithDev.cluster.environments = [Environment.Dev, Environment.Prod];
            assert.ok(
                problemsOf(() => planSecureCluster("c", prodWithDev)).some((p) =>
                    p.startsWith("cluster.allowProdWithLowerEnvironments:"),
                ),
            );
        });
    });

    describe("planSharedCluster: the envs of one cluster checked together", () => {
        it("accepts the shared stacks' envs and their cluster", () => {
            assert.doesNotThrow(() => planSharedCluster([sharedDev(), sharedStage()], clusterArgs()));
        });

        it("refuses an env declared twice, and an env the cluster does not list", () => {
            const prod = sharedStage();
            prod.env = Environment.Prod;
            const problems = problemsOf(() => planSharedCluster([sharedDev(), sharedDev(), prod], clusterArgs()));
            assert.ok(
                problems.includes("env dev: is declared twice on the cluster; fix: deploy each env once per cluster"),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => p.startsWith("env prod: is not among the cluster's envs (dev, stage)")),
                problems.join("\n"),
            );
        });

        it("refuses a dedicated env on the shared cluster: its add-on namespaces are the cluster's", () => {
            const dev = sharedDev();
            dev.cluster = {
                ...dev.cluster,
                layout: ClusterLayout.Dedicated,
                namespaceLayout: undefined,
                environments: undefined,
                runtimeSecurityEngine: undefined,
            };
            const problems = problemsOf(() => planSharedCluster([dev, sharedStage()], clusterArgs()));
            assert.ok(
                problems.some((p) =>
                    p.startsWith("env dev: cluster.layout: is dedicated, but the cluster is shared with stage"),
                ),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) =>
                    /^env dev: platform namespace kyverno: .*renders Namespace kyverno, which cluster: platform namespace kyverno: .* renders too/.test(
                        p,
                    ),
                ),
                problems.join("\n"),
            );
        });

        it("refuses two envs whose namespaces carry no env, naming both envs and each shared object", () => {
            const dedicated = (args: SecureEnvironmentArgs): SecureEnvironmentArgs => ({
                ...args,
                cluster: {
                    ...args.cluster,
                    layout: ClusterLayout.Dedicated,
                    namespaceLayout: undefined,
                    environments: undefined,
                    runtimeSecurityEngine: undefined,
                },
            });
            const problems = problemsOf(() => planSharedCluster([dedicated(sharedDev()), dedicated(sharedStage())]));
            assert.ok(
                problems.some((p) =>
                    /^env stage: namespace payments: .*renders Namespace payments, which env dev: namespace payments: .* renders too/.test(
                        p,
                    ),
                ),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) =>
                    /^env stage: .*renders ServiceAccount payments\/payments, which env dev: /.test(p),
                ),
                problems.join("\n"),
            );
        });
    });
});
