/**
 * External Secrets facts: how a SecretStore may prove who it is, which ServiceAccount is an app's, what an
 * ExternalSecret may write, and which generators an environment admits. Components and the pack read them.
 */
import { Environment } from "./environments";
import { DEFAULT_SERVICE_ACCOUNT } from "./naming";

/** The label that names the app an object belongs to (AppExternalSecrets and WorkloadIdentity set it). */
export const APP_NAME_LABEL = "app.kubernetes.io/name";

/**
 * The ServiceAccount an app runs as, unless it names another one: the app's own name (SecureEnvironment's
 * default). A store that names any other ServiceAccount must show, by that account's app label, that it is
 * the app's.
 */
export function appServiceAccountName(app: string): string {
    return app;
}

/**
 * ServiceAccounts that are never one app's identity: `default` runs every pod of a namespace that names no
 * ServiceAccount, so a store authenticating as it reads with whatever any pod there may read.
 */
export const SHARED_SERVICE_ACCOUNTS: readonly string[] = [DEFAULT_SERVICE_ACCOUNT];

/**
 * The only ways a SecretStore may authenticate: each names a ServiceAccount of the store's own namespace,
 * whose token the operator requests and the backend maps to that app's role. Anything else (no `auth`,
 * static keys, a Vault token, AppRole, userpass, certificates, managed identities, the controller's or the
 * node's own identity) is not a per-app identity. Keys are `<provider>.<method>`.
 */
export const SecretStoreAuthMethod = {
    /** AWS IRSA: `aws.auth.jwt.serviceAccountRef`. */
    AwsJwt: "aws.jwt",
    /** Vault Kubernetes auth with a token requested for the ServiceAccount: `vault.auth.kubernetes.serviceAccountRef`. */
    VaultKubernetes: "vault.kubernetes",
    /** Vault JWT auth with a requested token: `vault.auth.jwt.kubernetesServiceAccountToken.serviceAccountRef`. */
    VaultJwt: "vault.jwt",
    /** GKE Workload Identity: `gcpsm.auth.workloadIdentity.serviceAccountRef`. */
    GcpWorkloadIdentity: "gcpsm.workloadIdentity",
    /** Azure Workload Identity: `azurekv.authType: WorkloadIdentity` with `azurekv.serviceAccountRef`. */
    AzureWorkloadIdentity: "azurekv.WorkloadIdentity",
    /** The cluster's own API, as a ServiceAccount: `kubernetes.auth.serviceAccount`, reading its own namespace. */
    KubernetesServiceAccount: "kubernetes.serviceAccount",
} as const;
export type SecretStoreAuthMethod = (typeof SecretStoreAuthMethod)[keyof typeof SecretStoreAuthMethod];

/** The auth methods a store may use, per environment. The same everywhere: identity is not a dev convenience. */
export const SECRET_STORE_AUTH_METHODS: Readonly<Record<Environment, readonly SecretStoreAuthMethod[]>> = {
    dev: Object.values(SecretStoreAuthMethod),
    stage: Object.values(SecretStoreAuthMethod),
    prod: Object.values(SecretStoreAuthMethod),
};

/**
 * How an ExternalSecret may create its Secret: `Owner` (it owns and garbage-collects it) or `None` (it writes
 * nothing). `Merge` and `CreateOrMerge` write into a Secret someone else owns (a ServiceAccount token, another
 * app's credentials), and `Orphan` leaves a Secret behind that nothing manages.
 */
export const EXTERNAL_SECRET_CREATION_POLICIES: readonly string[] = ["Owner", "None"];

/** The API group of External Secrets generators. */
export const GENERATORS_API_GROUP = "generators.external-secrets.io";

/** Every generator kind of the operator the platform installs (the ExternalSecret CRD's generatorRef enum). */
export const GENERATOR_KINDS: readonly string[] = [
    "ACRAccessToken",
    "BeyondtrustWorkloadCredentialsDynamicSecret",
    "ClusterGenerator",
    "CloudsmithAccessToken",
    "ECRAuthorizationToken",
    "Fake",
    "GCRAccessToken",
    "GithubAccessToken",
    "GitlabDeployToken",
    "QuayAccessToken",
    "Password",
    "SSHKey",
    "STSSessionToken",
    "UUID",
    "VaultDynamicSecret",
    "Webhook",
    "Grafana",
    "MFA",
];

/**
 * The generators an app may use, per environment. Password, UUID and SSHKey only draw random bytes inside
 * the operator: no credential, no call out, no identity. VaultDynamicSecret is admitted in every env for one
 * use, an app's dynamic database credentials: it logs in as the app's own ServiceAccount through the app's
 * Kubernetes auth role and reads the app's own `<mount>/creds/<role>`, which the pack checks
 * (external-secrets-vault-dynamic-secret-scope); the credential is issued, leased and revoked by Vault, where
 * it is audited. Every other kind authenticates somewhere (ECR, STS, GitHub, a webhook), with the
 * controller's own identity when it names none, and `ClusterGenerator` hides which kind it is behind a
 * cluster-wide object. Prod admits no random generator: a generated value changes on every refresh, so a
 * prod secret comes from the backend, where it is versioned and audited.
 */
export const ALLOWED_GENERATOR_KINDS: Readonly<Record<Environment, readonly string[]>> = {
    dev: ["Password", "UUID", "SSHKey", "VaultDynamicSecret"],
    stage: ["Password", "UUID", "SSHKey", "VaultDynamicSecret"],
    prod: ["VaultDynamicSecret"],
};

/** The generators `env` admits. */
export function allowedGeneratorKinds(env: Environment): readonly string[] {
    return ALLOWED_GENERATOR_KINDS[env];
}

/**
 * Whether `address` is a Vault server the baseline lets a store or generator talk to: an `https://` URL of a
 * host, with no credentials, query or fragment in it. The operator sends the app's ServiceAccount token to it
 * and reads secrets back over it, so plain `http://` hands both to anyone on the path.
 */
export function isVaultServerAddress(address: string): boolean {
    let url: URL;
    try {
        url = new URL(address);
    } catch {
        return false;
    }
    return (
        url.protocol === "https:" &&
        url.hostname.length > 0 &&
        url.username === "" &&
        url.password === "" &&
        url.search === "" &&
        url.hash === ""
    );
}
