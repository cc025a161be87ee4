export * from "./network";
export * from "./rbac";
export * from "./secure-namespace";
