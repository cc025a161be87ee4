/** The `vault` group: app ACL policies and Kubernetes auth roles, judged from their inputs at preview. */
import { Policy } from "../types";
import { vaultAppPolicyScope, vaultNoWriteCapabilities } from "./acl";
import { vaultDatabaseCredsScope, vaultDatabaseRoleTtl } from "./database";
import { vaultK8sRoleBound } from "./kubernetes-auth";

export * from "./acl";
export * from "./database";
export * from "./hcl";
export * from "./kubernetes-auth";

export const vaultPolicies: readonly Policy[] = [
    vaultAppPolicyScope,
    vaultNoWriteCapabilities,
    vaultK8sRoleBound,
    vaultDatabaseCredsScope,
    vaultDatabaseRoleTtl,
];
