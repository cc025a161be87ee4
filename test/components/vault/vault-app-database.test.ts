/** VaultAppAccess with `database`: the app's database role, its TTLs from the profile, and read on its creds only. */
import * as assert from "node:assert/strict";
import { installMocks, named, resetResources, settled, valueOf } from "../../mocks";
installMocks();
import { ArgumentError, Environment, ENVIRONMENTS, PROFILES } from "../../../components/baseline";
import {
    resolveVaultAppAccessArgs,
    VaultAppAccess,
    VaultAppAccessArgs,
    VaultDatabaseRoleArgs,
} from "../../../components/vault";

const DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole";
const CREATE = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE payments_app;",
];

function args(env: Environment = "prod", database: Partial<VaultDatabaseRoleArgs> = {}): VaultAppAccessArgs {
    return {
        project: "shop",
        env,
        app: "payments",
        namespace: "payments",
        serviceAccountName: "payments",
        mountPath: `shop-${env}-kv`,
        authPath: `kubernetes-shop-${env}`,
        database: { connectionName: "payments-postgres", creationStatements: CREATE, ...database },
    };
}

function problemsOf(a: VaultAppAccessArgs): string[] {
    try {
        resolveVaultAppAccessArgs("payments", a);
    } catch (e) {
        assert.ok(e instanceof ArgumentError, String(e));
        return [...e.problems];
    }
    return [];
}

describe("VaultAppAccess database credentials", () => {
    beforeEach(resetResources);

    it("creates the role <project>-<env>-<app> in the env's database mount with the profile's TTLs", async () => {
        const access = new VaultAppAccess("payments", args("prod"));
        assert.equal(await valueOf(access.databaseCredsPath!), "shop-prod-database/creds/shop-prod-payments");
        await settled();
        const role = named(DATABASE_ROLE, "payments-database").inputs;
        assert.equal(role.backend, "shop-prod-database");
        assert.equal(role.name, "shop-prod-payments");
        assert.equal(role.dbName, "payments-postgres");
        assert.deepEqual(role.creationStatements, CREATE);
        assert.equal(role.defaultTtl, PROFILES.prod.vaultDatabaseTtl.defaultTtlSeconds);
        assert.equal(role.maxTtl, PROFILES.prod.vaultDatabaseTtl.maxTtlSeconds);
        assert.equal(role.defaultTtl, 900);
    });

    it("adds read on exactly its own creds path to the app's policy, and nothing on other roles", () => {
        for (const env of ENVIRONMENTS) {
            const resolved = resolveVaultAppAccessArgs("payments", args(env));
            const creds = resolved.rules.filter((rule) => rule.path.includes("/creds/"));
            assert.deepEqual(creds, [
                { path: `shop-${env}-database/creds/shop-${env}-payments`, capabilities: ["read"] },
            ]);
            assert.ok(
                resolved.policy.includes(
                    `path "shop-${env}-database/creds/shop-${env}-payments" {\n  capabilities = ["read"]\n}`,
                ),
            );
            assert.ok(!resolved.policy.includes("creds/*"));
        }
    });

    it("gives prod the shortest lifetimes", () => {
        const ttl = (env: Environment) => resolveVaultAppAccessArgs("payments", args(env)).database!.ttlSeconds;
        assert.ok(ttl("prod") < ttl("stage") && ttl("prod") < ttl("dev"));
        assert.ok(PROFILES.prod.vaultDatabaseTtl.maxTtlSeconds < PROFILES.stage.vaultDatabaseTtl.maxTtlSeconds);
    });

    it("refuses TTLs beyond the profile, statements without {{name}}, and another env's mount or connection", () => {
        assert.deepEqual(problemsOf(args("prod", { ttlSeconds: 7200 })), [
            "database.ttlSeconds: 7200 exceeds the longest database credential lifetime the prod profile allows (3600 seconds); fix: give 3600 or less, or leave it unset for 900",
            "database.ttlSeconds: 7200 exceeds maxTtlSeconds 3600, which Vault would cut it to; fix: give a ttlSeconds no longer than maxTtlSeconds",
        ]);
        assert.equal(problemsOf(args("prod", { maxTtlSeconds: 86400 })).length, 1);
        assert.equal(problemsOf(args("prod", { ttlSeconds: 60 })).length, 1);
        assert.match(
            problemsOf(args("prod", { creationStatements: ["CREATE ROLE app"] }))[0],
            /never uses \{\{name\}\}/,
        );
        assert.equal(problemsOf(args("prod", { creationStatements: [] })).length, 1);
        assert.match(problemsOf(args("prod", { mountPath: "shop-dev-database" })).join("\n"), /database\.mountPath/);
        assert.match(
            problemsOf(args("prod", { connectionName: "payments-dev-postgres" })).join("\n"),
            /database\.connectionName/,
        );
    });

    it("creates no database role without `database`", async () => {
        const a = args("prod");
        delete a.database;
        const access = new VaultAppAccess("payments", a);
        assert.equal(access.databaseCredsPath, undefined);
        await settled();
        assert.throws(() => named(DATABASE_ROLE, "payments-database"));
    });
});
