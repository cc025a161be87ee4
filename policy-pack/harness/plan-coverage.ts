/**
 * What the offline plan cannot judge, and the part of it the chart data can. A remote component's children
 * (a Helm chart's objects) are rendered by its provider during a real preview, so offline the pack never sees
 * them: each is named, with its chart and version, rather than counted in a silent PASS. The values each chart
 * is given are judged against that chart version's own data in ../shared/charts where it is there (see
 * chart-values): a key the chart does not declare, a value its schema refuses or a chart NetworkPolicy left on
 * is a problem, and fails the plan like a mandatory violation.
 */
import * as path from "node:path";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { isMap, judgeChartValues, readChartData, Values } from "./chart-values";
import { SHARED_DIR } from "./paths";

/** What the plan needs of a resource: its type, name, inputs (as the analyzer sees them) and remoteness. */
export interface CoveredResource {
    readonly type: string;
    readonly name: string;
    readonly remote?: boolean;
    readonly properties: Record<string, unknown>;
}

export interface OfflineCoverage {
    /** The section the plan prints before its summary. */
    readonly lines: readonly string[];
    /** The clause the summary line carries. */
    readonly summary: string;
    /** Chart value problems: each fails the plan. */
    readonly problems: number;
}

const HELM_CHART_TYPES = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);

/**
 * A value as the analyzer receives it, made plain: secrets by their value; values unknown until the update
 * left out, so that the chart's default stands in for them, and counted.
 */
function plain(value: unknown, unknown: { count: number }): unknown {
    if (value === rpc.unknownValue) {
        unknown.count++;
        return undefined;
    }
    if (Array.isArray(value)) return value.map((v) => plain(v, unknown));
    if (!isMap(value)) return value;
    if (value[rpc.specialSigKey] === rpc.specialSecretSig) return plain(value.value, unknown);
    const out: Values = {};
    for (const [key, child] of Object.entries(value)) {
        const inner = plain(child, unknown);
        if (inner !== undefined) out[key] = inner;
    }
    return out;
}

function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** The offline plan's account of what it did not judge, and of the chart values it judged. */
export function offlineCoverage(
    resources: readonly CoveredResource[],
    chartsDir: string = path.join(SHARED_DIR, "charts"),
): OfflineCoverage {
    const lines: string[] = [];
    let charts = 0;
    let judged = 0;
    let problems = 0;
    let otherRemote = 0;
    for (const resource of resources) {
        if (!resource.remote) continue;
        const subject = `${resource.type}  ${resource.name}`;
        if (!HELM_CHART_TYPES.has(resource.type)) {
            otherRemote++;
            lines.push(`  ${subject}: a remote component; its provider registers its children at preview`);
            continue;
        }
        charts++;
        const chart = text(resource.properties.chart) ?? "(no chart)";
        const version = text(resource.properties.version);
        const repo = isMap(resource.properties.repositoryOpts) ? text(resource.properties.repositoryOpts.repo) : "";
        lines.push(
            `  ${subject}: chart ${chart} ${version ?? "(no version pinned)"}${repo ? ` from ${repo}` : ""}, ` +
                `whose objects the Kubernetes provider renders at preview`,
        );
        const unknown = { count: 0 };
        const values = (plain(resource.properties.values, unknown) ?? {}) as Values;
        const data = version === undefined ? undefined : readChartData(chartsDir, chart, version);
        if (data === undefined) {
            lines.push(
                `    values: not judged: no chart data at ${path.join(chartsDir, chart, version ?? "<version>")}`,
            );
            continue;
        }
        judged++;
        const found = judgeChartValues(data, values);
        problems += found.length;
        const against = data.schema ? "values.yaml and values.schema.json" : "values.yaml (the chart has no schema)";
        const unknownNote =
            unknown.count > 0 ? `; ${unknown.count} unknown until the update, judged as the defaults` : "";
        if (found.length === 0) {
            lines.push(`    values: judged against the chart's ${against}: no problem${unknownNote}`);
        } else {
            lines.push(`    values: judged against the chart's ${against}: ${found.length} problem(s)${unknownNote}`);
            for (const problem of found) lines.push(`      [chart values] ${problem}`);
        }
    }
    const parts: string[] = [];
    if (charts > 0) parts.push(`the objects of ${charts} Helm chart${charts === 1 ? "" : "s"}`);
    if (otherRemote > 0)
        parts.push(`the children of ${otherRemote} other remote component${otherRemote === 1 ? "" : "s"}`);
    const summary =
        parts.length === 0
            ? "; everything registered was judged"
            : `; not judged offline: ${parts.join(" and ")}; chart values: ${judged} of ${charts} judged, ${problems} problem${problems === 1 ? "" : "s"}`;
    return {
        lines: lines.length === 0 ? [] : ["Not judged offline (judged only in a real pulumi preview):", ...lines],
        summary,
        problems,
    };
}
