/**
 * The `aws` group: KMS keys, IAM trust and permission documents, Secrets Manager secrets and EKS clusters,
 * judged from their inputs at preview.
 */
import { Policy } from "../types";
import { eksAuditLogs, eksSecretsEncryption } from "./eks";
import { irsaTrustPinned, noWildcardSecretsAccess } from "./iam";
import { kmsKeyRotation, kmsNoPublicAccess } from "./kms";
import { secretCustomerKey, secretEnvPrefix, secretRecoveryWindow } from "./secrets-manager";

export * from "./documents";
export * from "./eks";
export * from "./iam";
export * from "./kms";
export * from "./secrets-manager";

export const awsPolicies: readonly Policy[] = [
    kmsKeyRotation,
    kmsNoPublicAccess,
    irsaTrustPinned,
    noWildcardSecretsAccess,
    secretCustomerKey,
    secretEnvPrefix,
    secretRecoveryWindow,
    eksSecretsEncryption,
    eksAuditLogs,
];
