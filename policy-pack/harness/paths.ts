/** Where the repository's pieces are, from dist/policy-pack/harness; only node:path and node:fs, so cheap to load. */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The policy pack folder (PulumiPolicy.yaml, package.json). */
export const PACK_DIR = path.join(REPO_ROOT, "policy-pack");

export const STACKS_DIR = path.join(REPO_ROOT, "stacks");

/** The upstream reference data beside the repository (../shared), or where K8S_BASELINE_SHARED points. */
export const SHARED_DIR = process.env.K8S_BASELINE_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");

/** The stacks that have a Pulumi.<stack>.yaml (in `dir`, stacks/ by default). */
export function stackNames(dir: string = STACKS_DIR): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}
