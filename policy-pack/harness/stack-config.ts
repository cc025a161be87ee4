/**
 * A stack's configuration read from stacks/Pulumi.<stack>.yaml, as the engine would hand the program its
 * `k8s-baseline:*` keys: what the offline plan runs the platform program with.
 */
import * as pulumi from "@pulumi/pulumi";
import { SecureEnvironmentArgs } from "../../components/environment";
import { CONFIG_NAMESPACE, parseStackConfig } from "../../stacks/config";
import { stackFileConfig } from "./stack-file";

export { stackConfigText, stackFileConfig } from "./stack-file";

/** The `k8s-baseline:*` values of a stack file, without the namespace. */
export function stackValues(stack: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stackFileConfig(stack))) {
        const [namespace, name] = key.split(":");
        if (namespace === CONFIG_NAMESPACE && name !== undefined) values[name] = value;
    }
    return values;
}

/**
 * The pack's settings for a stack, as its `--policy-pack-config` would give them to every policy: the env,
 * the env's app registries, and the ServiceAccounts of the apps the stack declares to call the Kubernetes
 * API (`callsKubernetesApi`), whose pods keep their API token.
 */
export function packSettings(stack: string): {
    env: string;
    accountId?: string;
    registries: string[];
    apiAccessServiceAccounts: string[];
} {
    const values = stackValues(stack) as {
        accountId?: unknown;
        registries?: string[];
        apps?: { name: string; namespace?: string; serviceAccountName?: string; callsKubernetesApi?: boolean }[];
    };
    return {
        env: stack,
        ...(values.accountId === undefined ? {} : { accountId: String(values.accountId) }),
        registries: [...(values.registries ?? [])],
        apiAccessServiceAccounts: (values.apps ?? [])
            .filter((app) => app.callsKubernetesApi)
            .map((app) => `${app.namespace ?? app.name}/${app.serviceAccountName ?? app.name}`),
    };
}

/**
 * The SecureEnvironment arguments of a stack (or of `values` given for it, e.g. a stack file changed by a
 * test). Secret config has no value offline: each secret reads as a
 * secret placeholder naming its key.
 */
export function stackArgs(stack: string, values: Record<string, unknown> = stackValues(stack)): SecureEnvironmentArgs {
    return parseStackConfig(stack, values, (key) => pulumi.secret(`<secret ${key}>`));
}
