/**
 * The command line of `k8s-baseline`: parsed and validated in one place, before any file is read, so a typo
 * in a flag never costs a scan of ten thousand manifests.
 */
import { parseArgs } from "node:util";
import {
    ENVIRONMENTS,
    Environment,
    isEnvironment,
    POD_SECURITY_VERSION,
    PodSecurityLevel,
} from "../../components/baseline";
import { isPodSecurityLevel } from "../policies/pod-security";
import { POD_SECURITY_VERSION_PATTERN } from "../settings";

/** Output formats. */
export const OutputFormat = {
    Text: "text",
    Json: "json",
    /** SARIF 2.1.0, for code scanning: `check` only. */
    Sarif: "sarif",
} as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];
const OUTPUT_FORMATS: readonly string[] = Object.values(OutputFormat);

/** `check`: run the policies over manifests and Pulumi resources. */
export interface CheckCommand {
    readonly command: "check";
    readonly env?: Environment;
    /** Pod Security level the pod-security policies judge by, instead of the env profile's. */
    readonly level?: PodSecurityLevel;
    /** Pod Security version (`v1.N` or `latest`) the pod-security policies judge by. */
    readonly version?: string;
    /** Group or policy names, as given; resolved against the policy list by the caller. */
    readonly only?: readonly string[];
    readonly format: OutputFormat;
    /** The pack config file to judge with (default with --env: policy-pack/config/<env>.json). */
    readonly config?: string;
    /** Registries replacing the config's, each a prefix ending in `/`. */
    readonly registries?: readonly string[];
    /** With --format sarif: the folder file locations are relative to (default: the working directory). */
    readonly sarifRoot?: string;
    /** No progress line, even on a terminal. */
    readonly quiet: boolean;
    readonly paths: readonly string[];
}

/** `policies`: list every policy. */
export interface PoliciesCommand {
    readonly command: "policies";
    readonly env?: Environment;
    readonly level?: PodSecurityLevel;
    readonly version?: string;
    /** Lists only these groups or policies. */
    readonly only?: readonly string[];
    readonly format: OutputFormat;
    readonly config?: string;
    readonly registries?: readonly string[];
}

export interface HelpCommand {
    readonly command: "help";
}

export type Command = CheckCommand | PoliciesCommand | HelpCommand;

/** Bad usage: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

export const USAGE = `Usage:
  k8s-baseline check [--env ${ENVIRONMENTS.join("|")}] [--config FILE] [--registries PREFIX,...]
                     [--level baseline|restricted] [--version v1.N|latest]
                     [--only GROUP_OR_POLICY,...] [--format text|json|sarif] [--sarif-root DIR] [--quiet]
                     PATH...
  k8s-baseline policies [--env ...] [--config ...] [--level ...] [--version ...] [--only ...] [--format ...]
  k8s-baseline report (--stack STACK | --resources FILE [--env ...]) [--out DIR]
  k8s-baseline sops-config [--project NAME] [--out FILE|-] ENV=OUTPUTS.json...

check     Runs the policy pack over Kubernetes YAML (files, or folders searched for .yaml/.yml files;
          multi-document files and *List kinds are expanded) and over JSON files holding an array of
          Pulumi resources {"type", "name", "props"}. Pulumi stack files (Pulumi.<stack>.yaml) are judged
          by the stack-file rules instead (group stack-files: secrets provider, plaintext secrets).
policies  Lists every policy: name, group, description, severity, level; the Pod Security checks; then
          the stack-file rules.

  --env      judge as this environment (default: prod, the strictest; a resource's labels never lower it),
             with its preview's config, policy-pack/config/<env>.json, unless --config names another
  --config   the pack config file a preview is given (--policy-pack-config): levels per policy, registries,
             ServiceAccounts allowed an API token, exemptions, Pod Security version
  --registries  registries app images may come from, replacing the config's (each ends in /)
  --level    Pod Security level the pod-security policies enforce (default: the env profile's)
  --version  Pod Security version they enforce, v1.0 to v1.37 or latest (default: the config's, else the
             env profile's)
  --only     run only these groups or policies (comma-separated, repeatable)
  --format   text (default), json, or for check sarif (SARIF 2.1.0, for code scanning: a rule per policy,
             a result per finding at its file and the line of its object, unreadable inputs as notifications)
  --sarif-root  the folder SARIF file locations are relative to (default: the working directory; in CI,
             the repository's root)
  --quiet    no progress line (shown on a terminal when a check takes more than a couple of seconds)

Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad usage or unreadable input (the
readable files are still judged and reported).`;

const OPTIONS = {
    env: { type: "string" },
    level: { type: "string" },
    version: { type: "string" },
    only: { type: "string", multiple: true },
    format: { type: "string" },
    config: { type: "string" },
    registries: { type: "string", multiple: true },
    "sarif-root": { type: "string" },
    help: { type: "boolean", short: "h" },
    quiet: { type: "boolean", short: "q" },
} as const;

function validEnv(value: string | undefined): Environment | undefined {
    if (value === undefined) return undefined;
    if (!isEnvironment(value)) {
        throw new UsageError(`--env must be one of ${ENVIRONMENTS.join(", ")}, not "${value}"`);
    }
    return value;
}

function validLevel(value: string | undefined): PodSecurityLevel | undefined {
    if (value === undefined) return undefined;
    if (!isPodSecurityLevel(value)) {
        throw new UsageError(`--level must be one of privileged, baseline, restricted, not "${value}"`);
    }
    return value;
}

const KNOWN_VERSION = new RegExp(POD_SECURITY_VERSION_PATTERN);

/** `latest` or a version the evaluator knows: a newer one would be judged by a guess of its checks. */
function validVersion(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    if (!KNOWN_VERSION.test(value)) {
        throw new UsageError(
            `--version must be "latest" or one of v1.0 to v1.37 (e.g. ${POD_SECURITY_VERSION}), not "${value}"`,
        );
    }
    return value;
}

const REGISTRY = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*\/$/;

/** `--registries a/,b/ --registries c/`: prefixes as the config's `registries` takes them. */
function validRegistries(values: readonly string[] | undefined): readonly string[] | undefined {
    if (values === undefined) return undefined;
    const registries = values.flatMap((value) => value.split(",")).map((name) => name.trim());
    const bad = registries.filter((registry) => !REGISTRY.test(registry));
    if (bad.length > 0) {
        throw new UsageError(
            `--registries takes registry prefixes ending in / (e.g. 111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/), ` +
                `not ${bad.map((name) => JSON.stringify(name)).join(", ")}`,
        );
    }
    return [...new Set(registries)];
}

function validSarifRoot(value: string | undefined, format: OutputFormat): string | undefined {
    if (value === undefined) return undefined;
    if (format !== OutputFormat.Sarif) throw new UsageError("--sarif-root is for --format sarif");
    if (value.trim() === "") throw new UsageError("--sarif-root needs a folder");
    return value;
}

function validConfig(value: string | undefined): string | undefined {
    if (value !== undefined && value.trim() === "") throw new UsageError("--config needs a file");
    return value;
}

function validFormat(value: string | undefined): OutputFormat {
    if (value === undefined) return OutputFormat.Text;
    if (!OUTPUT_FORMATS.includes(value)) {
        throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(", ")}, not "${value}"`);
    }
    return value as OutputFormat;
}

/** `--only a,b --only c` → `["a", "b", "c"]`; an empty name is a usage error, not "everything". */
function validOnly(values: readonly string[] | undefined): readonly string[] | undefined {
    if (values === undefined) return undefined;
    const names = values.flatMap((value) => value.split(",")).map((name) => name.trim());
    if (names.some((name) => name === "")) {
        throw new UsageError(`--only takes comma-separated group or policy names; an empty name was given`);
    }
    return [...new Set(names)];
}

/** Parses `argv` (without the node and script paths). Throws UsageError on anything it does not accept. */
export function parseCommandLine(argv: readonly string[]): Command {
    let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (values.help || command === "help") return { command: "help" };
    if (command === undefined) throw new UsageError("a command is required: check or policies");

    const env = validEnv(values.env);
    const level = validLevel(values.level);
    const version = validVersion(values.version);
    const format = validFormat(values.format);
    const config = validConfig(values.config);
    const registries = validRegistries(values.registries);
    switch (command) {
        case "check": {
            if (rest.length === 0) throw new UsageError("check needs at least one file or folder to check");
            return {
                command,
                env,
                level,
                version,
                only: validOnly(values.only),
                format,
                config,
                registries,
                sarifRoot: validSarifRoot(values["sarif-root"], format),
                quiet: values.quiet === true,
                paths: rest,
            };
        }
        case "policies": {
            if (rest.length > 0) throw new UsageError(`policies takes no paths, got ${rest.join(" ")}`);
            if (format === OutputFormat.Sarif) {
                throw new UsageError("--format sarif is for check: policies lists as text or json");
            }
            if (values["sarif-root"] !== undefined) throw new UsageError("--sarif-root is for check --format sarif");
            return { command, env, level, version, only: validOnly(values.only), format, config, registries };
        }
        default:
            throw new UsageError(`unknown command "${command}": use check, policies, report or sops-config`);
    }
}
