/**
 * examples/yaml/Pulumi.yaml read as Pulumi YAML reads it: its resources, their types and properties, and the
 * inputs the engine would send the provider for one of them (config references resolved, secrets as secrets).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../schema/infer-schema";

export const YAML_EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "yaml");

export interface YamlResource {
    readonly type: string;
    readonly properties: Record<string, unknown>;
}

export interface YamlProgram {
    readonly name: string;
    readonly runtime: unknown;
    readonly packages?: Record<string, unknown>;
    readonly config?: Record<string, { type?: string; secret?: boolean }>;
    readonly resources: Record<string, YamlResource>;
    readonly outputs?: Record<string, unknown>;
}

export function readYamlProgram(): YamlProgram {
    return parse(fs.readFileSync(path.join(YAML_EXAMPLE_DIR, "Pulumi.yaml"), "utf8")) as YamlProgram;
}

/** A whole-value `${name}` or `${resource.property}` interpolation. */
const REFERENCE = /^\$\{([A-Za-z][\w-]*)(?:\.([\w.[\]]+))?\}$/;

export function referenceOf(value: unknown): { name: string; property?: string } | undefined {
    if (typeof value !== "string") return undefined;
    const match = REFERENCE.exec(value);
    return match ? { name: match[1], property: match[2] } : undefined;
}

/**
 * A secret as the engine sends it inside a Construct's inputs: an output value marked secret. The engine
 * marshals a component's inputs keeping output values (the provider's Configure accepts them), and a YAML
 * program's secret config reaches it as an Output, so a secret nested in `apps` stays where it is. (The older
 * form, the bare secret signature, would make the SDK lift the secret to the whole top-level input, turning
 * `apps` into an Output the component refuses.)
 */
export function secretOutputWire(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4", value, secret: true };
}

/**
 * A resource's properties as the engine sends them to Construct: literals as they are, a reference to a
 * config key as that key's value (a secret when the key is), from `config`.
 */
export function constructInputs(
    program: YamlProgram,
    resource: string,
    config: Record<string, string>,
    secret: (value: string) => unknown = secretOutputWire,
): Record<string, unknown> {
    const resolve = (value: unknown): unknown => {
        const ref = referenceOf(value);
        if (ref) {
            const declared = program.config?.[ref.name];
            if (!declared || ref.property) throw new Error(`${String(value)} is not a config reference`);
            if (!(ref.name in config)) throw new Error(`no value given for config ${ref.name}`);
            return declared.secret ? secret(config[ref.name]) : config[ref.name];
        }
        if (Array.isArray(value)) return value.map(resolve);
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
        }
        return value;
    };
    return resolve(program.resources[resource].properties) as Record<string, unknown>;
}
