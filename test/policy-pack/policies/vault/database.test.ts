/**
 * The policy and database role VaultAppAccess renders for an app with database credentials pass; each change
 * below reaches another role's credentials, or lets them live too long.
 */
import * as assert from "node:assert/strict";
import {
    appResourceName,
    Environment,
    ENVIRONMENTS,
    vaultDatabaseMountPath,
    vaultDatabaseTtlLimit,
    vaultMountPath,
} from "../../../../components/baseline";
import { appDatabaseRule, appReadRules, renderPolicy, VaultPolicyRule } from "../../../../components/vault/policy";
import {
    VAULT_DATABASE_ROLE,
    VAULT_POLICY,
    vaultAppPolicyScope,
    vaultDatabaseCredsScope,
    vaultDatabaseRoleTtl,
} from "../../../../policy-pack/policies/vault";
import { resourceOf, settingsOf, violationsOf } from "../aws/fixtures";

const PROJECT = "shop";

function rulesOf(env: Environment, app = "payments"): VaultPolicyRule[] {
    return [
        ...appReadRules(vaultMountPath(PROJECT, env), env, app),
        appDatabaseRule(vaultDatabaseMountPath(PROJECT, env), appResourceName(PROJECT, env, app)),
    ];
}

const policyOf = (rules: VaultPolicyRule[], env: Environment, app = "payments") =>
    resourceOf(VAULT_POLICY, { name: appResourceName(PROJECT, env, app), policy: renderPolicy(rules) }, `${env}-p`);

describe("policy vault-database-creds-scope", () => {
    it("passes the policy of every env's app, which vault-app-policy-scope also passes", () => {
        for (const env of ENVIRONMENTS) {
            const policy = policyOf(rulesOf(env), env);
            assert.deepEqual(violationsOf(vaultDatabaseCredsScope, policy, settingsOf(env)), [], env);
            assert.deepEqual(violationsOf(vaultAppPolicyScope, policy, settingsOf(env)), [], env);
        }
    });

    it("reports a glob, another app's role, another env's mount or role, and any capability but read", () => {
        const withCreds = (path: string, capabilities: VaultPolicyRule["capabilities"] = ["read"]) =>
            policyOf(
                [...appReadRules(vaultMountPath(PROJECT, "prod"), "prod", "payments"), { path, capabilities }],
                "prod",
            );
        const prod = settingsOf("prod");
        assert.deepEqual(
            violationsOf(vaultDatabaseCredsScope, withCreds("shop-prod-database/creds/shop-prod-orders"), prod),
            [
                "vault:index/policy:Policy prod-p: path \"shop-prod-database/creds/shop-prod-orders\" reads role shop-prod-orders, not the policy's own app's role shop-prod-payments (<project>-<env>-<app>)",
            ],
        );
        for (const path of [
            "shop-prod-database/creds/*",
            "shop-dev-database/creds/shop-prod-payments",
            "shop-prod-database/creds/shop-dev-payments",
        ]) {
            assert.equal(violationsOf(vaultDatabaseCredsScope, withCreds(path), prod).length, 1, path);
        }
        for (const capability of ["update", "sudo", "list", "create"] as const) {
            const found = violationsOf(
                vaultDatabaseCredsScope,
                withCreds("shop-prod-database/creds/shop-prod-payments", ["read", capability]),
                prod,
            );
            assert.equal(found.length, 1, capability);
            assert.match(found[0], new RegExp(`grants ${capability} on database credentials`));
        }
    });
});

describe("policy vault-database-role-ttl", () => {
    const role = (env: Environment, defaultTtl: unknown, maxTtl: unknown, name = `shop-${env}-payments`) =>
        resourceOf(VAULT_DATABASE_ROLE, {
            backend: vaultDatabaseMountPath(PROJECT, env),
            name,
            dbName: "payments-postgres",
            creationStatements: ['CREATE ROLE "{{name}}"'],
            defaultTtl,
            maxTtl,
        });

    it("passes TTLs within each env's limit, and reports longer or unset ones", () => {
        for (const env of ENVIRONMENTS) {
            const limit = vaultDatabaseTtlLimit(env);
            assert.deepEqual(violationsOf(vaultDatabaseRoleTtl, role(env, 300, limit), settingsOf(env)), [], env);
            assert.equal(violationsOf(vaultDatabaseRoleTtl, role(env, 300, limit + 1), settingsOf(env)).length, 1);
            assert.equal(violationsOf(vaultDatabaseRoleTtl, role(env, undefined, 0), settingsOf(env)).length, 2);
        }
        assert.ok(vaultDatabaseTtlLimit("prod") < vaultDatabaseTtlLimit("dev"), "prod is the shortest");
    });

    it("reports a role or mount of another env", () => {
        assert.equal(
            violationsOf(vaultDatabaseRoleTtl, role("prod", 300, 900, "shop-dev-payments"), settingsOf("prod")).length,
            1,
        );
    });
});
