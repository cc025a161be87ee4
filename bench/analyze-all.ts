/** Sends resources to an analyzer through a few concurrent workers, as the engine's step executor does. */
import { performance } from "node:perf_hooks";

/** What analyzeAll needs of an analyzer session. */
export interface Analyzes<R> {
    analyze(resource: R): Promise<readonly unknown[]>;
}

/**
 * Analyzes every resource with `concurrency` workers sharing one queue; returns the time taken and the number
 * of diagnostics. Each worker adds a response's count only once it has arrived: `total += (await x).length`
 * would read `total` before the await and write back a stale sum while other workers are adding theirs.
 */
export async function analyzeAll<R>(
    session: Analyzes<R>,
    resources: readonly R[],
    concurrency: number,
): Promise<{ ms: number; diagnostics: number }> {
    let next = 0;
    let diagnostics = 0;
    const started = performance.now();
    const worker = async () => {
        while (next < resources.length) {
            const resource = resources[next++];
            const found = await session.analyze(resource);
            diagnostics += found.length;
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { ms: performance.now() - started, diagnostics };
}
