import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    childResourceName,
    componentType,
    databaseCredentialsName,
    Environment,
    externalSecretTargetName,
    isDns1123Subdomain,
    isVaultServerAddress,
    MIN_VAULT_DATABASE_TTL_SECONDS,
    NameSystem,
    PLATFORM_NAMESPACES,
    profileFor,
    RenderedName,
    secretPathPrefix,
    secretStoreName,
    ssmParameterPrefix,
    tokenRequestRoleName,
    vaultDatabaseMountPath,
    vaultDatabaseRoleName,
    vaultDatabaseTtlLimit,
    vaultSecretPrefix,
} from "../../baseline";
import { roleRefTo, tokenRequestRules } from "../../kubernetes/rbac";
import { checkVaultPath } from "../../vault/vault-environment";
import {
    awsSecretStoreManifest,
    CustomResourceManifest,
    databaseCredentialsExternalSecretManifest,
    DEFAULT_VAULT_AUDIENCE,
    dynamicCredentialsRefreshInterval,
    EXTERNAL_SECRETS_API_VERSION,
    externalSecretManifest,
    GENERATORS_API_VERSION,
    isAwsBackend,
    labelsOf,
    refreshIntervalSeconds,
    remoteKeyWithin,
    rotationRefreshInterval,
    SECRET_BACKENDS,
    SECRET_DATA_KEY,
    SecretBackend,
    VAULT_DYNAMIC_SECRET_KIND,
    vaultDynamicSecretManifest,
    vaultSecretStoreManifest,
} from "./manifests";
import { EXTERNAL_SECRETS_SERVICE_ACCOUNT } from "./operator";

/** Where a Vault SecretStore reads and how it logs in (what a VaultEnvironment and VaultAppAccess set up). */
export interface VaultStoreArgs {
    /** Vault's address, an `https://` URL such as `https://vault.example.com:8200`. */
    server: string;
    /** Path of the environment's KV v2 mount, as VaultEnvironment reports it (without `/data`). */
    mountPath: string;
    /** Path of the environment's Kubernetes auth backend, as VaultEnvironment reports it. */
    authPath: string;
    /** Kubernetes auth role bound to the app's ServiceAccount, as VaultAppAccess names it (`<project>-<env>-<app>`). */
    role: string;
    /** Base64-encoded PEM CA bundle of Vault's certificate. Default: none (the system trust store). */
    caBundle?: string;
    /** Audience the role checks on the ServiceAccount token. Default: `vault`, as VaultAppAccess sets it. */
    audience?: string;
}

/** One secret the app reads into a Kubernetes Secret. */
export interface ExternalSecretArgs {
    /**
     * The secret's name under the app's prefix, e.g. `db-password`; or its full key inside the prefix
     * (`<project>-<env>/<app>/db-password` in Secrets Manager, `/<project>-<env>/<app>/db-password` in
     * Parameter Store, `<env>/<app>/db-password` in Vault).
     */
    name: string;
    /**
     * Name of the Kubernetes Secret written (and of the ExternalSecret). Default: `<app>-<name>`, with `_` and `.`
     * in the name turned into `-`.
     */
    targetName?: string;
    /** Properties of the remote secret to copy, each to a key of the same name. Default: all of them. */
    keys?: string[];
    /** How often the secret is read again, a Go duration such as `1h`, `30m` or `15s`. Default: the environment profile's. */
    refreshInterval?: string;
    /**
     * Days between rotations of the remote secret (AppSecrets' `rotationDays`). Shortens the default refresh
     * interval to a 24th of the rotation period when that is below the profile's. Default: no rotation.
     */
    rotationDays?: number;
}

/**
 * Dynamic database credentials, from the app's role in the env's Vault database secrets engine (what
 * VaultAppAccess's `database` creates): a VaultDynamicSecret generator that logs in as the app (its
 * ServiceAccount and `vault.role`) and reads `<mountPath>/creds/<project>-<env>-<app>`, and an ExternalSecret
 * that writes a new credential (`username`, `password`) into a Secret at half its lifetime. Vault backend only.
 */
export interface DatabaseCredentialsArgs {
    /** Path of the env's database secrets engine. Default: `<project>-<env>-database`. */
    mountPath?: string;
    /**
     * Lifetime of each credential, in seconds, as the app's database role issues it (VaultAppAccess's
     * `database.ttlSeconds`); the ExternalSecret refreshes at half of it. Default: the profile's
     * `vaultDatabaseTtl.defaultTtlSeconds`.
     */
    ttlSeconds?: number;
    /** Name of the generator, the ExternalSecret and the Secret written. Default: `<app>-database`. */
    targetName?: string;
}

/** Arguments of an AppExternalSecrets. */
export interface AppExternalSecretsArgs {
    /** Project name, a DNS-1123 label of at most 30 characters; part of the Secrets Manager prefix. */
    project: string;
    /** Environment: dev, stage or prod. Chooses the prefix and the default refresh interval. */
    env: Environment;
    /** App name, a DNS-1123 label: its secrets are read from `<project>-<env>/<app>/` or `<env>/<app>/` only. */
    app: string;
    /** Namespace the app runs in (created beforehand, e.g. by a SecureNamespace). */
    namespace: string;
    /**
     * The app's own ServiceAccount, in `namespace`, which the store authenticates as: with Secrets Manager it
     * must carry the IRSA role annotation (a WorkloadIdentity in `irsa` mode); with Vault it must be the one
     * the Kubernetes auth role is bound to (VaultAppAccess).
     */
    serviceAccountName: string;
    /**
     * Where the secrets are read from: `aws-secrets-manager`, `aws-parameter-store` (SecureStrings under
     * `/<project>-<env>/<app>/`) or `vault`.
     */
    backend: SecretBackend;
    /** AWS region of the secrets. Required with the AWS backends, not allowed with `vault`. */
    region?: string;
    /** Vault server, mount and login. Required with `vault`, not allowed with the AWS backends. */
    vault?: VaultStoreArgs;
    /** The secrets to read, one Kubernetes Secret each. May be empty when `databaseCredentials` is set. */
    secrets: ExternalSecretArgs[];
    /** Dynamic database credentials (Vault backend only). Default: none. */
    databaseCredentials?: DatabaseCredentialsArgs;
    /** Name of the SecretStore. Default: `<app>-store`. */
    storeName?: string;
    /**
     * Namespace of the External Secrets operator, whose controller ServiceAccount (`external-secrets`) is
     * allowed to request tokens for `serviceAccountName`, and only for it: the store logs in with such a
     * token. Default: `external-secrets`, where an ExternalSecretsOperator installs by default.
     */
    operatorNamespace?: string;
}

const COMPONENT = "AppExternalSecrets";
const VAULT_ROLE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** One validated secret. */
export interface ResolvedExternalSecret {
    /** The remote key: the Secrets Manager name, or the path relative to the Vault mount. */
    readonly remoteKey: string;
    /** The Kubernetes Secret written, which is also the ExternalSecret's name. */
    readonly targetName: string;
    readonly keys: string[];
    readonly refreshInterval: string;
}

/** The validated, defaulted dynamic database credentials. */
export interface ResolvedDatabaseCredentials {
    /** The generator, the ExternalSecret and the Secret. */
    readonly name: string;
    readonly mountPath: string;
    /** The app's database role, `<project>-<env>-<app>`. */
    readonly role: string;
    readonly ttlSeconds: number;
    /** Half of `ttlSeconds`, as a Go duration. */
    readonly refreshInterval: string;
}

/** The validated Vault settings, audience defaulted. */
export interface ResolvedVaultStore {
    readonly server: string;
    readonly mountPath: string;
    readonly authPath: string;
    readonly role: string;
    readonly audience: string;
    readonly caBundle?: string;
}

/** The validated, defaulted input of an AppExternalSecrets. */
export interface ResolvedAppExternalSecrets {
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly backend: SecretBackend;
    readonly region?: string;
    readonly vault?: ResolvedVaultStore;
    readonly storeName: string;
    readonly operatorNamespace: string;
    /** The prefix every remote key lies directly under. */
    readonly keyPrefix: string;
    readonly secrets: ResolvedExternalSecret[];
    readonly databaseCredentials?: ResolvedDatabaseCredentials;
}

/** A Go duration that makes the operator read the secret again, not `0s` (read once, never rotate). */
function checkRefreshInterval(check: ArgsChecker, value: unknown, field: string): void {
    const seconds = refreshIntervalSeconds(value);
    check.check(
        seconds !== undefined && seconds > 0,
        field,
        `${JSON.stringify(value)} is not a refresh interval`,
        'give a Go duration greater than zero in hours, minutes and seconds, such as "1h", "30m" or "15s"',
    );
}

function checkVaultStore(
    check: ArgsChecker,
    vault: VaultStoreArgs,
    env: Environment | undefined,
): ResolvedVaultStore | undefined {
    if (
        check.check(
            isVaultServerAddress(vault.server),
            "vault.server",
            `${JSON.stringify(vault.server)} is not an https:// URL of a server`,
            'give Vault\'s address with https://, such as "https://vault.example.com:8200" (tokens travel over it)',
        ) &&
        env !== undefined
    ) {
        check.sameEnvironment(new URL(vault.server).hostname, env, "vault.server");
    }
    checkVaultPath(
        check,
        vault.mountPath,
        "vault.mountPath",
        env,
        "give the KV v2 mount path of this environment as VaultEnvironment reports it, without '/data' or globs",
    );
    checkVaultPath(
        check,
        vault.authPath,
        "vault.authPath",
        env,
        "give the Kubernetes auth path of this environment as VaultEnvironment reports it, without globs",
    );
    if (
        check.check(
            typeof vault.role === "string" && VAULT_ROLE.test(vault.role),
            "vault.role",
            `${JSON.stringify(vault.role)} is not a Vault role name`,
            'give the app\'s Kubernetes auth role as VaultAppAccess names it, e.g. "shop-prod-payments"',
        ) &&
        env !== undefined
    ) {
        check.sameEnvironment(vault.role, env, "vault.role");
    }
    const audience: unknown = vault.audience ?? DEFAULT_VAULT_AUDIENCE;
    check.check(
        typeof audience === "string" && audience.length > 0 && !/[\s*]/.test(audience),
        "vault.audience",
        `${JSON.stringify(audience)} is not an audience`,
        `give the exact audience the role checks, or leave it unset for "${DEFAULT_VAULT_AUDIENCE}"`,
    );
    const caBundle: unknown = vault.caBundle;
    if (caBundle !== undefined) {
        check.check(
            typeof caBundle === "string" &&
                caBundle.length > 0 &&
                BASE64.test(caBundle) &&
                Buffer.from(caBundle, "base64").toString("utf8").includes(PEM_CERTIFICATE),
            "vault.caBundle",
            "is not a base64-encoded PEM certificate",
            "base64-encode the PEM file (base64 -w0 ca.pem), or leave it unset for the system trust store",
        );
    }
    return {
        server: vault.server,
        mountPath: vault.mountPath,
        authPath: vault.authPath,
        role: vault.role,
        audience: audience as string,
        caBundle: vault.caBundle,
    };
}

/** Checks and defaults an AppExternalSecrets' arguments; throws an ArgumentError listing every problem. */
export function resolveAppExternalSecretsArgs(name: string, args: AppExternalSecretsArgs): ResolvedAppExternalSecrets {
    const check = new ArgsChecker(COMPONENT, name);
    const projectOk = check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const env = envOk ? args.env : undefined;
    const appOk = check.dnsLabel(args.app, "app", 30);
    if (check.appNamespace(args.namespace, "namespace") && env) check.sameEnvironment(args.namespace, env, "namespace");
    check.ownServiceAccount(args.serviceAccountName, "serviceAccountName");
    const operatorNamespace = args.operatorNamespace ?? PLATFORM_NAMESPACES.externalSecrets;
    if (check.dnsLabel(operatorNamespace, "operatorNamespace")) {
        // The token-request binding names the controller by namespace and name: in the app's own namespace,
        // anyone who may create a ServiceAccount there could create one called external-secrets and act as the app.
        check.check(
            operatorNamespace !== args.namespace,
            "operatorNamespace",
            `${operatorNamespace} is the app's own namespace, where the operator's ServiceAccount name could be taken`,
            `give the namespace the operator runs in (default ${PLATFORM_NAMESPACES.externalSecrets})`,
        );
    }
    const storeName = args.storeName ?? secretStoreName(args.app);
    // A default derived from a bad app name is reported once, as the app's problem.
    if (args.storeName !== undefined || appOk) {
        check.check(
            isDns1123Subdomain(storeName),
            "storeName",
            `${JSON.stringify(storeName)} is not a Kubernetes object name`,
            "use lower-case letters, digits, '-' and '.', or leave it unset for <app>-store",
        );
    }

    const backendOk = check.check(
        SECRET_BACKENDS.includes(args.backend),
        "backend",
        `${JSON.stringify(args.backend)} is not a secret backend`,
        `use one of ${SECRET_BACKENDS.join(", ")}`,
    );
    let vault: ResolvedVaultStore | undefined;
    if (backendOk && isAwsBackend(args.backend)) {
        if (
            check.check(
                args.region !== undefined,
                "region",
                `is required with ${args.backend}`,
                'give the secrets\' region, e.g. "eu-west-1"',
            )
        ) {
            check.region(args.region);
        }
        check.check(
            args.vault === undefined,
            "vault",
            `is set with ${args.backend}`,
            "remove it, or set backend to vault",
        );
    } else if (args.backend === SecretBackend.Vault) {
        check.check(
            args.region === undefined,
            "region",
            "is set with vault",
            "remove it, or set backend to aws-secrets-manager",
        );
        if (
            check.check(
                args.vault !== undefined && args.vault !== null && typeof args.vault === "object",
                "vault",
                "is required with vault",
                "give the server, mountPath, authPath and role",
            )
        ) {
            vault = checkVaultStore(check, args.vault!, env);
        }
    }

    let keyPrefix = "";
    if (projectOk && env && appOk && backendOk) {
        keyPrefix =
            args.backend === SecretBackend.Vault
                ? vaultSecretPrefix(env, args.app)
                : args.backend === SecretBackend.AwsParameterStore
                  ? ssmParameterPrefix(args.project, env, args.app)
                  : secretPathPrefix(args.project, env, args.app);
    }
    const secrets: ResolvedExternalSecret[] = [];
    const defaultInterval = env ? profileFor(env).secretRefreshInterval : "1h";
    const hasDatabase = args.databaseCredentials !== undefined;
    const seenTargetNames = new Set<string>();
    if (
        check.check(
            Array.isArray(args.secrets) && (args.secrets.length > 0 || hasDatabase),
            "secrets",
            Array.isArray(args.secrets) ? "is empty" : "is not a list",
            "list the secrets the app reads, or set databaseCredentials; an app without secrets needs no store",
        )
    ) {
        const seenKeys = new Set<string>();
        const seenTargets = seenTargetNames;
        args.secrets.forEach((secret, i) => {
            const field = `secrets[${i}]`;
            const remoteKey = keyPrefix ? remoteKeyWithin(keyPrefix, secret.name) : undefined;
            if (keyPrefix) {
                const outside =
                    typeof secret.name === "string" && secret.name.includes("/") && !secret.name.startsWith(keyPrefix);
                check.check(
                    remoteKey !== undefined,
                    `${field}.name`,
                    outside
                        ? `${JSON.stringify(secret.name)} is outside the app's prefix ${keyPrefix}`
                        : `${JSON.stringify(secret.name)} is not a secret name`,
                    `name a secret directly under ${keyPrefix}: its short name such as "db-password" ` +
                        "(lower-case letters, digits, '-', '_' and '.'), or its full key",
                );
            }
            if (remoteKey !== undefined) {
                check.check(
                    !seenKeys.has(remoteKey),
                    `${field}.name`,
                    `${remoteKey} is declared twice`,
                    "declare each secret once; list the keys it needs in one entry",
                );
                seenKeys.add(remoteKey);
            }
            const shortName = remoteKey?.slice(keyPrefix.length);
            const targetName =
                secret.targetName ??
                (shortName !== undefined ? externalSecretTargetName(args.app, shortName) : undefined);
            if (targetName !== undefined) {
                if (
                    check.check(
                        isDns1123Subdomain(targetName),
                        `${field}.targetName`,
                        `${JSON.stringify(targetName)} is not a Kubernetes Secret name`,
                        secret.targetName === undefined
                            ? "set targetName: the default <app>-<name> is not a valid name"
                            : "use lower-case letters, digits, '-' and '.'",
                    )
                ) {
                    check.check(
                        !seenTargets.has(targetName),
                        `${field}.targetName`,
                        `${targetName} is written by two ExternalSecrets`,
                        "give each secret its own targetName",
                    );
                    seenTargets.add(targetName);
                }
            }
            const keys: unknown = secret.keys ?? [];
            if (
                check.check(
                    Array.isArray(keys) && (secret.keys === undefined || keys.length > 0),
                    `${field}.keys`,
                    `${JSON.stringify(secret.keys)} is not a list of keys`,
                    "list the properties to copy, or leave it unset to copy all of them",
                )
            ) {
                const seen = new Set<string>();
                (keys as unknown[]).forEach((key, j) => {
                    check.check(
                        typeof key === "string" && SECRET_DATA_KEY.test(key) && !seen.has(key),
                        `${field}.keys[${j}]`,
                        seen.has(key as string)
                            ? `${JSON.stringify(key)} is listed twice`
                            : `${JSON.stringify(key)} is not a Secret key`,
                        "name each property once, with letters, digits, '-', '_' and '.' (no wildcards)",
                    );
                    seen.add(key as string);
                });
            }
            const refreshInterval =
                secret.refreshInterval ?? rotationRefreshInterval(defaultInterval, secret.rotationDays);
            checkRefreshInterval(check, refreshInterval, `${field}.refreshInterval`);
            secrets.push({
                remoteKey: remoteKey ?? "",
                targetName: targetName ?? "",
                keys: keys as string[],
                refreshInterval,
            });
        });
    }
    let databaseCredentials: ResolvedDatabaseCredentials | undefined;
    if (hasDatabase && backendOk) {
        if (
            check.check(
                args.backend === SecretBackend.Vault,
                "databaseCredentials",
                `is set with ${args.backend}, which issues no dynamic credentials`,
                "remove it, or set backend to vault (Vault's database secrets engine issues them)",
            ) &&
            check.check(
                args.databaseCredentials !== null && typeof args.databaseCredentials === "object",
                "databaseCredentials",
                "is not an object",
                "give {} for the defaults, or mountPath, ttlSeconds and targetName",
            )
        ) {
            databaseCredentials = resolveDatabaseCredentials(check, args, env, appOk && projectOk, seenTargetNames);
        }
    }
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        app: args.app,
        namespace: args.namespace,
        serviceAccountName: args.serviceAccountName,
        backend: args.backend,
        region: args.region,
        vault,
        storeName,
        operatorNamespace,
        keyPrefix,
        secrets,
        databaseCredentials,
    };
}

function resolveDatabaseCredentials(
    check: ArgsChecker,
    args: AppExternalSecretsArgs,
    env: Environment | undefined,
    namesOk: boolean,
    takenTargets: ReadonlySet<string>,
): ResolvedDatabaseCredentials | undefined {
    const database = args.databaseCredentials!;
    const mountPath = database.mountPath ?? (env && namesOk ? vaultDatabaseMountPath(args.project, env) : undefined);
    if (mountPath !== undefined) {
        checkVaultPath(
            check,
            mountPath,
            "databaseCredentials.mountPath",
            env,
            "give the database secrets engine path of this environment, without globs, or leave it unset",
        );
    }
    const name = database.targetName ?? (namesOk ? databaseCredentialsName(args.app) : undefined);
    if (name !== undefined) {
        if (
            check.check(
                isDns1123Subdomain(name),
                "databaseCredentials.targetName",
                `${JSON.stringify(name)} is not a Kubernetes object name`,
                "use lower-case letters, digits, '-' and '.', or leave it unset for <app>-database",
            )
        ) {
            check.check(
                !takenTargets.has(name),
                "databaseCredentials.targetName",
                `${name} is also written by the ExternalSecret of a secret`,
                "give the database credentials a targetName no secret uses",
            );
        }
    }
    const ttl: unknown = database.ttlSeconds;
    const ttlOk = check.check(
        ttl === undefined ||
            (typeof ttl === "number" && Number.isInteger(ttl) && ttl >= MIN_VAULT_DATABASE_TTL_SECONDS),
        "databaseCredentials.ttlSeconds",
        `${JSON.stringify(ttl)} is not a whole number of seconds of at least ${MIN_VAULT_DATABASE_TTL_SECONDS}`,
        "give the database role's TTL in seconds, or leave it unset for the profile's default",
    );
    if (!env || !ttlOk || mountPath === undefined || name === undefined) return undefined;
    const ttlSeconds = (ttl as number | undefined) ?? profileFor(env).vaultDatabaseTtl.defaultTtlSeconds;
    const limit = vaultDatabaseTtlLimit(env);
    check.check(
        ttlSeconds <= limit,
        "databaseCredentials.ttlSeconds",
        `${ttlSeconds} exceeds the longest database credential lifetime the ${env} profile allows (${limit} seconds)`,
        `give ${limit} or less, as the database role issues them`,
    );
    return {
        name,
        mountPath,
        role: vaultDatabaseRoleName(args.project, env, args.app),
        ttlSeconds,
        refreshInterval: dynamicCredentialsRefreshInterval(ttlSeconds),
    };
}

/**
 * Every object an AppExternalSecrets creates in the app's namespace, by name, with the field it comes from:
 * the SecretStore, the token-request Role and RoleBinding, and per secret the ExternalSecret and the Secret
 * it writes.
 */
export function appExternalSecretsNames(resolved: ResolvedAppExternalSecrets): RenderedName[] {
    const k8sName = (kind: string, name: string, source: string): RenderedName => ({
        system: NameSystem.Kubernetes,
        kind,
        scope: resolved.namespace,
        name,
        source,
    });
    const storeField = "storeName";
    const names = [
        k8sName("SecretStore", resolved.storeName, storeField),
        k8sName("Role", tokenRequestRoleName(resolved.storeName), storeField),
        k8sName("RoleBinding", tokenRequestRoleName(resolved.storeName), storeField),
    ];
    resolved.secrets.forEach((secret, i) => {
        names.push(
            k8sName("ExternalSecret", secret.targetName, `secrets[${i}].targetName`),
            k8sName("Secret", secret.targetName, `secrets[${i}].targetName`),
        );
    });
    const database = resolved.databaseCredentials;
    if (database) {
        const field = "databaseCredentials.targetName";
        names.push(
            k8sName(VAULT_DYNAMIC_SECRET_KIND, database.name, field),
            k8sName("ExternalSecret", database.name, field),
            k8sName("Secret", database.name, field),
        );
    }
    return names;
}

/** The Pulumi logical name of every resource an AppExternalSecrets called `name` registers, by type. */
export function appExternalSecretsResourceNames(name: string, resolved: ResolvedAppExternalSecrets): RenderedName[] {
    const parent = componentType("AppExternalSecrets");
    const rbac = "kubernetes:rbac.authorization.k8s.io/v1";
    return [
        childResourceName(parent, `${rbac}:Role`, `${name}-token-request`, "app"),
        childResourceName(parent, `${rbac}:RoleBinding`, `${name}-token-request`, "app"),
        childResourceName(
            parent,
            `kubernetes:${EXTERNAL_SECRETS_API_VERSION}:SecretStore`,
            `${name}-store`,
            "storeName",
        ),
        ...resolved.secrets.map((secret, i) =>
            childResourceName(
                parent,
                `kubernetes:${EXTERNAL_SECRETS_API_VERSION}:ExternalSecret`,
                `${name}-${secret.targetName}`,
                `secrets[${i}].targetName`,
            ),
        ),
        ...(resolved.databaseCredentials
            ? [
                  childResourceName(
                      parent,
                      `kubernetes:${GENERATORS_API_VERSION}:${VAULT_DYNAMIC_SECRET_KIND}`,
                      `${name}-${resolved.databaseCredentials.name}`,
                      "databaseCredentials.targetName",
                  ),
                  childResourceName(
                      parent,
                      `kubernetes:${EXTERNAL_SECRETS_API_VERSION}:ExternalSecret`,
                      `${name}-${resolved.databaseCredentials.name}`,
                      "databaseCredentials.targetName",
                  ),
              ]
            : []),
    ];
}

/**
 * The Role and RoleBinding that let the operator's controller request tokens for the app's ServiceAccount:
 * `create` on `serviceaccounts/token` for that one name, in the app's namespace. Named after the store, which
 * is unique in the namespace.
 */
export function tokenRequestRbac(resolved: ResolvedAppExternalSecrets): {
    role: k8s.types.input.rbac.v1.Role;
    binding: k8s.types.input.rbac.v1.RoleBinding;
} {
    const name = tokenRequestRoleName(resolved.storeName);
    const metadata = {
        name,
        namespace: resolved.namespace,
        labels: labelsOf(resolved.app),
    };
    return {
        role: {
            metadata,
            rules: tokenRequestRules([resolved.serviceAccountName]),
        },
        binding: {
            metadata,
            roleRef: roleRefTo("Role", name),
            subjects: [
                {
                    kind: "ServiceAccount",
                    name: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
                    namespace: resolved.operatorNamespace,
                },
            ],
        },
    };
}

/**
 * The manifests of an app's database credentials, the VaultDynamicSecret generator and its ExternalSecret, from
 * validated input; none without `databaseCredentials`.
 */
export function databaseCredentialsManifests(
    resolved: ResolvedAppExternalSecrets,
): { generator: CustomResourceManifest; externalSecret: CustomResourceManifest } | undefined {
    const database = resolved.databaseCredentials;
    const vault = resolved.vault;
    if (!database || !vault) return undefined;
    const input = {
        name: database.name,
        namespace: resolved.namespace,
        app: resolved.app,
        serviceAccountName: resolved.serviceAccountName,
        server: vault.server,
        authPath: vault.authPath,
        role: vault.role,
        audience: vault.audience,
        caBundle: vault.caBundle,
        databaseMountPath: database.mountPath,
        databaseRole: database.role,
        refreshInterval: database.refreshInterval,
    };
    return {
        generator: vaultDynamicSecretManifest(input),
        externalSecret: databaseCredentialsExternalSecretManifest(input),
    };
}

/** The manifests of an app's SecretStore and ExternalSecrets, from validated input. */
export function appExternalSecretsManifests(resolved: ResolvedAppExternalSecrets): {
    store: CustomResourceManifest;
    externalSecrets: CustomResourceManifest[];
} {
    const { app, namespace, serviceAccountName, storeName } = resolved;
    const storeInput = { name: storeName, namespace, app, serviceAccountName };
    const store =
        resolved.backend === SecretBackend.Vault
            ? vaultSecretStoreManifest({ ...storeInput, ...resolved.vault! })
            : awsSecretStoreManifest({ ...storeInput, region: resolved.region!, backend: resolved.backend });
    const externalSecrets = resolved.secrets.map((secret) =>
        externalSecretManifest({
            name: secret.targetName,
            namespace,
            app,
            storeName,
            targetName: secret.targetName,
            remoteKey: secret.remoteKey,
            keyPrefix: resolved.keyPrefix,
            keys: secret.keys,
            refreshInterval: secret.refreshInterval,
        }),
    );
    return { store, externalSecrets };
}

/**
 * An app's secrets as Kubernetes Secrets: one SecretStore in the app's namespace that authenticates as the
 * app's own ServiceAccount (so it can read no more than the app could), and one ExternalSecret per secret,
 * each reading a key directly under the app's prefix; and a Role that lets the operator's controller request
 * tokens for that ServiceAccount alone. With `databaseCredentials` (Vault), also a VaultDynamicSecret
 * generator and an ExternalSecret that keep the app's database credentials fresh. The External Secrets
 * operator must be installed first: pass the ExternalSecretsOperator in `dependsOn`.
 */
export class AppExternalSecrets extends pulumi.ComponentResource {
    /** Name of the SecretStore. */
    public readonly secretStoreName: pulumi.Output<string>;
    /** Names of the Kubernetes Secrets the operator writes, in declaration order, the database credentials' last. */
    public readonly secretNames: pulumi.Output<string[]>;
    /** Names of the ExternalSecrets, in declaration order. */
    public readonly externalSecretNames: pulumi.Output<string[]>;

    constructor(name: string, args: AppExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveAppExternalSecretsArgs(name, args);
        super("k8s-baseline:index:AppExternalSecrets", name, {}, opts);
        const manifests = appExternalSecretsManifests(resolved);

        const rbac = tokenRequestRbac(resolved);
        const role = new k8s.rbac.v1.Role(`${name}-token-request`, rbac.role, { parent: this });
        const binding = new k8s.rbac.v1.RoleBinding(`${name}-token-request`, rbac.binding, {
            parent: this,
            dependsOn: [role],
        });
        // The store logs in with a token the controller may request only once the binding exists.
        const store = new k8s.apiextensions.CustomResource(`${name}-store`, manifests.store, {
            parent: this,
            dependsOn: [binding],
        });
        const externalSecrets = manifests.externalSecrets.map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(`${name}-${manifest.metadata.name}`, manifest, {
                    parent: this,
                    dependsOn: [store],
                }),
        );

        const database = databaseCredentialsManifests(resolved);
        if (database) {
            // The generator logs in with a token of the app's ServiceAccount, which the binding lets the
            // controller request.
            const generator = new k8s.apiextensions.CustomResource(
                `${name}-${database.generator.metadata.name}`,
                database.generator,
                { parent: this, dependsOn: [binding] },
            );
            externalSecrets.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-${database.externalSecret.metadata.name}`,
                    database.externalSecret,
                    { parent: this, dependsOn: [generator] },
                ),
            );
        }

        const targetNames = [
            ...resolved.secrets.map((secret) => secret.targetName),
            ...(resolved.databaseCredentials ? [resolved.databaseCredentials.name] : []),
        ];
        this.secretStoreName = store.metadata.name;
        this.externalSecretNames = pulumi.all(externalSecrets.map((es) => es.metadata.name));
        // Resolved through the ExternalSecrets, so whatever mounts a Secret waits until its ExternalSecret exists.
        this.secretNames = this.externalSecretNames.apply(() => targetNames);
        this.registerOutputs({
            secretStoreName: this.secretStoreName,
            secretNames: this.secretNames,
            externalSecretNames: this.externalSecretNames,
        });
    }
}
