/**
 * The `aws` group: KMS keys, IAM trust and permission documents, Secrets Manager secrets and EKS clusters,
 * judged from their inputs at preview: who a policy admits, and what it can reach.
 */
import { Policy } from "../types";
import {
    eksAccessEntry,
    eksAccessNoClusterAdmin,
    eksAccessWithinProfile,
    eksAuditLogs,
    eksSecretsEncryption,
} from "./eks";
import { irsaTrustPinned, noWildcardSecretsAccess } from "./iam";
import { attachedPolicies, policyEffect, secretScope } from "./identity";
import { kmsKeyRotation, kmsNoPublicAccess } from "./kms";
import { noIamUsers, noSecretsOutsideBackends } from "./outside-backends";
import { parameterCustomerKey, parameterEnvPrefix } from "./parameter-store";
import {
    kmsKeyHasPolicy,
    kmsKeyUseViaService,
    kmsNoDecryptingGrants,
    resourcePolicyPrincipals,
} from "./resource-policies";
import {
    rotationFunctionScope,
    secretCustomerKey,
    secretEnvPrefix,
    secretProdRotation,
    secretRecoveryWindow,
} from "./secrets-manager";
import {
    podIdentityTrustCluster,
    podIdentityTrustSessionTags,
    trustPrincipals,
    workloadIdentityBinding,
} from "./trust";

export * from "./documents";
export * from "./eks";
export * from "./iam";
export * from "./identity";
export * from "./kms";
export * from "./managed-policies";
export * from "./outside-backends";
export * from "./parameter-store";
export * from "./principals";
export * from "./resource-policies";
export * from "./scope";
export * from "./secrets-manager";
export * from "./trust";

export const awsPolicies: readonly Policy[] = [
    kmsKeyRotation,
    kmsNoPublicAccess,
    kmsKeyUseViaService,
    kmsKeyHasPolicy,
    kmsNoDecryptingGrants,
    resourcePolicyPrincipals,
    irsaTrustPinned,
    trustPrincipals,
    podIdentityTrustCluster,
    podIdentityTrustSessionTags,
    workloadIdentityBinding,
    noWildcardSecretsAccess,
    policyEffect,
    secretScope,
    attachedPolicies,
    noIamUsers,
    noSecretsOutsideBackends,
    secretCustomerKey,
    secretEnvPrefix,
    secretRecoveryWindow,
    parameterCustomerKey,
    parameterEnvPrefix,
    secretProdRotation,
    rotationFunctionScope,
    eksSecretsEncryption,
    eksAuditLogs,
    eksAccessNoClusterAdmin,
    eksAccessWithinProfile,
    eksAccessEntry,
];
