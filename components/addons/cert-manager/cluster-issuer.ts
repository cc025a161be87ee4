/**
 * The env's ClusterIssuer: ACME with DNS-01 through Route 53, built as data.
 */
import {
    AcmeServer,
    appResourceName,
    Environment,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    profileFor,
    RequiredLabel,
} from "../../baseline";
import type { ResolvedCertManager } from "./cert-manager";

/**
 * `<project>-<env>-acme`: the ClusterIssuer's name. It names the env, so a Certificate written for one env's
 * issuer finds no issuer, rather than the wrong one, in another env's cluster.
 */
export function certManagerClusterIssuerName(project: string, env: Environment): string {
    return appResourceName(project, env, "acme");
}

/** The Secret, in cert-manager's namespace, that holds the ACME account's private key. */
export function acmeAccountKeySecretName(issuerName: string): string {
    return `${issuerName}-account-key`;
}

/** A DNS-01 solver through Route 53 with the solver's ambient credentials, for the names below `dnsZones`. */
export interface Route53SolverManifest {
    readonly selector: { readonly dnsZones: string[] };
    readonly dns01: { readonly route53: { readonly region: string } };
}

/** A ClusterIssuer manifest (cert-manager.io/v1) of an ACME issuer. */
export interface ClusterIssuerManifest {
    readonly apiVersion: "cert-manager.io/v1";
    readonly kind: "ClusterIssuer";
    readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
    readonly spec: {
        readonly acme: {
            readonly server: AcmeServer;
            readonly email: string;
            readonly privateKeySecretRef: { readonly name: string };
            readonly solvers: Route53SolverManifest[];
        };
    };
}

/**
 * The env's ClusterIssuer: the ACME directory of the env's profile (Let's Encrypt staging until prod), and one
 * DNS-01 solver through Route 53 for the env's domains and their subdomains only. The solver names no
 * credentials: cert-manager uses its own role (ambient credentials, which only ClusterIssuers may use). No
 * HTTP-01 solver: it would need an Ingress reachable from the Internet for every name.
 */
export function certManagerClusterIssuer(resolved: ResolvedCertManager): ClusterIssuerManifest {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: {
            name: resolved.clusterIssuerName,
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RequiredLabel.Env]: resolved.env },
        },
        spec: {
            acme: {
                server: profileFor(resolved.env).acmeServer,
                email: resolved.acmeEmail,
                privateKeySecretRef: { name: acmeAccountKeySecretName(resolved.clusterIssuerName) },
                solvers: [
                    {
                        // dnsZones matches each domain and every name below it.
                        selector: { dnsZones: resolved.hostedZones.map((zone) => zone.domain) },
                        dns01: { route53: { region: resolved.region } },
                    },
                ],
            },
        },
    };
}
