import * as pulumi from "@pulumi/pulumi";
import {
    CertManager,
    CertManagerArgs,
    EnvironmentIssuer,
    EnvironmentIssuerArgs,
    HostedZoneArgs,
    resolveCertManagerArgs,
    resolveEnvironmentIssuerArgs,
} from "./addons/cert-manager";
import {
    AppExternalSecrets,
    AppExternalSecretsArgs,
    appExternalSecretsNames,
    appExternalSecretsResourceNames,
    ExternalSecretsOperator,
    ExternalSecretsOperatorArgs,
    resolveAppExternalSecretsArgs,
    resolveExternalSecretsOperatorArgs,
    isAwsBackend,
    SecretBackend,
} from "./addons/external-secrets";
import {
    BaselinePolicies,
    BaselinePoliciesArgs,
    EnvironmentIsolationPolicies,
    EnvironmentIsolationPoliciesArgs,
    ImageVerificationArgs,
    Kyverno,
    KyvernoArgs,
    PolicyCoverage,
    PolicyExceptionArgs,
    resolveBaselinePoliciesArgs,
    resolveEnvironmentIsolationPoliciesArgs,
    resolveKyvernoArgs,
} from "./addons/kyverno";
import {
    checkRuntimeSecuritySettings,
    EnvironmentTracingPolicies,
    EnvironmentTracingPoliciesArgs,
    resolveEnvironmentTracingPoliciesArgs,
    resolveRuntimeSecurityArgs,
    RuntimeSecurity,
    RuntimeSecurityArgs,
    RuntimeSecurityEngine,
    RuntimeSecuritySettingsArgs,
} from "./addons/runtime-security";
import {
    AppSecrets,
    AppSecretsArgs,
    appSecretsNames,
    appSecretsResourceNames,
    resolveAppSecretsArgs,
    rotationDays,
    SecretRotationArgs,
} from "./aws/app-secrets";
import { ClusterAccess, ClusterAccessArgs, resolveClusterAccessArgs, TeamAccessArgs } from "./aws/cluster-access";
import { EnvironmentKey, EnvironmentKeyArgs, resolveEnvironmentKeyArgs } from "./aws/environment-key";
import {
    AppParameters,
    AppParametersArgs,
    appParametersNames,
    appParametersResourceNames,
    resolveAppParametersArgs,
} from "./aws/parameter-store";
import { resolveStackSecretsKeyArgs, StackSecretsKey, StackSecretsKeyArgs } from "./aws/stack-secrets-key";
import {
    IdentityMode,
    resolveWorkloadIdentityArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
    workloadIdentityNames,
    workloadIdentityResourceNames,
} from "./aws/workload-identity";
import {
    ACCESS_ROLE_ORDER,
    ADDON_NAMESPACES,
    appNamespaceProblem,
    appResourceName,
    databaseCredentialsName,
    defaultVaultDatabaseTtlSeconds,
    appServiceAccountName,
    ArgsChecker,
    ArgumentError,
    ClusterLayout,
    clusterTopology,
    ClusterTopology,
    Environment,
    environmentNamespace,
    externalSecretTargetName,
    isDns1123Label,
    isEnvironment,
    isSharedCluster,
    NamespaceLayout,
    NameSystem,
    PLATFORM_NAMESPACES,
    RenderedName,
    secretStoreName,
    topologyProblems,
    vaultAuthPath,
    vaultDatabaseMountPath,
    vaultMountPath,
} from "./baseline";
import { AppContract, CONTRACT_VERSION } from "./contract";
import { checkPeerCidrs } from "./kubernetes/network";
import {
    DEFAULT_DEPLOYER,
    DEFAULT_TIER,
    DeployerArgs,
    EgressRuleArgs,
    GroupAccessArgs,
    IngressRuleArgs,
    resolveSecureNamespaceArgs,
    SecureNamespace,
    SecureNamespaceArgs,
    secureNamespaceNames,
    secureNamespaceResourceNames,
} from "./kubernetes";
import {
    resolveVaultAppAccessArgs,
    resolveVaultEnvironmentArgs,
    VaultAppAccess,
    VaultAppAccessArgs,
    vaultAppAccessNames,
    vaultAppAccessResourceNames,
    VaultEnvironment,
    VaultEnvironmentArgs,
} from "./vault";

/** The cluster an environment runs on. */
export interface ClusterArgs {
    /** EKS cluster name. Required with `pod-identity`. */
    name?: pulumi.Input<string>;
    /** How ServiceAccounts get AWS roles: `irsa` or `pod-identity`. Default: `irsa`. */
    identityMode?: IdentityMode;
    /** IRSA: ARN of the cluster's IAM OIDC provider. */
    oidcProviderArn?: pulumi.Input<string>;
    /** IRSA: the cluster's OIDC issuer, host and path without `https://`. */
    oidcIssuer?: pulumi.Input<string>;
    /**
     * CIDR blocks the platform add-ons reach over HTTPS: the API server endpoint, the VPC endpoints of STS,
     * Secrets Manager and Route 53, and the egress proxy for ACME. Never `0.0.0.0/0`.
     */
    platformEgressCidrs: string[];
    /** CIDR blocks the control plane calls admission webhooks from. */
    controlPlaneCidrs: string[];
    /**
     * `dedicated` (the env has the cluster to itself; its stack installs the add-ons) or `shared` (several envs
     * share it; a SecureCluster installs the add-ons and each env creates only its own objects). Default:
     * `dedicated`.
     */
    layout?: ClusterLayout;
    /**
     * Shared layout only: `per-app` (`<namespace>-<env>`, e.g. `payments-dev`) or `per-env` (every app of the
     * env in namespace `<env>`). Default: `per-app`.
     */
    namespaceLayout?: NamespaceLayout;
    /** The envs on the cluster, this one included. Default: this env only. */
    environments?: Environment[];
    /** Prod shares the cluster with a lower env, accepted explicitly. Default: false. */
    allowProdWithLowerEnvironments?: boolean;
    /**
     * Shared layout only: the engine of the cluster's runtime security sensor, as the cluster stack exports it
     * (SecureCluster's facts; not written by hand). With `tetragon` the env writes Tetragon's policies for its
     * own namespaces (EnvironmentTracingPolicies). Default: none (no sensor, or Falco, whose rules are the
     * cluster's).
     */
    runtimeSecurityEngine?: RuntimeSecurityEngine;
}

/** The Vault an environment reads secrets from, when its backend is `vault`. */
export interface VaultBackendArgs {
    /** Vault's address, an https URL. */
    address: string;
    /** The cluster API server URL Vault calls to review ServiceAccount tokens. */
    kubernetesHost: pulumi.Input<string>;
    /** PEM CA certificate of the cluster API server. */
    kubernetesCaCert?: pulumi.Input<string>;
    /** Base64 PEM CA bundle the SecretStores use to trust Vault. */
    caBundle?: string;
    /** KV v2 mount path. Default: `<project>-<env>-kv`. */
    mountPath?: string;
    /** Use an existing mount at `mountPath` instead of creating one. Default: false. */
    useExistingMount?: boolean;
    /**
     * Path of the env's database secrets engine, where the apps' `database` roles are created; the mount and
     * its connections are the database owners'. Default: `<project>-<env>-database`.
     */
    databaseMountPath?: string;
    /** CIDR blocks of Vault, which External Secrets reaches on 8200/443. */
    cidrs: string[];
}

/** One secret an app reads. */
export interface AppSecretDeclarationArgs {
    /** Short name under the app's prefix, e.g. `db-password`. */
    name: string;
    /** What the secret holds. */
    description?: string;
    /** Keys of the secret's JSON value to copy into the Kubernetes Secret. Default: all of them. */
    keys?: string[];
    /** Initial value from Pulumi secret config (Secrets Manager backend only). Default: created empty. */
    value?: pulumi.Input<string>;
    /**
     * Automatic rotation (Secrets Manager backend only), within the env profile's `maxSecretRotationDays`; the
     * ExternalSecret then refreshes often enough for a rotated value to reach the Secret in known time.
     * Default: none.
     */
    rotation?: SecretRotationArgs;
}

/**
 * Dynamic database credentials of an app (Vault backend only): a role `<project>-<env>-<app>` in the env's
 * database secrets engine, `read` on its credentials in the app's Vault policy, and a VaultDynamicSecret
 * generator with an ExternalSecret that writes a new credential into the Secret `<app>-database` (keys
 * `username` and `password`) at half its lifetime.
 */
export interface AppDatabaseArgs {
    /** The database connection in the env's database mount; its `allowedRoles` must list the app's role. */
    connectionName: string;
    /** Statements that create the user; they must use `{{name}}`, and may use `{{password}}` and `{{expiration}}`. */
    creationStatements: string[];
    /** Statements that drop the user when its lease ends. Default: the database plugin's own. */
    revocationStatements?: string[];
    /** Lifetime of each credential, in seconds, at least 300. Default: the profile's (15 minutes in prod, an hour elsewhere). */
    ttlSeconds?: number;
    /** The longest a credential's lease may be renewed to, in seconds. Default and limit: the profile's maximum. */
    maxTtlSeconds?: number;
}

/** One application of the environment. */
export interface AppArgs {
    /** App name, a DNS-1123 label. */
    name: string;
    /** Namespace, a DNS-1123 label. Default: the app name. Apps may share a namespace. */
    namespace?: string;
    /** Team that owns the app's namespace. */
    owner: string;
    /** The namespace's `tier` label. Default: `app`. */
    tier?: string;
    /** ServiceAccount name. Default: the app name. */
    serviceAccountName?: string;
    /** Secrets the app reads. Default: none. */
    secrets?: AppSecretDeclarationArgs[];
    /** Dynamic database credentials from Vault (Vault backend only). Default: none. */
    database?: AppDatabaseArgs;
    /** The app calls the Kubernetes API (its pods mount a token). Default: false. */
    callsKubernetesApi?: boolean;
    /** Egress beyond DNS. Default: none. */
    egress?: EgressRuleArgs[];
    /** Ingress. Default: none. */
    ingress?: IngressRuleArgs[];
    /** Human access to the namespace. Default: none. */
    access?: GroupAccessArgs[];
    /** A CI deployer in the namespace. Default: none. */
    deployer?: DeployerArgs;
}

/** Arguments of a SecureEnvironment. */
export interface SecureEnvironmentArgs {
    /** Project name, a DNS-1123 label; prefixes every per-env name. */
    project: string;
    /** Environment: dev, stage or prod. */
    env: Environment;
    /** AWS account id (12 digits). */
    accountId: string;
    /** AWS region. */
    region: string;
    /** The cluster. */
    cluster: ClusterArgs;
    /**
     * Where app secrets live: `aws-secrets-manager`, `aws-parameter-store` (SecureStrings under
     * `/<project>-<env>/<app>/`) or `vault`. Default: `aws-secrets-manager`.
     */
    secretBackend?: SecretBackend;
    /** Vault settings. Required with the `vault` backend. */
    vault?: VaultBackendArgs;
    /** Registries apps may pull from, each a prefix ending in `/`. The add-ons' registries are added. */
    registries: string[];
    /** Route 53 zones certificates of this env are issued for. */
    hostedZones: HostedZoneArgs[];
    /** Contact email of the ACME account. */
    acmeEmail: string;
    /** Image signature verification for the approved registries. Default: none. */
    imageVerification?: ImageVerificationArgs;
    /** Exceptions to the baseline policies, each with an owner, a reason and an expiry. Default: none. */
    policyExceptions?: PolicyExceptionArgs[];
    /** The applications. */
    apps: AppArgs[];
    /**
     * The IAM Identity Center role each group of people in the apps' `access` signs in with. Each gets an EKS
     * access entry in its group, with the EKS access policy of its role scoped to the namespaces the apps grant
     * it (ClusterAccess). Needs `cluster.name`. Default: none (groups come from another authenticator).
     */
    teamRoles?: TeamRoleArgs[];
    /**
     * The runtime security sensor (RuntimeSecurity) on a cluster of the env's own: its engine, or, where the
     * profile allows (not prod), none. On a shared cluster it is the cluster's (SecureCluster), and this is
     * refused. Default: the profile's engine.
     */
    runtimeSecurity?: RuntimeSecuritySettingsArgs;
    /**
     * The env's stack secrets key (StackSecretsKey): the `awskms://alias/<project>-<env>-stack-config` secrets
     * provider of the env's Pulumi stack and the key of its sops files, used by the env's CI deployer alone. Its
     * ARN is the `stackSecretsKeyArn` output `k8s-baseline sops-config` reads. Default: none (the key is made
     * elsewhere).
     */
    stackSecrets?: StackSecretsArgs;
}

/** Who uses and who administers the env's stack secrets key. */
export interface StackSecretsArgs {
    /**
     * The env's CI deployer role (`arn:aws:iam::<account>:role/<name>`, the env's account): kms:Decrypt and
     * kms:Encrypt on the key, and nothing on another env's.
     */
    deployerRoleArn: string;
    /** IAM principals (role ARNs) that administer the key. Default: the account root, delegating to IAM. */
    administratorArns?: string[];
}

/** The IAM role a group of people signs in to the cluster with. */
export interface TeamRoleArgs {
    /** The group, as the apps' `access` names it. */
    group: string;
    /** ARN of the group's IAM Identity Center role (`.../AWSReservedSSO_<permission set>_<id>`). */
    principalArn: string;
}

const COMPONENT = "SecureEnvironment";

/**
 * The env key's arguments: the same for the plan that checks them and the key SecureEnvironment creates.
 * With the Parameter Store backend the key admits use through SSM as well as Secrets Manager.
 */
function environmentKeyArgs(args: SecureEnvironmentArgs): EnvironmentKeyArgs {
    return {
        project: args.project,
        env: args.env,
        accountId: args.accountId,
        region: args.region,
        ...(args.secretBackend === SecretBackend.AwsParameterStore ? { parameterStore: true } : {}),
    };
}

/** The logical name of the env's StackSecretsKey. */
function stackSecretsName(name: string): string {
    return `${name}-stack-secrets`;
}

/** Ports the control plane calls each add-on's admission webhook on (the charts' defaults). */
const WEBHOOK_PORTS = { externalSecrets: 10250, kyverno: 9443, certManager: 10250 } as const;
/** Vault listens on 8200; behind a load balancer, on 443. */
const VAULT_PORTS = [8200, 443];
const PLATFORM_OWNER = "platform";

/** An app, with the names derived from its declaration. */
interface PlannedApp {
    readonly app: AppArgs;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly secretNames: string[];
    readonly identity: WorkloadIdentityArgs;
    readonly secrets?: AppSecretsArgs;
    readonly parameters?: AppParametersArgs;
    readonly vaultAccess?: VaultAppAccessArgs;
    readonly externalSecrets?: AppExternalSecretsArgs;
}

/**
 * Everything the environment creates, as the arguments of each component: derived once, validated, built.
 * On a shared cluster the add-ons and their namespaces belong to the cluster's SecureCluster, so the plan
 * has none of them.
 */
interface EnvironmentPlan {
    readonly topology: ClusterTopology;
    readonly platformNamespaces: SecureNamespaceArgs[];
    readonly appNamespaces: SecureNamespaceArgs[];
    readonly key: EnvironmentKeyArgs;
    /** The env's stack secrets key, when `stackSecrets` asks for it. */
    readonly stackSecrets?: StackSecretsKeyArgs;
    readonly vault?: VaultEnvironmentArgs;
    readonly apps: PlannedApp[];
    readonly externalSecretsOperator?: ExternalSecretsOperatorArgs;
    readonly kyverno?: KyvernoArgs;
    readonly policies: BaselinePoliciesArgs;
    /** The chart, on a cluster of the env's own; a shared cluster's is SecureCluster's. */
    readonly certManager?: CertManagerArgs;
    /** The env's ClusterIssuer and its DNS-01 identity, in either layout. */
    readonly certIssuer: EnvironmentIssuerArgs;
    /** The policies that keep envs apart, once per cluster: the env's own on a cluster of its own. */
    readonly isolation?: EnvironmentIsolationPoliciesArgs;
    /** The teams' access entries, when `teamRoles` names any. */
    readonly clusterAccess?: ClusterAccessArgs;
    /** The runtime security sensor, on a cluster of the env's own unless the profile lets it be off and it is. */
    readonly runtimeSecurity?: RuntimeSecurityArgs;
    /** On a shared cluster whose sensor is Tetragon: its policies for the env's own namespaces. */
    readonly tracingPolicies?: EnvironmentTracingPoliciesArgs;
    /** The env's namespaces whose apps are declared to call the Kubernetes API (the contract's). */
    readonly kubernetesApiNamespaces: string[];
}

/**
 * The teams' access entries: each group of `teamRoles` in the namespaces the apps grant it, with the least
 * role the apps grant it there (the namespaces' RoleBindings of the group give the rest).
 */
function clusterAccessPlan(
    args: SecureEnvironmentArgs,
    apps: readonly PlannedApp[],
    topology: ClusterTopology,
): ClusterAccessArgs | undefined {
    if (!args.teamRoles || args.teamRoles.length === 0) return undefined;
    const teams: TeamAccessArgs[] = args.teamRoles.map((team) => {
        const grants = apps.flatMap((planned) =>
            (planned.app.access ?? [])
                .filter((grant) => grant.group === team.group)
                .map((grant) => ({ namespace: planned.namespace, role: grant.role })),
        );
        const roles = grants.map((grant) => ACCESS_ROLE_ORDER.indexOf(grant.role)).filter((i) => i >= 0);
        return {
            group: team.group,
            principalArn: team.principalArn,
            namespaces: [...new Set(grants.map((grant) => grant.namespace))],
            role: roles.length > 0 ? ACCESS_ROLE_ORDER[Math.min(...roles)] : undefined,
        };
    });
    return {
        project: args.project,
        env: args.env,
        clusterName: args.cluster.name ?? "",
        accountId: args.accountId,
        topology,
        teams,
    };
}

/** The topology the env's cluster arguments declare. */
export function environmentTopology(args: SecureEnvironmentArgs): ClusterTopology {
    return clusterTopology(args.env, args.cluster);
}

/** The namespace an app lives in: the one it declares (its name by default), carrying the env on a shared cluster. */
export function appNamespaceOf(app: AppArgs, env: Environment, topology: ClusterTopology): string {
    return environmentNamespace(app.namespace ?? app.name, env, topology);
}

function platformNamespace(
    project: string,
    env: Environment,
    cluster: ClusterArgs,
    namespace: string,
    webhookPort: number,
    extraEgress: EgressRuleArgs[] = [],
): SecureNamespaceArgs {
    return {
        project,
        env,
        namespace,
        owner: PLATFORM_OWNER,
        tier: "platform",
        // The API server's endpoints and the AWS VPC endpoints; the cluster's `kubernetes` Service is
        // translated to those addresses before NetworkPolicy applies.
        egress: [{ cidrs: cluster.platformEgressCidrs, ports: [{ port: 443 }] }, ...extraEgress],
        ingress: [{ cidrs: cluster.controlPlaneCidrs, ports: [{ port: webhookPort }] }],
    };
}

/**
 * The add-ons' namespaces on a cluster, labelled as `env` (a shared cluster's strictest env): each reaches
 * the API server and AWS over HTTPS and takes webhook calls from the control plane only; External Secrets
 * also reaches Vault at `vaultCidrs`, when a Vault backs the cluster's stores.
 */
export function platformNamespacesFor(
    project: string,
    env: Environment,
    cluster: ClusterArgs,
    vaultCidrs?: string[],
): SecureNamespaceArgs[] {
    const vaultEgress: EgressRuleArgs[] =
        vaultCidrs === undefined ? [] : [{ cidrs: vaultCidrs, ports: VAULT_PORTS.map((port) => ({ port })) }];
    return [
        platformNamespace(
            project,
            env,
            cluster,
            PLATFORM_NAMESPACES.externalSecrets,
            WEBHOOK_PORTS.externalSecrets,
            vaultEgress,
        ),
        platformNamespace(project, env, cluster, PLATFORM_NAMESPACES.kyverno, WEBHOOK_PORTS.kyverno),
        platformNamespace(project, env, cluster, PLATFORM_NAMESPACES.certManager, WEBHOOK_PORTS.certManager),
    ];
}

/**
 * Apps sharing a namespace share one SecureNamespace: the union of their network needs and access. Its pods
 * may run only as the apps' own ServiceAccounts, so its deployer cannot run one as itself or as `default`.
 */
function appNamespace(args: SecureEnvironmentArgs, namespace: string, apps: readonly AppArgs[]): SecureNamespaceArgs {
    const deployers = apps.filter((app) => app.deployer !== undefined);
    const deployer: DeployerArgs | undefined =
        deployers.length === 0
            ? undefined
            : {
                  serviceAccountName: deployers[0].deployer!.serviceAccountName,
                  readableSecrets: deployers.flatMap((app) => app.deployer!.readableSecrets ?? []),
              };
    const deployerName = deployer ? (deployer.serviceAccountName ?? DEFAULT_DEPLOYER) : undefined;
    // Never the deployer's own: an app that names it as its ServiceAccount is refused as a name collision,
    // under the app's field, by planSecureEnvironment.
    const podServiceAccounts = [
        ...new Set(apps.map((app) => app.serviceAccountName ?? appServiceAccountName(app.name))),
    ].filter((sa) => sa !== deployerName);
    return {
        project: args.project,
        env: args.env,
        namespace,
        owner: apps[0].owner,
        tier: apps[0].tier,
        egress: apps.flatMap((app) => app.egress ?? []),
        ingress: apps.flatMap((app) => app.ingress ?? []),
        access: apps.flatMap((app) => app.access ?? []),
        podServiceAccounts: podServiceAccounts.length > 0 ? podServiceAccounts : undefined,
        deployer,
    };
}

function planEnvironment(args: SecureEnvironmentArgs, keyArn: pulumi.Input<string>): EnvironmentPlan {
    const backend = args.secretBackend ?? SecretBackend.AwsSecretsManager;
    const cluster = args.cluster;
    const vaultMount = args.vault?.mountPath ?? vaultMountPath(args.project, args.env);
    const vaultAuth = vaultAuthPath(args.project, args.env);
    const topology = environmentTopology(args);
    const shared = isSharedCluster(topology);
    const apps: PlannedApp[] = args.apps.map((app) => {
        const namespace = appNamespaceOf(app, args.env, topology);
        const serviceAccountName = app.serviceAccountName ?? appServiceAccountName(app.name);
        const secrets = app.secrets ?? [];
        const secretNames = secrets.map((s) => externalSecretTargetName(app.name, s.name));
        const database = backend === SecretBackend.Vault ? app.database : undefined;
        const databaseMount = args.vault?.databaseMountPath ?? vaultDatabaseMountPath(args.project, args.env);
        const readableSecretNames = database ? [...secretNames, databaseCredentialsName(app.name)] : secretNames;
        const identity: WorkloadIdentityArgs = {
            project: args.project,
            env: args.env,
            app: app.name,
            namespace,
            serviceAccountName,
            accountId: args.accountId,
            region: args.region,
            identityMode: cluster.identityMode,
            oidcProviderArn: cluster.oidcProviderArn,
            oidcIssuer: cluster.oidcIssuer,
            clusterName: cluster.name,
            environmentKeyArn: keyArn,
            callsKubernetesApi: app.callsKubernetesApi,
            // Pods read their Secrets through the kubelet, which needs no RBAC; a ServiceAccount gets `get`
            // on them only when the app reads them through the API itself.
            kubernetesSecretNames: app.callsKubernetesApi ? readableSecretNames : [],
            ...(backend === SecretBackend.AwsParameterStore ? { parameterStore: true } : {}),
        };
        const planned: PlannedApp = { app, namespace, serviceAccountName, secretNames, identity };
        if (secrets.length === 0 && database === undefined) return planned;
        const externalSecrets: AppExternalSecretsArgs = {
            project: args.project,
            env: args.env,
            app: app.name,
            namespace,
            serviceAccountName,
            backend,
            storeName: secretStoreName(app.name),
            operatorNamespace: PLATFORM_NAMESPACES.externalSecrets,
            secrets: secrets.map((s, i) => ({
                name: s.name,
                targetName: secretNames[i],
                keys: s.keys,
                rotationDays: s.rotation ? rotationDays(s.rotation) : undefined,
            })),
            ...(backend === SecretBackend.Vault
                ? {
                      vault: {
                          server: args.vault?.address ?? "",
                          mountPath: vaultMount,
                          authPath: vaultAuth,
                          role: appResourceName(args.project, args.env, app.name),
                          caBundle: args.vault?.caBundle,
                      },
                      ...(database
                          ? {
                                databaseCredentials: {
                                    mountPath: databaseMount,
                                    // The lifetime the app's database role issues, which the refresh follows.
                                    ttlSeconds:
                                        database.ttlSeconds ??
                                        (isEnvironment(args.env)
                                            ? defaultVaultDatabaseTtlSeconds(args.env, database.maxTtlSeconds)
                                            : undefined),
                                },
                            }
                          : {}),
                  }
                : { region: args.region }),
        };
        if (backend === SecretBackend.Vault) {
            return {
                ...planned,
                externalSecrets,
                vaultAccess: {
                    project: args.project,
                    env: args.env,
                    app: app.name,
                    namespace,
                    serviceAccountName,
                    mountPath: vaultMount,
                    authPath: vaultAuth,
                    ...(database
                        ? {
                              database: {
                                  connectionName: database.connectionName,
                                  creationStatements: database.creationStatements,
                                  revocationStatements: database.revocationStatements,
                                  mountPath: databaseMount,
                                  ttlSeconds: database.ttlSeconds,
                                  maxTtlSeconds: database.maxTtlSeconds,
                              },
                          }
                        : {}),
                },
            };
        }
        if (backend === SecretBackend.AwsParameterStore) {
            return {
                ...planned,
                externalSecrets,
                parameters: {
                    project: args.project,
                    env: args.env,
                    app: app.name,
                    kmsKeyArn: keyArn,
                    parameters: secrets.map((s) => ({ name: s.name, description: s.description, value: s.value })),
                },
            };
        }
        return {
            ...planned,
            externalSecrets,
            secrets: {
                project: args.project,
                env: args.env,
                app: app.name,
                kmsKeyArn: keyArn,
                secrets: secrets.map((s) => ({
                    name: s.name,
                    description: s.description,
                    value: s.value,
                    rotation: s.rotation,
                })),
            },
        };
    });
    const byNamespace = new Map<string, AppArgs[]>();
    for (const planned of apps)
        byNamespace.set(planned.namespace, [...(byNamespace.get(planned.namespace) ?? []), planned.app]);
    // The sensor's facts, whoever installs it: the env's namespaces, and those declared to call the API.
    const sensorNamespaces = [...byNamespace.keys()];
    const kubernetesApiNamespaces = [
        ...new Set(apps.filter((p) => p.app.callsKubernetesApi).map((p) => p.namespace)),
    ].sort();
    return {
        topology,
        platformNamespaces: shared
            ? []
            : platformNamespacesFor(
                  args.project,
                  args.env,
                  cluster,
                  backend === SecretBackend.Vault && args.vault ? args.vault.cidrs : undefined,
              ),
        appNamespaces: [...byNamespace.entries()].map(([namespace, members]) => appNamespace(args, namespace, members)),
        key: environmentKeyArgs(args),
        stackSecrets: args.stackSecrets && {
            project: args.project,
            env: args.env,
            accountId: args.accountId,
            region: args.region,
            deployerRoleArn: args.stackSecrets.deployerRoleArn,
            administratorArns: args.stackSecrets.administratorArns,
        },
        vault:
            backend === SecretBackend.Vault && args.vault
                ? {
                      project: args.project,
                      env: args.env,
                      kubernetesHost: args.vault.kubernetesHost,
                      kubernetesCaCert: args.vault.kubernetesCaCert,
                      mountPath: vaultMount,
                      useExistingMount: args.vault.useExistingMount,
                      authPath: vaultAuth,
                  }
                : undefined,
        apps,
        externalSecretsOperator: shared ? undefined : { env: args.env, namespace: PLATFORM_NAMESPACES.externalSecrets },
        kyverno: shared ? undefined : { env: args.env, namespace: PLATFORM_NAMESPACES.kyverno },
        policies: environmentPolicies(
            {
                env: args.env,
                registries: args.registries,
                apiAccessServiceAccounts: apps
                    .filter((planned) => planned.app.callsKubernetesApi)
                    .map((planned) => ({ namespace: planned.namespace, name: planned.serviceAccountName })),
                imageVerification: args.imageVerification,
                exceptions: args.policyExceptions,
            },
            topology,
        ),
        certManager: shared
            ? undefined
            : {
                  env: args.env,
                  namespace: PLATFORM_NAMESPACES.certManager,
                  identityMode: cluster.identityMode,
              },
        isolation: shared ? undefined : { project: args.project, topology },
        clusterAccess: clusterAccessPlan(args, apps, topology),
        runtimeSecurity:
            shared || args.runtimeSecurity?.disabled === true
                ? undefined
                : {
                      env: args.env,
                      engine: args.runtimeSecurity?.engine,
                      namespaces: sensorNamespaces,
                      kubernetesApiNamespaces,
                      apiServerCidrs: cluster.controlPlaneCidrs,
                      topology,
                  },
        tracingPolicies:
            shared && cluster.runtimeSecurityEngine === RuntimeSecurityEngine.Tetragon
                ? {
                      env: args.env,
                      namespaces: sensorNamespaces,
                      kubernetesApiNamespaces,
                      apiServerCidrs: cluster.controlPlaneCidrs,
                      topology,
                  }
                : undefined,
        kubernetesApiNamespaces,
        certIssuer: {
            project: args.project,
            env: args.env,
            accountId: args.accountId,
            region: args.region,
            namespace: PLATFORM_NAMESPACES.certManager,
            identityMode: cluster.identityMode,
            oidcProviderArn: cluster.oidcProviderArn,
            oidcIssuer: cluster.oidcIssuer,
            clusterName: cluster.name,
            hostedZones: args.hostedZones,
            acmeEmail: args.acmeEmail,
            topology,
        },
    };
}

/**
 * The env's BaselinePolicies arguments. On a shared cluster they judge the env's own namespaces only (those
 * whose `env` label, which only the platform sets, names the env) and their cluster-scoped names carry the
 * env, so that one env's settings never overwrite another's on the same cluster.
 */
function environmentPolicies(policies: BaselinePoliciesArgs, topology: ClusterTopology): BaselinePoliciesArgs {
    if (!isSharedCluster(topology)) return policies;
    return { ...policies, topology, coverage: PolicyCoverage.Environment };
}

/** Runs a component's own validation, filing its problems under `field`; its result when it passes. */
function collect<T>(problems: string[], field: string, validate: () => T): T | undefined {
    try {
        return validate();
    } catch (e) {
        if (!(e instanceof ArgumentError)) throw e;
        for (const problem of e.problems) problems.push(`${field}: ${problem}`);
        return undefined;
    }
}

/** The logical name of the SecureNamespace of `namespace` in the environment called `name`. */
const namespaceComponentName = (name: string, namespace: string) => `${name}-${namespace}`;
/** The logical name of each of an app's components in the environment called `name`. */
const appComponentName = (name: string, app: string) => `${name}-${app}`;

/** The names a component renders, each `source` filed under `field` as the component's problems are. */
function renderedBy(field: string, names: readonly RenderedName[]): RenderedName[] {
    return names.map((rendered) => ({ ...rendered, source: `${field}: ${rendered.source}` }));
}

/**
 * The environment's own checks: what no single component can see. Adds to `reported` the index of each app
 * already reported as a duplicate (of an app name or a ServiceAccount), whose names are not compared again.
 */
function checkEnvironment(check: ArgsChecker, args: SecureEnvironmentArgs, reported: Set<number>): boolean {
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    check.accountId(args.accountId);
    check.region(args.region);
    const clusterOk = check.check(
        typeof args.cluster === "object" && args.cluster !== null,
        "cluster",
        "is required",
        "describe the cluster: identityMode, its OIDC provider or name, platformEgressCidrs, controlPlaneCidrs",
    );
    const backend = args.secretBackend ?? SecretBackend.AwsSecretsManager;
    const backendOk = check.check(
        (Object.values(SecretBackend) as string[]).includes(backend),
        "secretBackend",
        `${JSON.stringify(backend)} is not a secret backend`,
        `use one of ${Object.values(SecretBackend).join(", ")}`,
    );
    if (backend === SecretBackend.Vault) {
        check.check(
            args.vault !== undefined,
            "vault",
            "is required with the vault backend",
            "give vault.address, vault.kubernetesHost and vault.cidrs",
        );
    } else if (backendOk && isAwsBackend(backend) && clusterOk) {
        // A SecretStore authenticates as the app's ServiceAccount with AssumeRoleWithWebIdentity; EKS Pod
        // Identity credentials belong to the pod that asks, so they cannot be borrowed for another app.
        check.check(
            (args.cluster.identityMode ?? IdentityMode.Irsa) === IdentityMode.Irsa,
            "cluster.identityMode",
            `pod-identity cannot back per-app ${backend === SecretBackend.AwsParameterStore ? "Parameter Store" : "Secrets Manager"} stores: External Secrets cannot act as an app's ServiceAccount through EKS Pod Identity`,
            `use irsa with the ${backend} backend, or the vault backend with pod-identity`,
        );
    }
    const topologyOk = clusterOk && envOk && checkTopology(check, args);
    if (topologyOk && isSharedCluster(environmentTopology(args))) {
        check.check(
            args.runtimeSecurity === undefined,
            "runtimeSecurity",
            "is set, but on a shared cluster the sensor is the cluster's",
            "remove it, and choose the engine in the cluster stack (SecureCluster runtimeSecurity)",
        );
        const engine = args.cluster.runtimeSecurityEngine;
        check.check(
            engine === undefined || (Object.values(RuntimeSecurityEngine) as string[]).includes(engine),
            "cluster.runtimeSecurityEngine",
            `${JSON.stringify(engine)} is not a runtime security engine`,
            `take the cluster stack's facts as it exports them (${Object.values(RuntimeSecurityEngine).join(" or ")})`,
        );
    } else if (envOk) {
        checkRuntimeSecuritySettings(check, args.runtimeSecurity, args.env, "runtimeSecurity");
        if (clusterOk) {
            check.check(
                args.cluster.runtimeSecurityEngine === undefined,
                "cluster.runtimeSecurityEngine",
                "is set, but on a cluster of the env's own the sensor is the env's",
                "remove it, and choose the engine in runtimeSecurity.engine",
            );
        }
    }
    if (clusterOk) {
        if (
            check.check(
                Array.isArray(args.cluster.platformEgressCidrs) && args.cluster.platformEgressCidrs.length > 0,
                "cluster.platformEgressCidrs",
                "is empty: the add-ons could reach neither the API server nor AWS",
                "list the API server endpoint and VPC endpoint CIDR blocks",
            )
        ) {
            checkPeerCidrs(check, args.cluster.platformEgressCidrs, "cluster.platformEgressCidrs");
        }
        if (
            check.check(
                Array.isArray(args.cluster.controlPlaneCidrs) && args.cluster.controlPlaneCidrs.length > 0,
                "cluster.controlPlaneCidrs",
                "is empty: admission webhooks would be unreachable and, failing closed, block every change",
                "list the CIDR blocks of the control plane's network interfaces",
            )
        ) {
            checkPeerCidrs(check, args.cluster.controlPlaneCidrs, "cluster.controlPlaneCidrs");
        }
    }
    const appsOk = check.check(
        Array.isArray(args.apps),
        "apps",
        "is required",
        "list the environment's apps (it may be empty)",
    );
    if (appsOk && topologyOk) {
        const topology = environmentTopology(args);
        const names = new Set<string>();
        const serviceAccounts = new Map<string, string>();
        const owners = new Map<string, string>();
        const tiers = new Map<string, string>();
        const deployers = new Map<string, string>();
        args.apps.forEach((app, i) => {
            const field = `apps[${i}]`;
            if (
                !check.check(
                    !names.has(app.name),
                    `${field}.name`,
                    `${app.name} is declared twice`,
                    "declare each app once",
                )
            ) {
                reported.add(i);
            }
            names.add(app.name);
            const declared = app.namespace ?? app.name;
            const namespaceProblem = typeof declared === "string" ? appNamespaceProblem(declared) : undefined;
            // The namespace the app lands in: on a shared cluster it carries the env, and under the per-env
            // layout every app of the env shares it, with one owner, one tier and one deployer.
            const namespace = typeof declared === "string" ? appNamespaceOf(app, args.env, topology) : declared;
            if (ADDON_NAMESPACES.includes(declared)) {
                check.fail(
                    `${field}.namespace`,
                    `${declared} belongs to the platform`,
                    "give the app a namespace of its own",
                );
            } else if (namespaceProblem !== undefined) {
                check.fail(
                    `${field}.namespace`,
                    `${namespaceProblem}: the app's pods and deployer would share it with the control plane's add-ons`,
                    "give the app a namespace of its own",
                );
            }
            const sa = `${namespace}/${app.serviceAccountName ?? appServiceAccountName(app.name)}`;
            const other = serviceAccounts.get(sa);
            if (other !== undefined) reported.add(i);
            check.check(
                other === undefined,
                `${field}.serviceAccountName`,
                `apps ${other} and ${app.name} share ServiceAccount ${sa}, so each could read the other's secrets`,
                "give each app its own ServiceAccount",
            );
            serviceAccounts.set(sa, app.name);
            const owner = owners.get(namespace);
            check.check(
                owner === undefined || owner === app.owner,
                `${field}.owner`,
                `namespace ${namespace} would be owned by both ${owner} and ${app.owner}`,
                "apps that share a namespace share its owner",
            );
            owners.set(namespace, app.owner);
            // One namespace gets one tier label and one deployer: a second, different one would be dropped.
            const tier = app.tier ?? DEFAULT_TIER;
            const otherTier = tiers.get(namespace);
            check.check(
                otherTier === undefined || otherTier === tier,
                `${field}.tier`,
                `namespace ${namespace} would have both tier ${otherTier} and ${tier}`,
                "apps that share a namespace share its tier",
            );
            if (otherTier === undefined) tiers.set(namespace, tier);
            if (app.deployer !== undefined) {
                const deployer = app.deployer.serviceAccountName ?? DEFAULT_DEPLOYER;
                const otherDeployer = deployers.get(namespace);
                check.check(
                    otherDeployer === undefined || otherDeployer === deployer,
                    `${field}.deployer.serviceAccountName`,
                    `namespace ${namespace} would have both deployers ${otherDeployer} and ${deployer}, but gets one`,
                    "apps that share a namespace share its deployer: give them the same serviceAccountName",
                );
                if (otherDeployer === undefined) deployers.set(namespace, deployer);
            }
            if (backend === SecretBackend.Vault) {
                (app.secrets ?? []).forEach((secret, j) =>
                    check.check(
                        secret.value === undefined,
                        `${field}.secrets[${j}].value`,
                        "is set, but the vault backend writes no secret values",
                        "write the value to Vault out of band, or use the aws-secrets-manager backend",
                    ),
                );
            }
            if (backendOk) {
                check.check(
                    app.database === undefined || backend === SecretBackend.Vault,
                    `${field}.database`,
                    `is set, but dynamic database credentials come from Vault and this env's backend is ${backend}`,
                    "remove it, or use the vault backend (its database secrets engine issues them)",
                );
            }
            if (backend !== SecretBackend.AwsSecretsManager) {
                (app.secrets ?? []).forEach((secret, j) =>
                    check.check(
                        secret.rotation === undefined,
                        `${field}.secrets[${j}].rotation`,
                        `is set, but only Secrets Manager rotates secrets and this env's backend is ${backend}`,
                        "remove it, or use the aws-secrets-manager backend",
                    ),
                );
            }
        });
    }
    return (
        envOk &&
        backendOk &&
        clusterOk &&
        topologyOk &&
        appsOk &&
        isDns1123Label(args.project) &&
        isEnvironment(args.env)
    );
}

/** The cluster's topology fields: known values, and a layout safe for the env (topologyProblems). */
function checkTopology(check: ArgsChecker, args: SecureEnvironmentArgs): boolean {
    const cluster = args.cluster;
    const layoutOk = check.check(
        cluster.layout === undefined || (Object.values(ClusterLayout) as string[]).includes(cluster.layout),
        "cluster.layout",
        `${JSON.stringify(cluster.layout)} is not a cluster layout`,
        `use one of ${Object.values(ClusterLayout).join(", ")}`,
    );
    const namespaceLayoutOk = check.check(
        cluster.namespaceLayout === undefined ||
            (Object.values(NamespaceLayout) as string[]).includes(cluster.namespaceLayout),
        "cluster.namespaceLayout",
        `${JSON.stringify(cluster.namespaceLayout)} is not a namespace layout`,
        `use one of ${Object.values(NamespaceLayout).join(", ")}`,
    );
    const envsOk = check.check(
        cluster.environments === undefined || (Array.isArray(cluster.environments) && cluster.environments.length > 0),
        "cluster.environments",
        "must list the envs on the cluster",
        `list every env on the cluster, ${args.env} included`,
    );
    if (!layoutOk || !namespaceLayoutOk || !envsOk) return false;
    if (cluster.layout !== ClusterLayout.Shared) {
        check.check(
            cluster.namespaceLayout === undefined,
            "cluster.namespaceLayout",
            "is set, but a dedicated cluster keeps the namespaces as the apps declare them",
            "remove it, or set layout: shared",
        );
    }
    const problems = topologyProblems(environmentTopology(args), args.env);
    for (const { field, problem, fix } of problems) check.fail(`cluster.${field}`, problem, fix);
    return problems.length === 0;
}

/**
 * Checks a SecureEnvironment's arguments and, through their own checks, those of every component it would
 * create; throws one ArgumentError listing every problem. Returns the plan to build.
 */
export function planSecureEnvironment(
    name: string,
    args: SecureEnvironmentArgs,
    keyArn: pulumi.Input<string>,
): EnvironmentPlan {
    return checkedEnvironment(name, args, keyArn).plan;
}

/** The valid plan and the names it renders; throws one ArgumentError listing every problem. */
function checkedEnvironment(
    name: string,
    args: SecureEnvironmentArgs,
    keyArn: pulumi.Input<string>,
): { plan: EnvironmentPlan; rendered: RenderedName[] } {
    const { plan, rendered, problems } = renderEnvironment(name, args, keyArn);
    const names = new ArgsChecker(COMPONENT, name);
    names.distinctNames(rendered);
    try {
        names.throwIfInvalid();
    } catch (e) {
        problems.push(...(e as ArgumentError).problems);
    }
    if (problems.length > 0) throw new ArgumentError(COMPONENT, name, problems);
    return { plan, rendered };
}

/**
 * The env's namespaces whose apps are declared to call the Kubernetes API (`callsKubernetesApi`), as its
 * SecureEnvironment exports them; throws the env's ArgumentError when its arguments are invalid.
 */
export function environmentKubernetesApiNamespaces(args: SecureEnvironmentArgs): string[] {
    return planSecureEnvironment(args.env, args, pulumi.output("arn:aws:kms:stand-in")).kubernetesApiNamespaces;
}

/**
 * The names every object of a valid SecureEnvironment renders, each filed under the field it comes from:
 * what planSharedCluster compares across the envs of one cluster. Throws the env's ArgumentError when its
 * arguments are invalid.
 */
export function secureEnvironmentNames(name: string, args: SecureEnvironmentArgs): RenderedName[] {
    return checkedEnvironment(name, args, pulumi.output("arn:aws:kms:stand-in")).rendered;
}

/** The plan, the names it renders, and every problem the components' own checks find. */
function renderEnvironment(
    name: string,
    args: SecureEnvironmentArgs,
    keyArn: pulumi.Input<string>,
): { plan: EnvironmentPlan; rendered: RenderedName[]; problems: string[] } {
    const check = new ArgsChecker(COMPONENT, name);
    const reported = new Set<number>();
    const complete = checkEnvironment(check, args, reported);
    let problems: string[] = [];
    try {
        check.throwIfInvalid();
    } catch (e) {
        problems = [...(e as ArgumentError).problems];
    }
    if (!complete) throw new ArgumentError(COMPONENT, name, problems);
    const plan = planEnvironment(args, keyArn);
    // Every name each component would render, compared in one pass below: what no component sees alone.
    const rendered: RenderedName[] = [];
    plan.platformNamespaces.forEach((ns) => {
        const field = `platform namespace ${ns.namespace}`;
        const resolved = collect(problems, field, () => resolveSecureNamespaceArgs(ns.namespace!, ns));
        if (resolved) {
            const logical = namespaceComponentName(name, resolved.namespace);
            rendered.push(
                ...renderedBy(field, [
                    ...secureNamespaceNames(resolved),
                    ...secureNamespaceResourceNames(logical, resolved),
                ]),
            );
        }
    });
    plan.appNamespaces.forEach((ns) => {
        const field = `namespace ${ns.namespace}`;
        const resolved = collect(problems, field, () => resolveSecureNamespaceArgs(ns.namespace!, ns));
        if (resolved) {
            const logical = namespaceComponentName(name, resolved.namespace);
            rendered.push(
                ...renderedBy(field, [
                    ...secureNamespaceNames(resolved),
                    ...secureNamespaceResourceNames(logical, resolved),
                ]),
            );
        }
    });
    collect(problems, "key", () => resolveEnvironmentKeyArgs(name, plan.key));
    if (plan.stackSecrets) {
        collect(problems, "stackSecrets", () => resolveStackSecretsKeyArgs(stackSecretsName(name), plan.stackSecrets!));
    }
    if (plan.vault) collect(problems, "vault", () => resolveVaultEnvironmentArgs(name, plan.vault!));
    plan.apps.forEach((planned, i) => {
        const app = planned.app.name;
        const field = `apps[${i}] (${app})`;
        const logical = appComponentName(name, app);
        const names: RenderedName[] = [];
        const identity = collect(problems, field, () => resolveWorkloadIdentityArgs(app, planned.identity));
        if (identity)
            names.push(...workloadIdentityNames(identity), ...workloadIdentityResourceNames(logical, identity));
        if (planned.secrets) {
            const secrets = collect(problems, field, () => resolveAppSecretsArgs(app, planned.secrets!));
            if (secrets) names.push(...appSecretsNames(secrets), ...appSecretsResourceNames(logical, secrets));
        }
        if (planned.parameters) {
            const parameters = collect(problems, field, () => resolveAppParametersArgs(app, planned.parameters!));
            if (parameters) {
                names.push(...appParametersNames(parameters), ...appParametersResourceNames(logical, parameters));
            }
        }
        if (planned.vaultAccess) {
            const access = collect(problems, field, () => resolveVaultAppAccessArgs(app, planned.vaultAccess!));
            if (access) names.push(...vaultAppAccessNames(access), ...vaultAppAccessResourceNames(logical, access));
        }
        if (planned.externalSecrets) {
            const external = collect(problems, field, () =>
                resolveAppExternalSecretsArgs(app, planned.externalSecrets!),
            );
            if (external) {
                names.push(...appExternalSecretsNames(external), ...appExternalSecretsResourceNames(logical, external));
            }
        }
        if (!reported.has(i)) rendered.push(...renderedBy(field, names));
    });
    if (plan.externalSecretsOperator) {
        collect(problems, "externalSecretsOperator", () =>
            resolveExternalSecretsOperatorArgs(name, plan.externalSecretsOperator!),
        );
    }
    if (plan.kyverno) collect(problems, "kyverno", () => resolveKyvernoArgs(name, plan.kyverno!));
    if (plan.isolation) {
        collect(problems, "isolation", () => resolveEnvironmentIsolationPoliciesArgs(name, plan.isolation!));
    }
    if (plan.clusterAccess) {
        if (args.cluster.name === undefined) {
            problems.push("teamRoles: needs cluster.name; fix: give the EKS cluster's name in cluster.name");
        }
        plan.clusterAccess.teams.forEach((team, i) => {
            if (team.namespaces.length === 0) {
                problems.push(
                    `teamRoles[${i}].group: no app grants ${team.group} access; fix: add it to an app's access, or drop its role`,
                );
            }
        });
        collect(problems, "teamRoles", () => resolveClusterAccessArgs(name, plan.clusterAccess!));
    }
    collect(problems, "policies", () => resolveBaselinePoliciesArgs(name, plan.policies));
    if (plan.runtimeSecurity) {
        collect(problems, "runtimeSecurity", () => resolveRuntimeSecurityArgs(name, plan.runtimeSecurity!));
    }
    if (plan.tracingPolicies) {
        collect(problems, "tracingPolicies", () => resolveEnvironmentTracingPoliciesArgs(name, plan.tracingPolicies!));
    }
    if (plan.certManager) collect(problems, "certManager", () => resolveCertManagerArgs(name, plan.certManager!));
    const certManager = collect(problems, "certManager", () => resolveEnvironmentIssuerArgs(name, plan.certIssuer));
    if (certManager) {
        // The controller's role is `<project>-<env>-cert-manager`, the name an app called cert-manager would
        // get. Listed first, so that a collision is filed under the app, the one that can be renamed.
        rendered.unshift({
            system: NameSystem.Iam,
            kind: "role",
            name: certManager.roleName,
            source: "certManager: role",
        });
    }
    return { plan, rendered, problems };
}

/**
 * One environment of the platform: its namespaces, key, app identities and secrets, External Secrets,
 * Kyverno with the baseline policies, and cert-manager with the env's ClusterIssuer. Its outputs are the
 * contract application repositories read through PlatformReference.
 */
export class SecureEnvironment extends pulumi.ComponentResource {
    /** The contract version these outputs follow. */
    public readonly contractVersion: pulumi.Output<string>;
    /** ARN of the env's KMS key. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The env's ClusterIssuer. */
    public readonly clusterIssuerName: pulumi.Output<string>;
    /** Per app: namespace, ServiceAccount, role ARN, SecretStore and Secret names. */
    public readonly apps: pulumi.Output<Record<string, AppContract>>;
    /** ARN of the env's stack secrets key, when `stackSecrets` is given. */
    public readonly stackSecretsKeyArn: pulumi.Output<string> | undefined;
    /**
     * The env's namespaces whose apps are declared to call the Kubernetes API: what a shared cluster's
     * stack reads to spare them in its Falco rule (SecureCluster kubernetesApiClients).
     */
    public readonly kubernetesApiNamespaces: pulumi.Output<string[]>;

    constructor(name: string, args: SecureEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validated against a stand-in key ARN (an Output, which no check inspects) before anything exists.
        planSecureEnvironment(name, args, pulumi.output("arn:aws:kms:stand-in"));
        super("k8s-baseline:index:SecureEnvironment", name, {}, opts);
        const parent = { parent: this };

        const key = new EnvironmentKey(`${name}-key`, environmentKeyArgs(args), parent);
        const plan = planEnvironment(args, key.keyArn);

        const namespaces = new Map<string, SecureNamespace>();
        for (const ns of [...plan.platformNamespaces, ...plan.appNamespaces]) {
            namespaces.set(ns.namespace!, new SecureNamespace(namespaceComponentName(name, ns.namespace!), ns, parent));
        }
        const inNamespace = (namespace: string, ...more: pulumi.Resource[]) => ({
            parent: this,
            dependsOn: [namespaces.get(namespace)!, ...more],
        });

        // On a shared cluster the add-ons are the cluster's (SecureCluster), installed before any env.
        const eso = plan.externalSecretsOperator
            ? new ExternalSecretsOperator(
                  `${name}-external-secrets`,
                  plan.externalSecretsOperator,
                  inNamespace(PLATFORM_NAMESPACES.externalSecrets),
              )
            : undefined;
        const kyverno = plan.kyverno
            ? new Kyverno(`${name}-kyverno`, plan.kyverno, inNamespace(PLATFORM_NAMESPACES.kyverno))
            : undefined;
        new BaselinePolicies(`${name}-policies`, plan.policies, { parent: this, dependsOn: kyverno ? [kyverno] : [] });
        if (plan.isolation && kyverno) {
            new EnvironmentIsolationPolicies(`${name}-isolation`, plan.isolation, {
                parent: this,
                dependsOn: [kyverno],
            });
        }
        if (plan.runtimeSecurity) {
            // Its PolicyException needs Kyverno's CRDs.
            new RuntimeSecurity(`${name}-runtime-security`, plan.runtimeSecurity, {
                parent: this,
                dependsOn: kyverno ? [kyverno] : [],
            });
        }
        if (plan.tracingPolicies) {
            // Tetragon's CRDs are the cluster stack's, deployed before any env; the namespaces are this env's.
            new EnvironmentTracingPolicies(`${name}-tracing-policies`, plan.tracingPolicies, {
                parent: this,
                dependsOn: plan.tracingPolicies.namespaces.map((ns) => namespaces.get(ns)!),
            });
        }
        // The issuer's ClusterIssuer needs the chart's CRDs; with Pod Identity the chart's controller needs the
        // issuer's association when it starts. The chart is passed to the issuer once it exists. On a shared
        // cluster the chart is the cluster's, installed by the cluster stack before any env's.
        let certIssuer: EnvironmentIssuer;
        if (plan.certManager) {
            let chartCreated!: (chart: pulumi.Resource) => void;
            const chart = new Promise<pulumi.Resource>((resolve) => (chartCreated = resolve));
            certIssuer = new EnvironmentIssuer(`${name}-cert-manager`, plan.certIssuer, {
                parent: this,
                dependsOn: [namespaces.get(PLATFORM_NAMESPACES.certManager)!, chart],
            });
            chartCreated(
                new CertManager(
                    `${name}-cert-manager`,
                    plan.certManager,
                    inNamespace(PLATFORM_NAMESPACES.certManager, ...certIssuer.credentials),
                ),
            );
        } else {
            certIssuer = new EnvironmentIssuer(`${name}-cert-manager`, plan.certIssuer, parent);
        }
        const vault = plan.vault ? new VaultEnvironment(`${name}-vault`, plan.vault, parent) : undefined;
        if (plan.clusterAccess) new ClusterAccess(`${name}-access`, plan.clusterAccess, parent);
        const stackSecrets = plan.stackSecrets
            ? new StackSecretsKey(stackSecretsName(name), plan.stackSecrets, parent)
            : undefined;

        const contracts: Record<string, pulumi.Output<AppContract>> = {};
        for (const planned of plan.apps) {
            const app = planned.app.name;
            const logical = appComponentName(name, app);
            const identity = new WorkloadIdentity(logical, planned.identity, inNamespace(planned.namespace));
            const backing: pulumi.Resource[] = eso ? [identity, eso] : [identity];
            if (planned.secrets) backing.push(new AppSecrets(logical, planned.secrets, parent));
            if (planned.parameters) backing.push(new AppParameters(logical, planned.parameters, parent));
            if (planned.vaultAccess) {
                backing.push(
                    new VaultAppAccess(logical, planned.vaultAccess, {
                        parent: this,
                        dependsOn: vault ? [vault] : [],
                    }),
                );
            }
            const externalSecrets = planned.externalSecrets
                ? new AppExternalSecrets(logical, planned.externalSecrets, inNamespace(planned.namespace, ...backing))
                : undefined;
            contracts[app] = pulumi
                .all([
                    identity.namespace,
                    identity.serviceAccountName,
                    identity.roleArn,
                    // Apps that declare no secrets get no SecretStore.
                    externalSecrets?.secretStoreName ?? "",
                    externalSecrets?.secretNames ?? [],
                ])
                .apply(([namespace, serviceAccountName, roleArn, secretStoreName, secretNames]) => ({
                    namespace,
                    serviceAccountName,
                    roleArn,
                    secretStoreName,
                    secretNames,
                }));
        }

        this.contractVersion = pulumi.output(CONTRACT_VERSION);
        this.kmsKeyArn = key.keyArn;
        this.clusterIssuerName = certIssuer.clusterIssuerName;
        this.apps = pulumi.all(contracts);
        this.stackSecretsKeyArn = stackSecrets?.keyArn;
        this.kubernetesApiNamespaces = pulumi.output(plan.kubernetesApiNamespaces);
        this.registerOutputs({
            kubernetesApiNamespaces: this.kubernetesApiNamespaces,
            contractVersion: this.contractVersion,
            kmsKeyArn: this.kmsKeyArn,
            clusterIssuerName: this.clusterIssuerName,
            apps: this.apps,
            ...(this.stackSecretsKeyArn ? { stackSecretsKeyArn: this.stackSecretsKeyArn } : {}),
        });
    }
}
