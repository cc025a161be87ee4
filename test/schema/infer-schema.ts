/**
 * Infers the package schema the way Pulumi's component provider host does when a Python, Go, .NET or YAML
 * program asks for it, and the checks the CLI's binder runs on it before generating an SDK. The host is
 * `componentProviderHost` in @pulumi/pulumi/provider/experimental: it collects the ComponentResource classes the
 * package exports, then `ComponentProvider.getSchema` runs the TypeScript `Analyzer` over the sources and turns
 * its result into a schema with `generateSchema`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as ts from "typescript";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

export const PACKAGE_NAME = "k8s-baseline";

/** Components other languages are promised; every component the package exports is checked besides. */
export const PROMISED_COMPONENTS: readonly string[] = [
    "AppExternalSecrets",
    "AppParameters",
    "AppSecrets",
    "BaselinePolicies",
    "CertManager",
    "EnvironmentKey",
    "ExternalSecretsOperator",
    "Kyverno",
    "SecureEnvironment",
    "SecureNamespace",
    "VaultAppAccess",
    "VaultEnvironment",
    "WorkloadIdentity",
];

/** The repository root, from dist/test/schema (compiled) or test/schema (sources). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no package.json named ${PACKAGE_NAME} above ${start}`);
        }
    }
}

/** Pulumi's package metaschema, kept outside the repository so it is not vendored twice. */
export const METASCHEMA_PATH = path.resolve(REPO_ROOT, "..", "shared", "pulumi", "package-schema.json");

export function readPackageJSON(): Record<string, any> {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
}

/** The committed copy of the schema: `npm run schema` regenerates it, a test fails when it is stale. */
export const GOLDEN_SCHEMA_PATH = path.join(REPO_ROOT, "schema.json");

/** schema.json as `npm run schema` writes it. */
export function formatSchema(schema: PackageSpec): string {
    return JSON.stringify(schema, null, 2) + "\n";
}

export function readGoldenSchema(): PackageSpec {
    return JSON.parse(fs.readFileSync(GOLDEN_SCHEMA_PATH, "utf8"));
}

function isComponentClass(value: unknown): value is new (...args: any[]) => pulumi.ComponentResource {
    if (typeof value !== "function" || !value.prototype) {
        return false;
    }
    for (let proto = Object.getPrototypeOf(value.prototype); proto; proto = Object.getPrototypeOf(proto)) {
        if (proto === pulumi.ComponentResource.prototype) {
            return true;
        }
    }
    return false;
}

/**
 * Class names of every ComponentResource the compiled entry point exports, including those inside exported
 * namespaces, which the host also walks. A new component is covered as soon as components/index exports it.
 */
export function componentClassNames(entryExports: Record<string, unknown>): string[] {
    const names = new Set<string>();
    const seen = new Set<unknown>();
    const visit = (value: unknown): void => {
        if (value === null || value === undefined || seen.has(value)) {
            return;
        }
        seen.add(value);
        if (isComponentClass(value)) {
            names.add(value.name);
        } else if (typeof value === "object") {
            for (const key of Object.keys(value)) {
                visit((value as Record<string, unknown>)[key]);
            }
        }
    };
    visit(entryExports);
    return [...names].sort();
}

/** The compiled entry point, as the host loads it: package.json `main`. */
export function loadEntryExports(): Record<string, unknown> {
    // The path is only known at run time (it is read from package.json), which an import cannot express.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.resolve(REPO_ROOT, readPackageJSON().main));
}

/**
 * The schema the host would answer GetSchema with. The host sends `JSON.stringify(schema)`, so undefined
 * fields are dropped here too.
 */
export function inferSchema(componentNames: string[]): PackageSpec {
    return inferSchemaAndProgram(componentNames).schema;
}

/** The schema, and the TypeScript program the analyzer built (the whole tsconfig.json) to infer it. */
export function inferSchemaAndProgram(componentNames: string[]): { schema: PackageSpec; program: ts.Program } {
    // The real manifest, as the host reads it: its `main` (dist/components/index.js) has no .ts next to it,
    // so the analyzer takes the root index.ts.
    const packageJSON = readPackageJSON();
    const analyzer = new Analyzer(REPO_ROOT, PACKAGE_NAME, packageJSON, new Set(componentNames));
    const { components, typeDefinitions, dependencies } = analyzer.analyze();
    const schema = generateSchema(
        PACKAGE_NAME,
        packageJSON.version ?? "0.0.0",
        packageJSON.description,
        components,
        typeDefinitions,
        dependencies,
        undefined,
    );
    // The program is the analyzer's own (not part of its declared API): reused so that the sources are
    // type-checked once.
    const program = (analyzer as unknown as { program: ts.Program }).program;
    return { schema: JSON.parse(JSON.stringify(schema)), program };
}

/** A property, array item or map value as it appears in the schema. */
export interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    plain?: boolean;
    description?: string;
    [key: string]: unknown;
}

type PropertyMap = Record<string, SchemaProperty> | undefined;

const BUILTIN_REFS = new Set(["pulumi.json#/Any", "pulumi.json#/Archive", "pulumi.json#/Asset", "pulumi.json#/Json"]);
const EXTERNAL_REF = /^\/([-\w]+)\/v([^/]+)\/schema\.json#\/(resources|types)\/.+$/;
const TOKEN = /^k8s-baseline:index:[A-Za-z][A-Za-z0-9]*$/;

/**
 * Problems the CLI's binder (pkg/codegen/schema/bind.go) would report, or would let through silently and
 * break SDK generation with: every `$ref` resolves (a `#/types/...` ref to an undefined type binds to an
 * opaque token, not an error), tokens are `k8s-baseline:index:<Name>`, required names exist, enums hold values
 * of their type, no two resources differ only by case, and components are marked as such.
 */
export function binderProblems(schema: PackageSpec): string[] {
    const problems: string[] = [];
    const types = schema.types ?? {};
    const resources = schema.resources ?? {};
    const dependencies = (schema.dependencies ?? []).map((d) => `${d.name}@${d.version}`);

    const checkType = (where: string, prop: SchemaProperty | undefined): void => {
        if (!prop) {
            return;
        }
        if (prop.$ref !== undefined) {
            const ref = prop.$ref;
            if (BUILTIN_REFS.has(ref)) {
                return;
            }
            const local = /^#\/(types|resources)\/(.+)$/.exec(ref);
            if (local) {
                const token = decodeURIComponent(local[2]);
                const table: Record<string, unknown> = local[1] === "types" ? types : resources;
                if (!(token in table)) {
                    problems.push(`${where}: $ref ${ref} does not resolve to a ${local[1].slice(0, -1)} in the schema`);
                }
                return;
            }
            const external = EXTERNAL_REF.exec(ref);
            if (external) {
                if (!dependencies.includes(`${external[1]}@${external[2]}`)) {
                    problems.push(
                        `${where}: $ref ${ref} refers to ${external[1]} v${external[2]}, not in dependencies`,
                    );
                }
                return;
            }
            problems.push(`${where}: $ref ${ref} is neither a local, built-in nor external schema reference`);
            return;
        }
        switch (prop.type) {
            case "boolean":
            case "integer":
            case "number":
            case "string":
                return;
            case "array":
                if (!prop.items) {
                    problems.push(`${where}: array without items`);
                }
                checkType(`${where}[]`, prop.items);
                return;
            case "object":
                checkType(`${where}{}`, prop.additionalProperties);
                return;
            default:
                problems.push(`${where}: unknown type ${JSON.stringify(prop.type)}`);
        }
    };
    const checkProperties = (where: string, properties: PropertyMap, required: string[] | undefined): void => {
        for (const [name, prop] of Object.entries(properties ?? {})) {
            checkType(`${where}.${name}`, prop);
        }
        for (const name of required ?? []) {
            if (!(name in (properties ?? {}))) {
                problems.push(`${where}: required property ${name} is not among its properties`);
            }
        }
    };

    const lowered = new Map<string, string>();
    for (const [token, resource] of Object.entries(resources)) {
        if (!TOKEN.test(token)) {
            problems.push(`resource token ${token} is not ${PACKAGE_NAME}:index:<Name>`);
        }
        if (/^k8s-baseline:index:provider$/i.test(token)) {
            problems.push(`resource token ${token}: provider is reserved in the index module`);
        }
        const other = lowered.get(token.toLowerCase());
        if (other) {
            problems.push(`resource tokens ${other} and ${token} differ only by case`);
        }
        lowered.set(token.toLowerCase(), token);
        if (resource.isComponent !== true) {
            problems.push(`resource ${token} is not marked isComponent: true`);
        }
        if ("urn" in (resource.properties ?? {})) {
            problems.push(`resource ${token}: urn is a reserved output name`);
        }
        checkProperties(`${token} inputs`, resource.inputProperties, resource.requiredInputs);
        checkProperties(`${token} outputs`, resource.properties, resource.required);
    }
    for (const [token, type] of Object.entries(types)) {
        if (!TOKEN.test(token)) {
            problems.push(`type token ${token} is not ${PACKAGE_NAME}:index:<Name>`);
        }
        if (type.enum) {
            if (!["string", "integer", "number", "boolean"].includes(type.type)) {
                problems.push(`enum ${token} has type ${type.type}; enums are string, integer, number or boolean`);
            }
            const expected = type.type === "integer" ? "number" : type.type;
            const seenValues = new Set<unknown>();
            for (const member of type.enum) {
                if (typeof member.value !== expected) {
                    problems.push(`enum ${token} member ${member.name} has a ${typeof member.value} value`);
                }
                if (seenValues.has(member.value)) {
                    problems.push(`enum ${token} repeats the value ${JSON.stringify(member.value)}`);
                }
                seenValues.add(member.value);
            }
        } else if (type.type === "object") {
            checkProperties(token, type.properties, type.required);
        } else {
            problems.push(`type ${token} is neither an object nor an enum (type ${type.type})`);
        }
    }
    return problems;
}

/**
 * Every SDK generates `<Resource>Args` for a resource's inputs, and a class named after each type. A type
 * named like a resource, or like a resource's args, collides with them in Python, Go and .NET.
 */
export function sdkNameClashes(schema: PackageSpec): string[] {
    const typeNames = new Set(Object.keys(schema.types ?? {}).map((t) => t.split(":")[2].toLowerCase()));
    const clashes: string[] = [];
    for (const token of Object.keys(schema.resources ?? {})) {
        const name = token.split(":")[2];
        for (const generated of [name, `${name}Args`]) {
            if (typeNames.has(generated.toLowerCase())) {
                clashes.push(
                    `type ${PACKAGE_NAME}:index:${generated} clashes with resource ${token}'s generated ${generated}`,
                );
            }
        }
    }
    return clashes;
}

/** `<where>.<property>` for every property in the map whose description is missing or blank. */
export function undocumented(where: string, properties: PropertyMap): string[] {
    return Object.entries(properties ?? {})
        .filter(([, prop]) => typeof prop.description !== "string" || prop.description.trim() === "")
        .map(([name]) => `${where}.${name}`);
}
