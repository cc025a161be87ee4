/**
 * The cert-manager add-on: the pinned chart with hardened values, once per cluster, and each env's
 * ClusterIssuer with its Route 53 role.
 */
export * from "./cert-manager";
export * from "./chart";
export * from "./cluster-issuer";
export * from "./environment-issuer";
export * from "./iam";
