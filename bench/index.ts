/**
 * `npm run bench`: what the policy pack costs, as ratios to floors measured in the same run (the machine
 * is shared and noisy): each variant and its floor run interleaved, medians of several rounds. Prints a
 * table and writes bench/results.json.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
    AnalyzerResource,
    AnalyzerSession,
    configForEveryPolicy,
    reconcilePolicyConfig,
} from "../policy-pack/harness/analyzer-client";
import { PACK_DIR, REPO_ROOT } from "../policy-pack/harness/paths";
import { Pack, startPack } from "../policy-pack/harness/resources";
import { packSettings, stackConfigText } from "../policy-pack/harness/stack-config";
import { analyzeAll } from "./analyze-all";
import { deploymentsFile } from "./deployments";
import { createBenchPacks } from "./packs";
import { workload } from "./workload";

const STACK = "prod";
const PROJECT = "k8s-baseline";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 5);
const TS_ROUNDS = Number(process.env.BENCH_TS_ROUNDS ?? 3);
/** Rounds of Analyze and AnalyzeStack over 10,000 resources (about 40 s each, both packs). */
const ROUNDS_10K = Number(process.env.BENCH_ROUNDS_10K ?? 4);
/** Rounds of Analyze and AnalyzeStack over 1,000 resources (a few seconds each). */
const ROUNDS_1K = Number(process.env.BENCH_ROUNDS_1K ?? 7);
/** Analyze alternates between the pack and the floor every this many resources. */
const ANALYZE_SLICE = 500;
const PACK_FIRST = ["pack", "floor"] as const;
const FLOOR_FIRST = ["floor", "pack"] as const;
/** Runs of the 1,000-app plan (about 45 s each). */
const PLAN_1000_RUNS = Number(process.env.BENCH_PLAN_1000_RUNS ?? 1);
/** Requests in flight per pack during Analyze: small, as the engine analyzes step by step. */
const CONCURRENCY = 4;

/**
 * The goals the figures are judged by, each a ratio to a floor measured in the same run. Figures without a
 * goal are printed for information: the TypeScript pack's start-up over the compiled one (the CLI's
 * run-policy-pack registers ts-node for every pack, compiled or not), the plan over plain resources (the
 * SDK's cost of the real resource types lies between them).
 */
const GOALS = {
    /** The compiled pack starts as fast as the empty pack: at its floor. */
    startupOverEmptyPack: 1.04,
    /** Analyze of 10,000 resources over the empty pack. */
    analyze10000OverEmptyPack: 1.3,
    /** AnalyzeStack of 10,000 resources over 1,000: linear. */
    analyzeStackGrowth: 12,
    /** The plan of 100 apps over the same resources registered through their SDK classes with no components. */
    plan100OverTypedFloor: 1.2,
    /** The plan of 1,000 apps over 100: linear. */
    planGrowth: 12,
    /** `npm run plan -- prod` over the same program with the empty pack. */
    planEndToEndOverEmptyPack: 1.5,
    /** `check` of 10,000 small manifests over parsing them with js-yaml on one core. */
    check10000OverParse: 1.5,
    /** `check` of a 50 MB file of 20,000 Deployments over its own js-yaml parse. */
    checkLargeFileOverParse: 2,
    /** Peak RSS of `check` on that file. */
    checkLargeFilePeakRssMb: 600,
    /** `check` of 10,000 manifests over 1,000: linear. */
    checkGrowth: 12,
} as const;

const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * The ratio a figure is judged by: the median of the per-round ratios, each round's variant over the floor
 * run right beside it, so that a slow spell of the shared machine weighs on both sides of a ratio at once.
 */
function pairedRatio(values: readonly number[], floors: readonly number[]): number {
    if (values.length !== floors.length) throw new Error("paired ratio: unequal rounds");
    return median(values.map((value, i) => value / floors[i]));
}

/** Runs `node <args>` to completion; resolves with its wall time and stdout. */
function runNode(
    args: readonly string[],
    options: { cwd?: string } = {},
): Promise<{ ms: number; stdout: string; code: number }> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, args, {
            cwd: options.cwd ?? REPO_ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.on("error", reject);
        child.on("exit", (code) => {
            const ms = performance.now() - started;
            if (code !== 0 && code !== 1) reject(new Error(`node ${args.join(" ")} exited ${code}:\n${stderr}`));
            else resolve({ ms, stdout, code: code ?? 0 });
        });
    });
}

interface PlanSample {
    ms: number;
    resources: number;
    peakRssMb: number;
}

async function planChild(
    mode: "platform" | "floor" | "replay",
    count: number | string,
    dump?: string,
): Promise<PlanSample> {
    const args = [path.join(__dirname, "plan-child.js"), mode, String(count)];
    if (dump) args.push(dump);
    const { stdout } = await runNode(args);
    return JSON.parse(stdout.trim().split("\n").pop()!) as PlanSample;
}

// ---------------------------------------------------------------------------------------------------------

/** Start-up of the uncompiled pack with ts-node's cache in `cacheDir`. */
async function typeScriptStartup(typeScriptDir: string, cacheDir: string): Promise<number> {
    const saved = process.env.TS_NODE_CACHE_DIRECTORY;
    process.env.TS_NODE_CACHE_DIRECTORY = cacheDir;
    try {
        const pack = await startPack({
            packDir: typeScriptDir,
            stack: { stack: STACK, project: PROJECT },
            startTimeoutMs: 180_000,
        });
        await pack.stop();
        return pack.process.startupMs;
    } finally {
        if (saved === undefined) delete process.env.TS_NODE_CACHE_DIRECTORY;
        else process.env.TS_NODE_CACHE_DIRECTORY = saved;
    }
}

async function benchStartup(emptyDir: string, typeScriptDir: string) {
    const compiled: number[] = [];
    const floor: number[] = [];
    const typeScript: number[] = [];
    let typeScriptError: string | undefined;
    let cacheDir: string | undefined;
    const cacheDirs: string[] = [];
    for (let round = 0; round < STARTUP_ROUNDS; round++) {
        const order = round % 2 ? [PACK_DIR, emptyDir] : [emptyDir, PACK_DIR];
        for (const packDir of order) {
            const pack = await startPack({ packDir, stack: { stack: STACK, project: PROJECT } });
            (packDir === PACK_DIR ? compiled : floor).push(pack.process.startupMs);
            await pack.stop();
        }
        if (round < TS_ROUNDS && !typeScriptError) {
            // ts-node caches what it compiled on disk: each run gets an empty cache folder, so it compiles
            // and type-checks as on a first preview; the last folder is reused once for the warm figure.
            cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-bench-ts-node-"));
            cacheDirs.push(cacheDir);
            try {
                typeScript.push(await typeScriptStartup(typeScriptDir, cacheDir));
            } catch (err) {
                typeScriptError = (err as Error).message;
            }
        }
        log(
            `  startup round ${round + 1}: compiled ${compiled.at(-1)!.toFixed(0)} ms, empty ${floor.at(-1)!.toFixed(0)} ms${typeScript.length > round ? `, TypeScript ${typeScript.at(-1)!.toFixed(0)} ms` : ""}`,
        );
    }
    let typeScriptWarmMs: number | null = null;
    if (cacheDir && !typeScriptError) typeScriptWarmMs = round2(await typeScriptStartup(typeScriptDir, cacheDir));
    for (const dir of cacheDirs) fs.rmSync(dir, { recursive: true, force: true });
    const compiledMs = median(compiled);
    const floorMs = median(floor);
    const typeScriptMs = typeScript.length ? median(typeScript) : null;
    return {
        compiledMs: round2(compiledMs),
        floorMs: round2(floorMs),
        typeScriptMs: typeScriptMs === null ? null : round2(typeScriptMs),
        overFloor: round2(pairedRatio(compiled, floor)),
        speedup: typeScriptMs === null ? null : round2(typeScriptMs / compiledMs),
        typeScriptWarmCacheMs: typeScriptWarmMs,
        ...(typeScriptError ? { typeScriptError } : {}),
        samples: { compiled, floor, typeScript },
    };
}

/** Configures a session as the plan does for the prod stack: its settings for every policy. */
async function configure(session: AnalyzerSession): Promise<void> {
    await session.configureStack({ stack: STACK, project: PROJECT, dryRun: true, config: stackConfigText(STACK) });
    const info = await session.getAnalyzerInfo();
    await session.configure(reconcilePolicyConfig(info, configForEveryPolicy(info, packSettings(STACK))));
}

async function analyzeStack(session: AnalyzerSession, resources: readonly AnalyzerResource[]): Promise<number> {
    const started = performance.now();
    await session.analyzeStack(resources, resources[0].urn);
    return performance.now() - started;
}

async function benchAnalyze(emptyDir: string, templates: AnalyzerResource[]) {
    const packs: Record<"pack" | "floor", Pack> = {
        pack: await startPack({ stack: { stack: STACK, project: PROJECT } }),
        floor: await startPack({ packDir: emptyDir, stack: { stack: STACK, project: PROJECT } }),
    };
    const analyze: Record<string, { ms: number; floorMs: number; ratio: number; diagnostics: number }> = {};
    const stackResults: Record<string, { ms: number; floorMs: number }> = {};
    try {
        await configure(packs.pack.session);
        await configure(packs.floor.session);
        // Warm-up: both servers' code paths compiled before anything is timed.
        const warm = workload(templates, 300, { stack: STACK, project: PROJECT });
        for (const pack of Object.values(packs)) await analyzeAll(pack.session, warm, CONCURRENCY);
        for (const size of [1000, 10000]) {
            const resources = workload(templates, size, { stack: STACK, project: PROJECT });
            const times = { pack: [] as number[], floor: [] as number[] };
            const stackTimes = { pack: [] as number[], floor: [] as number[] };
            let diagnostics = 0;
            for (let round = 0; round < (size === 10000 ? ROUNDS_10K : ROUNDS_1K); round++) {
                // The two packs take turns by slices of the set, so that both see the same spells of the machine.
                const total = { pack: 0, floor: 0 };
                diagnostics = 0;
                for (let from = 0, slice = 0; from < resources.length; from += ANALYZE_SLICE, slice++) {
                    const part = resources.slice(from, from + ANALYZE_SLICE);
                    for (const which of (round + slice) % 2 ? FLOOR_FIRST : PACK_FIRST) {
                        const result = await analyzeAll(packs[which].session, part, CONCURRENCY);
                        total[which] += result.ms;
                        if (which === "pack") diagnostics += result.diagnostics;
                    }
                }
                times.pack.push(total.pack);
                times.floor.push(total.floor);
                for (const which of round % 2 ? FLOOR_FIRST : PACK_FIRST) {
                    stackTimes[which].push(await analyzeStack(packs[which].session, resources));
                }
                log(
                    `  analyze ${size} round ${round + 1}: pack ${times.pack.at(-1)!.toFixed(0)} ms, floor ${times.floor.at(-1)!.toFixed(0)} ms; analyzeStack pack ${stackTimes.pack.at(-1)!.toFixed(0)} ms, floor ${stackTimes.floor.at(-1)!.toFixed(0)} ms`,
                );
            }
            analyze[size] = {
                ms: round2(median(times.pack)),
                floorMs: round2(median(times.floor)),
                ratio: round2(pairedRatio(times.pack, times.floor)),
                diagnostics,
            };
            stackResults[size] = { ms: round2(median(stackTimes.pack)), floorMs: round2(median(stackTimes.floor)) };
        }
    } finally {
        await packs.pack.stop();
        await packs.floor.stop();
    }
    return {
        analyze,
        analyzeStack: {
            1000: stackResults[1000],
            10000: stackResults[10000],
            growth: round2(stackResults[10000].ms / stackResults[1000].ms),
            // The same growth with the empty pack: what the protocol alone does with ten times the resources.
            floorGrowth: round2(stackResults[10000].floorMs / stackResults[1000].floorMs),
        },
    };
}

async function benchPlan(emptyDir: string, root: string) {
    const samples: Record<string, PlanSample[]> = {
        apps10: [],
        apps100: [],
        floor100: [],
        typedFloor100: [],
        apps1000: [],
    };
    // The 100-app run's resources, replayed with their SDK classes and no component logic: the typed floor.
    const dump100 = path.join(root, "plan-100-apps.json");
    for (let round = 0; round < ROUNDS; round++) {
        samples.apps10.push(await planChild("platform", 10));
        const apps100 = await planChild("platform", 100, round === 0 ? dump100 : undefined);
        samples.apps100.push(apps100);
        samples.floor100.push(await planChild("floor", apps100.resources));
        const typed = await planChild("replay", dump100);
        if (typed.resources !== apps100.resources) {
            throw new Error(
                `the typed floor registered ${typed.resources} resources, the program ${apps100.resources}`,
            );
        }
        samples.typedFloor100.push(typed);
        log(
            `  plan round ${round + 1}: 10 apps ${samples.apps10.at(-1)!.ms.toFixed(0)} ms, 100 apps ${apps100.ms.toFixed(0)} ms (${apps100.resources} resources), floor ${samples.floor100.at(-1)!.ms.toFixed(0)} ms, typed floor ${samples.typedFloor100.at(-1)!.ms.toFixed(0)} ms`,
        );
    }
    // 1,000 apps takes about 45 s a run: PLAN_1000_RUNS of them, each after a 100-app run of its own, so that
    // the growth is taken from the runs beside it.
    const beside100: PlanSample[] = [];
    for (let run = 0; run < PLAN_1000_RUNS; run++) {
        beside100.push(await planChild("platform", 100));
        const apps1000 = await planChild("platform", 1000);
        samples.apps1000.push(apps1000);
        log(
            `  plan 1000 apps run ${run + 1}: ${apps1000.ms.toFixed(0)} ms (${apps1000.resources} resources, ${apps1000.peakRssMb.toFixed(0)} MB), 100 apps beside it ${beside100.at(-1)!.ms.toFixed(0)} ms`,
        );
    }

    const prod: number[] = [];
    const prodFloor: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
        prod.push((await runNode([path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js"), STACK])).ms);
        prodFloor.push((await runNode([path.join(__dirname, "plan-floor.js"), STACK, emptyDir])).ms);
        log(
            `  plan ${STACK} end to end round ${round + 1}: ${prod.at(-1)!.toFixed(0)} ms, floor ${prodFloor.at(-1)!.toFixed(0)} ms`,
        );
    }
    const ms = (key: string) => median(samples[key].map((s) => s.ms));
    const paired = (key: string, floorKey: string) =>
        pairedRatio(
            samples[key].map((s) => s.ms),
            samples[floorKey].map((s) => s.ms),
        );
    return {
        apps10Ms: round2(ms("apps10")),
        apps100Ms: round2(ms("apps100")),
        apps1000Ms: round2(ms("apps1000")),
        floor100Ms: round2(ms("floor100")),
        overFloor100: round2(paired("apps100", "floor100")),
        typedFloor100Ms: round2(ms("typedFloor100")),
        overTypedFloor100: round2(paired("apps100", "typedFloor100")),
        typedFloorOverFloor100: round2(paired("typedFloor100", "floor100")),
        growth1000over100: round2(
            pairedRatio(
                samples.apps1000.map((s) => s.ms),
                beside100.map((s) => s.ms),
            ),
        ),
        resources: {
            apps10: samples.apps10[0].resources,
            apps100: samples.apps100[0].resources,
            apps1000: samples.apps1000[0].resources,
        },
        peakRssMb: round2(Math.max(...samples.apps1000.map((s) => s.peakRssMb))),
        peakRssMbByApps: {
            10: round2(median(samples.apps10.map((s) => s.peakRssMb))),
            100: round2(median(samples.apps100.map((s) => s.peakRssMb))),
            1000: round2(Math.max(...samples.apps1000.map((s) => s.peakRssMb))),
            floor100: round2(median(samples.floor100.map((s) => s.peakRssMb))),
        },
        prodEndToEndMs: round2(median(prod)),
        prodFloorMs: round2(median(prodFloor)),
        prodOverFloor: round2(pairedRatio(prod, prodFloor)),
    };
}

/** `count` PSA fixture manifests (the fixtures repeated) written to a fresh folder. */
function manifestFolder(root: string, fixtures: readonly string[], count: number): string {
    const dir = path.join(root, `manifests-${count}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < count; i++) {
        fs.writeFileSync(path.join(dir, `m${String(i).padStart(5, "0")}.yaml`), fixtures[i % fixtures.length]);
    }
    return dir;
}

function psaFixtures(): string[] {
    const root = path.join(
        process.env.K8S_BASELINE_SHARED ?? path.resolve(REPO_ROOT, "..", "shared"),
        "conformance",
        "psa",
    );
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".yaml")) files.push(fs.readFileSync(full, "utf8"));
        }
    };
    walk(root);
    return files;
}

interface CheckSample {
    ms: number;
    count: number;
    peakRssMb: number;
}

/** One side of a `check` round in a fresh process (./check-child): the js-yaml floor or the check itself. */
async function checkChild(mode: "floor" | "check", input: string, report: string): Promise<CheckSample> {
    const { stdout } = await runNode([path.join(__dirname, "check-child.js"), mode, report, input]);
    return JSON.parse(stdout.trim().split("\n").pop()!) as CheckSample;
}

/** The size the large input is judged by: about 50 MB of Deployments. */
const LARGE_DEPLOYMENTS = 20_000;

/**
 * `check` on 1,000 and 10,000 small manifests (the PSA fixtures repeated, one per file) and on one file of
 * 20,000 Deployments, each beside its floor: parsing the same files with js-yaml on one thread, in a fresh
 * process, measured first in each round. Ratios are paired per round (pairedRatio).
 */
async function benchCheck(root: string) {
    const fixtures = psaFixtures();
    const sizes = ["1000", "10000", "large"] as const;
    type Size = (typeof sizes)[number];
    const inputs: Record<Size, string> = {
        1000: manifestFolder(root, fixtures, 1000),
        10000: manifestFolder(root, fixtures, 10000),
        large: deploymentsFile(root, LARGE_DEPLOYMENTS),
    };
    const report = path.join(root, "check-report.json");
    const samples: Record<Size, { check: CheckSample[]; floor: CheckSample[] }> = {
        1000: { check: [], floor: [] },
        10000: { check: [], floor: [] },
        large: { check: [], floor: [] },
    };
    for (let round = 0; round < ROUNDS; round++) {
        for (const size of round % 2 ? [...sizes].reverse() : sizes) {
            const floor = await checkChild("floor", inputs[size], report);
            const check = await checkChild("check", inputs[size], report);
            if (floor.count !== check.count) {
                throw new Error(`check read ${check.count} resources where js-yaml parsed ${floor.count} documents`);
            }
            samples[size].floor.push(floor);
            samples[size].check.push(check);
        }
        log(
            `  check round ${round + 1}: ` +
                sizes
                    .map((size) => {
                        const { check, floor } = samples[size];
                        return `${size} ${check.at(-1)!.ms.toFixed(0)} ms (floor ${floor.at(-1)!.ms.toFixed(0)} ms, ${check.at(-1)!.peakRssMb.toFixed(0)} MB)`;
                    })
                    .join(", "),
        );
    }
    const entry = (size: Size) => {
        const { check, floor } = samples[size];
        const ms = median(check.map((sample) => sample.ms));
        return {
            ms: round2(ms),
            floorMs: round2(median(floor.map((sample) => sample.ms))),
            ratio: round2(
                pairedRatio(
                    check.map((sample) => sample.ms),
                    floor.map((sample) => sample.ms),
                ),
            ),
            resources: check[0].count,
            resourcesPerSecond: Math.round(check[0].count / (ms / 1000)),
            peakRssMb: round2(Math.max(...check.map((sample) => sample.peakRssMb))),
            floorPeakRssMb: round2(Math.max(...floor.map((sample) => sample.peakRssMb))),
        };
    };
    const large = entry("large");
    return {
        1000: entry("1000"),
        10000: entry("10000"),
        large: { ...large, megabytes: round2(fs.statSync(inputs.large).size / 1e6) },
        growth: round2(median(samples[10000].check.map((s) => s.ms)) / median(samples[1000].check.map((s) => s.ms))),
    };
}

// ---------------------------------------------------------------------------------------------------------

interface Row {
    figure: string;
    value: string;
    floor: string;
    ratio: string;
    goal: string;
    pass: string;
}

function table(rows: readonly Row[]): string {
    const header: Row = {
        figure: "figure",
        value: "value",
        floor: "floor",
        ratio: "ratio",
        goal: "goal",
        pass: "pass",
    };
    const all = [header, ...rows];
    const keys = Object.keys(header) as (keyof Row)[];
    const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
    const line = (r: Row) =>
        keys
            .map((k, i) => r[k].padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
    const started = performance.now();
    const packs = createBenchPacks();
    try {
        log(
            `bench: ${os.cpus().length} CPUs, ${ROUNDS} rounds (startup ${STARTUP_ROUNDS}, TypeScript ${TS_ROUNDS}), temp ${packs.root}`,
        );
        log("pack start-up");
        const packStartup = await benchStartup(packs.emptyDir, packs.typeScriptDir);

        log("templates: the prod platform program with 10 apps");
        const dump = path.join(packs.root, "templates.json");
        await planChild("platform", 10, dump);
        const templates = JSON.parse(fs.readFileSync(dump, "utf8")) as AnalyzerResource[];

        log("analyze");
        const { analyze, analyzeStack: stack } = await benchAnalyze(packs.emptyDir, templates);
        log("plan");
        const plan = await benchPlan(packs.emptyDir, packs.root);
        log("check");
        const check = await benchCheck(packs.root);

        const results = {
            packStartup,
            analyze,
            analyzeStack: stack,
            plan,
            check,
            meta: {
                cpus: os.cpus().length,
                node: process.version,
                rounds: ROUNDS,
                rounds1k: ROUNDS_1K,
                rounds10k: ROUNDS_10K,
                analyzeSlice: ANALYZE_SLICE,
                plan1000AppsRuns: PLAN_1000_RUNS,
                startupRounds: STARTUP_ROUNDS,
                typeScriptRounds: TS_ROUNDS,
                analyzeConcurrency: CONCURRENCY,
                totalSeconds: 0,
            },
        };
        const ms = (n: number | null) => (n === null ? "n/a" : `${n.toFixed(0)} ms`);
        const ratio = (n: number | null) => (n === null ? "n/a" : `${n.toFixed(2)}x`);
        const verdict = (ok: boolean | null) => (ok === null ? "not measured" : ok ? "PASS" : "FAIL");
        const info = "info";
        const rows: Row[] = [
            {
                figure: "pack start-up, compiled",
                value: ms(packStartup.compiledMs),
                floor: `${ms(packStartup.floorMs)} (empty pack)`,
                ratio: ratio(packStartup.overFloor),
                goal: `<= ${GOALS.startupOverEmptyPack}x`,
                pass: verdict(packStartup.overFloor <= GOALS.startupOverEmptyPack),
            },
            {
                figure: "pack start-up, TypeScript / compiled",
                value: ms(packStartup.typeScriptMs),
                floor: ms(packStartup.compiledMs),
                ratio: ratio(packStartup.speedup),
                goal: "-",
                pass: info,
            },
            {
                figure: "pack start-up, TypeScript, warm ts-node cache",
                value: ms(packStartup.typeScriptWarmCacheMs),
                floor: ms(packStartup.compiledMs),
                ratio: ratio(
                    packStartup.typeScriptWarmCacheMs === null
                        ? null
                        : packStartup.typeScriptWarmCacheMs / packStartup.compiledMs,
                ),
                goal: "-",
                pass: info,
            },
            ...[1000, 10000].map((size) => ({
                figure: `Analyze x ${size}`,
                value: ms(analyze[size].ms),
                floor: `${ms(analyze[size].floorMs)} (empty pack)`,
                ratio: ratio(analyze[size].ratio),
                goal: size === 10000 ? `<= ${GOALS.analyze10000OverEmptyPack}x` : "-",
                pass: size === 10000 ? verdict(analyze[size].ratio <= GOALS.analyze10000OverEmptyPack) : info,
            })),
            ...[1000, 10000].map((size) => ({
                figure: `AnalyzeStack x ${size}`,
                value: ms(stack[size as 1000 | 10000].ms),
                floor: `${ms(stack[size as 1000 | 10000].floorMs)} (empty pack)`,
                ratio: ratio(stack[size as 1000 | 10000].ms / stack[size as 1000 | 10000].floorMs),
                goal: "-",
                pass: info,
            })),
            {
                figure: "AnalyzeStack growth 10k/1k (floor: the empty pack's)",
                value: ratio(stack.growth),
                floor: ratio(stack.floorGrowth),
                ratio: ratio(stack.growth),
                goal: `<= ${GOALS.analyzeStackGrowth}x`,
                pass: verdict(stack.growth <= GOALS.analyzeStackGrowth),
            },
            {
                figure: `plan 10 apps (${plan.resources.apps10} res.)`,
                value: ms(plan.apps10Ms),
                floor: "-",
                ratio: "-",
                goal: "-",
                pass: info,
            },
            {
                figure: `plan 100 apps (${plan.resources.apps100} res.) / typed floor (same resources, SDK classes)`,
                value: ms(plan.apps100Ms),
                floor: ms(plan.typedFloor100Ms),
                ratio: ratio(plan.overTypedFloor100),
                goal: `<= ${GOALS.plan100OverTypedFloor}x`,
                pass: verdict(plan.overTypedFloor100 <= GOALS.plan100OverTypedFloor),
            },
            {
                figure: "plan 100 apps / plain floor (as many plain resources)",
                value: ms(plan.apps100Ms),
                floor: ms(plan.floor100Ms),
                ratio: ratio(plan.overFloor100),
                goal: "-",
                pass: info,
            },
            {
                figure: "plan typed floor / plain floor (the SDK's cost of these resources)",
                value: ms(plan.typedFloor100Ms),
                floor: ms(plan.floor100Ms),
                ratio: ratio(plan.typedFloorOverFloor100),
                goal: "-",
                pass: info,
            },
            {
                figure: `plan 1000 apps (${plan.resources.apps1000} res.)`,
                value: ms(plan.apps1000Ms),
                floor: "-",
                ratio: ratio(plan.growth1000over100),
                goal: `1000/100 <= ${GOALS.planGrowth}x`,
                pass: verdict(plan.growth1000over100 <= GOALS.planGrowth),
            },
            {
                figure: "plan 1000 apps peak RSS",
                value: `${plan.peakRssMb.toFixed(0)} MB`,
                floor: "-",
                ratio: "-",
                goal: "-",
                pass: info,
            },
            {
                figure: `plan ${STACK} end to end`,
                value: ms(plan.prodEndToEndMs),
                floor: `${ms(plan.prodFloorMs)} (same program, empty pack)`,
                ratio: ratio(plan.prodOverFloor),
                goal: `<= ${GOALS.planEndToEndOverEmptyPack}x`,
                pass: verdict(plan.prodOverFloor <= GOALS.planEndToEndOverEmptyPack),
            },
            ...[1000, 10000].map((size) => {
                const figure = check[size as 1000 | 10000];
                return {
                    figure: `check ${size} manifests`,
                    value: `${ms(figure.ms)} (${figure.resourcesPerSecond}/s)`,
                    floor: ms(figure.floorMs),
                    ratio: ratio(figure.ratio),
                    goal: size === 10000 ? `<= ${GOALS.check10000OverParse}x` : "-",
                    pass: size === 10000 ? verdict(figure.ratio <= GOALS.check10000OverParse) : "-",
                };
            }),
            {
                figure: `check ${check.large.megabytes.toFixed(0)} MB, ${check.large.resources} Deployments`,
                value: ms(check.large.ms),
                floor: ms(check.large.floorMs),
                ratio: ratio(check.large.ratio),
                goal: `<= ${GOALS.checkLargeFileOverParse}x`,
                pass: verdict(check.large.ratio <= GOALS.checkLargeFileOverParse),
            },
            {
                figure: "check large file peak RSS",
                value: `${check.large.peakRssMb.toFixed(0)} MB`,
                floor: `${check.large.floorPeakRssMb.toFixed(0)} MB`,
                ratio: "-",
                goal: `< ${GOALS.checkLargeFilePeakRssMb} MB`,
                pass: verdict(check.large.peakRssMb < GOALS.checkLargeFilePeakRssMb),
            },
            {
                figure: "check growth 10k/1k",
                value: ratio(check.growth),
                floor: "-",
                ratio: ratio(check.growth),
                goal: `<= ${GOALS.checkGrowth}x`,
                pass: verdict(check.growth <= GOALS.checkGrowth),
            },
        ];
        // The table in the results too: each figure with its floor, goal and verdict, as printed.
        Object.assign(results, { goals: GOALS, table: rows });
        results.meta.totalSeconds = round2((performance.now() - started) / 1000);
        fs.writeFileSync(path.join(REPO_ROOT, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
        console.log(table(rows));
        console.log(`\nwritten bench/results.json (${results.meta.totalSeconds} s)`);
        return 0;
    } finally {
        packs.remove();
    }
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exit(1);
    },
);
