/**
 * The ClusterIssuer every env's EnvironmentIssuer emits, on a cluster of its own and a shared one,, against cert-manager's own CRD schema (../shared/crds).
 */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, settled } from "../../../mocks";
installMocks();
import { EnvironmentIssuer } from "../../../../components/addons/cert-manager";
import { ENVIRONMENTS } from "../../../../components/baseline";
import { sharedTopology } from "../kyverno/fixtures";
import { customResourceErrors, Manifest, manifestOf } from "../../../k8s-schemas";
import { issuerArgs } from "./fixtures";

describe("cert-manager custom resources, against the upstream CRD schemas", () => {
    const issuers: Manifest[] = [];

    before(async () => {
        resetResources();
        for (const env of ENVIRONMENTS) {
            new EnvironmentIssuer(`${env}-cert-manager`, issuerArgs({ env }));
            new EnvironmentIssuer(`${env}-shared`, issuerArgs({ env, topology: sharedTopology() }));
        }
        new EnvironmentIssuer(
            "pod-identity",
            issuerArgs({
                env: "dev",
                identityMode: "pod-identity",
                oidcIssuer: undefined,
                oidcProviderArn: undefined,
                clusterName: "shop",
            }),
        );
        await settled();
        issuers.push(...ofType("kubernetes:cert-manager.io/v1:ClusterIssuer").map((r) => manifestOf(r.type, r.inputs)));
    });

    it("emits one ClusterIssuer per EnvironmentIssuer, each valid against cert-manager.io/v1", () => {
        assert.equal(issuers.length, 2 * ENVIRONMENTS.length + 1);
        for (const issuer of issuers) {
            assert.equal(issuer.apiVersion, "cert-manager.io/v1");
            assert.deepEqual(customResourceErrors(issuer), [], issuer.metadata?.name);
        }
    });

    it("uses no field the pinned v1.21 release lacks", () => {
        // The schemas are from cert-manager's main branch, a little ahead of the pinned chart: fields that came
        // after v1.21.1 would validate here and be pruned by the CRDs the chart installs.
        for (const issuer of issuers) {
            assert.equal(issuer.spec.acme.renewalInformationSource, undefined);
            for (const solver of issuer.spec.acme.solvers) assert.equal(solver.dns01.nameservers, undefined);
        }
    });

    describe("the validation catches a broken ClusterIssuer", () => {
        const broken = (change: (issuer: any) => void): Manifest => {
            const copy = structuredClone(issuers[0]);
            change(copy);
            return copy;
        };

        it("a misspelled solver field", () => {
            const issuer = broken((i) => {
                i.spec.acme.solvers[0].dns01.route53.regoin = i.spec.acme.solvers[0].dns01.route53.region;
                delete i.spec.acme.solvers[0].dns01.route53.region;
            });
            assert.deepEqual(customResourceErrors(issuer), [
                "/spec/acme/solvers/0/dns01/route53 has a field the schema does not declare: regoin",
            ]);
        });

        it("a misspelled solver type", () => {
            const issuer = broken((i) => {
                i.spec.acme.solvers[0].dns1 = i.spec.acme.solvers[0].dns01;
                delete i.spec.acme.solvers[0].dns01;
            });
            assert.deepEqual(customResourceErrors(issuer), [
                "/spec/acme/solvers/0 has a field the schema does not declare: dns1",
            ]);
        });

        it("a misspelled required field", () => {
            const issuer = broken((i) => {
                i.spec.acme.privateKeySecret = i.spec.acme.privateKeySecretRef;
                delete i.spec.acme.privateKeySecretRef;
            });
            const problems = customResourceErrors(issuer);
            assert.ok(
                problems.some((p) => p.includes("privateKeySecretRef")),
                problems.join("\n"),
            );
        });

        it("dnsZones given as a string", () => {
            const issuer = broken((i) => (i.spec.acme.solvers[0].selector.dnsZones = "dev.example.com"));
            const problems = customResourceErrors(issuer);
            assert.ok(
                problems.some((p) => p.startsWith("/spec/acme/solvers/0/selector/dnsZones")),
                problems.join("\n"),
            );
        });

        it("a version cert-manager does not serve", () => {
            const issuer = broken((i) => (i.apiVersion = "cert-manager.io/v1alpha2"));
            assert.notDeepEqual(customResourceErrors(issuer), []);
        });
    });
});
