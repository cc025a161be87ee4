/**
 * One `check` measurement in a fresh process, so that both sides pay Node's start-up and nothing else is shared:
 *
 *   node check-child.js floor <report file> PATH    parses PATH's YAML files with js-yaml, on this one thread
 *   node check-child.js check <report file> PATH    runs `k8s-baseline check --env prod --format json PATH`
 *
 * A folder is read as `check` reads it (its .yaml files in name order). The check's report goes to <report
 * file>, as a CI job redirects it. Prints one JSON line: the wall time from before the modules are loaded to
 * the end of the parse or of the check (Node's own start-up, the same on both sides, left out), the documents
 * parsed (floor) or resources checked (check), and the process's peak RSS.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

function yamlFiles(given: string): string[] {
    if (!fs.statSync(given).isDirectory()) return [given];
    return fs
        .readdirSync(given)
        .filter((name) => /\.ya?ml$/i.test(name))
        .sort()
        .map((name) => path.join(given, name));
}

async function main(argv: readonly string[]): Promise<void> {
    const [mode, report, input] = argv;
    const started = performance.now();
    let count: number;
    let ms: number;
    if (mode === "floor") {
        const { loadAll } = await import("js-yaml");
        count = 0;
        for (const file of yamlFiles(input)) count += loadAll(fs.readFileSync(file, "utf8")).length;
        ms = performance.now() - started;
    } else if (mode === "check") {
        const { main: cli } = await import("../policy-pack/cli");
        const fd = fs.openSync(report, "w");
        const code = await cli(["check", "--env", "prod", "--format", "json", input], {
            stdout: (text) => fs.writeSync(fd, text),
            stderr: (text) => process.stderr.write(text),
        });
        fs.closeSync(fd);
        ms = performance.now() - started;
        if (code !== 0 && code !== 1) throw new Error(`check exited ${code}`);
        const { summary } = JSON.parse(fs.readFileSync(report, "utf8")) as { summary: { resources: number } };
        count = summary.resources;
    } else {
        throw new Error(`usage: check-child.js floor|check <report file> PATH, not ${argv.join(" ")}`);
    }
    console.log(JSON.stringify({ ms, count, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
});
