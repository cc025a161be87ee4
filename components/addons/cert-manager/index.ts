/**
 * The cert-manager add-on: the pinned chart with hardened values, its Route 53 role, and the env's ClusterIssuer.
 */
export * from "./cert-manager";
export * from "./chart";
export * from "./cluster-issuer";
export * from "./iam";
