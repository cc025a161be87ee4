/**
 * The Kubernetes platform policies: RBAC, Secrets, Namespaces, NetworkPolicies, the External Secrets, Kyverno,
 * cert-manager and Helm add-ons, the runtime security sensor's tracing policies, admission control, and Services and Ingresses. One file per concern; each
 * policy's `group` is its file's concern.
 */
import { Policy } from "../types";
import { admissionPolicies } from "./admission";
import { certManagerPolicies } from "./cert-manager";
import { externalSecretsPolicies } from "./external-secrets";
import { helmPolicies } from "./helm";
import { kyvernoPolicies } from "./kyverno";
import { namespacesPolicies } from "./namespaces";
import { networkPolicies } from "./network";
import { rbacPolicies } from "./rbac";
import { runtimeSecurityPolicies } from "./runtime-security";
import { secretsPolicies } from "./secrets";
import { servicesPolicies } from "./services";

export * from "./admission";
export * from "./cert-manager";
export * from "./external-secrets";
export * from "./helm";
export * from "./kyverno";
export * from "./namespaces";
export * from "./network";
export * from "./rbac";
export * from "./runtime-security";
export * from "./secrets";
export * from "./services";

/** Every Kubernetes platform policy, in group order. */
export const kubernetesPolicies: readonly Policy[] = [
    ...rbacPolicies,
    ...secretsPolicies,
    ...namespacesPolicies,
    ...networkPolicies,
    ...externalSecretsPolicies,
    ...kyvernoPolicies,
    ...certManagerPolicies,
    ...helmPolicies,
    ...runtimeSecurityPolicies,
    ...admissionPolicies,
    ...servicesPolicies,
];
