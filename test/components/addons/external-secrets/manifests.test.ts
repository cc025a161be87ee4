import * as assert from "node:assert/strict";
import {
    awsSecretStoreManifest,
    EXTERNAL_SECRETS_API_VERSION,
    externalSecretManifest,
    ExternalSecretManifestInput,
    refreshIntervalSeconds,
    remoteKeyWithin,
    vaultSecretStoreManifest,
} from "../../../../components/addons/external-secrets";
import { secretPathPrefix, vaultSecretPrefix } from "../../../../components/baseline";
import { CA_BUNDLE } from "./fixtures";

const LABELS = { "app.kubernetes.io/managed-by": "k8s-baseline", "app.kubernetes.io/name": "payments" };
const STORE = { name: "payments-store", namespace: "payments", app: "payments", serviceAccountName: "payments-api" };
const PREFIX = secretPathPrefix("shop", "prod", "payments");

function externalSecret(overrides: Partial<ExternalSecretManifestInput> = {}): ExternalSecretManifestInput {
    return {
        name: "payments-db-password",
        namespace: "payments",
        app: "payments",
        storeName: "payments-store",
        targetName: "payments-db-password",
        remoteKey: `${PREFIX}db-password`,
        keyPrefix: PREFIX,
        refreshInterval: "1h",
        ...overrides,
    };
}

describe("External Secrets manifests", () => {
    it("speaks external-secrets.io/v1 only", () => {
        assert.equal(EXTERNAL_SECRETS_API_VERSION, "external-secrets.io/v1");
        for (const manifest of [
            awsSecretStoreManifest({ ...STORE, region: "eu-west-1" }),
            vaultSecretStoreManifest({
                ...STORE,
                server: "https://vault.example.com",
                mountPath: "kv",
                authPath: "k8s",
                role: "r",
                audience: "vault",
            }),
            externalSecretManifest(externalSecret()),
        ]) {
            assert.equal(manifest.apiVersion, "external-secrets.io/v1", manifest.kind);
        }
    });

    it("builds a Secrets Manager store that authenticates as the app's own ServiceAccount and assumes no other role", () => {
        assert.deepEqual(awsSecretStoreManifest({ ...STORE, region: "eu-west-1" }), {
            apiVersion: "external-secrets.io/v1",
            kind: "SecretStore",
            metadata: { name: "payments-store", namespace: "payments", labels: LABELS },
            spec: {
                provider: {
                    aws: {
                        service: "SecretsManager",
                        region: "eu-west-1",
                        auth: { jwt: { serviceAccountRef: { name: "payments-api" } } },
                    },
                },
            },
        });
    });

    it("builds a Vault store that reads the KV v2 mount and logs in as the app's ServiceAccount for the role's audience", () => {
        const manifest = vaultSecretStoreManifest({
            ...STORE,
            server: "https://vault.example.com:8200",
            mountPath: "shop-prod-kv",
            authPath: "kubernetes-shop-prod",
            role: "shop-prod-payments",
            audience: "vault",
            caBundle: CA_BUNDLE,
        });
        assert.deepEqual(manifest.spec, {
            provider: {
                vault: {
                    server: "https://vault.example.com:8200",
                    path: "shop-prod-kv",
                    version: "v2",
                    caBundle: CA_BUNDLE,
                    auth: {
                        kubernetes: {
                            mountPath: "kubernetes-shop-prod",
                            role: "shop-prod-payments",
                            serviceAccountRef: { name: "payments-api", audiences: ["vault"] },
                        },
                    },
                },
            },
        });
        const withoutCa = vaultSecretStoreManifest({
            ...STORE,
            server: "https://v",
            mountPath: "kv",
            authPath: "k",
            role: "r",
            audience: "vault",
        });
        assert.equal("caBundle" in (withoutCa.spec.provider as any).vault, false);
    });

    it("builds an ExternalSecret that owns its Secret, retains it, and extracts every property by default", () => {
        assert.deepEqual(externalSecretManifest(externalSecret()), {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: "payments-db-password", namespace: "payments", labels: LABELS },
            spec: {
                refreshInterval: "1h",
                secretStoreRef: { name: "payments-store", kind: "SecretStore" },
                target: { name: "payments-db-password", creationPolicy: "Owner", deletionPolicy: "Retain" },
                dataFrom: [{ extract: { key: "shop-prod/payments/db-password" } }],
            },
        });
    });

    it("copies only the listed properties when keys are given", () => {
        const spec = externalSecretManifest(externalSecret({ keys: ["username", "password"] })).spec;
        assert.equal(spec.dataFrom, undefined);
        assert.deepEqual(spec.data, [
            { secretKey: "username", remoteRef: { key: "shop-prod/payments/db-password", property: "username" } },
            { secretKey: "password", remoteRef: { key: "shop-prod/payments/db-password", property: "password" } },
        ]);
    });

    it("refuses to build an ExternalSecret for a key outside the app's prefix", () => {
        for (const remoteKey of [
            "shop-prod/orders/db-password",
            "db-password",
            `${PREFIX}*`,
            `${PREFIX}nested/key`,
            `${PREFIX}`,
            "shop-prod/payments-admin/db-password",
        ]) {
            assert.throws(
                () => externalSecretManifest(externalSecret({ remoteKey })),
                /is not under shop-prod\/payments\//,
                remoteKey,
            );
        }
        assert.throws(() => externalSecretManifest(externalSecret({ keyPrefix: "" })), /is not under/);
        const vaultPrefix = vaultSecretPrefix("prod", "payments");
        assert.equal(
            (
                externalSecretManifest(externalSecret({ keyPrefix: vaultPrefix, remoteKey: "prod/payments/db" })).spec
                    .dataFrom as any
            )[0].extract.key,
            "prod/payments/db",
        );
        assert.throws(() =>
            externalSecretManifest(externalSecret({ keyPrefix: vaultPrefix, remoteKey: "dev/payments/db" })),
        );
    });

    it("places a short name or a full key directly under the prefix, and nothing else", () => {
        assert.equal(remoteKeyWithin(PREFIX, "db-password"), "shop-prod/payments/db-password");
        assert.equal(remoteKeyWithin(PREFIX, "shop-prod/payments/db-password"), "shop-prod/payments/db-password");
        assert.equal(remoteKeyWithin("prod/payments/", "prod/payments/db"), "prod/payments/db");
        for (const name of ["shop-prod/orders/db", "../orders/db", "*", "db/*", "", "DB", "a/b", 42]) {
            assert.equal(remoteKeyWithin(PREFIX, name), undefined, String(name));
        }
    });

    it("reads refresh intervals as Go durations of hours, minutes and seconds", () => {
        assert.equal(refreshIntervalSeconds("1h"), 3600);
        assert.equal(refreshIntervalSeconds("30m"), 1800);
        assert.equal(refreshIntervalSeconds("15s"), 15);
        assert.equal(refreshIntervalSeconds("1h30m"), 5400);
        assert.equal(refreshIntervalSeconds("1h0m0s"), 3600);
        assert.equal(refreshIntervalSeconds("0s"), 0);
        for (const bad of ["", "1", "1d", "h", "30m1h", "1.5h", "-1h", " 1h", "1H", undefined]) {
            assert.equal(refreshIntervalSeconds(bad), undefined, String(bad));
        }
    });
});
