/**
 * cert-manager: production certificates come from the production ACME directory, proven through DNS; no
 * self-signed issuer in prod; and no CA key in an app's namespace.
 */
import { Environment, exposureProfileFor, PLATFORM_NAMESPACES, PROFILES } from "../../../components/baseline";
import { isPlatformChartResource } from "../platform";
import { describeResource, envOf, isUnknown, namespaceOf } from "../resource";
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

/**
 * No self-signed issuer (`spec.selfSigned`) where the env's exposure profile refuses them (prod): a
 * self-signed certificate chains to nothing a client trusts, so clients either fail or are told to skip
 * verification, which then accepts anyone's certificate. Issuers of the platform's charts are left to them.
 */
export const certManagerNoSelfSigned: ResourcePolicy = {
    kind: "resource",
    name: "cert-manager-no-self-signed",
    group: "cert-manager",
    description: "Prod has no self-signed Issuer or ClusterIssuer: its certificates chain to no trusted CA.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Issue prod certificates from the env's ACME ClusterIssuer (CertManager creates it) or a CA issuer whose key " +
        "the platform holds; keep selfSigned issuers to dev and stage.",
    url: "https://cert-manager.io/docs/configuration/selfsigned/",
    types: [CLUSTER_ISSUER, ISSUER],
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings)) return;
        if (exposureProfileFor(envOf(resource, settings)).selfSignedIssuers) return;
        const spec = resource.props?.spec;
        const selfSigned = isUnknown(spec) ? spec : spec?.selfSigned;
        if (isUnknown(selfSigned)) {
            report.unknown("spec.selfSigned");
            return;
        }
        if (selfSigned !== undefined && selfSigned !== null) {
            report.violation(`${describeResource(resource)} is a selfSigned issuer, which prod does not allow`);
        }
    },
};

/**
 * A CA issuer (`spec.ca`) signs with the key in its `secretName`, read from the issuer's own namespace for an
 * Issuer and from cert-manager's (the cluster resource namespace) for a ClusterIssuer. A namespaced CA Issuer
 * outside cert-manager's namespace keeps a CA key where that namespace's users (anyone who may read its
 * Secrets, or run a pod that mounts them) can take it and sign any name the CA is trusted for. So CA issuers are
 * ClusterIssuers, or Issuers in cert-manager's own namespace, in every env: a CA key is never an app's Secret.
 */
export const certManagerCaKeyNamespace: ResourcePolicy = {
    kind: "resource",
    name: "cert-manager-ca-key-namespace",
    group: "cert-manager",
    description:
        "A CA issuer's signing key sits in cert-manager's namespace: only a ClusterIssuer (or an Issuer in " +
        `${PLATFORM_NAMESPACES.certManager}) may be of type ca, never an Issuer in an app's namespace.`,
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Move the CA key Secret to ${PLATFORM_NAMESPACES.certManager} and issue through a ClusterIssuer of type ca; ` +
        "apps request Certificates from it.",
    url: "https://cert-manager.io/docs/configuration/ca/",
    types: [ISSUER],
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings)) return;
        const spec = resource.props?.spec;
        const ca = isUnknown(spec) ? spec : spec?.ca;
        if (isUnknown(ca)) {
            report.unknown("spec.ca");
            return;
        }
        if (ca === undefined || ca === null) return;
        const namespace = namespaceOf(resource);
        const metadata = resource.props?.metadata;
        if (isUnknown(metadata) || isUnknown(metadata?.namespace)) {
            report.unknown("metadata.namespace");
            return;
        }
        if (namespace === PLATFORM_NAMESPACES.certManager) return;
        report.violation(
            `${describeResource(resource)} is a CA Issuer in ${namespace ?? "default"}: its CA key Secret ` +
                `${show(ca.secretName)} is readable there; keep CA keys in ${PLATFORM_NAMESPACES.certManager} (ClusterIssuer)`,
        );
    },
};

export const certManagerPolicies = [certManagerProdIssuer, certManagerNoSelfSigned, certManagerCaKeyNamespace] as const;
