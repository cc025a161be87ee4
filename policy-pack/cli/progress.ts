/**
 * The progress line of `k8s-baseline check` on standard error: shown once a run has taken a couple of
 * seconds, for people watching a terminal; never when standard error is not a terminal (a CI log, a pipe)
 * or with `--quiet`. It is rewritten in place and erased at the end, so that it leaves nothing in the output.
 */
import { performance } from "node:perf_hooks";

/** After this long a run shows its progress. */
export const PROGRESS_DELAY_MS = 2000;
/** The line is rewritten at most this often. */
export const PROGRESS_INTERVAL_MS = 250;

/** Whether a run shows a progress line: only to a terminal, and not with --quiet. */
export function showsProgress(options: { readonly stderrIsTTY: boolean; readonly quiet: boolean }): boolean {
    return options.stderrIsTTY && !options.quiet;
}

/** Return to the start of the line and erase it. */
const ERASE = "\r\x1b[K";

/** The progress line of one run. Sync code calls it as it goes: it checks the clock itself, no timer. */
export class Progress {
    private readonly started: number;
    private shownAt: number | undefined;

    constructor(
        private readonly write: (text: string) => void,
        private readonly now: () => number = () => performance.now(),
    ) {
        this.started = now();
    }

    /** Files read so far, of `total`, and the objects found in them. */
    reading(done: number, total: number, objects: number): void {
        this.show(() => `k8s-baseline check: read ${done}/${total} files, ${objects} objects`);
    }

    /** Objects judged so far, of `total`. */
    judging(done: number, total: number): void {
        this.show(() => `k8s-baseline check: judged ${done}/${total} objects`);
    }

    /** Erases the line, if one was shown. */
    end(): void {
        if (this.shownAt !== undefined) this.write(ERASE);
        this.shownAt = undefined;
    }

    private show(line: () => string): void {
        const now = this.now();
        if (now - this.started < PROGRESS_DELAY_MS) return;
        if (this.shownAt !== undefined && now - this.shownAt < PROGRESS_INTERVAL_MS) return;
        this.shownAt = now;
        this.write(`${ERASE}${line()}`);
    }
}
