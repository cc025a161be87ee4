/**
 * The Service and Ingress policies, by the env's exposure profile: NodePort, externalIPs, internal load
 * balancers and Ingress TLS.
 */
import * as assert from "node:assert/strict";
import { EXPOSURE_PROFILES } from "../../../../components/baseline";
import {
    INGRESS_TYPE,
    SERVICE_TYPE,
    servicesIngressNoSnippets,
    servicesIngressTls,
    servicesInternalLoadBalancer,
    servicesNoExternalIps,
    servicesNoNodePort,
    tlsHostCovers,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf, unknowns, violations } from "./check";

const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";

function service(spec: Record<string, unknown>, annotations?: Record<string, unknown>, namespace = "payments") {
    return resource(SERVICE_TYPE, {
        metadata: { name: "api", namespace, ...(annotations ? { annotations } : {}) },
        spec: { ports: [{ port: 80 }], ...spec },
    });
}

function ingress(spec: Record<string, unknown>) {
    return resource(INGRESS_TYPE, {
        metadata: { name: "api", namespace: "payments" },
        spec: { rules: [{ host: "pay.example.com" }], ...spec },
    });
}

describe("the exposure profiles", () => {
    it("refuse NodePorts and public load balancers and require TLS in stage and prod, externalIPs everywhere", () => {
        for (const env of ["stage", "prod"] as const) {
            assert.equal(EXPOSURE_PROFILES[env].nodePortServices, false);
            assert.equal(EXPOSURE_PROFILES[env].loadBalancers, "internal");
            assert.equal(EXPOSURE_PROFILES[env].ingressTls, true);
        }
        for (const env of ["dev", "stage", "prod"] as const) assert.equal(EXPOSURE_PROFILES[env].externalIPs, false);
        assert.equal(EXPOSURE_PROFILES.prod.selfSignedIssuers, false);
    });
});

describe("policy services-no-node-port", () => {
    it("refuses a NodePort Service in prod, in any namespace, kube-system included, and with no env named", () => {
        for (const namespace of ["payments", "kube-system", "default"]) {
            assert.deepEqual(violations(run(servicesNoNodePort, service({ type: "NodePort" }, undefined, namespace))), [
                `Service ${namespace}/api is of type NodePort, which prod does not allow`,
            ]);
        }
        assert.equal(run(servicesNoNodePort, service({ type: "NodePort" }), settingsOf()).length, 1);
    });

    it("allows ClusterIP in prod and NodePort in dev", () => {
        assert.deepEqual(run(servicesNoNodePort, service({ type: "ClusterIP" })), []);
        assert.deepEqual(run(servicesNoNodePort, service({ type: "NodePort" }), settingsOf("dev")), []);
    });

    it("reports an unknown type", () => {
        assert.deepEqual(unknowns(run(servicesNoNodePort, service({ type: UNKNOWN }))), ["spec.type"]);
    });
});

describe("policy services-no-external-ips", () => {
    it("refuses externalIPs in every env (CVE-2020-8554)", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            assert.deepEqual(
                violations(run(servicesNoExternalIps, service({ externalIPs: ["10.0.0.1"] }), settingsOf(env))),
                ["Service payments/api sets spec.externalIPs (10.0.0.1) (CVE-2020-8554)"],
            );
        }
    });

    it("allows a Service without them", () => {
        assert.deepEqual(run(servicesNoExternalIps, service({})), []);
        assert.deepEqual(run(servicesNoExternalIps, service({ externalIPs: [] })), []);
    });
});

describe("policy services-internal-load-balancer", () => {
    const LBC = { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" };

    it("allows an internal load balancer as each AWS controller reads it", () => {
        assert.deepEqual(run(servicesInternalLoadBalancer, service(LBC, { [SCHEME]: "internal" })), []);
        assert.deepEqual(
            run(
                servicesInternalLoadBalancer,
                service(
                    { type: "LoadBalancer" },
                    { [SCHEME]: "internal", "service.beta.kubernetes.io/aws-load-balancer-type": "external" },
                ),
            ),
            [],
        );
        assert.deepEqual(
            run(servicesInternalLoadBalancer, service({ type: "LoadBalancer" }, { [INTERNAL]: "true" })),
            [],
        );
    });

    it("refuses one that some controller would make internet-facing", () => {
        for (const [spec, annotations] of [
            [{ type: "LoadBalancer" }, undefined],
            [{ type: "LoadBalancer" }, { [SCHEME]: "internal" }],
            [LBC, { [SCHEME]: "internet-facing" }],
            [LBC, { [SCHEME]: "internet-facing", [INTERNAL]: "true" }],
            [{ type: "LoadBalancer", loadBalancerClass: "example.com/lb" }, { [INTERNAL]: "true" }],
            [{ type: "LoadBalancer" }, { [INTERNAL]: "false" }],
        ] as const) {
            assert.equal(
                violations(run(servicesInternalLoadBalancer, service(spec, annotations))).length,
                1,
                JSON.stringify([spec, annotations]),
            );
        }
    });

    it("allows any load balancer in dev, and other Service types", () => {
        assert.deepEqual(run(servicesInternalLoadBalancer, service({ type: "LoadBalancer" }), settingsOf("dev")), []);
        assert.deepEqual(run(servicesInternalLoadBalancer, service({ type: "ClusterIP" })), []);
    });

    it("reports unknown annotations", () => {
        assert.deepEqual(
            unknowns(run(servicesInternalLoadBalancer, service({ type: "LoadBalancer" }, { [SCHEME]: UNKNOWN }))),
            ["metadata.annotations"],
        );
    });
});

describe("policy services-ingress-tls", () => {
    it("refuses an Ingress without TLS, or with a host it does not cover, in stage and prod", () => {
        assert.deepEqual(violations(run(servicesIngressTls, ingress({}))), [
            "Ingress payments/api has no spec.tls, so it serves plain HTTP",
        ]);
        assert.deepEqual(
            violations(
                run(servicesIngressTls, ingress({ tls: [{ hosts: ["shop.example.com"] }] }), settingsOf("stage")),
            ),
            ["Ingress payments/api serves pay.example.com without TLS: no spec.tls entry lists it"],
        );
        const catchAll = ingress({ rules: [{ http: {} }], tls: [{ hosts: ["pay.example.com"] }] });
        assert.equal(run(servicesIngressTls, catchAll).length, 1);
    });

    it("allows TLS for every host, by name or one-label wildcard, and plain HTTP in dev", () => {
        assert.deepEqual(
            run(servicesIngressTls, ingress({ tls: [{ hosts: ["pay.example.com"], secretName: "t" }] })),
            [],
        );
        assert.deepEqual(run(servicesIngressTls, ingress({ tls: [{ hosts: ["*.example.com"] }] })), []);
        assert.deepEqual(run(servicesIngressTls, ingress({ rules: [{}], tls: [{ secretName: "default" }] })), []);
        assert.deepEqual(run(servicesIngressTls, ingress({}), settingsOf("dev")), []);
    });

    it("matches wildcards one label deep only", () => {
        assert.equal(tlsHostCovers("*.example.com", "pay.example.com"), true);
        assert.equal(tlsHostCovers("*.example.com", "a.pay.example.com"), false);
        assert.equal(tlsHostCovers("*.example.com", "example.com"), false);
        assert.equal(tlsHostCovers("pay.example.com", "pay.example.com"), true);
    });

    it("reports unknown TLS entries and hosts", () => {
        assert.deepEqual(unknowns(run(servicesIngressTls, ingress({ tls: UNKNOWN }))), ["spec.tls"]);
        assert.deepEqual(
            unknowns(run(servicesIngressTls, ingress({ tls: [{ hosts: [] }], rules: [{ host: UNKNOWN }] }))),
            ["spec.rules[0].host"],
        );
    });
});

describe("policy services-ingress-no-snippets", () => {
    const annotated = (annotations: unknown) =>
        resource(INGRESS_TYPE, {
            metadata: { name: "api", namespace: "payments", annotations },
            spec: { rules: [{ host: "pay.example.com" }], tls: [{ hosts: ["pay.example.com"], secretName: "t" }] },
        });

    it("refuses every ingress-nginx snippet annotation, in every env and whatever its case", () => {
        for (const key of [
            "nginx.ingress.kubernetes.io/server-snippet",
            "nginx.ingress.kubernetes.io/configuration-snippet",
            "nginx.ingress.kubernetes.io/auth-snippet",
            "Nginx.Ingress.Kubernetes.io/Stream-Snippet",
        ]) {
            for (const env of ["dev", "stage", "prod"] as const) {
                const found = violations(
                    run(servicesIngressNoSnippets, annotated({ [key]: "return 200;" }), settingsOf(env)),
                );
                assert.equal(found.length, 1, `${key} in ${env}`);
                assert.match(found[0], new RegExp(key.replace(/\./g, "\\.")));
            }
        }
    });

    it("passes the controller's typed annotations and an Ingress without annotations", () => {
        const typed = {
            "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
            "cert-manager.io/cluster-issuer": "shop-prod-acme",
        };
        assert.deepEqual(run(servicesIngressNoSnippets, annotated(typed), settingsOf("prod")), []);
        assert.deepEqual(run(servicesIngressNoSnippets, annotated(undefined), settingsOf("prod")), []);
    });

    it("reports unknown annotations as unknown", () => {
        assert.deepEqual(unknowns(run(servicesIngressNoSnippets, annotated(UNKNOWN), settingsOf("prod"))), [
            "metadata.annotations",
        ]);
    });
});
