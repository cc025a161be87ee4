/** Secrets Manager secrets: the env's own key, the env's own name prefix, and a recovery window in prod. */
import {
    Environment,
    ENVIRONMENTS,
    isDns1123Label,
    otherEnvironmentsNamedIn,
    SECRET_NAME_SEGMENT,
} from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, ResourcePolicy, Severity, StackPolicy } from "../types";
import { documentAt } from "./documents";

export const SECRETS_MANAGER_SECRET = "aws:secretsmanager/secret:Secret";

/** The AWS managed key every account has: it cannot be scoped per env, and its policy cannot be changed. */
const AWS_MANAGED_KEY = /(^|:)alias\/aws\/secretsmanager$/;

function keyProblem(kmsKeyId: unknown): string | undefined {
    if (kmsKeyId === undefined || kmsKeyId === null || kmsKeyId === "") {
        return "has no kmsKeyId, so it is encrypted with the AWS managed aws/secretsmanager key";
    }
    if (typeof kmsKeyId !== "string") return `has kmsKeyId ${JSON.stringify(kmsKeyId)}, which is not a key`;
    if (AWS_MANAGED_KEY.test(kmsKeyId)) return `is encrypted with the AWS managed key ${kmsKeyId}`;
    return undefined;
}

/**
 * `aws-secret-customer-key`: a secret, and each of its replicas, is encrypted with a customer managed key
 * (the env's key), not the AWS managed `aws/secretsmanager` key, whose policy lets every principal of the
 * account with secret access decrypt. Unknowns: an unknown `kmsKeyId` (the env key's ARN before the key
 * exists) or `replicas` is reported as unknown.
 */
export const secretCustomerKey: ResourcePolicy = {
    kind: "resource",
    name: "aws-secret-customer-key",
    group: "aws",
    description: "Secrets Manager secrets are encrypted with the env's customer managed KMS key.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set kmsKeyId to the env's EnvironmentKey keyArn (AppSecrets does), and give every replica its region's customer managed key.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    types: [SECRETS_MANAGER_SECRET],
    validate(resource, _settings, report) {
        const { kmsKeyId, replicas } = resource.props;
        if (isUnknown(kmsKeyId)) report.unknown("kmsKeyId");
        else {
            const problem = keyProblem(kmsKeyId);
            if (problem) report.violation(`${describeResource(resource)} ${problem}`);
        }
        if (isUnknown(replicas)) return report.unknown("replicas");
        if (!Array.isArray(replicas)) return;
        replicas.forEach((replica, i) => {
            if (isUnknown(replica?.kmsKeyId)) return report.unknown(`replicas[${i}].kmsKeyId`);
            const problem = keyProblem(replica?.kmsKeyId);
            if (problem) {
                report.violation(
                    `${describeResource(resource)}: its replica in ${replica?.region ?? `#${i}`} ${problem}`,
                );
            }
        });
    },
};

/** `<project>-<env>/<app>/<secret>`, the shape secretPath builds: the env ends the first segment. */
const SECRET_PATH_SHAPE = new RegExp(`^([a-z0-9][a-z0-9-]*)-(${ENVIRONMENTS.join("|")})/([^/]+)/([^/]+)$`);
const EXAMPLE = "<project>-<env>/<app>/<secret>";

/** What is wrong with a secret name in `env` (or in the env it names, when `env` is undefined). */
export function secretNameProblem(name: string, env: Environment | undefined): string | undefined {
    const match = SECRET_PATH_SHAPE.exec(name);
    if (!match) return `is not named ${EXAMPLE}`;
    const [, , named, app, secret] = match;
    if (!isDns1123Label(app)) return `has app segment ${JSON.stringify(app)}, which is not a DNS-1123 label`;
    if (!SECRET_NAME_SEGMENT.test(secret))
        return `has secret segment ${JSON.stringify(secret)}, which is not a secret name`;
    const own = (env ?? named) as Environment;
    if (named !== own) return `is under the ${named} prefix, but the secret belongs to ${own}`;
    const others = otherEnvironmentsNamedIn(name, own);
    if (others.length > 0) return `names ${others.join(", ")} besides its own env ${own}`;
    return undefined;
}

/**
 * `aws-secret-env-prefix`: a secret is named `<project>-<env>/<app>/<secret>` (what AppSecrets names it), the
 * env being the resource's env when known, and no other env's name appears in it: the apps' IAM policies
 * grant `<project>-<env>/<app>/*`, so a secret outside the shape is readable by no app or by the wrong one.
 * The project is not known to the pack: any DNS-1123 prefix is accepted before `-<env>/`. A `namePrefix`
 * must be such a name's `<project>-<env>/<app>/` start. Unknowns: an unknown name is reported as unknown.
 */
export const secretEnvPrefix: ResourcePolicy = {
    kind: "resource",
    name: "aws-secret-env-prefix",
    group: "aws",
    description: "Secrets Manager secrets are named <project>-<env>/<app>/<secret> for their own env.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create secrets through AppSecrets, or name them <project>-<env>/<app>/<secret> with the stack's env.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html",
    types: [SECRETS_MANAGER_SECRET],
    validate(resource, settings, report) {
        const { name, namePrefix } = resource.props;
        if (isUnknown(name)) return report.unknown("name");
        const env = envOf(resource, settings);
        if (typeof name === "string" && name.length > 0) {
            const problem = secretNameProblem(name, env);
            if (problem) report.violation(`${describeResource(resource)}: name ${JSON.stringify(name)} ${problem}`);
            return;
        }
        if (isUnknown(namePrefix)) return report.unknown("namePrefix");
        if (typeof namePrefix === "string" && namePrefix.length > 0) {
            // A prefix is judged as the name it starts, with a stand-in secret segment.
            const problem = namePrefix.endsWith("/")
                ? secretNameProblem(`${namePrefix}x`, env)
                : "does not end with '/'";
            if (problem) {
                report.violation(
                    `${describeResource(resource)}: namePrefix ${JSON.stringify(namePrefix)} ${problem.replace(EXAMPLE, "<project>-<env>/<app>/")}`,
                );
            }
            return;
        }
        report.violation(`${describeResource(resource)} has no name, so it is not named ${EXAMPLE}`);
    },
};

/** Below this, AWS refuses a recovery window; 0 is the "delete at once" the API also accepts. */
const MIN_RECOVERY_WINDOW_DAYS = 7;

/**
 * `aws-secret-recovery-window`: in prod (and when the env is not known), a deleted secret stays recoverable:
 * `recoveryWindowInDays` is not 0 (delete without recovery) and at least 7, AWS's minimum. Unset means AWS's
 * default of 30 days and passes. Other envs may delete at once. Unknowns: an unknown window is reported as
 * unknown.
 */
export const secretRecoveryWindow: ResourcePolicy = {
    kind: "resource",
    name: "aws-secret-recovery-window",
    group: "aws",
    description: "Prod secrets keep a recovery window of at least 7 days when deleted.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Leave recoveryWindowInDays unset in prod (AppSecrets uses the prod profile's window), or give 7 to 30.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html",
    types: [SECRETS_MANAGER_SECRET],
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? "prod";
        if (env !== "prod") return;
        const days = resource.props.recoveryWindowInDays;
        if (isUnknown(days)) return report.unknown("recoveryWindowInDays");
        if (days === undefined || days === null) return;
        if (typeof days !== "number" || !Number.isInteger(days)) {
            return report.violation(
                `${describeResource(resource)}: recoveryWindowInDays ${JSON.stringify(days)} is not a number of days`,
            );
        }
        if (days === 0) {
            report.violation(
                `${describeResource(resource)}: recoveryWindowInDays 0 deletes the ${env} secret beyond recovery at once`,
            );
        } else if (days < MIN_RECOVERY_WINDOW_DAYS) {
            report.violation(
                `${describeResource(resource)}: recoveryWindowInDays ${days} is below ${MIN_RECOVERY_WINDOW_DAYS}, the shortest window AWS keeps a deleted secret`,
            );
        }
    },
};

export const SECRETS_MANAGER_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const ROTATION_POLICY_TYPES = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"];

/** True when `rotation` targets `secret`: by its id, ARN or name, or (at preview) by the same logical name. */
function rotates(rotation: PolicyResource, secret: PolicyResource): boolean {
    const target = rotation.props.secretId;
    if (typeof target === "string" && target.length > 0) {
        if ([secret.props.arn, secret.props.id, secret.props.name].includes(target)) return true;
        // A preview sees the secret's inputs, not its ARN: the ARN names the secret, with the random suffix
        // Secrets Manager appends (`secret:<name>-XXXXXX`).
        const named = /^arn:aws[a-z-]*:secretsmanager:[^:]*:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(target);
        return named !== null && typeof secret.props.name === "string" && named[1] === secret.props.name;
    }
    return rotation.name === secret.name;
}

/**
 * `aws-secret-prod-rotation` (advisory): a prod secret (or one whose env is not known) has a SecretRotation.
 * AppSecrets registers a secret's rotation under the secret's own logical name, which is how a rotation whose
 * secretId is not known at preview is matched; a known secretId must be the secret's ARN, id or name. Advisory:
 * not every secret can rotate (a third party's API key), so it says so rather than blocks.
 */
export const secretProdRotation: StackPolicy = {
    kind: "stack",
    name: "aws-secret-prod-rotation",
    group: "aws",
    description: "Prod Secrets Manager secrets rotate automatically.",
    severity: Severity.Low,
    enforcementLevel: EnforcementLevel.Advisory,
    remediationSteps:
        "Give the secret a rotation in AppSecrets (rotation: { lambdaArn, automaticallyAfterDays }), within the prod profile's maxSecretRotationDays.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
    validateStack(resources, settings, report) {
        const rotations = resources.filter((r) => r.type === SECRETS_MANAGER_ROTATION);
        for (const secret of resources) {
            if (secret.type !== SECRETS_MANAGER_SECRET) continue;
            if ((envOf(secret, settings) ?? "prod") !== "prod") continue;
            if (rotations.some((rotation) => rotates(rotation, secret))) continue;
            report.violation(`${describeResource(secret)} is a prod secret with no rotation`, { urn: secret.urn });
        }
    },
};

/** The action only a rotation function needs: moving the AWSCURRENT label to a new version. */
const ROTATION_ACTION = "secretsmanager:updatesecretversionstage";
/** One `<project>-<env>/<app>/<secret>` secret's ARN: no `*`, at most the 6-character suffix Secrets Manager appends (or `-??????`). */
const ONE_SECRET_ARN =
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^/*?]+\/[^/*?]+\/[^/*?]+?(-\?{6}|-[A-Za-z0-9]{6})?$/;

/**
 * `aws-rotation-function-scope`: a policy that grants `secretsmanager:UpdateSecretVersionStage` by name (what
 * a rotation function's role is given; AppSecrets' rotationRoleName policy) grants it, in that statement, on
 * one secret's ARN: not on `*`, not on a prefix, not on several secrets, not by NotResource. A rotation function
 * that can rotate other secrets can replace any of them. Wildcard action grants are judged by the identity
 * policies. Unknowns: an unknown document or a statement's resource not yet known is reported as unknown.
 */
export const rotationFunctionScope: ResourcePolicy = {
    kind: "resource",
    name: "aws-rotation-function-scope",
    group: "aws",
    description: "A rotation function's policy rotates one secret, named by its ARN.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give the rotation function's role one policy per secret with that secret's ARN as Resource (AppSecrets does with rotation.rotationRoleName).",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html",
    types: ROTATION_POLICY_TYPES,
    validate(resource, _settings, report) {
        const statements = documentAt(resource.props.policy, "policy", report);
        if (!statements) return;
        for (const statement of statements) {
            if (statement.effect !== "Allow") continue;
            if (!(statement.action ?? []).some((a) => a.toLowerCase() === ROTATION_ACTION)) continue;
            const where = `statement ${statement.sid ?? `#${statement.index}`}`;
            if (statement.notResource) {
                report.violation(`${describeResource(resource)}: ${where} grants secret rotation by NotResource`);
                continue;
            }
            const targets = statement.resource ?? [];
            if (targets.some(isUnknown)) {
                report.unknown(`policy ${where} Resource`);
                continue;
            }
            if (targets.length !== 1 || !ONE_SECRET_ARN.test(targets[0])) {
                report.violation(
                    `${describeResource(resource)}: ${where} grants secret rotation on ${JSON.stringify(targets)}, not on one secret's ARN`,
                );
            }
        }
    },
};
