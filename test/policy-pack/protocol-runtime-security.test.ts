/**
 * A shared cluster whose sensor is Tetragon, through the pack over the analyzer protocol as a preview runs
 * it, each stack with its own pack config (policy-pack/config): the cluster stack (chart, privileged
 * namespace, exception) and an env stack writing the TracingPolicyNamespaced objects of its own namespaces
 * pass; the same env stack writing one into another env's namespace is refused, by the pack and by `check`.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { installMocks, resetResources, settled } from "../mocks";
installMocks();
import { RuntimeSecurityEngine } from "../../components/addons/runtime-security";
import { SecureCluster, SecureClusterArgs, sharedClusterFacts } from "../../components/cluster";
import { SecureEnvironment } from "../../components/environment";
import { PolicyPackConfig } from "../../policy-pack/harness/analyzer-client";
import { recordRegistrations, ResourceRecord } from "../../policy-pack/harness/resources";
import { stackConfig } from "../../policy-pack/harness/stack-config";
import { REPO_ROOT } from "../shared";
import { stackArgs } from "../stacks/stack-config";
import { checkMandatory, mandatory, usePack } from "./protocol-setup";

const TRACING_POLICY = "kubernetes:cilium.io/v1alpha1:TracingPolicyNamespaced";

/** The pack config `pulumi preview --policy-pack-config` is given for `stack`. */
function packConfig(stack: string): PolicyPackConfig {
    return JSON.parse(
        fs.readFileSync(path.join(REPO_ROOT, "policy-pack", "config", `${stack}.json`), "utf8"),
    ) as PolicyPackConfig;
}

function tetragonCluster(): SecureClusterArgs {
    const args = structuredClone(stackConfig("shared-cluster").args as SecureClusterArgs);
    args.runtimeSecurity = { engine: RuntimeSecurityEngine.Tetragon };
    return args;
}

describe("the pack over the analyzer protocol: Tetragon on a shared cluster", function () {
    this.timeout(180_000);
    const recorder = recordRegistrations();
    const run = usePack("shared-cluster");

    async function record(build: () => void): Promise<ResourceRecord[]> {
        resetResources();
        recorder.reset();
        build();
        await settled();
        return recorder.records();
    }

    const devRecords = () =>
        record(() => {
            const args = { ...stackArgs("shared-dev"), cluster: sharedClusterFacts(tetragonCluster()) };
            new SecureEnvironment(args.env, args);
        });

    it("the cluster stack passes: the sensor's namespace and exception are RuntimeSecurity's", async () => {
        const records = await record(() => new SecureCluster("cluster", tetragonCluster()));
        assert.ok(records.some((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.properties.chart === "tetragon"));
        const verdict = await run(records, packConfig("shared-cluster"));
        assert.deepEqual(
            verdict.diagnostics.map((d) => `[${d.enforcementLevel}] ${d.policyName}: ${d.message}`),
            [],
        );
    });

    it("an env stack writing its own namespaces' policies passes; one in stage's namespace is refused", async () => {
        const records = await devRecords();
        const policies = records.filter((r) => r.type === TRACING_POLICY);
        assert.equal(policies.length, 5);
        const config = packConfig("shared-dev");
        const verdict = await run(records, config);
        assert.deepEqual(
            verdict.diagnostics.map((d) => `[${d.enforcementLevel}] ${d.policyName}: ${d.message}`),
            [],
        );

        // The same env stack, one policy moved into stage's namespace: the objects of another env's stack.
        const moved = records.map((r) =>
            r === policies[0]
                ? {
                      ...r,
                      properties: {
                          ...r.properties,
                          metadata: { ...(r.properties.metadata as object), namespace: "payments-stage" },
                      },
                  }
                : r,
        );
        const refused = mandatory((await run(moved, config)).diagnostics);
        // It sits in stage's namespace, and names it.
        assert.deepEqual(refused, ["cross-env-namespaces", "cross-env-references"]);
        // `check`, which trusts no URN, judges the platform's own admission objects apart: the policy alone.
        assert.deepEqual(await checkMandatory(config, [policies[0]]), [], "check passes the env's own policy");
        assert.deepEqual(
            await checkMandatory(
                config,
                moved.filter((r) => r.type === TRACING_POLICY && r.name === policies[0].name),
            ),
            refused,
            "check refuses the moved one",
        );
    });
});
