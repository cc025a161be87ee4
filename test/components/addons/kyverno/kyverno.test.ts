import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    KYVERNO_CHART_VERSION,
    Kyverno,
    KyvernoArgs,
    kyvernoValues,
    resolveKyvernoArgs,
} from "../../../../components/addons/kyverno";
import {
    ENVIRONMENTS,
    imageFromRegistry,
    PLATFORM_NAMESPACES,
    PLATFORM_REGISTRIES,
    profileFor,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
} from "../../../../components/baseline";

const CHART = "kubernetes:helm.sh/v4:Chart";

/** Every container the chart runs, by the values key of its securityContext (chart 3.9.0 values.yaml). */
const CHART_CONTAINERS = [
    "admissionController.initContainer",
    "admissionController.container",
    "backgroundController",
    "cleanupController",
    "reportsController",
    "crds.migration",
    "webhooksCleanup",
    "test",
];
/** Every pod the chart runs that takes a pod securityContext. */
const CHART_PODS = [
    "admissionController",
    "backgroundController",
    "cleanupController",
    "reportsController",
    "crds.migration",
    "webhooksCleanup",
];
/** Every image of the chart. */
const CHART_IMAGES = [
    "admissionController.initContainer.image",
    "admissionController.container.image",
    "backgroundController.image",
    "cleanupController.image",
    "reportsController.image",
    "crds.migration.image",
    "webhooksCleanup.image",
    "test.image",
];

function at(values: any, path: string): any {
    return path.split(".").reduce((node, key) => node?.[key], values);
}

/** Every path under `values` whose last key is `key`. */
function pathsOf(values: any, key: string, prefix = ""): string[] {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
    return Object.entries(values).flatMap(([k, v]) => {
        const path = prefix ? `${prefix}.${k}` : k;
        return [...(k === key ? [prefix] : []), ...pathsOf(v, key, path)];
    });
}

function valuesFor(env: KyvernoArgs["env"]): any {
    return kyvernoValues(resolveKyvernoArgs("kyverno", { env }));
}

async function install(args: KyvernoArgs): Promise<Record<string, any>> {
    new Kyverno("kyverno", args);
    await settled();
    const charts = ofType(CHART);
    assert.equal(charts.length, 1);
    return charts[0].inputs;
}

describe("Kyverno", () => {
    beforeEach(resetResources);

    it("installs the kyverno chart pinned to the release that ships Kyverno v1.19.0", async () => {
        const kyverno = new Kyverno("kyverno", { env: "prod" });
        assert.equal(await valueOf(kyverno.chartVersion), "3.9.0");
        assert.equal(await valueOf(kyverno.namespace), PLATFORM_NAMESPACES.kyverno);
        await settled();
        const chart = ofType(CHART)[0].inputs;
        assert.equal(chart.chart, "kyverno");
        assert.equal(chart.version, "3.9.0");
        assert.deepEqual(chart.repositoryOpts, { repo: "https://kyverno.github.io/kyverno/" });
        assert.equal(chart.namespace, "kyverno");
        assert.equal(chart.name, "kyverno");
    });

    it("pins every image to v1.19.0 on an approved platform registry", async () => {
        const values = (await install({ env: "dev" })).values;
        for (const path of CHART_IMAGES) {
            const image = at(values, path);
            assert.equal(image.tag, "v1.19.0", path);
            assert.ok(
                imageFromRegistry(`${image.registry}/${image.repository}:${image.tag}`, PLATFORM_REGISTRIES),
                path,
            );
        }
        assert.deepEqual(pathsOf(values, "tag").sort(), CHART_IMAGES.sort());
        assert.ok(!JSON.stringify(values).includes("latest"));
    });

    it("installs into the namespace given", async () => {
        const chart = await install({ env: "stage", namespace: "policy-engine" });
        assert.equal(chart.namespace, "policy-engine");
        assert.equal(chart.values.features.policyExceptions.namespace, "policy-engine");
        const excluded = chart.values.config.webhooks.namespaceSelector.matchExpressions[0].values;
        assert.ok(excluded.includes("policy-engine") && !excluded.includes("kyverno"));
    });

    describe("replicas and disruption budgets follow the profile", () => {
        for (const env of ENVIRONMENTS) {
            it(env, () => {
                const profile = profileFor(env);
                const values = valuesFor(env);
                assert.equal(values.admissionController.replicas, profile.addonReplicas);
                for (const controller of ["backgroundController", "cleanupController", "reportsController"]) {
                    assert.equal(values[controller].replicas, Math.min(profile.addonReplicas, 2), controller);
                }
                for (const controller of [
                    "admissionController",
                    "backgroundController",
                    "cleanupController",
                    "reportsController",
                ]) {
                    const pdb = values[controller].podDisruptionBudget;
                    assert.equal(pdb.enabled, profile.podDisruptionBudget, controller);
                    if (pdb.enabled) {
                        // One pod at a time: never all of them.
                        assert.equal(pdb.minAvailable, values[controller].replicas - 1, controller);
                        assert.ok(pdb.minAvailable >= 1);
                    }
                }
            });
        }

        it("prod runs three admission controllers with a budget", () => {
            const values = valuesFor("prod");
            assert.equal(values.admissionController.replicas, 3);
            assert.deepEqual(values.admissionController.podDisruptionBudget, {
                enabled: true,
                minAvailable: 2,
                unhealthyPodEvictionPolicy: "AlwaysAllow",
            });
        });

        it("dev runs one of each and no budget", () => {
            const values = valuesFor("dev");
            assert.equal(values.admissionController.replicas, 1);
            assert.equal(values.reportsController.replicas, 1);
            assert.deepEqual(values.admissionController.podDisruptionBudget, { enabled: false });
        });
    });

    it("runs every container with the baseline's restricted securityContext and requests and limits", () => {
        const values = valuesFor("prod");
        assert.deepEqual(pathsOf(values, "securityContext").sort(), [...CHART_CONTAINERS].sort());
        for (const path of CHART_CONTAINERS) {
            const container = at(values, path);
            assert.deepEqual(container.securityContext, RESTRICTED_CONTAINER_SECURITY_CONTEXT, path);
            const resources = container.resources ?? container.podResources;
            for (const kind of ["requests", "limits"]) {
                assert.ok(resources[kind].cpu && resources[kind].memory, `${path} ${kind}`);
            }
        }
        assert.deepEqual(pathsOf(values, "podSecurityContext").sort(), [...CHART_PODS].sort());
        for (const path of CHART_PODS) {
            assert.deepEqual(at(values, path).podSecurityContext, RESTRICTED_POD_SECURITY_CONTEXT, path);
        }
    });

    it("renders none of the controllers' NetworkPolicies, which would widen the namespace's default-deny", () => {
        const values = valuesFor("prod");
        const controllers = ["admissionController", "backgroundController", "cleanupController", "reportsController"];
        assert.deepEqual(pathsOf(values, "networkPolicy").sort(), controllers);
        for (const path of controllers) assert.deepEqual(at(values, path).networkPolicy, { enabled: false }, path);
    });

    it("keeps the webhooks failing closed and accepts exceptions in its own namespace only", () => {
        const values = valuesFor("prod");
        assert.deepEqual(values.features.forceFailurePolicyIgnore, { enabled: false });
        assert.deepEqual(values.features.policyExceptions, { enabled: true, namespace: "kyverno" });
    });

    it("leaves only kube-system and the platform's namespaces out of admission", () => {
        const values = valuesFor("stage");
        assert.deepEqual(values.config.webhooks.namespaceSelector, {
            matchExpressions: [
                {
                    key: "kubernetes.io/metadata.name",
                    operator: "NotIn",
                    values: ["kube-system", ...Object.values(PLATFORM_NAMESPACES)],
                },
            ],
        });
        assert.equal(values.config.excludeKyvernoNamespace, true);
        // The chart's default resourceFilters skip kube-public and kube-node-lease too: taken out, so the
        // engine judges them as the webhooks now send them.
        assert.deepEqual(values.config.resourceFiltersExclude, ["[*/*,kube-public,*]", "[*/*,kube-node-lease,*]"]);
        assert.deepEqual(values.config.resourceFiltersIncludeNamespaces, ["external-secrets", "cert-manager"]);
    });

    it("aggregates no write on Kyverno's policies into admin, and lets the cleanup controller end exceptions", () => {
        const values = valuesFor("prod");
        assert.deepEqual(values.rbac.roles.aggregate, { admin: false, view: true });
        const rules = values.cleanupController.rbac.clusterRole.extraResources;
        for (const group of ["kyverno.io", "policies.kyverno.io"]) {
            assert.ok(
                rules.some(
                    (r: any) =>
                        r.apiGroups.includes(group) &&
                        r.resources.includes("policyexceptions") &&
                        ["delete", "list", "watch"].every((v) => r.verbs.includes(v)),
                ),
                group,
            );
        }
    });

    it("parents the chart to the component", async () => {
        new Kyverno("kyverno", { env: "prod" });
        await settled();
        const children = resources().filter((r) => r.type !== "k8s-baseline:index:Kyverno");
        assert.equal(children.length, 1);
        assert.equal(children[0].parentType, "k8s-baseline:index:Kyverno");
    });

    it("accepts the pinned chart version given explicitly", async () => {
        const chart = await install({ env: "prod", chartVersion: KYVERNO_CHART_VERSION });
        assert.equal(chart.version, KYVERNO_CHART_VERSION);
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<KyvernoArgs>, RegExp][] = [
            ["an unknown env", { env: "qa" as never }, /env: "qa" is not a known environment/],
            [
                "a version range",
                { chartVersion: "^3.9.0" },
                /chartVersion: "\^3.9.0" is not an exact chart version; fix: give one release/,
            ],
            [
                "a v-prefixed version",
                { chartVersion: "v3.9.0" },
                /chartVersion: "v3.9.0" is not an exact chart version/,
            ],
            ["latest", { chartVersion: "latest" }, /chartVersion: "latest" is not an exact chart version/],
            [
                "a release whose Kyverno version is unknown",
                { chartVersion: "3.10.0" },
                /chartVersion: 3.10.0 is not a chart release whose Kyverno version is known.*; fix: use one of 3.9.0/,
            ],
            [
                "kube-system",
                { namespace: "kube-system" },
                /namespace: kube-system is a namespace of the cluster itself/,
            ],
            [
                "a namespace that is not DNS-1123",
                { namespace: "Kyverno" },
                /namespace: "Kyverno" is not a DNS-1123 label/,
            ],
            [
                "an exception namespace that is not DNS-1123",
                { policyExceptionNamespace: "exceptions_ns" },
                /policyExceptionNamespace: "exceptions_ns" is not a DNS-1123 label/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new Kyverno("kyverno", { env: "prod", ...overrides }),
                    (e: Error) => {
                        assert.match(e.message, /^Kyverno "kyverno": invalid arguments:/);
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
