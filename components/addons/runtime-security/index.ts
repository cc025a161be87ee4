/**
 * The runtime security add-on: Falco or Tetragon, once per cluster, with rules generated from the baseline.
 */
export * from "./chart";
export * from "./environment-tracing-policies";
export * from "./falco-rules";
export * from "./runtime-security";
export * from "./tracing-policies";
