/**
 * A stack file, stacks/Pulumi.<stack>.yaml, as text the engine passes on: no SDK, no components, so that a
 * pack can be spawned with the stack's config before either is loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import { REPO_ROOT, STACKS_DIR, stackNames } from "./paths";

/** A stack file that is missing, empty or not a stack file's YAML; the message names the file and the fix. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** The file's path as a user types it: relative to the repository when it is inside it. */
function shown(file: string): string {
    const relative = path.relative(REPO_ROOT, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

function isMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The problem with the stack name `stack` in `dir`, or undefined when its stack file exists. */
export function missingStackFile(stack: string, dir: string = STACKS_DIR): string | undefined {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(file)) return undefined;
    const stacks = stackNames(dir);
    return `no stack file ${shown(file)}; stacks: ${stacks.length > 0 ? stacks.join(", ") : "none"}`;
}

/** Every key of a stack file, namespaced as written. Throws a StackFileError naming the file (and line). */
export function stackFileConfig(stack: string, dir: string = STACKS_DIR): Record<string, unknown> {
    const missing = missingStackFile(stack, dir);
    if (missing !== undefined) throw new StackFileError(missing);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const name = shown(file);
    let document: unknown;
    try {
        document = parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        if (!(err instanceof YAMLParseError)) throw err;
        const [position] = err.linePos ?? [];
        const where = position ? `${name}:${position.line}:${position.col}` : name;
        // The parser's first line is its message; the rest is an excerpt of the file.
        const reason = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new StackFileError(`${where}: not valid YAML: ${reason}; fix: correct the file at that line`);
    }
    if (document === null || document === undefined) {
        throw new StackFileError(
            `${name} is empty; fix: give it a config: map of the stack's k8s-baseline:* keys (stacks/config.schema.json lists them)`,
        );
    }
    if (!isMap(document)) {
        throw new StackFileError(`${name}: must be a map with a config: key, not ${describe(document)}`);
    }
    const config = document.config;
    if (config === undefined || config === null) return {};
    if (!isMap(config)) {
        throw new StackFileError(`${name}: config must be a map of namespace:key to value, not ${describe(config)}`);
    }
    return config;
}

function describe(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    return typeof value === "string" ? `the text ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

/** The stack config as text, as the engine passes it on: strings as they are, the rest as JSON. */
export function stackConfigText(stack: string, dir: string = STACKS_DIR): Record<string, string> {
    return Object.fromEntries(
        Object.entries(stackFileConfig(stack, dir)).map(([key, value]) => [
            key,
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );
}

/**
 * What is wrong with a command line that names one stack (`npm run plan -- <stack>`), or undefined when it
 * names a stack that has a stack file in `dir`.
 */
export function stackArgumentProblem(argv: readonly string[], dir: string = STACKS_DIR): string | undefined {
    const stacks = `stacks: ${stackNames(dir).join(", ") || "none"}`;
    if (argv.length === 0) return `no stack given; ${stacks}`;
    if (argv.length > 1) return `one stack at a time, not ${argv.length} arguments (${argv.join(" ")}); ${stacks}`;
    if (argv[0].startsWith("-")) return `unknown option ${argv[0]}; ${stacks}`;
    return missingStackFile(argv[0], dir);
}
