/**
 * The package schema Python, Go, .NET and YAML programs see. Pulumi's component provider host infers it from
 * these TypeScript sources; anything the inference rejects, or a schema the CLI refuses to bind, breaks every
 * non-TypeScript consumer while the TypeScript tests stay green.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import type * as ts from "typescript";
import { argsShapes } from "./args-shapes";
import {
    binderProblems,
    componentClassNames,
    formatSchema,
    inferSchemaAndProgram,
    loadEntryExports,
    METASCHEMA_PATH,
    PACKAGE_NAME,
    PROMISED_COMPONENTS,
    readGoldenSchema,
    readPackageJSON,
    SchemaProperty,
    sdkNameClashes,
    undocumented,
} from "./infer-schema";

const token = (name: string): string => `${PACKAGE_NAME}:index:${name}`;
const ref = (name: string): string => `#/types/${token(name)}`;

/** Components whose env input is the Environment enum. */
const ENV_COMPONENTS = PROMISED_COMPONENTS;

describe("package schema, as the component provider host infers it", function () {
    // The analyzer type-checks the whole program from tsconfig.json: seconds, not milliseconds.
    this.timeout(60_000);

    let exported: string[] = [];
    let inferred: PackageSpec | undefined;
    let program: ts.Program | undefined;
    let analyzerError: Error | undefined;

    before(() => {
        exported = componentClassNames(loadEntryExports());
        try {
            ({ schema: inferred, program } = inferSchemaAndProgram(exported));
        } catch (err) {
            analyzerError = err as Error;
        }
    });

    /** The inferred schema; fails the calling test with the analyzer's message when inference failed. */
    function schema(): PackageSpec {
        if (!inferred) {
            assert.fail(`the analyzer rejected the components: ${analyzerError?.message ?? "no schema"}`);
        }
        return inferred;
    }

    function resource(name: string) {
        const r = schema().resources[token(name)];
        assert.ok(r, `resource ${token(name)} missing; resources: ${Object.keys(schema().resources).join(", ")}`);
        return r;
    }

    function inputs(name: string): Record<string, SchemaProperty> {
        return (resource(name).inputProperties ?? {}) as Record<string, SchemaProperty>;
    }

    function outputs(name: string): Record<string, SchemaProperty> {
        return (resource(name).properties ?? {}) as Record<string, SchemaProperty>;
    }

    function typeOf(prop: SchemaProperty | undefined, where: string) {
        assert.ok(prop?.$ref, `${where} should refer to a named type, got ${JSON.stringify(prop)}`);
        const t = schema().types[decodeURIComponent(prop.$ref.replace(/^#\/types\//, ""))];
        assert.ok(t, `${where}: ${prop.$ref} is not in types`);
        return t;
    }

    it("finds the components the entry point exports, as the host does", () => {
        assert.deepEqual(exported, [...new Set(getPulumiComponents(loadEntryExports()).map((c) => c.name))].sort());
        for (const name of PROMISED_COMPONENTS) {
            assert.ok(
                exported.includes(name),
                `components/index does not export ${name}; exports: ${exported.join(", ")}`,
            );
        }
    });

    it("is inferred without the analyzer rejecting any component property", () => {
        assert.equal(analyzerError, undefined, `analyzer: ${analyzerError?.message}`);
        assert.ok(inferred);
    });

    it("is schema.json, the committed copy (`npm run schema` regenerates it)", () => {
        assert.ok(
            formatSchema(schema()) === formatSchema(readGoldenSchema()),
            "schema.json is stale: the sources infer a different schema; run `npm run schema` and review the diff",
        );
    });

    it("requires exactly the Args properties without `?`, and has exactly the Args properties as inputs", () => {
        const names = Object.keys(schema().resources).map((t) => t.split(":")[2]);
        const shapes = argsShapes(program!, names);
        assert.deepEqual([...shapes.keys()].sort(), [...names].sort(), "every component's Args found");
        for (const name of names) {
            const r = resource(name);
            const shape = shapes.get(name)!;
            assert.deepEqual(
                Object.keys(r.inputProperties ?? {}).sort(),
                shape.all,
                `${name}: inputs vs ${shape.argsType}`,
            );
            assert.deepEqual(
                [...(r.requiredInputs ?? [])].sort(),
                shape.required,
                `${name}: required inputs vs the properties of ${shape.argsType} without ?`,
            );
        }
    });

    it("has exactly one component resource per exported component", () => {
        assert.deepEqual(Object.keys(schema().resources).sort(), exported.map(token));
        const manifest = readPackageJSON();
        assert.equal(schema().name, PACKAGE_NAME);
        assert.equal(schema().version, manifest.version);
    });

    it("validates against Pulumi's package metaschema", () => {
        if (!fs.existsSync(METASCHEMA_PATH)) {
            assert.fail(
                `../shared is missing: ${METASCHEMA_PATH} (Pulumi's pkg/codegen/schema/pulumi.json) not found; ` +
                    "check out the shared directory next to the repository",
            );
        }
        const metaschema = JSON.parse(fs.readFileSync(METASCHEMA_PATH, "utf8"));
        // Pulumi validates with a non-strict JSON Schema validator; Ajv's strict mode would reject the
        // metaschema itself (union `type` keywords), not the package schema.
        const ajv = new Ajv2020({ allErrors: true, strict: false });
        addFormats(ajv);
        const validate = ajv.compile(metaschema);

        const valid = validate(schema());
        const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
        assert.ok(valid, `schema fails the metaschema:\n${errors.join("\n")}`);

        // The validator does catch a broken schema.
        const broken = JSON.parse(JSON.stringify(schema()));
        const someResource = Object.values(broken.resources)[0] as any;
        someResource.inputProperties.broken = { type: "array" };
        assert.equal(validate(broken), false, "a schema with an array without items passed the metaschema");
    });

    it("binds: every $ref resolves, tokens are k8s-baseline:index:<Name>, required names exist", () => {
        assert.deepEqual(binderProblems(schema()), []);
        assert.deepEqual(sdkNameClashes(schema()), []);

        // The checks catch what they claim to.
        const broken = JSON.parse(JSON.stringify(schema())) as PackageSpec;
        const ns = broken.resources[token("SecureNamespace")];
        ns.inputProperties!.env = { $ref: ref("Missing") } as any;
        ns.requiredInputs = [...(ns.requiredInputs ?? []), "notAnInput"];
        ns.isComponent = false;
        broken.resources["k8s-baseline:kubernetes:Other"] = { type: "object", isComponent: true };
        const problems = binderProblems(broken).join("\n");
        assert.match(
            problems,
            /SecureNamespace inputs\.env: \$ref #\/types\/k8s-baseline:index:Missing does not resolve/,
        );
        assert.match(problems, /required property notAnInput is not among its properties/);
        assert.match(problems, /SecureNamespace is not marked isComponent: true/);
        assert.match(problems, /k8s-baseline:kubernetes:Other is not k8s-baseline:index:<Name>/);
    });

    it("marks every resource as a component", () => {
        for (const [t, r] of Object.entries(schema().resources)) {
            assert.equal(r.isComponent, true, `${t} is not isComponent: true`);
        }
    });

    it("describes every input of every component (its doc comment)", () => {
        const missing = Object.entries(schema().resources).flatMap(([t, r]) => undocumented(t, r.inputProperties));
        assert.deepEqual(missing, [], `inputs without a doc comment:\n${missing.join("\n")}`);
    });

    it("describes every component, its outputs and the fields of its argument types", () => {
        const missing = [
            ...Object.entries(schema().resources).flatMap(([t, r]) => [
                ...(r.description?.trim() ? [] : [`${t} (class doc comment)`]),
                ...undocumented(`${t} output`, r.properties),
            ]),
            ...Object.entries(schema().types).flatMap(([t, type]) => undocumented(t, type.properties)),
        ];
        assert.deepEqual(missing, [], `missing doc comments:\n${missing.join("\n")}`);
    });

    describe("what other languages rely on", () => {
        it("SecureNamespace env is the Environment enum: dev, stage, prod", () => {
            const env = inputs("SecureNamespace").env;
            const t = typeOf(env, "SecureNamespace.env");
            assert.equal(t.type, "string");
            assert.deepEqual(
                t.enum?.map((m) => m.value),
                ["dev", "stage", "prod"],
            );
            assert.ok(resource("SecureNamespace").requiredInputs?.includes("env"));
        });

        it("every component's env is the same Environment enum", () => {
            for (const name of ENV_COMPONENTS) {
                assert.equal(inputs(name).env?.$ref, ref("Environment"), `${name}.env`);
            }
        });

        it("WorkloadIdentity identityMode is an enum of irsa and pod-identity", () => {
            const t = typeOf(inputs("WorkloadIdentity").identityMode, "WorkloadIdentity.identityMode");
            assert.equal(t.type, "string");
            assert.deepEqual(t.enum?.map((m) => m.value).sort(), ["irsa", "pod-identity"]);
        });

        it("WorkloadIdentity outputs roleArn and serviceAccountName, always set", () => {
            const wi = resource("WorkloadIdentity");
            for (const output of ["roleArn", "serviceAccountName"]) {
                assert.equal(outputs("WorkloadIdentity")[output]?.type, "string", `WorkloadIdentity output ${output}`);
                assert.ok(wi.required?.includes(output), `WorkloadIdentity output ${output} should be required`);
            }
        });

        it("AppSecrets secrets is an array of a named object type whose value accepts a secret Output", () => {
            const secrets = inputs("AppSecrets").secrets;
            assert.equal(secrets.type, "array");
            const item = typeOf(secrets.items, "AppSecrets.secrets[]");
            assert.equal(item.type, "object");
            assert.ok(item.required?.includes("name"), "AppSecrets.secrets[].name should be required");
            const value = (item.properties ?? {}).value as SchemaProperty | undefined;
            assert.equal(value?.type, "string", "AppSecrets.secrets[].value");
            // `config.requireSecret(...)` is an Output in every language: a plain value would refuse it.
            assert.notEqual(value?.plain, true, "AppSecrets.secrets[].value must not be plain");
        });

        it("takes one component's ARN outputs as inputs of the next", () => {
            // EnvironmentKey.keyArn feeds AppSecrets.kmsKeyArn and WorkloadIdentity.environmentKeyArn.
            assert.equal(outputs("EnvironmentKey").keyArn?.type, "string");
            for (const [name, input] of [
                ["AppSecrets", "kmsKeyArn"],
                ["WorkloadIdentity", "environmentKeyArn"],
            ]) {
                const prop = inputs(name)[input];
                assert.equal(prop?.type, "string", `${name}.${input}`);
                assert.notEqual(prop?.plain, true, `${name}.${input} must accept an Output`);
            }
        });
    });
});
