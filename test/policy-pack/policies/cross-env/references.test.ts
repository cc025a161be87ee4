/**
 * What each env's components register names only that env; the same resources pointed at another env's
 * prefix, key, namespace, role or Vault path are reported, each at the field that names it.
 */
import * as assert from "node:assert/strict";
import {
    AcmeServer,
    appResourceName,
    Environment,
    ENVIRONMENTS,
    kmsAliasName,
    PLATFORM_NAMESPACES,
    secretPath,
    serviceAccountSubject,
    vaultAuthPath,
    vaultMountPath,
} from "../../../../components/baseline";
import { certManagerClusterIssuer } from "../../../../components/addons/cert-manager/cluster-issuer";
import {
    awsSecretStoreManifest,
    externalSecretManifest,
    vaultSecretStoreManifest,
} from "../../../../components/addons/external-secrets/manifests";
import { irsaTrustPolicy } from "../../../../components/aws/iam";
import { appReadRules, renderPolicy } from "../../../../components/vault/policy";
import { crossEnvReferences, otherEnvironmentsIn } from "../../../../policy-pack/policies/cross-env";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import {
    ACCOUNT,
    appDocument,
    copy,
    ISSUER,
    keyDocument,
    keyInputs,
    PROJECT,
    PROVIDER_ARN,
    REGION,
    resourceOf,
    roleInputs,
    rolePolicyInputs,
    secretInputs,
    settingsOf,
    unknownsOf,
    violationsOf,
} from "../aws/fixtures";

const check = (resource: PolicyResource, env: Environment) =>
    violationsOf(crossEnvReferences, resource, settingsOf(env));
const roleArn = (env: Environment, app = "payments") =>
    `arn:aws:iam::${ACCOUNT}:role/${appResourceName(PROJECT, env, app)}`;

/** A Deployment of app `payments` in `namespace`, as an app repository would declare it. */
function deployment(namespace: string, labels: Record<string, string> = {}): PolicyResource {
    return resourceOf("kubernetes:apps/v1:Deployment", {
        metadata: { name: "api", namespace, labels: { "app.kubernetes.io/name": "payments", ...labels } },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "payments" } },
            template: {
                metadata: { labels: { "app.kubernetes.io/name": "payments" } },
                spec: {
                    serviceAccountName: "payments",
                    containers: [{ name: "api", image: "registry.example/api:1" }],
                },
            },
        },
    });
}

describe("cross-env-references", () => {
    describe("word boundaries", () => {
        it("finds an env only as a whole word, whatever the case or punctuation", () => {
            const cases: [string, Environment, Environment[]][] = [
                ["shop-prod/payments/db", "dev", ["prod"]],
                ["SHOP_PROD", "dev", ["prod"]],
                ["arn:aws:secretsmanager:eu-west-1:1:secret:shop-prod*", "dev", ["prod"]],
                ["vault.stage.shop.example.com", "prod", ["stage"]],
                [AcmeServer.LetsEncryptStaging, "prod", []],
                [AcmeServer.LetsEncryptProduction, "dev", []],
                ["production-reports", "dev", []],
                ["devops", "prod", []],
                ["preprod-kv", "dev", []],
                ["backstage", "dev", []],
                ["shop-dev-payments", "dev", []],
                ["dev-to-prod-sync", "stage", ["dev", "prod"]],
            ];
            for (const [value, env, expected] of cases)
                assert.deepEqual(otherEnvironmentsIn(value, env), expected, value);
        });
    });

    describe("AWS", () => {
        it("passes what each env's components name", () => {
            for (const env of ENVIRONMENTS) {
                const resources = [
                    resourceOf("aws:iam/role:Role", roleInputs(undefined, env)),
                    resourceOf("aws:iam/rolePolicy:RolePolicy", rolePolicyInputs(appDocument(env), env)),
                    resourceOf("aws:kms/key:Key", keyInputs(env)),
                    resourceOf("aws:kms/alias:Alias", { name: kmsAliasName(PROJECT, env), targetKeyId: "2b720b2c" }),
                    resourceOf("aws:secretsmanager/secret:Secret", secretInputs(env)),
                    resourceOf("aws:eks/podIdentityAssociation:PodIdentityAssociation", {
                        clusterName: `${PROJECT}-${env}`,
                        namespace: "payments",
                        serviceAccount: "payments",
                        roleArn: roleArn(env),
                    }),
                ];
                for (const resource of resources) assert.deepEqual(check(resource, env), [], `${env} ${resource.type}`);
            }
        });

        it("reports a dev IAM policy that grants prod's secrets", () => {
            const resource = resourceOf(
                "aws:iam/rolePolicy:RolePolicy",
                rolePolicyInputs(appDocument("prod"), "dev"),
                "dev-payments-secrets",
            );
            assert.deepEqual(check(resource, "dev"), [
                `aws:iam/rolePolicy:RolePolicy dev-payments-secrets: policy "arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:shop-prod/payments/*" names prod from the dev environment`,
            ]);
        });

        it("reports a trust policy that lets another env's namespace in", () => {
            const document = irsaTrustPolicy({
                oidcProviderArn: PROVIDER_ARN,
                oidcIssuer: ISSUER,
                namespace: "payments-prod",
                serviceAccount: "payments",
            });
            assert.deepEqual(
                check(resourceOf("aws:iam/role:Role", roleInputs(document, "stage"), "stage-payments-role"), "stage"),
                [
                    `aws:iam/role:Role stage-payments-role: assumeRolePolicy "${serviceAccountSubject("payments-prod", "payments")}" names prod from the stage environment`,
                ],
            );
        });

        it("reports a key policy that lets another env's role in", () => {
            const document = copy(keyDocument());
            document.Statement[0].Principal = { AWS: [roleArn("prod", "admin")] };
            const resource = resourceOf(
                "aws:kms/key:Key",
                { ...keyInputs("dev"), policy: JSON.stringify(document) },
                "dev-key",
            );
            assert.deepEqual(check(resource, "dev"), [
                `aws:kms/key:Key dev-key: policy "${roleArn("prod", "admin")}" names prod from the dev environment`,
            ]);
        });

        it("reports another env's KMS alias, secret name and key", () => {
            const alias = resourceOf(
                "aws:kms/alias:Alias",
                { name: kmsAliasName(PROJECT, "prod"), targetKeyId: "k" },
                "alias",
            );
            assert.deepEqual(check(alias, "stage"), [
                'aws:kms/alias:Alias alias: name "alias/shop-prod" names prod from the stage environment',
            ]);
            const secret = resourceOf(
                "aws:secretsmanager/secret:Secret",
                {
                    ...secretInputs("dev"),
                    name: secretPath(PROJECT, "prod", "payments", "db-password"),
                    kmsKeyId: "alias/shop-prod",
                },
                "secret",
            );
            assert.deepEqual(check(secret, "dev"), [
                'aws:secretsmanager/secret:Secret secret: name "shop-prod/payments/db-password" names prod from the dev environment',
                'aws:secretsmanager/secret:Secret secret: kmsKeyId "alias/shop-prod" names prod from the dev environment',
            ]);
        });

        it("reports another env's role given to a Pod Identity association", () => {
            const resource = resourceOf(
                "aws:eks/podIdentityAssociation:PodIdentityAssociation",
                {
                    clusterName: "shop-dev",
                    namespace: "payments",
                    serviceAccount: "payments",
                    roleArn: roleArn("prod"),
                },
                "assoc",
            );
            assert.deepEqual(check(resource, "dev"), [
                `aws:eks/podIdentityAssociation:PodIdentityAssociation assoc: roleArn "${roleArn("prod")}" names prod from the dev environment`,
            ]);
        });

        it("reports an env tag of another env, which ABAC conditions would match", () => {
            const resource = resourceOf(
                "aws:kms/key:Key",
                { ...keyInputs("dev"), tags: { project: PROJECT, env: "prod" } },
                "dev-key",
            );
            assert.deepEqual(check(resource, "dev"), [
                "aws:kms/key:Key dev-key: tags.env is prod, but the resource belongs to dev",
            ]);
        });
    });

    describe("Kubernetes", () => {
        it("reports an object in a namespace named for another env", () => {
            assert.deepEqual(check(deployment("payments"), "dev"), []);
            assert.deepEqual(check(deployment("payments-prod"), "dev"), [
                'Deployment payments-prod/api: metadata.namespace "payments-prod" names prod from the dev environment',
            ]);
        });

        it("reports a Namespace named for another env, or labelled with one", () => {
            const ns = (name: string, env: string) =>
                resourceOf("kubernetes:core/v1:Namespace", {
                    metadata: { name, labels: { env, owner: "team-payments", tier: "backend" } },
                });
            assert.deepEqual(check(ns("payments", "prod"), "prod"), []);
            assert.deepEqual(check(ns("payments-stage", "prod"), "prod"), [
                'Namespace payments-stage: metadata.name "payments-stage" names stage from the prod environment',
            ]);
            assert.deepEqual(check(ns("payments", "stage"), "prod"), [
                "Namespace payments: metadata.labels.env is stage, but the resource belongs to prod",
            ]);
        });

        it("reports a ServiceAccount annotated with another env's role", () => {
            const sa = (arn: string) =>
                resourceOf("kubernetes:core/v1:ServiceAccount", {
                    metadata: {
                        name: "payments",
                        namespace: "payments",
                        annotations: { "eks.amazonaws.com/role-arn": arn },
                    },
                    automountServiceAccountToken: false,
                });
            assert.deepEqual(check(sa(roleArn("stage")), "stage"), []);
            assert.deepEqual(check(sa(roleArn("prod")), "stage"), [
                `ServiceAccount payments/payments: metadata.annotations["eks.amazonaws.com/role-arn"] "${roleArn("prod")}" names prod from the stage environment`,
            ]);
        });

        it("reports an ExternalSecret that reads another env's remote key", () => {
            const es = (env: Environment, key: string) =>
                resourceOf(
                    "kubernetes:external-secrets.io/v1:ExternalSecret",
                    externalSecretManifest({
                        name: "payments-db-password",
                        namespace: "payments",
                        app: "payments",
                        storeName: "payments-store",
                        targetName: "payments-db-password",
                        remoteKey: key,
                        keyPrefix: key.slice(0, key.lastIndexOf("/") + 1),
                        keys: env === "dev" ? ["password"] : undefined,
                        refreshInterval: "1h",
                    }),
                );
            assert.deepEqual(check(es("stage", secretPath(PROJECT, "stage", "payments", "db-password")), "stage"), []);
            assert.deepEqual(check(es("stage", secretPath(PROJECT, "prod", "payments", "db-password")), "stage"), [
                'ExternalSecret payments/payments-db-password: spec.dataFrom[0].extract.key "shop-prod/payments/db-password" names prod from the stage environment',
            ]);
            // The Vault backend's keys are relative to the mount: `<env>/<app>/<secret>`.
            assert.deepEqual(check(es("dev", "dev/payments/db-password"), "dev"), []);
            assert.deepEqual(check(es("dev", "prod/payments/db-password"), "dev"), [
                'ExternalSecret payments/payments-db-password: spec.data[0].remoteRef.key "prod/payments/db-password" names prod from the dev environment',
            ]);
        });

        it("reports a SecretStore pointed at another env's Vault, mount, auth path or role", () => {
            const store = (env: Environment) =>
                resourceOf(
                    "kubernetes:external-secrets.io/v1:SecretStore",
                    vaultSecretStoreManifest({
                        name: "payments-store",
                        namespace: "payments",
                        app: "payments",
                        serviceAccountName: "payments",
                        server: `https://vault.${env}.shop.example.com:8200`,
                        mountPath: vaultMountPath(PROJECT, env),
                        authPath: vaultAuthPath(PROJECT, env),
                        role: appResourceName(PROJECT, env, "payments"),
                        audience: "vault",
                    }),
                );
            assert.deepEqual(check(store("dev"), "dev"), []);
            assert.deepEqual(
                check(store("prod"), "dev").map((m) => m.split(": ")[1].split(" ")[0]),
                [
                    "spec.provider.vault.server",
                    "spec.provider.vault.path",
                    "spec.provider.vault.auth.kubernetes.mountPath",
                    "spec.provider.vault.auth.kubernetes.role",
                ],
            );
            const aws = resourceOf(
                "kubernetes:external-secrets.io/v1:SecretStore",
                awsSecretStoreManifest({
                    name: "s",
                    namespace: "payments",
                    app: "payments",
                    serviceAccountName: "payments",
                    region: REGION,
                }),
            );
            assert.deepEqual(check(aws, "prod"), []);
        });

        it("reports a binding or NetworkPolicy peer in another env's namespace", () => {
            const binding = resourceOf("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", {
                metadata: { name: "deployer", namespace: "payments" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
                subjects: [{ kind: "ServiceAccount", name: "ci-deployer", namespace: "ci-prod" }],
            });
            assert.deepEqual(check(binding, "dev"), [
                'RoleBinding payments/deployer: subjects[0].namespace "ci-prod" names prod from the dev environment',
            ]);
            const netpol = resourceOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
                metadata: { name: "allow-ingress", namespace: "payments" },
                spec: {
                    podSelector: {},
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: {
                                        matchLabels: { "kubernetes.io/metadata.name": "ingress-prod" },
                                    },
                                },
                            ],
                        },
                    ],
                },
            });
            assert.deepEqual(check(netpol, "stage"), [
                'NetworkPolicy payments/allow-ingress: spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"] "ingress-prod" names prod from the stage environment',
            ]);
        });

        it("passes each env's ClusterIssuer, the staging ACME directory included, and reports another env's account key", () => {
            for (const env of ENVIRONMENTS) {
                const manifest = certManagerClusterIssuer({
                    project: PROJECT,
                    env,
                    region: REGION,
                    acmeEmail: "platform@shop.example.com",
                    clusterIssuerName: appResourceName(PROJECT, env, "acme"),
                    hostedZones: [{ zoneId: "Z0333333333333333PRDZ", domain: `${env}.shop.example.com` }],
                } as any);
                const issuer = resourceOf("kubernetes:cert-manager.io/v1:ClusterIssuer", manifest);
                assert.deepEqual(check(issuer, env), [], env);
                if (env === "prod") continue;
                const wrong = copy(manifest) as any;
                wrong.spec.acme.privateKeySecretRef.name = "shop-prod-acme-account-key";
                assert.deepEqual(check(resourceOf("kubernetes:cert-manager.io/v1:ClusterIssuer", wrong), env), [
                    `ClusterIssuer ${manifest.metadata.name}: spec.acme.privateKeySecretRef.name "shop-prod-acme-account-key" names prod from the ${env} environment`,
                ]);
            }
        });

        it("reads the platform namespaces as names of no env", () => {
            for (const namespace of Object.values(PLATFORM_NAMESPACES))
                assert.deepEqual(check(deployment(namespace), "prod"), []);
        });
    });

    describe("Vault", () => {
        it("reports a policy that reads another env's path, and passes its own", () => {
            const policy = (env: Environment, pathEnv: Environment) =>
                resourceOf(
                    "vault:index/policy:Policy",
                    {
                        name: appResourceName(PROJECT, env, "payments"),
                        policy: renderPolicy(appReadRules(vaultMountPath(PROJECT, env), pathEnv, "payments")),
                    },
                    "policy",
                );
            assert.deepEqual(check(policy("dev", "dev"), "dev"), []);
            assert.deepEqual(check(policy("dev", "prod"), "dev"), [
                'vault:index/policy:Policy policy: policy "shop-dev-kv/data/prod/payments/*" names prod from the dev environment',
                'vault:index/policy:Policy policy: policy "shop-dev-kv/metadata/prod/payments/*" names prod from the dev environment',
            ]);
        });

        it("reports an auth role on another env's backend or namespace", () => {
            const role = resourceOf(
                "vault:kubernetes/authBackendRole:AuthBackendRole",
                {
                    backend: vaultAuthPath(PROJECT, "prod"),
                    roleName: appResourceName(PROJECT, "dev", "payments"),
                    boundServiceAccountNames: ["payments"],
                    boundServiceAccountNamespaces: ["payments-prod"],
                    tokenTtl: 3600,
                    tokenMaxTtl: 3600,
                    tokenPolicies: [appResourceName(PROJECT, "dev", "payments")],
                },
                "role",
            );
            assert.deepEqual(check(role, "dev"), [
                'vault:kubernetes/authBackendRole:AuthBackendRole role: backend "kubernetes-shop-prod" names prod from the dev environment',
                'vault:kubernetes/authBackendRole:AuthBackendRole role: boundServiceAccountNamespaces[0] "payments-prod" names prod from the dev environment',
            ]);
        });
    });

    describe("unknowns and unknown envs", () => {
        it("reports an unknown field as unknown, and judges the rest", () => {
            const resource = resourceOf(
                "aws:secretsmanager/secret:Secret",
                { ...secretInputs("dev"), kmsKeyId: UNKNOWN, name: secretPath(PROJECT, "prod", "payments", "x") },
                "secret",
            );
            assert.equal(check(resource, "dev").length, 1);
            assert.deepEqual(unknownsOf(crossEnvReferences, resource, settingsOf("dev")), ["kmsKeyId"]);
        });

        it("reports an unknown or non-JSON document as unknown", () => {
            const unknown = resourceOf("aws:iam/rolePolicy:RolePolicy", { ...rolePolicyInputs(), policy: UNKNOWN });
            assert.deepEqual(unknownsOf(crossEnvReferences, unknown, settingsOf("prod")), ["policy"]);
            const notJson = resourceOf("aws:iam/rolePolicy:RolePolicy", {
                ...rolePolicyInputs(),
                policy: "shop-dev/*",
            });
            assert.deepEqual(unknownsOf(crossEnvReferences, notJson, settingsOf("prod")), [
                "policy (is not JSON, so not a policy document)",
            ]);
        });

        it("reports an unknown namespace as unknown", () => {
            const resource = deployment("payments");
            resource.props.metadata.namespace = UNKNOWN;
            assert.deepEqual(unknownsOf(crossEnvReferences, resource, settingsOf("dev")), ["metadata.namespace"]);
        });

        it("judges nothing when the resource's env is not known", () => {
            assert.deepEqual(violationsOf(crossEnvReferences, deployment("payments-prod"), settingsOf()), []);
        });

        it("never takes the env from the resource's own env label", () => {
            // Whoever writes the object chooses its labels: they neither pick the env nor lower the level.
            const resource = deployment("payments-prod", { env: "dev" });
            assert.deepEqual(violationsOf(crossEnvReferences, resource, settingsOf()), []);
            assert.equal(violationsOf(crossEnvReferences, resource, settingsOf("dev")).length, 1);
        });
    });
});
