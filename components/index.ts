/**
 * k8s-baseline: Pulumi components for a Kubernetes security and secrets baseline per environment.
 * Every component's type token is `k8s-baseline:index:<Name>`.
 */
export * as baseline from "./baseline";
export { Environment } from "./baseline";
export * from "./aws";
export * from "./kubernetes";
export * from "./vault";
export * from "./contract";
export * from "./platform-reference";
export * from "./addons/cert-manager";
export * from "./addons/external-secrets";
export * from "./addons/kyverno";
export * from "./addons/runtime-security";
export * from "./environment";
export * from "./cluster";
