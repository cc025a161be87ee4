/**
 * A judging thread of readAndJudgeInParallel (parallel.ts): started with JudgingOptions, it reads, parses and
 * judges the batches of files it is sent as the main thread would (check.ts judgeEach), and says when it is
 * ready for its first batch.
 */
// First: the modules loaded after it are compiled through the cache.
import "./compile-cache";
import { parentPort, workerData } from "node:worker_threads";
import { ALL_POLICIES } from "../policies";
import { judgeEach } from "./check";
import { ParseBatch, ParsedBatch, readInputs, sentResources } from "./inputs";
import { judgingFor } from "./judging";
import { JudgingWorkerData } from "./parallel";

const port = parentPort;
if (!port) throw new Error("parse-worker.js runs as a worker thread of k8s-baseline check");

const { judging: options } = workerData as JudgingWorkerData;
// The main thread built its own from the same options before starting this thread: the config is valid.
const judging = judgingFor(options, ALL_POLICIES, true);

port.on("message", (batch: ParseBatch) => {
    const { resources, errors, notices } = readInputs(batch.files);
    const verdicts = judgeEach(resources, judging.toRun, judging.settings, judging.config.levels);
    port.postMessage({
        id: batch.id,
        resources: sentResources(resources),
        errors,
        notices,
        verdicts,
    } satisfies ParsedBatch);
});
port.postMessage("ready");
