/**
 * The stack's configuration: the `k8s-baseline:*` keys of `Pulumi.<stack>.yaml`, checked against
 * config.schema.json before anything is built. Keys mirror SecureEnvironment's arguments, so an error the
 * component reports (`apps[1].namespace`) names the config key to fix as well. Three kinds of stack:
 * - an env on a cluster of its own, or on a shared cluster it describes itself (`env` and `cluster`);
 * - an env on a shared cluster whose facts it reads from the cluster stack's outputs (`env` and `clusterStack`);
 * - a cluster stack, the add-ons of a cluster several envs share (`cluster` and no `env`).
 */
import Ajv, { ErrorObject } from "ajv";
import * as pulumi from "@pulumi/pulumi";
import { ClusterLayout, Environment, SECRETS_CONFIG_NAMESPACE } from "../components/baseline";
import { SecureClusterArgs } from "../components/cluster";
import { ClusterArgs, SecureEnvironmentArgs } from "../components/environment";
import schema from "./config.schema.json";

export const CONFIG_NAMESPACE = "k8s-baseline";
/** Secret initial values live in their own namespace: `pulumi config set --secret secrets:<key> ...`. */
export const SECRETS_NAMESPACE = SECRETS_CONFIG_NAMESPACE;

/** Reads a secret config value by key (Pulumi's `config.requireSecret`). */
export type SecretReader = (key: string) => pulumi.Output<string>;

/** Thrown when the stack's configuration is invalid; lists every problem. */
export class ConfigError extends Error {
    constructor(stack: string, problems: readonly string[]) {
        super(`stack ${stack}: invalid configuration:\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function keyOf(instancePath: string, property?: string): string {
    const parts = instancePath.split("/").filter(Boolean);
    if (property !== undefined) parts.push(property);
    let key = `${CONFIG_NAMESPACE}:${parts[0] ?? ""}`;
    for (const part of parts.slice(1)) key += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
    return key;
}

function describe(error: ErrorObject): string {
    switch (error.keyword) {
        case "required":
            return `${keyOf(error.instancePath, error.params.missingProperty)}: is required; fix: set it in Pulumi.<stack>.yaml (see "The stacks" in the README)`;
        case "additionalProperties":
            return `${keyOf(error.instancePath, error.params.additionalProperty)}: is not a known key; fix: check its spelling against stacks/config.schema.json`;
        case "enum":
            return `${keyOf(error.instancePath)}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
        case "type": {
            const type = error.params.type === "array" ? "list" : String(error.params.type);
            return `${keyOf(error.instancePath)}: must be ${/^[aeiou]/.test(type) ? "an" : "a"} ${type}; fix: write it as YAML of that type`;
        }
        case "minItems":
            return `${keyOf(error.instancePath)}: must list at least ${error.params.limit}`;
        default:
            return `${keyOf(error.instancePath)}: ${error.message}`;
    }
}

interface AppSecretConfig {
    name: string;
    description?: string;
    keys?: string[];
    valueFromConfig?: string;
}

/** What kind of stack a configuration describes. */
export const StackKind = {
    /** An env with its cluster described in its own configuration (`cluster`). */
    Environment: "environment",
    /** An env on a shared cluster, whose facts it reads from the cluster stack's outputs (`clusterStack`). */
    SharedEnvironment: "shared-environment",
    /** The add-ons of a cluster several envs share (no `env`). */
    Cluster: "cluster",
} as const;
export type StackKind = (typeof StackKind)[keyof typeof StackKind];

/** An env stack whose configuration describes its cluster. */
export interface EnvironmentStackConfig {
    readonly kind: typeof StackKind.Environment;
    readonly args: SecureEnvironmentArgs;
}

/** An env stack on a shared cluster: its arguments but the cluster, read from `clusterStack`'s outputs. */
export interface SharedEnvironmentStackConfig {
    readonly kind: typeof StackKind.SharedEnvironment;
    /** The cluster stack, `organization/project/stack`. */
    readonly clusterStack: string;
    readonly args: Omit<SecureEnvironmentArgs, "cluster">;
}

/** A cluster stack. */
export interface ClusterStackConfig {
    readonly kind: typeof StackKind.Cluster;
    /** The cluster's arguments but `kubernetesApiClients`, read from `environmentStacks`' outputs. */
    readonly args: SecureClusterArgs;
    /** The env stacks on the cluster, `organization/project/stack`, whose outputs name their API clients. */
    readonly environmentStacks: readonly string[];
}

export type StackConfig = EnvironmentStackConfig | SharedEnvironmentStackConfig | ClusterStackConfig;

/** The keys a cluster stack takes: the cluster's, none of an env's. */
const CLUSTER_STACK_KEYS: readonly string[] = [
    "project",
    "accountId",
    "region",
    "cluster",
    "registries",
    "vaultCidrs",
    "runtimeSecurity",
    "environmentStacks",
];

/** The stack name of an env: the env itself (`dev`), or ending with it (`shared-dev`). */
export function isEnvironmentStackName(stack: string, env: Environment): boolean {
    return stack === env || stack.endsWith(`-${env}`);
}

/** The stack a `clusterStack` reference names: its last `/`-separated part. */
export function referencedStackName(clusterStack: string): string {
    return clusterStack.split("/").pop() ?? clusterStack;
}

/**
 * Checks the raw `k8s-baseline:*` values of a stack and tells which kind of stack it is, with the arguments
 * of what it deploys. `values` holds every key of the namespace, so misspelled keys are reported, not ignored.
 */
export function parseStack(stack: string, values: Record<string, unknown>, readSecret: SecretReader): StackConfig {
    const problems: string[] = [];
    // An `if` error only says that `then` or `else` failed; their own errors name the key.
    if (Object.keys(values).length === 0) {
        // An empty stack file, or one whose keys are all in another namespace: one problem, not one per key.
        problems.push(
            `${CONFIG_NAMESPACE}:*: no key is set; fix: fill the config: map of Pulumi.${stack}.yaml (stacks/config.schema.json lists the keys)`,
        );
    } else if (!validate(values)) {
        problems.push(...(validate.errors ?? []).filter((e) => e.keyword !== "if").map(describe));
    }
    const key = (name: string) => `${CONFIG_NAMESPACE}:${name}`;
    if (problems.length === 0 && values.env === undefined) {
        for (const name of Object.keys(values).filter((k) => !CLUSTER_STACK_KEYS.includes(k))) {
            problems.push(
                `${key(name)}: is an env's key, but the stack sets no env, so it deploys a shared cluster's add-ons; fix: remove it, or set env`,
            );
        }
        if (problems.length > 0) throw new ConfigError(stack, problems);
        const { project, cluster, registries, vaultCidrs, runtimeSecurity, environmentStacks } =
            values as unknown as SecureClusterArgs & { environmentStacks?: string[] };
        return {
            kind: StackKind.Cluster,
            args: {
                project,
                cluster,
                registries,
                ...(vaultCidrs === undefined ? {} : { vaultCidrs }),
                ...(runtimeSecurity === undefined ? {} : { runtimeSecurity }),
            },
            environmentStacks: [...(environmentStacks ?? [])],
        };
    }
    if (problems.length === 0) {
        if (!isEnvironmentStackName(stack, values.env as Environment)) {
            problems.push(
                `${key("env")}: is ${JSON.stringify(values.env)} in stack ${stack}; fix: deploy each env from the stack of its name (${String(values.env)}, or one ending in -${String(values.env)})`,
            );
        }
        if (values.vaultCidrs !== undefined) {
            problems.push(
                `${key("vaultCidrs")}: is a cluster stack's key; fix: give the Vault's CIDR blocks in vault.cidrs`,
            );
        }
        if (values.environmentStacks !== undefined) {
            problems.push(
                `${key("environmentStacks")}: is a cluster stack's key; fix: remove it: an env stack names its cluster in clusterStack`,
            );
        }
        if (values.cluster !== undefined && values.clusterStack !== undefined) {
            problems.push(
                `${key("clusterStack")}: is set with ${key("cluster")}; fix: give one: cluster for a cluster this stack describes, clusterStack for a shared cluster's stack`,
            );
        } else if (values.cluster === undefined && values.clusterStack === undefined) {
            problems.push(
                `${key("cluster")}: is required; fix: describe the cluster, or name the shared cluster's stack in ${key("clusterStack")}`,
            );
        }
    }
    if (problems.length > 0) throw new ConfigError(stack, problems);
    const { clusterStack, ...config } = values as unknown as Omit<SecureEnvironmentArgs, "apps"> & {
        clusterStack?: string;
        apps: (Omit<SecureEnvironmentArgs["apps"][number], "secrets"> & { secrets?: AppSecretConfig[] })[];
    };
    const args: SecureEnvironmentArgs = {
        ...config,
        apps: config.apps.map((app) => ({
            ...app,
            secrets: app.secrets?.map(({ valueFromConfig, ...secret }) => ({
                ...secret,
                value: valueFromConfig === undefined ? undefined : readSecret(valueFromConfig),
            })),
        })),
    };
    if (clusterStack === undefined) return { kind: StackKind.Environment, args };
    const { cluster: _none, ...rest } = args;
    return { kind: StackKind.SharedEnvironment, clusterStack, args: rest };
}

/**
 * The SecureEnvironment arguments of an env stack. A shared env's cluster is `cluster`, the facts its
 * cluster stack's outputs give (see SecureCluster); without them, a shared env stack is refused.
 */
export function parseStackConfig(
    stack: string,
    values: Record<string, unknown>,
    readSecret: SecretReader,
    cluster?: (clusterStack: string) => ClusterArgs,
): SecureEnvironmentArgs {
    const config = parseStack(stack, values, readSecret);
    if (config.kind === StackKind.Environment) return config.args;
    if (config.kind === StackKind.SharedEnvironment && cluster) {
        return { ...config.args, cluster: cluster(config.clusterStack) };
    }
    throw new ConfigError(stack, [
        config.kind === StackKind.Cluster
            ? `${CONFIG_NAMESPACE}:env: is not set: the stack deploys a shared cluster's add-ons, not an env`
            : `${CONFIG_NAMESPACE}:clusterStack: names ${config.clusterStack}, whose outputs are not at hand here; fix: run the stack with pulumi, which reads them`,
    ]);
}

/**
 * Problems across the stack files of one project: two stacks that declare the same cluster (by name or by
 * OIDC issuer) without both being in the shared layout would render the same namespaces, ServiceAccounts and
 * cluster-scoped policies, and their roles would trust the same subjects. A cluster stack is in the shared
 * layout by definition.
 */
export function crossStackProblems(configs: Readonly<Record<string, StackConfig>>): string[] {
    const declared: { stack: string; cluster: ClusterArgs; shared: boolean }[] = [];
    for (const [stack, config] of Object.entries(configs)) {
        if (config.kind === StackKind.SharedEnvironment) continue;
        const cluster = config.args.cluster;
        if (typeof cluster !== "object" || cluster === null) continue;
        declared.push({ stack, cluster, shared: cluster.layout === ClusterLayout.Shared });
    }
    const problems: string[] = [];
    for (const fact of ["name", "oidcIssuer"] as const) {
        const byValue = new Map<string, typeof declared>();
        for (const entry of declared) {
            const value = entry.cluster[fact];
            if (typeof value === "string") byValue.set(value, [...(byValue.get(value) ?? []), entry]);
        }
        for (const [value, entries] of byValue) {
            if (entries.length < 2 || entries.every((e) => e.shared)) continue;
            const dedicated = entries.filter((e) => !e.shared).map((e) => e.stack);
            problems.push(
                `stacks ${entries.map((e) => e.stack).join(" and ")} declare the same cluster (${CONFIG_NAMESPACE}:cluster.${fact} ${value}), but ${dedicated.join(" and ")} ${dedicated.length > 1 ? "are" : "is"} not in the shared layout: both would render the same namespaces, ServiceAccounts and cluster-scoped policies, and their roles would trust the same subjects; fix: give each env a cluster of its own, or put the cluster in a cluster stack and the envs in the shared layout (clusterStack)`,
            );
        }
    }
    return [...problems, ...environmentStackProblems(configs)];
}

/**
 * A cluster stack's `environmentStacks` and the env stacks' `clusterStack`, read together: each listed stack
 * with a stack file among `configs` is an env stack on this cluster (else the cluster would spare the API
 * clients of an env on another one), and once any is listed, every env stack on the cluster is (else its
 * apps' API calls would be alerts).
 */
function environmentStackProblems(configs: Readonly<Record<string, StackConfig>>): string[] {
    const problems: string[] = [];
    const key = `${CONFIG_NAMESPACE}:environmentStacks`;
    for (const [stack, config] of Object.entries(configs)) {
        if (config.kind !== StackKind.Cluster || config.environmentStacks.length === 0) continue;
        const onCluster = Object.entries(configs)
            .filter(([, c]) => c.kind === StackKind.SharedEnvironment && referencedStackName(c.clusterStack) === stack)
            .map(([name]) => name);
        const listed = config.environmentStacks.map(referencedStackName);
        listed.forEach((name, i) => {
            // A stack without a stack file here is another repository's: the engine reads it, or fails to.
            if (configs[name] !== undefined && !onCluster.includes(name)) {
                problems.push(
                    `stack ${stack}: ${key}[${i}]: names ${config.environmentStacks[i]}, which is not an env stack on this cluster (no stack file of that name sets ${CONFIG_NAMESPACE}:clusterStack to ${stack}); fix: list only the env stacks whose clusterStack is this stack`,
                );
            }
        });
        for (const name of onCluster.filter((name) => !listed.includes(name))) {
            problems.push(
                `stack ${stack}: ${key}: does not list ${name}, an env stack on this cluster: its apps' calls to the Kubernetes API would all be alerts; fix: add it`,
            );
        }
    }
    return problems;
}

/** This stack's `k8s-baseline:*` values as the Pulumi engine gives them. */
function engineValues(): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":");
        if (namespace !== CONFIG_NAMESPACE || key === undefined) continue;
        // Objects and lists arrive as JSON text; plain strings stay as they are.
        try {
            values[key] = /^[[{]/.test(raw) ? JSON.parse(raw) : raw;
        } catch {
            values[key] = raw;
        }
    }
    return values;
}

const readEngineSecret: SecretReader = (key) => new pulumi.Config(SECRETS_NAMESPACE).requireSecret(key);

/** Reads this stack's configuration from the Pulumi engine: an env stack's, or a cluster stack's. */
export function loadStack(): StackConfig {
    return parseStack(pulumi.getStack(), engineValues(), readEngineSecret);
}

/** Reads this env stack's configuration from the Pulumi engine; its cluster described in it. */
export function loadStackConfig(): SecureEnvironmentArgs {
    return parseStackConfig(pulumi.getStack(), engineValues(), readEngineSecret);
}
