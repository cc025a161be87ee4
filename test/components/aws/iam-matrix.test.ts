/**
 * The isolation matrix: every app role of every env, against every app's secrets in every env. Policies are
 * taken from what the components register, and judged by simulation.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, REGION, resetResources, settled } from "../../mocks";
installMocks();
import { EnvironmentKey } from "../../../components/aws/environment-key";
import { PolicyDocument } from "../../../components/aws/iam";
import { WorkloadIdentity } from "../../../components/aws/workload-identity";
import { ENVIRONMENTS, Environment } from "../../../components/baseline";
import { simulate, trustAllows, WebIdentityToken } from "./iam-simulation";

const PROJECT = "shop";
// `pay` is a prefix of `payments`: a policy that forgot the `/` after the app would leak between them.
const APPS = ["payments", "pay", "orders"];
const issuerOf = (env: Environment) => `oidc.eks.${REGION}.amazonaws.com/id/${env.toUpperCase()}CLUSTER`;
const providerOf = (env: Environment) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerOf(env)}`;

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
async function buildPlatform(): Promise<{ roles: AppRole[]; keys: EnvKey[] }> {
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
                namespace: app,
                accountId: ACCOUNT,
                region: REGION,
                oidcProviderArn: providerOf(env),
                oidcIssuer: issuerOf(env),
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
async function isolationViolations(roles: readonly AppRole[], keys: readonly EnvKey[]): Promise<string[]> {
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
                    provider: providerOf(env),
                    issuer: issuerOf(env),
                    sub: `system:serviceaccount:${app}:${app}`,
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
        const ownToken: WebIdentityToken = {
            provider: providerOf(role.env),
            issuer: issuerOf(role.env),
            sub: `system:serviceaccount:${role.app}:${role.app}`,
            aud: "sts.amazonaws.com",
        };
        const impostors: [string, WebIdentityToken][] = [
            [
                "another ServiceAccount of the namespace",
                { ...ownToken, sub: `system:serviceaccount:${role.app}:default` },
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
