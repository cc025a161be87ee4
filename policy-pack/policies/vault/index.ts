/** The `vault` group: app ACL policies and Kubernetes auth roles, judged from their inputs at preview. */
import { Policy } from "../types";
import { vaultAppPolicyScope, vaultNoWriteCapabilities } from "./acl";
import { vaultK8sRoleBound } from "./kubernetes-auth";

export * from "./acl";
export * from "./hcl";
export * from "./kubernetes-auth";

export const vaultPolicies: readonly Policy[] = [vaultAppPolicyScope, vaultNoWriteCapabilities, vaultK8sRoleBound];
