/**
 * The Helm values the add-ons pass, against the pinned charts' own values.yaml and values.schema.json
 * (../shared/charts): Helm ignores a key the chart does not read, so a misspelt key would leave a chart
 * default in force without a word. Every key passed must be one the chart declares, where the chart declares
 * the keys of that map; the merged values must satisfy the chart's schema, as Helm checks them; and the
 * chart's NetworkPolicies, which would widen the namespace's default-deny, must all be off.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { AnySchema } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { installMocks } from "../../mocks";
installMocks();
import { CERT_MANAGER_CHART_VERSION, certManagerChartValues } from "../../../components/addons/cert-manager/chart";
import { resolveCertManagerArgs } from "../../../components/addons/cert-manager/cert-manager";
import {
    EXTERNAL_SECRETS_CHART_VERSION,
    externalSecretsChartValues,
} from "../../../components/addons/external-secrets/operator";
import { KYVERNO_CHART_VERSION, kyvernoValues } from "../../../components/addons/kyverno/chart";
import { resolveKyvernoArgs } from "../../../components/addons/kyverno/kyverno";
import { ENVIRONMENTS, Environment } from "../../../components/baseline";
import { sharedPath } from "../../shared";
import { certManagerArgs } from "./cert-manager/fixtures";

type Values = Record<string, unknown>;

function isMap(value: unknown): value is Values {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

interface Chart {
    readonly name: string;
    readonly version: string;
    /** The values each env's component passes. */
    readonly values: (env: Environment) => Values;
    /** Where the chart's NetworkPolicy switches are. */
    readonly networkPolicySwitches: readonly string[];
    /** Whether the pinned chart ships a values.schema.json (../shared/charts/SOURCE.md lists which do). */
    readonly hasSchema: boolean;
}

const CHARTS: readonly Chart[] = [
    {
        name: "cert-manager",
        version: CERT_MANAGER_CHART_VERSION,
        values: (env) => certManagerChartValues(resolveCertManagerArgs("cm", certManagerArgs({ env }))),
        networkPolicySwitches: ["networkPolicy", "webhook.networkPolicy", "cainjector.networkPolicy"],
        hasSchema: true,
    },
    {
        name: "external-secrets",
        version: EXTERNAL_SECRETS_CHART_VERSION,
        values: (env) => externalSecretsChartValues(env),
        networkPolicySwitches: ["networkPolicy", "webhook.networkPolicy", "certController.networkPolicy"],
        hasSchema: true,
    },
    {
        name: "kyverno",
        version: KYVERNO_CHART_VERSION,
        values: (env) => kyvernoValues(resolveKyvernoArgs("kyverno", { env })),
        networkPolicySwitches: [
            "admissionController.networkPolicy",
            "backgroundController.networkPolicy",
            "cleanupController.networkPolicy",
            "reportsController.networkPolicy",
        ],
        hasSchema: false,
    },
];

function at(values: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((node, key) => (isMap(node) ? node[key] : undefined), values);
}

/** Helm's merge of user values over chart defaults: maps merge, anything else replaces. */
function merged(defaults: unknown, values: unknown): unknown {
    if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
    const out: Values = { ...defaults };
    for (const [key, value] of Object.entries(values)) out[key] = merged(defaults[key], value);
    return out;
}

/** A schema node with local `$ref`s followed. */
function resolve(root: Values, node: unknown): Values | undefined {
    let current = node;
    for (let hops = 0; isMap(current) && typeof current.$ref === "string" && hops < 20; hops++) {
        const pointer = (current.$ref as string).replace(/^#\//, "").split("/");
        current = pointer.reduce<unknown>((n, key) => (isMap(n) ? n[key] : undefined), root);
    }
    return isMap(current) ? current : undefined;
}

/**
 * Keys whose value the chart copies into a manifest as a Kubernetes object (a SecurityContext, resource
 * requirements, labels): the keys below them are the Kubernetes type's, which the API server checks, not the
 * chart's.
 */
const KUBERNETES_OBJECTS = new Set([
    "securityContext",
    "podSecurityContext",
    "containerSecurityContext",
    "resources",
    "podResources",
    "affinity",
    "nodeSelector",
    "annotations",
    "labels",
    "namespaceSelector",
]);

/**
 * The keys of `values` the chart does not declare: where the chart's default at a path is a map with keys,
 * or its schema lists the map's properties, a key must be one of them; below an empty default map, and below
 * a Kubernetes object (KUBERNETES_OBJECTS), keys are not the chart's.
 */
function undeclaredKeys(
    values: Values,
    defaults: unknown,
    schema: Values | undefined,
    root: Values,
    path = "",
): string[] {
    const known = new Set<string>([
        ...(isMap(defaults) ? Object.keys(defaults) : []),
        ...(isMap(schema?.properties) ? Object.keys(schema.properties) : []),
    ]);
    const closed = known.size > 0 || schema?.additionalProperties === false;
    return Object.entries(values).flatMap(([key, value]) => {
        const here = path ? `${path}.${key}` : key;
        if (closed && !known.has(key)) return [here];
        const childDefault = isMap(defaults) ? defaults[key] : undefined;
        const childSchema = resolve(root, isMap(schema?.properties) ? schema.properties[key] : undefined);
        if (!isMap(value) || KUBERNETES_OBJECTS.has(key)) return [];
        return undeclaredKeys(value, childDefault, childSchema, root, here);
    });
}

for (const chart of CHARTS) {
    describe(`${chart.name} ${chart.version} chart values, against the chart's values.yaml and schema`, () => {
        const dir = `charts/${chart.name}/${chart.version}`;
        let defaults: Values;
        let schema: Values | undefined;

        before(() => {
            defaults = parse(fs.readFileSync(sharedPath(dir, "values.yaml"), "utf8")) as Values;
            // Not every chart has a schema (SOURCE.md says which); the directory itself must be there.
            const schemaFile = path.join(sharedPath(dir), "values.schema.json");
            schema = fs.existsSync(schemaFile)
                ? (JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Values)
                : undefined;
        });

        it("has a chart directory in ../shared, with a values schema exactly where the chart ships one", () => {
            assert.ok(fs.statSync(sharedPath(dir, "values.yaml")).isFile());
            assert.equal(schema !== undefined, chart.hasSchema);
        });

        for (const env of ENVIRONMENTS) {
            it(`${env}: passes only keys the chart declares`, () => {
                const root = schema ?? {};
                const top = resolve(root, schema) ?? undefined;
                assert.deepEqual(undeclaredKeys(chart.values(env), defaults, top, root), []);
            });

            if (chart.hasSchema) {
                it(`${env}: merged over the defaults, satisfies the chart's schema`, () => {
                    assert.ok(schema, `${dir}/values.schema.json`);
                    const ajv = schema!.$schema?.toString().includes("2020-12")
                        ? new Ajv2020({ strict: false, allErrors: true })
                        : new Ajv({ strict: false, allErrors: true });
                    const validate = ajv.compile(schema as AnySchema);
                    const ok = validate(merged(defaults, chart.values(env)));
                    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
                });
            }

            it(`${env}: turns every chart NetworkPolicy off`, () => {
                for (const path of chart.networkPolicySwitches) {
                    assert.deepEqual(at(chart.values(env), path), { enabled: false }, path);
                }
            });
        }

        it("would notice a misspelt key, and a value of the wrong type where the chart has a schema", () => {
            const root = schema ?? {};
            const [first] = chart.networkPolicySwitches;
            const misspelt = { [`${first.split(".")[0]}X`]: { enabled: false } };
            assert.deepEqual(undeclaredKeys(misspelt, defaults, resolve(root, schema), root), [
                Object.keys(misspelt)[0],
            ]);
            const nested: Values = {};
            first.split(".").reduce<Values>((node, key) => (node[key] = {}) as Values, nested);
            Object.assign(at(nested, first) as Values, { enable: false });
            assert.deepEqual(undeclaredKeys(nested, defaults, resolve(root, schema), root), [`${first}.enable`]);
            if (schema !== undefined) {
                const ajv = schema.$schema?.toString().includes("2020-12")
                    ? new Ajv2020({ strict: false })
                    : new Ajv({ strict: false });
                const wrong: Values = {};
                first.split(".").reduce<Values>((node, key) => (node[key] = {}) as Values, wrong);
                Object.assign(at(wrong, first) as Values, { enabled: "no" });
                assert.equal(ajv.compile(schema as AnySchema)(merged(defaults, wrong)), false);
            }
        });

        it("declares each NetworkPolicy switch, off by default, and no other", () => {
            for (const path of chart.networkPolicySwitches) {
                assert.equal(at(defaults, `${path}.enabled`), false, `${path}.enabled`);
            }
            const found: string[] = [];
            const walk = (node: unknown, path: string): void => {
                if (!isMap(node)) return;
                for (const [key, value] of Object.entries(node)) {
                    const here = path ? `${path}.${key}` : key;
                    if (key === "networkPolicy" && isMap(value) && "enabled" in value) found.push(here);
                    else walk(value, here);
                }
            };
            walk(defaults, "");
            assert.deepEqual(found.sort(), [...chart.networkPolicySwitches].sort());
        });
    });
}
