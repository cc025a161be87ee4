/** The auth role VaultAppAccess registers passes; each change below breaks vault-k8s-role-bound. */
import * as assert from "node:assert/strict";
import {
    Environment,
    ENVIRONMENTS,
    MAX_VAULT_TOKEN_TTL_SECONDS,
    profileFor,
    vaultAuthPath,
    vaultTokenTtlLimit,
} from "../../../../components/baseline";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { VAULT_KUBERNETES_AUTH_ROLE, vaultK8sRoleBound } from "../../../../policy-pack/policies/vault";
import { resourceOf, settingsOf, unknownsOf, violationsOf } from "../aws/fixtures";

/** An app's auth role inputs, as VaultAppAccess registers them with its default TTL. */
function roleInputs(env: Environment = "prod"): Record<string, any> {
    const ttl = vaultTokenTtlLimit(env);
    return {
        backend: vaultAuthPath("shop", env),
        roleName: `shop-${env}-payments`,
        boundServiceAccountNames: ["payments"],
        boundServiceAccountNamespaces: ["payments"],
        audience: "vault",
        tokenTtl: ttl,
        tokenMaxTtl: ttl,
        tokenPolicies: [`shop-${env}-payments`],
    };
}

const NAME = "vault:kubernetes/authBackendRole:AuthBackendRole prod-payments-role";
const role = (props: Record<string, any> = roleInputs()) =>
    resourceOf(VAULT_KUBERNETES_AUTH_ROLE, props, "prod-payments-role");

describe("vault-k8s-role-bound", () => {
    it("caps every env's token TTL at an hour", () => {
        for (const env of ENVIRONMENTS) assert.ok(vaultTokenTtlLimit(env) <= MAX_VAULT_TOKEN_TTL_SECONDS, env);
    });

    it("passes the role VaultAppAccess registers, in every env", () => {
        for (const env of ENVIRONMENTS) {
            assert.deepEqual(violationsOf(vaultK8sRoleBound, role(roleInputs(env)), settingsOf(env)), [], env);
        }
    });

    it("reports a wildcard ServiceAccount or namespace", () => {
        const props = {
            ...roleInputs(),
            boundServiceAccountNames: ["*"],
            boundServiceAccountNamespaces: ["payments-*"],
        };
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role(props)), [
            `${NAME}: boundServiceAccountNames holds "*", not a name`,
            `${NAME}: boundServiceAccountNamespaces holds "payments-*", not a name`,
        ]);
    });

    it("reports namespaces bound by label selector instead of by name", () => {
        const { boundServiceAccountNamespaces: _, ...props } = roleInputs();
        const selected = { ...props, boundServiceAccountNamespaceSelector: '{"matchLabels":{"team":"payments"}}' };
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role(selected)), [
            `${NAME} binds namespaces by label selector, not by name: anyone who can label a namespace could log in`,
        ]);
    });

    it("reports empty bindings", () => {
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role({ ...roleInputs(), boundServiceAccountNames: [] })), [
            `${NAME} sets no boundServiceAccountNames`,
        ]);
    });

    it("reports unset or zero TTLs, which fall back to the mount's default", () => {
        const { tokenTtl: _, ...props } = roleInputs();
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role({ ...props, tokenMaxTtl: 0 })), [
            `${NAME} sets no tokenTtl, so its tokens get the mount's default lifetime`,
            `${NAME} sets no tokenMaxTtl, so its tokens get the mount's default lifetime`,
        ]);
    });

    it("reports a TTL above the env profile's limit", () => {
        const limit = profileFor("prod").maxVaultTokenTtlSeconds;
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role({ ...roleInputs(), tokenMaxTtl: limit + 1 })), [
            `${NAME}: tokenMaxTtl ${limit + 1}s exceeds the prod limit of ${limit}s`,
        ]);
        // The same TTL is within dev's longer limit.
        assert.deepEqual(
            violationsOf(vaultK8sRoleBound, role({ ...roleInputs("dev"), tokenMaxTtl: limit + 1 }), settingsOf("dev")),
            [],
        );
    });

    it("judges a role whose env is not known by prod's limit", () => {
        assert.equal(violationsOf(vaultK8sRoleBound, role(roleInputs("dev")), settingsOf()).length, 2);
    });

    it("reports periodic tokens without an explicit end", () => {
        assert.deepEqual(violationsOf(vaultK8sRoleBound, role({ ...roleInputs(), tokenPeriod: 600 })), [
            `${NAME}: tokenPeriod 600s without tokenExplicitMaxTtl makes its tokens renewable without end`,
        ]);
        assert.deepEqual(
            violationsOf(vaultK8sRoleBound, role({ ...roleInputs(), tokenPeriod: 600, tokenExplicitMaxTtl: 900 })),
            [],
        );
    });

    it("reports unknown bindings and TTLs as unknown", () => {
        const resource = role({ ...roleInputs(), boundServiceAccountNamespaces: [UNKNOWN], tokenTtl: UNKNOWN });
        assert.deepEqual(violationsOf(vaultK8sRoleBound, resource), []);
        assert.deepEqual(unknownsOf(vaultK8sRoleBound, resource), ["boundServiceAccountNamespaces", "tokenTtl"]);
    });
});
