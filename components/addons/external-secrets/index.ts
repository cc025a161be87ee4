/**
 * The External Secrets Operator add-on: the operator itself, and per app a SecretStore bound to the app's own
 * ServiceAccount with one ExternalSecret per secret, built as data by the functions in manifests.ts.
 */
export * from "./manifests";
export * from "./operator";
export * from "./app-external-secrets";
