import * as assert from "node:assert/strict";
import {
    appReadRules,
    checkAppPolicy,
    policyPathProblem,
    renderPolicy,
    VaultPolicyError,
    VaultPolicyRule,
    vaultMountPathProblem,
} from "../../../components/vault/policy";

const MOUNT = "shop-prod-kv";

describe("Vault policy functions", () => {
    describe("appReadRules", () => {
        it("gives exactly read on the app's data and read, list on its metadata", () => {
            assert.deepEqual(appReadRules(MOUNT, "prod", "payments"), [
                { path: "shop-prod-kv/data/prod/payments/*", capabilities: ["read"] },
                { path: "shop-prod-kv/metadata/prod/payments/*", capabilities: ["read", "list"] },
            ]);
        });

        it("keeps one app out of another whose name it prefixes", () => {
            const paths = appReadRules(MOUNT, "prod", "pay").map((r) => r.path);
            assert.deepEqual(paths, ["shop-prod-kv/data/prod/pay/*", "shop-prod-kv/metadata/prod/pay/*"]);
        });

        const bad: [string, [string, string, string], RegExp][] = [
            [
                "a mount with a glob",
                ["shop-*", "prod", "payments"],
                /mount: "shop-\*" contains '\*'; fix: give the KV v2 mount path/,
            ],
            [
                "a mount with a trailing slash",
                ["shop-prod-kv/", "prod", "payments"],
                /mount: "shop-prod-kv\/" starts or ends with '\/'/,
            ],
            ["an empty mount", ["", "prod", "payments"], /mount: "" is empty/],
            [
                "an unknown env",
                [MOUNT, "qa", "payments"],
                /env: "qa" is not a known environment; fix: use one of dev, stage, prod/,
            ],
            [
                "an app that is not DNS-1123",
                [MOUNT, "prod", "Payments"],
                /app: "Payments" is not a DNS-1123 label; fix:/,
            ],
            ["an app with a glob", [MOUNT, "prod", "*"], /app: "\*" is not a DNS-1123 label/],
            ["an app with a path", [MOUNT, "prod", "a/../b"], /app: "a\/..\/b" is not a DNS-1123 label/],
        ];
        for (const [what, [mount, env, app], message] of bad) {
            it(`refuses ${what}`, () => {
                assert.throws(
                    () => appReadRules(mount, env as never, app),
                    (e: Error) => {
                        assert.ok(e instanceof VaultPolicyError);
                        assert.match(e.message, /^appReadRules: invalid input:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
            });
        }
    });

    describe("renderPolicy", () => {
        it("renders an app's rules as exact HCL", () => {
            assert.equal(
                renderPolicy(appReadRules(MOUNT, "prod", "payments")),
                [
                    'path "shop-prod-kv/data/prod/payments/*" {',
                    '  capabilities = ["read"]',
                    "}",
                    "",
                    'path "shop-prod-kv/metadata/prod/payments/*" {',
                    '  capabilities = ["read", "list"]',
                    "}",
                    "",
                ].join("\n"),
            );
        });

        it("is deterministic: sorted by path, capabilities deduplicated in a fixed order", () => {
            const rules: VaultPolicyRule[] = [
                { path: "kv/metadata/a/*", capabilities: ["list", "read", "list"] },
                { path: "kv/data/a/*", capabilities: ["read"] },
            ];
            const reversed = [...rules].reverse();
            assert.equal(renderPolicy(rules), renderPolicy(reversed));
            assert.match(
                renderPolicy(rules),
                /^path "kv\/data\/a\/\*" \{\n {2}capabilities = \["read"\]\n\}\n\npath "kv\/metadata\/a\/\*" \{\n {2}capabilities = \["read", "list"\]\n\}\n$/,
            );
        });

        it("accepts an exact path without a glob", () => {
            assert.equal(
                renderPolicy([{ path: "kv/data/prod/payments/db", capabilities: ["read"] }]),
                'path "kv/data/prod/payments/db" {\n  capabilities = ["read"]\n}\n',
            );
        });

        it("quotes paths as JSON strings, so a quote cannot close the path and open another block", () => {
            const path = 'kv/data/a" { capabilities = ["sudo"] } path "sys/x';
            assert.equal(
                renderPolicy([{ path, capabilities: ["read"] }]),
                'path "kv/data/a\\" { capabilities = [\\"sudo\\"] } path \\"sys/x" {\n  capabilities = ["read"]\n}\n',
            );
        });

        const refused: [string, VaultPolicyRule[], RegExp][] = [
            [
                "a glob inside a segment",
                [{ path: "kv/data/prod/pay*", capabilities: ["read"] }],
                /rules\[0\]\.path: "kv\/data\/prod\/pay\*" has a '\*' other than a trailing '\/\*'/,
            ],
            [
                "a glob in the middle",
                [{ path: "kv/*/prod/payments/*", capabilities: ["read"] }],
                /has a '\*' other than a trailing '\/\*'/,
            ],
            [
                "a bare glob",
                [{ path: "*", capabilities: ["read"] }],
                /rules\[0\]\.path: "\*" has a '\*' other than a trailing '\/\*'/,
            ],
            [
                "a trailing double glob",
                [{ path: "kv/data/**", capabilities: ["read"] }],
                /has a '\*' other than a trailing '\/\*'/,
            ],
            [
                "a + segment",
                [{ path: "kv/data/+/payments/*", capabilities: ["read"] }],
                /contains '\+', which matches any path segment/,
            ],
            ["a ..", [{ path: "kv/data/prod/payments/../other/*", capabilities: ["read"] }], /contains '\.\.'/],
            ["a doubled slash", [{ path: "kv//data/*", capabilities: ["read"] }], /has an empty segment/],
            ["a leading slash", [{ path: "/kv/data/*", capabilities: ["read"] }], /has an empty segment/],
            ["a trailing slash", [{ path: "kv/data/", capabilities: ["read"] }], /has an empty segment/],
            ["a glob on the root", [{ path: "/*", capabilities: ["read"] }], /has an empty segment/],
            ["an empty path", [{ path: "", capabilities: ["read"] }], /rules\[0\]\.path: "" is empty/],
            ["a newline", [{ path: "kv/data\n/*", capabilities: ["read"] }], /contains control characters/],
            [
                "no capabilities",
                [{ path: "kv/data/*", capabilities: [] }],
                /rules\[0\]\.capabilities: is empty; fix: list at least one capability/,
            ],
            [
                "an unknown capability",
                [{ path: "kv/data/*", capabilities: ["root" as never] }],
                /rules\[0\]\.capabilities\[0\]: "root" is not a Vault capability; fix: use one of read, list/,
            ],
            [
                "a path listed twice",
                [
                    { path: "kv/a", capabilities: ["read"] },
                    { path: "kv/a", capabilities: ["list"] },
                ],
                /rules\[1\]\.path: kv\/a is listed twice/,
            ],
            ["no rules", [], /rules: is empty; fix: give at least one rule/],
        ];
        for (const [what, rules, message] of refused) {
            it(`refuses ${what}`, () => {
                assert.throws(
                    () => renderPolicy(rules),
                    (e: Error) => {
                        assert.ok(e instanceof VaultPolicyError);
                        assert.match(e.message, /^renderPolicy: invalid input:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
            });
        }

        it("lists every problem at once", () => {
            assert.throws(
                () =>
                    renderPolicy([
                        { path: "kv/*/x", capabilities: ["read"] },
                        { path: "kv/+", capabilities: ["sing" as never] },
                    ]),
                (e: VaultPolicyError) => e.problems.length === 3,
            );
        });
    });

    describe("checkAppPolicy", () => {
        it("finds nothing wrong with the app's own read rules, in every env", () => {
            for (const env of ["dev", "stage", "prod"] as const) {
                const mount = `shop-${env}-kv`;
                assert.deepEqual(checkAppPolicy(appReadRules(mount, env, "payments"), mount, env, "payments"), []);
            }
        });

        it("allows deny and exact paths inside the app's prefix", () => {
            const rules: VaultPolicyRule[] = [
                { path: `${MOUNT}/data/prod/payments/db`, capabilities: ["read"] },
                { path: `${MOUNT}/data/prod/payments/legacy/*`, capabilities: ["deny"] },
            ];
            assert.deepEqual(checkAppPolicy(rules, MOUNT, "prod", "payments"), []);
        });

        const outside = "the path is outside shop-prod-kv/data/prod/payments/ and shop-prod-kv/metadata/prod/payments/";
        const wrong: [string, VaultPolicyRule, string][] = [
            ["the whole env's data", { path: `${MOUNT}/data/prod/*`, capabilities: ["read"] }, outside],
            ["the whole mount's data", { path: `${MOUNT}/data/*`, capabilities: ["read"] }, outside],
            ["the whole env's metadata", { path: `${MOUNT}/metadata/prod/*`, capabilities: ["list"] }, outside],
            ["the whole mount", { path: `${MOUNT}/*`, capabilities: ["read"] }, outside],
            [
                "another app whose name starts with this one's",
                { path: `${MOUNT}/data/prod/payments-admin/*`, capabilities: ["read"] },
                outside,
            ],
            [
                "the app's prefix without its slash",
                { path: `${MOUNT}/data/prod/payments*`, capabilities: ["read"] },
                `the path has a '*' other than a trailing '/*'`,
            ],
            ["the same app in another env", { path: `${MOUNT}/data/dev/payments/*`, capabilities: ["read"] }, outside],
            [
                "the same app in another mount",
                { path: "shop-dev-kv/data/prod/payments/*", capabilities: ["read"] },
                outside,
            ],
            ["KV v2 delete endpoints", { path: `${MOUNT}/destroy/prod/payments/*`, capabilities: ["read"] }, outside],
            ["Vault's own config", { path: "sys/policy/*", capabilities: ["read"] }, outside],
            [
                "a path escaping with ..",
                { path: `${MOUNT}/data/prod/payments/../../*`, capabilities: ["read"] },
                "the path contains '..'",
            ],
            [
                "a + segment",
                { path: `${MOUNT}/data/prod/payments/+/x`, capabilities: ["read"] },
                "the path contains '+', which matches any path segment",
            ],
        ];
        for (const [what, rule, problem] of wrong) {
            it(`reports a path covering ${what}`, () => {
                assert.deepEqual(
                    checkAppPolicy([...appReadRules(MOUNT, "prod", "payments"), rule], MOUNT, "prod", "payments"),
                    [`rules[2] (${JSON.stringify(rule.path)}): ${problem}`],
                );
            });
        }

        for (const capability of ["create", "update", "patch", "delete", "sudo"] as const) {
            it(`reports ${capability} on the app's own path`, () => {
                const rules = appReadRules(MOUNT, "prod", "payments");
                rules[0].capabilities.push(capability);
                assert.deepEqual(checkAppPolicy(rules, MOUNT, "prod", "payments"), [
                    `rules[0] ("shop-prod-kv/data/prod/payments/*"): grants ${capability}, which an app's read policy must not`,
                ]);
            });
        }

        it("reports an unknown capability", () => {
            const rules: VaultPolicyRule[] = [
                { path: `${MOUNT}/data/prod/payments/*`, capabilities: ["root" as never] },
            ];
            assert.deepEqual(checkAppPolicy(rules, MOUNT, "prod", "payments"), [
                `rules[0] ("shop-prod-kv/data/prod/payments/*"): "root" is not a Vault capability`,
            ]);
        });

        it("reports both a widened path and a write capability on one rule", () => {
            const problems = checkAppPolicy(
                [{ path: `${MOUNT}/data/*`, capabilities: ["read", "create"] }],
                MOUNT,
                "prod",
                "payments",
            );
            assert.equal(problems.length, 2);
        });
    });

    describe("path checks", () => {
        it("accepts mount paths of segments and refuses globs, slashes at the ends and ..", () => {
            assert.equal(vaultMountPathProblem("shop-prod-kv"), undefined);
            assert.equal(vaultMountPathProblem("team/shop_prod.kv"), undefined);
            assert.equal(vaultMountPathProblem("kv/"), "starts or ends with '/'");
            assert.equal(vaultMountPathProblem("/kv"), "starts or ends with '/'");
            assert.equal(vaultMountPathProblem("kv/*"), "contains '*'");
            assert.equal(vaultMountPathProblem("kv*"), "contains '*'");
            assert.equal(vaultMountPathProblem("kv+"), "contains '+'");
            assert.equal(vaultMountPathProblem("a/../b"), "contains '..'");
            assert.equal(vaultMountPathProblem("a//b"), "has an empty segment (a doubled '/')");
            assert.equal(
                vaultMountPathProblem("kv v2"),
                "contains characters other than letters, digits, '-', '_', '.' and '/'",
            );
            assert.equal(vaultMountPathProblem(undefined), "is empty");
        });

        it("accepts a trailing /* in a rule path and nothing wider", () => {
            assert.equal(policyPathProblem("kv/data/prod/payments/*"), undefined);
            assert.equal(policyPathProblem("kv/data/prod/payments/db"), undefined);
            assert.notEqual(policyPathProblem("kv/data/prod/payments*"), undefined);
            assert.notEqual(policyPathProblem("kv/data/prod/*/db"), undefined);
        });
    });
});
