/**
 * Measures the plugin's start-up as the engine sees it: spawn to the port line, and the first GetSchema
 * (the analyzer type-checks the sources; the first Construct pays it too). Median of N runs:
 * `node dist/test/provider/measure-startup.js [runs]`.
 */
import { performance } from "node:perf_hooks";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { REPO_ROOT } from "../schema/infer-schema";
import { FakeEngine } from "./engine";
import { launchPlugin, providerMessages, unary } from "./plugin";
import { YAML_EXAMPLE_DIR } from "./yaml-program";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(runs: number): Promise<void> {
    const engine = await new FakeEngine({ project: "measure", stack: "dev" }).start();
    const toPort: number[] = [];
    const schema: number[] = [];
    try {
        for (let i = 0; i < runs; i++) {
            const plugin = await launchPlugin({
                pluginDir: REPO_ROOT,
                cwd: YAML_EXAMPLE_DIR,
                engineAddress: engine.engineAddress,
                timeoutMs: 120_000,
            });
            try {
                const request = new providerMessages.GetSchemaRequest();
                const started = performance.now();
                await unary<providerPb.GetSchemaRequest, providerPb.GetSchemaResponse>(
                    plugin.client,
                    "getSchema",
                    request,
                );
                toPort.push(plugin.startupMs);
                schema.push(performance.now() - started);
                console.log(
                    `run ${i + 1}: ${Math.round(plugin.startupMs)} ms to the port, GetSchema ${Math.round(schema[i])} ms`,
                );
            } finally {
                await plugin.stop();
            }
        }
    } finally {
        await engine.stop();
    }
    console.log(
        `median of ${runs}: ${Math.round(median(toPort))} ms to the port, first GetSchema ${Math.round(median(schema))} ms`,
    );
}

main(Number(process.argv[2] ?? 5)).catch((err) => {
    console.error(err);
    process.exit(1);
});
