/**
 * A parsing thread of readInputsInParallel (inputs.ts) and readAndJudgeInParallel (parallel.ts): reads and
 * parses the batches of files it is sent; started with JudgingOptions, it also judges them as the main
 * thread would (check.ts judgeEach), and says when it is ready for its first batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ALL_POLICIES } from "../policies";
import { judgeEach } from "./check";
import { ParseBatch, ParsedBatch, readInputs } from "./inputs";
import { judgingFor } from "./judging";
import { JudgingWorkerData } from "./parallel";

const port = parentPort;
if (!port) throw new Error("parse-worker.js runs as a worker thread of k8s-baseline check");

const options = (workerData as JudgingWorkerData | undefined)?.judging;
// The main thread built its own from the same options before starting this thread: the config is valid.
const judging = options === undefined ? undefined : judgingFor(options, ALL_POLICIES, true);

port.on("message", (batch: ParseBatch) => {
    const { resources, errors, notices } = readInputs(batch.files);
    const verdicts =
        judging === undefined
            ? undefined
            : judgeEach(resources, judging.toRun, judging.settings, judging.config.levels);
    port.postMessage({ id: batch.id, resources, errors, notices, verdicts } satisfies ParsedBatch);
});
if (judging !== undefined) port.postMessage("ready");
