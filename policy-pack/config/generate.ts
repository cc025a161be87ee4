/**
 * The pack's per-env config (`--policy-pack-config policy-pack/config/<env>.json`), generated from the env
 * profiles and the stack's configuration so that preview enforces what admission enforces:
 * - workload rules are advisory where the profile's Kyverno action is Audit, mandatory where it is Enforce;
 * - the restricted Pod Security checks are advisory where the profile enforces only baseline;
 * - every policy gets the env, its app registries and the ServiceAccounts allowed an API token.
 * `npm run pack-config` writes the files; a test fails when a committed file differs from what this makes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS, Environment, PolicyAction, PROFILES, PodSecurityLevel } from "../../components/baseline";
import { packSettings } from "../harness/stack-config";
import { ALL_POLICIES } from "../policies";
import { EnforcementLevel, Policy } from "../policies/types";
import { SettingsConfig } from "../settings";

/** A policy's block in a `--policy-pack-config` file. */
export type PolicyConfigBlock = SettingsConfig & { enforcementLevel?: EnforcementLevel };

/** The level `policy` runs at in `env`, when the env's profile says otherwise than the policy's default. */
export function envEnforcementLevel(policy: Policy, env: Environment): EnforcementLevel | undefined {
    const profile = PROFILES[env];
    if (policy.group === "workloads" && profile.policyAction === PolicyAction.Audit) return EnforcementLevel.Advisory;
    if (policy.name === "pod-security-restricted" && profile.podSecurity.enforce !== PodSecurityLevel.Restricted) {
        return EnforcementLevel.Advisory;
    }
    return undefined;
}

/** The config file of one env: its levels, and the settings its stack's configuration gives. */
export function packConfigFor(env: Environment): Record<string, PolicyConfigBlock> {
    const settings: SettingsConfig = packSettings(env);
    const config: Record<string, PolicyConfigBlock> = {};
    for (const policy of ALL_POLICIES) {
        const level = envEnforcementLevel(policy, env);
        config[policy.name] = level ? { enforcementLevel: level, ...settings } : { ...settings };
    }
    return config;
}

export const CONFIG_DIR = path.resolve(__dirname, "..", "..", "..", "policy-pack", "config");

/** The text of policy-pack/config/<env>.json. */
export function packConfigText(env: Environment): string {
    return JSON.stringify(packConfigFor(env), null, 2) + "\n";
}

if (require.main === module) {
    for (const env of ENVIRONMENTS) {
        const file = path.join(CONFIG_DIR, `${env}.json`);
        fs.writeFileSync(file, packConfigText(env));
        console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
}
