import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import {
    appResourceName,
    ArgsChecker,
    childResourceName,
    componentType,
    Environment,
    MAX_VAULT_TOKEN_TTL_SECONDS,
    NameSystem,
    RenderedName,
    vaultTokenTtlLimit,
} from "../baseline";
import { appReadRules, checkAppPolicy, renderPolicy, VaultPolicyRule } from "./policy";
import { checkVaultPath } from "./vault-environment";

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
}

const COMPONENT = "VaultAppAccess";
const DEFAULT_AUDIENCE = "vault";

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
    check.throwIfInvalid();

    const rules = appReadRules(args.mountPath, args.env, args.app);
    for (const problem of checkAppPolicy(rules, args.mountPath, args.env, args.app)) {
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
    };
}

/**
 * Every object a VaultAppAccess creates, by the name Vault knows it by: the policy (Vault lower-cases policy
 * names) and the role, unique within its auth backend.
 */
export function vaultAppAccessNames(resolved: ResolvedVaultAppAccess): RenderedName[] {
    return [
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
export function vaultAppAccessResourceNames(name: string): RenderedName[] {
    const parent = componentType("VaultAppAccess");
    return [
        childResourceName(parent, "vault:index/policy:Policy", `${name}-policy`, "app"),
        childResourceName(parent, "vault:kubernetes/authBackendRole:AuthBackendRole", `${name}-role`, "app"),
    ];
}

/**
 * Vault access for one app: a policy that reads the app's own secrets in the environment's KV v2 mount, and
 * a Kubernetes auth role that issues short-lived tokens with that policy to the app's one ServiceAccount in
 * its one namespace.
 */
export class VaultAppAccess extends pulumi.ComponentResource {
    /** Name of the Vault policy. */
    public readonly policyName: pulumi.Output<string>;
    /** Name of the Kubernetes auth role the app logs in with. */
    public readonly roleName: pulumi.Output<string>;

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

        this.policyName = policy.name;
        this.roleName = role.roleName;
        this.registerOutputs({ policyName: this.policyName, roleName: this.roleName });
    }
}
