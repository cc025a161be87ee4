/** Reads a stack's Pulumi.<stack>.yaml as the engine would hand its `k8s-baseline:*` keys to the program. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { SecureEnvironmentArgs } from "../../components/environment";
import { CONFIG_NAMESPACE, parseStackConfig } from "../../stacks/config";
import { REPO_ROOT } from "../shared";

export const STACKS = ["dev", "stage", "prod"] as const;

/** The raw config of a stack file: every key, namespaced as written. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    const file = path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
    return (parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
}

/** The `k8s-baseline:*` values of a stack file, without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stackFileConfig(stack))) {
        const [namespace, name] = key.split(":");
        if (namespace === CONFIG_NAMESPACE) values[name] = value;
    }
    return values;
}

/** The SecureEnvironment arguments of a stack, with secret config read as secret Outputs. */
export function stackArgs(stack: string, values = stackValues(stack)): SecureEnvironmentArgs {
    return parseStackConfig(stack, values, (key) => pulumi.secret(`secret value of ${key}`));
}
