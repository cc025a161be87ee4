/**
 * cert-manager-prod-issuer, on the ClusterIssuer CertManager builds.
 */
import * as assert from "node:assert/strict";
import type { ResolvedCertManager } from "../../../../components/addons/cert-manager/cert-manager";
import { certManagerClusterIssuer } from "../../../../components/addons/cert-manager/cluster-issuer";
import { AcmeServer, PROFILES } from "../../../../components/baseline";
import { CLUSTER_ISSUER, certManagerProdIssuer, ISSUER } from "../../../../policy-pack/policies/kubernetes";
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
    } as Partial<ResolvedCertManager> as ResolvedCertManager;
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
