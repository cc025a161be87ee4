import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import {
    appResourceName,
    ArgsChecker,
    childResourceName,
    componentType,
    defaultVaultDatabaseTtlSeconds,
    Environment,
    MAX_VAULT_TOKEN_TTL_SECONDS,
    MIN_VAULT_DATABASE_TTL_SECONDS,
    NameSystem,
    profileFor,
    RenderedName,
    vaultDatabaseCredsPath,
    vaultDatabaseMountPath,
    vaultDatabaseRoleName,
    vaultDatabaseTtlLimit,
    vaultTokenTtlLimit,
} from "../baseline";
import { appDatabaseRule, appReadRules, checkAppPolicy, renderPolicy, VaultPolicyRule } from "./policy";
import { checkVaultPath } from "./vault-environment";

/**
 * Dynamic database credentials of an app: a role of the environment's database secrets engine that creates a
 * database user per request, valid for a TTL from the environment profile. The database connection itself
 * (`vault.database.SecretBackendConnection`, with the database's admin credentials) is configured by whoever
 * owns the database, in the same mount, and must list the role (`<project>-<env>-<app>`) in `allowedRoles`.
 */
export interface VaultDatabaseRoleArgs {
    /** Name of the connection in the mount the role creates users through, e.g. `payments-postgres`. */
    connectionName: string;
    /**
     * Statements that create the user, run by the connection's plugin; Vault fills in `{{name}}` (required: one
     * user per credential), `{{password}}` and `{{expiration}}`. Grant the app's own schema or tables only.
     */
    creationStatements: string[];
    /** Statements that drop the user when its lease ends or is revoked. Default: the plugin's own. */
    revocationStatements?: string[];
    /** Path of the environment's database secrets engine. Default: `<project>-<env>-database`. */
    mountPath?: string;
    /**
     * Lifetime of each credential (the role's default TTL), in seconds, at least 300. Default: the profile's
     * `vaultDatabaseTtl.defaultTtlSeconds` (15 minutes in prod, an hour in dev and stage).
     */
    ttlSeconds?: number;
    /**
     * The longest a credential's lease may be renewed to (the role's max TTL), in seconds, at least `ttlSeconds`.
     * Default and limit: the profile's `vaultDatabaseTtl.maxTtlSeconds`.
     */
    maxTtlSeconds?: number;
}

/** Arguments of a VaultAppAccess. */
export interface VaultAppAccessArgs {
    /** Project name, a DNS-1123 label of at most 30 characters; prefixes the policy and role names. */
    project: string;
    /** Environment: dev, stage or prod. Chooses the longest token TTL allowed. */
    env: Environment;
    /** App name, a DNS-1123 label. The app reads secrets under `<mountPath>/data/<env>/<app>/` only. */
    app: string;
    /** Namespace the app's ServiceAccount lives in, a DNS-1123 label; the only namespace bound to the role. */
    namespace: string;
    /** The app's ServiceAccount, a DNS-1123 label; the only ServiceAccount bound to the role. */
    serviceAccountName: string;
    /** Path of the environment's KV v2 mount, as VaultEnvironment reports it. */
    mountPath: string;
    /** Path of the environment's Kubernetes auth backend, as VaultEnvironment reports it. */
    authPath: string;
    /**
     * Lifetime of the tokens the role issues, in seconds; also their maximum lifetime. Default: the
     * environment profile's `maxVaultTokenTtlSeconds`, which it may not exceed (nor one hour).
     */
    tokenTtlSeconds?: number;
    /** Audience the ServiceAccount token must carry. Default: `vault`. */
    audience?: string;
    /**
     * Dynamic database credentials: a database role `<project>-<env>-<app>` in the env's database mount, and
     * `read` on its `<mount>/creds/<role>` (that path only) in the app's policy. Default: none.
     */
    database?: VaultDatabaseRoleArgs;
}

const COMPONENT = "VaultAppAccess";
const DEFAULT_AUDIENCE = "vault";
const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The validated, defaulted database role of an app. */
export interface ResolvedVaultDatabaseRole {
    readonly mountPath: string;
    /** `<project>-<env>-<app>`. */
    readonly roleName: string;
    /** `<mount>/creds/<role>`: the one path the app's policy lets it read credentials from. */
    readonly credsPath: string;
    readonly connectionName: string;
    readonly creationStatements: string[];
    readonly revocationStatements?: string[];
    readonly ttlSeconds: number;
    readonly maxTtlSeconds: number;
}

function checkStatements(check: ArgsChecker, value: unknown, field: string, required: boolean): void {
    if (value === undefined && !required) return;
    if (
        !check.check(
            Array.isArray(value) && value.length > 0,
            field,
            `${JSON.stringify(value)} is not a list of statements`,
            required
                ? "list the statements that create the user, e.g. CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'"
                : "list the statements that drop the user, or leave it unset for the plugin's own",
        )
    ) {
        return;
    }
    (value as unknown[]).forEach((statement, i) =>
        check.check(
            typeof statement === "string" && statement.trim().length > 0,
            `${field}[${i}]`,
            "is empty",
            "give the statement's text",
        ),
    );
}

/** Checks and defaults an app's database role; records every problem on `check`. */
function resolveDatabaseRole(
    check: ArgsChecker,
    database: VaultDatabaseRoleArgs,
    project: string,
    env: Environment | undefined,
    app: string,
): ResolvedVaultDatabaseRole | undefined {
    const mountPath = database.mountPath ?? (env ? vaultDatabaseMountPath(project, env) : undefined);
    if (mountPath !== undefined) {
        checkVaultPath(
            check,
            mountPath,
            "database.mountPath",
            env,
            "give the database secrets engine path of this environment, without globs, or leave it unset",
        );
    }
    if (
        check.check(
            typeof database.connectionName === "string" && CONNECTION_NAME.test(database.connectionName),
            "database.connectionName",
            `${JSON.stringify(database.connectionName)} is not a connection name`,
            'give the name of the database connection in the mount, e.g. "payments-postgres"',
        ) &&
        env
    ) {
        check.sameEnvironment(database.connectionName, env, "database.connectionName");
    }
    checkStatements(check, database.creationStatements, "database.creationStatements", true);
    if (Array.isArray(database.creationStatements) && database.creationStatements.length > 0) {
        check.check(
            database.creationStatements.some((s) => typeof s === "string" && s.includes("{{name}}")),
            "database.creationStatements",
            "never uses {{name}}, so every credential would be the same database user",
            'create the user as "{{name}}", the name Vault generates for each credential',
        );
    }
    checkStatements(check, database.revocationStatements, "database.revocationStatements", false);

    const limits = env ? profileFor(env).vaultDatabaseTtl : undefined;
    const seconds = (value: unknown, field: string, unset: string): boolean =>
        check.check(
            value === undefined ||
                (typeof value === "number" && Number.isInteger(value) && value >= MIN_VAULT_DATABASE_TTL_SECONDS),
            field,
            `${JSON.stringify(value)} is not a whole number of seconds of at least ${MIN_VAULT_DATABASE_TTL_SECONDS}`,
            `give ${MIN_VAULT_DATABASE_TTL_SECONDS} seconds or more, or leave it unset for ${unset}`,
        );
    const ttlOk = seconds(database.ttlSeconds, "database.ttlSeconds", "the profile's default");
    const maxOk = seconds(database.maxTtlSeconds, "database.maxTtlSeconds", "the profile's maximum");
    if (!limits || !ttlOk || !maxOk) return undefined;
    const limit = vaultDatabaseTtlLimit(env!);
    const ttlSeconds = database.ttlSeconds ?? defaultVaultDatabaseTtlSeconds(env!, database.maxTtlSeconds);
    const maxTtlSeconds = database.maxTtlSeconds ?? limit;
    check.check(
        ttlSeconds <= limit,
        "database.ttlSeconds",
        `${ttlSeconds} exceeds the longest database credential lifetime the ${env} profile allows (${limit} seconds)`,
        `give ${limit} or less, or leave it unset for ${limits.defaultTtlSeconds}`,
    );
    check.check(
        maxTtlSeconds <= limit,
        "database.maxTtlSeconds",
        `${maxTtlSeconds} exceeds the longest database credential lifetime the ${env} profile allows (${limit} seconds)`,
        `give ${limit} or less, or leave it unset`,
    );
    check.check(
        ttlSeconds <= maxTtlSeconds,
        "database.ttlSeconds",
        `${ttlSeconds} exceeds maxTtlSeconds ${maxTtlSeconds}, which Vault would cut it to`,
        "give a ttlSeconds no longer than maxTtlSeconds",
    );
    if (mountPath === undefined) return undefined;
    const roleName = vaultDatabaseRoleName(project, env!, app);
    return {
        mountPath,
        roleName,
        credsPath: vaultDatabaseCredsPath(mountPath, roleName),
        connectionName: database.connectionName,
        creationStatements: database.creationStatements,
        revocationStatements: database.revocationStatements,
        ttlSeconds,
        maxTtlSeconds,
    };
}

/** The validated, defaulted input of a VaultAppAccess. */
export interface ResolvedVaultAppAccess {
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly mountPath: string;
    readonly authPath: string;
    readonly tokenTtlSeconds: number;
    readonly audience: string;
    /** `<project>-<env>-<app>`: the name of both the policy and the role. */
    readonly resourceName: string;
    readonly rules: VaultPolicyRule[];
    /** The policy's HCL. */
    readonly policy: string;
    /** The app's database role, when it has dynamic database credentials. */
    readonly database?: ResolvedVaultDatabaseRole;
}

/** Checks and defaults a VaultAppAccess's arguments; throws an ArgumentError listing every problem. */
export function resolveVaultAppAccessArgs(name: string, args: VaultAppAccessArgs): ResolvedVaultAppAccess {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const env = envOk ? args.env : undefined;
    check.dnsLabel(args.app, "app");
    if (check.appNamespace(args.namespace, "namespace") && env) check.sameEnvironment(args.namespace, env, "namespace");
    check.ownServiceAccount(args.serviceAccountName, "serviceAccountName");
    checkVaultPath(
        check,
        args.mountPath,
        "mountPath",
        env,
        "give the KV v2 mount path of this environment as VaultEnvironment reports it, without globs",
    );
    checkVaultPath(
        check,
        args.authPath,
        "authPath",
        env,
        "give the Kubernetes auth path of this environment as VaultEnvironment reports it, without globs",
    );

    const ttl: unknown = args.tokenTtlSeconds;
    if (
        check.check(
            ttl === undefined || (typeof ttl === "number" && Number.isInteger(ttl) && ttl > 0),
            "tokenTtlSeconds",
            `${JSON.stringify(ttl)} is not a positive whole number of seconds`,
            "give a number of seconds greater than 0, or leave it unset for the profile's maximum",
        ) &&
        env &&
        typeof ttl === "number"
    ) {
        const limit = vaultTokenTtlLimit(env);
        check.check(
            ttl <= limit,
            "tokenTtlSeconds",
            `${ttl} exceeds the longest token TTL the ${env} profile allows (${limit} seconds; never above ${MAX_VAULT_TOKEN_TTL_SECONDS})`,
            `give ${limit} or less, or leave it unset`,
        );
    }
    const audience: unknown = args.audience ?? DEFAULT_AUDIENCE;
    check.check(
        typeof audience === "string" && audience.length > 0 && !/[\s*]/.test(audience),
        "audience",
        `${JSON.stringify(audience)} is not an audience`,
        `give the exact audience the projected token carries, without wildcards or spaces, or leave it unset for "${DEFAULT_AUDIENCE}"`,
    );
    let database: ResolvedVaultDatabaseRole | undefined;
    if (args.database !== undefined) {
        if (
            check.check(
                args.database !== null && typeof args.database === "object",
                "database",
                "is not a database role",
                "give connectionName and creationStatements, or leave it unset",
            )
        ) {
            database = resolveDatabaseRole(check, args.database, args.project, env, args.app);
        }
    }
    check.throwIfInvalid();

    const rules = appReadRules(args.mountPath, args.env, args.app);
    if (database) rules.push(appDatabaseRule(database.mountPath, database.roleName));
    for (const problem of checkAppPolicy(rules, args.mountPath, args.env, args.app, database?.credsPath)) {
        check.fail("policy", problem, "the app's policy must read its own secrets only");
    }
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        app: args.app,
        namespace: args.namespace,
        serviceAccountName: args.serviceAccountName,
        mountPath: args.mountPath,
        authPath: args.authPath,
        tokenTtlSeconds: args.tokenTtlSeconds ?? vaultTokenTtlLimit(args.env),
        audience: audience as string,
        resourceName: appResourceName(args.project, args.env, args.app),
        rules,
        policy: renderPolicy(rules),
        database,
    };
}

/**
 * Every object a VaultAppAccess creates, by the name Vault knows it by: the policy (Vault lower-cases policy
 * names) and the role, unique within its auth backend.
 */
export function vaultAppAccessNames(resolved: ResolvedVaultAppAccess): RenderedName[] {
    const database: RenderedName[] = resolved.database
        ? [
              {
                  system: NameSystem.Vault,
                  kind: "database role",
                  scope: resolved.database.mountPath,
                  name: resolved.database.roleName,
                  source: "app",
              },
          ]
        : [];
    return [
        ...database,
        { system: NameSystem.Vault, kind: "policy", name: resolved.resourceName, source: "app" },
        {
            system: NameSystem.Vault,
            kind: "role",
            scope: resolved.authPath,
            name: resolved.resourceName,
            source: "app",
        },
    ];
}

/** The Pulumi logical name of every resource a VaultAppAccess called `name` registers, by type. */
export function vaultAppAccessResourceNames(name: string, resolved?: ResolvedVaultAppAccess): RenderedName[] {
    const parent = componentType("VaultAppAccess");
    return [
        childResourceName(parent, "vault:index/policy:Policy", `${name}-policy`, "app"),
        childResourceName(parent, "vault:kubernetes/authBackendRole:AuthBackendRole", `${name}-role`, "app"),
        ...(resolved?.database
            ? [childResourceName(parent, VAULT_DATABASE_ROLE_TYPE, `${name}-database`, "database")]
            : []),
    ];
}

const VAULT_DATABASE_ROLE_TYPE = "vault:database/secretBackendRole:SecretBackendRole";

/**
 * Vault access for one app: a policy that reads the app's own secrets in the environment's KV v2 mount, and
 * a Kubernetes auth role that issues short-lived tokens with that policy to the app's one ServiceAccount in
 * its one namespace. With `database`, also a database secrets engine role whose credentials live for the
 * profile's TTL, and `read` on that role's credentials alone in the policy.
 */
export class VaultAppAccess extends pulumi.ComponentResource {
    /** Name of the Vault policy. */
    public readonly policyName: pulumi.Output<string>;
    /** Name of the Kubernetes auth role the app logs in with. */
    public readonly roleName: pulumi.Output<string>;
    /** `<mount>/creds/<role>`, where the app gets database credentials; only with `database`. */
    public readonly databaseCredsPath?: pulumi.Output<string>;

    constructor(name: string, args: VaultAppAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveVaultAppAccessArgs(name, args);
        super("k8s-baseline:index:VaultAppAccess", name, {}, opts);

        const policy = new vault.Policy(
            `${name}-policy`,
            { name: resolved.resourceName, policy: resolved.policy },
            { parent: this },
        );
        const role = new vault.kubernetes.AuthBackendRole(
            `${name}-role`,
            {
                backend: resolved.authPath,
                roleName: resolved.resourceName,
                boundServiceAccountNames: [resolved.serviceAccountName],
                boundServiceAccountNamespaces: [resolved.namespace],
                audience: resolved.audience,
                tokenTtl: resolved.tokenTtlSeconds,
                tokenMaxTtl: resolved.tokenTtlSeconds,
                tokenPolicies: [policy.name],
            },
            { parent: this },
        );

        const database = resolved.database;
        if (database) {
            const databaseRole = new vault.database.SecretBackendRole(
                `${name}-database`,
                {
                    backend: database.mountPath,
                    name: database.roleName,
                    dbName: database.connectionName,
                    creationStatements: database.creationStatements,
                    revocationStatements: database.revocationStatements,
                    defaultTtl: database.ttlSeconds,
                    maxTtl: database.maxTtlSeconds,
                },
                { parent: this },
            );
            this.databaseCredsPath = pulumi
                .all([databaseRole.backend, databaseRole.name])
                .apply(([mount, role]) => vaultDatabaseCredsPath(mount, role));
        }

        this.policyName = policy.name;
        this.roleName = role.roleName;
        this.registerOutputs({
            policyName: this.policyName,
            roleName: this.roleName,
            databaseCredsPath: this.databaseCredsPath,
        });
    }
}
