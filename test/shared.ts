/**
 * Where the upstream reference data lives (../shared beside the repository), for the suites that read it.
 * They fail, loudly, when it is missing: a schema check that silently passes checks nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SHARED_DIR } from "../policy-pack/harness/paths";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export { SHARED_DIR };

/** The absolute path of `relative` inside ../shared; throws naming what is missing and how to provide it. */
export function sharedPath(...relative: string[]): string {
    const full = path.join(SHARED_DIR, ...relative);
    if (!fs.existsSync(full)) {
        throw new Error(
            `${full} is missing: the suites that validate against upstream schemas and fixtures need the shared ` +
                `reference data beside the repository (../shared), or K8S_BASELINE_SHARED pointing at it`,
        );
    }
    return full;
}
