/**
 * Parameter Store SecureStrings, the `aws-parameter-store` backend: the env's own customer managed key, and
 * the env's own path. Plain `String` parameters (configuration) are aws-no-secrets-outside-backends' concern.
 */
import { Environment, otherEnvironmentsNamedIn } from "../../../components/baseline";
import { describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { SSM_PARAMETER } from "./outside-backends";
import { secretNameProblem } from "./secrets-manager";

const SECURE_STRING = "SecureString";

/** The AWS managed key of Parameter Store: every principal of the account with ssm:GetParameter may use it. */
const AWS_MANAGED_KEY = /(^|:)alias\/aws\/ssm$/;

function keyProblem(keyId: unknown, env: Environment | undefined): string | undefined {
    if (keyId === undefined || keyId === null || keyId === "") {
        return "has no keyId, so it is encrypted with the AWS managed aws/ssm key";
    }
    if (typeof keyId !== "string") return `has keyId ${JSON.stringify(keyId)}, which is not a key`;
    if (AWS_MANAGED_KEY.test(keyId)) return `is encrypted with the AWS managed key ${keyId}`;
    if (env !== undefined) {
        const others = otherEnvironmentsNamedIn(keyId, env);
        if (others.length > 0) return `is encrypted with ${keyId}, a key of ${others.join(", ")}, in ${env}`;
    }
    return undefined;
}

/**
 * `aws-parameter-customer-key`: a SecureString parameter is encrypted with a customer managed key (the env's
 * EnvironmentKey, made with `parameterStore: true`), not the AWS managed `aws/ssm` key, and not a key whose
 * alias or ARN names another env. Unknowns: an unknown type or keyId (the env key's ARN before the key
 * exists) is reported as unknown.
 */
export const parameterCustomerKey: ResourcePolicy = {
    kind: "resource",
    name: "aws-parameter-customer-key",
    group: "aws",
    description: "SecureString parameters are encrypted with the env's customer managed KMS key.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set keyId to the env's EnvironmentKey keyArn (AppParameters does), with the key made with parameterStore: true.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html",
    types: [SSM_PARAMETER],
    validate(resource, settings, report) {
        const { type, keyId } = resource.props;
        if (isUnknown(type)) return report.unknown("type");
        if (type !== SECURE_STRING) return;
        if (isUnknown(keyId)) return report.unknown("keyId");
        const problem = keyProblem(keyId, envOf(resource, settings));
        if (problem) report.violation(`${describeResource(resource)} ${problem}`);
    },
};

const EXAMPLE = "/<project>-<env>/<app>/<name>";

/**
 * `aws-parameter-env-prefix`: a SecureString parameter is named `/<project>-<env>/<app>/<name>` (what
 * AppParameters names it), the env being the resource's env when known, and no other env's name appears in
 * it: the apps' IAM policies grant `parameter/<project>-<env>/<app>/*`, so a secret outside the shape is
 * readable by no app or by the wrong one, and a deeper path would be read by GetParametersByPath with
 * `Recursive`. Unknowns: an unknown type or name is reported as unknown.
 */
export const parameterEnvPrefix: ResourcePolicy = {
    kind: "resource",
    name: "aws-parameter-env-prefix",
    group: "aws",
    description: "SecureString parameters are named /<project>-<env>/<app>/<name> for their own env.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps: `Create parameters through AppParameters, or name them ${EXAMPLE} with the stack's env.`,
    url: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-hierarchies.html",
    types: [SSM_PARAMETER],
    validate(resource, settings, report) {
        const { type, name } = resource.props;
        if (isUnknown(type)) return report.unknown("type");
        if (type !== SECURE_STRING) return;
        if (isUnknown(name)) return report.unknown("name");
        const where = describeResource(resource);
        if (typeof name !== "string" || !name.startsWith("/")) {
            return report.violation(`${where}: name ${JSON.stringify(name ?? null)} is not named ${EXAMPLE}`);
        }
        const problem = secretNameProblem(name.slice(1), envOf(resource, settings));
        if (problem) {
            report.violation(
                `${where}: name ${JSON.stringify(name)} ${problem.replace("<project>-<env>/<app>/<secret>", EXAMPLE)}`,
            );
        }
    },
};
