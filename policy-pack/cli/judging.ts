/**
 * What `check` judges with, built the same way in every thread that judges: the config, the policies the
 * command line selects (with the Pod Security stand-ins of --level and --version), their settings and levels.
 * The main thread builds it from the command line; a parsing thread from the JudgingOptions it is started
 * with (parse-worker.ts), so that the verdicts it returns are the main thread's own.
 */
import { Environment } from "../../components/baseline";
import { SettingsFor } from "../engine";
import { podSecurityBaseline } from "../policies/pod-security";
import { PodSecurityLevel } from "../policies/pod-security/levels";
import { Policy, PolicyInfo, PolicySettings } from "../policies/types";
import { policiesToRun, selectRules } from "./catalog";
import { CheckConfig, ConfigDocument, loadCheckConfig } from "./config";
import { PodSecurityChoice } from "./pod-security";

/** The command line's choices that decide a verdict: plain data, so that a thread can be given them. */
export interface JudgingOptions {
    /** The config document, read once by the main thread (config.ts readConfigDocument). */
    readonly document: ConfigDocument;
    readonly env?: Environment;
    readonly registries?: readonly string[];
    readonly only?: readonly string[];
    readonly level?: PodSecurityLevel;
    readonly version?: string;
    /** The instant exemptions are judged at (milliseconds since the epoch): one for every thread. */
    readonly now: number;
}

/** What the policies run with. */
export interface Judging {
    readonly config: CheckConfig;
    /** The policies --only selects. */
    readonly selected: readonly Policy[];
    /** The stack-file rules --only selects (stack-files.ts): check applies them to Pulumi stack files. */
    readonly stackFileRules: readonly PolicyInfo[];
    /** The Pod Security level and version the run judges at (no version: each policy's own). */
    readonly podSecurity: PodSecurityChoice;
    /** The policies run: the selected ones, the Pod Security ones as their stand-ins. */
    readonly toRun: readonly Policy[];
    readonly settings: SettingsFor;
}

/** The config's settings of each policy run, by name: the stand-ins and guards keep their policy's name. */
function settingsByName(toRun: readonly Policy[], config: CheckConfig): SettingsFor {
    const byName = new Map<string, PolicySettings>();
    for (const policy of toRun) byName.set(policy.name, config.settingsFor(policy));
    const distinct = new Set(byName.values());
    if (distinct.size <= 1) return distinct.values().next().value ?? config.settings;
    return (policy) => byName.get(policy.name) ?? config.settings;
}

/**
 * What `policies` are run with under `options`. `validated`: the document's settings passed the schema in
 * this run already (the main thread's judgingFor did it), so a parsing thread does not compile it again.
 */
export function judgingFor(options: JudgingOptions, policies: readonly Policy[], validated = false): Judging {
    const config = loadCheckConfig({
        document: options.document,
        validated,
        env: options.env,
        registries: options.registries,
        policies,
        now: new Date(options.now),
    });
    const { policies: selected, stackFileRules } = selectRules(policies, options.only);
    const podSecurity = {
        level: options.level,
        version: options.version ?? config.settingsFor(podSecurityBaseline).podSecurityVersion,
    };
    const toRun = policiesToRun(selected, podSecurity);
    return { config, selected, stackFileRules, podSecurity, toRun, settings: settingsByName(toRun, config) };
}
