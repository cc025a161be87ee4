import { ACCOUNT, REGION } from "../../../mocks";
import { CertManagerArgs, EnvironmentIssuerArgs } from "../../../../components/addons/cert-manager";
import { Environment } from "../../../../components/baseline";
import { ISSUER, PROVIDER_ARN } from "../../aws/fixtures";

/** The hosted zones of an env: its own zone under example.com and one under example.org. */
export function zonesOf(env: Environment): { zoneId: string; domain: string }[] {
    const suffix = env.toUpperCase().padEnd(5, "X");
    return [
        { zoneId: `Z0123456789ABCDEF${suffix}`, domain: `${env}.example.com` },
        { zoneId: `Z9876543210ABCDEF${suffix}`, domain: `${env}.example.org` },
    ];
}

/** A CertManager as a platform would declare it for `env` (prod unless overridden). */
export function certManagerArgs(overrides: Partial<CertManagerArgs> = {}): CertManagerArgs {
    return { env: "prod", ...overrides };
}

/** An EnvironmentIssuer as a platform would declare it for `env` (prod unless overridden), through IRSA. */
export function issuerArgs(overrides: Partial<EnvironmentIssuerArgs> = {}): EnvironmentIssuerArgs {
    const env = overrides.env ?? "prod";
    return {
        project: "shop",
        env,
        accountId: ACCOUNT,
        region: REGION,
        oidcProviderArn: PROVIDER_ARN,
        oidcIssuer: ISSUER,
        hostedZones: zonesOf(env),
        acmeEmail: "platform@shop.example.org",
        ...overrides,
    };
}
