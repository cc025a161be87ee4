/**
 * SecretStore auth that one SecretStore shows to be no app identity, field by field: what admission can
 * refuse without CIDR-like reasoning or other objects. The whole whitelist (SECRET_STORE_AUTH_METHODS, each
 * naming the app's own ServiceAccount) is the pack's.
 */

/** Providers that, given no `auth`, fall back to the operator's own (or the node's) identity. */
export const PROVIDERS_WITHOUT_AUTH_FALLBACK: readonly string[] = ["aws"];

/**
 * Auth methods, by provider, that log in with credentials kept in a Secret: AWS static access keys
 * (`auth.secretRef`) and a Vault token (`auth.tokenSecretRef`).
 */
export const STORED_CREDENTIAL_AUTH: Readonly<Record<string, readonly string[]>> = {
    aws: ["secretRef"],
    vault: ["tokenSecretRef"],
};
