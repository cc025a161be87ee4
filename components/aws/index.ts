export * from "./app-secrets";
export * from "./environment-key";
export * from "./iam";
export * from "./stack-secrets-key";
export * from "./workload-identity";
