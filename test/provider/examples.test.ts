/**
 * The consumers' examples against the schema other languages get: examples/yaml/Pulumi.yaml (every resource
 * type, property and output it names exists with the right type; an Output only where the input is not
 * plain) and examples/python/__main__.py (the same program, with input names as the Python SDK generator
 * snake_cases them). Neither runs here: there is no Pulumi CLI to run them with.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { readGoldenSchema, REPO_ROOT, SchemaProperty } from "../schema/infer-schema";
import { pyName, PythonExpression, readPythonProgram } from "./python-program";
import { readYamlProgram, referenceOf, YamlProgram } from "./yaml-program";

const PACKAGE_SOURCE = /^https:\/\/github\.com\/[\w.-]+\/k8s-baseline@v\d+\.\d+\.\d+$/;

/** Marks a value the program computes (a config reference, a call): an Output when it reaches the provider. */
const COMPUTED = Symbol("computed");

type Value = unknown;

interface Checker {
    readonly schema: PackageSpec;
    readonly problems: string[];
    /** How the program names a schema property: as is in YAML, snake_cased in Python. */
    readonly nameOf: (property: string) => string;
    /** The type a computed value has, when the program declares it (YAML config), else undefined. */
    readonly computedType: (value: Value) => string | undefined;
    readonly isComputed: (value: Value) => boolean;
}

function typeOfRef(schema: PackageSpec, ref: string) {
    return schema.types[decodeURIComponent(ref.replace(/^#\/types\//, ""))];
}

/** Checks `value` against the schema property `node`; returns the value with program names as schema names. */
function checkValue(c: Checker, where: string, value: Value, node: SchemaProperty): Value {
    if (c.isComputed(value)) {
        if (node.plain === true) c.problems.push(`${where}: a computed value (an Output) for a plain input`);
        const declared = c.computedType(value);
        const expected = node.$ref ? typeOfRef(c.schema, node.$ref)?.type : node.type;
        if (declared && declared !== expected) c.problems.push(`${where}: config of type ${declared}, not ${expected}`);
        return COMPUTED;
    }
    if (node.$ref) {
        const type = typeOfRef(c.schema, node.$ref);
        if (!type) {
            c.problems.push(`${where}: ${node.$ref} is not in the schema`);
            return value;
        }
        if (type.enum) {
            const values = type.enum.map((m) => m.value);
            if (!values.includes(value as never))
                c.problems.push(`${where}: ${JSON.stringify(value)} not in ${values}`);
            return value;
        }
        return checkObject(c, where, value, type.properties ?? {}, type.required ?? []);
    }
    switch (node.type) {
        case "string":
        case "boolean":
            if (typeof value !== node.type) c.problems.push(`${where}: ${JSON.stringify(value)} is not a ${node.type}`);
            return value;
        case "number":
        case "integer":
            if (typeof value !== "number") c.problems.push(`${where}: ${JSON.stringify(value)} is not a number`);
            return value;
        case "array":
            if (!Array.isArray(value)) {
                c.problems.push(`${where}: not a list`);
                return value;
            }
            return value.map((item, i) => checkValue(c, `${where}[${i}]`, item, node.items!));
        case "object":
            if (value === null || typeof value !== "object" || Array.isArray(value)) {
                c.problems.push(`${where}: not a map`);
                return value;
            }
            return Object.fromEntries(
                Object.entries(value).map(([k, v]) => [
                    k,
                    checkValue(c, `${where}.${k}`, v, node.additionalProperties!),
                ]),
            );
        default:
            c.problems.push(`${where}: schema type ${JSON.stringify(node)} not understood by this check`);
            return value;
    }
}

function checkObject(
    c: Checker,
    where: string,
    value: Value,
    properties: Record<string, SchemaProperty>,
    required: readonly string[],
): Value {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        c.problems.push(`${where}: not an object`);
        return value;
    }
    const byProgramName = new Map(Object.keys(properties).map((p) => [c.nameOf(p), p]));
    const out: Record<string, Value> = {};
    for (const [key, v] of Object.entries(value)) {
        const property = byProgramName.get(key);
        if (!property) {
            c.problems.push(`${where}.${key}: no such property (has ${[...byProgramName.keys()].join(", ")})`);
            continue;
        }
        out[property] = checkValue(c, `${where}.${key}`, v, properties[property]);
    }
    for (const property of required) {
        if (!(c.nameOf(property) in value)) c.problems.push(`${where}: required ${c.nameOf(property)} missing`);
    }
    return out;
}

function checkInputs(c: Checker, token: string, properties: Value): Value {
    const resource = c.schema.resources[token];
    if (!resource) {
        c.problems.push(`${token}: not a resource of the schema`);
        return properties;
    }
    return checkObject(
        c,
        token,
        properties,
        (resource.inputProperties ?? {}) as Record<string, SchemaProperty>,
        resource.requiredInputs ?? [],
    );
}

describe("the consumer examples, against the schema", () => {
    const schema = readGoldenSchema();

    describe("examples/yaml/Pulumi.yaml", () => {
        let program: YamlProgram;
        before(() => (program = readYamlProgram()));

        it("is a YAML program that pins the package to a release tag", () => {
            assert.equal(program.runtime, "yaml");
            assert.match(String(program.packages?.["k8s-baseline"]), PACKAGE_SOURCE);
        });

        it("names only resource types and properties of the schema, with values of their types", () => {
            const problems: string[] = [];
            const c: Checker = {
                schema,
                problems,
                nameOf: (p) => p,
                isComputed: (v) => referenceOf(v) !== undefined,
                computedType: (v) => program.config?.[referenceOf(v)!.name]?.type,
            };
            const types = Object.values(program.resources).map((r) => r.type);
            assert.ok(types.includes("k8s-baseline:index:SecureEnvironment"));
            for (const resource of Object.values(program.resources)) checkInputs(c, resource.type, resource.properties);
            assert.deepEqual(problems, []);
        });

        it("reads only outputs the component has", () => {
            for (const [output, value] of Object.entries(program.outputs ?? {})) {
                const ref = referenceOf(value);
                assert.ok(ref?.property, `output ${output} is not a resource property reference`);
                const resource = program.resources[ref.name];
                assert.ok(resource, `output ${output} names no resource ${ref.name}`);
                assert.ok(
                    ref.property in (schema.resources[resource.type].properties ?? {}),
                    `${resource.type} has no output ${ref.property}`,
                );
            }
        });

        it("the check catches a misspelt property, a wrong type, a missing required input, an Output for a plain input", () => {
            const problems: string[] = [];
            const c: Checker = {
                schema,
                problems,
                nameOf: (p) => p,
                isComputed: (v) => referenceOf(v) !== undefined,
                computedType: () => "string",
            };
            const properties = JSON.parse(JSON.stringify(program.resources.stage.properties));
            properties.acountId = properties.accountId;
            delete properties.accountId;
            properties.cluster.platformEgressCidrs = "10.0.0.0/8";
            properties.apps[0].namespace = "${other.namespace}";
            checkInputs(c, "k8s-baseline:index:SecureEnvironment", properties);
            const text = problems.join("\n");
            assert.match(text, /\.acountId: no such property/);
            assert.match(text, /required accountId missing/);
            assert.match(text, /cluster\.platformEgressCidrs: not a list/);
            assert.match(text, /apps\[0\]\.namespace: a computed value \(an Output\) for a plain input/);
        });
    });

    describe("examples/python", () => {
        const isExpr = (v: Value) => v instanceof PythonExpression;

        it("names the Python SDK's snake_case inputs as the generator derives them", () => {
            assert.equal(pyName("accountId"), "account_id");
            assert.equal(pyName("oidcProviderArn"), "oidc_provider_arn");
            assert.equal(pyName("callsKubernetesApi"), "calls_kubernetes_api");
            assert.equal(pyName("HTTPServer"), "http_server");
            assert.equal(pyName("SHA256Hash"), "sha256_hash");
            assert.equal(pyName("administratorARNs"), "administrator_arns");
            assert.equal(pyName("env"), "env");
        });

        it("is the YAML program: the same component, inputs and values, with snake_case names", () => {
            const { calls } = readPythonProgram();
            assert.deepEqual(
                calls.map((call) => call.component),
                ["SecureEnvironment"],
            );
            const [call] = calls;
            assert.deepEqual(call.args, ["stage"], "the resource name");
            const problems: string[] = [];
            const c: Checker = {
                schema,
                problems,
                nameOf: pyName,
                isComputed: isExpr,
                computedType: () => undefined,
            };
            const asSchemaNames = checkInputs(c, `k8s-baseline:index:${call.component}`, call.kwargs);
            assert.deepEqual(problems, []);
            // The same program as the YAML one: config references and calls are both computed values.
            const yaml = readYamlProgram();
            const yc: Checker = {
                schema,
                problems,
                nameOf: (p) => p,
                isComputed: (v) => referenceOf(v) !== undefined,
                computedType: () => undefined,
            };
            assert.deepEqual(
                asSchemaNames,
                checkInputs(yc, yaml.resources.stage.type, yaml.resources.stage.properties),
            );
        });

        it("reads only outputs the component has, by their Python names", () => {
            const { calls, attributes } = readPythonProgram();
            const outputs = Object.keys(schema.resources["k8s-baseline:index:SecureEnvironment"].properties ?? {});
            const read = attributes.get(calls[0].variable!) ?? [];
            assert.ok(read.length > 0);
            for (const attribute of read) {
                assert.ok(outputs.map(pyName).includes(attribute), `SecureEnvironment has no output ${attribute}`);
            }
        });

        it("is a Python project that pins the package to a release tag", () => {
            const project = parse(fs.readFileSync(path.join(REPO_ROOT, "examples/python/Pulumi.yaml"), "utf8"));
            assert.equal(project.runtime?.name ?? project.runtime, "python");
            assert.match(String(project.packages?.["k8s-baseline"]), PACKAGE_SOURCE);
        });
    });
});
