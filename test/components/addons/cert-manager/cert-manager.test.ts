import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    CERT_MANAGER_CHART_VERSION,
    CERT_MANAGER_RESOURCES,
    CertManager,
    CertManagerArgs,
    certManagerChartValues,
    certManagerControllerArgs,
    keepCustomResourceDefinitions,
    resolveCertManagerArgs,
} from "../../../../components/addons/cert-manager";
import {
    ENVIRONMENTS,
    PLATFORM_NAMESPACES,
    PLATFORM_REGISTRIES,
    profileFor,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
} from "../../../../components/baseline";
import { certManagerArgs } from "./fixtures";

const TOKEN = "k8s-baseline:index:CertManager";
const CHART = "kubernetes:helm.sh/v4:Chart";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const PODS = ["controller", "webhook", "cainjector", "startupapicheck"] as const;
const LONG_RUNNING = ["controller", "webhook", "cainjector"] as const;

/** The values of one of the chart's pods: the controller's sit at the top level. */
function podValues(values: Record<string, any>, component: (typeof PODS)[number]): Record<string, any> {
    return component === "controller" ? values : values[component];
}

/** Builds a CertManager and returns what it registered for its chart. */
async function build(args: CertManagerArgs, name = "cert-manager") {
    resetResources();
    const component = new CertManager(name, args);
    await settled();
    return { component, chart: named(CHART, `${name}-chart`).inputs };
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

    it("lets ClusterIssuers use the controller's ambient credentials only with Pod Identity, never namespaced Issuers", async () => {
        for (const [mode, ambient] of [
            ["irsa", "false"],
            ["pod-identity", "true"],
        ] as const) {
            const { chart } = await build(certManagerArgs({ identityMode: mode }));
            assert.deepEqual(chart.values.extraArgs, certManagerControllerArgs(mode));
            assert.deepEqual(chart.values.extraArgs, [
                "--issuer-ambient-credentials=false",
                `--cluster-issuer-ambient-credentials=${ambient}`,
            ]);
            // No other flag: the recursive-nameserver flags are for split-horizon zones this package does not use.
            assert.equal(chart.values.dns01RecursiveNameserversOnly, undefined);
        }
    });

    it("gives the controller's ServiceAccount no AWS role of its own", async () => {
        for (const identityMode of ["irsa", "pod-identity"] as const) {
            const { chart } = await build(certManagerArgs({ identityMode, serviceAccountName: "issuer-controller" }));
            assert.deepEqual(chart.values.serviceAccount, { create: true, name: "issuer-controller", annotations: {} });
        }
        assert.equal(ofType("aws:iam/role:Role").length, 0);
        assert.equal(ofType(CLUSTER_ISSUER).length, 0);
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

    it("installs the chart in the namespace given, and reports its outputs", async () => {
        const { chart, component } = await build(certManagerArgs({ env: "stage", namespace: "certificates" }));
        assert.equal(chart.namespace, "certificates");
        assert.equal(chart.values.global.leaderElection.namespace, "certificates");
        assert.equal(await valueOf(component.namespace), "certificates");
        assert.equal(await valueOf(component.serviceAccountName), "cert-manager");
        assert.equal(await valueOf(component.chartVersion), CERT_MANAGER_CHART_VERSION);
    });

    it("builds the chart values as data, exactly as it registers them, and parents the chart to the component", async () => {
        const args = certManagerArgs({ env: "stage" });
        const { chart } = await build(args);
        assert.deepEqual(
            chart.values,
            JSON.parse(JSON.stringify(certManagerChartValues(resolveCertManagerArgs("cm", args)))),
        );
        const children = resources().filter((r) => r.type !== TOKEN);
        assert.deepEqual(
            children.map((r) => r.type),
            [CHART],
        );
        assert.equal(children[0].parentType, TOKEN);
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

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<CertManagerArgs>, RegExp][] = [
            ["an unknown env", { env: "production" as never }, /env: "production" is not a known environment/],
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
            [
                "an unknown identity mode",
                { identityMode: "kiam" as never },
                /identityMode: "kiam" is not an identity mode; fix: use one of irsa, pod-identity/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new CertManager("cert-manager", certManagerArgs(overrides)),
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
    });
});
