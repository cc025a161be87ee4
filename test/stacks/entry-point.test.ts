/**
 * The stacks' entry point as `pulumi up --stack prod` runs it: the compiled stacks/index.js, loaded with the
 * stack file's config in the runtime (namespaced keys, objects and lists as JSON text, as the engine passes
 * them) and the stack named prod, exports the contract.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isSerializedSecret, named, resetResources, settle, settled } from "../mocks";
installMocks();
import { CONTRACT_OUTPUTS, CONTRACT_VERSION } from "../../components/contract";
import { ConfigError, SECRETS_NAMESPACE } from "../../stacks/config";
import { prodContractApps, stackFileConfig } from "./stack-config";

// The SDK sets the stack name only through setMocks; the entry point checks the env against it, so these
// tests run as stack prod for a while and put the mocks' stack back afterwards.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { _setStack(stack: string): string };

const ENTRY_POINT = path.resolve(__dirname, "..", "..", "stacks", "index.js");
const STACK = "prod";
const ACCOUNT = "333333333333";

/** The stack file's config as the engine hands it to the program: objects and lists as JSON text. */
function engineConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** Loads the entry point afresh, as a new `pulumi up` would: its outputs are its module's exports. */
function loadEntryPoint(): Record<string, pulumi.Output<unknown>> {
    delete require.cache[ENTRY_POINT];
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(ENTRY_POINT);
    } finally {
        delete require.cache[ENTRY_POINT];
    }
}

/** Every export of the entry point, resolved. */
async function resolveExports(exports: Record<string, pulumi.Output<unknown>>): Promise<Record<string, any>> {
    const resolved: Record<string, any> = {};
    for (const [key, output] of Object.entries(exports)) resolved[key] = await settle(output);
    await settled();
    return resolved;
}

describe("stacks/index.js, the entry point", function () {
    this.timeout(60_000);
    let savedStack: string;
    let savedConfig: Record<string, string>;

    before(() => {
        savedStack = pulumi.getStack();
        savedConfig = pulumi.runtime.allConfig();
        settings._setStack(STACK);
    });
    beforeEach(resetResources);
    afterEach(settled);
    after(() => {
        settings._setStack(savedStack);
        pulumi.runtime.setAllConfig(savedConfig, []);
        resetResources();
    });

    it(`exports the contract of Pulumi.${STACK}.yaml`, async () => {
        pulumi.runtime.setAllConfig({ ...engineConfig(stackFileConfig(STACK)), "aws:region": "eu-west-1" }, []);
        const exported = await resolveExports(loadEntryPoint());
        assert.deepEqual(Object.keys(exported).sort(), [...CONTRACT_OUTPUTS].sort());
        assert.equal(exported.contractVersion, CONTRACT_VERSION);
        assert.equal(exported.project, "shop");
        assert.equal(exported.env, STACK);
        assert.match(exported.kmsKeyArn, new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
        assert.equal(exported.clusterIssuerName, "shop-prod-acme");
        assert.deepEqual(exported.apps, prodContractApps(ACCOUNT));
        // One environment, named after the stack.
        assert.ok(named("k8s-baseline:index:SecureEnvironment", STACK));
    });

    it("writes a secret's initial value from the secrets namespace, as a secret", async () => {
        const config = engineConfig(stackFileConfig(STACK));
        const apps = JSON.parse(config["k8s-baseline:apps"]);
        apps[0].secrets[0].valueFromConfig = "payments-db-password";
        config["k8s-baseline:apps"] = JSON.stringify(apps);
        config[`${SECRETS_NAMESPACE}:payments-db-password`] = "s3cr3t";
        pulumi.runtime.setAllConfig(config, [`${SECRETS_NAMESPACE}:payments-db-password`]);
        await resolveExports(loadEntryPoint());
        const version = named("aws:secretsmanager/secretVersion:SecretVersion", "prod-payments-db-password");
        assert.ok(isSerializedSecret(version.inputs.secretString, "s3cr3t"), JSON.stringify(version.inputs));
    });

    it("refuses to load with a misspelled key, naming it, before creating anything", async () => {
        const config = engineConfig(stackFileConfig(STACK));
        const cluster = JSON.parse(config["k8s-baseline:cluster"]);
        cluster.oidcIsuer = cluster.oidcIssuer;
        delete cluster.oidcIssuer;
        config["k8s-baseline:cluster"] = JSON.stringify(cluster);
        pulumi.runtime.setAllConfig(config, []);
        assert.throws(loadEntryPoint, (e: Error) => {
            assert.ok(e instanceof ConfigError, `${e.name}: ${e.message}`);
            assert.equal(
                e.message,
                "stack prod: invalid configuration:\n" +
                    "  - k8s-baseline:cluster.oidcIsuer: is not a known key; fix: check its spelling against stacks/config.schema.json",
            );
            return true;
        });
        assert.equal(require.cache[ENTRY_POINT], undefined);
        await settled();
        assert.throws(() => named("k8s-baseline:index:SecureEnvironment", STACK), /found 0/);
    });
});
