/**
 * The pack config `check` judges with: the very `--policy-pack-config` file a preview is given, read with the
 * same schema (settings.ts SETTINGS_CONFIG_SCHEMA) and the same settings builder, so that a verdict of
 * `check --env dev` is the verdict of a dev preview, each policy's level included.
 *
 * - `--config FILE` reads FILE; `--env ENV` without it reads policy-pack/config/<ENV>.json, the file
 *   `npm run pack-config` generates for that env's previews (the copy built into the package when the
 *   source tree is not there).
 * - Neither: every policy at its own level, judged as prod, the pack's defaults for everything else.
 * - `--registries a/,b/` replaces the config's registries for every policy.
 *
 * The file is `{ "<policy>" | "all": "<level>" | { "enforcementLevel"?, ...settings } }`, as the Pulumi CLI
 * reads it; a policy name the pack does not have, a level it does not know or a setting the schema refuses
 * is a usage error, every one of them reported. The stack-file rules (stack-files.ts) are named like the pack's
 * policies and take a level only; a preview judges nothing by their entries (the Pulumi CLI hands an entry
 * naming no policy of the pack on unvalidated, and the pack's SDK reads only its own policies').
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { Environment, isEnvironment } from "../../components/baseline";
import { EnforcementLevel, Policy, PolicySettings } from "../policies/types";
import { SETTINGS_CONFIG_SCHEMA, SettingsConfig, settingsFrom } from "../settings";
import { UsageError } from "./args";
import { STACK_FILE_RULES } from "./stack-files";
import DEV from "../config/dev.json";
import STAGE from "../config/stage.json";
import PROD from "../config/prod.json";

/** The generated files, as the build copied them: used when the source tree's are not there (an install). */
const BUNDLED: Readonly<Record<Environment, unknown>> = { dev: DEV, stage: STAGE, prod: PROD };

/** policy-pack/config in the source tree. */
export const SOURCE_CONFIG_DIR = path.resolve(__dirname, "..", "..", "..", "policy-pack", "config");

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** What `check` judges with, per policy. */
export interface CheckConfig {
    /** Where it came from, for messages: a path, or `built-in <env> config`. */
    readonly source: string | undefined;
    /** Levels per policy name, where the config sets one. */
    readonly levels: Readonly<Record<string, EnforcementLevel>>;
    /** The settings of each policy (the same object for policies whose blocks agree). */
    settingsFor(policy: Policy): PolicySettings;
    /** The settings most policies share: what `policies` lists with and messages name. */
    readonly settings: PolicySettings;
    /**
     * The env the config says it is for: `--env`, else the `env` the blocks of most policies name; undefined
     * when neither names one (the config is then judged as prod's, but says nothing of whose it is).
     */
    readonly declaredEnv?: Environment;
}

/** The settings schema's validator, compiled when first needed: compiling costs more than a small run. */
let settingsValidator: ValidateFunction | undefined;
function validateSettings(properties: Record<string, unknown>): readonly ErrorObject[] {
    settingsValidator ??= new Ajv({ allErrors: true, strict: false }).compile({
        type: "object",
        properties: SETTINGS_CONFIG_SCHEMA.properties,
    });
    return settingsValidator(properties) ? [] : (settingsValidator.errors ?? []);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A config document as read, and where it was read from (undefined: no config, the pack's defaults). */
export interface ConfigDocument {
    readonly source?: string;
    readonly document: unknown;
}

/** The config document of `file` (`--config`), or the env's generated one; a usage error when unreadable. */
export function readConfigDocument(file: string | undefined, env: Environment | undefined): ConfigDocument {
    if (file !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (error) {
            throw new UsageError(`--config ${file}: ${(error as Error).message}`);
        }
        try {
            return { source: file, document: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
        } catch (error) {
            throw new UsageError(`--config ${file}: not JSON: ${(error as Error).message}`);
        }
    }
    if (env === undefined) return { document: {} };
    const generated = path.join(SOURCE_CONFIG_DIR, `${env}.json`);
    if (fs.existsSync(generated)) return readConfigDocument(generated, undefined);
    return { source: `built-in ${env} config`, document: BUNDLED[env] };
}

/**
 * The config `check` runs with. `env` is `--env`; a config whose `env` names another is a usage error (the
 * verdict would be neither env's). Without an env anywhere, prod: a URN in an input file never chooses one.
 */
export function loadCheckConfig(options: {
    readonly file?: string;
    readonly env?: Environment;
    readonly registries?: readonly string[];
    readonly policies: readonly Policy[];
    readonly now?: Date;
    /** The document readConfigDocument gave for `file` and `env`, when already read: not read again. */
    readonly document?: ConfigDocument;
    /**
     * The document's settings already passed the schema in this run (a parsing thread is given the document
     * the main thread loaded): not validated again. Levels and policy names are still checked.
     */
    readonly validated?: boolean;
}): CheckConfig {
    const { source, document } = options.document ?? readConfigDocument(options.file, options.env);
    const where = source ?? "the config";
    if (!isRecord(document)) throw new UsageError(`${where}: expected an object of policy names`);
    const stackFileRules = new Set(STACK_FILE_RULES.map((rule) => rule.name));
    const names = new Set([...options.policies.map((policy) => policy.name), ...stackFileRules]);
    const errors: string[] = [];
    const levels: Record<string, EnforcementLevel> = {};
    const blocks: Record<string, SettingsConfig> = {};
    let allLevel: EnforcementLevel | undefined;
    for (const [name, value] of Object.entries(document)) {
        if (name !== "all" && !names.has(name)) {
            errors.push(`"${name}" is not a policy of the pack`);
            continue;
        }
        let level: unknown;
        let properties: Record<string, unknown> = {};
        if (typeof value === "string") level = value;
        else if (isRecord(value)) ({ enforcementLevel: level, ...properties } = value);
        else {
            errors.push(`"${name}": ${JSON.stringify(value)} is neither a level nor an object`);
            continue;
        }
        if (level !== undefined) {
            if (typeof level !== "string" || !LEVELS.includes(level)) {
                errors.push(`"${name}": enforcementLevel ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`);
                continue;
            }
            // `remediate` is mandatory for a policy that does not remediate, as the engine treats it.
            const judged = (level === "remediate" ? "mandatory" : level) as EnforcementLevel;
            if (name === "all") allLevel = judged;
            else levels[name] = judged;
        }
        if (stackFileRules.has(name)) {
            // A stack file is judged as its own env, by no setting of a preview's.
            const given = Object.keys(properties);
            if (given.length > 0) {
                errors.push(
                    `"${name}": a stack-file rule takes only an enforcementLevel, not ${given.join(", ")} ` +
                        "(a stack file is judged as the env it declares)",
                );
            }
            continue;
        }
        if (!options.validated) {
            const invalid = validateSettings(properties);
            for (const e of invalid) errors.push(`"${name}": ${e.instancePath || "(settings)"} ${e.message}`);
            if (invalid.length > 0) continue;
        }
        if (name !== "all") blocks[name] = properties as SettingsConfig;
    }
    if (errors.length > 0) throw new UsageError(`${where}:\n  ${errors.join("\n  ")}`);
    if (allLevel !== undefined) for (const name of names) levels[name] ??= allLevel;

    const now = options.now ?? new Date();
    const make = (block: SettingsConfig | undefined): PolicySettings => {
        if (block?.env !== undefined && options.env !== undefined && block.env !== options.env) {
            throw new UsageError(`${where} judges as env ${block.env}, but --env is ${options.env}`);
        }
        const config: SettingsConfig = {
            ...block,
            env: options.env ?? block?.env ?? Environment.Prod,
            ...(options.registries === undefined ? {} : { registries: [...options.registries] }),
        };
        // Resources read from files: no URN in them is the engine's.
        return settingsFrom(config, now, false);
    };
    const byPolicy = new Map<string, PolicySettings>();
    for (const policy of options.policies) byPolicy.set(policy.name, make(blocks[policy.name]));
    const fallback = make(undefined);
    // The settings most policies share.
    const counts = new Map<PolicySettings, number>();
    for (const settings of byPolicy.values()) counts.set(settings, (counts.get(settings) ?? 0) + 1);
    let settings = fallback;
    let most = 0;
    for (const [candidate, count] of counts) {
        if (count > most) [settings, most] = [candidate, count];
    }
    const blockEnvs = new Map<Environment, number>();
    for (const policy of options.policies) {
        const env = blocks[policy.name]?.env;
        if (isEnvironment(env)) blockEnvs.set(env, (blockEnvs.get(env) ?? 0) + 1);
    }
    let declaredEnv = options.env;
    if (declaredEnv === undefined) {
        let named = 0;
        for (const [env, count] of blockEnvs) if (count > named) [declaredEnv, named] = [env, count];
    }
    return {
        source,
        levels,
        settings,
        settingsFor: (policy) => byPolicy.get(policy.name) ?? settings,
        ...(declaredEnv === undefined ? {} : { declaredEnv }),
    };
}
