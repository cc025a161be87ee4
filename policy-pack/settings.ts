/**
 * The pack's settings: code defaults, overridden by what the pack's config gives. The CLI sends no config at
 * all when none is given (so JSON-schema defaults never arrive): every default is applied here.
 *
 * `k8s-baseline check --config` (and `--env`, which reads policy-pack/config/<env>.json) reads the very file
 * a preview is given, through the same schema and this same function, so both judge with the same settings.
 */
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
    ClusterLayout,
    ClusterTopology,
    Environment,
    ENVIRONMENTS,
    isEnvironment,
    NamespaceLayout,
} from "../components/baseline";
import { Exemption, PolicySettings } from "./policies/types";

/** An exemption as the config spells it (see Exemption in policies/types.ts). */
export interface ExemptionConfig {
    kind: string;
    namespace?: string;
    name: string;
    policies?: string[];
    owner: string;
    reason: string;
    expires: string;
}

/**
 * The cluster layout the env runs in (components/baseline/topology.ts ClusterTopology), as the stack's
 * configuration declares it. Absent: the env has a cluster of its own (dedicatedTopology of the judged env).
 */
export interface TopologyConfig {
    layout: string;
    /** Shared layout only; default per-app. */
    namespaceLayout?: string;
    /** Every env on the cluster, the judged one included. */
    environments: string[];
    /** Default false. */
    allowProdWithLowerEnvironments?: boolean;
}

/** The settings a policy's config block may carry, as `--policy-pack-config` gives them. */
export interface SettingsConfig {
    env?: string;
    /** Registries app images may come from, each a prefix ending in `/`. */
    registries?: string[];
    /** ServiceAccounts (`namespace/name`) whose pods may mount an API token. */
    apiAccessServiceAccounts?: string[];
    /** Objects exempt from policies, each with an owner, a reason and an expiry. */
    exemptions?: ExemptionConfig[];
    /** The Pod Security version the pod-security policies judge by (default: the env profile's). */
    podSecurityVersion?: string;
    /** The env's AWS account id. */
    accountId?: string;
    /** The cluster layout; absent: a cluster of the env's own. */
    topology?: TopologyConfig;
}

/** The newest Pod Security version the evaluator knows (policies/pod-security/levels.ts LATEST_MINOR). */
const NEWEST_KNOWN_MINOR = 37;

/** `latest` or `v1.0` .. `v1.37`: the versions the evaluator knows; a later one would be judged as a guess. */
export const POD_SECURITY_VERSION_PATTERN = `^(latest|v1\\.(0|[1-9]|[12][0-9]|3[0-${NEWEST_KNOWN_MINOR % 10}]))$`;

/** A date (`2026-03-31`) or an ISO date-time, as `expires` takes it. */
const DATE_PATTERN =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$";

const NON_EMPTY: PolicyConfigJSONSchema = { type: "string", minLength: 1 };

/** JSON schema of SettingsConfig, attached to every policy so the CLI validates a config file. */
export const SETTINGS_CONFIG_SCHEMA: { properties: Record<string, PolicyConfigJSONSchema> } = {
    properties: {
        env: { type: "string", enum: [...ENVIRONMENTS] },
        registries: { type: "array", items: { type: "string", pattern: "^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*/$" } },
        apiAccessServiceAccounts: { type: "array", items: { type: "string", pattern: "^[a-z0-9-]+/[a-z0-9-]+$" } },
        exemptions: {
            type: "array",
            items: {
                type: "object",
                required: ["kind", "name", "owner", "reason", "expires"],
                additionalProperties: false,
                properties: {
                    kind: NON_EMPTY,
                    namespace: NON_EMPTY,
                    name: NON_EMPTY,
                    policies: { type: "array", minItems: 1, items: NON_EMPTY },
                    owner: NON_EMPTY,
                    reason: NON_EMPTY,
                    expires: { type: "string", pattern: DATE_PATTERN },
                },
            },
        },
        podSecurityVersion: { type: "string", pattern: POD_SECURITY_VERSION_PATTERN },
        accountId: { type: "string", pattern: "^[0-9]{12}$" },
        topology: {
            type: "object",
            required: ["layout", "environments"],
            additionalProperties: false,
            properties: {
                layout: { type: "string", enum: Object.values(ClusterLayout) },
                namespaceLayout: { type: "string", enum: Object.values(NamespaceLayout) },
                environments: { type: "array", minItems: 1, items: { type: "string", enum: [...ENVIRONMENTS] } },
                allowProdWithLowerEnvironments: { type: "boolean" },
            },
        },
    },
};

/**
 * Private Amazon ECR registries: the default for app images when no registries are configured, since the
 * platform runs on EKS. A config that names the env's registries narrows this to them.
 */
export const DEFAULT_APP_REGISTRY_PATTERN = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//;

/**
 * The topology a config block declares, or undefined when it declares none (the judged env's dedicated
 * topology then applies: see topologyOf in policies/resource.ts). The schema has already refused a malformed
 * block; what reaches here unchecked (a caller that skips the schema) is kept as written, so that
 * cross-env-topology reports it rather than a default hiding it.
 */
function topologyOf(config: TopologyConfig | undefined): ClusterTopology | undefined {
    if (config === undefined || config === null || typeof config !== "object") return undefined;
    const topology: ClusterTopology = {
        layout: config.layout === ClusterLayout.Shared ? ClusterLayout.Shared : ClusterLayout.Dedicated,
        namespaceLayout:
            config.namespaceLayout === NamespaceLayout.PerEnv ? NamespaceLayout.PerEnv : NamespaceLayout.PerApp,
        // Frozen at run time; typed as the mutable array ClusterTopology declares for the component provider.
        environments: Object.freeze(
            (Array.isArray(config.environments) ? config.environments : []).map((env) => env as Environment),
        ) as Environment[],
        allowProdWithLowerEnvironments: config.allowProdWithLowerEnvironments === true,
    };
    return Object.freeze(topology);
}

const cache = new Map<string, PolicySettings>();

function exemptionOf(config: ExemptionConfig): Exemption {
    const exemption: Exemption = {
        kind: config.kind,
        namespace: config.namespace,
        name: config.name,
        policies: config.policies === undefined ? undefined : Object.freeze([...config.policies]),
        owner: config.owner,
        reason: config.reason,
        expires: config.expires,
    };
    return Object.freeze(exemption);
}

/**
 * The settings for a config block; built once per distinct config, not per resource or per policy.
 * `trustedUrns`: false when the resources come from files (`check`), whose URNs anyone may have written.
 */
export function settingsFrom(
    config: SettingsConfig | undefined,
    now: Date = new Date(),
    trustedUrns: boolean = true,
): PolicySettings {
    // By the minute of `now`: the exemptions in force (and expiry checks) follow the clock, while one
    // preview's thousands of calls still share one settings object.
    const key = JSON.stringify([config ?? {}, trustedUrns, now.toISOString().slice(0, 16)]);
    const cached = cache.get(key);
    if (cached) return cached;
    const env: Environment | undefined = isEnvironment(config?.env) ? config.env : undefined;
    const settings: PolicySettings = Object.freeze({
        env,
        registries: Object.freeze([...(config?.registries ?? [])]),
        apiAccessServiceAccounts: Object.freeze([...(config?.apiAccessServiceAccounts ?? [])]),
        exemptions: Object.freeze((config?.exemptions ?? []).map(exemptionOf)),
        podSecurityVersion: typeof config?.podSecurityVersion === "string" ? config.podSecurityVersion : undefined,
        accountId: typeof config?.accountId === "string" ? config.accountId : undefined,
        topology: topologyOf(config?.topology),
        now,
        trustedUrns,
    });
    // Bounded: a pack sees one config per policy, a few distinct ones in all.
    if (cache.size > 256) cache.clear();
    cache.set(key, settings);
    return settings;
}
