import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    appResourceName,
    ArgsChecker,
    childResourceName,
    componentType,
    Environment,
    isDns1123Subdomain,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    NameSystem,
    partitionOf,
    RenderedName,
    secretReaderRoleName,
} from "../baseline";
import { roleRefTo, secretReaderRules } from "../kubernetes/rbac";
import { appParametersPolicy, appSecretsPolicy } from "./iam";
import { checkClusterIdentity, IdentityMode, trustPolicyFor } from "./identity-validation";

export { IdentityMode } from "./identity-validation";

/** Arguments of a WorkloadIdentity. */
export interface WorkloadIdentityArgs {
    /** Project name, a DNS-1123 label; prefixes every per-env name. */
    project: string;
    /** Environment: dev, stage or prod. */
    env: Environment;
    /** App name, a DNS-1123 label; its secrets live under `<project>-<env>/<app>/`. */
    app: string;
    /** Namespace the app runs in (created beforehand, e.g. by a SecureNamespace). */
    namespace: string;
    /** ServiceAccount name. Default: the app name. */
    serviceAccountName?: string;
    /** AWS account id (12 digits) that holds the env's secrets and key. */
    accountId: string;
    /** AWS region of the env's secrets and key. */
    region: string;
    /** How the ServiceAccount gets its role: `irsa` or `pod-identity`. Default: `irsa`. */
    identityMode?: IdentityMode;
    /** IRSA: ARN of the cluster's IAM OIDC provider. Required with `irsa`. */
    oidcProviderArn?: pulumi.Input<string>;
    /** IRSA: the cluster's OIDC issuer, host and path without `https://`. Required with `irsa`. */
    oidcIssuer?: pulumi.Input<string>;
    /** Pod Identity: name of the EKS cluster. Required with `pod-identity`. */
    clusterName?: pulumi.Input<string>;
    /** ARN of the env's KMS key (an EnvironmentKey's `keyArn`). */
    environmentKeyArn: pulumi.Input<string>;
    /**
     * The app's secrets are Parameter Store parameters under `/<project>-<env>/<app>/` (the
     * `aws-parameter-store` backend) instead of Secrets Manager secrets: the role reads those. Default: false.
     */
    parameterStore?: boolean;
    /** The app calls the Kubernetes API, so its pods mount a ServiceAccount token. Default: false. */
    callsKubernetesApi?: boolean;
    /** Names of Kubernetes Secrets in the namespace the app may `get` (e.g. what its ExternalSecrets write). Default: none. */
    kubernetesSecretNames?: string[];
    /** Tags for the IAM role. */
    tags?: Record<string, string>;
}

const COMPONENT = "WorkloadIdentity";

/** The validated, defaulted input of a WorkloadIdentity. */
export interface ResolvedWorkloadIdentity {
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    readonly identityMode: IdentityMode;
    readonly callsKubernetesApi: boolean;
    readonly kubernetesSecretNames: string[];
    readonly roleName: string;
    readonly parameterStore: boolean;
}

/** Checks and defaults a WorkloadIdentity's arguments; throws an ArgumentError listing every problem. */
export function resolveWorkloadIdentityArgs(name: string, args: WorkloadIdentityArgs): ResolvedWorkloadIdentity {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    check.dnsLabel(args.app, "app", 30);
    if (check.appNamespace(args.namespace, "namespace") && envOk)
        check.sameEnvironment(args.namespace, args.env, "namespace");
    const serviceAccountName = args.serviceAccountName ?? args.app;
    check.ownServiceAccount(serviceAccountName, "serviceAccountName");
    check.accountId(args.accountId);
    check.region(args.region);
    const identityMode = checkClusterIdentity(check, args);
    check.check(
        args.environmentKeyArn !== undefined,
        "environmentKeyArn",
        "is required",
        "pass the env's EnvironmentKey keyArn",
    );
    if (typeof args.environmentKeyArn === "string") {
        check.check(
            /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]+$/.test(args.environmentKeyArn),
            "environmentKeyArn",
            `${JSON.stringify(args.environmentKeyArn)} is not a KMS key ARN`,
            "pass the key's ARN (not an alias, not a wildcard)",
        );
    }
    const kubernetesSecretNames = args.kubernetesSecretNames ?? [];
    kubernetesSecretNames.forEach((secret, i) =>
        check.check(
            isDns1123Subdomain(secret),
            `kubernetesSecretNames[${i}]`,
            `${JSON.stringify(secret)} is not a Secret name`,
            "give the Secret's exact name (no wildcards: RBAC matches names exactly)",
        ),
    );
    const roleName = envOk ? appResourceName(args.project, args.env, args.app) : "";
    check.check(
        roleName.length <= 64,
        "app",
        `role name ${roleName} is longer than IAM's 64 characters`,
        "shorten project or app",
    );
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        app: args.app,
        namespace: args.namespace,
        serviceAccountName,
        accountId: args.accountId,
        region: args.region,
        partition: partitionOf(args.region),
        identityMode,
        callsKubernetesApi: args.callsKubernetesApi ?? false,
        kubernetesSecretNames,
        roleName,
        parameterStore: args.parameterStore === true,
    };
}

/** Every object a WorkloadIdentity creates, by the name its system knows it by, with the field it comes from. */
export function workloadIdentityNames(resolved: ResolvedWorkloadIdentity): RenderedName[] {
    const { namespace, serviceAccountName: sa } = resolved;
    const names: RenderedName[] = [
        { system: NameSystem.Iam, kind: "role", name: resolved.roleName, source: "app" },
        {
            system: NameSystem.Kubernetes,
            kind: "ServiceAccount",
            scope: namespace,
            name: sa,
            source: "serviceAccountName",
        },
    ];
    if (resolved.kubernetesSecretNames.length > 0) {
        for (const kind of ["Role", "RoleBinding"]) {
            names.push({
                system: NameSystem.Kubernetes,
                kind,
                scope: namespace,
                name: secretReaderRoleName(sa),
                source: "serviceAccountName",
            });
        }
    }
    return names;
}

/** The Pulumi logical name of every resource a WorkloadIdentity called `name` registers, by type. */
export function workloadIdentityResourceNames(name: string, resolved: ResolvedWorkloadIdentity): RenderedName[] {
    const child = (type: string, suffix: string) =>
        childResourceName(componentType("WorkloadIdentity"), type, `${name}-${suffix}`, "app");
    const names = [
        child("aws:iam/role:Role", "role"),
        child("aws:iam/rolePolicy:RolePolicy", "secrets"),
        child("kubernetes:core/v1:ServiceAccount", "sa"),
    ];
    if (resolved.identityMode === IdentityMode.PodIdentity) {
        names.push(child("aws:eks/podIdentityAssociation:PodIdentityAssociation", "pod-identity"));
    }
    if (resolved.kubernetesSecretNames.length > 0) {
        names.push(
            child("kubernetes:rbac.authorization.k8s.io/v1:Role", "secret-reader"),
            child("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "secret-reader"),
        );
    }
    return names;
}

/**
 * The role's trust policy. With IRSA the issuer and provider are often Outputs of the cluster, known only at
 * deployment: they are checked here, when they resolve, with the same rules as at construction.
 */
export function assumeRolePolicyFor(
    name: string,
    resolved: ResolvedWorkloadIdentity,
    args: WorkloadIdentityArgs,
): pulumi.Output<string> {
    return trustPolicyFor(COMPONENT, name, resolved, args);
}

/**
 * One app's identity: a ServiceAccount, the IAM role it assumes (through IRSA or EKS Pod Identity) allowed
 * to read only that app's secrets in that env, and a Role to `get` only the app's own Kubernetes Secrets.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
    /** The ServiceAccount's name. */
    public readonly serviceAccountName: pulumi.Output<string>;
    /** The namespace of the ServiceAccount. */
    public readonly namespace: pulumi.Output<string>;
    /** ARN of the app's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Name of the app's IAM role. */
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveWorkloadIdentityArgs(name, args);
        super("k8s-baseline:index:WorkloadIdentity", name, {}, opts);
        const { namespace, serviceAccountName: sa } = resolved;

        const assumeRolePolicy = assumeRolePolicyFor(name, resolved, args);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: resolved.roleName,
                description: `${resolved.app} in ${resolved.env}: reads its own secrets`,
                assumeRolePolicy,
                maxSessionDuration: 3600,
                tags: { project: resolved.project, env: resolved.env, app: resolved.app, ...args.tags },
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-secrets`,
            {
                name: resolved.parameterStore ? "read-own-parameters" : "read-own-secrets",
                role: role.id,
                policy: pulumi.output(args.environmentKeyArn).apply((environmentKeyArn) =>
                    JSON.stringify(
                        (resolved.parameterStore ? appParametersPolicy : appSecretsPolicy)({
                            ...resolved,
                            environmentKeyArn,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: {
                    name: sa,
                    namespace,
                    labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, "app.kubernetes.io/name": resolved.app },
                    // The EKS pod identity webhook projects the web identity token from this annotation on its
                    // own volume, so IRSA works with automountServiceAccountToken off.
                    annotations:
                        resolved.identityMode === IdentityMode.Irsa ? { "eks.amazonaws.com/role-arn": role.arn } : {},
                },
                // A pod that never calls the API server has no use for a token that lets it.
                automountServiceAccountToken: resolved.callsKubernetesApi,
            },
            { parent: this },
        );

        if (resolved.identityMode === IdentityMode.PodIdentity) {
            new aws.eks.PodIdentityAssociation(
                `${name}-pod-identity`,
                { clusterName: args.clusterName!, namespace, serviceAccount: sa, roleArn: role.arn },
                { parent: this, dependsOn: [serviceAccount] },
            );
        }

        const rules = secretReaderRules(resolved.kubernetesSecretNames);
        if (rules.length > 0) {
            const metadata = {
                name: secretReaderRoleName(sa),
                namespace,
                labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
            };
            const secretRole = new k8s.rbac.v1.Role(`${name}-secret-reader`, { metadata, rules }, { parent: this });
            new k8s.rbac.v1.RoleBinding(
                `${name}-secret-reader`,
                {
                    metadata,
                    roleRef: roleRefTo("Role", secretRole.metadata.name),
                    subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
                },
                { parent: this },
            );
        }

        this.serviceAccountName = serviceAccount.metadata.name;
        this.namespace = serviceAccount.metadata.namespace;
        this.roleArn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({
            serviceAccountName: this.serviceAccountName,
            namespace: this.namespace,
            roleArn: this.roleArn,
            roleName: this.roleName,
        });
    }
}
