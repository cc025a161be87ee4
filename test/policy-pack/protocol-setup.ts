/**
 * What the protocol suites share: the pack started once per suite and fed records as a preview feeds them,
 * `check --config` run on the same records and config, and the mandatory policy names each reached.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../policy-pack/cli";
import { Diagnostic, PolicyPackConfig } from "../../policy-pack/harness/analyzer-client";
import { analyzeRecords, Pack, ResourceRecord, startPack } from "../../policy-pack/harness/resources";
import { ALL_POLICIES } from "../../policy-pack/policies";

/** The names of the policies with a mandatory diagnostic, each once, sorted. */
export const mandatory = (diagnostics: readonly Diagnostic[]): string[] =>
    [...new Set(diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName))].sort();

/** A pack config giving every policy of the pack the same `block`. */
export function everyPolicy(block: Record<string, unknown>): PolicyPackConfig {
    return Object.fromEntries(ALL_POLICIES.map((policy) => [policy.name, block]));
}

/** The policies `check --config` reports mandatory violations of on `records`, each once, sorted. */
export async function checkMandatory(config: PolicyPackConfig, records: readonly ResourceRecord[]): Promise<string[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-protocol-"));
    try {
        const configFile = path.join(dir, "config.json");
        fs.writeFileSync(configFile, JSON.stringify(config));
        const resources = path.join(dir, "resources.json");
        fs.writeFileSync(
            resources,
            JSON.stringify(records.map((r) => ({ type: r.type, name: r.name, props: r.properties }))),
        );
        let stdout = "";
        await main(["check", "--format", "json", "--config", configFile, resources], {
            stdout: (text) => void (stdout += text),
            stderr: () => undefined,
        });
        const report = JSON.parse(stdout) as { results: { violations: { policy: string; level: string }[] }[] };
        const names = report.results.flatMap((r) =>
            r.violations.filter((v) => v.level === "mandatory").map((v) => v.policy),
        );
        return [...new Set(names)].sort();
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Analyzes records with a config, as a preview of `stack` does. */
export type PackRun = (
    records: readonly ResourceRecord[],
    config: PolicyPackConfig,
) => ReturnType<typeof analyzeRecords>;

/**
 * Called in a `describe` body: starts the pack before the suite's tests and stops it after them, and returns
 * the function that analyzes records as a preview of `stack` in project k8s-baseline does.
 */
export function usePack(stack: string): PackRun {
    let pack: Pack | undefined;
    before(async () => {
        pack = await startPack();
    });
    after(async () => {
        await pack?.stop();
    });
    return (records, config) => {
        if (!pack) throw new Error("the pack is not started: call usePack in a describe body");
        return analyzeRecords(pack.session, records, { stack, project: "k8s-baseline", config });
    };
}
