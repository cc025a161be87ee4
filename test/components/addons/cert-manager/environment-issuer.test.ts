import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    ACCOUNT,
    installMocks,
    named,
    ofType,
    REGION,
    resetResources,
    resources,
    settle,
    settled,
    valueOf,
    mockProviderAccount,
} from "../../../mocks";
installMocks();
import {
    certManagerClusterIssuer,
    certManagerDnsPolicy,
    EnvironmentIssuer,
    EnvironmentIssuerArgs,
    environmentIssuerTrustPolicy,
    resolveEnvironmentIssuerArgs,
    solverRbac,
} from "../../../../components/addons/cert-manager";
import { AcmeServer, profileFor } from "../../../../components/baseline";
import { ISSUER, PROVIDER_ARN } from "../../aws/fixtures";
import { sharedTopology } from "../kyverno/fixtures";
import { issuerArgs, zonesOf } from "./fixtures";

const TOKEN = "k8s-baseline:index:EnvironmentIssuer";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const K8S_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const K8S_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ROLE_ARN = (env: string) => `arn:aws:iam::${ACCOUNT}:role/shop-${env}-cert-manager`;
const POD_IDENTITY = {
    identityMode: "pod-identity",
    oidcIssuer: undefined,
    oidcProviderArn: undefined,
    clusterName: "shop-prod",
} as const;

/** Builds an EnvironmentIssuer and returns what it registered for its ClusterIssuer. */
async function build(args: EnvironmentIssuerArgs, name = "cert-manager") {
    resetResources();
    const component = new EnvironmentIssuer(name, args);
    await settled();
    return { component, issuer: named(CLUSTER_ISSUER, `${name}-cluster-issuer`).inputs };
}

describe("EnvironmentIssuer", () => {
    beforeEach(resetResources);

    it("gives the issuer a ServiceAccount of its own, which alone the role trusts", async () => {
        const { component } = await build(issuerArgs({ env: "dev" }));
        const roleArn = await valueOf(component.roleArn);
        assert.equal(roleArn, ROLE_ARN("dev"));
        const role = named(ROLE, "cert-manager-role").inputs;
        assert.equal(role.name, "shop-dev-cert-manager");
        assert.deepEqual(JSON.parse(role.assumeRolePolicy).Statement, [
            {
                Sid: "ServiceAccountWebIdentity",
                Effect: "Allow",
                Principal: { Federated: PROVIDER_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${ISSUER}:sub`]: "system:serviceaccount:cert-manager:shop-dev-acme-dns01",
                        [`${ISSUER}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ]);
        const sa = named(SERVICE_ACCOUNT, "cert-manager-dns01").inputs;
        assert.deepEqual(sa.metadata, {
            name: "shop-dev-acme-dns01",
            namespace: "cert-manager",
            labels: { "app.kubernetes.io/managed-by": "k8s-baseline", env: "dev" },
        });
        assert.equal(sa.automountServiceAccountToken, false);
    });

    it("lets cert-manager's controller request that ServiceAccount's tokens and no other's", async () => {
        await build(
            issuerArgs({ env: "stage", namespace: "certificates", controllerServiceAccountName: "issuer-controller" }),
        );
        const role = named(K8S_ROLE, "cert-manager-token-request").inputs;
        assert.deepEqual(role.metadata.name, "shop-stage-acme-dns01-token-request");
        assert.deepEqual(role.metadata.namespace, "certificates");
        assert.deepEqual(role.rules, [
            {
                apiGroups: [""],
                resources: ["serviceaccounts/token"],
                resourceNames: ["shop-stage-acme-dns01"],
                verbs: ["create"],
            },
        ]);
        const binding = named(K8S_BINDING, "cert-manager-token-request").inputs;
        assert.deepEqual(binding.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "shop-stage-acme-dns01-token-request",
        });
        assert.deepEqual(binding.subjects, [
            { kind: "ServiceAccount", name: "issuer-controller", namespace: "certificates" },
        ]);
        const trust = JSON.parse(named(ROLE, "cert-manager-role").inputs.assumeRolePolicy);
        assert.equal(
            trust.Statement[0].Condition.StringEquals[`${ISSUER}:sub`],
            "system:serviceaccount:certificates:shop-stage-acme-dns01",
        );
        const built = solverRbac(
            resolveEnvironmentIssuerArgs(
                "x",
                issuerArgs({
                    env: "stage",
                    namespace: "certificates",
                    controllerServiceAccountName: "issuer-controller",
                }),
            ),
        );
        assert.deepEqual(role.rules, built.role.rules);
        assert.deepEqual(binding.subjects, built.binding.subjects);
    });

    it("on one shared cluster, gives no two envs' issuers the same name, ServiceAccount, Role or AWS role", async () => {
        const topology = sharedTopology();
        const names = new Set<string>();
        for (const env of ["dev", "stage", "prod"] as const) {
            const resolved = resolveEnvironmentIssuerArgs(env, issuerArgs({ env, topology }));
            for (const name of [
                `ClusterIssuer/${resolved.clusterIssuerName}`,
                `ServiceAccount/${resolved.solverServiceAccountName}`,
                `Role/${resolved.tokenRequestRoleName}`,
                `IAM/${resolved.roleName}`,
                `trust/${resolved.serviceAccountName}`,
            ]) {
                assert.ok(!names.has(name), name);
                names.add(name);
            }
        }
        assert.equal(names.size, 15);
    });

    it("refuses Pod Identity on a shared cluster: the one controller's credentials would serve every env", () => {
        assert.throws(
            () =>
                new EnvironmentIssuer(
                    "dev",
                    issuerArgs({
                        env: "dev",
                        ...POD_IDENTITY,
                        clusterName: "shop",
                        topology: sharedTopology(["dev", "stage"]),
                    }),
                ),
            /identityMode: is pod-identity on a cluster dev, stage share: .*; fix: use irsa/,
        );
        assert.equal(resources().length, 0);
    });

    it("allows the role only the DNS-01 policy of the env's own zones", async () => {
        await build(issuerArgs({ env: "stage" }));
        const policies = ofType(ROLE_POLICY);
        assert.equal(policies.length, 1);
        assert.deepEqual(
            JSON.parse(policies[0].inputs.policy),
            certManagerDnsPolicy(
                "aws",
                zonesOf("stage").map((z) => z.zoneId),
            ),
        );
        assert.equal(policies[0].inputs.role, "shop-stage-cert-manager");
    });

    it("uses EKS Pod Identity when asked: an association for the controller, service trust scoped to the cluster", async () => {
        const { component, issuer } = await build(issuerArgs(POD_IDENTITY));
        assert.deepEqual(issuer.spec.acme.solvers[0].dns01.route53, { region: REGION });
        assert.equal(ofType(SERVICE_ACCOUNT).length + ofType(K8S_ROLE).length + ofType(K8S_BINDING).length, 0);
        assert.deepEqual(
            component.credentials.map((r) => (r as unknown as { __pulumiType: string }).__pulumiType).sort(),
            [ASSOCIATION, ROLE_POLICY].sort(),
        );
        const association = named(ASSOCIATION, "cert-manager-pod-identity").inputs;
        assert.deepEqual(
            {
                clusterName: association.clusterName,
                namespace: association.namespace,
                serviceAccount: association.serviceAccount,
            },
            { clusterName: "shop-prod", namespace: "cert-manager", serviceAccount: "cert-manager" },
        );
        assert.equal(association.roleArn, ROLE_ARN("prod"));
        const trust = JSON.parse(named(ROLE, "cert-manager-role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Condition, {
            // Only cert-manager's own ServiceAccount: EKS tags the session with the pod's namespace and account.
            StringEquals: {
                "aws:SourceAccount": ACCOUNT,
                "aws:RequestTag/kubernetes-namespace": "cert-manager",
                "aws:RequestTag/kubernetes-service-account": "cert-manager",
            },
            ArnEquals: { "aws:SourceArn": `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/shop-prod` },
        });
    });

    it("creates no Pod Identity association with IRSA", async () => {
        await build(issuerArgs());
        assert.equal(ofType(ASSOCIATION).length, 0);
    });

    for (const [env, server] of [
        ["dev", AcmeServer.LetsEncryptStaging],
        ["stage", AcmeServer.LetsEncryptStaging],
        ["prod", AcmeServer.LetsEncryptProduction],
    ] as const) {
        it(`issues in ${env} from ${server === AcmeServer.LetsEncryptProduction ? "production" : "staging"} Let's Encrypt`, async () => {
            const { issuer } = await build(issuerArgs({ env }));
            assert.equal(issuer.spec.acme.server, server);
            assert.equal(issuer.spec.acme.server, profileFor(env).acmeServer);
        });
    }

    it("solves challenges by DNS-01 through Route 53 only, for the env's domains only", async () => {
        const { issuer, component } = await build(issuerArgs({ env: "dev" }));
        assert.equal(issuer.apiVersion, "cert-manager.io/v1");
        assert.equal(issuer.kind, "ClusterIssuer");
        assert.equal(issuer.metadata.name, "shop-dev-acme");
        assert.equal(await valueOf(component.clusterIssuerName), "shop-dev-acme");
        const acme = issuer.spec.acme;
        assert.equal(acme.email, "platform@shop.example.org");
        assert.deepEqual(acme.privateKeySecretRef, { name: "shop-dev-acme-account-key" });
        assert.deepEqual(acme.solvers, [
            {
                selector: { dnsZones: ["dev.example.com", "dev.example.org"] },
                dns01: {
                    route53: {
                        region: REGION,
                        role: ROLE_ARN("dev"),
                        auth: { kubernetes: { serviceAccountRef: { name: "shop-dev-acme-dns01" } } },
                    },
                },
            },
        ]);
        // The default audience, sts.amazonaws.com, which the role's trust asks for: none is set.
        assert.equal(acme.solvers[0].dns01.route53.auth.kubernetes.serviceAccountRef.audiences, undefined);
    });

    it("builds the ClusterIssuer as data, exactly as it registers it", async () => {
        for (const args of [issuerArgs({ env: "stage" }), issuerArgs(POD_IDENTITY)]) {
            const resolved = resolveEnvironmentIssuerArgs("cert-manager", args);
            const { issuer } = await build(args);
            assert.deepEqual(issuer, JSON.parse(JSON.stringify(certManagerClusterIssuer(resolved))));
        }
    });

    it("reports its outputs", async () => {
        const { component } = await build(issuerArgs({ env: "stage", namespace: "certificates" }));
        assert.equal(await valueOf(component.clusterIssuerName), "shop-stage-acme");
        assert.equal(await valueOf(component.roleArn), ROLE_ARN("stage"));
    });

    it("installs nothing when the AWS provider creates the role in another account than accountId", async () => {
        // The provider's credentials are for ACCOUNT; the chart would be told the role lives in another.
        mockProviderAccount(ACCOUNT);
        const other = issuerArgs({
            identityMode: "pod-identity",
            accountId: "210987654321",
            oidcIssuer: undefined,
            oidcProviderArn: undefined,
            clusterName: "shop-prod",
        });
        try {
            const component = new EnvironmentIssuer("cert-manager", other);
            await assert.rejects(
                settle(component.roleArn),
                /accountId: the role was created as arn:aws:iam::123456789012:role\/shop-prod-cert-manager/,
            );
            await settled().catch(() => undefined);
        } finally {
            mockProviderAccount(undefined);
        }
        assert.deepEqual(
            resources().map((r) => r.type),
            [TOKEN, ROLE],
        );
    });

    it("parents every child to the component", async () => {
        for (const [args, types] of [
            [issuerArgs(POD_IDENTITY), [ASSOCIATION, ROLE, ROLE_POLICY, CLUSTER_ISSUER]],
            [issuerArgs(), [SERVICE_ACCOUNT, K8S_ROLE, K8S_BINDING, ROLE, ROLE_POLICY, CLUSTER_ISSUER]],
        ] as const) {
            await build(args);
            const children = resources().filter((r) => r.type !== TOKEN);
            assert.deepEqual(children.map((r) => r.type).sort(), [...types].sort());
            for (const child of children) assert.equal(child.parentType, TOKEN, child.name);
        }
    });
    it("checks an issuer that is only known after construction when it resolves", async () => {
        const args = issuerArgs({ oidcIssuer: pulumi.output("https://" + ISSUER) });
        const resolved = resolveEnvironmentIssuerArgs("cert-manager", args);
        await assert.rejects(
            settle(environmentIssuerTrustPolicy("cert-manager", resolved, args)),
            /EnvironmentIssuer "cert-manager": invalid arguments:\n {2}- oidcIssuer: "https:\/\/oidc.* includes a scheme; fix:/,
        );
    });

    describe("rejects bad input before registering anything", () => {
        const zone = (zoneId: string, domain: string) => [{ zoneId, domain }];
        const cases: [string, Partial<EnvironmentIssuerArgs>, RegExp][] = [
            ["an unknown env", { env: "production" as never }, /env: "production" is not a known environment/],
            ["a project that is not DNS-1123", { project: "Shop" }, /project: "Shop" is not a DNS-1123 label/],
            [
                "an account that is not 12 digits",
                { accountId: "12345" },
                /accountId: "12345" is not an AWS account id; fix: give the 12-digit account number/,
            ],
            ["a bad region", { region: "europe" }, /region: "europe" is not an AWS region/],
            [
                "a namespace that is not DNS-1123",
                { namespace: "cert_manager" },
                /namespace: "cert_manager" is not a DNS-1123 label/,
            ],
            [
                "a namespace of another env",
                { namespace: "cert-manager-dev" },
                /namespace: "cert-manager-dev" names environment dev/,
            ],
            [
                "a controller ServiceAccount that is not DNS-1123",
                { controllerServiceAccountName: "Cert.Manager" },
                /controllerServiceAccountName: "Cert.Manager" is not a DNS-1123 label/,
            ],
            [
                "a topology that leaves the env out",
                { topology: sharedTopology(["dev", "stage"]) },
                /topology\.environments: does not list prod/,
            ],
            ["no hosted zone", { hostedZones: [] }, /hostedZones: is empty; fix: list the env's public hosted zones/],
            [
                "a zone id with its /hostedzone/ prefix",
                { hostedZones: zone("/hostedzone/Z0123456789ABCDEFGHIJ", "prod.example.com") },
                /hostedZones\[0\].zoneId: "\/hostedzone\/Z0123456789ABCDEFGHIJ" is not a Route 53 hosted zone id; fix: give the bare hosted zone id/,
            ],
            [
                "a lower-case zone id",
                { hostedZones: zone("z0123456789abcdefghij", "prod.example.com") },
                /hostedZones\[0\].zoneId: .* is not a Route 53 hosted zone id/,
            ],
            [
                "a wildcard domain",
                { hostedZones: zone("Z0123456789ABCDEFGHIJ", "*.prod.example.com") },
                /hostedZones\[0\].domain: "\*.prod.example.com" is a wildcard; fix: give the zone's domain/,
            ],
            [
                "a domain with a trailing dot",
                { hostedZones: zone("Z0123456789ABCDEFGHIJ", "prod.example.com.") },
                /hostedZones\[0\].domain: "prod.example.com." ends with '.'; fix: drop the trailing dot/,
            ],
            [
                "a domain that is not a DNS name",
                { hostedZones: zone("Z0123456789ABCDEFGHIJ", "Prod.Example.com") },
                /hostedZones\[0\].domain: "Prod.Example.com" is not a DNS name/,
            ],
            [
                "a single-label domain",
                { hostedZones: zone("Z0123456789ABCDEFGHIJ", "localhost") },
                /hostedZones\[0\].domain: "localhost" is not a DNS name of at least two labels/,
            ],
            [
                "a domain of another env",
                { hostedZones: zone("Z0123456789ABCDEFGHIJ", "stage.example.com") },
                /hostedZones\[0\].domain: "stage.example.com" names environment stage from the prod environment/,
            ],
            [
                "a zone listed twice",
                { hostedZones: [...zonesOf("prod"), zonesOf("prod")[0]] },
                /hostedZones\[2\].zoneId: .* is listed twice/,
            ],
            ["an e-mail without a domain", { acmeEmail: "platform" }, /acmeEmail: "platform" is not an e-mail address/],
            [
                "an e-mail with a space",
                { acmeEmail: "plat form@example.org" },
                /acmeEmail: "plat form@example.org" is not an e-mail address/,
            ],
            [
                "an issuer with a scheme",
                { oidcIssuer: `https://${ISSUER}` },
                /oidcIssuer: "https:\/\/oidc.* includes a scheme; fix: give the issuer's host and path/,
            ],
            [
                "a provider of another account",
                { oidcProviderArn: PROVIDER_ARN.replace(ACCOUNT, "210987654321") },
                /oidcProviderArn: .* belongs to account 210987654321/,
            ],
            ["IRSA without an issuer", { oidcIssuer: undefined }, /oidcIssuer: is required with irsa/],
            ["IRSA without a provider", { oidcProviderArn: undefined }, /oidcProviderArn: is required with irsa/],
            [
                "Pod Identity without a cluster",
                { identityMode: "pod-identity" },
                /clusterName: is required with pod-identity/,
            ],
            [
                "Pod Identity with a cluster ARN",
                { identityMode: "pod-identity", clusterName: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/shop` },
                /clusterName: .* is not an EKS cluster name; fix: give the cluster's name, not its ARN/,
            ],
            [
                "Pod Identity with another env's cluster",
                { identityMode: "pod-identity", clusterName: "shop-dev" },
                /clusterName: "shop-dev" names environment dev/,
            ],
            [
                "an unknown identity mode",
                { identityMode: "kiam" as never },
                /identityMode: "kiam" is not an identity mode; fix: use one of irsa, pod-identity/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                const args = issuerArgs(overrides);
                assert.throws(
                    () => new EnvironmentIssuer("cert-manager", args),
                    (e: Error) => {
                        assert.match(e.message, /^EnvironmentIssuer "cert-manager": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }

        it("lists every problem at once", () => {
            assert.throws(
                () =>
                    new EnvironmentIssuer(
                        "cert-manager",
                        issuerArgs({ region: "europe", acmeEmail: "x", hostedZones: [] }),
                    ),
                (e: Error & { problems?: string[] }) => {
                    assert.equal(e.problems?.length, 3);
                    return true;
                },
            );
        });
    });
});
