/**
 * Credentials and secrets kept where the baseline's backends do not protect them: IAM users and their
 * long-lived access keys (the baseline's identities are roles only), secrets in plain SSM parameters, and
 * secret files in S3 objects.
 */
import { describeResource, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";

export const IAM_USER = "aws:iam/user:User";
export const IAM_ACCESS_KEY = "aws:iam/accessKey:AccessKey";
export const IAM_USER_LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
export const S3_BUCKET_OBJECT = "aws:s3/bucketObject:BucketObject";
export const S3_BUCKET_OBJECT_V2 = "aws:s3/bucketObjectv2:BucketObjectv2";

/**
 * `aws-no-iam-users`: no IAM user, access key or console login profile. Every identity of the baseline is a
 * role assumed through a workload identity (IRSA, Pod Identity) or by a service; a user's access key is a
 * long-lived credential that never expires, is not bound to a ServiceAccount, and ends up in a secret
 * somewhere.
 */
export const noIamUsers: ResourcePolicy = {
    kind: "resource",
    name: "aws-no-iam-users",
    group: "aws",
    description: "No IAM users, access keys or login profiles: the baseline's identities are roles only.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give the workload a WorkloadIdentity (IRSA or Pod Identity) role, and people SSO roles; delete the user and its keys.",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
    types: [IAM_USER, IAM_ACCESS_KEY, IAM_USER_LOGIN_PROFILE],
    validate(resource, _settings, report) {
        const what =
            resource.type === IAM_ACCESS_KEY
                ? "a long-lived access key"
                : resource.type === IAM_USER_LOGIN_PROFILE
                  ? "a console password"
                  : "an IAM user";
        report.violation(`${describeResource(resource)} is ${what}; the baseline uses roles only`);
    },
};

/** Words that name a secret in a parameter name or object key, as whole `-_./` separated words. */
const SECRET_WORD =
    /(^|[^a-z0-9])(password|passwd|passphrase|pwd|secret|secrets|token|tokens|api[-_]?key|apikey|private[-_]?key|privatekey|credentials?|creds|access[-_]?key|secret[-_]?key|client[-_]?secret|connection[-_]?string|signing[-_]?key|ssh[-_]?key)([^a-z0-9]|$)/i;
/** File names and extensions that hold keys or credentials. */
const SECRET_FILE =
    /(^|\/)(id_rsa|id_dsa|id_ecdsa|id_ed25519|\.env(\.[a-z0-9]+)?|\.npmrc|\.pypirc|\.netrc|\.pgpass|\.git-credentials|kubeconfig|\.dockerconfigjson|credentials(\.json)?)$|\.(pem|key|p12|pfx|jks|keystore|ppk|asc|gpg|kdbx|tfstate)$/i;
/** Values that are credentials whatever they are called. */
const SECRET_VALUE = [
    /\b(AKIA|ASIA)[A-Z0-9]{16}\b/, // AWS access key id
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]+@/i, // URL with a password
    /\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/,
    /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
    /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // a JWT
    /\bsk_live_[A-Za-z0-9]{16,}/,
];

function looksSecretValue(value: unknown): boolean {
    return typeof value === "string" && SECRET_VALUE.some((pattern) => pattern.test(value));
}

/**
 * `aws-no-secrets-outside-backends`: secrets live in the env's backends (Secrets Manager under the env key,
 * or Vault), not:
 * - in an SSM parameter of type `String` or `StringList` (stored and returned unencrypted, readable by
 *   anyone with ssm:GetParameter) whose name looks secret (password, token, api-key, private-key...) or
 *   whose value is a credential (an AWS key id, a private key, a URL with a password, a token);
 * - in an S3 object whose key looks like a secret or key file (`.pem`, `id_rsa`, `.env`, `credentials`,
 *   `*password*`...) or whose inline `content` is a credential.
 * Unknowns: an unknown parameter type is reported as unknown.
 */
export const noSecretsOutsideBackends: ResourcePolicy = {
    kind: "resource",
    name: "aws-no-secrets-outside-backends",
    group: "aws",
    description: "No secret in a plain SSM String parameter or an S3 object: secrets live in Secrets Manager or Vault.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Keep the value in the app's AppSecrets (Secrets Manager, env key) and read it through an ExternalSecret; delete the parameter or object.",
    url: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html",
    types: [SSM_PARAMETER, S3_BUCKET_OBJECT, S3_BUCKET_OBJECT_V2],
    validate(resource, _settings, report) {
        const where = describeResource(resource);
        if (resource.type === SSM_PARAMETER) {
            const { type, name, value, insecureValue } = resource.props;
            if (isUnknown(type)) return report.unknown("type");
            if (type !== "String" && type !== "StringList") return;
            if (typeof name === "string" && SECRET_WORD.test(name)) {
                report.violation(
                    `${where}: parameter ${JSON.stringify(name)} is named like a secret but stored as plain ${type}`,
                );
            } else if (looksSecretValue(value) || looksSecretValue(insecureValue)) {
                report.violation(`${where}: the ${type} parameter's value is a credential, stored unencrypted`);
            }
            return;
        }
        const { key, content } = resource.props;
        if (typeof key === "string" && (SECRET_FILE.test(key) || SECRET_WORD.test(key))) {
            report.violation(`${where}: object key ${JSON.stringify(key)} looks like a secret or key file`);
        } else if (looksSecretValue(content)) {
            report.violation(`${where}: the object's content is a credential`);
        }
    },
};
