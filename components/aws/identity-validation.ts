import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, ArgumentError } from "../baseline";
import { irsaTrustPolicy, podIdentityTrustPolicy } from "./iam";
/** Checks on the cluster identity inputs that only become plain strings once the cluster exists. */

/** Problems with an OIDC issuer as IRSA condition keys need it: host and path, no scheme, no wildcard. */
export function oidcIssuerProblems(issuer: string): string[] {
    const problems: string[] = [];
    if (/^[a-z]+:\/\//i.test(issuer)) problems.push(`${JSON.stringify(issuer)} includes a scheme`);
    if (issuer.includes("*")) problems.push(`${JSON.stringify(issuer)} contains a wildcard`);
    if (issuer.endsWith("/")) problems.push(`${JSON.stringify(issuer)} ends with '/'`);
    if (!/^[a-z0-9.-]+\.[a-z]{2,}(\/[A-Za-z0-9._-]+)*$/.test(issuer.replace(/^[a-z]+:\/\//i, "").replace(/\/$/, ""))) {
        problems.push(`${JSON.stringify(issuer)} is not a host name followed by a path`);
    }
    return problems;
}

export const OIDC_ISSUER_FIX =
    'give the issuer\'s host and path as IAM condition keys use it, e.g. "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"';

/** Problems with an OIDC provider ARN for `issuer` in `accountId`. */
export function oidcProviderArnProblems(arn: string, accountId: string, issuer?: string): string[] {
    const match = /^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn);
    if (!match) return [`${JSON.stringify(arn)} is not an IAM OIDC provider ARN`];
    const problems: string[] = [];
    if (match[1] !== accountId) problems.push(`${arn} belongs to account ${match[1]}, not ${accountId}`);
    if (issuer !== undefined && match[2] !== issuer) problems.push(`${arn} is not the provider of issuer ${issuer}`);
    return problems;
}

export const OIDC_PROVIDER_FIX =
    "give the ARN of the cluster's IAM OIDC provider, arn:aws:iam::<account>:oidc-provider/<issuer>";

/** How a ServiceAccount is given an AWS role. */
export const IdentityMode = {
    /** IAM Roles for Service Accounts: the cluster's OIDC provider and a projected token. */
    Irsa: "irsa",
    /** EKS Pod Identity: the EKS Pod Identity Agent and a PodIdentityAssociation. */
    PodIdentity: "pod-identity",
} as const;
export type IdentityMode = (typeof IdentityMode)[keyof typeof IdentityMode];

const MODES: readonly string[] = Object.values(IdentityMode);

/** The cluster identity fields WorkloadIdentity and CertManager share. */
export interface ClusterIdentityInput {
    readonly identityMode?: IdentityMode;
    readonly oidcProviderArn?: pulumi.Input<string>;
    readonly oidcIssuer?: pulumi.Input<string>;
    readonly clusterName?: pulumi.Input<string>;
    readonly accountId: string;
}

/**
 * Checks the identity mode and the fields it needs: the OIDC provider and issuer for IRSA (each checked
 * now when a plain string, and again when an Output resolves), the cluster name for Pod Identity.
 * Returns the mode, defaulted to IRSA.
 */
export function checkClusterIdentity(check: ArgsChecker, args: ClusterIdentityInput): IdentityMode {
    const identityMode = args.identityMode ?? IdentityMode.Irsa;
    check.check(
        MODES.includes(identityMode),
        "identityMode",
        `${JSON.stringify(identityMode)} is not an identity mode`,
        `use one of ${MODES.join(", ")}`,
    );
    if (identityMode === IdentityMode.Irsa) {
        check.check(args.oidcProviderArn !== undefined, "oidcProviderArn", "is required with irsa", OIDC_PROVIDER_FIX);
        check.check(args.oidcIssuer !== undefined, "oidcIssuer", "is required with irsa", OIDC_ISSUER_FIX);
        if (typeof args.oidcIssuer === "string") {
            for (const problem of oidcIssuerProblems(args.oidcIssuer))
                check.fail("oidcIssuer", problem, OIDC_ISSUER_FIX);
        }
        if (typeof args.oidcProviderArn === "string" && typeof args.accountId === "string") {
            const issuer = typeof args.oidcIssuer === "string" ? args.oidcIssuer : undefined;
            for (const problem of oidcProviderArnProblems(args.oidcProviderArn, args.accountId, issuer)) {
                check.fail("oidcProviderArn", problem, OIDC_PROVIDER_FIX);
            }
        }
    } else if (identityMode === IdentityMode.PodIdentity) {
        check.check(
            args.clusterName !== undefined,
            "clusterName",
            "is required with pod-identity",
            "give the EKS cluster's name",
        );
    }
    return identityMode;
}

/** Where a trust policy's role lives and which ServiceAccount it is for, once checked. */
export interface TrustTarget {
    readonly identityMode: IdentityMode;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
}

/**
 * A role's trust policy: the ServiceAccount's projected token through IRSA, or the EKS Pod Identity service
 * for the cluster. The issuer and provider are often Outputs of the cluster, known only at deployment: they
 * are checked when they resolve, with the same rules as at construction, and reported as `component`'s.
 */
export function trustPolicyFor(
    component: string,
    name: string,
    target: TrustTarget,
    args: Pick<ClusterIdentityInput, "oidcProviderArn" | "oidcIssuer" | "clusterName">,
): pulumi.Output<string> {
    const { namespace, serviceAccountName: serviceAccount } = target;
    if (target.identityMode === IdentityMode.Irsa) {
        return pulumi.all([args.oidcProviderArn!, args.oidcIssuer!]).apply(([oidcProviderArn, oidcIssuer]) => {
            const problems = [
                ...oidcIssuerProblems(oidcIssuer).map((p) => `oidcIssuer: ${p}; fix: ${OIDC_ISSUER_FIX}`),
                ...oidcProviderArnProblems(oidcProviderArn, target.accountId, oidcIssuer).map(
                    (p) => `oidcProviderArn: ${p}; fix: ${OIDC_PROVIDER_FIX}`,
                ),
            ];
            if (problems.length > 0) throw new ArgumentError(component, name, problems);
            return JSON.stringify(irsaTrustPolicy({ oidcProviderArn, oidcIssuer, namespace, serviceAccount }));
        });
    }
    const clusterArn = pulumi.interpolate`arn:${target.partition}:eks:${target.region}:${target.accountId}:cluster/${args.clusterName!}`;
    return clusterArn.apply((arn) =>
        JSON.stringify(podIdentityTrustPolicy(target.accountId, arn, namespace, serviceAccount)),
    );
}
