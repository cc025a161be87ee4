/**
 * Helm values judged against the chart's own data (values.yaml and, where the chart ships one,
 * values.schema.json, as ../shared/charts/<chart>/<version> holds them): Helm ignores a key the chart does not
 * read, so a misspelt key would leave a chart default in force without a word. Every key passed must be one
 * the chart declares, where the chart declares the keys of that map; the values merged over the defaults
 * must satisfy the chart's schema, as Helm checks them; and none of the chart's NetworkPolicies may be on,
 * since NetworkPolicies only add and the chart's would widen the namespace's default-deny.
 *
 * Used by the chart values suite (test/components/addons) and by `npm run plan`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { AnySchema } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";

export type Values = Record<string, unknown>;

export function isMap(value: unknown): value is Values {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value at a dotted path (`webhook.networkPolicy`), or undefined. */
export function at(values: unknown, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((node, key) => (isMap(node) ? node[key] : undefined), values);
}

/** Helm's merge of user values over chart defaults: maps merge, anything else replaces. */
export function merged(defaults: unknown, values: unknown): unknown {
    if (!isMap(defaults) || !isMap(values)) return values === undefined ? defaults : values;
    const out: Values = { ...defaults };
    for (const [key, value] of Object.entries(values)) out[key] = merged(defaults[key], value);
    return out;
}

/** A schema node with local `$ref`s followed. */
export function resolveRef(root: Values, node: unknown): Values | undefined {
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
export const KUBERNETES_OBJECTS: ReadonlySet<string> = new Set([
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
export function undeclaredKeys(
    values: Values,
    defaults: unknown,
    schema: Values | undefined,
    root: Values,
    prefix = "",
): string[] {
    const known = new Set<string>([
        ...(isMap(defaults) ? Object.keys(defaults) : []),
        ...(isMap(schema?.properties) ? Object.keys(schema.properties) : []),
    ]);
    const closed = known.size > 0 || schema?.additionalProperties === false;
    return Object.entries(values).flatMap(([key, value]) => {
        const here = prefix ? `${prefix}.${key}` : key;
        if (closed && !known.has(key)) return [here];
        const childDefault = isMap(defaults) ? defaults[key] : undefined;
        const childSchema = resolveRef(root, isMap(schema?.properties) ? schema.properties[key] : undefined);
        if (!isMap(value) || KUBERNETES_OBJECTS.has(key)) return [];
        return undeclaredKeys(value, childDefault, childSchema, root, here);
    });
}

/** One chart version's data: its default values and its values schema, when it ships one. */
export interface ChartData {
    readonly name: string;
    readonly version: string;
    /** The chart directory the data was read from. */
    readonly dir: string;
    readonly defaults: Values;
    readonly schema?: Values;
}

/** The data of `chart` at `version` under `chartsDir` (../shared/charts), or undefined when it has none. */
export function readChartData(chartsDir: string, chart: string, version: string): ChartData | undefined {
    const dir = path.join(chartsDir, chart, version);
    const valuesFile = path.join(dir, "values.yaml");
    if (!fs.existsSync(valuesFile)) return undefined;
    const schemaFile = path.join(dir, "values.schema.json");
    return {
        name: chart,
        version,
        dir,
        defaults: (parse(fs.readFileSync(valuesFile, "utf8")) ?? {}) as Values,
        schema: fs.existsSync(schemaFile) ? (JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Values) : undefined,
    };
}

/** The keys of `values` that `chart` declares nowhere. */
export function chartUndeclaredKeys(chart: ChartData, values: Values): string[] {
    const root = chart.schema ?? {};
    return undeclaredKeys(values, chart.defaults, resolveRef(root, chart.schema), root);
}

/** A validator for the chart's schema, in the JSON Schema draft the schema names. */
export function schemaValidator(schema: Values, allErrors = true): ReturnType<Ajv["compile"]> {
    const ajv = String(schema.$schema ?? "").includes("2020-12")
        ? new Ajv2020({ strict: false, allErrors })
        : new Ajv({ strict: false, allErrors });
    return ajv.compile(schema as AnySchema);
}

/** Where the merged values break the chart's schema (none when the chart ships no schema). */
export function chartSchemaErrors(chart: ChartData, values: Values): string[] {
    if (chart.schema === undefined) return [];
    const validate = schemaValidator(chart.schema);
    if (validate(merged(chart.defaults, values))) return [];
    return (validate.errors ?? []).map(
        (e) => `${e.instancePath.slice(1).replace(/\//g, ".") || "(root)"} ${e.message}`,
    );
}

/** The paths of every NetworkPolicy switch (`<path>.networkPolicy.enabled`) the chart's defaults have. */
export function networkPolicySwitches(defaults: Values): string[] {
    const found: string[] = [];
    const walk = (node: unknown, prefix: string): void => {
        if (!isMap(node)) return;
        for (const [key, value] of Object.entries(node)) {
            const here = prefix ? `${prefix}.${key}` : key;
            if (key === "networkPolicy" && isMap(value) && "enabled" in value) found.push(here);
            else walk(value, here);
        }
    };
    walk(defaults, "");
    return found.sort();
}

/** The chart's NetworkPolicy switches that are on once `values` are merged over its defaults. */
export function chartNetworkPoliciesOn(chart: ChartData, values: Values): string[] {
    const all = merged(chart.defaults, values);
    return networkPolicySwitches(chart.defaults).filter((s) => at(all, `${s}.enabled`) !== false);
}

/** What the chart data says is wrong with `values`, each line naming the key; empty when nothing is. */
export function judgeChartValues(chart: ChartData, values: Values): string[] {
    return [
        ...chartUndeclaredKeys(chart, values).map(
            (key) => `${key}: not a key of the chart's values; Helm ignores it, leaving the chart's default in force`,
        ),
        ...chartSchemaErrors(chart, values).map((error) => `${error} (values.schema.json)`),
        ...chartNetworkPoliciesOn(chart, values).map(
            (key) => `${key}.enabled: is not false; the chart's NetworkPolicy would widen the namespace's default-deny`,
        ),
    ];
}
