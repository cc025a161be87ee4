/**
 * SecureEnvironment under mocks, from the prod stack's arguments and variations of them: what each piece of
 * the environment is built with, the contract it outputs, and the input it refuses before creating anything.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, named, ofType, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { CONTRACT_VERSION } from "../../components/contract";
import { planSecureEnvironment, SecureEnvironment, SecureEnvironmentArgs } from "../../components/environment";
import { prodContractApps, stackArgs } from "../stacks/stack-config";

const COMPONENT = (name: string) => `k8s-baseline:index:${name}`;
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const K8S_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const ACCOUNT = "333333333333";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/2b720b2c-4156-2b53-9e07-d1c57c9cbe92`;
const PLATFORM_EGRESS = ["10.30.0.0/24", "10.30.1.0/24"];
const CONTROL_PLANE = ["10.30.0.0/24"];
const VAULT_CIDRS = ["10.30.30.0/24"];
const VAULT_ADDRESS = "https://vault.prod.shop.example.com:8200";

/** The prod stack's arguments, changed by `change`. */
function prodArgs(change: (args: SecureEnvironmentArgs) => void = () => {}): SecureEnvironmentArgs {
    const args = stackArgs("prod");
    change(args);
    return args;
}

/** The prod stack's arguments with its secrets in Vault. */
function vaultArgs(change: (args: SecureEnvironmentArgs) => void = () => {}): SecureEnvironmentArgs {
    return prodArgs((args) => {
        args.secretBackend = "vault";
        args.vault = {
            address: VAULT_ADDRESS,
            kubernetesHost: "https://9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D.gr7.eu-west-1.eks.amazonaws.com",
            cidrs: VAULT_CIDRS,
        };
        // Only Secrets Manager rotates: the prod stack's rotations stay behind with it.
        for (const app of args.apps) for (const secret of app.secrets ?? []) delete secret.rotation;
        change(args);
    });
}

/** A SecureEnvironment, with the options each of its descendants was registered with. */
async function build(args: SecureEnvironmentArgs): Promise<{
    environment: SecureEnvironment;
    options: Map<string, pulumi.ResourceOptions>;
}> {
    const options = new Map<string, pulumi.ResourceOptions>();
    const environment = new SecureEnvironment("prod", args, {
        transformations: [
            ({ type, name, opts }) => {
                options.set(`${type} ${name}`, opts);
                return undefined;
            },
        ],
    });
    await settle(environment.apps);
    await settled();
    return { environment, options };
}

/** `<type> <name>` of each resource a registration depends on, sorted. */
async function dependenciesOf(options: Map<string, pulumi.ResourceOptions>, key: string): Promise<string[]> {
    const opts = options.get(key);
    assert.ok(opts, `${key} was registered`);
    const names: string[] = [];
    for (const dependency of (opts.dependsOn ?? []) as pulumi.Resource[]) {
        const [, , typeChain, name] = (await settle(dependency.urn)).split("::");
        names.push(`${typeChain.split("$").pop()} ${name}`);
    }
    return names.sort();
}

/** The NetworkPolicies of a namespace, by object name. */
function policiesIn(namespace: string): Map<string, any> {
    return new Map(
        ofType(NETWORK_POLICY)
            .filter((p) => p.inputs.metadata.namespace === namespace)
            .map((p) => [p.inputs.metadata.name, p.inputs.spec]),
    );
}

const ipBlocks = (cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" }));

describe("SecureEnvironment", function () {
    this.timeout(60_000);
    beforeEach(resetResources);

    it("isolates each platform namespace: default-deny, HTTPS out to the platform CIDRs, webhooks in from the control plane", async () => {
        await build(prodArgs());
        const webhookPorts: Record<string, number> = {
            "external-secrets": 10250,
            kyverno: 9443,
            "cert-manager": 10250,
        };
        for (const [namespace, port] of Object.entries(webhookPorts)) {
            const ns = named("kubernetes:core/v1:Namespace", `prod-${namespace}`).inputs.metadata;
            assert.equal(ns.name, namespace);
            assert.equal(ns.labels.owner, "platform");
            assert.equal(ns.labels.tier, "platform");
            const policies = policiesIn(namespace);
            assert.deepEqual(
                [...policies.keys()].sort(),
                [
                    "allow-declared-egress",
                    "allow-declared-ingress",
                    "allow-dns-egress",
                    "default-deny-egress",
                    "default-deny-ingress",
                ],
                namespace,
            );
            assert.deepEqual(policies.get("default-deny-ingress"), { podSelector: {}, policyTypes: ["Ingress"] });
            assert.deepEqual(policies.get("default-deny-egress"), { podSelector: {}, policyTypes: ["Egress"] });
            assert.deepEqual(
                policies.get("allow-declared-egress").egress,
                [{ to: ipBlocks(PLATFORM_EGRESS), ports: tcp(443) }],
                namespace,
            );
            assert.deepEqual(
                policies.get("allow-declared-ingress").ingress,
                [{ from: ipBlocks(CONTROL_PLANE), ports: tcp(port) }],
                namespace,
            );
        }
    });

    it("lets only External Secrets reach Vault, on 8200 and 443, with the vault backend", async () => {
        await build(vaultArgs());
        assert.deepEqual(policiesIn("external-secrets").get("allow-declared-egress").egress, [
            { to: ipBlocks(PLATFORM_EGRESS), ports: tcp(443) },
            { to: ipBlocks(VAULT_CIDRS), ports: tcp(8200, 443) },
        ]);
        for (const namespace of ["kyverno", "cert-manager", "payments", "orders", "reports"]) {
            const egress = policiesIn(namespace).get("allow-declared-egress")?.egress ?? [];
            assert.ok(!JSON.stringify(egress).includes(VAULT_CIDRS[0]), namespace);
        }
    });

    it("gives each team role an access entry in its group, with view in the namespaces the apps grant it", async () => {
        await build(prodArgs());
        const entries = ofType("aws:eks/accessEntry:AccessEntry");
        assert.deepEqual(
            entries.map((r) => [r.inputs.clusterName, r.inputs.kubernetesGroups, r.parentType]),
            [
                ["shop-prod", ["team-payments"], COMPONENT("ClusterAccess")],
                ["shop-prod", ["team-orders"], COMPONENT("ClusterAccess")],
            ],
        );
        const associations = ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((r) => r.inputs);
        assert.deepEqual(
            associations.map((a) => [a.policyArn, a.accessScope]),
            [
                [
                    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                    { type: "namespace", namespaces: ["payments"] },
                ],
                [
                    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                    { type: "namespace", namespaces: ["orders"] },
                ],
            ],
        );
        const bound = ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").flatMap((r) =>
            r.inputs.subjects.filter((s: any) => s.kind === "Group").map((s: any) => s.name),
        );
        for (const entry of entries) assert.ok(bound.includes(entry.inputs.kubernetesGroups[0]));
    });

    it("gives apps that share a namespace one SecureNamespace with the union of their rules and access", async () => {
        await build(
            prodArgs((args) =>
                args.apps.push({
                    name: "ledger",
                    namespace: "payments",
                    owner: "team-payments",
                    tier: "backend",
                    secrets: [{ name: "signing-key" }],
                    egress: [{ cidrs: ["10.30.21.0/24"], ports: [{ port: 6379 }] }],
                    ingress: [{ namespaces: ["orders"], ports: [{ port: 9090 }] }],
                    access: [{ group: "team-ledger", role: "view" }],
                }),
            ),
        );
        const secureNamespaces = ofType(COMPONENT("SecureNamespace")).map((r) => r.name);
        assert.deepEqual(secureNamespaces.sort(), [
            "prod-cert-manager",
            "prod-external-secrets",
            "prod-kyverno",
            "prod-orders",
            "prod-payments",
            "prod-reports",
        ]);
        const namespaces = ofType("kubernetes:core/v1:Namespace").filter((r) => r.inputs.metadata.name === "payments");
        assert.equal(namespaces.length, 1);
        assert.equal(namespaces[0].inputs.metadata.labels.owner, "team-payments");
        const policies = policiesIn("payments");
        assert.deepEqual(policies.get("allow-declared-egress").egress, [
            { to: ipBlocks(["10.30.20.0/24"]), ports: tcp(5432) },
            { to: ipBlocks(["10.30.21.0/24"]), ports: tcp(6379) },
        ]);
        assert.deepEqual(policies.get("allow-declared-ingress").ingress, [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
                ports: tcp(8080),
            },
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "orders" } } }],
                ports: tcp(9090),
            },
        ]);
        const groups = ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
            .filter((r) => r.inputs.metadata.namespace === "payments" && r.inputs.roleRef.kind === "ClusterRole")
            .map((r) => r.inputs.subjects[0].name);
        assert.deepEqual(groups.sort(), ["team-ledger", "team-payments"]);
        // Each app keeps its own identity and store in the shared namespace.
        assert.equal(named(SERVICE_ACCOUNT, "prod-ledger-sa").inputs.metadata.namespace, "payments");
        const stores = ofType(SECRET_STORE).filter((r) => r.inputs.metadata.namespace === "payments");
        assert.deepEqual(
            stores
                .map((r) => [r.inputs.metadata.name, r.inputs.spec.provider.aws.auth.jwt.serviceAccountRef.name])
                .sort(),
            [
                ["ledger-store", "ledger"],
                ["payments-store", "payments"],
            ],
        );
    });

    it("mounts a token, allows it in the policies and grants its own Secrets only to apps that call the API", async () => {
        const args = prodArgs((a) => (a.apps[2].secrets = [{ name: "warehouse-password" }]));
        const plan = planSecureEnvironment("prod", args, KEY_ARN);
        assert.deepEqual(plan.policies.apiAccessServiceAccounts, [{ namespace: "reports", name: "reports" }]);
        assert.deepEqual(Object.fromEntries(plan.apps.map((p) => [p.app.name, p.identity.kubernetesSecretNames])), {
            payments: [],
            orders: [],
            reports: ["reports-warehouse-password"],
        });

        await build(args);
        const automount = Object.fromEntries(
            ["payments", "orders", "reports"].map((app) => [
                app,
                named(SERVICE_ACCOUNT, `prod-${app}-sa`).inputs.automountServiceAccountToken,
            ]),
        );
        assert.deepEqual(automount, { payments: false, orders: false, reports: true });
        const readers = ofType(K8S_ROLE).filter((r) => r.name.endsWith("-secret-reader"));
        assert.deepEqual(
            readers.map((r) => [r.name, r.inputs.metadata.namespace, r.inputs.rules]),
            [
                [
                    "prod-reports-secret-reader",
                    "reports",
                    [
                        {
                            apiGroups: [""],
                            resources: ["secrets"],
                            resourceNames: ["reports-warehouse-password"],
                            verbs: ["get"],
                        },
                    ],
                ],
            ],
        );
        const tokenPolicy = JSON.stringify(
            named(
                "kubernetes:policies.kyverno.io/v1:ValidatingPolicy",
                "prod-policies-baseline-restrict-sa-token-automount",
            ).inputs.spec.validations,
        );
        assert.ok(tokenPolicy.includes("'reports/reports'"), tokenPolicy);
        assert.ok(!tokenPolicy.includes("payments/payments") && !tokenPolicy.includes("orders/orders"), tokenPolicy);
    });

    it("keeps secrets in Secrets Manager under the env key, read through stores in the app's region", async () => {
        const { environment, options } = await build(prodArgs((a) => (a.apps[0].serviceAccountName = "payments-api")));
        const kmsKeyArn = await settle(environment.kmsKeyArn);
        assert.deepEqual(
            ofType(COMPONENT("AppSecrets"))
                .map((r) => r.name)
                .sort(),
            ["prod-orders", "prod-payments"],
        );
        const secrets = ofType("aws:secretsmanager/secret:Secret");
        assert.deepEqual(secrets.map((r) => r.inputs.name).sort(), [
            "shop-prod/orders/db-url",
            "shop-prod/payments/db-password",
            "shop-prod/payments/psp-api-key",
        ]);
        for (const secret of secrets) assert.equal(secret.inputs.kmsKeyId, kmsKeyArn, secret.name);
        assert.deepEqual(named(SECRET_STORE, "prod-payments-store").inputs.spec.provider, {
            aws: {
                service: "SecretsManager",
                region: "eu-west-1",
                auth: { jwt: { serviceAccountRef: { name: "payments-api" } } },
            },
        });
        assert.equal(named(SECRET_STORE, "prod-orders-store").inputs.spec.provider.aws.region, "eu-west-1");
        assert.equal(ofType(COMPONENT("VaultEnvironment")).length, 0);
        assert.equal(ofType(COMPONENT("VaultAppAccess")).length, 0);
        assert.equal(resources().filter((r) => r.type.startsWith("vault:")).length, 0);

        assert.deepEqual(await dependenciesOf(options, `${COMPONENT("AppExternalSecrets")} prod-payments`), [
            `${COMPONENT("AppSecrets")} prod-payments`,
            `${COMPONENT("ExternalSecretsOperator")} prod-external-secrets`,
            `${COMPONENT("SecureNamespace")} prod-payments`,
            `${COMPONENT("WorkloadIdentity")} prod-payments`,
        ]);
    });

    it("rotates the secrets the stack declares a rotation for, each function's role scoped to its one secret", async () => {
        await build(
            prodArgs((a) => {
                a.apps[0].secrets![0].rotation = {
                    lambdaArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:rotate-db`,
                    scheduleExpression: "rate(12 hours)",
                    rotationRoleName: "secrets-rotation-payments-db-password",
                };
                delete a.apps[1].secrets![0].rotation;
            }),
        );
        const secrets = new Map(ofType("aws:secretsmanager/secret:Secret").map((r) => [r.name, r]));
        const rotations = ofType("aws:secretsmanager/secretRotation:SecretRotation");
        // The prod stack rotates the psp key every 30 days; orders' db-url here rotates not at all.
        assert.deepEqual(rotations.map((r) => r.name).sort(), [
            "prod-payments-db-password",
            "prod-payments-psp-api-key",
        ]);
        const db = rotations.find((r) => r.name === "prod-payments-db-password")!;
        assert.equal(db.inputs.rotationRules.scheduleExpression, "rate(12 hours)");
        assert.equal(db.inputs.rotationLambdaArn, `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:rotate-db`);
        const dbArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:shop-prod/payments/db-password-`;
        assert.ok(String(db.inputs.secretId).startsWith(dbArn), db.inputs.secretId);
        assert.equal(secrets.get("prod-payments-db-password")!.inputs.name, "shop-prod/payments/db-password");
        const policy = named("aws:iam/rolePolicy:RolePolicy", "prod-payments-db-password-rotation");
        assert.equal(policy.inputs.role, "secrets-rotation-payments-db-password");
        const resourcesGranted = (
            JSON.parse(policy.inputs.policy) as { Statement: { Resource: unknown }[] }
        ).Statement.map((statement) => statement.Resource);
        assert.deepEqual(resourcesGranted[0], db.inputs.secretId);
        // Rotated every 12 hours, the Secret refreshes every 30 minutes (a 24th of it, under the profile's 1h); a
        // 30-day rotation keeps the profile's 1h.
        const external = (app: string, secret: string) =>
            ofType("kubernetes:external-secrets.io/v1:ExternalSecret").find(
                (r) => r.name.startsWith(`prod-${app}-`) && r.name.endsWith(`-${secret}`),
            )!.inputs.spec;
        assert.equal(external("payments", "db-password").refreshInterval, "30m");
        assert.equal(external("payments", "psp-api-key").refreshInterval, "1h");
        assert.equal(external("orders", "db-url").refreshInterval, "1h");
    });

    it("with the vault backend, creates the env's mount and auth, each app's access and stores that use them", async () => {
        const { options } = await build(vaultArgs());
        assert.equal(ofType(COMPONENT("AppSecrets")).length, 0);
        assert.equal(ofType("aws:secretsmanager/secret:Secret").length, 0);
        assert.equal(ofType(COMPONENT("VaultEnvironment")).length, 1);
        assert.equal(named("vault:index/mount:Mount", "prod-vault-kv").inputs.path, "shop-prod-kv");
        assert.equal(
            named("vault:index/authBackend:AuthBackend", "prod-vault-kubernetes").inputs.path,
            "kubernetes-shop-prod",
        );
        assert.deepEqual(
            ofType(COMPONENT("VaultAppAccess"))
                .map((r) => r.name)
                .sort(),
            ["prod-orders", "prod-payments"],
        );
        for (const app of ["payments", "orders"]) {
            const role = named("vault:kubernetes/authBackendRole:AuthBackendRole", `prod-${app}-role`).inputs;
            assert.equal(role.roleName, `shop-prod-${app}`);
            assert.equal(role.backend, "kubernetes-shop-prod");
            assert.deepEqual(role.boundServiceAccountNames, [app]);
            assert.deepEqual(role.boundServiceAccountNamespaces, [app]);
            assert.deepEqual(named(SECRET_STORE, `prod-${app}-store`).inputs.spec.provider, {
                vault: {
                    server: VAULT_ADDRESS,
                    path: "shop-prod-kv",
                    version: "v2",
                    auth: {
                        kubernetes: {
                            mountPath: "kubernetes-shop-prod",
                            role: `shop-prod-${app}`,
                            serviceAccountRef: { name: app, audiences: ["vault"] },
                        },
                    },
                },
            });
        }
        assert.deepEqual(await dependenciesOf(options, `${COMPONENT("AppExternalSecrets")} prod-payments`), [
            `${COMPONENT("ExternalSecretsOperator")} prod-external-secrets`,
            `${COMPONENT("SecureNamespace")} prod-payments`,
            `${COMPONENT("VaultAppAccess")} prod-payments`,
            `${COMPONENT("WorkloadIdentity")} prod-payments`,
        ]);
        assert.deepEqual(await dependenciesOf(options, `${COMPONENT("VaultAppAccess")} prod-payments`), [
            `${COMPONENT("VaultEnvironment")} prod-vault`,
        ]);
    });

    it("reads from an existing Vault mount when told to", async () => {
        await build(
            vaultArgs((args) => {
                args.vault!.mountPath = "shop-prod-secrets";
                args.vault!.useExistingMount = true;
            }),
        );
        assert.equal(ofType("vault:index/mount:Mount").length, 0);
        assert.equal(named(SECRET_STORE, "prod-payments-store").inputs.spec.provider.vault.path, "shop-prod-secrets");
        assert.match(
            named("vault:index/policy:Policy", "prod-payments-policy").inputs.policy,
            /"shop-prod-secrets\/data\/prod\/payments\/\*"/,
        );
    });

    it("creates the env's stack secrets key for its deployer alone, and outputs its ARN", async () => {
        const { environment } = await build(prodArgs());
        const key = named("k8s-baseline:index:StackSecretsKey", "prod-stack-secrets");
        assert.equal(key.parentType, COMPONENT("SecureEnvironment"));
        const kmsKey = named("aws:kms/key:Key", "prod-stack-secrets-key");
        const arn = await settle(environment.stackSecretsKeyArn!);
        assert.match(arn, new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
        assert.notEqual(arn, await settle(environment.kmsKeyArn), "a key of its own, not the env key");
        assert.equal(
            named("aws:kms/alias:Alias", "prod-stack-secrets-alias").inputs.name,
            "alias/shop-prod-stack-config",
        );
        const policy = JSON.parse(kmsKey.inputs.policy);
        const use = policy.Statement.filter((s: any) => s.Sid !== "AdministerKey");
        assert.deepEqual(use, [
            {
                Sid: "DeployerUsesKey",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::333333333333:role/ci/shop-prod-deployer" },
                Action: ["kms:Decrypt", "kms:Encrypt"],
                Resource: "*",
            },
        ]);
        assert.equal(kmsKey.inputs.tags.purpose, "stack-secrets");
        const deployer = named("aws:iam/rolePolicy:RolePolicy", "prod-stack-secrets-deployer");
        assert.equal(deployer.inputs.role, "shop-prod-deployer");
        assert.deepEqual(JSON.parse(deployer.inputs.policy).Statement, [
            { Sid: "UseStackSecretsKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt"], Resource: arn },
        ]);
    });

    it("creates no stack secrets key without stackSecrets", async () => {
        const { environment } = await build(prodArgs((a) => delete a.stackSecrets));
        assert.equal(environment.stackSecretsKeyArn, undefined);
        assert.equal(ofType("k8s-baseline:index:StackSecretsKey").length, 0);
        assert.equal(ofType("aws:kms/key:Key").length, 1, "the env key alone");
    });

    it("outputs the contract", async () => {
        const { environment } = await build(prodArgs());
        assert.equal(await settle(environment.contractVersion), CONTRACT_VERSION);
        assert.match(
            await settle(environment.kmsKeyArn),
            new RegExp(`^arn:aws:kms:eu-west-1:${ACCOUNT}:key/[0-9a-f-]{36}$`),
        );
        assert.equal(await settle(environment.clusterIssuerName), "shop-prod-acme");
        assert.deepEqual(await settle(environment.apps), prodContractApps(ACCOUNT));
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, () => SecureEnvironmentArgs, string[]][] = [
            [
                "an unknown env",
                () => prodArgs((a) => (a.env = "production" as never)),
                ['env: "production" is not a known environment; fix: use one of dev, stage, prod'],
            ],
            [
                "pod-identity with the Secrets Manager backend",
                () => prodArgs((a) => (a.cluster.identityMode = "pod-identity")),
                [
                    "cluster.identityMode: pod-identity cannot back per-app Secrets Manager stores",
                    "fix: use irsa with the aws-secrets-manager backend, or the vault backend with pod-identity",
                ],
            ],
            [
                "a rotation with the vault backend",
                () =>
                    vaultArgs((a) => {
                        a.apps[0].secrets![0].rotation = {
                            lambdaArn: "arn:aws:lambda:eu-west-1:1:function:f",
                            automaticallyAfterDays: 30,
                        };
                    }),
                [
                    "apps[0].secrets[0].rotation: is set, but only Secrets Manager rotates secrets and this env's backend is vault; fix: remove it, or use the aws-secrets-manager backend",
                ],
            ],
            [
                "a rotation less often than the prod profile allows",
                () => prodArgs((a) => (a.apps[0].secrets![0].rotation!.automaticallyAfterDays = 365)),
                ["apps[0] (payments): ", "rotation: rotates every 365 days, longer than the prod bound of 90"],
            ],
            [
                "the vault backend without vault",
                () => prodArgs((a) => (a.secretBackend = "vault")),
                [
                    "vault: is required with the vault backend; fix: give vault.address, vault.kubernetesHost and vault.cidrs",
                ],
            ],
            [
                "two apps with one ServiceAccount in one namespace",
                () =>
                    prodArgs((a) =>
                        Object.assign(a.apps[1], {
                            namespace: "payments",
                            owner: "team-payments",
                            serviceAccountName: "payments",
                        }),
                    ),
                [
                    "apps[1].serviceAccountName: apps payments and orders share ServiceAccount payments/payments",
                    "fix: give each app its own ServiceAccount",
                ],
            ],
            [
                "a stack secrets deployer of another account",
                () =>
                    prodArgs(
                        (a) =>
                            (a.stackSecrets = {
                                deployerRoleArn: "arn:aws:iam::222222222222:role/ci/shop-prod-deployer",
                            }),
                    ),
                [
                    "stackSecrets: ",
                    "deployerRoleArn: arn:aws:iam::222222222222:role/ci/shop-prod-deployer is in another account",
                    "fix: deploy each env from a role of its own account",
                ],
            ],
            [
                "a stack secrets deployer that is not a role",
                () => prodArgs((a) => (a.stackSecrets = { deployerRoleArn: "arn:aws:iam::333333333333:user/ci" })),
                ['deployerRoleArn: "arn:aws:iam::333333333333:user/ci" is not a role ARN'],
            ],
            [
                "a stack secrets key administered by its deployer",
                () =>
                    prodArgs(
                        (a) =>
                            (a.stackSecrets = {
                                deployerRoleArn: "arn:aws:iam::333333333333:role/ci/shop-prod-deployer",
                                administratorArns: ["arn:aws:iam::333333333333:role/ci/shop-prod-deployer"],
                            }),
                    ),
                ["administratorArns[0]: is the deployer role, which would let it rewrite the key policy"],
            ],
            [
                "an app declared twice",
                () => prodArgs((a) => Object.assign(a.apps[1], { name: "payments", namespace: "orders" })),
                ["apps[1].name: payments is declared twice; fix: declare each app once"],
            ],
            [
                "an app in a platform namespace",
                () => prodArgs((a) => (a.apps[2].namespace = "kyverno")),
                ["apps[2].namespace: kyverno belongs to the platform; fix: give the app a namespace of its own"],
            ],
            [
                "apps sharing a namespace with different owners",
                () => prodArgs((a) => (a.apps[1].namespace = "payments")),
                [
                    "apps[1].owner: namespace payments would be owned by both team-payments and team-orders",
                    "fix: apps that share a namespace share its owner",
                ],
            ],
            [
                "apps sharing a namespace with different tiers",
                () => prodArgs((a) => Object.assign(a.apps[2], { namespace: "payments", owner: "team-payments" })),
                [
                    "apps[2].tier: namespace payments would have both tier backend and data",
                    "fix: apps that share a namespace share its tier",
                ],
            ],
            [
                "apps sharing a namespace with different deployers",
                () =>
                    prodArgs((a) =>
                        Object.assign(a.apps[1], {
                            namespace: "payments",
                            owner: "team-payments",
                            deployer: { serviceAccountName: "orders-deployer" },
                        }),
                    ),
                [
                    "apps[1].deployer.serviceAccountName: namespace payments would have both deployers ci-deployer and orders-deployer",
                    "fix: apps that share a namespace share its deployer",
                ],
            ],
            [
                "a secret value with the vault backend",
                () => vaultArgs((a) => (a.apps[0].secrets![0].value = pulumi.secret("s3cr3t"))),
                [
                    "apps[0].secrets[0].value: is set, but the vault backend writes no secret values",
                    "fix: write the value to Vault out of band, or use the aws-secrets-manager backend",
                ],
            ],
            [
                "no platform egress CIDRs",
                () => prodArgs((a) => (a.cluster.platformEgressCidrs = [])),
                [
                    "cluster.platformEgressCidrs: is empty",
                    "fix: list the API server endpoint and VPC endpoint CIDR blocks",
                ],
            ],
            [
                "no control plane CIDRs",
                () => prodArgs((a) => (a.cluster.controlPlaneCidrs = [])),
                [
                    "cluster.controlPlaneCidrs: is empty",
                    "fix: list the CIDR blocks of the control plane's network interfaces",
                ],
            ],
            [
                "an app namespace that is not DNS-1123, under the namespace and the app",
                () => prodArgs((a) => (a.apps[2].namespace = "Reports")),
                [
                    'namespace Reports: namespace: "Reports" is not a DNS-1123 label',
                    'apps[2] (reports): namespace: "Reports" is not a DNS-1123 label',
                    "fix: use lower-case letters, digits and '-'",
                ],
            ],
            [
                "an issuer with https://, under each WorkloadIdentity and CertManager",
                () => prodArgs((a) => (a.cluster.oidcIssuer = `https://${a.cluster.oidcIssuer}`)),
                [
                    'apps[0] (payments): oidcIssuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/',
                    'apps[2] (reports): oidcIssuer: "https://',
                    'certManager: oidcIssuer: "https://',
                    "includes a scheme; fix: give the issuer's host and path",
                ],
            ],
            [
                "an expired policy exception",
                () =>
                    prodArgs(
                        (a) =>
                            (a.policyExceptions = [
                                {
                                    name: "legacy-probes",
                                    policies: ["baseline-require-probes"],
                                    owner: "team-payments",
                                    reason: "The legacy worker has no health endpoint yet",
                                    expires: "2000-01-01",
                                    namespaces: ["payments"],
                                },
                            ]),
                    ),
                [
                    "policies: exceptions[0].expires: 2000-01-01 has passed",
                    "fix: remove the exception, or renew it with a new expiry date and a current reason",
                ],
            ],
            [
                "a hosted zone of another env",
                () =>
                    prodArgs(
                        (a) => (a.hostedZones = [{ zoneId: "Z0111111111111111DEVZ", domain: "dev.shop.example.com" }]),
                    ),
                [
                    'certManager: hostedZones[0].domain: "dev.shop.example.com" names environment dev from the prod environment',
                    "fix: use a name of the prod environment",
                ],
            ],
        ];
        cases.push(
            [
                "a team role for a group no app grants access",
                () =>
                    prodArgs((a) =>
                        a.teamRoles!.push({
                            group: "team-data",
                            principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_data_0123456789abcdef`,
                        }),
                    ),
                [
                    "teamRoles[2].group: no app grants team-data access; fix: add it to an app's access, or drop its role",
                ],
            ],
            [
                "a team role that is no IAM Identity Center role",
                () => prodArgs((a) => (a.teamRoles![0].principalArn = `arn:aws:iam::${ACCOUNT}:role/admins`)),
                ["teamRoles: teams[0].principalArn: ", "is not a role assumed through IAM Identity Center"],
            ],
            [
                "team roles without the cluster's name",
                () => prodArgs((a) => (a.cluster.name = undefined)),
                ["teamRoles: needs cluster.name; fix: give the EKS cluster's name in cluster.name"],
            ],
        );
        for (const [what, args, fragments] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new SecureEnvironment("prod", args()),
                    (e: Error) => {
                        assert.match(e.message, /^SecureEnvironment "prod": invalid arguments:\n {2}- /);
                        for (const fragment of fragments) assert.ok(e.message.includes(fragment), e.message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }

        it("every problem at once, the environment's own and its components'", async () => {
            const args = prodArgs((a) => {
                a.cluster.controlPlaneCidrs = [];
                a.apps[1].name = "payments";
                a.apps[1].namespace = "orders";
                a.hostedZones = [{ zoneId: "Z0111111111111111DEVZ", domain: "dev.shop.example.com" }];
                a.apps[2].namespace = "Reports";
            });
            assert.throws(
                () => new SecureEnvironment("prod", args),
                (e: Error) => {
                    const problems = e.message.split("\n").slice(1);
                    for (const field of [
                        "cluster.controlPlaneCidrs: ",
                        "apps[1].name: ",
                        "certManager: hostedZones[0].domain: ",
                        "namespace Reports: namespace: ",
                        "apps[2] (reports): namespace: ",
                    ]) {
                        assert.ok(
                            problems.some((p) => p.startsWith(`  - ${field}`)),
                            `${field} in\n${e.message}`,
                        );
                    }
                    for (const problem of problems) assert.match(problem, /^ {2}- \S.*; fix: \S/);
                    return true;
                },
            );
            await settled();
            assert.equal(resources().length, 0);
        });
    });
});
