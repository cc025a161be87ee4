/**
 * cert-manager: production certificates come from the production ACME directory, proven through DNS.
 */
import { Environment, PROFILES } from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { show } from "./common";

export const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
export const ISSUER = "kubernetes:cert-manager.io/v1:Issuer";

/**
 * In prod, an ACME ClusterIssuer (or namespaced Issuer) uses PROFILES.prod.acmeServer, and every solver is
 * DNS-01: a `dns01` solver and no `http01`, which would need every name reachable from the Internet through
 * an Ingress. Issuers that are not ACME (ca, selfSigned, vault, venafi) are outside this policy. The env is
 * envOf's; an issuer whose env nothing names is judged as prod. An unknown `spec.acme`, server or solver list
 * is reported as unknown.
 */
export const certManagerProdIssuer: ResourcePolicy = {
    kind: "resource",
    name: "cert-manager-prod-issuer",
    group: "cert-manager",
    description: "Prod ACME issuers use the production ACME directory and DNS-01 solvers only.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Set spec.acme.server to ${PROFILES.prod.acmeServer} and give only dns01 solvers (CertManager builds the ` +
        "env's ClusterIssuer this way, with Route 53).",
    url: "https://cert-manager.io/docs/configuration/acme/dns01/",
    types: [CLUSTER_ISSUER, ISSUER],
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? Environment.Prod;
        if (env !== Environment.Prod) return;
        const spec = resource.props?.spec;
        const acme = isUnknown(spec) ? spec : spec?.acme;
        if (isUnknown(acme)) {
            report.unknown("spec.acme");
            return;
        }
        if (acme === undefined || acme === null) return;
        const what = describeResource(resource);
        const expected = PROFILES.prod.acmeServer;
        if (isUnknown(acme.server)) report.unknown("spec.acme.server");
        else if (acme.server === undefined) report.violation(`${what} names no ACME server; prod uses ${expected}`);
        else if (acme.server !== expected) {
            report.violation(`${what} uses ACME server ${show(acme.server)} in prod, not ${expected}`);
        }
        const solvers = acme.solvers;
        if (isUnknown(solvers)) {
            report.unknown("spec.acme.solvers");
            return;
        }
        if (!Array.isArray(solvers) || solvers.length === 0) {
            report.violation(`${what} has no solvers; prod proves names with DNS-01`);
            return;
        }
        solvers.forEach((solver: any, i: number) => {
            if (isUnknown(solver)) {
                report.unknown(`spec.acme.solvers[${i}]`);
            } else if (solver?.http01 !== undefined) {
                report.violation(`${what}: spec.acme.solvers[${i}] is HTTP-01; prod uses DNS-01 only`);
            } else if (solver?.dns01 === undefined) {
                report.violation(`${what}: spec.acme.solvers[${i}] has no dns01 solver`);
            }
        });
    },
};

export const certManagerPolicies = [certManagerProdIssuer] as const;
