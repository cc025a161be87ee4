/**
 * The cluster topology in the pack itself, over the analyzer protocol as a preview runs it: the same config
 * block (`topology`) that `check --config` reads, with the same verdict; and a malformed one refused at
 * configuration, as the Pulumi CLI validates the file.
 */
import * as assert from "node:assert/strict";
import { irsaTrustPolicy } from "../../components/aws/iam";
import { ResourceRecord } from "../../policy-pack/harness/resources";
import { checkMandatory, everyPolicy, mandatory, usePack } from "./protocol-setup";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D";
const ACCOUNT = "111111111111";

function configMap(namespace: string): ResourceRecord {
    return {
        type: "kubernetes:core/v1:ConfigMap",
        name: `settings-${namespace}`,
        custom: true,
        properties: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "settings", namespace },
            data: { mode: "dev" },
        },
    };
}

function role(namespace: string): ResourceRecord {
    const trust = irsaTrustPolicy({
        oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`,
        oidcIssuer: ISSUER,
        namespace,
        serviceAccount: "payments",
    });
    return {
        type: "aws:iam/role:Role",
        name: `role-${namespace}`,
        custom: true,
        properties: {
            name: "shop-dev-payments",
            assumeRolePolicy: JSON.stringify(trust),
            maxSessionDuration: 3600,
            tags: { project: "shop", env: "dev", app: "payments" },
        },
    };
}

const SHARED = { layout: "shared", namespaceLayout: "per-app", environments: ["dev", "stage"] };
const CROSS_ENV = ["cross-env-namespaces", "cross-env-trust-subjects"];

describe("the pack over the analyzer protocol: the cluster topology", function () {
    this.timeout(120_000);
    const run = usePack("dev");

    it("refuses a dev stack's namespace and trust subject that stage's would share, as check does", async () => {
        const records = [configMap("payments"), role("payments")];
        const config = everyPolicy({ env: "dev", topology: SHARED });
        const found = mandatory((await run(records, config)).diagnostics);
        for (const name of CROSS_ENV) assert.ok(found.includes(name), found.join(" "));
        assert.deepEqual(await checkMandatory(config, records), found, "check agrees");
    });

    it("passes the same objects on a cluster of dev's own, and dev's own names on the shared one", async () => {
        const dedicated = mandatory(
            (await run([configMap("payments"), role("payments")], everyPolicy({ env: "dev" }))).diagnostics,
        );
        for (const name of CROSS_ENV) assert.ok(!dedicated.includes(name), dedicated.join(" "));
        const config = everyPolicy({ env: "dev", topology: SHARED });
        const own = [configMap("payments-dev"), role("payments-dev")];
        const found = mandatory((await run(own, config)).diagnostics);
        assert.ok(!found.some((name) => name.startsWith("cross-env-")), found.join(" "));
        assert.deepEqual(await checkMandatory(config, own), found, "check agrees");
    });

    it("reports prod sharing a cluster as allowed at the advisory level, and refuses it when not allowed", async () => {
        const prodShared = { layout: "shared", environments: ["dev", "prod"] };
        const refused = await run([configMap("payments-dev")], everyPolicy({ env: "dev", topology: prodShared }));
        assert.ok(mandatory(refused.diagnostics).includes("cross-env-topology"));
        const allowed = await run(
            [configMap("payments-dev")],
            everyPolicy({ env: "dev", topology: { ...prodShared, allowProdWithLowerEnvironments: true } }),
        );
        assert.ok(!mandatory(allowed.diagnostics).includes("cross-env-topology"));
        const advisory = allowed.diagnostics.filter((d) => d.policyName === "cross-env-prod-shared");
        assert.equal(advisory.length, 1);
        assert.equal(advisory[0].enforcementLevel, "advisory");
    });

    it("refuses a malformed topology at configuration", async () => {
        await assert.rejects(
            run(
                [configMap("payments-dev")],
                everyPolicy({ env: "dev", topology: { layout: "mixed", environments: ["dev"] } }),
            ),
            /topology|layout/,
        );
    });
});
