/**
 * Resource inputs as the AWS components register them, built from the same pure document functions the
 * components use, and a runner that judges one resource with one policy the way the check command does.
 */
import {
    appSecretsPolicy,
    environmentKeyPolicy,
    irsaTrustPolicy,
    PolicyDocument,
} from "../../../../components/aws/iam";
import { certManagerDnsPolicy } from "../../../../components/addons/cert-manager/iam";
import { Environment, profileFor, secretPath, serviceAccountSubject } from "../../../../components/baseline";
import { checkResource } from "../../../../policy-pack/engine";
import {
    EnforcementLevel,
    Policy,
    PolicyResource,
    PolicySettings,
    Violation,
} from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";

export const ACCOUNT = "333333333333";
export const REGION = "eu-west-1";
export const PROJECT = "shop";
export const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D";
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/2b720b2c-4156-2b53-9e07-d1c57c9cbe92`;

/** A resource of `type` with `props`, as the engine hands it to a policy. */
export function resourceOf(type: string, props: Record<string, any>, name = "r"): PolicyResource {
    return { type, name, props };
}

/** The settings of a stack of `env` (or of a pack with no env configured). */
export function settingsOf(env?: Environment): PolicySettings {
    return settingsFrom(env ? { env } : {});
}

/** The violations `policy` reports for `resource`. */
export function run(
    policy: Policy,
    resource: PolicyResource,
    settings: PolicySettings = settingsOf("prod"),
): Violation[] {
    return checkResource(resource, [policy], settings);
}

/** The messages of the violations at the policy's own level (not the advisory unknowns). */
export function violationsOf(policy: Policy, resource: PolicyResource, settings?: PolicySettings): string[] {
    return run(policy, resource, settings)
        .filter((v) => !v.message.includes("is not known until the update"))
        .map((v) => v.message);
}

/** The paths reported as unknown. */
export function unknownsOf(policy: Policy, resource: PolicyResource, settings?: PolicySettings): string[] {
    return run(policy, resource, settings)
        .filter((v) => v.level === EnforcementLevel.Advisory && v.message.includes("is not known until the update"))
        .map((v) => v.message.slice(0, v.message.indexOf(" is not known until the update")));
}

/** A deep copy of a document to widen. */
export function copy<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/** The IRSA trust policy WorkloadIdentity gives app `app` in namespace `app`. */
export function trustDocument(app = "payments"): PolicyDocument {
    return irsaTrustPolicy({ oidcProviderArn: PROVIDER_ARN, oidcIssuer: ISSUER, namespace: app, serviceAccount: app });
}

/** The permission policy WorkloadIdentity gives app `app` in `env`. */
export function appDocument(env: Environment = "prod", app = "payments"): PolicyDocument {
    return appSecretsPolicy({
        partition: "aws",
        region: REGION,
        accountId: ACCOUNT,
        project: PROJECT,
        env,
        app,
        environmentKeyArn: KEY_ARN,
    });
}

/** The env key's policy, as EnvironmentKey writes it. */
export function keyDocument(): PolicyDocument {
    return environmentKeyPolicy({
        partition: "aws",
        region: REGION,
        accountId: ACCOUNT,
        administratorArns: [`arn:aws:iam::${ACCOUNT}:root`],
    });
}

/** cert-manager's DNS-01 policy for one hosted zone. */
export function dnsDocument(): PolicyDocument {
    return certManagerDnsPolicy("aws", ["Z0333333333333333PRDZ"]);
}

/** An app role's inputs, as WorkloadIdentity registers them. */
export function roleInputs(document: PolicyDocument = trustDocument(), env: Environment = "prod"): Record<string, any> {
    return {
        name: `${PROJECT}-${env}-payments`,
        description: `payments in ${env}: reads its own secrets`,
        assumeRolePolicy: JSON.stringify(document),
        maxSessionDuration: 3600,
        tags: { project: PROJECT, env, app: "payments" },
    };
}

/** An app role policy's inputs, as WorkloadIdentity registers them. */
export function rolePolicyInputs(
    document: PolicyDocument = appDocument(),
    env: Environment = "prod",
): Record<string, any> {
    return { name: "read-own-secrets", role: `${PROJECT}-${env}-payments`, policy: JSON.stringify(document) };
}

/** The env key's inputs, as EnvironmentKey registers them. */
export function keyInputs(env: Environment = "prod"): Record<string, any> {
    return {
        description: `Secrets of ${PROJECT}-${env}`,
        keyUsage: "ENCRYPT_DECRYPT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: profileFor(env).kmsDeletionWindowDays,
        policy: JSON.stringify(keyDocument()),
        tags: { project: PROJECT, env },
    };
}

/** One app secret's inputs, as AppSecrets registers them. */
export function secretInputs(env: Environment = "prod", app = "payments", secret = "db-password"): Record<string, any> {
    return {
        name: secretPath(PROJECT, env, app, secret),
        description: "Payments database password",
        kmsKeyId: KEY_ARN,
        recoveryWindowInDays: profileFor(env).secretRecoveryWindowDays,
        tags: { project: PROJECT, env, app },
    };
}

/** The subject of app `app`'s ServiceAccount token. */
export function subjectOf(app = "payments"): string {
    return serviceAccountSubject(app, app);
}
