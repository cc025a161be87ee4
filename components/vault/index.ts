/**
 * Vault: an environment's KV v2 mount and Kubernetes auth backend, per-app read access, and the policy
 * functions both are built on.
 */
export * from "./policy";
export * from "./vault-environment";
export * from "./vault-app-access";
