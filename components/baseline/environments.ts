/**
 * The environments the baseline knows, and the profile each one runs with.
 *
 * Every component, the Kyverno policy generator and the CrossGuard pack read these profiles: a fact
 * about an environment (how strict Pod Security is, how long a deleted secret can be recovered) is
 * written here once and nowhere else.
 */

/** An environment of the platform. */
export const Environment = {
    Dev: "dev",
    Stage: "stage",
    Prod: "prod",
} as const;
export type Environment = (typeof Environment)[keyof typeof Environment];

/** Every environment, in promotion order. */
export const ENVIRONMENTS: readonly Environment[] = [Environment.Dev, Environment.Stage, Environment.Prod];

/** A Pod Security Standards level, as the `pod-security.kubernetes.io/*` labels spell it. */
export const PodSecurityLevel = {
    Privileged: "privileged",
    Baseline: "baseline",
    Restricted: "restricted",
} as const;
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

/** Pod Security levels from the most permissive to the strictest, for "at least" comparisons. */
export const POD_SECURITY_LEVEL_ORDER: readonly PodSecurityLevel[] = [
    PodSecurityLevel.Privileged,
    PodSecurityLevel.Baseline,
    PodSecurityLevel.Restricted,
];

/** Human access a group may be given in a namespace: the built-in aggregated ClusterRoles. */
export const AccessRole = {
    View: "view",
    Edit: "edit",
    Admin: "admin",
} as const;
export type AccessRole = (typeof AccessRole)[keyof typeof AccessRole];

/** Access roles from the least to the most privileged. `cluster-admin` is deliberately absent. */
export const ACCESS_ROLE_ORDER: readonly AccessRole[] = [AccessRole.View, AccessRole.Edit, AccessRole.Admin];

/** What Kyverno does with a policy violation: ValidatingPolicy `validationActions`. */
export const PolicyAction = {
    Audit: "Audit",
    Enforce: "Enforce",
} as const;
export type PolicyAction = (typeof PolicyAction)[keyof typeof PolicyAction];

/** The Pod Security mode labels of a namespace and the pinned standard version they check against. */
export interface PodSecurityProfile {
    readonly enforce: PodSecurityLevel;
    readonly audit: PodSecurityLevel;
    readonly warn: PodSecurityLevel;
    /**
     * Pinned version of the standard, e.g. `v1.37`. Pinned rather than `latest` so that a cluster upgrade
     * cannot tighten (and break) admission without a reviewed change here.
     */
    readonly version: string;
}

/** Namespace ResourceQuota `hard` limits. */
export interface QuotaProfile {
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
    readonly pods: number;
    readonly services: number;
    readonly persistentVolumeClaims: number;
}

/** Namespace LimitRange defaults for containers that do not declare their own. */
export interface LimitRangeProfile {
    readonly defaultRequestCpu: string;
    readonly defaultRequestMemory: string;
    readonly defaultLimitCpu: string;
    readonly defaultLimitMemory: string;
    readonly maxCpu: string;
    readonly maxMemory: string;
}

/** ACME directory URLs, the two Let's Encrypt endpoints. */
export const AcmeServer = {
    LetsEncryptStaging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    LetsEncryptProduction: "https://acme-v02.api.letsencrypt.org/directory",
} as const;
export type AcmeServer = (typeof AcmeServer)[keyof typeof AcmeServer];

/** SSM Parameter Store tiers (the `tier` of a parameter). */
export const ParameterTier = {
    Standard: "Standard",
    Advanced: "Advanced",
} as const;
export type ParameterTier = (typeof ParameterTier)[keyof typeof ParameterTier];

/**
 * How Kyverno's ImageValidatingPolicy treats image digests at admission (Kyverno >= 1.19.0 acts on both;
 * earlier releases accept the fields and ignore them).
 */
export interface ImageDigestProfile {
    /** `mutateDigest`: Kyverno rewrites an image tag to the digest it resolves to. */
    readonly mutate: boolean;
    /** `verifyDigest`: an image that names no digest fails verification. */
    readonly verify: boolean;
}

/**
 * Lifetimes of the database credentials Vault's database secrets engine issues to an app (the role's
 * `default_ttl` and `max_ttl`). External Secrets' VaultDynamicSecret generator asks for a new credential on
 * every refresh, so the default TTL is how long each one lives; the maximum bounds what a role may ask for.
 */
export interface VaultDatabaseTtlProfile {
    /** Lifetime of a credential when the app names none, in seconds. */
    readonly defaultTtlSeconds: number;
    /** The longest lifetime an app's role may give its credentials (default and max TTL), in seconds. */
    readonly maxTtlSeconds: number;
}

/** Everything that differs between environments. */
export interface EnvironmentProfile {
    readonly env: Environment;
    readonly podSecurity: PodSecurityProfile;
    /** Kyverno: Enforce denies at admission; Audit reports and warns. */
    readonly policyAction: PolicyAction;
    readonly quota: QuotaProfile;
    readonly limitRange: LimitRangeProfile;
    /** Replicas of each add-on controller (External Secrets, Kyverno, cert-manager). */
    readonly addonReplicas: number;
    /** Add-ons get a PodDisruptionBudget (only meaningful with more than one replica). */
    readonly podDisruptionBudget: boolean;
    /** Secrets Manager recovery window for deleted secrets, in days (0 = delete at once; never in prod). */
    readonly secretRecoveryWindowDays: number;
    /** KMS key deletion waiting period, in days (AWS allows 7 to 30). */
    readonly kmsDeletionWindowDays: number;
    /** ACME directory the env's ClusterIssuer uses. */
    readonly acmeServer: AcmeServer;
    /** The most a human group may be granted in a namespace of this env. */
    readonly maxHumanAccess: AccessRole;
    /** The longest a Vault token issued to a workload may live, in seconds. */
    readonly maxVaultTokenTtlSeconds: number;
    /** Default ExternalSecret refresh interval (a Go duration). */
    readonly secretRefreshInterval: string;
    /** Lifetimes of an app's dynamic database credentials (Vault backend). */
    readonly vaultDatabaseTtl: VaultDatabaseTtlProfile;
    /** The longest a rotated Secrets Manager secret may go between rotations, in days. */
    readonly maxSecretRotationDays: number;
    /**
     * What the env's secrets plumbing (Secrets Manager, Parameter Store, KMS) may cost a month, in US dollars,
     * before the pack's cost-secrets-budget policy says so (advisory): policy-pack/cost estimates it.
     */
    readonly secretsMonthlyBudgetUsd: number;
    /** Digests at admission, read by the ImageValidatingPolicy's `validationConfigurations`. */
    readonly imageDigests: ImageDigestProfile;
    /** Tier of the env's Parameter Store parameters (AppParameters). Advanced costs per parameter and month. */
    readonly parameterTier: ParameterTier;
    /** Tags every Parameter Store parameter of the env carries, besides project, env and app. */
    readonly parameterTags: Readonly<Record<string, string>>;
    /**
     * The env's Pulumi stack files must name an `awskms://` secrets provider, the env's own stack secrets key
     * (`alias/<project>-<env>-stack-config`): `k8s-baseline check` refuses a passphrase, the default (Pulumi
     * Cloud) provider, or another env's key.
     */
    readonly requiresStackSecretsKms: boolean;
}

/**
 * The Pod Security Standards version every profile pins (the same in every env, so promotion tests it): the
 * newest Kubernetes release, v1.37, whose standard adds two sysctls to the allowed ones, and the newest version
 * the pack's evaluator knows. A cluster older than the pin judges by its own newest version (the admission
 * plugin caps a newer label at the newest version it has), so the pin suits older clusters as well.
 */
export const POD_SECURITY_VERSION = "v1.37";

const SMALL_QUOTA: QuotaProfile = {
    requestsCpu: "4",
    requestsMemory: "8Gi",
    limitsCpu: "8",
    limitsMemory: "16Gi",
    pods: 50,
    services: 20,
    persistentVolumeClaims: 10,
};

const DEFAULT_LIMITS: LimitRangeProfile = {
    defaultRequestCpu: "100m",
    defaultRequestMemory: "128Mi",
    defaultLimitCpu: "500m",
    defaultLimitMemory: "512Mi",
    maxCpu: "4",
    maxMemory: "8Gi",
};

/** The profiles, one per environment. */
export const PROFILES: Readonly<Record<Environment, EnvironmentProfile>> = {
    dev: {
        env: Environment.Dev,
        // Dev admits baseline pods so engineers can debug, but warns and audits against restricted, the level
        // stage and prod enforce: a workload that would be rejected later is flagged at its first deploy.
        podSecurity: {
            enforce: PodSecurityLevel.Baseline,
            audit: PodSecurityLevel.Restricted,
            warn: PodSecurityLevel.Restricted,
            version: POD_SECURITY_VERSION,
        },
        policyAction: PolicyAction.Audit,
        quota: SMALL_QUOTA,
        limitRange: DEFAULT_LIMITS,
        addonReplicas: 1,
        podDisruptionBudget: false,
        secretRecoveryWindowDays: 7,
        kmsDeletionWindowDays: 7,
        acmeServer: AcmeServer.LetsEncryptStaging,
        maxHumanAccess: AccessRole.Admin,
        maxVaultTokenTtlSeconds: 3600,
        secretRefreshInterval: "1h",
        // A working day at most, so a credential handed to a debugging session does not outlive it.
        vaultDatabaseTtl: { defaultTtlSeconds: 3600, maxTtlSeconds: 28800 },
        maxSecretRotationDays: 365,
        secretsMonthlyBudgetUsd: 5,
        // Dev admits tagged images (its policies audit): pinning them at admission makes what runs the image
        // whose signature was checked, and verifying keeps a tag Kyverno could not resolve in its reports.
        imageDigests: { mutate: true, verify: true },
        parameterTier: ParameterTier.Standard,
        parameterTags: { "data-classification": "confidential" },
        requiresStackSecretsKms: true,
    },
    stage: {
        env: Environment.Stage,
        podSecurity: {
            enforce: PodSecurityLevel.Restricted,
            audit: PodSecurityLevel.Restricted,
            warn: PodSecurityLevel.Restricted,
            version: POD_SECURITY_VERSION,
        },
        policyAction: PolicyAction.Audit,
        quota: { ...SMALL_QUOTA, requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi" },
        limitRange: DEFAULT_LIMITS,
        addonReplicas: 2,
        podDisruptionBudget: true,
        secretRecoveryWindowDays: 7,
        kmsDeletionWindowDays: 14,
        acmeServer: AcmeServer.LetsEncryptStaging,
        maxHumanAccess: AccessRole.Edit,
        maxVaultTokenTtlSeconds: 3600,
        secretRefreshInterval: "1h",
        vaultDatabaseTtl: { defaultTtlSeconds: 3600, maxTtlSeconds: 14400 },
        maxSecretRotationDays: 180,
        secretsMonthlyBudgetUsd: 10,
        // Stage and prod declare digests in the program (baseline-require-image-digest): rewriting tags at
        // admission would make the cluster differ from what Pulumi declares, so they verify and do not mutate.
        imageDigests: { mutate: false, verify: true },
        parameterTier: ParameterTier.Standard,
        parameterTags: { "data-classification": "confidential" },
        requiresStackSecretsKms: true,
    },
    prod: {
        env: Environment.Prod,
        podSecurity: {
            enforce: PodSecurityLevel.Restricted,
            audit: PodSecurityLevel.Restricted,
            warn: PodSecurityLevel.Restricted,
            version: POD_SECURITY_VERSION,
        },
        policyAction: PolicyAction.Enforce,
        quota: {
            requestsCpu: "32",
            requestsMemory: "64Gi",
            limitsCpu: "64",
            limitsMemory: "128Gi",
            pods: 200,
            services: 50,
            persistentVolumeClaims: 50,
        },
        limitRange: DEFAULT_LIMITS,
        addonReplicas: 3,
        podDisruptionBudget: true,
        secretRecoveryWindowDays: 30,
        kmsDeletionWindowDays: 30,
        acmeServer: AcmeServer.LetsEncryptProduction,
        // Production changes go through the pipeline; people read.
        maxHumanAccess: AccessRole.View,
        maxVaultTokenTtlSeconds: 900,
        secretRefreshInterval: "1h",
        // The shortest: a leaked prod credential is useful for a quarter of an hour, an hour at the most.
        vaultDatabaseTtl: { defaultTtlSeconds: 900, maxTtlSeconds: 3600 },
        maxSecretRotationDays: 90,
        secretsMonthlyBudgetUsd: 25,
        imageDigests: { mutate: false, verify: true },
        // Advanced in prod: values up to 8 KB and parameter policies (expiration, change notifications).
        parameterTier: ParameterTier.Advanced,
        parameterTags: { "data-classification": "restricted" },
        requiresStackSecretsKms: true,
    },
};

/** True when `value` names a known environment. */
export function isEnvironment(value: unknown): value is Environment {
    return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** The profile of `env`. */
export function profileFor(env: Environment): EnvironmentProfile {
    return PROFILES[env];
}

/** True when `level` is at least as strict as `minimum`. */
export function podSecurityAtLeast(level: PodSecurityLevel, minimum: PodSecurityLevel): boolean {
    return POD_SECURITY_LEVEL_ORDER.indexOf(level) >= POD_SECURITY_LEVEL_ORDER.indexOf(minimum);
}

/** True when `role` grants no more than `maximum`. */
export function accessRoleWithin(role: AccessRole, maximum: AccessRole): boolean {
    const index = ACCESS_ROLE_ORDER.indexOf(role);
    return index >= 0 && index <= ACCESS_ROLE_ORDER.indexOf(maximum);
}

/**
 * The access role a group of people gets when none is named: edit, or the profile's `maxHumanAccess` when
 * that is lower (view in prod).
 */
export function defaultHumanAccess(env: Environment): AccessRole {
    const max = profileFor(env).maxHumanAccess;
    return accessRoleWithin(AccessRole.Edit, max) ? AccessRole.Edit : max;
}

/** No workload's Vault token lives longer than this, whatever a profile says. */
export const MAX_VAULT_TOKEN_TTL_SECONDS = 3600;

/** The longest Vault token TTL an app in `env` may have: the profile's, and never more than an hour. */
export function vaultTokenTtlLimit(env: Environment): number {
    return Math.min(PROFILES[env].maxVaultTokenTtlSeconds, MAX_VAULT_TOKEN_TTL_SECONDS);
}

/**
 * No dynamic database credential lives shorter than this: each refresh creates a database user, and the
 * ExternalSecret refreshes at half the lifetime, so a shorter one would churn users every couple of minutes.
 */
export const MIN_VAULT_DATABASE_TTL_SECONDS = 300;

/** The longest lifetime (default and max TTL) an app's database credentials may have in `env`. */
export function vaultDatabaseTtlLimit(env: Environment): number {
    return PROFILES[env].vaultDatabaseTtl.maxTtlSeconds;
}

/**
 * The lifetime of an app's database credentials when it names none: the profile's default, or `maxTtlSeconds`
 * when the app caps it below that.
 */
export function defaultVaultDatabaseTtlSeconds(env: Environment, maxTtlSeconds?: number): number {
    return Math.min(PROFILES[env].vaultDatabaseTtl.defaultTtlSeconds, maxTtlSeconds ?? vaultDatabaseTtlLimit(env));
}
