/**
 * The pack knows the cluster topology: on a cluster several envs share, an env stack's namespaces, trust
 * subjects, cluster-scoped objects, ClusterIssuer references and NetworkPolicy peers that could meet
 * another env's are violations, one test per kind of collision, with the good form beside each; and the
 * same objects on a dedicated cluster are left alone.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import {
    dedicatedTopology,
    Environment,
    environmentNamespace,
    environmentNamespacePattern,
    environmentScopedName,
    isEnvironmentScopedName,
    NamespaceLayout,
    namespaceEnvironment,
} from "../../../../components/baseline";
import { certManagerClusterIssuerName } from "../../../../components/addons/cert-manager/cluster-issuer";
import { irsaTrustPolicy, podIdentityTrustPolicy } from "../../../../components/aws/iam";
import { main } from "../../../../policy-pack/cli";
import {
    crossEnvClusterObjects,
    crossEnvNamespaces,
    crossEnvNetworkPeers,
    crossEnvPolicies,
    crossEnvProdShared,
    crossEnvReferences,
    crossEnvTopology,
    crossEnvTrustSubjects,
    selectsOnlyEnvironment,
} from "../../../../policy-pack/policies/cross-env";
import { globPattern, namePattern, patternsOverlap } from "../../../../policy-pack/policies/cross-env/globs";
import { topologyOf, UNKNOWN } from "../../../../policy-pack/policies/resource";
import { Policy, PolicyResource, PolicySettings } from "../../../../policy-pack/policies/types";
import { SETTINGS_CONFIG_SCHEMA, settingsFrom, TopologyConfig } from "../../../../policy-pack/settings";
import { mandatory, resource, run, unknowns, violations } from "../kubernetes/check";
import { ACCOUNT, ISSUER, PROVIDER_ARN, REGION } from "../aws/fixtures";

const SHARED: TopologyConfig = { layout: "shared", namespaceLayout: "per-app", environments: ["dev", "stage"] };
const PER_ENV: TopologyConfig = { ...SHARED, namespaceLayout: "per-env" };

/** The settings of a dev stack on a cluster laid out as `topology` (none: a cluster of its own). */
function dev(topology?: TopologyConfig, env: Environment = "dev"): PolicySettings {
    return settingsFrom(topology ? { env, topology } : { env });
}

const found = (policy: Policy, resources: PolicyResource | PolicyResource[], settings: PolicySettings) =>
    violations(run(policy, resources, settings));

const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/shop`;
const ROLE = "aws:iam/role:Role";

function namespace(name: string, labels: Record<string, unknown> = { env: "dev" }): PolicyResource {
    return resource("kubernetes:core/v1:Namespace", { metadata: { name, labels } });
}

function deployment(ns: string | undefined): PolicyResource {
    return resource("kubernetes:apps/v1:Deployment", {
        metadata: { name: "api", ...(ns === undefined ? {} : { namespace: ns }) },
        spec: { template: { spec: { containers: [{ name: "api", image: "registry.example/api:1" }] } } },
    });
}

function role(document: unknown, name = "shop-dev-payments"): PolicyResource {
    return resource(ROLE, { name, assumeRolePolicy: JSON.stringify(document) });
}

/** An IRSA trust whose only :sub condition is `value` under `operator`, keyed `key`. */
function irsa(value: string, operator = "StringEquals", key = `${ISSUER}:sub`): unknown {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: PROVIDER_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" },
                    [operator]: {
                        ...(operator === "StringEquals" ? { [`${ISSUER}:aud`]: "sts.amazonaws.com" } : {}),
                        [key]: value,
                    },
                },
            },
        ],
    };
}

describe("topology facts the pack reads", () => {
    const shared = topologyOf(dev(SHARED), "dev");

    it("an env-scoped name carries the env as a word, on a shared cluster only", () => {
        assert.ok(isEnvironmentScopedName(environmentScopedName("reader", "dev", shared), "dev", shared));
        assert.ok(isEnvironmentScopedName(certManagerClusterIssuerName("shop", "dev"), "dev", shared));
        assert.ok(!isEnvironmentScopedName("reader", "dev", shared));
        assert.ok(!isEnvironmentScopedName("reader-stage", "dev", shared));
        assert.ok(!isEnvironmentScopedName("devtools-reader", "dev", shared));
        assert.ok(isEnvironmentScopedName("reader", "dev", dedicatedTopology("dev")));
    });

    it("an env's namespaces as a pattern are the inverse of namespaceEnvironment", () => {
        assert.equal(environmentNamespacePattern("stage", NamespaceLayout.PerApp), "*-stage");
        assert.equal(environmentNamespacePattern("stage", NamespaceLayout.PerEnv), "stage");
        for (const layout of [NamespaceLayout.PerApp, NamespaceLayout.PerEnv]) {
            const pattern = namePattern(environmentNamespacePattern("stage", layout));
            for (const ns of ["payments-stage", "stage", "payments-dev", "dev", "stage-payments", "-stage"]) {
                const owned = namespaceEnvironment(ns, layout) === "stage";
                assert.equal(patternsOverlap(globPattern(ns), pattern), owned, `${layout} ${ns}`);
            }
        }
    });
});

describe("topology settings", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile({
        type: "object",
        properties: SETTINGS_CONFIG_SCHEMA.properties,
    });

    it("are read once into the settings; absent, the judged env has a cluster of its own", () => {
        const shared = dev(SHARED);
        assert.deepEqual(shared.topology, {
            layout: "shared",
            namespaceLayout: "per-app",
            environments: ["dev", "stage"],
            allowProdWithLowerEnvironments: false,
        });
        assert.ok(Object.isFrozen(shared.topology));
        assert.equal(dev().topology, undefined);
        assert.deepEqual(topologyOf(dev(), "dev"), dedicatedTopology("dev"));
        assert.equal(topologyOf(shared, "dev"), shared.topology);
        assert.equal(dev({ layout: "shared", environments: ["dev"] }).topology?.namespaceLayout, "per-app");
    });

    it("are validated by the schema the pack and check share", () => {
        assert.ok(validate({ topology: SHARED }));
        assert.ok(validate({ topology: { layout: "dedicated", environments: ["prod"] } }));
        for (const bad of [
            { layout: "mixed", environments: ["dev"] },
            { layout: "shared", environments: ["dev", "qa"] },
            { layout: "shared", environments: [] },
            { layout: "shared" },
            { ...SHARED, namespaceLayout: "per-team" },
            { ...SHARED, allowProdWithLowerEnvironments: "yes" },
            { ...SHARED, cluster: "shop" },
        ]) {
            assert.equal(validate({ topology: bad }), false, JSON.stringify(bad));
        }
    });

    it("reach check through --config, which refuses a malformed topology", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "topology-"));
        const manifest = path.join(dir, "ns.yaml");
        fs.writeFileSync(
            manifest,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels: {env: dev, owner: payments, tier: app}\n",
        );
        const config = path.join(dir, "config.json");
        const checkWith = async (block: unknown) => {
            fs.writeFileSync(config, JSON.stringify({ "cross-env-namespaces": block }));
            let stdout = "";
            const code = await main(
                ["check", "--format", "json", "--only", "cross-env", "--env", "dev", "--config", config, manifest],
                {
                    stdout: (text) => void (stdout += text),
                    stderr: () => undefined,
                },
            );
            return { code, stdout };
        };
        const shared = await checkWith({ env: "dev", topology: SHARED });
        assert.equal(shared.code, 1);
        assert.match(shared.stdout, /cross-env-namespaces/);
        assert.equal((await checkWith({ env: "dev" })).code, 0);
        assert.equal((await checkWith({ env: "dev", topology: { layout: "mixed", environments: ["dev"] } })).code, 2);
    });
});

describe("cross-env-namespaces", () => {
    it("passes the env's namespaces and objects in them, in both namespace layouts", () => {
        const perApp = environmentNamespace("payments", "dev", topologyOf(dev(SHARED), "dev"));
        assert.equal(perApp, "payments-dev");
        assert.deepEqual(found(crossEnvNamespaces, [namespace(perApp), deployment(perApp)], dev(SHARED)), []);
        assert.deepEqual(found(crossEnvNamespaces, [namespace("dev"), deployment("dev")], dev(PER_ENV)), []);
    });

    it("reports a namespace whose name carries no env, or another env's, on a shared cluster", () => {
        const reported = found(crossEnvNamespaces, namespace("payments"), dev(SHARED));
        assert.equal(reported.length, 1);
        assert.match(reported[0], /Namespace payments belongs to no env .*, not to dev, .* name it <app>-dev/);
        assert.match(
            found(crossEnvNamespaces, namespace("payments-stage"), dev(SHARED))[0],
            /belongs to stage, not to dev/,
        );
        assert.match(found(crossEnvNamespaces, namespace("payments-dev"), dev(PER_ENV))[0], /name it dev$/);
    });

    it("reports objects in namespaces not of the env, the unset namespace (default) included", () => {
        assert.match(found(crossEnvNamespaces, deployment("payments"), dev(SHARED))[0], /in namespace payments/);
        assert.match(found(crossEnvNamespaces, deployment(undefined), dev(SHARED))[0], /in namespace default/);
        assert.match(found(crossEnvNamespaces, deployment("kyverno"), dev(SHARED))[0], /in namespace kyverno/);
        const chart = resource("kubernetes:helm.sh/v4:Chart", { chart: "kyverno", namespace: "kyverno" });
        assert.match(found(crossEnvNamespaces, chart, dev(SHARED))[0], /installs into namespace kyverno/);
    });

    it("passes an env's own objects in an add-on's namespace by their env-scoped name, not another env's", () => {
        const inCertManager = (name: string) =>
            resource("kubernetes:core/v1:ServiceAccount", { metadata: { name, namespace: "cert-manager" } });
        assert.deepEqual(found(crossEnvNamespaces, inCertManager("shop-dev-acme-dns01"), dev(SHARED)), []);
        for (const name of ["shop-stage-acme-dns01", "shop-acme-dns01", "shop-dev-stage-acme-dns01"]) {
            assert.equal(found(crossEnvNamespaces, inCertManager(name), dev(SHARED)).length, 1, name);
        }
        const app = resource("kubernetes:core/v1:ServiceAccount", {
            metadata: { name: "api-dev", namespace: "payments" },
        });
        assert.equal(found(crossEnvNamespaces, app, dev(SHARED)).length, 1);
    });

    it("reports a Namespace whose env label is not the judged env, on either layout", () => {
        for (const settings of [dev(), dev(SHARED)]) {
            assert.match(
                found(crossEnvNamespaces, namespace("payments-dev", { env: "stage" }), settings)[0],
                /is stage, but/,
            );
            assert.match(found(crossEnvNamespaces, namespace("payments-dev", {}), settings)[0], /is not set, but/);
        }
    });

    it("leaves a dedicated cluster's namespaces, and cluster-scoped objects, to their names", () => {
        assert.deepEqual(found(crossEnvNamespaces, [namespace("payments"), deployment("payments")], dev()), []);
        const clusterRole = resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", {
            metadata: { name: "reader-dev" },
            rules: [],
        });
        assert.deepEqual(found(crossEnvNamespaces, clusterRole, dev(SHARED)), []);
    });

    it("judges nothing when the env is not known, and reports unknown namespaces", () => {
        assert.deepEqual(run(crossEnvNamespaces, deployment("payments"), settingsFrom({ topology: SHARED })), []);
        const unknown = resource("kubernetes:apps/v1:Deployment", { metadata: { name: "api", namespace: UNKNOWN } });
        assert.deepEqual(unknowns(run(crossEnvNamespaces, unknown, dev(SHARED))), ["metadata.namespace"]);
    });
});

describe("cross-env-trust-subjects", () => {
    const trust = (ns: string) =>
        irsaTrustPolicy({
            oidcProviderArn: PROVIDER_ARN,
            oidcIssuer: ISSUER,
            namespace: ns,
            serviceAccount: "payments",
        });

    it("passes the trust WorkloadIdentity writes for the env's own namespace", () => {
        assert.deepEqual(found(crossEnvTrustSubjects, role(trust("payments-dev")), dev(SHARED)), []);
        assert.deepEqual(
            found(
                crossEnvTrustSubjects,
                role(podIdentityTrustPolicy(ACCOUNT, CLUSTER_ARN, "payments-dev", "payments")),
                dev(SHARED),
            ),
            [],
        );
    });

    it("passes an issuer's DNS-01 ServiceAccount in cert-manager's namespace named for the env, not another env's", () => {
        const dns01 = (serviceAccount: string) =>
            role(
                irsaTrustPolicy({
                    oidcProviderArn: PROVIDER_ARN,
                    oidcIssuer: ISSUER,
                    namespace: "cert-manager",
                    serviceAccount,
                }),
            );
        assert.deepEqual(found(crossEnvTrustSubjects, dns01("shop-dev-acme-dns01"), dev(SHARED)), []);
        assert.equal(found(crossEnvTrustSubjects, dns01("shop-stage-acme-dns01"), dev(SHARED)).length, 1);
        assert.equal(found(crossEnvTrustSubjects, dns01("cert-manager"), dev(SHARED)).length, 1);
    });

    it("reports dev's role trusting system:serviceaccount:payments:payments, which every env's stack renders", () => {
        const reported = found(crossEnvTrustSubjects, role(trust("payments")), dev(SHARED));
        assert.equal(reported.length, 1);
        assert.match(
            reported[0],
            /trusts subject "system:serviceaccount:payments:payments" is in namespace payments, which belongs to no env/,
        );
        assert.deepEqual(found(crossEnvTrustSubjects, role(trust("payments")), dev()), []);
    });

    it("reports a subject in another env's namespace", () => {
        assert.match(found(crossEnvTrustSubjects, role(trust("payments-stage")), dev(SHARED))[0], /belongs to stage/);
    });

    it("reads globs as IAM does: a wildcard namespace matches every env's", () => {
        const like = (value: string, operator = "StringLike") =>
            found(crossEnvTrustSubjects, role(irsa(value, operator)), dev(SHARED));
        assert.match(like("system:serviceaccount:*:payments")[0], /matches namespaces of stage/);
        assert.match(like("system:serviceaccount:payments-*:payments")[0], /matches namespaces of stage/);
        assert.match(like("system:serviceaccount:*", "ForAnyValue:StringLike")[0], /matches namespaces of stage/);
        assert.deepEqual(like("system:serviceaccount:payments-d?v:payments"), []);
        assert.deepEqual(like("system:serviceaccount:payments-dev:*"), []);
        // StringEquals reads `*` literally: no namespace is called `*`, but `*` is no env's namespace either.
        assert.match(
            like("system:serviceaccount:*:payments", "StringEquals")[0],
            /namespace \*, which belongs to no env/,
        );
    });

    it("reads the condition key in any case, as IAM compares keys", () => {
        const reported = found(
            crossEnvTrustSubjects,
            role(irsa("system:serviceaccount:payments:payments", "StringEquals", `${ISSUER.toUpperCase()}:SUB`)),
            dev(SHARED),
        );
        assert.equal(reported.length, 1);
    });

    it("reports a web-identity trust with no :sub condition: every ServiceAccount of the cluster", () => {
        const document = irsa("x") as { Statement: { Condition: Record<string, unknown> }[] };
        document.Statement[0].Condition = { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } };
        assert.match(found(crossEnvTrustSubjects, role(document), dev(SHARED))[0], /no :sub condition/);
    });

    it("reports a Pod Identity trust whose namespace tag is not the env's", () => {
        const reported = found(
            crossEnvTrustSubjects,
            role(podIdentityTrustPolicy(ACCOUNT, CLUSTER_ARN, "payments", "payments")),
            dev(SHARED),
        );
        assert.match(reported[0], /kubernetes-namespace session tag "payments" is in namespace payments/);
    });

    it("reports a PodIdentityAssociation in a namespace not of the env", () => {
        const association = (ns: unknown) =>
            resource("aws:eks/podIdentityAssociation:PodIdentityAssociation", {
                clusterName: "shop",
                namespace: ns,
                serviceAccount: "payments",
                roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-dev-payments`,
            });
        assert.deepEqual(found(crossEnvTrustSubjects, association("payments-dev"), dev(SHARED)), []);
        assert.match(found(crossEnvTrustSubjects, association("payments-stage"), dev(SHARED))[0], /belongs to stage/);
        assert.deepEqual(unknowns(run(crossEnvTrustSubjects, association(UNKNOWN), dev(SHARED))), ["namespace"]);
    });

    it("reports a Vault Kubernetes auth role whose bound namespaces admit another env's", () => {
        const vaultRole = (namespaces: unknown[]) =>
            resource("vault:kubernetes/authBackendRole:AuthBackendRole", {
                backend: "kubernetes",
                roleName: "shop-dev-payments",
                boundServiceAccountNames: ["payments"],
                boundServiceAccountNamespaces: namespaces,
            });
        assert.deepEqual(found(crossEnvTrustSubjects, vaultRole(["payments-dev"]), dev(SHARED)), []);
        assert.match(found(crossEnvTrustSubjects, vaultRole(["*"]), dev(SHARED))[0], /matches namespaces of stage/);
        assert.match(found(crossEnvTrustSubjects, vaultRole(["payments-*"]), dev(SHARED))[0], /stage/);
        assert.match(found(crossEnvTrustSubjects, vaultRole(["payments"]), dev(SHARED))[0], /belongs to no env/);
        assert.deepEqual(found(crossEnvTrustSubjects, vaultRole(["dev"]), dev(PER_ENV)), []);
        assert.match(found(crossEnvTrustSubjects, vaultRole(["*"]), dev(PER_ENV))[0], /stage/);
        assert.deepEqual(found(crossEnvTrustSubjects, vaultRole(["*"]), dev()), []);
        assert.deepEqual(unknowns(run(crossEnvTrustSubjects, vaultRole([UNKNOWN]), dev(SHARED))), [
            "boundServiceAccountNamespaces",
        ]);
    });
});

describe("name patterns", () => {
    it("overlap when one string matches both, IAM's * spanning colons and a name's * not", () => {
        const stage = namePattern("system:serviceaccount:*-stage:*");
        assert.ok(patternsOverlap(globPattern("system:serviceaccount:*"), stage));
        assert.ok(patternsOverlap(globPattern("*"), stage));
        assert.ok(patternsOverlap(globPattern("system:serviceaccount:?ayments-stage:payments"), stage));
        assert.ok(!patternsOverlap(globPattern("system:serviceaccount:payments-dev:*"), stage));
        assert.ok(!patternsOverlap(globPattern("system:serviceaccount:*-dev:payments"), stage));
        assert.ok(!patternsOverlap(globPattern("system:serviceaccount:-stage:payments"), stage));
        assert.ok(!patternsOverlap(globPattern("payments-st?ge", "*"), namePattern("*-stage")));
        assert.ok(patternsOverlap(globPattern("payments-st*", "*"), namePattern("*-stage")));
    });
});

describe("cross-env-cluster-objects", () => {
    const clusterRole = (name: string) =>
        resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name }, rules: [] });
    const validatingPolicy = (name: string, namespaceSelector?: unknown) =>
        resource("kubernetes:policies.kyverno.io/v1:ValidatingPolicy", {
            metadata: { name },
            spec: {
                matchConstraints: {
                    resourceRules: [
                        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
                    ],
                    ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
                },
                validations: [{ expression: "true" }],
            },
        });
    const ENV_DEV = { matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] };

    it("passes env-scoped names and admission limited to the env's namespaces", () => {
        const scoped = environmentScopedName("baseline-require-labels", "dev", topologyOf(dev(SHARED), "dev"));
        assert.equal(scoped, "baseline-require-labels-dev");
        const clusterIssuer = resource("kubernetes:cert-manager.io/v1:ClusterIssuer", {
            metadata: { name: certManagerClusterIssuerName("shop", "dev") },
            spec: {},
        });
        assert.deepEqual(
            found(
                crossEnvClusterObjects,
                [clusterRole("payments-reader-dev"), validatingPolicy(scoped, ENV_DEV), clusterIssuer],
                dev(SHARED),
            ),
            [],
        );
        assert.deepEqual(
            found(crossEnvClusterObjects, validatingPolicy("p-dev", { matchLabels: { env: "dev" } }), dev(SHARED)),
            [],
        );
    });

    it("reports a cluster-scoped name without the env: another env's copy would be the same object", () => {
        const reported = found(crossEnvClusterObjects, clusterRole("payments-reader"), dev(SHARED));
        assert.equal(reported.length, 1);
        assert.match(
            reported[0],
            /ClusterRole payments-reader: the name .* stage's ClusterRole .* name it payments-reader-dev/,
        );
        const issuer = resource("kubernetes:cert-manager.io/v1:ClusterIssuer", {
            metadata: { name: "letsencrypt" },
            spec: {},
        });
        assert.equal(found(crossEnvClusterObjects, issuer, dev(SHARED)).length, 1);
    });

    it("reports a Kyverno policy that judges every env's namespaces", () => {
        for (const selector of [
            undefined,
            {},
            { matchExpressions: [{ key: "env", operator: "In", values: ["dev", "stage"] }] },
        ]) {
            const reported = found(crossEnvClusterObjects, validatingPolicy("p-dev", selector), dev(SHARED));
            assert.equal(reported.length, 1, JSON.stringify(selector));
            assert.match(reported[0], /spec\.matchConstraints\.namespaceSelector .* stage's namespaces at dev's level/);
        }
    });

    it("reads each rule of a ClusterPolicy at its match", () => {
        const clusterPolicy = (...matches: unknown[]) =>
            resource("kubernetes:kyverno.io/v1:ClusterPolicy", {
                metadata: { name: "require-labels-dev" },
                spec: { rules: matches.map((match, i) => ({ name: `r${i}`, match })) },
            });
        const limited = {
            any: [{ resources: { kinds: ["Pod"], namespaceSelector: { matchLabels: { env: "dev" } } } }],
        };
        const byName = { all: [{ resources: { kinds: ["Pod"], namespaces: ["payments-dev"] } }] };
        assert.deepEqual(found(crossEnvClusterObjects, clusterPolicy(limited, byName), dev(SHARED)), []);
        const open = { any: [{ resources: { kinds: ["Pod"] } }, limited.any[0]] };
        const reported = found(crossEnvClusterObjects, clusterPolicy(limited, open), dev(SHARED));
        assert.equal(reported.length, 1);
        assert.match(reported[0], /spec\.rules\[1\]\.match does not limit/);
    });

    it("reads a ValidatingAdmissionPolicyBinding with its policy: either may limit it", () => {
        const vap = (name: string, namespaceSelector?: unknown) =>
            resource("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", {
                metadata: { name },
                spec: { matchConstraints: { namespaceSelector, resourceRules: [] }, validations: [] },
            });
        const binding = (policyName: string, namespaceSelector?: unknown) =>
            resource("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", {
                metadata: { name: `${policyName}-binding` },
                spec: { policyName, validationActions: ["Deny"], matchResources: { namespaceSelector } },
            });
        assert.deepEqual(found(crossEnvClusterObjects, [vap("p-dev", ENV_DEV), binding("p-dev")], dev(SHARED)), []);
        assert.deepEqual(found(crossEnvClusterObjects, [vap("p-dev"), binding("p-dev", ENV_DEV)], dev(SHARED)), []);
        const reported = found(crossEnvClusterObjects, [vap("p-dev"), binding("p-dev")], dev(SHARED));
        assert.equal(reported.length, 1);
        assert.match(
            reported[0],
            /ValidatingAdmissionPolicyBinding p-dev-binding: spec\.matchResources\.namespaceSelector is not set/,
        );
    });

    it("leaves a dedicated cluster's objects alone", () => {
        assert.deepEqual(
            found(crossEnvClusterObjects, [clusterRole("payments-reader"), validatingPolicy("p")], dev()),
            [],
        );
    });

    it("reads selectors as the API server does: one ANDed requirement on the env, or the env's namespaces by name", () => {
        const topology = topologyOf(dev(SHARED), "dev");
        assert.equal(selectsOnlyEnvironment({ matchLabels: { env: "dev", team: "x" } }, "dev", topology), true);
        assert.equal(
            selectsOnlyEnvironment({ matchLabels: { "kubernetes.io/metadata.name": "payments-dev" } }, "dev", topology),
            true,
        );
        assert.equal(
            selectsOnlyEnvironment(
                { matchExpressions: [{ key: "env", operator: "NotIn", values: ["stage"] }] },
                "dev",
                topology,
            ),
            false,
        );
        assert.equal(selectsOnlyEnvironment({ matchLabels: { team: "payments" } }, "dev", topology), false);
        assert.equal(selectsOnlyEnvironment({ matchLabels: { env: UNKNOWN } }, "dev", topology), undefined);
    });
});

describe("ClusterIssuer references (cross-env-references)", () => {
    const certificate = (kind: string, name: string) =>
        resource("kubernetes:cert-manager.io/v1:Certificate", {
            metadata: { name: "api", namespace: "payments-dev" },
            spec: { secretName: "api-tls", dnsNames: ["api.example.com"], issuerRef: { kind, name } },
        });
    const annotated = (type: string, issuer: string) =>
        resource(type, {
            metadata: {
                name: "web",
                namespace: "payments-dev",
                annotations: { "cert-manager.io/cluster-issuer": issuer },
            },
            spec: {},
        });
    const own = certManagerClusterIssuerName("shop", "dev");

    it("passes the env's own ClusterIssuer, and a namespaced Issuer by any name", () => {
        assert.deepEqual(found(crossEnvReferences, certificate("ClusterIssuer", own), dev(SHARED)), []);
        assert.deepEqual(found(crossEnvReferences, certificate("Issuer", "letsencrypt"), dev(SHARED)), []);
        assert.deepEqual(
            found(crossEnvReferences, annotated("kubernetes:networking.k8s.io/v1:Ingress", own), dev(SHARED)),
            [],
        );
    });

    it("reports a ClusterIssuer that is not the env's on a shared cluster: a Certificate, an Ingress, a Gateway", () => {
        assert.match(
            found(crossEnvReferences, certificate("ClusterIssuer", "letsencrypt"), dev(SHARED))[0],
            /is not dev's ClusterIssuer/,
        );
        for (const type of [
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        ]) {
            assert.match(
                found(crossEnvReferences, annotated(type, "letsencrypt"), dev(SHARED))[0],
                /cert-manager\.io\/cluster-issuer/,
            );
            assert.deepEqual(found(crossEnvReferences, annotated(type, "letsencrypt"), dev()), []);
        }
    });

    it("reports another env's issuer on either layout", () => {
        const other = certManagerClusterIssuerName("shop", "stage");
        for (const settings of [dev(), dev(SHARED)]) {
            const reported = found(
                crossEnvReferences,
                annotated("kubernetes:gateway.networking.k8s.io/v1:Gateway", other),
                settings,
            );
            assert.ok(
                reported.some((m) => /names stage from the dev environment/.test(m)),
                reported.join("\n"),
            );
        }
    });
});

describe("cross-env-network-peers", () => {
    const np = (from: unknown[], policyTypes: string[] = ["Ingress"]) =>
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
            metadata: { name: "np", namespace: "payments-dev" },
            spec: { podSelector: {}, policyTypes, ingress: [{ from }] },
        });

    it("passes peers of the env's namespaces and of the policy's own namespace", () => {
        const peers = [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "orders-dev" } } },
            { namespaceSelector: { matchLabels: { team: "payments", env: "dev" } } },
            { podSelector: { matchLabels: { app: "web" } } },
            { ipBlock: { cidr: "10.0.0.0/24" } },
        ];
        assert.deepEqual(found(crossEnvNetworkPeers, np(peers), dev(SHARED)), []);
    });

    it("reports a selector by another label, which reaches another env's namespaces carrying it", () => {
        const reported = found(
            crossEnvNetworkPeers,
            np([{ namespaceSelector: { matchLabels: { team: "payments" } } }]),
            dev(SHARED),
        );
        assert.equal(reported.length, 1);
        assert.match(
            reported[0],
            /spec\.ingress\[0\]\.from\[0\]\.namespaceSelector .* also selects stage's namespaces/,
        );
        const name = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "orders-stage" } } };
        assert.equal(found(crossEnvNetworkPeers, np([name]), dev(SHARED)).length, 1);
    });

    it("passes namespaces named one by one that no env claims (DNS, a shared ingress), and reports another env's", () => {
        const byName = (...names: string[]) => ({
            namespaceSelector: {
                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }],
            },
        });
        assert.deepEqual(found(crossEnvNetworkPeers, np([byName("kube-system", "ingress-nginx")]), dev(SHARED)), []);
        const reported = found(crossEnvNetworkPeers, np([byName("ingress-nginx", "payments-stage")]), dev(SHARED));
        assert.equal(reported.length, 1);
        assert.deepEqual(found(crossEnvNetworkPeers, np([byName("stage")]), dev(PER_ENV)).length, 1);
        assert.deepEqual(found(crossEnvNetworkPeers, np([byName("kube-system")]), dev(PER_ENV)), []);
    });

    it("leaves directions policyTypes leaves out, and dedicated clusters, alone", () => {
        const team = [{ namespaceSelector: { matchLabels: { team: "payments" } } }];
        assert.deepEqual(found(crossEnvNetworkPeers, np(team, ["Egress"]), dev(SHARED)), []);
        assert.deepEqual(found(crossEnvNetworkPeers, np(team), dev()), []);
    });
});

describe("cross-env-topology and cross-env-prod-shared", () => {
    const PROD_SHARED: TopologyConfig = { layout: "shared", environments: ["dev", "prod"] };

    it("report nothing for a dedicated cluster, or none declared", () => {
        for (const settings of [dev(), dev({ layout: "dedicated", environments: ["dev"] }), dev(SHARED)]) {
            assert.deepEqual(run(crossEnvTopology, [], settings), []);
            assert.deepEqual(run(crossEnvProdShared, [], settings), []);
        }
    });

    it("refuse prod on a cluster with a lower env unless allowed, and then report it as advisory", () => {
        for (const env of ["dev", "prod"] as const) {
            const refused = mandatory(run(crossEnvTopology, [], dev(PROD_SHARED, env)));
            assert.equal(refused.length, 1);
            assert.match(
                refused[0].message,
                /^topology\.allowProdWithLowerEnvironments prod would share the cluster with dev/,
            );
            assert.deepEqual(run(crossEnvProdShared, [], dev(PROD_SHARED, env)), []);
            const allowed = { ...PROD_SHARED, allowProdWithLowerEnvironments: true };
            assert.deepEqual(run(crossEnvTopology, [], dev(allowed, env)), []);
            const advisory = run(crossEnvProdShared, [], dev(allowed, env));
            assert.equal(advisory.length, 1);
            assert.equal(advisory[0].level, "advisory");
            assert.match(advisory[0].message, /prod shares this cluster with dev/);
        }
    });

    it("refuse a dedicated cluster listing several envs, and a topology without the judged env", () => {
        const several = violations(
            run(crossEnvTopology, [], dev({ layout: "dedicated", environments: ["dev", "stage"] })),
        );
        assert.deepEqual(several.length, 1);
        assert.match(several[0], /^topology\.layout is dedicated, but dev, stage are listed/);
        const missing = violations(run(crossEnvTopology, [], dev({ layout: "shared", environments: ["stage"] })));
        assert.match(missing[0], /^topology\.environments does not list dev/);
    });

    it("are in the cross-env group, mandatory but the accepted-risk report", () => {
        for (const policy of crossEnvPolicies) {
            assert.equal(policy.group, "cross-env");
            assert.equal(policy.enforcementLevel, policy === crossEnvProdShared ? "advisory" : "mandatory");
        }
        assert.equal(NamespaceLayout.PerApp, SHARED.namespaceLayout);
    });
});
