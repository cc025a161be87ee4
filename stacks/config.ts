/**
 * The stack's configuration: the `k8s-baseline:*` keys of `Pulumi.<stack>.yaml`, checked against
 * config.schema.json before anything is built. Keys mirror SecureEnvironment's arguments, so an error the
 * component reports (`apps[1].namespace`) names the config key to fix as well.
 */
import Ajv, { ErrorObject } from "ajv";
import * as pulumi from "@pulumi/pulumi";
import { SecureEnvironmentArgs } from "../components/environment";
import schema from "./config.schema.json";

export const CONFIG_NAMESPACE = "k8s-baseline";
/** Secret initial values live in their own namespace: `pulumi config set --secret secrets:<key> ...`. */
export const SECRETS_NAMESPACE = "secrets";

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

/**
 * Checks the raw `k8s-baseline:*` values of a stack and turns them into SecureEnvironment arguments.
 * `values` holds every key of the namespace, so misspelled keys are reported, not ignored.
 */
export function parseStackConfig(
    stack: string,
    values: Record<string, unknown>,
    readSecret: SecretReader,
): SecureEnvironmentArgs {
    const problems: string[] = [];
    if (Object.keys(values).length === 0) {
        // An empty stack file, or one whose keys are all in another namespace: one problem, not one per key.
        problems.push(
            `${CONFIG_NAMESPACE}:*: no key is set; fix: fill the config: map of Pulumi.${stack}.yaml (stacks/config.schema.json lists the keys)`,
        );
    } else if (!validate(values)) problems.push(...(validate.errors ?? []).map(describe));
    if (problems.length === 0 && values.env !== stack) {
        problems.push(
            `${CONFIG_NAMESPACE}:env: is ${JSON.stringify(values.env)} in stack ${stack}; fix: deploy each env from the stack of its name`,
        );
    }
    if (problems.length > 0) throw new ConfigError(stack, problems);
    const config = values as unknown as Omit<SecureEnvironmentArgs, "apps"> & {
        apps: (Omit<SecureEnvironmentArgs["apps"][number], "secrets"> & { secrets?: AppSecretConfig[] })[];
    };
    return {
        ...config,
        apps: config.apps.map((app) => ({
            ...app,
            secrets: app.secrets?.map(({ valueFromConfig, ...secret }) => ({
                ...secret,
                value: valueFromConfig === undefined ? undefined : readSecret(valueFromConfig),
            })),
        })),
    };
}

/** Reads this stack's configuration from the Pulumi engine. */
export function loadStackConfig(): SecureEnvironmentArgs {
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
    const secrets = new pulumi.Config(SECRETS_NAMESPACE);
    return parseStackConfig(pulumi.getStack(), values, (key) => secrets.requireSecret(key));
}
