/** The stacks and their config, read as the offline plan reads them (policy-pack/harness/stack-config). */
import { ENVIRONMENTS } from "../../components/baseline";

export { stackArgs, stackFileConfig, stackValues } from "../../policy-pack/harness/stack-config";

/** One stack per environment; a missing stack file fails the tests that read it. */
export const STACKS = ENVIRONMENTS;

/** The `apps` output of the prod stack (stacks/Pulumi.prod.yaml) in account `account`, as the contract gives it. */
export function prodContractApps(account: string): Record<string, unknown> {
    const app = (name: string, secretStoreName: string, secretNames: string[]) => ({
        namespace: name,
        serviceAccountName: name,
        roleArn: `arn:aws:iam::${account}:role/shop-prod-${name}`,
        secretStoreName,
        secretNames,
    });
    return {
        payments: app("payments", "payments-store", ["payments-db-password", "payments-psp-api-key"]),
        orders: app("orders", "orders-store", ["orders-db-url"]),
        reports: app("reports", "", []),
    };
}
