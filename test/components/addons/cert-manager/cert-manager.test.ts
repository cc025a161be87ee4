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
    CERT_MANAGER_CHART_VERSION,
    CERT_MANAGER_CONTROLLER_ARGS,
    CERT_MANAGER_RESOURCES,
    CertManager,
    CertManagerArgs,
    certManagerChartValues,
    certManagerClusterIssuer,
    certManagerDnsPolicy,
    certManagerTrustPolicy,
    keepCustomResourceDefinitions,
    resolveCertManagerArgs,
} from "../../../../components/addons/cert-manager";
import {
    AcmeServer,
    ENVIRONMENTS,
    PLATFORM_NAMESPACES,
    PLATFORM_REGISTRIES,
    profileFor,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
} from "../../../../components/baseline";
import { ISSUER, PROVIDER_ARN } from "../../aws/fixtures";
import { certManagerArgs, zonesOf } from "./fixtures";

const TOKEN = "k8s-baseline:index:CertManager";
const CHART = "kubernetes:helm.sh/v4:Chart";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ROLE_ARN = (env: string) => `arn:aws:iam::${ACCOUNT}:role/shop-${env}-cert-manager`;
const PODS = ["controller", "webhook", "cainjector", "startupapicheck"] as const;
const LONG_RUNNING = ["controller", "webhook", "cainjector"] as const;

/** The values of one of the chart's pods: the controller's sit at the top level. */
function podValues(values: Record<string, any>, component: (typeof PODS)[number]): Record<string, any> {
    return component === "controller" ? values : values[component];
}

/** Builds a CertManager and returns what it registered for its chart and ClusterIssuer. */
async function build(args: CertManagerArgs, name = "cert-manager") {
    resetResources();
    const component = new CertManager(name, args);
    await settled();
    return {
        component,
        chart: named(CHART, `${name}-chart`).inputs,
        issuer: named(CLUSTER_ISSUER, `${name}-cluster-issuer`).inputs,
    };
}

describe("CertManager", () => {
    beforeEach(resetResources);

    it("installs the pinned cert-manager chart from its own repository, with its CRDs kept", async () => {
        const { chart } = await build(certManagerArgs());
        assert.equal(chart.chart, "cert-manager");
        assert.deepEqual(chart.repositoryOpts, { repo: "https://charts.jetstack.io" });
        assert.equal(chart.version, "v1.21.1");
        assert.equal(chart.version, CERT_MANAGER_CHART_VERSION);
        assert.equal(chart.name, "cert-manager");
        assert.equal(chart.namespace, PLATFORM_NAMESPACES.certManager);
        assert.deepEqual(chart.values.crds, { enabled: true, keep: true });
    });

    it("pins an exact version given with or without its leading v, and refuses ranges", async () => {
        const { chart, component } = await build(certManagerArgs({ chartVersion: "1.20.3" }));
        assert.equal(chart.version, "v1.20.3");
        assert.equal(await valueOf(component.chartVersion), "v1.20.3");
        for (const range of ["^1.21.0", "1.21", "~1.21.1", "latest", ">=1.0.0", "v1.21.x"]) {
            assert.throws(
                () => resolveCertManagerArgs("cm", certManagerArgs({ chartVersion: range })),
                /chartVersion: .* is not an exact chart version/,
                range,
            );
        }
    });

    it("runs every pod with the baseline's restricted security contexts, requests and limits", async () => {
        const { chart } = await build(certManagerArgs());
        for (const component of PODS) {
            const values = podValues(chart.values, component);
            assert.deepEqual(values.securityContext, RESTRICTED_POD_SECURITY_CONTEXT, component);
            assert.deepEqual(values.containerSecurityContext, RESTRICTED_CONTAINER_SECURITY_CONTEXT, component);
            assert.deepEqual(values.resources, CERT_MANAGER_RESOURCES[component], component);
            for (const kind of ["requests", "limits"] as const) {
                assert.ok(values.resources[kind].cpu && values.resources[kind].memory, `${component} ${kind}`);
            }
        }
    });

    it("pulls images from a platform registry and keeps cert-manager's rights out of kube-system", async () => {
        const { chart } = await build(certManagerArgs());
        const { values } = chart;
        assert.ok(PLATFORM_REGISTRIES.includes(`${values.imageRegistry}/${values.imageNamespace}/`));
        assert.equal(values.global.leaderElection.namespace, PLATFORM_NAMESPACES.certManager);
    });

    it("renders none of the chart's NetworkPolicies, which would reopen the namespace's default-deny", async () => {
        const { chart } = await build(certManagerArgs());
        for (const component of LONG_RUNNING) {
            assert.deepEqual(podValues(chart.values, component).networkPolicy, { enabled: false }, component);
        }
    });

    it("lets only the ClusterIssuer, never a namespaced Issuer, use the controller's AWS role", async () => {
        const { chart } = await build(certManagerArgs());
        assert.deepEqual(chart.values.extraArgs, [...CERT_MANAGER_CONTROLLER_ARGS]);
        assert.ok(chart.values.extraArgs.includes("--issuer-ambient-credentials=false"));
        assert.ok(chart.values.extraArgs.includes("--cluster-issuer-ambient-credentials=true"));
        // No other flag: the recursive-nameserver flags are for split-horizon zones this package does not use.
        assert.equal(chart.values.extraArgs.length, 2);
        assert.equal(chart.values.dns01RecursiveNameserversOnly, undefined);
    });

    it("does not enable the startupapicheck hook, which helm.v4.Chart would never run", async () => {
        const { chart } = await build(certManagerArgs());
        assert.equal(chart.values.startupapicheck.enabled, false);
    });

    for (const env of ENVIRONMENTS) {
        it(`takes replicas and disruption budgets from the ${env} profile`, async () => {
            const profile = profileFor(env);
            const { chart } = await build(certManagerArgs({ env }));
            for (const component of LONG_RUNNING) {
                const values = podValues(chart.values, component);
                assert.equal(values.replicaCount, profile.addonReplicas, component);
                assert.deepEqual(
                    values.podDisruptionBudget,
                    profile.podDisruptionBudget ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
                    component,
                );
            }
        });
    }

    it("has PDBs in stage and prod, with more than one replica, and none in dev", () => {
        const pdb = (env: "dev" | "stage" | "prod") =>
            certManagerChartValues(resolveCertManagerArgs("cm", certManagerArgs({ env }))) as Record<string, any>;
        assert.equal(pdb("dev").podDisruptionBudget.enabled, false);
        for (const env of ["stage", "prod"] as const) {
            assert.equal(pdb(env).podDisruptionBudget.enabled, true);
            assert.ok(pdb(env).replicaCount > 1);
        }
    });

    it("annotates the chart's ServiceAccount with the role that trusts exactly that ServiceAccount", async () => {
        const { chart, component } = await build(certManagerArgs({ env: "dev" }));
        const roleArn = await valueOf(component.roleArn);
        assert.equal(roleArn, ROLE_ARN("dev"));
        assert.deepEqual(chart.values.serviceAccount, {
            create: true,
            name: "cert-manager",
            annotations: { "eks.amazonaws.com/role-arn": roleArn },
        });
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
                        [`${ISSUER}:sub`]: "system:serviceaccount:cert-manager:cert-manager",
                        [`${ISSUER}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ]);
    });

    it("names the ServiceAccount and namespace in the chart as the trust policy names them", async () => {
        const { chart } = await build(
            certManagerArgs({ env: "stage", namespace: "certificates", serviceAccountName: "issuer-controller" }),
        );
        assert.equal(chart.namespace, "certificates");
        assert.equal(chart.values.serviceAccount.name, "issuer-controller");
        assert.equal(chart.values.global.leaderElection.namespace, "certificates");
        const trust = JSON.parse(named(ROLE, "cert-manager-role").inputs.assumeRolePolicy);
        assert.equal(
            trust.Statement[0].Condition.StringEquals[`${ISSUER}:sub`],
            "system:serviceaccount:certificates:issuer-controller",
        );
    });

    it("allows the role only the DNS-01 policy of the env's own zones", async () => {
        await build(certManagerArgs({ env: "stage" }));
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

    it("uses EKS Pod Identity when asked: an association, no annotation, service trust scoped to the cluster", async () => {
        const { chart } = await build(
            certManagerArgs({
                identityMode: "pod-identity",
                oidcIssuer: undefined,
                oidcProviderArn: undefined,
                clusterName: "shop-prod",
            }),
        );
        assert.deepEqual(chart.values.serviceAccount.annotations, {});
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
        await build(certManagerArgs());
        assert.equal(ofType(ASSOCIATION).length, 0);
    });

    for (const [env, server] of [
        ["dev", AcmeServer.LetsEncryptStaging],
        ["stage", AcmeServer.LetsEncryptStaging],
        ["prod", AcmeServer.LetsEncryptProduction],
    ] as const) {
        it(`issues in ${env} from ${server === AcmeServer.LetsEncryptProduction ? "production" : "staging"} Let's Encrypt`, async () => {
            const { issuer } = await build(certManagerArgs({ env }));
            assert.equal(issuer.spec.acme.server, server);
            assert.equal(issuer.spec.acme.server, profileFor(env).acmeServer);
        });
    }

    it("solves challenges by DNS-01 through Route 53 only, for the env's domains only", async () => {
        const { issuer, component } = await build(certManagerArgs({ env: "dev" }));
        assert.equal(issuer.apiVersion, "cert-manager.io/v1");
        assert.equal(issuer.kind, "ClusterIssuer");
        assert.equal(issuer.metadata.name, "shop-dev-acme");
        assert.equal(await valueOf(component.clusterIssuerName), "shop-dev-acme");
        const acme = issuer.spec.acme;
        assert.equal(acme.email, "platform@shop.example.org");
        assert.deepEqual(acme.privateKeySecretRef, { name: "shop-dev-acme-account-key" });
        assert.deepEqual(acme.solvers, [
            { selector: { dnsZones: ["dev.example.com", "dev.example.org"] }, dns01: { route53: { region: REGION } } },
        ]);
        // Ambient credentials: no access key, no Secret, no role to chain into.
        assert.deepEqual(Object.keys(acme.solvers[0].dns01.route53), ["region"]);
    });

    it("builds the chart values and the ClusterIssuer as data, exactly as it registers them", async () => {
        const args = certManagerArgs({ env: "stage" });
        const resolved = resolveCertManagerArgs("cert-manager", args);
        const { chart, issuer } = await build(args);
        assert.deepEqual(chart.values, JSON.parse(JSON.stringify(certManagerChartValues(resolved))));
        assert.deepEqual(issuer, JSON.parse(JSON.stringify(certManagerClusterIssuer(resolved))));
    });

    it("reports its outputs", async () => {
        const { component } = await build(certManagerArgs({ env: "stage", namespace: "certificates" }));
        assert.equal(await valueOf(component.clusterIssuerName), "shop-stage-acme");
        assert.equal(await valueOf(component.roleArn), ROLE_ARN("stage"));
        assert.equal(await valueOf(component.namespace), "certificates");
        assert.equal(await valueOf(component.chartVersion), CERT_MANAGER_CHART_VERSION);
    });

    it("installs nothing when the AWS provider creates the role in another account than accountId", async () => {
        // The provider's credentials are for ACCOUNT; the chart would be told the role lives in another.
        mockProviderAccount(ACCOUNT);
        const other = certManagerArgs({
            identityMode: "pod-identity",
            accountId: "210987654321",
            oidcIssuer: undefined,
            oidcProviderArn: undefined,
            clusterName: "shop-prod",
        });
        try {
            const component = new CertManager("cert-manager", other);
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
        await build(
            certManagerArgs({
                identityMode: "pod-identity",
                oidcIssuer: undefined,
                oidcProviderArn: undefined,
                clusterName: "shop-prod",
            }),
        );
        const children = resources().filter((r) => r.type !== TOKEN);
        assert.deepEqual(
            children.map((r) => r.type).sort(),
            [ASSOCIATION, ROLE, ROLE_POLICY, CHART, CLUSTER_ISSUER].sort(),
        );
        for (const child of children) assert.equal(child.parentType, TOKEN, child.name);
    });

    it("keeps the chart's CRDs when the chart is deleted, and leaves every other object alone", () => {
        const opts = { parent: undefined };
        const crd = keepCustomResourceDefinitions({
            custom: true,
            type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
            name: "certificates.cert-manager.io",
            props: { metadata: { name: "certificates.cert-manager.io" } },
            opts,
        });
        assert.equal(crd?.opts.retainOnDelete, true);
        assert.deepEqual(crd?.props, { metadata: { name: "certificates.cert-manager.io" } });
        const deployment = keepCustomResourceDefinitions({
            custom: true,
            type: "kubernetes:apps/v1:Deployment",
            name: "cert-manager",
            props: {},
            opts,
        });
        assert.equal(deployment, undefined);
    });

    it("checks an issuer that is only known after construction when it resolves", async () => {
        const args = certManagerArgs({ oidcIssuer: pulumi.output("https://" + ISSUER) });
        const resolved = resolveCertManagerArgs("cert-manager", args);
        await assert.rejects(
            settle(certManagerTrustPolicy("cert-manager", resolved, args)),
            /CertManager "cert-manager": invalid arguments:\n {2}- oidcIssuer: "https:\/\/oidc.* includes a scheme; fix:/,
        );
    });

    describe("rejects bad input before registering anything", () => {
        const zone = (zoneId: string, domain: string) => [{ zoneId, domain }];
        const cases: [string, Partial<CertManagerArgs>, RegExp][] = [
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
                "a ServiceAccount that is not DNS-1123",
                { serviceAccountName: "Cert.Manager" },
                /serviceAccountName: "Cert.Manager" is not a DNS-1123 label/,
            ],
            [
                "a chart version range",
                { chartVersion: "^1.21" },
                /chartVersion: "\^1.21" is not an exact chart version; fix: pin one release/,
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
                const args = certManagerArgs(overrides);
                assert.throws(
                    () => new CertManager("cert-manager", args),
                    (e: Error) => {
                        assert.match(e.message, /^CertManager "cert-manager": invalid arguments:/);
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
                    new CertManager(
                        "cert-manager",
                        certManagerArgs({ region: "europe", acmeEmail: "x", hostedZones: [] }),
                    ),
                (e: Error & { problems?: string[] }) => {
                    assert.equal(e.problems?.length, 3);
                    return true;
                },
            );
        });
    });
});
