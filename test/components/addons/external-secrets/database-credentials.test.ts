/** AppExternalSecrets `databaseCredentials`: the generator logs in as the app and reads its own role; refresh at half the TTL. */
import * as assert from "node:assert/strict";
import { installMocks, named, resetResources, settled } from "../../../mocks";
installMocks();
import {
    AppExternalSecrets,
    AppExternalSecretsArgs,
    dynamicCredentialsRefreshInterval,
    refreshIntervalSeconds,
    resolveAppExternalSecretsArgs,
    SecretBackend,
} from "../../../../components/addons/external-secrets";
import { ArgumentError, ENVIRONMENTS, PROFILES } from "../../../../components/baseline";
import { awsArgs, vaultArgs } from "./fixtures";

const GENERATOR = "kubernetes:generators.external-secrets.io/v1alpha1:VaultDynamicSecret";
const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";

function problemsOf(a: AppExternalSecretsArgs): string[] {
    try {
        resolveAppExternalSecretsArgs("payments", a);
    } catch (e) {
        assert.ok(e instanceof ArgumentError, String(e));
        return [...e.problems];
    }
    return [];
}

describe("AppExternalSecrets database credentials", () => {
    beforeEach(resetResources);

    it("reads <project>-<env>-database/creds/<project>-<env>-<app> as the app's ServiceAccount and role", async () => {
        new AppExternalSecrets("payments", vaultArgs({ databaseCredentials: {} }));
        await settled();
        const generator = named(GENERATOR, "payments-payments-database").inputs;
        assert.equal(generator.metadata.namespace, "payments");
        assert.equal(generator.spec.path, "shop-prod-database/creds/shop-prod-payments");
        assert.equal(generator.spec.method, "GET");
        assert.deepEqual(generator.spec.provider.auth, {
            kubernetes: {
                mountPath: "kubernetes-shop-prod",
                role: "shop-prod-payments",
                serviceAccountRef: { name: "payments-api", audiences: ["vault"] },
            },
        });
        const es = named(EXTERNAL_SECRET, "payments-payments-database").inputs;
        assert.equal(es.spec.refreshInterval, "7m30s");
        assert.equal(es.spec.refreshPolicy, "Periodic");
        assert.deepEqual(es.spec.dataFrom, [
            {
                sourceRef: {
                    generatorRef: {
                        apiVersion: "generators.external-secrets.io/v1alpha1",
                        kind: "VaultDynamicSecret",
                        name: "payments-database",
                    },
                },
            },
        ]);
        assert.equal(es.spec.target.creationPolicy, "Owner");
    });

    it("refreshes at half of each env's TTL, so a credential is replaced with half its life left", () => {
        for (const env of ENVIRONMENTS) {
            const ttl = PROFILES[env].vaultDatabaseTtl.defaultTtlSeconds;
            const interval = refreshIntervalSeconds(dynamicCredentialsRefreshInterval(ttl))!;
            assert.ok(interval > 0 && interval * 2 <= ttl, env);
        }
        assert.equal(dynamicCredentialsRefreshInterval(3600), "30m");
        assert.equal(dynamicCredentialsRefreshInterval(901), "7m30s");
    });

    it("refuses it with an AWS backend, a TTL beyond the profile, or a name a secret already writes", () => {
        assert.match(
            problemsOf({ ...awsArgs(), databaseCredentials: {} }).join("\n"),
            /databaseCredentials: is set with aws-secrets-manager/,
        );
        assert.equal(awsArgs().backend, SecretBackend.AwsSecretsManager);
        assert.match(problemsOf(vaultArgs({ databaseCredentials: { ttlSeconds: 7200 } })).join("\n"), /exceeds/);
        assert.match(
            problemsOf(vaultArgs({ databaseCredentials: { targetName: "payments-db-password" } })).join("\n"),
            /also written/,
        );
        assert.match(
            problemsOf(vaultArgs({ databaseCredentials: { mountPath: "shop-dev-database" } })).join("\n"),
            /databaseCredentials\.mountPath/,
        );
    });
});
