/**
 * cert-manager-prod-issuer, on the ClusterIssuer CertManager builds; cert-manager-no-self-signed and
 * cert-manager-ca-key-namespace.
 */
import * as assert from "node:assert/strict";
import type { ClusterIssuerInput } from "../../../../components/addons/cert-manager/cluster-issuer";
import { certManagerClusterIssuer } from "../../../../components/addons/cert-manager/cluster-issuer";
import { AcmeServer, PROFILES } from "../../../../components/baseline";
import {
    CLUSTER_ISSUER,
    certManagerCaKeyNamespace,
    certManagerNoSelfSigned,
    certManagerProdIssuer,
    ISSUER,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf, unknowns, violations } from "./check";

type Env = "dev" | "stage" | "prod";

function clusterIssuer(env: Env): Record<string, any> {
    const resolved = {
        env,
        clusterIssuerName: `shop-${env}-acme`,
        acmeEmail: "platform@shop.example.com",
        region: "eu-west-1",
        hostedZones: [{ zoneId: "Z0333333333333333PRDZ", domain: "shop.example.com" }],
    } satisfies ClusterIssuerInput;
    return structuredClone(certManagerClusterIssuer(resolved)) as Record<string, any>;
}

describe("policy cert-manager-prod-issuer", () => {
    it("passes the prod ClusterIssuer CertManager builds", () => {
        assert.equal(clusterIssuer("prod").spec.acme.server, PROFILES.prod.acmeServer);
        assert.deepEqual(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, clusterIssuer("prod"))), []);
    });

    it("reports the staging ACME server in prod", () => {
        assert.deepEqual(violations(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, clusterIssuer("dev")))), [
            `ClusterIssuer shop-dev-acme uses ACME server "${AcmeServer.LetsEncryptStaging}" in prod, not ${AcmeServer.LetsEncryptProduction}`,
        ]);
    });

    it("reports a prod issuer that names no server", () => {
        const issuer = clusterIssuer("prod");
        delete issuer.spec.acme.server;
        assert.deepEqual(violations(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, issuer))), [
            `ClusterIssuer shop-prod-acme names no ACME server; prod uses ${AcmeServer.LetsEncryptProduction}`,
        ]);
    });

    it("leaves dev and stage to the staging server", () => {
        for (const env of ["dev", "stage"] as const) {
            assert.deepEqual(
                run(certManagerProdIssuer, resource(CLUSTER_ISSUER, clusterIssuer(env)), settingsOf(env)),
                [],
            );
        }
    });

    it("reports an HTTP-01 solver, a solver without dns01, and no solvers", () => {
        const issuer = clusterIssuer("prod");
        issuer.spec.acme.solvers.push({ http01: { ingress: { ingressClassName: "nginx" } } }, { selector: {} });
        assert.deepEqual(violations(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, issuer))), [
            "ClusterIssuer shop-prod-acme: spec.acme.solvers[1] is HTTP-01; prod uses DNS-01 only",
            "ClusterIssuer shop-prod-acme: spec.acme.solvers[2] has no dns01 solver",
        ]);
        issuer.spec.acme.solvers = [];
        assert.deepEqual(violations(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, issuer))), [
            "ClusterIssuer shop-prod-acme has no solvers; prod proves names with DNS-01",
        ]);
    });

    it("covers namespaced Issuers and leaves issuers that are not ACME alone", () => {
        const issuer: Record<string, any> = { ...clusterIssuer("dev"), kind: "Issuer" };
        issuer.metadata = { ...issuer.metadata, namespace: "payments" };
        assert.equal(violations(run(certManagerProdIssuer, resource(ISSUER, issuer))).length, 1);
        const selfSigned = {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: "self" },
            spec: { selfSigned: {} },
        };
        assert.deepEqual(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, selfSigned)), []);
    });

    it("reports an unknown server or solvers as unknown", () => {
        const issuer = clusterIssuer("prod");
        issuer.spec.acme.server = UNKNOWN;
        issuer.spec.acme.solvers = UNKNOWN;
        assert.deepEqual(unknowns(run(certManagerProdIssuer, resource(CLUSTER_ISSUER, issuer))), [
            "spec.acme.server",
            "spec.acme.solvers",
        ]);
    });
});

/** An issuer of `kind` rendered by the CertManager component's chart (trusted URN parentage). */
function fromCertManagerChart(type: string, props: Record<string, any>) {
    const chain = ["k8s-baseline:index:CertManager", "kubernetes:helm.sh/v4:Chart", type].join("$");
    return resource(type, props, { urn: `urn:pulumi:prod::platform::${chain}::issuer` });
}

describe("policy cert-manager-no-self-signed", () => {
    const selfSigned = (namespace?: string) => ({
        metadata: { name: "bootstrap", ...(namespace ? { namespace } : {}) },
        spec: { selfSigned: {} },
    });

    it("passes the prod ACME ClusterIssuer CertManager builds", () => {
        assert.deepEqual(run(certManagerNoSelfSigned, resource(CLUSTER_ISSUER, clusterIssuer("prod"))), []);
    });

    it("refuses a self-signed ClusterIssuer and Issuer in prod, and when no env is named", () => {
        assert.deepEqual(violations(run(certManagerNoSelfSigned, resource(CLUSTER_ISSUER, selfSigned()))), [
            "ClusterIssuer bootstrap is a selfSigned issuer, which prod does not allow",
        ]);
        assert.equal(
            violations(run(certManagerNoSelfSigned, resource(ISSUER, selfSigned("payments")), settingsOf())).length,
            1,
        );
    });

    it("allows one in dev and stage, whose profiles allow self-signed issuers", () => {
        for (const env of ["dev", "stage"] as const) {
            assert.deepEqual(run(certManagerNoSelfSigned, resource(CLUSTER_ISSUER, selfSigned()), settingsOf(env)), []);
        }
    });

    it("reports an unknown spec", () => {
        assert.deepEqual(unknowns(run(certManagerNoSelfSigned, resource(ISSUER, { spec: UNKNOWN }))), [
            "spec.selfSigned",
        ]);
    });
});

describe("policy cert-manager-ca-key-namespace", () => {
    const ca = (namespace?: string) => ({
        metadata: { name: "internal-ca", ...(namespace ? { namespace } : {}) },
        spec: { ca: { secretName: "internal-ca-key" } },
    });

    it("refuses a CA Issuer in an app's namespace, or in default", () => {
        assert.deepEqual(violations(run(certManagerCaKeyNamespace, resource(ISSUER, ca("payments")))), [
            'Issuer payments/internal-ca is a CA Issuer in payments: its CA key Secret "internal-ca-key" is readable ' +
                "there; keep CA keys in cert-manager (ClusterIssuer)",
        ]);
        assert.equal(violations(run(certManagerCaKeyNamespace, resource(ISSUER, ca()))).length, 1);
    });

    it("refuses it in every env", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            assert.equal(run(certManagerCaKeyNamespace, resource(ISSUER, ca("payments")), settingsOf(env)).length, 1);
        }
    });

    it("allows a CA Issuer in cert-manager's namespace, an ACME Issuer anywhere, and a CA ClusterIssuer", () => {
        assert.deepEqual(run(certManagerCaKeyNamespace, resource(ISSUER, ca("cert-manager"))), []);
        const acme = { metadata: { name: "acme", namespace: "payments" }, spec: { acme: {} } };
        assert.deepEqual(run(certManagerCaKeyNamespace, resource(ISSUER, acme)), []);
        assert.deepEqual(run(certManagerCaKeyNamespace, resource(CLUSTER_ISSUER, ca())), []);
    });

    it("reports an unknown namespace of a CA Issuer", () => {
        const issuer = ca("payments");
        (issuer.metadata as Record<string, unknown>).namespace = UNKNOWN;
        assert.deepEqual(unknowns(run(certManagerCaKeyNamespace, resource(ISSUER, issuer))), ["metadata.namespace"]);
    });

    it("leaves the platform chart's own issuers alone", () => {
        assert.deepEqual(
            run(
                certManagerNoSelfSigned,
                fromCertManagerChart(ISSUER, {
                    metadata: { name: "webhook-selfsign", namespace: "cert-manager" },
                    spec: { selfSigned: {} },
                }),
            ),
            [],
        );
    });
});
