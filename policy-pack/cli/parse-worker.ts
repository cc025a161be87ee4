/** A parsing thread of readInputsInParallel (inputs.ts): reads and parses the batches of files it is sent. */
import { parentPort } from "node:worker_threads";
import { ParseBatch, ParsedBatch, readInputs } from "./inputs";

const port = parentPort;
if (!port) throw new Error("parse-worker.js runs as a worker thread of k8s-baseline check");

port.on("message", (batch: ParseBatch) => {
    const { resources, errors, notices } = readInputs(batch.files);
    port.postMessage({ id: batch.id, resources, errors, notices } satisfies ParsedBatch);
});
