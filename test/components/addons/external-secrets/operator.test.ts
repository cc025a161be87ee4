import * as assert from "node:assert/strict";
import { installMocks, named, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    EXTERNAL_SECRETS_CHART_VERSION,
    EXTERNAL_SECRETS_RESOURCES,
    EXTERNAL_SECRETS_SERVICE_ACCOUNT,
    ExternalSecretsOperator,
    ExternalSecretsOperatorArgs,
    externalSecretsChartValues,
    resolveExternalSecretsOperatorArgs,
} from "../../../../components/addons/external-secrets";
import {
    Environment,
    ENVIRONMENTS,
    PROFILES,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
} from "../../../../components/baseline";

const CHART = "kubernetes:helm.sh/v4:Chart";
const DEPLOYMENTS = ["controller", "webhook", "certController"] as const;

/** The chart values of `env`, as untyped JSON. */
function valuesOf(env: Environment): Record<string, any> {
    return externalSecretsChartValues(env);
}

/** The values of one of the chart's three Deployments: the controller's are at the top level. */
function deployment(values: Record<string, any>, which: (typeof DEPLOYMENTS)[number]): Record<string, any> {
    return which === "controller" ? values : values[which];
}

/** Every `tag` value anywhere in the values, with its path. */
function tags(value: unknown, path = ""): [string, unknown][] {
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
        ...(key === "tag" ? [[`${path}.${key}`, child] as [string, unknown]] : []),
        ...tags(child, `${path}.${key}`),
    ]);
}

describe("ExternalSecretsOperator", () => {
    beforeEach(resetResources);

    it("installs the pinned chart from the project's repository into the platform namespace", async () => {
        const operator = new ExternalSecretsOperator("eso", { env: "prod" });
        assert.equal(await valueOf(operator.namespace), "external-secrets");
        assert.equal(await valueOf(operator.chartVersion), "2.9.0");
        await settled();
        const chart = named(CHART, "eso-chart").inputs;
        assert.equal(chart.chart, "external-secrets");
        assert.equal(chart.version, "2.9.0");
        assert.equal(EXTERNAL_SECRETS_CHART_VERSION, "2.9.0");
        assert.deepEqual(chart.repositoryOpts, { repo: "https://charts.external-secrets.io" });
        assert.equal(chart.namespace, "external-secrets");
        assert.equal(chart.name, "external-secrets");
        assert.equal(chart.values.installCRDs, true);
        assert.deepEqual(chart.values.crds, { unsafeServeV1Beta1: false });
        assert.deepEqual(chart.values.serviceMonitor, { enabled: false });
    });

    it("reconciles namespaced stores only, and grants no token requests for ServiceAccounts at large", async () => {
        new ExternalSecretsOperator("eso", { env: "prod" });
        await settled();
        const values = named(CHART, "eso-chart").inputs.values;
        for (const kind of [
            "ClusterStore",
            "ClusterExternalSecret",
            "ClusterPushSecret",
            "PushSecret",
            "ClusterGenerator",
        ]) {
            assert.equal(values[`process${kind}`], false, kind);
        }
        // Namespaced SecretStores and ExternalSecrets are what AppExternalSecrets creates: left on.
        assert.equal(values.processSecretStore, undefined);
        assert.deepEqual(values.rbac, { serviceAccountTokenCreate: false });
        assert.deepEqual(values.serviceAccount, { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT });
        assert.equal(EXTERNAL_SECRETS_SERVICE_ACCOUNT, "external-secrets");
    });

    it("installs into another namespace and chart version when given", async () => {
        const operator = new ExternalSecretsOperator("eso", { env: "dev", namespace: "eso", chartVersion: "2.8.0" });
        assert.equal(await valueOf(operator.namespace), "eso");
        assert.equal(await valueOf(operator.chartVersion), "2.8.0");
        await settled();
        const chart = named(CHART, "eso-chart").inputs;
        assert.equal(chart.namespace, "eso");
        assert.equal(chart.version, "2.8.0");
    });

    it("runs the controller, webhook and cert controller with the restricted securityContext", async () => {
        new ExternalSecretsOperator("eso", { env: "prod" });
        await settled();
        const values = named(CHART, "eso-chart").inputs.values;
        for (const which of DEPLOYMENTS) {
            const d = deployment(values, which);
            assert.deepEqual(d.podSecurityContext, { enabled: true, ...RESTRICTED_POD_SECURITY_CONTEXT }, which);
            assert.deepEqual(d.securityContext, { enabled: true, ...RESTRICTED_CONTAINER_SECURITY_CONTEXT }, which);
            assert.equal(d.securityContext.allowPrivilegeEscalation, false, which);
            assert.equal(d.securityContext.readOnlyRootFilesystem, true, which);
            assert.deepEqual(d.securityContext.capabilities, { drop: ["ALL"] }, which);
            assert.deepEqual(d.podSecurityContext.seccompProfile, { type: "RuntimeDefault" }, which);
        }
    });

    it("renders none of the chart's NetworkPolicies, which would widen the namespace's default-deny", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            for (const which of DEPLOYMENTS) {
                assert.deepEqual(deployment(valuesOf(env), which).networkPolicy, { enabled: false }, `${env} ${which}`);
            }
        }
    });

    it("gives every Deployment requests and limits for CPU and memory", () => {
        const values = valuesOf("prod");
        for (const which of DEPLOYMENTS) {
            const r = deployment(values, which).resources;
            assert.deepEqual(r, EXTERNAL_SECRETS_RESOURCES[which], which);
            for (const bound of ["requests", "limits"] as const) {
                assert.match(r[bound].cpu, /^\d+m?$/, `${which} ${bound}.cpu`);
                assert.match(r[bound].memory, /^\d+(Mi|Gi)$/, `${which} ${bound}.memory`);
            }
        }
    });

    it("takes replicas and PodDisruptionBudgets from each environment's profile", () => {
        for (const env of ENVIRONMENTS) {
            const profile = PROFILES[env];
            const values = valuesOf(env);
            for (const which of DEPLOYMENTS) {
                const d = deployment(values, which);
                assert.equal(d.replicaCount, profile.addonReplicas, `${env} ${which}`);
                assert.deepEqual(d.podDisruptionBudget, { enabled: profile.podDisruptionBudget, minAvailable: 1 });
            }
            // Several replicas elect a leader instead of reconciling the same objects together.
            assert.equal(values.leaderElect, true, env);
        }
        assert.equal(valuesOf("dev").replicaCount, 1);
        assert.equal(valuesOf("dev").podDisruptionBudget.enabled, false);
        assert.equal(valuesOf("prod").replicaCount, 3);
        assert.equal(valuesOf("prod").webhook.podDisruptionBudget.enabled, true);
        assert.equal(valuesOf("stage").certController.replicaCount, 2);
    });

    it("spreads replicas over nodes when there are several, and leaves a single replica alone", () => {
        assert.equal(valuesOf("dev").topologySpreadConstraints, undefined);
        for (const which of DEPLOYMENTS) {
            assert.deepEqual(deployment(valuesOf("prod"), which).topologySpreadConstraints, [
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
            ]);
        }
    });

    it("leaves image tags to the chart, which pins its app version: nothing says latest", () => {
        for (const env of ENVIRONMENTS) {
            const values = valuesOf(env);
            assert.deepEqual(
                tags(values).filter(([, tag]) => tag === "latest"),
                [],
            );
            for (const which of DEPLOYMENTS) assert.equal(deployment(values, which).image, undefined, which);
        }
        // The walk does find a tag wherever it is.
        assert.deepEqual(tags({ webhook: { image: { tag: "latest" } } }), [[".webhook.image.tag", "latest"]]);
    });

    it("builds values that share nothing with the baseline constants", () => {
        valuesOf("prod").webhook.securityContext.capabilities.drop.push("NET_RAW");
        assert.deepEqual(RESTRICTED_CONTAINER_SECURITY_CONTEXT.capabilities.drop, ["ALL"]);
        assert.deepEqual(valuesOf("prod").webhook.securityContext.capabilities.drop, ["ALL"]);
    });

    it("parents the chart to the component", async () => {
        new ExternalSecretsOperator("eso", { env: "stage" });
        await settled();
        const children = resources().filter((r) => r.type !== "k8s-baseline:index:ExternalSecretsOperator");
        assert.deepEqual(
            children.map((c) => c.type),
            [CHART],
        );
        assert.equal(children[0].parentType, "k8s-baseline:index:ExternalSecretsOperator");
    });

    it("defaults the namespace and the pinned chart version", () => {
        assert.deepEqual(resolveExternalSecretsOperatorArgs("eso", { env: "dev" }), {
            env: "dev",
            namespace: "external-secrets",
            chartVersion: "2.9.0",
        });
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<ExternalSecretsOperatorArgs>, RegExp][] = [
            ["an unknown env", { env: "production" as never }, /env: "production" is not a known environment/],
            [
                "a namespace that is not DNS-1123",
                { namespace: "External_Secrets" },
                /namespace: "External_Secrets" is not a DNS-1123 label/,
            ],
            [
                "a namespace of another env",
                { namespace: "eso-dev" },
                /namespace: "eso-dev" names environment dev from the prod environment/,
            ],
            [
                "a version range",
                { chartVersion: "^2.9.0" },
                /chartVersion: "\^2\.9\.0" is not an exact chart version; fix: give an exact version such as "2\.9\.0"/,
            ],
            ["a wildcard version", { chartVersion: "2.x" }, /chartVersion: "2\.x" is not an exact chart version/],
            [
                "a v-prefixed version",
                { chartVersion: "v2.9.0" },
                /chartVersion: "v2\.9\.0" is not an exact chart version/,
            ],
            ["latest", { chartVersion: "latest" }, /chartVersion: "latest" is not an exact chart version/],
            [
                "a version of another major",
                { chartVersion: "0.20.4" },
                /chartVersion: 0\.20\.4 is not a 2\.x release; fix: give a 2\.x version/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                const args: ExternalSecretsOperatorArgs = { env: "prod", ...overrides };
                assert.throws(
                    () => new ExternalSecretsOperator("eso", args),
                    (e: Error) => {
                        assert.match(e.message, /^ExternalSecretsOperator "eso": invalid arguments:/);
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
