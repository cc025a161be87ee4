/**
 * External Secrets policies, on the SecretStores and ExternalSecrets AppExternalSecrets builds.
 */
import * as assert from "node:assert/strict";
import {
    awsSecretStoreManifest,
    externalSecretManifest,
    vaultDynamicSecretManifest,
    SecretBackend,
    vaultSecretStoreManifest,
} from "../../../../components/addons/external-secrets/manifests";
import { secretPathPrefix, vaultSecretPrefix } from "../../../../components/baseline";
import {
    CLUSTER_EXTERNAL_SECRET,
    CLUSTER_SECRET_STORE,
    EXTERNAL_SECRET,
    externalSecretsAwsStoreService,
    externalSecretsGenerators,
    externalSecretsNoPushSecret,
    externalSecretsNoSharedClusterStore,
    externalSecretsRemoteKeyPrefix,
    externalSecretsStoreAppServiceAccount,
    externalSecretsStoreAwsRole,
    externalSecretsStoreIdentity,
    externalSecretsStoreOwnServiceAccount,
    externalSecretsTargetOwned,
    externalSecretsV1Only,
    externalSecretsVaultDynamicSecretScope,
    externalSecretsVaultTls,
    SECRET_STORE,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf, unknowns, violations } from "./check";

const STORE = { name: "payments-store", namespace: "payments", app: "payments", serviceAccountName: "payments" };

function awsStore(): Record<string, any> {
    return awsSecretStoreManifest({ ...STORE, region: "eu-west-1" }) as Record<string, any>;
}

function vaultStore(): Record<string, any> {
    return vaultSecretStoreManifest({
        ...STORE,
        server: "https://vault.example.com:8200",
        mountPath: "shop-prod-kv",
        authPath: "kubernetes-shop-prod",
        role: "shop-prod-payments",
        audience: "vault",
    }) as Record<string, any>;
}

function externalSecret(
    keyPrefix = secretPathPrefix("shop", "prod", "payments"),
    keys?: string[],
): Record<string, any> {
    return externalSecretManifest({
        name: "payments-db-password",
        namespace: "payments",
        app: "payments",
        storeName: "payments-store",
        targetName: "payments-db-password",
        remoteKey: `${keyPrefix}db-password`,
        keyPrefix,
        keys,
        refreshInterval: "1h",
    }) as Record<string, any>;
}

describe("policy external-secrets-v1-only", () => {
    it("passes v1 objects and anything else", () => {
        assert.deepEqual(run(externalSecretsV1Only, resource(EXTERNAL_SECRET, externalSecret())), []);
        assert.deepEqual(
            run(externalSecretsV1Only, resource("kubernetes:apps/v1:Deployment", { metadata: { name: "x" } })),
            [],
        );
    });

    it("reports v1beta1 and v1alpha1 objects, whatever their kind", () => {
        const old = resource("kubernetes:external-secrets.io/v1beta1:ExternalSecret", externalSecret());
        assert.deepEqual(violations(run(externalSecretsV1Only, old)), [
            "ExternalSecret payments/payments-db-password is external-secrets.io/v1beta1, not external-secrets.io/v1",
        ]);
        const push = resource("kubernetes:external-secrets.io/v1alpha1:PushSecret", {
            metadata: { name: "p", namespace: "payments" },
        });
        assert.deepEqual(violations(run(externalSecretsV1Only, push)), [
            "PushSecret payments/p is external-secrets.io/v1alpha1, not external-secrets.io/v1",
        ]);
    });
});

describe("policy external-secrets-store-own-service-account", () => {
    it("passes the stores AppExternalSecrets builds", () => {
        assert.deepEqual(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, awsStore())), []);
        assert.deepEqual(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, vaultStore())), []);
        const same = awsStore();
        same.spec.provider.aws.auth.jwt.serviceAccountRef.namespace = "payments";
        assert.deepEqual(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, same)), []);
    });

    it("reports a ServiceAccount of another namespace", () => {
        const store = vaultStore();
        store.spec.provider.vault.auth.kubernetes.serviceAccountRef.namespace = "orders";
        assert.deepEqual(violations(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, store))), [
            "SecretStore payments/payments-store: spec.provider.vault.auth.kubernetes.serviceAccountRef names " +
                'ServiceAccount "orders"/"payments", outside the store\'s namespace payments',
        ]);
    });

    it("reports an unknown provider or namespace as unknown", () => {
        const store = awsStore();
        store.spec.provider.aws.auth.jwt.serviceAccountRef.namespace = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, store))), [
            "spec.provider.aws.auth.jwt.serviceAccountRef.namespace",
        ]);
        const provider = { ...awsStore(), spec: { provider: UNKNOWN } };
        assert.deepEqual(unknowns(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, provider))), [
            "spec.provider",
        ]);
    });
});

describe("policy external-secrets-no-shared-cluster-store", () => {
    it("passes an ExternalSecret reading through its app's SecretStore", () => {
        assert.deepEqual(run(externalSecretsNoSharedClusterStore, resource(EXTERNAL_SECRET, externalSecret())), []);
    });

    it("reports a ClusterSecretStore and a ClusterExternalSecret", () => {
        const store = { ...awsStore(), kind: "ClusterSecretStore", metadata: { name: "shared" } };
        assert.deepEqual(violations(run(externalSecretsNoSharedClusterStore, resource(CLUSTER_SECRET_STORE, store))), [
            "ClusterSecretStore shared is shared by every namespace of the cluster, and so by every app and env",
        ]);
        const spread = resource(CLUSTER_EXTERNAL_SECRET, { metadata: { name: "spread" }, spec: {} });
        assert.deepEqual(violations(run(externalSecretsNoSharedClusterStore, spread)), [
            "ClusterExternalSecret spread copies one secret into many namespaces",
        ]);
    });

    it("reports an ExternalSecret that reads through a ClusterSecretStore", () => {
        const es = externalSecret();
        es.spec.secretStoreRef = { name: "shared", kind: "ClusterSecretStore" };
        assert.deepEqual(violations(run(externalSecretsNoSharedClusterStore, resource(EXTERNAL_SECRET, es))), [
            'ExternalSecret payments/payments-db-password: spec.secretStoreRef reads through ClusterSecretStore "shared"',
        ]);
    });

    it("reports an unknown store kind as unknown", () => {
        const es = externalSecret();
        es.spec.secretStoreRef.kind = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsNoSharedClusterStore, resource(EXTERNAL_SECRET, es))), [
            "spec.secretStoreRef.kind",
        ]);
    });
});

describe("policy external-secrets-store-own-service-account, kubernetes provider", () => {
    it("reports the kubernetes provider's auth.serviceAccount in another namespace", () => {
        const store = awsStore();
        store.spec.provider = {
            kubernetes: {
                remoteNamespace: "payments",
                auth: { serviceAccount: { name: "admin", namespace: "kube-system" } },
            },
        };
        assert.equal(violations(run(externalSecretsStoreOwnServiceAccount, resource(SECRET_STORE, store))).length, 1);
    });
});

describe("policy external-secrets-no-shared-cluster-store, platform", () => {
    it("leaves a ClusterSecretStore the platform's chart rendered alone, only when the URN is the engine's", () => {
        const urn =
            "urn:pulumi:prod::k8s-baseline::k8s-baseline:index:ExternalSecretsOperator$kubernetes:helm.sh/v4:Chart$" +
            "kubernetes:external-secrets.io/v1:ClusterSecretStore::platform";
        const store = resource(CLUSTER_SECRET_STORE, { ...awsStore(), kind: "ClusterSecretStore" }, { urn });
        delete store.props.metadata.namespace;
        assert.deepEqual(
            run(externalSecretsNoSharedClusterStore, store, { ...settingsOf("prod"), trustedUrns: true }),
            [],
        );
        assert.equal(
            violations(run(externalSecretsNoSharedClusterStore, store, { ...settingsOf("prod"), trustedUrns: false }))
                .length,
            1,
        );
    });
});

describe("policy external-secrets-no-shared-cluster-store, store kinds", () => {
    it("reports a store reference of any kind but SecretStore", () => {
        const es = externalSecret();
        es.spec.secretStoreRef.kind = "Secret";
        assert.deepEqual(violations(run(externalSecretsNoSharedClusterStore, resource(EXTERNAL_SECRET, es))), [
            'ExternalSecret payments/payments-db-password: spec.secretStoreRef has kind "Secret", not SecretStore',
        ]);
        delete es.spec.secretStoreRef.kind;
        assert.deepEqual(run(externalSecretsNoSharedClusterStore, resource(EXTERNAL_SECRET, es)), []);
    });
});

describe("policy external-secrets-remote-key-prefix", () => {
    const check = (es: Record<string, any>, env: "dev" | "stage" | "prod" = "prod") =>
        run(externalSecretsRemoteKeyPrefix, resource(EXTERNAL_SECRET, es), settingsOf(env));

    it("passes keys under the app's Secrets Manager or Vault prefix in its env", () => {
        assert.deepEqual(check(externalSecret()), []);
        assert.deepEqual(check(externalSecret(secretPathPrefix("shop", "prod", "payments"), ["password"])), []);
        assert.deepEqual(check(externalSecret(vaultSecretPrefix("dev", "payments")), "dev"), []);
    });

    it("reports a key of another app", () => {
        const es = externalSecret();
        es.spec.dataFrom[0].extract.key = "shop-prod/orders/db-url";
        assert.deepEqual(violations(check(es)), [
            'ExternalSecret payments/payments-db-password: spec.dataFrom[0].extract.key "shop-prod/orders/db-url" is not ' +
                "under <project>-prod/payments/, /<project>-prod/payments/ or prod/payments/",
        ]);
    });

    it("passes Parameter Store keys and find paths inside the app's path, and reports others", () => {
        const es = externalSecret();
        es.spec.dataFrom[0].extract.key = "/shop-prod/payments/db-password";
        assert.deepEqual(check(es), []);
        es.spec.dataFrom = [{ find: { path: "/shop-prod/payments", name: { regexp: "^db" } } }];
        assert.deepEqual(check(es), [], "the app's path itself, as GetParametersByPath takes it");
        es.spec.dataFrom = [{ find: { path: "/shop-prod/payments/" } }];
        assert.deepEqual(check(es), []);
        for (const [path, key] of [
            ["/shop-prod", "find"],
            ["/shop-prod/pay", "find"],
            ["/shop-prod/orders", "find"],
            ["/prod/payments", "find"],
            ["//shop-prod/payments", "find"],
            ["/shop-prod/orders/db-url", "extract"],
            ["/shop-dev/payments/db-url", "extract"],
            ["//shop-prod/payments/db-url", "extract"],
        ]) {
            es.spec.dataFrom = [key === "find" ? { find: { path } } : { extract: { key: path } }];
            assert.equal(violations(check(es)).length, 1, path);
        }
        es.spec.dataFrom = [{ find: { name: { regexp: ".*" } } }];
        assert.equal(violations(check(es)).length, 1, "a find without a path");
    });

    it("reports a key of another env, or without an env prefix", () => {
        const stage = externalSecret(secretPathPrefix("shop", "stage", "payments"), ["password"]);
        assert.deepEqual(violations(check(stage)), [
            'ExternalSecret payments/payments-db-password: spec.data[0].remoteRef.key "shop-stage/payments/db-password" names stage in prod',
        ]);
        const bare = externalSecret();
        bare.spec.dataFrom[0].extract.key = "payments/db-password";
        assert.equal(violations(check(bare)).length, 1);
        const noSecret = externalSecret();
        noSecret.spec.dataFrom[0].extract.key = "shop-prod/payments/../orders/db-url";
        assert.deepEqual(violations(check(noSecret)), [
            'ExternalSecret payments/payments-db-password: spec.dataFrom[0].extract.key "shop-prod/payments/../orders/db-url" ' +
                "names no secret under shop-prod/payments/",
        ]);
    });

    it("takes the app from the namespace when the app label is absent", () => {
        const es = externalSecret();
        delete es.metadata.labels["app.kubernetes.io/name"];
        assert.deepEqual(check(es), []);
        es.metadata.namespace = "shared";
        assert.equal(violations(check(es)).length, 1);
    });

    it("requires a find under the prefix", () => {
        const es = externalSecret();
        es.spec.dataFrom = [{ find: { name: { regexp: ".*" } } }];
        assert.deepEqual(violations(check(es)), [
            "ExternalSecret payments/payments-db-password: spec.dataFrom[0].find.path is not set, so the search covers " +
                "every secret the store can read",
        ]);
        es.spec.dataFrom = [{ find: { path: "shop-prod/payments/" } }];
        assert.deepEqual(check(es), []);
        es.spec.dataFrom = [{ find: { path: "shop-prod/payments/db/" } }];
        assert.deepEqual(check(es), []);
        es.spec.dataFrom = [{ find: { path: "shop-prod/payments" } }];
        assert.equal(violations(check(es)).length, 1);
        es.spec.dataFrom = [{ find: { path: "shop-prod/payments/../orders/" } }];
        assert.deepEqual(violations(check(es)), [
            'ExternalSecret payments/payments-db-password: spec.dataFrom[0].find.path "shop-prod/payments/../orders/" ' +
                "names no path under shop-prod/payments/",
        ]);
    });

    it("reports unknown keys and app labels as unknown, still checking the env", () => {
        const es = externalSecret();
        es.spec.dataFrom[0].extract.key = UNKNOWN;
        assert.deepEqual(unknowns(check(es)), ["spec.dataFrom[0].extract.key"]);
        const label = externalSecret();
        label.metadata.labels["app.kubernetes.io/name"] = UNKNOWN;
        assert.deepEqual(unknowns(check(label)), ['metadata.labels["app.kubernetes.io/name"]']);
        assert.deepEqual(violations(check(label)), []);
        label.spec.dataFrom[0].extract.key = "shop-dev/payments/db-password";
        assert.equal(violations(check(label)).length, 1);
    });
});

describe("policy external-secrets-aws-store-service", () => {
    const check = (store: Record<string, any>) => run(externalSecretsAwsStoreService, resource(SECRET_STORE, store));
    const parameterStore = () =>
        awsSecretStoreManifest({
            ...STORE,
            region: "eu-west-1",
            backend: SecretBackend.AwsParameterStore,
        }) as Record<string, any>;

    it("passes the Secrets Manager and Parameter Store stores AppExternalSecrets writes, and ignores Vault", () => {
        assert.equal(parameterStore().spec.provider.aws.service, "ParameterStore");
        assert.deepEqual(check(awsStore()), []);
        assert.deepEqual(check(parameterStore()), []);
        assert.deepEqual(check(vaultStore()), []);
    });

    it("reports another service, a missing region and a key prefix", () => {
        const acm = parameterStore();
        acm.spec.provider.aws.service = "CertificateManager";
        assert.deepEqual(violations(check(acm)), [
            'SecretStore payments/payments-store: spec.provider.aws.service "CertificateManager" is not SecretsManager or ParameterStore',
        ]);
        const noRegion = parameterStore();
        delete noRegion.spec.provider.aws.region;
        assert.equal(violations(check(noRegion)).length, 1);
        const prefixed = parameterStore();
        prefixed.spec.provider.aws.prefix = "/shop-prod/orders/";
        assert.deepEqual(violations(check(prefixed)), [
            'SecretStore payments/payments-store: spec.provider.aws.prefix "/shop-prod/orders/" is put before every key, so the keys its ExternalSecrets name are not the keys read',
        ]);
    });

    it("reports an unknown service as unknown", () => {
        const store = parameterStore();
        store.spec.provider.aws.service = UNKNOWN;
        assert.deepEqual(unknowns(check(store)), ["spec.provider.aws.service"]);
    });
});

/** A store with `provider` as its only provider, in the payments namespace. */
function storeWith(provider: Record<string, any>): Record<string, any> {
    const store = awsStore();
    store.spec.provider = provider;
    return store;
}

describe("policy external-secrets-store-identity", () => {
    it("passes the stores AppExternalSecrets builds and the other per-app workload identities", () => {
        assert.deepEqual(run(externalSecretsStoreIdentity, resource(SECRET_STORE, awsStore())), []);
        assert.deepEqual(run(externalSecretsStoreIdentity, resource(SECRET_STORE, vaultStore())), []);
        const others = [
            { gcpsm: { projectID: "p", auth: { workloadIdentity: { serviceAccountRef: { name: "payments" } } } } },
            {
                azurekv: {
                    vaultUrl: "https://v.vault.azure.net",
                    authType: "WorkloadIdentity",
                    serviceAccountRef: { name: "payments" },
                },
            },
            {
                kubernetes: {
                    remoteNamespace: "payments",
                    auth: { serviceAccount: { name: "payments" } },
                    server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
                },
            },
            {
                vault: {
                    server: "https://vault.example.com",
                    path: "shop-prod-kv",
                    auth: {
                        jwt: {
                            path: "jwt",
                            role: "r",
                            kubernetesServiceAccountToken: { serviceAccountRef: { name: "payments" } },
                        },
                    },
                },
            },
        ];
        for (const provider of others) {
            assert.deepEqual(
                run(externalSecretsStoreIdentity, resource(SECRET_STORE, storeWith(provider))),
                [],
                Object.keys(provider)[0],
            );
        }
    });

    it("reports a store that uses the operator's own identity or stored credentials", () => {
        const cases: [Record<string, any>, string][] = [
            [{ aws: { service: "SecretsManager", region: "eu-west-1" } }, "has no auth, so the operator uses its own"],
            [
                {
                    aws: {
                        service: "SecretsManager",
                        region: "eu-west-1",
                        auth: { secretRef: { accessKeyIDSecretRef: { name: "k", key: "id" } } },
                    },
                },
                "static access keys",
            ],
            [{ vault: { server: "https://v", auth: { tokenSecretRef: { name: "t", key: "token" } } } }, "Vault token"],
            [
                {
                    vault: {
                        server: "https://v",
                        auth: { appRole: { roleId: "x", secretRef: { name: "s", key: "k" } } },
                    },
                },
                "AppRole",
            ],
            [
                {
                    vault: {
                        server: "https://v",
                        auth: { userPass: { username: "u", secretRef: { name: "s", key: "k" } } },
                    },
                },
                "password",
            ],
            [
                { vault: { server: "https://v", auth: { cert: { clientCert: { name: "c", key: "k" } } } } },
                "certificate",
            ],
            [
                { vault: { server: "https://v", auth: { kubernetes: { role: "r", mountPath: "k" } } } },
                "operator's own token",
            ],
            [
                {
                    vault: {
                        server: "https://v",
                        auth: { kubernetes: { role: "r", secretRef: { name: "t", key: "token" } } },
                    },
                },
                "token kept in a Secret",
            ],
            [{ gcpsm: { projectID: "p" } }, "GCP identity"],
            [{ azurekv: { vaultUrl: "https://v", authType: "ManagedIdentity" } }, "managed identity"],
            [
                { azurekv: { vaultUrl: "https://v", authSecretRef: { clientId: { name: "s", key: "id" } } } },
                "service principal",
            ],
            [
                {
                    kubernetes: {
                        remoteNamespace: "payments",
                        auth: { token: { bearerToken: { name: "t", key: "token" } } },
                    },
                },
                "token or certificate",
            ],
            [
                {
                    onepassword: {
                        connectHost: "https://op",
                        auth: { secretRef: { connectTokenSecretRef: { name: "t", key: "k" } } },
                    },
                },
                "cannot authenticate as the app's ServiceAccount",
            ],
            [{ fake: { data: [] } }, "cannot authenticate"],
        ];
        for (const [provider, expected] of cases) {
            const reported = violations(run(externalSecretsStoreIdentity, resource(SECRET_STORE, storeWith(provider))));
            assert.ok(
                reported.some((m) => m.includes(expected)),
                `${JSON.stringify(provider)}: ${reported.join("; ")}`,
            );
        }
    });

    it("reports a kubernetes provider that reads another namespace, the default one included", () => {
        const provider = { kubernetes: { auth: { serviceAccount: { name: "payments" } } } };
        assert.deepEqual(violations(run(externalSecretsStoreIdentity, resource(SECRET_STORE, storeWith(provider)))), [
            'SecretStore payments/payments-store: spec.provider.kubernetes.remoteNamespace "default" reads Secrets of another namespace than the store\'s "payments"',
        ]);
    });

    it("reports an unknown provider as unknown", () => {
        const store = awsStore();
        store.spec.provider.aws.auth = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsStoreIdentity, resource(SECRET_STORE, store))), ["spec.provider"]);
    });
});

describe("policy external-secrets-store-app-service-account", () => {
    const serviceAccount = (name: string, app?: string) =>
        resource("kubernetes:core/v1:ServiceAccount", {
            metadata: { name, namespace: "payments", labels: app ? { "app.kubernetes.io/name": app } : {} },
        });

    it("passes a store naming its app's ServiceAccount, by name or by label", () => {
        assert.deepEqual(run(externalSecretsStoreAppServiceAccount, [resource(SECRET_STORE, awsStore())]), []);
        const renamed = awsStore();
        renamed.spec.provider.aws.auth.jwt.serviceAccountRef.name = "payments-api";
        assert.deepEqual(
            run(externalSecretsStoreAppServiceAccount, [
                serviceAccount("payments-api", "payments"),
                resource(SECRET_STORE, renamed),
            ]),
            [],
        );
    });

    it("reports another app's ServiceAccount, an unlabelled stranger and default", () => {
        const other = awsStore();
        other.spec.provider.aws.auth.jwt.serviceAccountRef.name = "billing";
        assert.deepEqual(violations(run(externalSecretsStoreAppServiceAccount, [resource(SECRET_STORE, other)])), [
            "SecretStore payments/payments-store: spec.provider.aws.auth.jwt.serviceAccountRef names ServiceAccount payments/billing, " +
                "which is not app payments's (payments, or one labelled app.kubernetes.io/name=payments)",
        ]);
        assert.deepEqual(
            violations(
                run(externalSecretsStoreAppServiceAccount, [
                    serviceAccount("billing", "billing"),
                    resource(SECRET_STORE, other),
                ]),
            ),
            [
                "SecretStore payments/payments-store: spec.provider.aws.auth.jwt.serviceAccountRef names ServiceAccount payments/billing, which is app billing's, not payments's",
            ],
        );
        // A ServiceAccount named after the app but labelled for another is that other app's.
        assert.equal(
            violations(
                run(externalSecretsStoreAppServiceAccount, [
                    serviceAccount("payments", "billing"),
                    resource(SECRET_STORE, awsStore()),
                ]),
            ).length,
            1,
        );
        const shared = vaultStore();
        shared.spec.provider.vault.auth.kubernetes.serviceAccountRef.name = "default";
        assert.equal(
            violations(run(externalSecretsStoreAppServiceAccount, [resource(SECRET_STORE, shared)])).length,
            1,
        );
    });

    it("reports an unknown app label as unknown", () => {
        const store = awsStore();
        store.metadata.labels["app.kubernetes.io/name"] = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsStoreAppServiceAccount, [resource(SECRET_STORE, store)])), [
            'metadata.labels["app.kubernetes.io/name"]',
        ]);
    });
});

describe("policy external-secrets-store-aws-role", () => {
    const irsa = (account: string) =>
        resource("kubernetes:core/v1:ServiceAccount", {
            metadata: {
                name: "payments",
                namespace: "payments",
                labels: { "app.kubernetes.io/name": "payments" },
                annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${account}:role/shop-prod-payments` },
            },
        });
    const withRole = (role: unknown, additionalRoles?: unknown[]) => {
        const store = awsStore();
        store.spec.provider.aws.role = role;
        if (additionalRoles) store.spec.provider.aws.additionalRoles = additionalRoles;
        return resource(SECRET_STORE, store);
    };

    it("passes a store without a role, and one of its own env and account", () => {
        assert.deepEqual(
            run(externalSecretsStoreAwsRole, [irsa("111111111111"), resource(SECRET_STORE, awsStore())]),
            [],
        );
        assert.deepEqual(
            run(externalSecretsStoreAwsRole, [
                irsa("111111111111"),
                withRole("arn:aws:iam::111111111111:role/shop-prod-payments-reader"),
            ]),
            [],
        );
    });

    it("reports a role of another env, of no env, of another account, or not a role", () => {
        const cases: [PolicyResourceLike, string][] = [
            [withRole("arn:aws:iam::111111111111:role/shop-dev-payments"), "is a role of dev, not prod"],
            [withRole("arn:aws:iam::111111111111:role/secrets-reader"), "does not name prod"],
            [withRole("arn:aws:iam::222222222222:role/shop-prod-payments"), "is in account 222222222222"],
            [withRole("shop-prod-payments"), "is not an IAM role ARN"],
            [withRole(undefined, ["arn:aws:iam::111111111111:role/shop-stage-payments"]), "is a role of stage"],
        ];
        for (const [store, expected] of cases) {
            const reported = violations(run(externalSecretsStoreAwsRole, [irsa("111111111111"), store]));
            assert.ok(
                reported.some((m) => m.includes(expected)),
                `${expected}: ${reported.join("; ")}`,
            );
        }
        assert.deepEqual(
            run(
                externalSecretsStoreAwsRole,
                [withRole("arn:aws:iam::111111111111:role/shop-dev-payments")],
                settingsOf("dev"),
            ),
            [],
        );
    });

    it("reports an unknown role as unknown", () => {
        assert.deepEqual(unknowns(run(externalSecretsStoreAwsRole, [withRole(UNKNOWN)])), ["spec.provider.aws.role"]);
    });
});
type PolicyResourceLike = ReturnType<typeof resource>;

describe("policy external-secrets-target-owned", () => {
    it("passes the ExternalSecrets AppExternalSecrets builds", () => {
        assert.deepEqual(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, externalSecret())), []);
        const none = externalSecret();
        none.spec.target.creationPolicy = "None";
        assert.deepEqual(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, none)), []);
    });

    it("reports merging, orphaning, a ServiceAccount token and another kind", () => {
        for (const policy of ["Merge", "Orphan", "CreateOrMerge"]) {
            const es = externalSecret();
            es.spec.target.creationPolicy = policy;
            assert.equal(violations(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, es))).length, 1, policy);
        }
        const token = externalSecret();
        token.spec.target.template = {
            type: "kubernetes.io/service-account-token",
            metadata: { annotations: { "kubernetes.io/service-account.name": "external-secrets" } },
        };
        assert.deepEqual(violations(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, token))), [
            "ExternalSecret payments/payments-db-password: spec.target.template.type kubernetes.io/service-account-token makes the token controller mint a ServiceAccount token into it",
        ]);
        const manifest = externalSecret();
        manifest.spec.target.manifest = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" };
        assert.equal(violations(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, manifest))).length, 1);
    });

    it("reports an unknown creation policy as unknown", () => {
        const es = externalSecret();
        es.spec.target.creationPolicy = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsTargetOwned, resource(EXTERNAL_SECRET, es))), [
            "spec.target.creationPolicy",
        ]);
    });
});

describe("policy external-secrets-generators", () => {
    const generated = (kind: string) => {
        const es = externalSecret();
        delete es.spec.dataFrom;
        es.spec.dataFrom = [
            { sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind, name: "g" } } },
        ];
        return resource(EXTERNAL_SECRET, es);
    };
    const generator = (kind: string) =>
        resource(`kubernetes:generators.external-secrets.io/v1alpha1:${kind}`, {
            metadata: { name: "g", namespace: "payments" },
            spec: {},
        });

    it("passes ExternalSecrets without generators, and random generators in dev and stage", () => {
        assert.deepEqual(run(externalSecretsGenerators, resource(EXTERNAL_SECRET, externalSecret())), []);
        for (const env of ["dev", "stage"] as const) {
            assert.deepEqual(run(externalSecretsGenerators, generated("Password"), settingsOf(env)), []);
            assert.deepEqual(run(externalSecretsGenerators, generator("UUID"), settingsOf(env)), []);
        }
    });

    it("reports every generator in prod or with no env, and token generators everywhere", () => {
        assert.deepEqual(violations(run(externalSecretsGenerators, generated("Password"))), [
            'ExternalSecret payments/payments-db-password: spec.dataFrom[0].sourceRef.generatorRef uses a "Password" generator, not admitted in prod',
        ]);
        assert.equal(violations(run(externalSecretsGenerators, generator("Password"), settingsOf())).length, 1);
        for (const kind of ["ECRAuthorizationToken", "STSSessionToken", "Webhook", "ClusterGenerator"]) {
            assert.equal(
                violations(run(externalSecretsGenerators, generated(kind), settingsOf("dev"))).length,
                1,
                kind,
            );
            assert.equal(
                violations(run(externalSecretsGenerators, generator(kind), settingsOf("dev"))).length,
                1,
                kind,
            );
        }
    });

    it("admits VaultDynamicSecret in every env, prod included (its scope is judged by its own policy)", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            assert.deepEqual(run(externalSecretsGenerators, generated("VaultDynamicSecret"), settingsOf(env)), [], env);
            assert.deepEqual(run(externalSecretsGenerators, generator("VaultDynamicSecret"), settingsOf(env)), [], env);
        }
    });

    it("reports an unknown generator kind as unknown", () => {
        assert.deepEqual(unknowns(run(externalSecretsGenerators, generated(UNKNOWN as never))), [
            "spec.dataFrom[0].sourceRef.generatorRef.kind",
        ]);
    });
});

describe("policy external-secrets-no-push-secret", () => {
    it("passes what only pulls", () => {
        assert.deepEqual(run(externalSecretsNoPushSecret, resource(EXTERNAL_SECRET, externalSecret())), []);
    });

    it("reports PushSecret and ClusterPushSecret in every version", () => {
        for (const type of [
            "kubernetes:external-secrets.io/v1alpha1:PushSecret",
            "kubernetes:external-secrets.io/v1:PushSecret",
            "kubernetes:external-secrets.io/v1alpha1:ClusterPushSecret",
        ]) {
            assert.equal(
                violations(
                    run(
                        externalSecretsNoPushSecret,
                        resource(type, { metadata: { name: "p", namespace: "payments" } }),
                    ),
                ).length,
                1,
                type,
            );
        }
    });
});

/** The generator AppExternalSecrets renders for prod's payments (a copy the test may change), at `server`. */
function vaultGenerator(server = "https://vault.prod.shop.example.com:8200"): any {
    return JSON.parse(
        JSON.stringify(
            vaultDynamicSecretManifest({
                name: "payments-database",
                namespace: "payments",
                app: "payments",
                serviceAccountName: "payments",
                server,
                authPath: "kubernetes-shop-prod",
                role: "shop-prod-payments",
                audience: "vault",
                databaseMountPath: "shop-prod-database",
                databaseRole: "shop-prod-payments",
                refreshInterval: "7m30s",
            }),
        ),
    );
}

describe("policy external-secrets-vault-dynamic-secret-scope", () => {
    const TYPE = "kubernetes:generators.external-secrets.io/v1alpha1:VaultDynamicSecret";
    const manifest = (): any => vaultGenerator();
    const judge = (m: any, env: "dev" | "stage" | "prod" = "prod") =>
        violations(run(externalSecretsVaultDynamicSecretScope, resource(TYPE, m), settingsOf(env)));

    it("passes the generator the component renders", () => {
        assert.deepEqual(judge(manifest()), []);
    });

    it("reports a path of another app, another env, a glob or another endpoint", () => {
        for (const path of [
            "shop-prod-database/creds/shop-prod-orders",
            "shop-dev-database/creds/shop-dev-payments",
            "shop-prod-database/creds/*",
            "shop-prod-database/roles/shop-prod-payments",
            "auth/token/create",
        ]) {
            const m = manifest();
            m.spec.path = path;
            assert.equal(judge(m).length >= 1, true, path);
        }
        const m = manifest();
        m.spec.path = "shop-prod-database/creds/shop-prod-orders";
        assert.deepEqual(judge(m), [
            "VaultDynamicSecret payments/payments-database: spec.path shop-prod-database/creds/shop-prod-orders reads role shop-prod-orders, not app payments's (<project>-prod-payments)",
        ]);
    });

    it("reports another namespace's ServiceAccount, default, another auth role, a write, or a token login", () => {
        const otherNamespace = manifest();
        otherNamespace.spec.provider.auth.kubernetes.serviceAccountRef.namespace = "orders";
        assert.equal(judge(otherNamespace).length, 1);
        const shared = manifest();
        shared.spec.provider.auth.kubernetes.serviceAccountRef.name = "default";
        assert.equal(judge(shared).length, 1);
        const otherRole = manifest();
        otherRole.spec.provider.auth.kubernetes.role = "shop-prod-orders";
        assert.deepEqual(judge(otherRole), [
            "VaultDynamicSecret payments/payments-database: spec.provider.auth.kubernetes.role shop-prod-orders is not the app's role shop-prod-payments, whose policy reads its credentials",
        ]);
        const post = manifest();
        post.spec.method = "POST";
        assert.equal(judge(post).length, 1);
        const token = manifest();
        token.spec.provider.auth = { tokenSecretRef: { name: "vault-token", key: "token" } };
        assert.equal(judge(token).length, 1);
    });

    it("judges the role against the env it runs in", () => {
        assert.equal(judge(manifest(), "dev").length >= 1, true);
    });
});

describe("policy external-secrets-vault-tls", () => {
    const GENERATOR = "kubernetes:generators.external-secrets.io/v1alpha1:VaultDynamicSecret";
    const store = (server: string) => {
        const s = vaultStore();
        s.spec.provider.vault.server = server;
        return s;
    };
    const checkStore = (s: Record<string, any>, type = SECRET_STORE) => run(externalSecretsVaultTls, resource(type, s));
    const checkGenerator = (server: string) =>
        run(externalSecretsVaultTls, resource(GENERATOR, vaultGenerator(server)));

    it("passes the https stores and generators AppExternalSecrets writes, and ignores aws stores", () => {
        assert.deepEqual(checkStore(vaultStore()), []);
        assert.deepEqual(checkStore(vaultStore(), CLUSTER_SECRET_STORE), []);
        assert.deepEqual(checkGenerator("https://vault.prod.shop.example.com:8200"), []);
        assert.deepEqual(checkStore(awsStore()), []);
    });

    it("reports plain http, credentials or a query in the address, and no address, on stores and generators", () => {
        for (const server of [
            "http://vault.example.com:8200",
            "https://admin:secret@vault.example.com:8200",
            "https://vault.example.com:8200/?token=s.x",
            "vault.example.com:8200",
        ]) {
            assert.equal(violations(checkStore(store(server))).length, 1, server);
            assert.equal(violations(checkStore(store(server), CLUSTER_SECRET_STORE)).length, 1, server);
            assert.equal(violations(checkGenerator(server)).length, 1, server);
        }
        assert.deepEqual(violations(checkStore(store("http://vault.example.com:8200"))), [
            'SecretStore payments/payments-store: spec.provider.vault.server "http://vault.example.com:8200" is not an https:// address of a server, so the app\'s token and its secrets cross the network in the clear',
        ]);
        const missing = vaultStore();
        delete missing.spec.provider.vault.server;
        assert.equal(violations(checkStore(missing)).length, 1);
    });

    it("reports an unknown address as unknown", () => {
        assert.deepEqual(unknowns(checkStore(store(UNKNOWN as unknown as string))), ["spec.provider.vault.server"]);
        const unknownServer = vaultGenerator();
        unknownServer.spec.provider.server = UNKNOWN;
        assert.deepEqual(unknowns(run(externalSecretsVaultTls, resource(GENERATOR, unknownServer))), [
            "spec.provider.server",
        ]);
    });
});
