/**
 * The policies that keep the envs of one cluster apart: as resources, and their CEL evaluated (with
 * @bufbuild/cel, as the baseline's rules are) against the Namespaces, Certificates, Ingresses and Gateways
 * each env could write, with the namespace of the request bound as `namespaceObject`.
 */
import * as assert from "node:assert/strict";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { installMocks, ofType, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    EnvironmentIsolationPolicies,
    environmentIsolationPolicyManifests,
    IsolationPolicyName,
    resolveEnvironmentIsolationPoliciesArgs,
    ValidatingPolicyManifest,
} from "../../../../components/addons/kyverno";
import {
    ADMISSION_EXCLUDED_NAMESPACES,
    dedicatedTopology,
    environmentClusterIssuerName,
    NAMESPACE_NAME_LABEL,
} from "../../../../components/baseline";
import { compliantNamespace, selectorMatches, sharedTopology } from "./fixtures";

const VALIDATING = "kubernetes:policies.kyverno.io/v1:ValidatingPolicy";
const PROJECT = "shop";
const DEV_ISSUER = environmentClusterIssuerName(PROJECT, "dev");
const STAGE_ISSUER = environmentClusterIssuerName(PROJECT, "stage");
const PROD_ISSUER = environmentClusterIssuerName(PROJECT, "prod");

/** dev and stage share the cluster; prod has one of its own. */
const TOPOLOGY = sharedTopology(["dev", "stage"]);
const MANIFESTS = environmentIsolationPolicyManifests(
    resolveEnvironmentIsolationPoliciesArgs("cluster", { project: PROJECT, topology: TOPOLOGY }),
);
const policy = (name: string): ValidatingPolicyManifest => MANIFESTS.find((m) => m.metadata.name === name)!;

function evaluate(expression: string, bindings: Record<string, unknown>): boolean {
    const result = run(expression, bindings as never, { funcs: strings });
    if (isCelError(result)) assert.fail(`${expression}\nfailed: ${result.message}`);
    assert.equal(typeof result, "boolean", `${expression} did not evaluate to a bool`);
    return result as boolean;
}

/** The policy's verdict on a request: every validation holds, or not. */
function verdict(
    name: string,
    object: unknown,
    { oldObject = null, namespaceObject = null }: { oldObject?: unknown; namespaceObject?: unknown } = {},
): "pass" | "fail" {
    const bindings = { object, oldObject, namespaceObject };
    return policy(name).spec.validations.every((v) => evaluate(v.expression, bindings)) ? "pass" : "fail";
}

function namespace(name: string, env?: string): Record<string, any> {
    const ns = compliantNamespace(env ?? "dev");
    ns.metadata.name = name;
    if (env === undefined) delete ns.metadata.labels.env;
    return ns;
}

function certificate(ns: string, issuerRef: Record<string, string>): Record<string, any> {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "payments-tls", namespace: ns },
        spec: { secretName: "payments-tls", dnsNames: ["payments.dev.example.com"], issuerRef },
    };
}

function annotated(kind: "Ingress" | "Gateway", ns: string, annotations: Record<string, string>) {
    return {
        apiVersion: kind === "Ingress" ? "networking.k8s.io/v1" : "gateway.networking.k8s.io/v1",
        kind,
        metadata: { name: "payments", namespace: ns, annotations },
        spec: {},
    };
}

describe("EnvironmentIsolationPolicies", () => {
    beforeEach(resetResources);

    it("creates one policy of each kind for the cluster, denying in every env", async () => {
        const component = new EnvironmentIsolationPolicies("cluster", { project: PROJECT, topology: TOPOLOGY });
        assert.deepEqual(await valueOf(component.policyNames), Object.values(IsolationPolicyName));
        await settled();
        const created = ofType(VALIDATING);
        assert.equal(created.length, 2);
        for (const p of created) {
            assert.deepEqual(p.inputs.spec.validationActions, ["Deny"]);
            assert.equal(p.inputs.spec.failurePolicy, "Fail");
            assert.equal(p.inputs.spec.autogen.validatingAdmissionPolicy.enabled, false);
            assert.equal(p.parentType, "k8s-baseline:index:EnvironmentIsolationPolicies");
        }
    });

    it("judges Namespaces, cert-manager's requests and the objects its shims read, and nothing else", () => {
        const rules = (name: string) =>
            policy(name).spec.matchConstraints.resourceRules.map(
                (r) => `${r.apiGroups[0]}/${r.apiVersions[0]}/${r.resources.join("+")}`,
            );
        assert.deepEqual(rules(IsolationPolicyName.ProtectNamespaceEnvironment), ["/v1/namespaces"]);
        assert.deepEqual(rules(IsolationPolicyName.RestrictClusterIssuers), [
            "cert-manager.io/v1/certificates+certificaterequests",
            "networking.k8s.io/v1/ingresses",
            "gateway.networking.k8s.io/v1/gateways",
        ]);
        for (const m of MANIFESTS) {
            const selector = m.spec.matchConstraints.namespaceSelector;
            assert.equal(selectorMatches(selector, { [NAMESPACE_NAME_LABEL]: "payments-dev" }), true);
            for (const excluded of ADMISSION_EXCLUDED_NAMESPACES) {
                assert.equal(selectorMatches(selector, { [NAMESPACE_NAME_LABEL]: excluded }), false);
            }
        }
    });

    describe("a namespace's env label", () => {
        const name = IsolationPolicyName.ProtectNamespaceEnvironment;

        it("may be set to one of the cluster's envs, on create or later", () => {
            assert.equal(verdict(name, namespace("payments-dev", "dev")), "pass");
            assert.equal(verdict(name, namespace("payments-stage", "stage")), "pass");
            assert.equal(verdict(name, namespace("scratch")), "pass");
            assert.equal(
                verdict(name, namespace("scratch", "dev"), { oldObject: namespace("scratch") }),
                "pass",
                "claiming an unclaimed namespace",
            );
            assert.equal(
                verdict(name, namespace("payments-dev", "dev"), { oldObject: namespace("payments-dev", "dev") }),
                "pass",
            );
        });

        it("cannot name an env the cluster does not host", () => {
            assert.equal(verdict(name, namespace("payments-prod", "prod")), "fail");
            assert.equal(verdict(name, namespace("payments-qa", "qa")), "fail");
            assert.equal(verdict(name, namespace("scratch", "prod"), { oldObject: namespace("scratch") }), "fail");
        });

        it("cannot be changed or removed once set", () => {
            const dev = namespace("payments-dev", "dev");
            assert.equal(verdict(name, namespace("payments-dev", "stage"), { oldObject: dev }), "fail");
            assert.equal(verdict(name, namespace("payments-dev"), { oldObject: dev }), "fail");
            const bare = { apiVersion: "v1", kind: "Namespace", metadata: { name: "payments-dev" } };
            assert.equal(verdict(name, bare, { oldObject: dev }), "fail");
        });

        it("is kept, when it was there before the policy, so the namespace can still be updated", () => {
            const legacy = namespace("legacy", "qa");
            const updated = namespace("legacy", "qa");
            updated.metadata.labels.owner = "team-reports";
            assert.equal(verdict(name, updated, { oldObject: legacy }), "pass");
        });
    });

    describe("certificates come only from the ClusterIssuer of the namespace's env", () => {
        const name = IsolationPolicyName.RestrictClusterIssuers;
        const dev = namespace("payments-dev", "dev");
        const stage = namespace("payments-stage", "stage");
        const unclaimed = namespace("scratch");
        const clusterIssuer = (issuer: string, group?: string) => ({
            name: issuer,
            kind: "ClusterIssuer",
            ...(group === undefined ? {} : { group }),
        });

        it("a Certificate of the env's own ClusterIssuer is admitted", () => {
            assert.equal(
                verdict(name, certificate("payments-dev", clusterIssuer(DEV_ISSUER)), { namespaceObject: dev }),
                "pass",
            );
            assert.equal(
                verdict(name, certificate("payments-stage", clusterIssuer(STAGE_ISSUER, "cert-manager.io")), {
                    namespaceObject: stage,
                }),
                "pass",
            );
        });

        it("a Certificate or CertificateRequest of another env's ClusterIssuer is refused", () => {
            assert.equal(
                verdict(name, certificate("payments-dev", clusterIssuer(STAGE_ISSUER)), { namespaceObject: dev }),
                "fail",
            );
            assert.equal(
                verdict(name, certificate("payments-stage", clusterIssuer(DEV_ISSUER)), { namespaceObject: stage }),
                "fail",
            );
            // An env not on the cluster, and a name nobody issues from.
            assert.equal(
                verdict(name, certificate("payments-dev", clusterIssuer(PROD_ISSUER)), { namespaceObject: dev }),
                "fail",
            );
            assert.equal(
                verdict(name, certificate("payments-dev", clusterIssuer("letsencrypt")), { namespaceObject: dev }),
                "fail",
            );
            const request = { ...certificate("payments-dev", clusterIssuer(STAGE_ISSUER)), kind: "CertificateRequest" };
            assert.equal(verdict(name, request, { namespaceObject: dev }), "fail");
        });

        it("a namespace without an env gets no ClusterIssuer at all", () => {
            for (const issuer of [DEV_ISSUER, STAGE_ISSUER]) {
                assert.equal(
                    verdict(name, certificate("scratch", clusterIssuer(issuer)), { namespaceObject: unclaimed }),
                    "fail",
                );
            }
            const qa = namespace("payments-qa", "qa");
            assert.equal(
                verdict(name, certificate("payments-qa", clusterIssuer(DEV_ISSUER)), { namespaceObject: qa }),
                "fail",
            );
        });

        it("a namespaced Issuer, or another group's cluster issuer, is not cert-manager's ClusterIssuer", () => {
            for (const ns of [dev, unclaimed]) {
                const own = certificate(ns.metadata.name, { name: "self-signed", kind: "Issuer" });
                assert.equal(verdict(name, own, { namespaceObject: ns }), "pass");
                const defaulted = certificate(ns.metadata.name, { name: "self-signed" });
                assert.equal(verdict(name, defaulted, { namespaceObject: ns }), "pass", "kind defaults to Issuer");
                const external = certificate(ns.metadata.name, clusterIssuer(STAGE_ISSUER, "awspca.cert-manager.io"));
                assert.equal(verdict(name, external, { namespaceObject: ns }), "pass");
            }
        });

        for (const kind of ["Ingress", "Gateway"] as const) {
            const a = kind === "Ingress" ? "an" : "a";
            it(`${a} ${kind}'s cluster-issuer annotation names the env's own ClusterIssuer only`, () => {
                const ok = annotated(kind, "payments-dev", { "cert-manager.io/cluster-issuer": DEV_ISSUER });
                assert.equal(verdict(name, ok, { namespaceObject: dev }), "pass");
                const other = annotated(kind, "payments-dev", { "cert-manager.io/cluster-issuer": STAGE_ISSUER });
                assert.equal(verdict(name, other, { namespaceObject: dev }), "fail");
                const none = annotated(kind, "scratch", { "cert-manager.io/cluster-issuer": DEV_ISSUER });
                assert.equal(verdict(name, none, { namespaceObject: unclaimed }), "fail");
                assert.equal(verdict(name, annotated(kind, "scratch", {}), { namespaceObject: unclaimed }), "pass");
            });

            it(`${a} ${kind}'s issuer annotation of kind ClusterIssuer is held to the same`, () => {
                const byKind = (issuer: string, group?: string) =>
                    annotated(kind, "payments-dev", {
                        "cert-manager.io/issuer": issuer,
                        "cert-manager.io/issuer-kind": "ClusterIssuer",
                        ...(group === undefined ? {} : { "cert-manager.io/issuer-group": group }),
                    });
                assert.equal(verdict(name, byKind(DEV_ISSUER), { namespaceObject: dev }), "pass");
                assert.equal(verdict(name, byKind(STAGE_ISSUER), { namespaceObject: dev }), "fail");
                assert.equal(verdict(name, byKind(STAGE_ISSUER, "cert-manager.io"), { namespaceObject: dev }), "fail");
                assert.equal(
                    verdict(name, byKind(STAGE_ISSUER, "awspca.cert-manager.io"), { namespaceObject: dev }),
                    "pass",
                );
                const namespaced = annotated(kind, "payments-dev", { "cert-manager.io/issuer": STAGE_ISSUER });
                assert.equal(verdict(name, namespaced, { namespaceObject: dev }), "pass", "a namespaced Issuer");
            });
        }
    });

    it("on a cluster of one env's own, lets that env use its issuer and no other", () => {
        const manifests = environmentIsolationPolicyManifests(
            resolveEnvironmentIsolationPoliciesArgs("prod", { project: PROJECT, topology: dedicatedTopology("prod") }),
        );
        const restrict = manifests.find((m) => m.metadata.name === IsolationPolicyName.RestrictClusterIssuers)!;
        const judge = (issuer: string) =>
            restrict.spec.validations.every((v) =>
                evaluate(v.expression, {
                    object: certificate("payments", { name: issuer, kind: "ClusterIssuer" }),
                    oldObject: null,
                    namespaceObject: namespace("payments", "prod"),
                }),
            );
        assert.equal(judge(PROD_ISSUER), true);
        assert.equal(judge(DEV_ISSUER), false);
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Record<string, unknown>, RegExp][] = [
            [
                "a project that is not DNS-1123",
                { project: "Shop", topology: TOPOLOGY },
                /project: "Shop" is not a DNS-1123 label/,
            ],
            [
                "no envs",
                { project: PROJECT, topology: { ...TOPOLOGY, environments: [] } },
                /topology\.environments: is empty/,
            ],
            [
                "an unknown env",
                { project: PROJECT, topology: { ...TOPOLOGY, environments: ["dev", "qa"] } },
                /topology\.environments: "qa" is not a known environment/,
            ],
            [
                "prod beside a lower env without saying so",
                {
                    project: PROJECT,
                    topology: { ...sharedTopology(["dev", "prod"]), allowProdWithLowerEnvironments: false },
                },
                /topology\.allowProdWithLowerEnvironments: prod would share the cluster with dev/,
            ],
        ];
        for (const [title, args, message] of cases) {
            it(title, () => {
                assert.throws(() => new EnvironmentIsolationPolicies("cluster", args as never), message);
                assert.equal(resources().length, 0);
            });
        }
    });
});
