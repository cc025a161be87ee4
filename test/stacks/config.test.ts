/**
 * The stack configuration: the three stack files parse into SecureEnvironment arguments the component
 * accepts, and every mistake in a stack file is reported by its config key, with the fix.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle } from "../mocks";
installMocks();
import { planSecureEnvironment } from "../../components/environment";
import { ConfigError, loadStackConfig, parseStackConfig, SECRETS_NAMESPACE } from "../../stacks/config";
import { STACKS, stackArgs, stackFileConfig, stackValues } from "./stack-config";

// The SDK sets the stack name only through setMocks; tests of stack-specific config change it for a while.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { _setStack(stack: string): string };

const KEY_ARN = "arn:aws:kms:eu-west-1:333333333333:key/2b720b2c-4156-2b53-9e07-d1c57c9cbe92";
const noSecrets = (key: string): pulumi.Output<string> => assert.fail(`no secret expected, read ${key}`);

/** The config of a stack file as the engine hands it to the program: objects and lists as JSON text. */
function engineConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** Runs `body` as the program of `stack` with `config` in the runtime, then puts the runtime back. */
function asStack<T>(stack: string, config: Record<string, string>, secretKeys: string[], body: () => T): T {
    const savedStack = pulumi.getStack();
    const savedConfig = pulumi.runtime.allConfig();
    settings._setStack(stack);
    pulumi.runtime.setAllConfig(config, secretKeys);
    try {
        return body();
    } finally {
        settings._setStack(savedStack);
        pulumi.runtime.setAllConfig(savedConfig, []);
    }
}

/** The problems a ConfigError lists for `values` in `stack`. */
function problemsOf(stack: string, values: Record<string, unknown>): string[] {
    let problems: string[] = [];
    assert.throws(
        () => parseStackConfig(stack, values, noSecrets),
        (e: Error) => {
            assert.ok(e instanceof ConfigError, `${e.name}: ${e.message}`);
            const [header, ...lines] = e.message.split("\n");
            assert.equal(header, `stack ${stack}: invalid configuration:`);
            for (const line of lines) assert.match(line, /^ {2}- k8s-baseline:\S/);
            problems = lines.map((line) => line.slice("  - ".length));
            return true;
        },
    );
    return problems;
}

/** The prod stack's values, changed by `change`. */
function prodValues(change: (values: any) => void): Record<string, unknown> {
    const values = stackValues("prod");
    change(values);
    return values;
}

describe("stack config", () => {
    for (const stack of STACKS) {
        it(`parses Pulumi.${stack}.yaml into arguments SecureEnvironment accepts`, () => {
            const values = stackValues(stack) as any;
            const args = parseStackConfig(stack, values, noSecrets);
            assert.equal(args.env, stack);
            assert.equal(args.project, "shop");
            assert.match(args.accountId, /^\d{12}$/);
            assert.deepEqual(args.cluster, values.cluster);
            assert.deepEqual(
                args.apps.map((app) => app.name),
                values.apps.map((app: any) => app.name),
            );
            for (const app of args.apps) {
                for (const secret of app.secrets ?? []) {
                    assert.ok(!("valueFromConfig" in secret), `${app.name}/${secret.name}`);
                    assert.equal(secret.value, undefined);
                }
            }
            assert.doesNotThrow(() => planSecureEnvironment(stack, args, KEY_ARN));
        });
    }

    describe("reports each mistake by its config key, with the fix", () => {
        const cases: [string, string, Record<string, unknown>, string[]][] = [
            [
                "a missing required key",
                "prod",
                prodValues((v) => delete v.acmeEmail),
                [
                    'k8s-baseline:acmeEmail: is required; fix: set it in Pulumi.<stack>.yaml (see "The stacks" in the README)',
                ],
            ],
            [
                "a misspelled top-level key",
                "prod",
                prodValues((v) => {
                    v.acmeEmial = v.acmeEmail;
                    delete v.acmeEmail;
                }),
                [
                    'k8s-baseline:acmeEmail: is required; fix: set it in Pulumi.<stack>.yaml (see "The stacks" in the README)',
                    "k8s-baseline:acmeEmial: is not a known key; fix: check its spelling against stacks/config.schema.json",
                ],
            ],
            [
                "a misspelled nested key",
                "prod",
                prodValues((v) => {
                    v.cluster.oidcIsuer = v.cluster.oidcIssuer;
                    delete v.cluster.oidcIssuer;
                }),
                [
                    "k8s-baseline:cluster.oidcIsuer: is not a known key; fix: check its spelling against stacks/config.schema.json",
                ],
            ],
            [
                "a misspelled key of a list item",
                "prod",
                prodValues((v) => (v.apps[2].callsKubernetesAPI = true)),
                [
                    "k8s-baseline:apps[2].callsKubernetesAPI: is not a known key; fix: check its spelling against stacks/config.schema.json",
                ],
            ],
            [
                "a scalar where a list belongs",
                "prod",
                prodValues((v) => (v.apps = "payments")),
                ["k8s-baseline:apps: must be a list; fix: write it as YAML of that type"],
            ],
            [
                "an unquoted account id",
                "prod",
                prodValues((v) => (v.accountId = 333333333333)),
                ["k8s-baseline:accountId: must be a string; fix: write it as YAML of that type"],
            ],
            [
                "a port written as text",
                "prod",
                prodValues((v) => (v.apps[0].egress[0].ports[0].port = "5432")),
                [
                    "k8s-baseline:apps[0].egress[0].ports[0].port: must be an integer; fix: write it as YAML of that type",
                ],
            ],
            [
                "an unknown secret backend",
                "prod",
                prodValues((v) => (v.secretBackend = "secrets-manager")),
                ['k8s-baseline:secretBackend: must be one of "aws-secrets-manager", "aws-parameter-store", "vault"'],
            ],
            [
                "an unknown env",
                "prod",
                prodValues((v) => (v.env = "production")),
                ['k8s-baseline:env: must be one of "dev", "stage", "prod"'],
            ],
            [
                "an unknown access role in a list item",
                "prod",
                prodValues((v) => (v.apps[1].access[0].role = "owner")),
                ['k8s-baseline:apps[1].access[0].role: must be one of "view", "edit", "admin"'],
            ],
            [
                "a missing key of a list item",
                "prod",
                prodValues((v) => delete v.apps[1].owner),
                [
                    'k8s-baseline:apps[1].owner: is required; fix: set it in Pulumi.<stack>.yaml (see "The stacks" in the README)',
                ],
            ],
            [
                "an empty list that needs an entry",
                "prod",
                prodValues((v) => (v.cluster.platformEgressCidrs = [])),
                ["k8s-baseline:cluster.platformEgressCidrs: must list at least 1"],
            ],
            [
                "no key at all, as from an empty stack file",
                "dev",
                {},
                [
                    "k8s-baseline:*: no key is set; fix: fill the config: map of Pulumi.dev.yaml (stacks/config.schema.json lists the keys)",
                ],
            ],
            [
                "an env deployed from the stack of another",
                "stage",
                stackValues("prod"),
                [
                    'k8s-baseline:env: is "prod" in stack stage; fix: deploy each env from the stack of its name (prod, or one ending in -prod)',
                ],
            ],
            [
                "an env stack naming both its cluster and a cluster stack",
                "prod",
                prodValues((v) => (v.clusterStack = "organization/k8s-baseline/shared-cluster")),
                [
                    "k8s-baseline:clusterStack: is set with k8s-baseline:cluster; fix: give one: cluster for a cluster this stack describes, clusterStack for a shared cluster's stack",
                ],
            ],
            [
                "an env stack naming neither its cluster nor a cluster stack",
                "prod",
                prodValues((v) => delete v.cluster),
                [
                    "k8s-baseline:cluster: is required; fix: describe the cluster, or name the shared cluster's stack in k8s-baseline:clusterStack",
                ],
            ],
            [
                "a cluster stack's key in an env stack",
                "prod",
                prodValues((v) => (v.vaultCidrs = ["10.30.30.0/24"])),
                ["k8s-baseline:vaultCidrs: is a cluster stack's key; fix: give the Vault's CIDR blocks in vault.cidrs"],
            ],
            [
                "an unknown cluster layout",
                "prod",
                prodValues((v) => (v.cluster.layout = "mixed")),
                ['k8s-baseline:cluster.layout: must be one of "dedicated", "shared"'],
            ],
            [
                "an env's key in a cluster stack",
                "shared-cluster",
                { ...stackValues("shared-cluster"), apps: [] },
                [
                    "k8s-baseline:apps: is an env's key, but the stack sets no env, so it deploys a shared cluster's add-ons; fix: remove it, or set env",
                ],
            ],
            [
                "a cluster stack without a cluster",
                "shared-cluster",
                (() => {
                    const { cluster: _cluster, ...values } = stackValues("shared-cluster");
                    return values;
                })(),
                [
                    'k8s-baseline:cluster: is required; fix: set it in Pulumi.<stack>.yaml (see "The stacks" in the README)',
                ],
            ],
        ];
        for (const [what, stack, values, expected] of cases) {
            it(what, () => assert.deepEqual(problemsOf(stack, values).sort(), [...expected].sort()));
        }

        it("every problem at once", () => {
            const problems = problemsOf(
                "prod",
                prodValues((v) => {
                    delete v.region;
                    v.cluster.oidcIsuer = "x";
                    v.secretBackend = "kms";
                    delete v.apps[1].owner;
                    v.apps[0].secrets[0].keys = "password";
                }),
            );
            const keys = problems.map((p) => p.slice(0, p.indexOf(": "))).sort();
            assert.deepEqual(keys, [
                "k8s-baseline:apps[0].secrets[0].keys",
                "k8s-baseline:apps[1].owner",
                "k8s-baseline:cluster.oidcIsuer",
                "k8s-baseline:region",
                "k8s-baseline:secretBackend",
            ]);
        });
    });

    describe("secret initial values", () => {
        const withSecretRef = () =>
            prodValues((v) => (v.apps[0].secrets[0].valueFromConfig = "payments-db-password")) as any;

        it("hands valueFromConfig to the secret reader and keeps only the value it returns", async () => {
            const read: string[] = [];
            const args = parseStackConfig("prod", withSecretRef(), (key) => {
                read.push(key);
                return pulumi.secret(`value of ${key}`);
            });
            assert.deepEqual(read, ["payments-db-password"]);
            const secret = args.apps[0].secrets![0];
            assert.ok(!("valueFromConfig" in secret));
            assert.equal(await settle(pulumi.output(secret.value!)), "value of payments-db-password");
            assert.equal(args.apps[0].secrets![1].value, undefined);
        });

        it("reads the value from the secrets namespace as a secret Output", async () => {
            const config = {
                ...engineConfig(stackFileConfig("prod")),
                "k8s-baseline:apps": JSON.stringify(withSecretRef().apps),
                [`${SECRETS_NAMESPACE}:payments-db-password`]: "s3cr3t",
            };
            const args = asStack("prod", config, [`${SECRETS_NAMESPACE}:payments-db-password`], loadStackConfig);
            const value = pulumi.output(args.apps[0].secrets![0].value!);
            assert.equal(await pulumi.isSecret(value), true);
            assert.equal(await settle(value), "s3cr3t");
        });

        it("names the secrets key to set when it is missing", () => {
            const config = {
                ...engineConfig(stackFileConfig("prod")),
                "k8s-baseline:apps": JSON.stringify(withSecretRef().apps),
            };
            assert.throws(
                () => asStack("prod", config, [], loadStackConfig),
                /secrets:payments-db-password[\s\S]*pulumi config set --secret secrets:payments-db-password/,
            );
        });
    });

    describe("loadStackConfig", () => {
        it("reads the k8s-baseline keys the engine passes, decoding JSON, and ignores other namespaces", () => {
            const config = { ...engineConfig(stackFileConfig("prod")), "aws:region": "us-east-1", "other:apps": "[]" };
            assert.deepEqual(asStack("prod", config, [], loadStackConfig), stackArgs("prod"));
        });

        it("reports a misspelled key the engine passes", () => {
            const config = engineConfig(stackFileConfig("prod"));
            config["k8s-baseline:regoin"] = config["k8s-baseline:region"];
            delete config["k8s-baseline:region"];
            assert.throws(
                () => asStack("prod", config, [], loadStackConfig),
                (e: Error) => {
                    assert.ok(e instanceof ConfigError);
                    assert.match(e.message, /^stack prod: invalid configuration:/);
                    assert.ok(e.message.includes("  - k8s-baseline:regoin: is not a known key; fix:"), e.message);
                    assert.ok(e.message.includes("  - k8s-baseline:region: is required; fix:"), e.message);
                    return true;
                },
            );
        });

        it("checks the env against the stack it runs in", () => {
            assert.throws(
                () => asStack("stage", engineConfig(stackFileConfig("prod")), [], loadStackConfig),
                /k8s-baseline:env: is "prod" in stack stage; fix: deploy each env from the stack of its name/,
            );
        });
    });
});
