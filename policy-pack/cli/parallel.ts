/**
 * Reading and judging many files on several threads: each batch of files is read, parsed and judged by the
 * resource policies where it is parsed (check.ts judgeEach), by this thread and by parsing threads
 * (parse-worker.ts) alike. Judging costs more than parsing, so a thread that judges what it parsed earns more
 * than copying the parsed resources back costs, even on 2 CPUs; the stack policies, which need every resource,
 * then run once in this thread (check.ts runCheck). Batches are put back in file order, so the outcome is
 * readInputs' and judgeEach's own, byte for byte.
 */
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { judgeEach, ResourceVerdict } from "./check";
import {
    BATCH_FILES,
    CheckedResource,
    ParseBatch,
    ParsedBatch,
    ReadInputs,
    readInputs,
    receivedResources,
} from "./inputs";
import { Judging, JudgingOptions } from "./judging";

/** Below this many files, starting a thread costs more than it saves. */
const PARALLEL_MIN_FILES = 4 * BATCH_FILES;
/**
 * Below this many CPUs, judge in this thread alone. One Node thread already keeps about one and a half CPUs
 * busy (the garbage collector's and the compiler's helper threads), and a judging thread starts cold (it loads
 * and compiles the policies first): on 2 CPUs, 10,000 small manifests took about 920 ms with a second thread
 * and 770 ms without.
 */
const PARALLEL_MIN_CPUS = 4;
const MAX_THREADS = 8;

/**
 * How many threads should read and judge `fileCount` files on a machine with `cpus` CPUs whose load average
 * over the last minute is `load`, this one included: 1 means this thread alone. A thread costs its start
 * (loading the policies) and the copy of its resources back, which only a CPU otherwise idle repays: on a
 * busy machine the threads would share the CPUs this one has and finish later than it alone.
 */
export function judgingThreads(
    fileCount: number,
    cpus: number = os.availableParallelism(),
    load: number = os.loadavg()[0],
): number {
    if (cpus < PARALLEL_MIN_CPUS || fileCount < PARALLEL_MIN_FILES) return 1;
    const idle = Math.floor(cpus - load);
    return Math.max(1, Math.min(cpus, MAX_THREADS, Math.ceil(fileCount / BATCH_FILES), idle + 1));
}

/** What a parsing thread is started with: the choices it builds its Judging from (judging.ts judgingFor). */
export interface JudgingWorkerData {
    readonly judging: JudgingOptions;
}

const WORKER = path.join(__dirname, "parse-worker.js");

/** What reading and judging gave: readInputs' result, and judgeEach's verdict of each of its resources. */
export interface ReadAndJudged {
    readonly read: ReadInputs;
    readonly verdicts: ResourceVerdict[];
}

/** A batch read and judged, by this thread or another. */
interface JudgedBatch {
    readonly id: number;
    readonly resources: CheckedResource[];
    readonly errors: string[];
    readonly notices: string[];
    readonly verdicts: ResourceVerdict[];
}

/** Lets the event loop run: a thread's finished batch is taken, and the thread given the next. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The files read and judged by this thread and `threads - 1` parsing threads, each taking the next batch
 * of `batchFiles` files until none is left. `judging` is what this thread judges with, built from `options`
 * as the parsing threads build theirs. `progress` is told after each batch how many files are done and how
 * many resources they held.
 */
export async function readAndJudgeInParallel(
    files: readonly string[],
    threads: number,
    judging: Judging,
    options: JudgingOptions,
    batchFiles: number = BATCH_FILES,
    progress?: (filesDone: number, objects: number) => void,
): Promise<ReadAndJudged> {
    const batches: string[][] = [];
    for (let start = 0; start < files.length; start += batchFiles) batches.push(files.slice(start, start + batchFiles));
    const parsed: JudgedBatch[] = new Array(batches.length);
    let next = 0;
    let stored = 0;
    let filesDone = 0;
    let objects = 0;
    let settle: { done: () => void; fail: (error: unknown) => void } | undefined;
    const finished = new Promise<void>((done, fail) => (settle = { done, fail }));
    let failed = false;
    const fail = (error: unknown): void => {
        failed = true;
        settle!.fail(error);
    };
    const store = (batch: JudgedBatch): void => {
        parsed[batch.id] = batch;
        stored++;
        filesDone += batches[batch.id].length;
        objects += batch.resources.length;
        progress?.(filesDone, objects);
        if (stored === batches.length) settle!.done();
    };
    const workers: Worker[] = [];
    let stopping = false;
    // A thread asks for its first batch once it has loaded the policies, and for the next with each result.
    const start = (): void => {
        const workerData: JudgingWorkerData = { judging: options };
        const worker = new Worker(WORKER, { workerData });
        workers.push(worker);
        const feed = (): void => {
            if (next >= batches.length || failed) return;
            const id = next++;
            worker.postMessage({ id, files: batches[id] } satisfies ParseBatch);
        };
        worker.on("message", (batch: ParsedBatch | "ready") => {
            if (batch !== "ready") store({ ...batch, resources: receivedResources(batch.resources) });
            feed();
        });
        worker.on("error", fail);
        worker.on("exit", (code) => {
            if (!stopping) fail(new Error(`a parsing thread exited early (exit code ${code})`));
        });
    };
    // This thread takes batches too, between which the event loop hands the others theirs.
    const here = async (): Promise<void> => {
        while (next < batches.length && !failed) {
            const id = next++;
            const read = readInputs(batches[id]);
            const verdicts = judgeEach(read.resources, judging.toRun, judging.settings, judging.config.levels);
            store({ id, ...read, verdicts });
            await turn();
        }
    };
    try {
        if (batches.length === 0) settle!.done();
        for (let count = Math.min(threads - 1, batches.length - 1); count > 0; count--) start();
        await Promise.all([here(), finished]);
    } finally {
        stopping = true;
        await Promise.all(workers.map((worker) => worker.terminate()));
    }
    const resources: CheckedResource[] = [];
    const verdicts: ResourceVerdict[] = [];
    const errors: string[] = [];
    const notices: string[] = [];
    for (const batch of parsed) {
        for (const resource of batch.resources) resources.push(resource);
        for (const verdict of batch.verdicts) verdicts.push(verdict);
        errors.push(...batch.errors);
        notices.push(...batch.notices);
    }
    return { read: { resources, errors, notices }, verdicts };
}
