/**
 * An env's ClusterIssuer: ACME with DNS-01 through Route 53, built as data.
 */
import {
    AcmeServer,
    Environment,
    environmentClusterIssuerName,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    profileFor,
    RequiredLabel,
} from "../../baseline";
import { IdentityMode } from "../../aws/identity-validation";
import type { ResolvedEnvironmentIssuer } from "./environment-issuer";

/**
 * `<project>-<env>-acme`: the ClusterIssuer's name. It names the env, so a Certificate written for one env's
 * issuer finds no issuer, rather than the wrong one, in another env's cluster, and the envs' issuers coexist on
 * a shared cluster.
 */
export function certManagerClusterIssuerName(project: string, env: Environment): string {
    return environmentClusterIssuerName(project, env);
}

/** The Secret, in cert-manager's namespace, that holds the ACME account's private key. */
export function acmeAccountKeySecretName(issuerName: string): string {
    return `${issuerName}-account-key`;
}

/**
 * The Route 53 provider of a DNS-01 solver: with IRSA, the env's role, assumed with a token cert-manager
 * requests for the issuer's own ServiceAccount (`auth.kubernetes.serviceAccountRef`, audience
 * `sts.amazonaws.com` by default); with Pod Identity, the controller's ambient credentials.
 */
export interface Route53ProviderManifest {
    readonly region: string;
    readonly role?: string;
    readonly auth?: { readonly kubernetes: { readonly serviceAccountRef: { readonly name: string } } };
}

/** A DNS-01 solver through Route 53, for the names below `dnsZones`. */
export interface Route53SolverManifest {
    readonly selector: { readonly dnsZones: string[] };
    readonly dns01: { readonly route53: Route53ProviderManifest };
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

/** What the ClusterIssuer is built from. */
export type ClusterIssuerInput = Pick<
    ResolvedEnvironmentIssuer,
    "env" | "region" | "acmeEmail" | "clusterIssuerName" | "hostedZones"
> &
    Partial<Pick<ResolvedEnvironmentIssuer, "identityMode" | "roleArn" | "solverServiceAccountName">>;

/**
 * The env's ClusterIssuer: the ACME directory of the env's profile (Let's Encrypt staging until prod), and one
 * DNS-01 solver through Route 53 for the env's domains and their subdomains only. With IRSA the solver
 * assumes the env's role with its own ServiceAccount's token; with Pod Identity it uses the controller's
 * (ambient credentials, which only ClusterIssuers may use). No HTTP-01 solver: it would need an Ingress
 * reachable from the Internet for every name.
 */
export function certManagerClusterIssuer(resolved: ClusterIssuerInput): ClusterIssuerManifest {
    const byToken = (resolved.identityMode ?? IdentityMode.Irsa) === IdentityMode.Irsa;
    const route53: Route53ProviderManifest =
        byToken && resolved.roleArn && resolved.solverServiceAccountName
            ? {
                  region: resolved.region,
                  role: resolved.roleArn,
                  auth: { kubernetes: { serviceAccountRef: { name: resolved.solverServiceAccountName } } },
              }
            : { region: resolved.region };
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
                        dns01: { route53 },
                    },
                ],
            },
        },
    };
}
