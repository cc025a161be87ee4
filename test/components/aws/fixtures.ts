import { ACCOUNT, REGION } from "../../mocks";
import { WorkloadIdentityArgs } from "../../../components/aws/workload-identity";

export const ISSUER = `oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export function identityArgs(overrides: Partial<WorkloadIdentityArgs> = {}): WorkloadIdentityArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        namespace: "payments",
        accountId: ACCOUNT,
        region: REGION,
        oidcProviderArn: PROVIDER_ARN,
        oidcIssuer: ISSUER,
        environmentKeyArn: KEY_ARN,
        ...overrides,
    };
}
