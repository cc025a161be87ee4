/**
 * The baseline: the one declaration of what every environment must look like. Data and small pure
 * helpers only; no resources. Components, the Kyverno policy generator and the CrossGuard pack import it.
 */
export * from "./environments";
export * from "./exposure";
export * from "./labels";
export * from "./naming";
export * from "./policy-exceptions";
export * from "./secret-stores";
export * from "./severity";
export * from "./validation";
export * from "./workloads";
export * from "./aws";
export * from "./rbac-subjects";
export * from "./network-peers";
export * from "./secret-store-credentials";
export * from "./topology";
export * from "./sops";
export * from "./stack-config";
export * from "./runtime-security";
export * from "./policy-names";
