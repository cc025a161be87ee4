import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    AppExternalSecrets,
    AppExternalSecretsArgs,
    resolveAppExternalSecretsArgs,
    SecretBackend,
} from "../../../../components/addons/external-secrets";
import { ENVIRONMENTS, PROFILES } from "../../../../components/baseline";
import { awsArgs, CA_BUNDLE, parameterStoreArgs, vaultArgs, vaultStore } from "./fixtures";
import { RbacObject, rbacEvaluator, Request, Requester } from "../../kubernetes/rbac-evaluator";

const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

describe("AppExternalSecrets", () => {
    beforeEach(resetResources);

    it("creates a Secrets Manager store bound to the app's own ServiceAccount, in the app's namespace", async () => {
        const secrets = new AppExternalSecrets("payments", awsArgs());
        assert.equal(await valueOf(secrets.secretStoreName), "payments-store");
        await settled();
        const store = named(STORE, "payments-store").inputs;
        assert.equal(store.apiVersion, "external-secrets.io/v1");
        assert.equal(store.metadata.namespace, "payments");
        assert.deepEqual(store.spec.provider, {
            aws: {
                service: "SecretsManager",
                region: "eu-west-1",
                auth: { jwt: { serviceAccountRef: { name: "payments-api" } } },
            },
        });
        // The store cannot point at a ServiceAccount elsewhere, nor chain into another role.
        assert.equal(store.spec.provider.aws.auth.jwt.serviceAccountRef.namespace, undefined);
        assert.equal(store.spec.provider.aws.role, undefined);
        assert.equal(store.spec.provider.aws.additionalRoles, undefined);
    });

    it("reads each secret exactly under <project>-<env>/<app>/ into a Secret it owns and retains", async () => {
        const secrets = new AppExternalSecrets("payments", awsArgs());
        assert.deepEqual(await valueOf(secrets.secretNames), ["payments-db-password", "payments-stripe"]);
        assert.deepEqual(await valueOf(secrets.externalSecretNames), ["payments-db-password", "payments-stripe"]);
        await settled();
        const db = named(EXTERNAL_SECRET, "payments-payments-db-password").inputs;
        assert.equal(db.apiVersion, "external-secrets.io/v1");
        assert.equal(db.metadata.namespace, "payments");
        assert.deepEqual(db.spec, {
            refreshInterval: "1h",
            secretStoreRef: { name: "payments-store", kind: "SecretStore" },
            target: { name: "payments-db-password", creationPolicy: "Owner", deletionPolicy: "Retain" },
            dataFrom: [{ extract: { key: "shop-prod/payments/db-password" } }],
        });
        const stripe = named(EXTERNAL_SECRET, "payments-payments-stripe").inputs;
        assert.deepEqual(stripe.spec.data, [
            { secretKey: "api-key", remoteRef: { key: "shop-prod/payments/stripe", property: "api-key" } },
            {
                secretKey: "webhook-secret",
                remoteRef: { key: "shop-prod/payments/stripe", property: "webhook-secret" },
            },
        ]);
        for (const es of ofType(EXTERNAL_SECRET)) {
            const keys = [
                ...(es.inputs.spec.dataFrom ?? []).map((d: any) => d.extract.key),
                ...(es.inputs.spec.data ?? []).map((d: any) => d.remoteRef.key),
            ];
            for (const key of keys) assert.match(key, /^shop-prod\/payments\/[a-z0-9][a-z0-9_.-]*$/);
        }
    });

    it("creates a Parameter Store store, and reads each parameter exactly under /<project>-<env>/<app>/", async () => {
        new AppExternalSecrets("payments", parameterStoreArgs());
        await settled();
        assert.deepEqual(named(STORE, "payments-store").inputs.spec.provider, {
            aws: {
                service: "ParameterStore",
                region: "eu-west-1",
                auth: { jwt: { serviceAccountRef: { name: "payments-api" } } },
            },
        });
        assert.deepEqual(named(EXTERNAL_SECRET, "payments-payments-db-password").inputs.spec.dataFrom, [
            { extract: { key: "/shop-prod/payments/db-password" } },
        ]);
        assert.deepEqual(
            named(EXTERNAL_SECRET, "payments-payments-stripe").inputs.spec.data.map((d: any) => d.remoteRef.key),
            ["/shop-prod/payments/stripe", "/shop-prod/payments/stripe"],
        );
    });

    it("refuses a Parameter Store key of another app or env, and a missing region", () => {
        for (const [overrides, message] of [
            [{ secrets: [{ name: "/shop-prod/orders/db" }] }, /is outside the app's prefix \/shop-prod\/payments\//],
            [{ secrets: [{ name: "/shop-dev/payments/db" }] }, /is outside the app's prefix \/shop-prod\/payments\//],
            [{ secrets: [{ name: "shop-prod/payments/db" }] }, /is outside the app's prefix/],
            [{ region: undefined }, /region: is required with aws-parameter-store/],
            [{ vault: vaultStore() }, /vault: is set with aws-parameter-store/],
        ] as [Partial<AppExternalSecretsArgs>, RegExp][]) {
            assert.throws(() => resolveAppExternalSecretsArgs("payments", parameterStoreArgs(overrides)), message);
        }
    });

    it("creates a Vault store on the env's mount and auth path, logging in as the app's ServiceAccount", async () => {
        new AppExternalSecrets("payments", vaultArgs({ vault: vaultStore({ caBundle: CA_BUNDLE }) }));
        await settled();
        assert.deepEqual(named(STORE, "payments-store").inputs.spec.provider, {
            vault: {
                server: "https://vault.example.com:8200",
                path: "shop-prod-kv",
                version: "v2",
                caBundle: CA_BUNDLE,
                auth: {
                    kubernetes: {
                        mountPath: "kubernetes-shop-prod",
                        role: "shop-prod-payments",
                        // The audience VaultAppAccess binds the role to by default.
                        serviceAccountRef: { name: "payments-api", audiences: ["vault"] },
                    },
                },
            },
        });
        const db = named(EXTERNAL_SECRET, "payments-payments-db-password").inputs;
        assert.deepEqual(db.spec.dataFrom, [{ extract: { key: "prod/payments/db-password" } }]);
        const stripe = named(EXTERNAL_SECRET, "payments-payments-stripe").inputs;
        assert.equal(stripe.spec.data[0].remoteRef.key, "prod/payments/stripe");
    });

    it("uses the audience given for the Vault role", async () => {
        new AppExternalSecrets("payments", vaultArgs({ vault: vaultStore({ audience: "vault.shop" }) }));
        await settled();
        const ref = named(STORE, "payments-store").inputs.spec.provider.vault.auth.kubernetes.serviceAccountRef;
        assert.deepEqual(ref.audiences, ["vault.shop"]);
    });

    it("defaults the refresh interval to the profile's, per environment, and takes one per secret", async () => {
        for (const env of ENVIRONMENTS) {
            const resolved = resolveAppExternalSecretsArgs("payments", {
                ...awsArgs({ env, namespace: "payments" }),
                secrets: [{ name: "db-password" }],
            });
            assert.equal(resolved.secrets[0].refreshInterval, PROFILES[env].secretRefreshInterval, env);
        }
        new AppExternalSecrets("payments", awsArgs({ secrets: [{ name: "db-password", refreshInterval: "15m" }] }));
        await settled();
        assert.equal(named(EXTERNAL_SECRET, "payments-payments-db-password").inputs.spec.refreshInterval, "15m");
    });

    it("takes the store and target names given, and folds '_' and '.' in default target names", async () => {
        const secrets = new AppExternalSecrets(
            "payments",
            awsArgs({
                storeName: "payments-aws",
                secrets: [{ name: "db_password", targetName: "db" }, { name: "tls.key" }],
            }),
        );
        assert.deepEqual(await valueOf(secrets.secretNames), ["db", "payments-tls-key"]);
        assert.equal(await valueOf(secrets.secretStoreName), "payments-aws");
        await settled();
        const db = named(EXTERNAL_SECRET, "payments-db").inputs;
        assert.equal(db.spec.secretStoreRef.name, "payments-aws");
        assert.deepEqual(db.spec.dataFrom, [{ extract: { key: "shop-prod/payments/db_password" } }]);
        assert.equal(named(EXTERNAL_SECRET, "payments-payments-tls-key").inputs.spec.target.name, "payments-tls-key");
    });

    it("parents the store, every ExternalSecret and the token Role and binding to the component", async () => {
        new AppExternalSecrets("payments", awsArgs());
        await settled();
        const children = resources().filter((r) => r.custom);
        assert.deepEqual(children.map((c) => c.type).sort(), [
            EXTERNAL_SECRET,
            EXTERNAL_SECRET,
            STORE,
            ROLE,
            ROLE_BINDING,
        ]);
        for (const child of children)
            assert.equal(child.parentType, "k8s-baseline:index:AppExternalSecrets", child.name);
    });

    describe("the operator's token requests", () => {
        const controller = { kind: "ServiceAccount" as const, namespace: "external-secrets", name: "external-secrets" };
        const tokenFor = (user: Requester, namespace: string, name: string): Request => ({
            user,
            verb: "create",
            apiGroup: "",
            resource: "serviceaccounts",
            subresource: "token",
            namespace,
            name,
        });

        async function rbacOf(args: AppExternalSecretsArgs): Promise<RbacObject[]> {
            new AppExternalSecrets("payments", args);
            await settled();
            return [...ofType(ROLE), ...ofType(ROLE_BINDING)].map((r) => r.inputs as RbacObject);
        }

        it("lets the controller request tokens for the app's ServiceAccount and for no other", async () => {
            const rbac = rbacEvaluator(await rbacOf(awsArgs()));
            assert.ok(rbac.allowed(tokenFor(controller, "payments", "payments-api")));
            for (const [namespace, name] of [
                ["payments", "payments-worker"],
                ["payments", "default"],
                ["orders", "payments-api"],
                ["kube-system", "kyverno"],
            ]) {
                assert.ok(!rbac.allowed(tokenFor(controller, namespace, name)), `${namespace}/${name}`);
            }
            for (const verb of ["get", "list", "update", "delete"]) {
                assert.ok(!rbac.allowed({ ...tokenFor(controller, "payments", "payments-api"), verb }), verb);
            }
            // Nobody else gains anything: not the app, not a ServiceAccount of the same name elsewhere.
            const app = { kind: "ServiceAccount" as const, namespace: "payments", name: "payments-api" };
            assert.ok(!rbac.allowed(tokenFor(app, "payments", "payments-api")));
            assert.ok(!rbac.allowed(tokenFor({ ...controller, namespace: "payments" }, "payments", "payments-api")));
            assert.ok(
                !rbac.allowed({
                    ...tokenFor(controller, "payments", "payments-tls"),
                    resource: "secrets",
                    subresource: undefined,
                    verb: "get",
                }),
            );
        });

        it("binds the controller of the operator namespace given, and names the objects after the store", async () => {
            const objects = await rbacOf(awsArgs({ operatorNamespace: "eso", storeName: "payments-secrets" }));
            const rbac = rbacEvaluator(objects);
            assert.ok(rbac.allowed(tokenFor({ ...controller, namespace: "eso" }, "payments", "payments-api")));
            assert.ok(!rbac.allowed(tokenFor(controller, "payments", "payments-api")));
            assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort(), [
                "Role/payments/payments-secrets-token-request",
                "RoleBinding/payments/payments-secrets-token-request",
            ]);
        });

        it("would be caught if the Role lost its resourceNames", async () => {
            const objects = await rbacOf(awsArgs());
            const widened = objects.map((o) =>
                o.kind === "Role" ? { ...o, rules: o.rules!.map(({ resourceNames: _, ...rule }) => rule) } : o,
            );
            assert.ok(rbacEvaluator(widened).allowed(tokenFor(controller, "payments", "payments-worker")));
        });
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, () => AppExternalSecretsArgs, RegExp][] = [
            [
                "an unknown env",
                () => awsArgs({ env: "production" as never }),
                /env: "production" is not a known environment/,
            ],
            [
                "a project that is not DNS-1123",
                () => awsArgs({ project: "Shop" }),
                /project: "Shop" is not a DNS-1123 label/,
            ],
            [
                "an app that is not DNS-1123",
                () => awsArgs({ app: "pay_ments" }),
                /app: "pay_ments" is not a DNS-1123 label/,
            ],
            [
                "a namespace of another env",
                () => awsArgs({ namespace: "payments-dev" }),
                /namespace: "payments-dev" names environment dev from the prod environment/,
            ],
            [
                "a ServiceAccount that is not DNS-1123",
                () => awsArgs({ serviceAccountName: "Payments" }),
                /serviceAccountName: "Payments" is not a DNS-1123 label/,
            ],
            [
                "an operator namespace that is not DNS-1123",
                () => awsArgs({ operatorNamespace: "External Secrets" }),
                /operatorNamespace: "External Secrets" is not a DNS-1123 label/,
            ],
            [
                "a store name that is not a Kubernetes name",
                () => awsArgs({ storeName: "Payments Store" }),
                /storeName: "Payments Store" is not a Kubernetes object name/,
            ],
            [
                "an unknown backend",
                () => awsArgs({ backend: "gcp" as never }),
                /backend: "gcp" is not a secret backend; fix: use one of aws-secrets-manager, vault/,
            ],
            [
                "Secrets Manager without a region",
                () => awsArgs({ region: undefined }),
                /region: is required with aws-secrets-manager/,
            ],
            ["a bad region", () => awsArgs({ region: "europe" }), /region: "europe" is not an AWS region/],
            [
                "Vault settings with Secrets Manager",
                () => awsArgs({ vault: vaultStore() }),
                /vault: is set with aws-secrets-manager; fix: remove it, or set backend to vault/,
            ],
            [
                "Vault without its settings",
                () => vaultArgs({ vault: undefined }),
                /vault: is required with vault; fix: give the server, mountPath, authPath and role/,
            ],
            ["a region with Vault", () => vaultArgs({ region: "eu-west-1" }), /region: is set with vault/],
            [
                "a plain http Vault server",
                () => vaultArgs({ vault: vaultStore({ server: "http://vault.example.com:8200" }) }),
                /vault\.server: "http:\/\/vault\.example\.com:8200" is not an https:\/\/ URL/,
            ],
            [
                "a Vault server that is not a URL",
                () => vaultArgs({ vault: vaultStore({ server: "vault.example.com" }) }),
                /vault\.server: "vault\.example\.com" is not an https:\/\/ URL/,
            ],
            [
                "a Vault server with credentials",
                () => vaultArgs({ vault: vaultStore({ server: "https://root:s3cret@vault.example.com" }) }),
                /vault\.server: .* is not an https:\/\/ URL of a server/,
            ],
            [
                "a Vault server of another env",
                () => vaultArgs({ vault: vaultStore({ server: "https://vault.dev.example.com" }) }),
                /vault\.server: "vault\.dev\.example\.com" names environment dev/,
            ],
            [
                "a mount path with a glob",
                () => vaultArgs({ vault: vaultStore({ mountPath: "shop-prod-kv/*" }) }),
                /vault\.mountPath: "shop-prod-kv\/\*" contains '\*'/,
            ],
            [
                "a mount path of another env",
                () => vaultArgs({ vault: vaultStore({ mountPath: "shop-dev-kv" }) }),
                /vault\.mountPath: "shop-dev-kv" names environment dev/,
            ],
            [
                "an auth path with a trailing slash",
                () => vaultArgs({ vault: vaultStore({ authPath: "kubernetes-shop-prod/" }) }),
                /vault\.authPath: .* starts or ends with '\/'/,
            ],
            [
                "a role with a glob",
                () => vaultArgs({ vault: vaultStore({ role: "shop-prod-*" }) }),
                /vault\.role: "shop-prod-\*" is not a Vault role name/,
            ],
            [
                "a role of another env",
                () => vaultArgs({ vault: vaultStore({ role: "shop-stage-payments" }) }),
                /vault\.role: "shop-stage-payments" names environment stage/,
            ],
            [
                "a wildcard audience",
                () => vaultArgs({ vault: vaultStore({ audience: "*" }) }),
                /vault\.audience: "\*" is not an audience/,
            ],
            [
                "a CA bundle that is not base64",
                () => vaultArgs({ vault: vaultStore({ caBundle: "-----BEGIN CERTIFICATE-----" }) }),
                /vault\.caBundle: is not a base64-encoded PEM certificate/,
            ],
            [
                "a CA bundle that is not a certificate",
                () => vaultArgs({ vault: vaultStore({ caBundle: Buffer.from("hello").toString("base64") }) }),
                /vault\.caBundle: is not a base64-encoded PEM certificate/,
            ],
            ["no secrets", () => awsArgs({ secrets: [] }), /secrets: is empty/],
            [
                "a key of another app",
                () => awsArgs({ secrets: [{ name: "shop-prod/orders/db-password" }] }),
                /secrets\[0\]\.name: "shop-prod\/orders\/db-password" is outside the app's prefix shop-prod\/payments\/; fix: name a secret directly under shop-prod\/payments\//,
            ],
            [
                "a key of another env",
                () => awsArgs({ secrets: [{ name: "shop-dev/payments/db-password" }] }),
                /secrets\[0\]\.name: "shop-dev\/payments\/db-password" is outside the app's prefix/,
            ],
            [
                "a Vault key of another app",
                () => vaultArgs({ secrets: [{ name: "prod/orders/db" }] }),
                /secrets\[0\]\.name: "prod\/orders\/db" is outside the app's prefix prod\/payments\//,
            ],
            [
                "a Secrets Manager key given to Vault",
                () => vaultArgs({ secrets: [{ name: "shop-prod/payments/db" }] }),
                /secrets\[0\]\.name: "shop-prod\/payments\/db" is outside the app's prefix prod\/payments\//,
            ],
            [
                "a wildcard key",
                () => awsArgs({ secrets: [{ name: "*" }] }),
                /secrets\[0\]\.name: "\*" is not a secret name/,
            ],
            [
                "a wildcard under the prefix",
                () => awsArgs({ secrets: [{ name: "shop-prod/payments/*" }] }),
                /secrets\[0\]\.name: "shop-prod\/payments\/\*" is not a secret name/,
            ],
            [
                "a nested key under the prefix",
                () => awsArgs({ secrets: [{ name: "shop-prod/payments/db/password" }] }),
                /secrets\[0\]\.name: "shop-prod\/payments\/db\/password" is not a secret name/,
            ],
            [
                "the same secret twice",
                () => awsArgs({ secrets: [{ name: "db-password" }, { name: "shop-prod/payments/db-password" }] }),
                /secrets\[1\]\.name: shop-prod\/payments\/db-password is declared twice/,
            ],
            [
                "two secrets into one Secret",
                () =>
                    awsArgs({
                        secrets: [
                            { name: "a", targetName: "db" },
                            { name: "b", targetName: "db" },
                        ],
                    }),
                /secrets\[1\]\.targetName: db is written by two ExternalSecrets/,
            ],
            [
                "a target that is not a Secret name",
                () => awsArgs({ secrets: [{ name: "db", targetName: "DB" }] }),
                /secrets\[0\]\.targetName: "DB" is not a Kubernetes Secret name/,
            ],
            [
                "keys that are empty",
                () => awsArgs({ secrets: [{ name: "db", keys: [] }] }),
                /secrets\[0\]\.keys: \[\] is not a list of keys/,
            ],
            [
                "a wildcard key property",
                () => awsArgs({ secrets: [{ name: "db", keys: ["*"] }] }),
                /secrets\[0\]\.keys\[0\]: "\*" is not a Secret key/,
            ],
            [
                "a key property listed twice",
                () => awsArgs({ secrets: [{ name: "db", keys: ["user", "user"] }] }),
                /secrets\[0\]\.keys\[1\]: "user" is listed twice/,
            ],
            [
                "a refresh interval in days",
                () => awsArgs({ secrets: [{ name: "db", refreshInterval: "1d" }] }),
                /secrets\[0\]\.refreshInterval: "1d" is not a refresh interval; fix: give a Go duration/,
            ],
            [
                "the namespace's default ServiceAccount",
                () => awsArgs({ serviceAccountName: "default" }),
                /serviceAccountName: default is the ServiceAccount every pod that names none runs as, so its rights would go to all of them; fix: name a ServiceAccount of its own/,
            ],
            [
                "a refresh interval of zero",
                () => awsArgs({ secrets: [{ name: "db", refreshInterval: "0s" }] }),
                /secrets\[0\]\.refreshInterval: "0s" is not a refresh interval/,
            ],
        ];
        for (const [what, makeArgs, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new AppExternalSecrets("payments", makeArgs()),
                    (e: Error) => {
                        assert.match(e.message, /^AppExternalSecrets "payments": invalid arguments:/);
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
                    resolveAppExternalSecretsArgs(
                        "payments",
                        vaultArgs({ app: "Payments", vault: vaultStore({ server: "http://v" }), secrets: [] }),
                    ),
                (e: Error & { problems?: string[] }) => {
                    assert.deepEqual(
                        e.problems?.map((p) => p.split(":")[0]),
                        ["app", "vault.server", "secrets"],
                    );
                    return true;
                },
            );
        });

        it("accepts the fixtures of both backends", () => {
            assert.equal(resolveAppExternalSecretsArgs("payments", awsArgs()).backend, SecretBackend.AwsSecretsManager);
            assert.equal(resolveAppExternalSecretsArgs("payments", vaultArgs()).keyPrefix, "prod/payments/");
        });
    });
});
