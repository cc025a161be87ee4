/**
 * External Secrets policies, on the SecretStores and ExternalSecrets AppExternalSecrets builds.
 */
import * as assert from "node:assert/strict";
import {
    awsSecretStoreManifest,
    externalSecretManifest,
    vaultSecretStoreManifest,
} from "../../../../components/addons/external-secrets/manifests";
import { secretPathPrefix, vaultSecretPrefix } from "../../../../components/baseline";
import {
    CLUSTER_EXTERNAL_SECRET,
    CLUSTER_SECRET_STORE,
    EXTERNAL_SECRET,
    externalSecretsNoSharedClusterStore,
    externalSecretsRemoteKeyPrefix,
    externalSecretsStoreOwnServiceAccount,
    externalSecretsV1Only,
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
                "under <project>-prod/payments/ or prod/payments/",
        ]);
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
