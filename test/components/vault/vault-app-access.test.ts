import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import { VaultAppAccess, VaultAppAccessArgs } from "../../../components/vault";
import { Environment, ENVIRONMENTS, PROFILES } from "../../../components/baseline";

const POLICY = "vault:index/policy:Policy";
const ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole";

function args(overrides: Partial<VaultAppAccessArgs> = {}): VaultAppAccessArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        namespace: "payments",
        serviceAccountName: "payments-api",
        mountPath: "shop-prod-kv",
        authPath: "kubernetes-shop-prod",
        ...overrides,
    };
}

function envArgs(env: Environment): VaultAppAccessArgs {
    return args({ env, mountPath: `shop-${env}-kv`, authPath: `kubernetes-shop-${env}` });
}

describe("VaultAppAccess", () => {
    beforeEach(resetResources);

    it("creates a policy named after the app that reads its own secrets and nothing else", async () => {
        const access = new VaultAppAccess("payments", args());
        assert.equal(await valueOf(access.policyName), "shop-prod-payments");
        await settled();
        const policy = named(POLICY, "payments-policy").inputs;
        assert.equal(policy.name, "shop-prod-payments");
        assert.equal(
            policy.policy,
            'path "shop-prod-kv/data/prod/payments/*" {\n' +
                '  capabilities = ["read"]\n' +
                "}\n" +
                "\n" +
                'path "shop-prod-kv/metadata/prod/payments/*" {\n' +
                '  capabilities = ["read", "list"]\n' +
                "}\n",
        );
    });

    it("binds the role to exactly the app's ServiceAccount in exactly its namespace", async () => {
        const access = new VaultAppAccess("payments", args());
        assert.equal(await valueOf(access.roleName), "shop-prod-payments");
        await settled();
        const role = named(ROLE, "payments-role").inputs;
        assert.equal(role.backend, "kubernetes-shop-prod");
        assert.equal(role.roleName, "shop-prod-payments");
        assert.deepEqual(role.boundServiceAccountNames, ["payments-api"]);
        assert.deepEqual(role.boundServiceAccountNamespaces, ["payments"]);
        assert.equal(role.boundServiceAccountNamespaceSelector, undefined);
        assert.equal(role.audience, "vault");
        assert.deepEqual(role.tokenPolicies, ["shop-prod-payments"]);
    });

    for (const env of ENVIRONMENTS) {
        it(`issues tokens that live at most the ${env} profile's maximum by default`, async () => {
            new VaultAppAccess("payments", envArgs(env));
            await settled();
            const role = named(ROLE, "payments-role").inputs;
            const max = PROFILES[env].maxVaultTokenTtlSeconds;
            assert.equal(role.tokenTtl, max);
            assert.equal(role.tokenMaxTtl, max);
            assert.ok(role.tokenMaxTtl <= 3600);
            assert.equal(role.roleName, `shop-${env}-payments`);
            assert.match(
                named(POLICY, "payments-policy").inputs.policy,
                new RegExp(`^path "shop-${env}-kv/data/${env}/payments/\\*"`),
            );
        });
    }

    it("takes a shorter TTL and another audience", async () => {
        new VaultAppAccess("payments", args({ tokenTtlSeconds: 300, audience: "https://vault.example.internal" }));
        await settled();
        const role = named(ROLE, "payments-role").inputs;
        assert.equal(role.tokenTtl, 300);
        assert.equal(role.tokenMaxTtl, 300);
        assert.equal(role.audience, "https://vault.example.internal");
    });

    it("creates one policy and one role, both parented to the component", async () => {
        new VaultAppAccess("payments", args());
        await settled();
        assert.equal(ofType(POLICY).length, 1);
        assert.equal(ofType(ROLE).length, 1);
        const children = resources().filter((r) => r.custom);
        assert.equal(children.length, 2);
        for (const child of children) assert.equal(child.parentType, "k8s-baseline:index:VaultAppAccess", child.name);
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<VaultAppAccessArgs>, RegExp][] = [
            [
                "an unknown env",
                { env: "qa" as never },
                /env: "qa" is not a known environment; fix: use one of dev, stage, prod/,
            ],
            [
                "a project that is not DNS-1123",
                { project: "shop_co" },
                /project: "shop_co" is not a DNS-1123 label of at most 30 characters; fix:/,
            ],
            [
                "an app that is not DNS-1123",
                { app: "Payments" },
                /app: "Payments" is not a DNS-1123 label of at most 63 characters; fix: use lower-case letters, digits and '-'/,
            ],
            ["an app glob", { app: "*" }, /app: "\*" is not a DNS-1123 label/],
            ["an app path", { app: "payments/*" }, /app: "payments\/\*" is not a DNS-1123 label/],
            [
                "a namespace that is not DNS-1123",
                { namespace: "Payments_NS" },
                /namespace: "Payments_NS" is not a DNS-1123 label of at most 63 characters; fix:/,
            ],
            ["a namespace glob", { namespace: "*" }, /namespace: "\*" is not a DNS-1123 label/],
            [
                "a namespace of another env",
                { namespace: "payments-dev" },
                /namespace: "payments-dev" names environment dev from the prod environment; fix: use a name of the prod environment/,
            ],
            [
                "a ServiceAccount that is not DNS-1123",
                { serviceAccountName: "payments.api" },
                /serviceAccountName: "payments\.api" is not a DNS-1123 label/,
            ],
            ["a ServiceAccount glob", { serviceAccountName: "*" }, /serviceAccountName: "\*" is not a DNS-1123 label/],
            [
                "a mount of another env",
                { mountPath: "shop-dev-kv" },
                /mountPath: "shop-dev-kv" names environment dev from the prod environment; fix: use a name of the prod environment/,
            ],
            [
                "a mount glob",
                { mountPath: "shop-*" },
                /mountPath: "shop-\*" contains '\*'; fix: give the KV v2 mount path of this environment/,
            ],
            [
                "a mount with a trailing slash",
                { mountPath: "shop-prod-kv/" },
                /mountPath: "shop-prod-kv\/" starts or ends with '\/'/,
            ],
            [
                "a mount with ..",
                { mountPath: "shop-prod-kv/../sys" },
                /mountPath: "shop-prod-kv\/\.\.\/sys" contains '\.\.'/,
            ],
            ["a missing mount", { mountPath: undefined as never }, /mountPath: undefined is empty/],
            [
                "an auth path of another env",
                { authPath: "kubernetes-shop-stage" },
                /authPath: "kubernetes-shop-stage" names environment stage from the prod environment/,
            ],
            [
                "an auth path glob",
                { authPath: "kubernetes-*" },
                /authPath: "kubernetes-\*" contains '\*'; fix: give the Kubernetes auth path/,
            ],
            [
                "a TTL above the prod profile",
                { tokenTtlSeconds: 901 },
                /tokenTtlSeconds: 901 exceeds the longest token TTL the prod profile allows \(900 seconds; never above 3600\); fix: give 900 or less/,
            ],
            [
                "a TTL above an hour in dev",
                { env: "dev", mountPath: "shop-dev-kv", authPath: "kubernetes-shop-dev", tokenTtlSeconds: 7200 },
                /tokenTtlSeconds: 7200 exceeds the longest token TTL the dev profile allows \(3600 seconds; never above 3600\); fix: give 3600 or less/,
            ],
            [
                "a TTL above an hour in stage",
                { env: "stage", mountPath: "shop-stage-kv", authPath: "kubernetes-shop-stage", tokenTtlSeconds: 3601 },
                /tokenTtlSeconds: 3601 exceeds the longest token TTL the stage profile allows/,
            ],
            [
                "a zero TTL",
                { tokenTtlSeconds: 0 },
                /tokenTtlSeconds: 0 is not a positive whole number of seconds; fix: give a number of seconds greater than 0/,
            ],
            [
                "a negative TTL",
                { tokenTtlSeconds: -60 },
                /tokenTtlSeconds: -60 is not a positive whole number of seconds/,
            ],
            [
                "a fractional TTL",
                { tokenTtlSeconds: 1.5 },
                /tokenTtlSeconds: 1\.5 is not a positive whole number of seconds/,
            ],
            ["an audience glob", { audience: "*" }, /audience: "\*" is not an audience; fix: give the exact audience/],
            ["an empty audience", { audience: "" }, /audience: "" is not an audience/],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new VaultAppAccess("payments", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^VaultAppAccess "payments": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }

        it("reports every problem at once", () => {
            assert.throws(
                () =>
                    new VaultAppAccess(
                        "payments",
                        args({ app: "*", namespace: "payments-dev", tokenTtlSeconds: 3600 }),
                    ),
                (e: Error & { problems?: readonly string[] }) => {
                    assert.equal(e.problems?.length, 3);
                    return true;
                },
            );
        });
    });
});
