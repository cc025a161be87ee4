import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, installMocks, named, ofType, resetResources, resources, settle, settled, valueOf } from "../../mocks";
installMocks();
import {
    assumeRolePolicyFor,
    resolveWorkloadIdentityArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
} from "../../../components/aws/workload-identity";
import { identityArgs, ISSUER, KEY_ARN, PROVIDER_ARN } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

describe("WorkloadIdentity", () => {
    beforeEach(resetResources);

    it("trusts exactly the app's ServiceAccount token for STS through IRSA", async () => {
        const identity = new WorkloadIdentity("payments", identityArgs());
        assert.equal(await valueOf(identity.roleArn), `arn:aws:iam::${ACCOUNT}:role/shop-prod-payments`);
        await settled();
        const role = named(ROLE, "payments-role").inputs;
        assert.equal(role.name, "shop-prod-payments");
        assert.equal(role.maxSessionDuration, 3600);
        assert.deepEqual(JSON.parse(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ServiceAccountWebIdentity",
                    Effect: "Allow",
                    Principal: { Federated: PROVIDER_ARN },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${ISSUER}:sub`]: "system:serviceaccount:payments:payments",
                            [`${ISSUER}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        });
    });

    it("allows reading only the app's own secrets and decrypting only through Secrets Manager", async () => {
        new WorkloadIdentity("payments", identityArgs());
        await settled();
        const policy = JSON.parse(named(ROLE_POLICY, "payments-secrets").inputs.policy);
        assert.deepEqual(policy.Statement, [
            {
                Sid: "ReadOwnSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                Resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:shop-prod/payments/*`,
            },
            {
                Sid: "DecryptThroughSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: KEY_ARN,
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
            },
        ]);
    });

    it("annotates the ServiceAccount with the role and mounts no token unless the app calls the API", async () => {
        const identity = new WorkloadIdentity("payments", identityArgs({ serviceAccountName: "payments-api" }));
        assert.equal(await valueOf(identity.serviceAccountName), "payments-api");
        await settled();
        const sa = named("kubernetes:core/v1:ServiceAccount", "payments-sa").inputs;
        assert.equal(sa.metadata.namespace, "payments");
        assert.equal(sa.automountServiceAccountToken, false);
        assert.equal(
            sa.metadata.annotations["eks.amazonaws.com/role-arn"],
            `arn:aws:iam::${ACCOUNT}:role/shop-prod-payments`,
        );
        const trust = JSON.parse(named(ROLE, "payments-role").inputs.assumeRolePolicy);
        assert.equal(
            trust.Statement[0].Condition.StringEquals[`${ISSUER}:sub`],
            "system:serviceaccount:payments:payments-api",
        );

        resetResources();
        new WorkloadIdentity(
            "operator",
            identityArgs({ app: "operator", namespace: "operator", callsKubernetesApi: true }),
        );
        await settled();
        assert.equal(
            named("kubernetes:core/v1:ServiceAccount", "operator-sa").inputs.automountServiceAccountToken,
            true,
        );
    });

    it("grants get on the app's own Kubernetes Secrets by name, without list or watch", async () => {
        new WorkloadIdentity("payments", identityArgs({ kubernetesSecretNames: ["payments-db", "payments-api-key"] }));
        await settled();
        const role = named("kubernetes:rbac.authorization.k8s.io/v1:Role", "payments-secret-reader").inputs;
        assert.equal(role.metadata.namespace, "payments");
        assert.deepEqual(role.rules, [
            {
                apiGroups: [""],
                resources: ["secrets"],
                resourceNames: ["payments-api-key", "payments-db"],
                verbs: ["get"],
            },
        ]);
        const binding = named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "payments-secret-reader").inputs;
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "payments", namespace: "payments" }]);
        assert.deepEqual(binding.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "payments-secrets",
        });
    });

    it("creates no Role when the app reads no Kubernetes Secret", async () => {
        new WorkloadIdentity("payments", identityArgs());
        await settled();
        assert.equal(ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
        assert.equal(ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").length, 0);
    });

    it("uses EKS Pod Identity when asked: service trust scoped to the cluster, and an association", async () => {
        new WorkloadIdentity(
            "payments",
            identityArgs({
                identityMode: "pod-identity",
                oidcIssuer: undefined,
                oidcProviderArn: undefined,
                clusterName: "shop-prod",
            }),
        );
        await settled();
        const trust = JSON.parse(named(ROLE, "payments-role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement, [
            {
                Sid: "EksPodIdentity",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": ACCOUNT,
                        "aws:RequestTag/kubernetes-namespace": "payments",
                        "aws:RequestTag/kubernetes-service-account": "payments",
                    },
                    ArnEquals: { "aws:SourceArn": `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/shop-prod` },
                },
            },
        ]);
        const association = named(
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "payments-pod-identity",
        ).inputs;
        assert.deepEqual(
            {
                clusterName: association.clusterName,
                namespace: association.namespace,
                serviceAccount: association.serviceAccount,
            },
            { clusterName: "shop-prod", namespace: "payments", serviceAccount: "payments" },
        );
        assert.equal(association.roleArn, `arn:aws:iam::${ACCOUNT}:role/shop-prod-payments`);
        const sa = named("kubernetes:core/v1:ServiceAccount", "payments-sa").inputs;
        assert.equal(sa.metadata.annotations?.["eks.amazonaws.com/role-arn"], undefined);
    });

    it("parents every child to the component", async () => {
        new WorkloadIdentity("payments", identityArgs({ kubernetesSecretNames: ["payments-db"] }));
        await settled();
        const children = resources().filter((r) => r.custom);
        assert.equal(children.length, 5);
        for (const child of children) assert.equal(child.parentType, "k8s-baseline:index:WorkloadIdentity", child.name);
    });

    it("checks an issuer that is only known after construction when it resolves", async () => {
        const args = identityArgs({ oidcIssuer: pulumi.output("https://" + ISSUER) });
        const resolved = resolveWorkloadIdentityArgs("payments", args);
        await assert.rejects(
            settle(assumeRolePolicyFor("payments", resolved, args)),
            /WorkloadIdentity "payments": invalid arguments:\n {2}- oidcIssuer: "https:\/\/oidc.* includes a scheme; fix:/,
        );
        const good = identityArgs({ oidcIssuer: pulumi.output(ISSUER) });
        const trust = JSON.parse(
            await settle(assumeRolePolicyFor("payments", resolveWorkloadIdentityArgs("payments", good), good)),
        );
        assert.equal(trust.Statement[0].Condition.StringEquals[`${ISSUER}:aud`], "sts.amazonaws.com");
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<WorkloadIdentityArgs>, RegExp][] = [
            ["an unknown env", { env: "production" as never }, /env: "production" is not a known environment/],
            ["an app that is not DNS-1123", { app: "Payments" }, /app: "Payments" is not a DNS-1123 label/],
            [
                "a namespace that is not DNS-1123",
                { namespace: "pay_ments" },
                /namespace: "pay_ments" is not a DNS-1123 label/,
            ],
            [
                "a namespace of another env",
                { namespace: "dev-payments" },
                /namespace: "dev-payments" names environment dev/,
            ],
            [
                "an issuer with a scheme",
                { oidcIssuer: `https://${ISSUER}` },
                /oidcIssuer: "https:\/\/oidc.* includes a scheme; fix: give the issuer's host and path/,
            ],
            [
                "an issuer with a wildcard",
                { oidcIssuer: "oidc.eks.eu-west-1.amazonaws.com/id/*" },
                /oidcIssuer: .* contains a wildcard/,
            ],
            [
                "an account that is not 12 digits",
                { accountId: "12345" },
                /accountId: "12345" is not an AWS account id; fix: give the 12-digit account number/,
            ],
            [
                "a provider of another account",
                { oidcProviderArn: PROVIDER_ARN.replace(ACCOUNT, "210987654321") },
                /oidcProviderArn: .* belongs to account 210987654321/,
            ],
            [
                "a provider of another issuer",
                { oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER` },
                /is not the provider of issuer/,
            ],
            ["IRSA without an issuer", { oidcIssuer: undefined }, /oidcIssuer: is required with irsa/],
            [
                "Pod Identity without a cluster",
                { identityMode: "pod-identity" },
                /clusterName: is required with pod-identity/,
            ],
            [
                "an unknown identity mode",
                { identityMode: "kiam" as never },
                /identityMode: "kiam" is not an identity mode; fix: use one of irsa, pod-identity/,
            ],
            [
                "a key alias instead of a key ARN",
                { environmentKeyArn: "alias/shop-prod" },
                /environmentKeyArn: "alias\/shop-prod" is not a KMS key ARN/,
            ],
            [
                "a wildcard Secret name",
                { kubernetesSecretNames: ["payments-*"] },
                /kubernetesSecretNames\[0\]: "payments-\*" is not a Secret name/,
            ],
            ["a bad region", { region: "europe" }, /region: "europe" is not an AWS region/],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                const args: WorkloadIdentityArgs = identityArgs(overrides);
                assert.throws(
                    () => new WorkloadIdentity("payments", args),
                    (e: Error) => {
                        assert.match(e.message, /^WorkloadIdentity "payments": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }
    });
});
