/**
 * The Kyverno add-on: the pinned chart, and the baseline's admission policies generated from
 * components/baseline as CEL, with their time-limited exceptions.
 */
export * from "./baseline-policies";
export * from "./cel";
export * from "./chart";
export * from "./exceptions";
export * from "./kyverno";
export * from "./manifests";
export * from "./mutating-policies";
export * from "./policies";
export * from "./isolation-policies";
