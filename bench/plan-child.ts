/**
 * One plan measurement in a fresh process: `node plan-child.js platform <apps> [dump.json]` runs the platform
 * program of the prod stack with <apps> apps under the plan's mocks; `node plan-child.js floor <count>`
 * registers <count> plain custom resources under the same mocks; `node plan-child.js replay <dump.json>`
 * registers a platform run's dump again with the SDK classes and no component logic (./replay). Prints one
 * JSON line: the program's wall
 * time (construction until every registration is answered, module loading excluded), the resources
 * registered, and the process's peak RSS.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { EngineResource } from "../policy-pack/harness/resources";

const STACK = "prod";

async function settle(outputs: readonly unknown[]): Promise<void> {
    await Promise.all(outputs.map((o) => (o as { promise(): Promise<unknown> }).promise()));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

async function main(argv: readonly string[]): Promise<void> {
    const [mode, countText, dump] = argv;
    const count = Number(countText);
    if (mode === "replay" && dump) throw new Error("replay writes no dump");
    const pulumi = await import("@pulumi/pulumi");
    const { installPlanMocks } = await import("../policy-pack/harness/mocks");
    const { recordRegistrations, engineResources } = await import("../policy-pack/harness/resources");
    const { stackValues } = await import("../policy-pack/harness/stack-config");
    const values = stackValues(STACK);
    const project = "k8s-baseline";
    installPlanMocks({ project, stack: STACK, accountId: String(values.accountId), region: String(values.region) });
    const recorder = recordRegistrations();
    let run: () => unknown[];
    if (mode === "platform") {
        const { platformProgram } = await import("../stacks/program");
        const { parseStackConfig } = await import("../stacks/config");
        const { valuesWithApps } = await import("./apps");
        const args = parseStackConfig(STACK, valuesWithApps(STACK, count), (key) => pulumi.secret(`<secret ${key}>`));
        run = () => Object.values(platformProgram(args));
    } else if (mode === "floor") {
        class Plain extends pulumi.CustomResource {
            constructor(name: string, props: Record<string, unknown>) {
                super("test:index:Plain", name, props);
            }
        }
        run = () => {
            const outputs: unknown[] = [];
            for (let i = 0; i < count; i++) {
                const resource = new Plain(`plain-${i}`, {
                    name: `plain-${i}`,
                    labels: { app: `plain-${i}`, env: STACK },
                });
                outputs.push(resource.urn);
            }
            return outputs;
        };
    } else if (mode === "replay") {
        const { replay } = await import("./replay");
        const resources = JSON.parse(fs.readFileSync(countText, "utf8")) as EngineResource[];
        run = () => replay(resources);
    } else {
        throw new Error(`unknown mode ${mode}`);
    }
    const started = performance.now();
    await settle(run());
    const ms = performance.now() - started;
    const records = recorder.records();
    if (dump) fs.writeFileSync(dump, JSON.stringify(engineResources(records, { stack: STACK, project })));
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ ms, resources: records.length, peakRssMb })}\n`);
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(1);
    },
);
