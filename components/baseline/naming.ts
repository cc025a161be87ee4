/**
 * Naming rules. Every name that carries an environment is built here, so that isolation between
 * environments and apps is a property of these functions, tested once, and not of string concatenation
 * scattered through the components.
 */
import { Environment, ENVIRONMENTS } from "./environments";

/** A DNS-1123 label: what Kubernetes accepts as a namespace or ServiceAccount name, at most 63 chars. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS-1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name, at most 253 chars. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A segment of a secret path: lower-case letters, digits, `-`, `_` and `.`, starting alphanumeric. */
export const SECRET_NAME_SEGMENT = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** An AWS account id. */
export const AWS_ACCOUNT_ID = /^\d{12}$/;

/** An AWS region such as `eu-west-1` or `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Kubernetes label values: at most 63 chars, alphanumeric at both ends. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function isDns1123Label(value: unknown): value is string {
    return typeof value === "string" && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: unknown): value is string {
    return typeof value === "string" && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** `<project>-<env>`: the prefix of every per-env AWS name (secrets, KMS alias, IAM roles). */
export function envPrefix(project: string, env: Environment): string {
    return `${project}-${env}`;
}

/** `<project>-<env>/<app>/`: the Secrets Manager name prefix an app owns. */
export function secretPathPrefix(project: string, env: Environment, app: string): string {
    return `${envPrefix(project, env)}/${app}/`;
}

/** `<project>-<env>/<app>/<secret>`: the full Secrets Manager name of an app's secret. */
export function secretPath(project: string, env: Environment, app: string, secret: string): string {
    return `${secretPathPrefix(project, env, app)}${secret}`;
}

/**
 * The Secrets Manager ARN pattern covering exactly an app's secrets. The trailing `*` covers the six
 * random characters AWS appends to every secret ARN; the `/` before it keeps app `pay` from matching
 * app `payments`.
 */
export function secretArnPattern(
    partition: string,
    region: string,
    accountId: string,
    project: string,
    env: Environment,
    app: string,
): string {
    return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${secretPathPrefix(project, env, app)}*`;
}

/** `<app>-<secret>`: the Kubernetes Secret an ExternalSecret writes an app's secret into. */
export function externalSecretTargetName(app: string, secret: string): string {
    return `${app}-${secret}`.replace(/[_.]/g, "-");
}

/** `<app>-store`: the SecretStore of an app's namespace, bound to the app's own ServiceAccount. */
export function secretStoreName(app: string): string {
    return `${app}-store`;
}

/** `<env>/<app>/`: the path an app owns inside a Vault KV v2 mount. */
export function vaultSecretPrefix(env: Environment, app: string): string {
    return `${env}/${app}/`;
}

/** The KV v2 mount an environment's secrets live in, unless an existing one is named. */
export function vaultMountPath(project: string, env: Environment): string {
    return `${envPrefix(project, env)}-kv`;
}

/** The Kubernetes auth backend path of an environment's cluster. */
export function vaultAuthPath(project: string, env: Environment): string {
    return `kubernetes-${envPrefix(project, env)}`;
}

/** `<project>-<env>-<app>`: IAM role, Vault policy and Vault role names of an app. */
export function appResourceName(project: string, env: Environment, app: string): string {
    return `${envPrefix(project, env)}-${app}`;
}

/** `alias/<project>-<env>`: the env KMS key's alias. */
export function kmsAliasName(project: string, env: Environment): string {
    return `alias/${envPrefix(project, env)}`;
}

/** The audience projected ServiceAccount tokens carry for AWS STS (IRSA). */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** `system:serviceaccount:<ns>:<sa>`: the subject of a ServiceAccount's projected token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** The AWS partition of a region. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * Environments other than `env` whose name appears in `name` as a whole `-`, `/` or `.` separated word:
 * `payments-prod` names prod. Used to refuse a dev resource that points at a prod one.
 */
export function otherEnvironmentsNamedIn(name: string, env: Environment): Environment[] {
    const words = name.split(/[-/.:_]/);
    return ENVIRONMENTS.filter((other) => other !== env && words.includes(other));
}
