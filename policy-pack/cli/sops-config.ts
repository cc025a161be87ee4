/**
 * `k8s-baseline sops-config`: writes `.sops.yaml` from the stack outputs of each env
 * (`pulumi stack output --json`, one file per env), one creation rule per env folder, each to that env's
 * stack secrets key with an encryption context naming the env (components/baseline/sops.ts).
 *
 *   k8s-baseline sops-config [--project NAME] [--out FILE|-] ENV=OUTPUTS.json...
 *
 * Each outputs file gives `stackSecretsKeyArn` (and `project` unless --project is given; an `env` output, when
 * present, must be the env it is given for). Exit status 0 when written, 2 on bad usage or a bad outputs file.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import {
    ENVIRONMENTS,
    isDns1123Label,
    isEnvironment,
    sopsConfig,
    SopsEnvironmentKey,
    STACK_SECRETS_KEY_OUTPUT,
} from "../../components/baseline";

export const SOPS_CONFIG_USAGE = `Usage:
  k8s-baseline sops-config [--project NAME] [--out FILE|-] ENV=OUTPUTS.json...

Writes .sops.yaml (default: ./.sops.yaml; - prints it) with one creation rule per env: files under ENV/ are
encrypted to that env's ${STACK_SECRETS_KEY_OUTPUT}, read from its \`pulumi stack output --json\` file.`;

class SopsConfigUsageError extends Error {}

interface SopsConfigCommand {
    readonly project?: string;
    readonly out: string;
    readonly inputs: readonly { env: string; file: string }[];
}

function parseSopsConfigArgs(argv: readonly string[]): SopsConfigCommand | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                project: { type: "string" },
                out: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: true,
            strict: true,
        });
    } catch (error) {
        throw new SopsConfigUsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) return "help";
    if (positionals.length === 0) throw new SopsConfigUsageError("sops-config needs at least one ENV=OUTPUTS.json");
    const inputs = positionals.map((arg) => {
        const at = arg.indexOf("=");
        const env = at > 0 ? arg.slice(0, at) : "";
        const file = at > 0 ? arg.slice(at + 1) : "";
        if (!isEnvironment(env) || file === "") {
            throw new SopsConfigUsageError(
                `${JSON.stringify(arg)} is not ENV=FILE with ENV one of ${ENVIRONMENTS.join(", ")}`,
            );
        }
        return { env, file };
    });
    if (values.project !== undefined && !isDns1123Label(values.project)) {
        throw new SopsConfigUsageError(`--project ${JSON.stringify(values.project)} is not a DNS-1123 label`);
    }
    return { project: values.project, out: values.out ?? ".sops.yaml", inputs };
}

function readOutputs(env: string, file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new SopsConfigUsageError(`${env}: cannot read ${file}: ${(error as Error).message}`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new SopsConfigUsageError(
            `${file}: not JSON (${(error as Error).message}): give pulumi stack output --json`,
        );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new SopsConfigUsageError(`${file}: not a JSON object of stack outputs`);
    }
    return value as Record<string, unknown>;
}

/** The `.sops.yaml` text for the command's envs. Throws SopsConfigUsageError naming the file and output at fault. */
function sopsConfigText(command: SopsConfigCommand): string {
    const projects = new Set<string>();
    if (command.project !== undefined) projects.add(command.project);
    const keys: SopsEnvironmentKey[] = command.inputs.map(({ env, file }) => {
        const outputs = readOutputs(env, file);
        const arn = outputs[STACK_SECRETS_KEY_OUTPUT];
        if (typeof arn !== "string") {
            throw new SopsConfigUsageError(`${file}: no string output ${STACK_SECRETS_KEY_OUTPUT}`);
        }
        if (outputs.env !== undefined && outputs.env !== env) {
            throw new SopsConfigUsageError(
                `${file}: its env output is ${JSON.stringify(outputs.env)}, given for ${env}`,
            );
        }
        if (command.project === undefined) {
            if (typeof outputs.project !== "string") {
                throw new SopsConfigUsageError(`${file}: no project output: give --project`);
            }
            projects.add(outputs.project);
        }
        return { env: env as SopsEnvironmentKey["env"], kmsKeyArn: arn };
    });
    if (projects.size !== 1) {
        throw new SopsConfigUsageError(
            `the outputs name several projects (${[...projects].join(", ")}): give --project`,
        );
    }
    let config;
    try {
        config = sopsConfig([...projects][0], keys);
    } catch (error) {
        throw new SopsConfigUsageError((error as Error).message);
    }
    return `# Written by k8s-baseline sops-config: one rule per env folder, each to its env's key only.\n${stringify(config)}`;
}

/** Runs `sops-config` with its arguments (after the command name); returns the exit status. */
export function runSopsConfig(
    argv: readonly string[],
    out: { stdout(text: string): void; stderr(text: string): void },
): number {
    try {
        const command = parseSopsConfigArgs(argv);
        if (command === "help") {
            out.stdout(`${SOPS_CONFIG_USAGE}\n`);
            return 0;
        }
        const text = sopsConfigText(command);
        if (command.out === "-") {
            out.stdout(text);
        } else {
            fs.writeFileSync(command.out, text);
            out.stdout(`wrote ${command.out}\n`);
        }
        return 0;
    } catch (error) {
        if (error instanceof SopsConfigUsageError) {
            out.stderr(`k8s-baseline: ${error.message}\n\n${SOPS_CONFIG_USAGE}\n`);
            return 2;
        }
        throw error;
    }
}
