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
