export * from "./network";
export * from "./rbac";
export * from "./secure-namespace";
export * from "./service-account-policy";
