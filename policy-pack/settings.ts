/**
 * The pack's settings: code defaults, overridden by what the pack's config gives. The CLI sends no config at
 * all when none is given (so JSON-schema defaults never arrive): every default is applied here.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Environment, isEnvironment, PLATFORM_NAMESPACES, SYSTEM_NAMESPACES } from "../components/baseline";
import { PolicySettings } from "./policies/types";

/** The settings a policy's config block may carry, as `--policy-pack-config` gives them. */
export interface SettingsConfig {
    env?: string;
    registries?: string[];
    apiAccessServiceAccounts?: string[];
    exemptNamespaces?: string[];
}

/** JSON schema of SettingsConfig, attached to every policy so the CLI validates a config file. */
export const SETTINGS_CONFIG_SCHEMA: { properties: Record<string, PolicyConfigJSONSchema> } = {
    properties: {
        env: { type: "string", enum: ["dev", "stage", "prod"] },
        registries: { type: "array", items: { type: "string", pattern: "^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*/$" } },
        apiAccessServiceAccounts: { type: "array", items: { type: "string", pattern: "^[a-z0-9-]+/[a-z0-9-]+$" } },
        exemptNamespaces: { type: "array", items: { type: "string" } },
    },
};

/** Namespaces the app workload policies leave to the platform: the cluster's own and the add-ons'. */
export const DEFAULT_EXEMPT_NAMESPACES: readonly string[] = [
    ...SYSTEM_NAMESPACES,
    ...Object.values(PLATFORM_NAMESPACES),
];

/**
 * Private Amazon ECR registries: the default for app images when no registries are configured, since the
 * platform runs on EKS. A config that names the env's registries narrows this to them.
 */
export const DEFAULT_APP_REGISTRY_PATTERN = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//;

const cache = new Map<string, PolicySettings>();

/**
 * The settings for a config block; built once per distinct config, not per resource or per policy.
 * `trustedUrns`: false when the resources come from files (`check`), whose URNs anyone may have written.
 */
export function settingsFrom(
    config: SettingsConfig | undefined,
    now: Date = new Date(),
    trustedUrns: boolean = true,
): PolicySettings {
    const key = JSON.stringify([config ?? {}, trustedUrns]);
    const cached = cache.get(key);
    if (cached) return cached;
    const env: Environment | undefined = isEnvironment(config?.env) ? config.env : undefined;
    const settings: PolicySettings = Object.freeze({
        env,
        registries: Object.freeze([...(config?.registries ?? [])]),
        apiAccessServiceAccounts: Object.freeze([...(config?.apiAccessServiceAccounts ?? [])]),
        exemptNamespaces: Object.freeze([...(config?.exemptNamespaces ?? DEFAULT_EXEMPT_NAMESPACES)]),
        now,
        trustedUrns,
    });
    cache.set(key, settings);
    return settings;
}
