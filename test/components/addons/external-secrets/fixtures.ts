import { REGION } from "../../../mocks";
import { AppExternalSecretsArgs, SecretBackend, VaultStoreArgs } from "../../../../components/addons/external-secrets";

/** A CA certificate in PEM form, base64-encoded as a SecretStore's caBundle takes it. */
export const CA_BUNDLE = Buffer.from(
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowCgYIKoZIzj0E\n-----END CERTIFICATE-----\n",
).toString("base64");

/** The Vault side of the prod environment, as VaultEnvironment and VaultAppAccess name it. */
export function vaultStore(overrides: Partial<VaultStoreArgs> = {}): VaultStoreArgs {
    return {
        server: "https://vault.example.com:8200",
        mountPath: "shop-prod-kv",
        authPath: "kubernetes-shop-prod",
        role: "shop-prod-payments",
        ...overrides,
    };
}

/** The payments app in prod reading two secrets from Secrets Manager. */
export function awsArgs(overrides: Partial<AppExternalSecretsArgs> = {}): AppExternalSecretsArgs {
    return {
        project: "shop",
        env: "prod",
        app: "payments",
        namespace: "payments",
        serviceAccountName: "payments-api",
        backend: SecretBackend.AwsSecretsManager,
        region: REGION,
        secrets: [{ name: "db-password" }, { name: "shop-prod/payments/stripe", keys: ["api-key", "webhook-secret"] }],
        ...overrides,
    };
}

/** The same app reading the same secrets from Parameter Store. */
export function parameterStoreArgs(overrides: Partial<AppExternalSecretsArgs> = {}): AppExternalSecretsArgs {
    return {
        ...awsArgs(),
        backend: SecretBackend.AwsParameterStore,
        secrets: [{ name: "db-password" }, { name: "/shop-prod/payments/stripe", keys: ["api-key", "webhook-secret"] }],
        ...overrides,
    };
}

/** The same app reading the same secrets from Vault. */
export function vaultArgs(overrides: Partial<AppExternalSecretsArgs> = {}): AppExternalSecretsArgs {
    return {
        ...awsArgs(),
        backend: SecretBackend.Vault,
        region: undefined,
        vault: vaultStore(),
        secrets: [{ name: "db-password" }, { name: "prod/payments/stripe", keys: ["api-key", "webhook-secret"] }],
        ...overrides,
    };
}
