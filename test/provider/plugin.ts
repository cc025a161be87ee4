/**
 * Starts this package the way the engine starts a plugin whose PulumiPlugin.yaml says `runtime: nodejs`:
 * the Node.js language host's RunPlugin runs `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <args>` in
 * the consumer's working directory, where args are the engine's address (after `--logtostderr -v=N` and
 * `--tracing <endpoint>` when those are on), and reads the provider's port from the first line of stdout.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { fromPulumi, grpc } from "./engine";

const { ResourceProviderClient } = fromPulumi("./proto/provider_grpc_pb") as typeof providerGrpc;
export const providerMessages = fromPulumi("./proto/provider_pb") as typeof providerPb;

/** The run-plugin module the language host locates from the plugin's own directory. */
export function runPluginPath(pluginDir: string): string {
    return path.dirname(require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [pluginDir] }));
}

export interface PluginProcess {
    readonly client: providerGrpc.ResourceProviderClient;
    readonly port: number;
    /** Milliseconds from spawn to the port line. */
    readonly startupMs: number;
    stderr(): string;
    stop(): Promise<void>;
}

export interface LaunchOptions {
    readonly pluginDir: string;
    /** The consumer program's directory: the language host runs the plugin there. */
    readonly cwd: string;
    readonly engineAddress: string;
    /** Flags the engine puts before its address when logging to stderr is on. */
    readonly engineFlags?: readonly string[];
    readonly timeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function launchPlugin(options: LaunchOptions): Promise<PluginProcess> {
    const env = { ...process.env };
    // The engine gives the plugin no program endpoints; inherited ones would point it at a test's mocks.
    delete env.PULUMI_NODEJS_ENGINE;
    delete env.PULUMI_NODEJS_MONITOR;
    const started = performance.now();
    const child = spawn(
        process.execPath,
        [runPluginPath(options.pluginDir), options.pluginDir, ...(options.engineFlags ?? []), options.engineAddress],
        { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (stderr += chunk));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited(child);
    };
    // A checkout that was never built compiles the components with ts-node first: a minute on a loaded 2-core machine.
    const timeoutMs = options.timeoutMs ?? 80_000;
    let portLine: string;
    try {
        portLine = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no port within ${timeoutMs} ms`)), timeoutMs);
            child.stdout!.on("data", (chunk: string) => {
                stdout += chunk;
                const newline = stdout.indexOf("\n");
                if (newline >= 0) {
                    clearTimeout(timer);
                    resolve(stdout.slice(0, newline));
                }
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                reject(new Error(`the plugin exited (${signal ?? `code ${code}`}) before printing its port`));
            });
        });
        if (!/^\d+$/.test(portLine))
            throw new Error(`the first stdout line is not a port: ${JSON.stringify(portLine)}`);
    } catch (err) {
        await stop();
        throw new Error(`${(err as Error).message}\n--- stderr ---\n${stderr}`, { cause: err });
    }
    const startupMs = performance.now() - started;
    const port = Number(portLine);
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        client,
        port,
        startupMs,
        stderr: () => stderr,
        stop: async () => {
            client.close();
            await stop();
        },
    };
}

/** A unary call on the provider as a promise. */
export function unary<Req, Res>(
    client: providerGrpc.ResourceProviderClient,
    method: keyof providerGrpc.ResourceProviderClient,
    request: Req,
): Promise<Res> {
    return new Promise((resolve, reject) =>
        (client[method] as any).call(client, request, (err: Error | null, res: Res) =>
            err ? reject(err) : resolve(res),
        ),
    );
}
