/**
 * The policy VaultAppAccess renders passes; each change below breaks the scope or the read-only rule. The
 * reader of the rendered shape is tested on its own first.
 */
import * as assert from "node:assert/strict";
import { appResourceName, Environment, ENVIRONMENTS, vaultMountPath } from "../../../../components/baseline";
import { appReadRules, renderPolicy, VaultPolicyRule } from "../../../../components/vault/policy";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import {
    readAclPolicy,
    VAULT_POLICY,
    vaultAppPolicyScope,
    vaultNoWriteCapabilities,
} from "../../../../policy-pack/policies/vault";
import { resourceOf, settingsOf, unknownsOf, violationsOf } from "../aws/fixtures";

const PROJECT = "shop";

function appRules(env: Environment = "dev", app = "payments"): VaultPolicyRule[] {
    return appReadRules(vaultMountPath(PROJECT, env), env, app);
}

/** A Vault Policy's inputs, as VaultAppAccess registers them. */
function policyOf(text: string, env: Environment = "dev", app = "payments") {
    return resourceOf(VAULT_POLICY, { name: appResourceName(PROJECT, env, app), policy: text }, `${env}-${app}-policy`);
}

const rendered = (rules: VaultPolicyRule[] = appRules(), env: Environment = "dev") =>
    policyOf(renderPolicy(rules), env);
const NAME = "vault:index/policy:Policy dev-payments-policy";
const dev = settingsOf("dev");

describe("the Vault policy reader", () => {
    it("reads what renderPolicy writes, rule for rule", () => {
        const rules = appRules();
        const read = readAclPolicy(renderPolicy(rules));
        assert.ok(read.ok);
        assert.deepEqual(
            read.rules,
            [...rules].sort((a, b) => a.path.localeCompare(b.path)),
        );
    });

    it("accepts comments, one-line blocks and a trailing comma", () => {
        const read = readAclPolicy('# app\npath "kv/data/dev/a/*" { capabilities = ["read",] } // done\n');
        assert.deepEqual(read, { ok: true, rules: [{ path: "kv/data/dev/a/*", capabilities: ["read"] }] });
    });

    it("refuses anything else, saying why", () => {
        const cases: [string, RegExp][] = [
            ["", /no path block/],
            [
                'path "a/*" {\n  capabilities = ["read"]\n  allowed_parameters = {}\n}',
                /expected '}', found "allowed_parameters"/,
            ],
            ['path "a/*" {\n  policy = "read"\n}', /expected capabilities/],
            ['path "a/${identity.entity.id}/*" { capabilities = ["read"] }', /interpolation/],
            ['path "a/*" { capabilities = ["write"] }', /"write" on "a\/\*" is not a Vault capability/],
            ['path "a/*" { capabilities = ["read"] }\npath "a/*" { capabilities = ["list"] }', /two blocks/],
            ['{"path": {"a/*": {"capabilities": ["read"]}}}', /expected a path block/],
        ];
        for (const [text, reason] of cases) {
            const read = readAclPolicy(text);
            assert.ok(!read.ok, text);
            assert.match(read.problem, reason, text);
        }
    });
});

describe("vault-app-policy-scope", () => {
    it("passes the policy VaultAppAccess renders, in every env", () => {
        for (const env of ENVIRONMENTS) {
            assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(appRules(env), env), settingsOf(env)), [], env);
        }
    });

    it("reports a path of another env", () => {
        const rules = [{ path: "shop-dev-kv/data/prod/payments/*", capabilities: ["read" as const] }];
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(rules), dev), [
            `${NAME}: path "shop-dev-kv/data/prod/payments/*" reads prod secrets from the dev environment`,
        ]);
    });

    it("reports a mount named for another env", () => {
        const rules = appReadRules("shop-prod-kv", "dev", "payments");
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(rules), dev), [
            `${NAME}: path "shop-prod-kv/data/dev/payments/*" is in mount shop-prod-kv, which names prod`,
            `${NAME}: path "shop-prod-kv/metadata/dev/payments/*" is in mount shop-prod-kv, which names prod`,
        ]);
    });

    it("reports a path that spans envs or apps", () => {
        const cases: [string, string][] = [
            ["shop-dev-kv/data/*", "is not under <mount>/data/<env>/<app>/ or <mount>/metadata/<env>/<app>/"],
            ["shop-dev-kv/data/dev/*", "has a glob before the app segment, so it spans envs or apps"],
            ["shop-*/data/dev/payments/*", "has a '*' other than a trailing '/*'"],
            ["shop-dev-kv/data/+/payments/*", "contains '+', which matches any path segment"],
        ];
        for (const [path, problem] of cases) {
            // Written by hand: renderPolicy refuses the last two.
            const text = `path ${JSON.stringify(path)} {\n  capabilities = ["read"]\n}\n`;
            assert.deepEqual(violationsOf(vaultAppPolicyScope, policyOf(text), dev), [
                `${NAME}: path ${JSON.stringify(path)} ${problem}`,
            ]);
        }
    });

    it("reports a path outside KV v2 data and metadata", () => {
        assert.deepEqual(
            violationsOf(vaultAppPolicyScope, rendered([{ path: "sys/policies/acl/*", capabilities: ["read"] }]), dev),
            [
                `${NAME}: path "sys/policies/acl/*" is not under <mount>/data/<env>/<app>/ or <mount>/metadata/<env>/<app>/`,
            ],
        );
    });

    it("reports one policy that reaches two apps", () => {
        const rules = [...appRules("dev", "payments"), ...appRules("dev", "orders")];
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(rules), dev), [
            `${NAME} spans shop-dev-kv/{data,metadata}/dev/orders/ and shop-dev-kv/{data,metadata}/dev/payments/: one policy, one app`,
        ]);
    });

    it("does not judge rules that only deny", () => {
        const rules: VaultPolicyRule[] = [
            ...appRules(),
            { path: "shop-dev-kv/data/dev/payments-admin/*", capabilities: ["deny"] },
        ];
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(rules), dev), []);
    });

    it("requires the paths to agree on one env when the resource's env is not known", () => {
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(appRules("stage"), "stage"), settingsOf()), []);
        const rules = [...appReadRules("shop-kv", "dev", "payments"), ...appReadRules("shop-kv", "prod", "payments")];
        assert.deepEqual(violationsOf(vaultAppPolicyScope, rendered(rules), settingsOf()), [
            `${NAME} spans shop-kv/{data,metadata}/dev/payments/ and shop-kv/{data,metadata}/prod/payments/: one policy, one app`,
        ]);
    });

    it("reports a policy it cannot read as a violation, not a guess", () => {
        const text =
            'path "shop-dev-kv/data/dev/payments/*" {\n  capabilities = ["read"]\n  allowed_parameters = { "*" = [] }\n}\n';
        assert.deepEqual(violationsOf(vaultAppPolicyScope, policyOf(text), dev), [
            `${NAME}: cannot verify the policy: it is not a list of path blocks with capabilities only (line 3: expected '}', found "allowed_parameters")`,
        ]);
    });

    it("reports an unknown policy text as unknown", () => {
        const resource = resourceOf(VAULT_POLICY, { name: "shop-dev-payments", policy: UNKNOWN });
        assert.deepEqual(violationsOf(vaultAppPolicyScope, resource, dev), []);
        assert.deepEqual(unknownsOf(vaultAppPolicyScope, resource, dev), ["policy"]);
    });
});

describe("vault-no-write-capabilities", () => {
    it("passes the read and list VaultAppAccess renders", () => {
        assert.deepEqual(violationsOf(vaultNoWriteCapabilities, rendered(), dev), []);
    });

    it("reports each write capability on an app path", () => {
        for (const capability of ["create", "update", "patch", "delete", "sudo"] as const) {
            const rules = appRules();
            rules[0].capabilities = ["read", capability];
            assert.deepEqual(violationsOf(vaultNoWriteCapabilities, rendered(rules), dev), [
                `${NAME}: path "shop-dev-kv/data/dev/payments/*" grants ${capability} to an app`,
            ]);
        }
    });

    it("reports a write on any path of an app policy", () => {
        const rules: VaultPolicyRule[] = [...appRules(), { path: "sys/mounts/*", capabilities: ["sudo", "update"] }];
        assert.deepEqual(violationsOf(vaultNoWriteCapabilities, rendered(rules), dev), [
            `${NAME}: path "sys/mounts/*" grants update, sudo to an app`,
        ]);
    });

    it("leaves policies with no app path alone", () => {
        for (const path of ["shop-dev-kv/data/*", "shop-dev-kv/data/dev/*", "sys/policies/acl/*"]) {
            const admin = rendered([{ path, capabilities: ["create", "update"] }]);
            assert.deepEqual(violationsOf(vaultNoWriteCapabilities, admin, dev), [], path);
        }
    });

    it("reports a policy it cannot read as a violation", () => {
        assert.equal(violationsOf(vaultNoWriteCapabilities, policyOf("path x"), dev).length, 1);
    });

    it("reports an unknown policy text as unknown", () => {
        const resource = resourceOf(VAULT_POLICY, { policy: UNKNOWN });
        assert.deepEqual(unknownsOf(vaultNoWriteCapabilities, resource, dev), ["policy"]);
    });
});
