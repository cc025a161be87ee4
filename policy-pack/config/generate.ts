/**
 * The pack's per-env config (`--policy-pack-config policy-pack/config/<env>.json`), generated from the env
 * profiles and the stack's configuration so that preview enforces what admission enforces:
 * - workload rules are advisory where the profile's Kyverno action is Audit, mandatory where it is Enforce;
 * - the restricted Pod Security checks are advisory where the profile enforces only baseline;
 * - every policy gets the env, its app registries and the ServiceAccounts allowed an API token;
 * - every policy gets the stack's `topology` (the ClusterTopology fields: layout, namespace layout, the envs
 *   on the cluster), so that the pack judges names that could meet another env's on a shared cluster;
 * - the rules `k8s-baseline check` applies to stack files (cli/stack-files.ts) get the level the env's profile
 *   wants (stackFileRuleLevel) and nothing else: a preview judges nothing by them (the pack's SDK reads only
 *   its own policies' entries), and `check --env` reads them from the same file.
 * One file per stack (`<stack>.json`; a cluster stack names no env and is judged as prod). The stack files are
 * checked together first: two that declare one cluster without the shared layout are refused.
 * `npm run pack-config` writes the files; a test fails when a committed file differs from what this makes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ClusterTopology, Environment, PolicyAction, PROFILES, PodSecurityLevel } from "../../components/baseline";
import { stackNames } from "../harness/paths";
import {
    isClusterStack,
    packSettings,
    stackEnvironment,
    stackFileProblems,
    stackTopology,
} from "../harness/stack-config";
import { ALL_POLICIES } from "../policies";
import { STACK_FILE_RULES, stackFileRuleLevel } from "../cli/stack-files";
import { EnforcementLevel, Policy } from "../policies/types";
import { SettingsConfig } from "../settings";

/** A policy's block in a `--policy-pack-config` file. */
export type PolicyConfigBlock = SettingsConfig & { enforcementLevel?: EnforcementLevel; topology?: ClusterTopology };

/** The level `policy` runs at in `env`, when the env's profile says otherwise than the policy's default. */
export function envEnforcementLevel(policy: Policy, env: Environment): EnforcementLevel | undefined {
    const profile = PROFILES[env];
    if (policy.group === "workloads" && profile.policyAction === PolicyAction.Audit) return EnforcementLevel.Advisory;
    if (policy.name === "pod-security-restricted" && profile.podSecurity.enforce !== PodSecurityLevel.Restricted) {
        return EnforcementLevel.Advisory;
    }
    return undefined;
}

/** The config file of one stack: its env's levels, and the settings and topology its configuration gives. */
export function packConfigFor(stack: string): Record<string, PolicyConfigBlock> {
    // A cluster stack belongs to no env: its config names none, so the pack judges it as prod (an unknown env
    // is prod) and the cross-env policies, which judge an env's objects against other envs', leave it alone.
    const cluster = isClusterStack(stack);
    const env = cluster ? Environment.Prod : stackEnvironment(stack);
    const { env: stackEnv, ...rest } = packSettings(stack);
    const settings: SettingsConfig & { topology: ClusterTopology } = {
        ...(cluster ? {} : { env: stackEnv }),
        ...rest,
        topology: stackTopology(stack),
    };
    const config: Record<string, PolicyConfigBlock> = {};
    for (const policy of ALL_POLICIES) {
        const level = envEnforcementLevel(policy, env);
        config[policy.name] = level ? { enforcementLevel: level, ...settings } : { ...settings };
    }
    // Always with a level: an entry naming no policy reaches the pack's Configure as given, which refuses one
    // without a level.
    for (const rule of STACK_FILE_RULES) config[rule.name] = { enforcementLevel: stackFileRuleLevel(rule, env) };
    return config;
}

export const CONFIG_DIR = path.resolve(__dirname, "..", "..", "..", "policy-pack", "config");

/** The text of policy-pack/config/<stack>.json. */
export function packConfigText(stack: string): string {
    return JSON.stringify(packConfigFor(stack), null, 2) + "\n";
}

if (require.main === module) {
    const problems = stackFileProblems();
    if (problems.length > 0) {
        console.error(`the stack files are inconsistent:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        process.exit(1);
    }
    for (const stack of stackNames()) {
        const file = path.join(CONFIG_DIR, `${stack}.json`);
        fs.writeFileSync(file, packConfigText(stack));
        console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
}
