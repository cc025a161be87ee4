/**
 * The shared layout's stack files: a cluster stack and the env stacks that read its outputs through a stack
 * reference, and the check over every stack file that refuses two stacks declaring one cluster without the
 * shared layout.
 */
import * as assert from "node:assert/strict";
import { installMocks, settle, settled } from "../mocks";
installMocks();
import { ClusterLayout, Environment } from "../../components/baseline";
import { sharedClusterFacts } from "../../components/cluster";
import { crossStackProblems, parseStack, StackConfig, StackKind } from "../../stacks/config";
import {
    referencedClusterFacts,
    stackArgs,
    stackConfig,
    stackFileProblems,
    stackValues,
} from "../../policy-pack/harness/stack-config";
import { stackNames } from "../../policy-pack/harness/paths";
import { platformProgram } from "../../stacks/program";

const CLUSTER_STACK = "organization/k8s-baseline/shared-cluster";
const placeholder = () => assert.fail("no secret expected");

/** `stack`'s values with `change` applied, parsed as stack `as`. */
function changed(stack: string, as: string, change: (values: any) => void): StackConfig {
    const values = stackValues(stack) as any;
    change(values);
    return parseStack(as, values, placeholder);
}

describe("the shared layout's stacks", () => {
    it("the stack files are consistent: no cluster declared twice without the shared layout", () => {
        assert.deepEqual(stackFileProblems(), []);
        assert.ok(stackNames().includes("shared-cluster"));
    });

    it("shared-cluster is a cluster stack for dev and stage; shared-dev and shared-stage read it", () => {
        const cluster = stackConfig("shared-cluster");
        assert.equal(cluster.kind, StackKind.Cluster);
        for (const [stack, env] of [
            ["shared-dev", Environment.Dev],
            ["shared-stage", Environment.Stage],
        ] as const) {
            const config = stackConfig(stack);
            assert.equal(config.kind, StackKind.SharedEnvironment);
            assert.equal(config.kind === StackKind.SharedEnvironment && config.clusterStack, CLUSTER_STACK);
            const args = stackArgs(stack);
            assert.equal(args.env, env);
            assert.deepEqual(
                args.cluster,
                cluster.kind === StackKind.Cluster ? sharedClusterFacts(cluster.args) : undefined,
            );
            assert.equal(args.cluster.layout, ClusterLayout.Shared);
            assert.deepEqual(args.cluster.environments, [Environment.Dev, Environment.Stage]);
        }
    });

    it("refuses a cluster reference to an env stack", () => {
        assert.throws(
            () => referencedClusterFacts("organization/k8s-baseline/shared-dev"),
            /referenced as a cluster stack/,
        );
    });

    it("an env on the shared cluster puts its apps in namespaces that carry the env", async () => {
        const outputs = platformProgram(stackArgs("shared-stage"));
        const apps = (await settle(outputs.apps)) as Record<string, { namespace: string; roleArn: string }>;
        await settled();
        assert.deepEqual(Object.fromEntries(Object.entries(apps).map(([app, c]) => [app, c.namespace])), {
            payments: "payments-stage",
            orders: "orders-stage",
            reports: "reports-stage",
        });
        assert.equal(apps.payments.roleArn, "arn:aws:iam::444444444444:role/shop-stage-payments");
    });
});

describe("stack files checked together", () => {
    const configs = (entries: [string, StackConfig][]) => Object.fromEntries(entries);

    it("refuses two dedicated stacks on one cluster name, naming both stacks and the cluster", () => {
        const problems = crossStackProblems(
            configs([
                ["dev", stackConfig("dev")],
                ["other-dev", changed("dev", "other-dev", () => undefined)],
            ]),
        );
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^stacks dev and other-dev declare the same cluster \(k8s-baseline:cluster\.name shop-dev\)/,
        );
        assert.match(problems[0], /fix: give each env a cluster of its own, or put the cluster in a cluster stack/);
    });

    it("refuses two stacks on one OIDC issuer under different cluster names", () => {
        const problems = crossStackProblems(
            configs([
                ["stage", stackConfig("stage")],
                ["qa-prod", changed("stage", "qa-prod", (v) => ((v.env = "prod"), (v.cluster.name = "shop-qa")))],
            ]),
        );
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /stacks stage and qa-prod declare the same cluster \(k8s-baseline:cluster\.oidcIssuer oidc\.eks/,
        );
        assert.match(problems[0], /but stage and qa-prod are not in the shared layout/);
    });

    it("refuses a dedicated stack on a cluster that a cluster stack declares", () => {
        const problems = crossStackProblems(
            configs([
                ["shared-cluster", stackConfig("shared-cluster")],
                ["dev", changed("dev", "dev", (v) => (v.cluster.name = "shop-shared"))],
            ]),
        );
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /stacks shared-cluster and dev declare the same cluster .* but dev is not in the shared layout/,
        );
    });

    it("accepts envs that describe one cluster, each in the shared layout", () => {
        const shared = (env: string) =>
            changed("stage", `shared-${env}`, (v) => {
                v.env = env;
                v.cluster.layout = "shared";
                v.cluster.environments = ["dev", "stage"];
            });
        assert.deepEqual(
            crossStackProblems(
                configs([
                    ["a-dev", shared("dev")],
                    ["a-stage", shared("stage")],
                ]),
            ),
            [],
        );
    });
});

describe("a cluster stack's env stacks", () => {
    const all = () => Object.fromEntries(stackNames().map((stack) => [stack, stackConfig(stack)]));

    it("shared-cluster lists exactly the env stacks whose clusterStack it is", () => {
        const cluster = stackConfig("shared-cluster");
        assert.deepEqual(cluster.kind === StackKind.Cluster && cluster.environmentStacks, [
            "organization/k8s-baseline/shared-dev",
            "organization/k8s-baseline/shared-stage",
        ]);
        assert.deepEqual(crossStackProblems(all()), []);
    });

    it("refuses a listed stack on another cluster, and an env stack on the cluster left out", () => {
        const configs = all();
        configs["shared-cluster"] = changed("shared-cluster", "shared-cluster", (v) => {
            v.environmentStacks = ["organization/k8s-baseline/shared-dev", "organization/k8s-baseline/dev"];
        });
        assert.deepEqual(crossStackProblems(configs), [
            "stack shared-cluster: k8s-baseline:environmentStacks[1]: names organization/k8s-baseline/dev, which is not an env stack on this cluster (no stack file of that name sets k8s-baseline:clusterStack to shared-cluster); fix: list only the env stacks whose clusterStack is this stack",
            "stack shared-cluster: k8s-baseline:environmentStacks: does not list shared-stage, an env stack on this cluster: its apps' calls to the Kubernetes API would all be alerts; fix: add it",
        ]);
    });

    it("is a cluster stack's key: an env stack setting it is refused", () => {
        assert.throws(
            () =>
                changed("shared-dev", "shared-dev", (v) => {
                    v.environmentStacks = ["organization/k8s-baseline/shared-stage"];
                }),
            /k8s-baseline:environmentStacks: is a cluster stack's key/,
        );
    });
});
