/**
 * Starts the policy pack the way the Pulumi CLI does for a Node.js pack: `node <@pulumi/pulumi>/cmd/
 * run-policy-pack <engine-address> .` in the pack's folder, with the CLI's environment, and reads the port of
 * its analyzer server from the first line of stdout. The CLI reads nothing else from stdout, so anything else
 * printed there while the pack loads is an error here.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PACK_DIR } from "./paths";

/** What the CLI knows about the stack when it starts a pack (`PolicyAnalyzerOptions`). */
export interface StackOptions {
    readonly stack: string;
    readonly project: string;
    readonly organization?: string;
    readonly dryRun?: boolean;
    /** The stack's config, `namespace:key` to its JSON-like value, passed as PULUMI_CONFIG. */
    readonly config?: Readonly<Record<string, unknown>>;
}

export interface SpawnOptions {
    /** The pack folder; PACK_DIR by default. */
    readonly packDir?: string;
    /** Passed to the pack's environment as the CLI does; omitted as for `pulumi policy publish`. */
    readonly stack?: StackOptions;
    /** How long the pack may take to print its port. */
    readonly startTimeoutMs?: number;
}

/** A running pack. */
export interface PackProcess {
    readonly pid: number;
    /** The analyzer server's address, `127.0.0.1:<port>`. */
    readonly address: string;
    readonly port: number;
    /** Milliseconds from spawn to the port line. */
    readonly startupMs: number;
    /** The address given as the engine's: a loopback listener that only counts who dials it. */
    readonly engineAddress: string;
    /** Connections made to the engine address so far. */
    engineConnections(): number;
    /** The first stdout line, exactly as printed. */
    readonly portLine: string;
    /** Whatever the pack printed to stdout after the port line. */
    stdoutAfterPort(): string;
    stderr(): string;
    /** Ends the pack (and the engine listener); resolves once the process has exited. */
    stop(): Promise<void>;
}

/** The `run-policy-pack` module of the @pulumi/pulumi the pack itself resolves, as the CLI's shim finds it. */
export function runPolicyPackPath(packDir: string = PACK_DIR): string {
    return path.dirname(require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] }));
}

/** The environment the CLI gives a Node.js pack (constructEnv): its own, plus the stack's options. */
export function packEnvironment(
    stack: StackOptions | undefined,
    base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base };
    // The CLI itself runs without these; inheriting them from a program under test would point the pack at it.
    delete env.PULUMI_NODEJS_ENGINE;
    delete env.PULUMI_NODEJS_MONITOR;
    if (!stack) return env;
    const set = (key: string, value: string | undefined) => {
        if (value !== undefined && value !== "") env[key] = value;
    };
    if (stack.config && Object.keys(stack.config).length > 0) set("PULUMI_CONFIG", JSON.stringify(stack.config));
    const dryRun = String(stack.dryRun ?? true);
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        set(`${prefix}ORGANIZATION`, stack.organization);
        set(`${prefix}PROJECT`, stack.project);
        set(`${prefix}STACK`, stack.stack);
        set(`${prefix}DRY_RUN`, dryRun);
    }
    return env;
}

/** A loopback listener standing in for the engine's address: nothing answers, every dial is counted. */
async function listenAsEngine(): Promise<{ address: string; connections: () => number; close: () => Promise<void> }> {
    let connections = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        connections++;
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
    });
    server.unref();
    const { port } = server.address() as net.AddressInfo;
    return {
        address: `127.0.0.1:${port}`,
        connections: () => connections,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}

function exited(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Spawns the pack and waits for its port. Rejects, with the pack's stderr, when it exits first, prints
 * anything but a port as its first stdout line, or takes longer than the timeout.
 */
export async function spawnPack(options: SpawnOptions = {}): Promise<PackProcess> {
    return (await launchPack(options)).ready;
}

/** A pack process started, its port not yet read. */
export interface LaunchedPack {
    /** The pack once it has printed its port; rejects as spawnPack does (the pack then stopped). */
    readonly ready: Promise<PackProcess>;
    /** Ends the pack whether or not it is ready. */
    stop(): Promise<void>;
}

/**
 * Spawns the pack and resolves as soon as the process is started, so that the caller can work while the
 * pack loads. The port is read as the caller's event loop gets to it: `ready`.
 */
export async function launchPack(options: SpawnOptions = {}): Promise<LaunchedPack> {
    const packDir = options.packDir ?? PACK_DIR;
    const engine = await listenAsEngine();
    const started = performance.now();
    const child = spawn(process.execPath, [runPolicyPackPath(packDir), engine.address, "."], {
        cwd: packDir,
        env: packEnvironment(options.stack),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => (stderr += chunk));

    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited(child);
        await engine.close();
    };

    // Handled here so that a pack failing while the caller is busy is no unhandled rejection; the caller
    // still sees the failure when it awaits `ready`.
    const ready = readPort();
    ready.catch(() => undefined);
    return { ready, stop };

    async function readPort(): Promise<PackProcess> {
        let portLine: string;
        let startupMs: number;
        try {
            portLine = await new Promise<string>((resolve, reject) => {
                const timer = setTimeout(
                    () =>
                        reject(
                            new Error(`the policy pack printed no port within ${options.startTimeoutMs ?? 30_000} ms`),
                        ),
                    options.startTimeoutMs ?? 30_000,
                );
                const onData = (chunk: string) => {
                    stdout += chunk;
                    const newline = stdout.indexOf("\n");
                    if (newline < 0) return;
                    clearTimeout(timer);
                    child.stdout!.off("data", onData);
                    child.off("exit", onExit);
                    startupMs = performance.now() - started;
                    resolve(stdout.slice(0, newline));
                };
                const onExit = (code: number | null, signal: string | null) => {
                    clearTimeout(timer);
                    reject(new Error(`the policy pack exited (${signal ?? `code ${code}`}) before printing its port`));
                };
                child.stdout!.on("data", onData);
                child.once("exit", onExit);
                child.once("error", (err) => {
                    clearTimeout(timer);
                    reject(err);
                });
            });
            if (!/^\d+$/.test(portLine)) {
                throw new Error(`the policy pack's first stdout line is not a port: ${JSON.stringify(portLine)}`);
            }
        } catch (err) {
            await stop();
            const detail = stderr.trim() ? `\n--- stderr ---\n${stderr.trim()}` : "";
            throw new Error(`${(err as Error).message}${detail}`, { cause: err });
        }
        let after = stdout.slice(stdout.indexOf("\n") + 1);
        child.stdout!.on("data", (chunk: string) => (after += chunk));
        const port = Number(portLine);
        return {
            pid: child.pid!,
            address: `127.0.0.1:${port}`,
            port,
            startupMs: startupMs!,
            engineAddress: engine.address,
            engineConnections: engine.connections,
            portLine,
            stdoutAfterPort: () => after,
            stderr: () => stderr,
            stop,
        };
    }
}
