export * from "./app-secrets";
export * from "./cluster-access";
export * from "./environment-key";
export * from "./iam";
export * from "./parameter-store";
export * from "./stack-secrets-key";
export * from "./workload-identity";
