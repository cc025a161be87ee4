import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { ArgsChecker, Environment, vaultAuthPath, vaultMountPath } from "../baseline";
import { vaultMountPathProblem } from "./policy";

/** Arguments of a VaultEnvironment. */
export interface VaultEnvironmentArgs {
    /** Project name, a DNS-1123 label of at most 30 characters; prefixes the default mount and auth paths. */
    project: string;
    /** Environment: dev, stage or prod. */
    env: Environment;
    /**
     * URL of the cluster's Kubernetes API server, which Vault calls to review ServiceAccount tokens. Must be
     * `https://` (checked when given as a plain string).
     */
    kubernetesHost: pulumi.Input<string>;
    /** PEM CA certificate of the API server. Default: none (Vault uses the system trust store). */
    kubernetesCaCert?: pulumi.Input<string>;
    /** Path of the environment's KV v2 secrets engine. Default: `<project>-<env>-kv`. */
    mountPath?: string;
    /**
     * Use a KV v2 mount that already exists at `mountPath` instead of creating one. Default: false (a KV v2
     * mount is created).
     */
    useExistingMount?: boolean;
    /** Path of the environment's Kubernetes auth backend. Default: `kubernetes-<project>-<env>`. */
    authPath?: string;
}

const COMPONENT = "VaultEnvironment";

/** The validated, defaulted input of a VaultEnvironment. */
export interface ResolvedVaultEnvironment {
    readonly project: string;
    readonly env: Environment;
    readonly kubernetesHost: pulumi.Input<string>;
    readonly kubernetesCaCert?: pulumi.Input<string>;
    readonly mountPath: string;
    readonly useExistingMount: boolean;
    readonly authPath: string;
}

/** Records a problem unless `value` is a usable Vault path that does not name another environment. */
export function checkVaultPath(
    check: ArgsChecker,
    value: unknown,
    field: string,
    env: Environment | undefined,
    fix: string,
): void {
    const problem = vaultMountPathProblem(value);
    if (check.check(problem === undefined, field, `${JSON.stringify(value)} ${problem}`, fix) && env !== undefined) {
        check.sameEnvironment(value as string, env, field);
    }
}

/** Checks and defaults a VaultEnvironment's arguments; throws an ArgumentError listing every problem. */
export function resolveVaultEnvironmentArgs(name: string, args: VaultEnvironmentArgs): ResolvedVaultEnvironment {
    const check = new ArgsChecker(COMPONENT, name);
    const projectOk = check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const env = envOk ? args.env : undefined;

    const host: unknown = args.kubernetesHost;
    if (host === undefined || host === null || host === "") {
        check.fail("kubernetesHost", "is required", 'give the API server URL, e.g. "https://10.0.0.1:443"');
    } else if (typeof host === "string") {
        let url: URL | undefined;
        try {
            url = new URL(host);
        } catch {
            url = undefined;
        }
        check.check(
            url !== undefined && url.protocol === "https:" && url.hostname.length > 0,
            "kubernetesHost",
            `${JSON.stringify(host)} is not an https:// URL`,
            "give the API server URL with https://; Vault sends ServiceAccount tokens to it",
        );
    }
    const caCert: unknown = args.kubernetesCaCert;
    if (typeof caCert === "string") {
        check.check(
            caCert.includes("-----BEGIN CERTIFICATE-----"),
            "kubernetesCaCert",
            "is not a PEM certificate",
            "give the API server's CA certificate in PEM form, or leave it unset",
        );
    }

    check.check(
        args.useExistingMount === undefined || typeof args.useExistingMount === "boolean",
        "useExistingMount",
        `${JSON.stringify(args.useExistingMount)} is not a boolean`,
        "give true or false",
    );
    const useExistingMount = args.useExistingMount ?? false;
    const defaultsKnown = projectOk && envOk;
    if (args.mountPath !== undefined || defaultsKnown) {
        const mountPath = args.mountPath ?? vaultMountPath(args.project, args.env);
        checkVaultPath(
            check,
            mountPath,
            "mountPath",
            env,
            'give the KV v2 mount path without slashes at either end or globs, e.g. "shop-prod-kv"',
        );
    }
    if (args.authPath !== undefined || defaultsKnown) {
        const authPath = args.authPath ?? vaultAuthPath(args.project, args.env);
        checkVaultPath(
            check,
            authPath,
            "authPath",
            env,
            'give the auth backend path without slashes at either end or globs, e.g. "kubernetes-shop-prod"',
        );
    }
    check.throwIfInvalid();
    return {
        project: args.project,
        env: args.env,
        kubernetesHost: args.kubernetesHost,
        kubernetesCaCert: args.kubernetesCaCert,
        mountPath: args.mountPath ?? vaultMountPath(args.project, args.env),
        useExistingMount,
        authPath: args.authPath ?? vaultAuthPath(args.project, args.env),
    };
}

/**
 * Vault for one environment: the KV v2 secrets engine its apps read from (created, or an existing one
 * referenced) and a Kubernetes auth backend that trusts the environment's cluster.
 */
export class VaultEnvironment extends pulumi.ComponentResource {
    /** Path of the KV v2 secrets engine. */
    public readonly mountPath: pulumi.Output<string>;
    /** Path of the Kubernetes auth backend. */
    public readonly authPath: pulumi.Output<string>;

    constructor(name: string, args: VaultEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveVaultEnvironmentArgs(name, args);
        super("k8s-baseline:index:VaultEnvironment", name, {}, opts);
        const label = `${resolved.project} ${resolved.env}`;

        if (resolved.useExistingMount) {
            this.mountPath = pulumi.output(resolved.mountPath);
        } else {
            const mount = new vault.Mount(
                `${name}-kv`,
                {
                    path: resolved.mountPath,
                    type: "kv",
                    options: { version: "2" },
                    description: `KV v2 secrets of ${label}`,
                },
                { parent: this },
            );
            this.mountPath = mount.path;
        }

        const auth = new vault.AuthBackend(
            `${name}-kubernetes`,
            {
                type: "kubernetes",
                path: resolved.authPath,
                description: `Kubernetes auth for the ${label} cluster`,
            },
            { parent: this },
        );
        new vault.kubernetes.AuthBackendConfig(
            `${name}-kubernetes-config`,
            {
                backend: auth.path,
                kubernetesHost: resolved.kubernetesHost,
                kubernetesCaCert: resolved.kubernetesCaCert,
            },
            { parent: this },
        );
        this.authPath = auth.path;

        this.registerOutputs({ mountPath: this.mountPath, authPath: this.authPath });
    }
}
