/**
 * The isolation matrix: every app role of every env, against every app's secrets in every env. Policies are
 * taken from what the components register, and judged by simulation. It runs for a cluster per env, and for
 * dev, stage and prod on ONE cluster (one issuer, one OIDC provider), where only the env in the namespace
 * keeps one env's ServiceAccount from assuming another env's role.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, REGION, resetResources, settled } from "../../mocks";
installMocks();
import { EnvironmentKey } from "../../../components/aws/environment-key";
import { PolicyDocument } from "../../../components/aws/iam";
import { WorkloadIdentity } from "../../../components/aws/workload-identity";
import {
    ClusterLayout,
    ClusterTopology,
    dedicatedTopology,
    environmentNamespace,
    ENVIRONMENTS,
    Environment,
    NamespaceLayout,
} from "../../../components/baseline";
import { simulate, trustAllows, WebIdentityToken } from "./iam-simulation";

const PROJECT = "shop";
// `pay` is a prefix of `payments`: a policy that forgot the `/` after the app would leak between them.
const APPS = ["payments", "pay", "orders"];

/** Where each env's apps run: the cluster's OIDC issuer, and the namespace an app lands in. */
interface Layout {
    readonly issuerOf: (env: Environment) => string;
    readonly namespaceOf: (env: Environment, app: string) => string;
}
const providerArn = (issuer: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`;

/** A cluster per env: an issuer each, namespaces as the apps declare them. */
const DEDICATED: Layout = {
    issuerOf: (env) => `oidc.eks.${REGION}.amazonaws.com/id/${env.toUpperCase()}CLUSTER`,
    namespaceOf: (env, app) => environmentNamespace(app, env, dedicatedTopology(env)),
};

/** dev, stage and prod on one cluster, as the shared layout names them. */
function sharedLayout(namespaceLayout: NamespaceLayout): Layout {
    const topology: ClusterTopology = {
        layout: ClusterLayout.Shared,
        namespaceLayout,
        environments: [...ENVIRONMENTS],
        allowProdWithLowerEnvironments: true,
    };
    return {
        issuerOf: () => `oidc.eks.${REGION}.amazonaws.com/id/SHAREDCLUSTER`,
        namespaceOf: (env, app) => environmentNamespace(app, env, topology),
    };
}
const issuerOf = DEDICATED.issuerOf;

interface AppRole {
    readonly env: Environment;
    readonly app: string;
    readonly roleArn: string;
    readonly trust: PolicyDocument;
    readonly permissions: PolicyDocument;
}
interface EnvKey {
    readonly env: Environment;
    readonly keyArn: string;
    readonly policy: PolicyDocument;
}

const secretArn = (env: Environment, app: string, name: string) =>
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${PROJECT}-${env}/${app}/${name}-Ab12Cd`;

/** Builds every env's key and every app's identity as a platform would, and reads back their policies. */
async function buildPlatform(layout: Layout = DEDICATED): Promise<{ roles: AppRole[]; keys: EnvKey[] }> {
    resetResources();
    const keys: EnvKey[] = [];
    const identities: { env: Environment; app: string }[] = [];
    const keyArns: Partial<Record<Environment, string>> = {};
    for (const env of ENVIRONMENTS) {
        const key = new EnvironmentKey(`${env}-key`, { project: PROJECT, env, accountId: ACCOUNT, region: REGION });
        keyArns[env] = await new Promise<string>((resolve) => key.keyArn.apply(resolve));
        for (const app of APPS) {
            new WorkloadIdentity(`${env}-${app}`, {
                project: PROJECT,
                env,
                app,
                namespace: layout.namespaceOf(env, app),
                accountId: ACCOUNT,
                region: REGION,
                oidcProviderArn: providerArn(layout.issuerOf(env)),
                oidcIssuer: layout.issuerOf(env),
                environmentKeyArn: keyArns[env]!,
            });
            identities.push({ env, app });
        }
    }
    await settled();
    for (const env of ENVIRONMENTS) {
        keys.push({
            env,
            keyArn: keyArns[env]!,
            policy: JSON.parse(named("aws:kms/key:Key", `${env}-key-key`).inputs.policy),
        });
    }
    const roles = identities.map(({ env, app }) => {
        const role = named("aws:iam/role:Role", `${env}-${app}-role`).inputs;
        return {
            env,
            app,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/${role.name}`,
            trust: JSON.parse(role.assumeRolePolicy),
            permissions: JSON.parse(named("aws:iam/rolePolicy:RolePolicy", `${env}-${app}-secrets`).inputs.policy),
        };
    });
    return { roles, keys };
}

const VIA_SECRETS_MANAGER = {
    "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`,
    "kms:CallerAccount": ACCOUNT,
};

/** Every way a role's access differs from "its own secrets, its own env key through Secrets Manager, nothing else". */
async function isolationViolations(
    roles: readonly AppRole[],
    keys: readonly EnvKey[],
    layout: Layout = DEDICATED,
): Promise<string[]> {
    const violations: string[] = [];
    const expect = async (what: string, actual: Promise<string>, expected: string) => {
        const decision = await actual;
        if (decision !== expected) violations.push(`${what}: ${decision}, expected ${expected}`);
    };
    for (const role of roles) {
        const who = `${role.env}/${role.app}`;
        const ask = (
            action: string,
            resource: string,
            context?: Record<string, string>,
            resourcePolicy?: PolicyDocument,
        ) =>
            simulate(
                { principal: role.roleArn, action, resource, accountId: ACCOUNT, context },
                [role.permissions],
                resourcePolicy,
            );
        for (const env of ENVIRONMENTS) {
            for (const app of APPS) {
                const own = env === role.env && app === role.app;
                const arn = secretArn(env, app, "db-password");
                for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]) {
                    await expect(
                        `${who} ${action} ${env}/${app}`,
                        ask(action, arn),
                        own ? "Allowed" : "ImplicitlyDenied",
                    );
                }
            }
        }
        const ownArn = secretArn(role.env, role.app, "db-password");
        for (const action of [
            "secretsmanager:PutSecretValue",
            "secretsmanager:DeleteSecret",
            "secretsmanager:UpdateSecret",
        ]) {
            await expect(`${who} ${action} own`, ask(action, ownArn), "ImplicitlyDenied");
        }
        await expect(`${who} ListSecrets`, ask("secretsmanager:ListSecrets", "*"), "ImplicitlyDenied");
        for (const key of keys) {
            const ownKey = key.env === role.env;
            await expect(
                `${who} kms:Decrypt ${key.env} key via Secrets Manager`,
                ask("kms:Decrypt", key.keyArn, VIA_SECRETS_MANAGER, key.policy),
                ownKey ? "Allowed" : "ImplicitlyDenied",
            );
            await expect(
                `${who} kms:Decrypt ${key.env} key directly`,
                ask("kms:Decrypt", key.keyArn, { "kms:CallerAccount": ACCOUNT }, key.policy),
                "ImplicitlyDenied",
            );
            await expect(
                `${who} kms:Encrypt ${key.env} key`,
                ask("kms:Encrypt", key.keyArn, VIA_SECRETS_MANAGER, key.policy),
                "ImplicitlyDenied",
            );
        }
        for (const env of ENVIRONMENTS) {
            for (const app of APPS) {
                const token: WebIdentityToken = {
                    provider: providerArn(layout.issuerOf(env)),
                    issuer: layout.issuerOf(env),
                    sub: `system:serviceaccount:${layout.namespaceOf(env, app)}:${app}`,
                    aud: "sts.amazonaws.com",
                };
                const own = env === role.env && app === role.app;
                if (trustAllows(role.trust, token) !== own) {
                    violations.push(
                        `${who} trust: ServiceAccount ${app} of ${env} ${own ? "cannot" : "can"} assume it`,
                    );
                }
            }
        }
        const ownNamespace = layout.namespaceOf(role.env, role.app);
        const ownToken: WebIdentityToken = {
            provider: providerArn(layout.issuerOf(role.env)),
            issuer: layout.issuerOf(role.env),
            sub: `system:serviceaccount:${ownNamespace}:${role.app}`,
            aud: "sts.amazonaws.com",
        };
        const impostors: [string, WebIdentityToken][] = [
            [
                "another ServiceAccount of the namespace",
                { ...ownToken, sub: `system:serviceaccount:${ownNamespace}:default` },
            ],
            [
                "the same name in another namespace",
                { ...ownToken, sub: `system:serviceaccount:kube-system:${role.app}` },
            ],
            ["a token for another audience", { ...ownToken, aud: "vault" }],
        ];
        for (const [what, token] of impostors) {
            if (trustAllows(role.trust, token)) violations.push(`${who} trust: ${what} can assume it`);
        }
    }
    return violations;
}

describe("IAM isolation matrix (simulated)", function () {
    this.timeout(120_000);
    let platform: { roles: AppRole[]; keys: EnvKey[] };

    before(async () => {
        platform = await buildPlatform();
        assert.equal(platform.roles.length, ENVIRONMENTS.length * APPS.length);
    });

    it("every app role reads only its own secrets, decrypts only its env key through Secrets Manager, and trusts only its own ServiceAccount", async () => {
        assert.deepEqual(await isolationViolations(platform.roles, platform.keys), []);
    });

    describe("fails when a policy is widened", () => {
        const prodPayments = () => platform.roles.find((r) => r.env === "prod" && r.app === "payments")!;
        const widen = (change: (role: AppRole) => AppRole) =>
            platform.roles.map((role) => (role === prodPayments() ? change(role) : role));
        // Through JSON so that a patch of `undefined` removes the key, as it would from a real document.
        const withStatement = (doc: PolicyDocument, i: number, patch: object): PolicyDocument =>
            JSON.parse(
                JSON.stringify({ ...doc, Statement: doc.Statement.map((s, j) => (j === i ? { ...s, ...patch } : s)) }),
            );

        it("secret Resource widened to *", async () => {
            const roles = widen((r) => ({ ...r, permissions: withStatement(r.permissions, 0, { Resource: "*" }) }));
            const violations = await isolationViolations(roles, platform.keys);
            assert.ok(
                violations.some((v) => v.startsWith("prod/payments secretsmanager:GetSecretValue dev/orders: Allowed")),
                violations.join("\n"),
            );
        });

        it("secret actions widened to secretsmanager:*", async () => {
            const roles = widen((r) => ({
                ...r,
                permissions: withStatement(r.permissions, 0, { Action: "secretsmanager:*" }),
            }));
            const violations = await isolationViolations(roles, platform.keys);
            assert.ok(
                violations.includes(
                    "prod/payments secretsmanager:PutSecretValue own: Allowed, expected ImplicitlyDenied",
                ),
                violations.join("\n"),
            );
        });

        it("the app prefix without its trailing slash", async () => {
            const roles = platform.roles.map((r) =>
                r.env === "prod" && r.app === "pay"
                    ? {
                          ...r,
                          permissions: withStatement(r.permissions, 0, {
                              Resource: (r.permissions.Statement[0].Resource as string).replace("/pay/*", "/pay*"),
                          }),
                      }
                    : r,
            );
            const violations = await isolationViolations(roles, platform.keys);
            assert.ok(
                violations.includes(
                    "prod/pay secretsmanager:GetSecretValue prod/payments: Allowed, expected ImplicitlyDenied",
                ),
                violations.join("\n"),
            );
        });

        it("kms:Decrypt without the ViaService condition, on every key", async () => {
            const roles = widen((r) => ({
                ...r,
                permissions: withStatement(r.permissions, 1, { Resource: "*", Condition: undefined }),
            }));
            const keys = platform.keys.map((k) => ({
                ...k,
                policy: withStatement(k.policy, 1, { Condition: undefined }),
            }));
            const violations = await isolationViolations(roles, keys);
            assert.ok(
                violations.includes(
                    "prod/payments kms:Decrypt dev key via Secrets Manager: Allowed, expected ImplicitlyDenied",
                ),
                violations.join("\n"),
            );
            assert.ok(
                violations.includes("prod/payments kms:Decrypt prod key directly: Allowed, expected ImplicitlyDenied"),
                violations.join("\n"),
            );
        });

        it("trust with StringLike on a wildcard subject", async () => {
            const roles = widen((r) => {
                const cond = r.trust.Statement[0].Condition!.StringEquals;
                const issuer = issuerOf("prod");
                return {
                    ...r,
                    trust: withStatement(r.trust, 0, {
                        Condition: {
                            StringEquals: { [`${issuer}:aud`]: cond[`${issuer}:aud`] },
                            StringLike: { [`${issuer}:sub`]: "system:serviceaccount:*" },
                        },
                    }),
                };
            });
            const violations = await isolationViolations(roles, platform.keys);
            assert.ok(
                violations.includes("prod/payments trust: another ServiceAccount of the namespace can assume it"),
                violations.join("\n"),
            );
        });

        it("trust without the audience condition", async () => {
            const roles = widen((r) => {
                const issuer = issuerOf("prod");
                const sub = r.trust.Statement[0].Condition!.StringEquals[`${issuer}:sub`];
                return {
                    ...r,
                    trust: withStatement(r.trust, 0, { Condition: { StringEquals: { [`${issuer}:sub`]: sub } } }),
                };
            });
            const violations = await isolationViolations(roles, platform.keys);
            assert.deepEqual(violations, ["prod/payments trust: a token for another audience can assume it"]);
        });
    });
});

describe("IAM isolation matrix on one cluster shared by dev, stage and prod (simulated)", function () {
    this.timeout(120_000);
    for (const namespaceLayout of Object.values(NamespaceLayout)) {
        it(`${namespaceLayout} namespaces: every role reads only its own env's and app's secrets, and trusts only its own ServiceAccount on the shared issuer`, async () => {
            const layout = sharedLayout(namespaceLayout);
            const platform = await buildPlatform(layout);
            assert.equal(platform.roles.length, ENVIRONMENTS.length * APPS.length);
            assert.deepEqual(await isolationViolations(platform.roles, platform.keys, layout), []);
        });
    }

    it("fails when the namespaces carry no env: dev's ServiceAccount assumes stage's and prod's roles", async () => {
        const shared = sharedLayout(NamespaceLayout.PerApp);
        // One issuer, but the namespaces of a cluster per env: what two dedicated stacks on one cluster render.
        const unscoped: Layout = { issuerOf: shared.issuerOf, namespaceOf: DEDICATED.namespaceOf };
        const platform = await buildPlatform(unscoped);
        const violations = await isolationViolations(platform.roles, platform.keys, unscoped);
        assert.ok(
            violations.includes("stage/payments trust: ServiceAccount payments of dev can assume it"),
            violations.join("\n"),
        );
        assert.ok(
            violations.includes("prod/payments trust: ServiceAccount payments of stage can assume it"),
            violations.join("\n"),
        );
    });
});
