/**
 * From what a program registers under Pulumi's mocks to what the engine shows an analyzer: each resource's
 * URN with its full parent type chain, the root Stack resource, default providers, wire-encoded properties,
 * parents and dependencies. Then the pack's verdict on them, through the protocol, in the CLI's order.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import {
    AnalyzerDescription,
    AnalyzerOptions,
    AnalyzerProvider,
    AnalyzerResource,
    AnalyzerSession,
    Diagnostic,
    PolicyConfig,
    PolicyPackConfig,
    reconcilePolicyConfig,
    Remediation,
} from "./analyzer-client";
import { PACK_DIR } from "./paths";
import { PackProcess, spawnPack, SpawnOptions } from "./spawn";
import { toAnalyzerWire } from "./wire";

/** A resource as a program registered it. */
export interface ResourceRecord {
    readonly type: string;
    readonly name: string;
    /** False for component resources. */
    readonly custom: boolean;
    /** A component a provider implements (a Helm v4 Chart): the engine, not the program, registers its children. */
    readonly remote?: boolean;
    /**
     * The URN the program's monitor answered with, whatever its stack and project: only links parents,
     * dependencies and provider references. Records without one cannot be referred to.
     */
    readonly urn?: string;
    /** The parent's monitor URN; none for a top-level resource, whose parent the engine makes the Stack. */
    readonly parent?: string;
    /** Inputs as the SDK serialized them: plain JSON, secrets and unknowns in the wire encoding. */
    readonly properties: Record<string, unknown>;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** An explicit provider reference, `<provider urn>::<id>`. */
    readonly provider?: string;
    /** The package version the SDK asked for: names the default provider. */
    readonly version?: string;
    readonly options?: Omit<AnalyzerOptions, "parent">;
    /** Where the program constructed it, as the SDK reports it (the frame that called the constructor). */
    readonly sourcePosition?: SourcePosition;
}

/** A position in the program's source: a `file://` URI, a 1-based line and column. */
export interface SourcePosition {
    readonly uri: string;
    readonly line: number;
    readonly column: number;
}

/** A resource as the engine knows it: what the analyzer sees, plus what the plan prints. */
export interface EngineResource extends AnalyzerResource {
    readonly custom: boolean;
    readonly remote?: boolean;
    /** Added by the engine, not registered by the program: the Stack and default providers. */
    readonly synthetic: boolean;
    /** Where the program constructed it, when the SDK said (never sent to the pack: the plan reports it). */
    readonly sourcePosition?: SourcePosition;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** A custom timeout as the SDK sends it (a Go duration: `5m`, `1h30m`) in seconds, as the engine reads it. */
function seconds(duration: string): number | undefined {
    if (!duration) return undefined;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g))
        total += Number(amount) * units[unit];
    return total;
}

function recordOf(req: resourcePb.RegisterResourceRequest, res: resourcePb.RegisterResourceResponse): ResourceRecord {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
    const timeouts = req.getCustomtimeouts();
    const aliases = [
        ...req.getAliasurnsList(),
        ...req
            .getAliasesList()
            .map((alias) => alias.getUrn())
            .filter((urn) => urn),
    ];
    const position = req.getSourceposition();
    return {
        ...(position && position.getUri() && position.getLine() > 0
            ? { sourcePosition: { uri: position.getUri(), line: position.getLine(), column: position.getColumn() } }
            : {}),
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        remote: req.getRemote() || undefined,
        urn: res.getUrn(),
        parent: req.getParent() || undefined,
        properties: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        provider: req.getProvider() || undefined,
        version: req.getVersion() || undefined,
        options: {
            protect: req.getProtect(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            aliases,
            customTimeouts: {
                create: seconds(timeouts?.getCreate() ?? ""),
                update: seconds(timeouts?.getUpdate() ?? ""),
                delete: seconds(timeouts?.getDelete() ?? ""),
            },
        },
    };
}

/** Records every registration a mock monitor answers, as the engine would receive it. */
export interface RegistrationRecorder {
    records(): ResourceRecord[];
    /** Forgets what was recorded, so a run sees only its own resources. */
    reset(): void;
}

type Callback = (err: unknown, res: resourcePb.RegisterResourceResponse) => void;
interface RegisteringMonitor {
    registerResource(req: resourcePb.RegisterResourceRequest, callback: Callback): void;
}

const recorders = new WeakMap<object, RegistrationRecorder>();

/**
 * Starts recording the registrations of the current (mock) monitor: the request the SDK sends and the URN
 * the monitor answers, without changing either. Once per monitor; later calls return the same recorder.
 * Reads (`Resource.get`) are not recorded; the programs checked here read nothing.
 */
export function recordRegistrations(
    monitor: RegisteringMonitor = pulumi.runtime.getMonitor() as unknown as RegisteringMonitor,
): RegistrationRecorder {
    const existing = recorders.get(monitor);
    if (existing) return existing;
    let records: ResourceRecord[] = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, res) => {
            if (!err && res) records.push(recordOf(req, res));
            callback(err, res);
        });
    const recorder: RegistrationRecorder = {
        records: () => [...records],
        reset: () => {
            records = [];
        },
    };
    recorders.set(monitor, recorder);
    return recorder;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function urnOf(stack: string, project: string, qualifiedType: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** The qualified type of a URN: its parent type chain and its own type, `$`-joined. */
export function qualifiedTypeOf(urn: string): string {
    return urn.split("::")[2];
}

/**
 * The resources the engine would show an analyzer for these registrations: the Stack first, then each
 * resource in registration order, a default provider (`pulumi:providers:<package>`, `default_<version>`)
 * before the first custom resource that uses it. URNs carry the full parent type chain, as the engine's do
 * (the Stack's type left out).
 */
export function engineResources(
    records: readonly ResourceRecord[],
    target: { stack: string; project: string },
): EngineResource[] {
    const { stack, project } = target;
    const rootName = `${project}-${stack}`;
    const root: EngineResource = {
        urn: urnOf(stack, project, ROOT_STACK_TYPE, rootName),
        type: ROOT_STACK_TYPE,
        name: rootName,
        properties: {},
        options: {},
        custom: false,
        synthetic: true,
    };
    const out: EngineResource[] = [root];
    const byMonitorUrn = new Map<string, EngineResource>();
    const providers = new Map<string, EngineResource>();
    const resolve = (urn: string) => byMonitorUrn.get(urn)?.urn ?? urn;

    const defaultProvider = (pkg: string, version: string | undefined): EngineResource => {
        const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
        const key = `${pkg}::${name}`;
        let provider = providers.get(key);
        if (!provider) {
            const type = `pulumi:providers:${pkg}`;
            provider = {
                urn: urnOf(stack, project, type, name),
                type,
                name,
                properties: version ? { version } : {},
                options: { parent: root.urn },
                parent: root.urn,
                custom: true,
                synthetic: true,
            };
            providers.set(key, provider);
            out.push(provider);
        }
        return provider;
    };

    for (const record of records) {
        const parent = record.parent === undefined ? root : byMonitorUrn.get(record.parent);
        if (!parent)
            throw new Error(`${record.type} ${record.name}: its parent ${record.parent} was not registered before it`);
        const qualifiedType = parent === root ? record.type : `${qualifiedTypeOf(parent.urn)}$${record.type}`;
        let provider: AnalyzerProvider | undefined;
        if (record.custom && !record.type.startsWith("pulumi:providers:")) {
            if (record.provider) {
                const providerUrn = record.provider.slice(0, record.provider.lastIndexOf("::"));
                const explicit = byMonitorUrn.get(providerUrn);
                if (!explicit) throw new Error(`${record.type} ${record.name}: unknown provider ${record.provider}`);
                provider = explicit;
            } else {
                provider = defaultProvider(record.type.split(":")[0], record.version);
            }
        }
        const resource: EngineResource = {
            urn: urnOf(stack, project, qualifiedType, record.name),
            type: record.type,
            name: record.name,
            properties: toAnalyzerWire(record.properties, resolve) as Record<string, unknown>,
            options: { ...record.options, parent: parent.urn },
            provider: provider && {
                urn: provider.urn,
                type: provider.type,
                name: provider.name,
                properties: provider.properties,
            },
            parent: parent.urn,
            dependencies: (record.dependencies ?? []).map(resolve),
            propertyDependencies: Object.fromEntries(
                Object.entries(record.propertyDependencies ?? {}).map(([key, urns]) => [key, urns.map(resolve)]),
            ),
            custom: record.custom,
            remote: record.remote,
            synthetic: false,
            ...(record.sourcePosition ? { sourcePosition: record.sourcePosition } : {}),
        };
        if (record.urn !== undefined) byMonitorUrn.set(record.urn, resource);
        out.push(resource);
    }
    return out;
}

/** A spawned pack with a client connected to it. */
export interface Pack {
    readonly process: PackProcess;
    readonly session: AnalyzerSession;
    /** Whether the pack answered Handshake (packs built on @pulumi/policy answer UNIMPLEMENTED). */
    readonly handshake: boolean;
    stop(): Promise<void>;
}

/** Spawns the pack and connects to it as the CLI does, handshake included. */
export async function startPack(options: SpawnOptions = {}): Promise<Pack> {
    return connectPack(await spawnPack(options), options.packDir);
}

/** Opens the analyzer session to a spawned pack and makes the CLI's handshake; stops the pack if that fails. */
export async function connectPack(process: PackProcess, packDir: string = PACK_DIR): Promise<Pack> {
    const session = new AnalyzerSession(process.address);
    let handshake: boolean;
    try {
        handshake = await session.handshake(process.engineAddress, packDir);
    } catch (err) {
        session.close();
        await process.stop();
        throw err;
    }
    return {
        process,
        session,
        handshake,
        stop: async () => {
            session.close();
            await process.stop();
        },
    };
}

/** One preview's worth of analysis. */
export interface PackRun {
    readonly stack: string;
    readonly project: string;
    readonly organization?: string;
    /** A preview; true unless told. */
    readonly dryRun?: boolean;
    readonly tags?: Readonly<Record<string, string>>;
    /** The stack's config as ConfigureStack carries it: `namespace:key` to text. */
    readonly stackConfig?: Readonly<Record<string, string>>;
    /** The pack config (`--policy-pack-config`), or a function of the pack's description that builds it. */
    readonly config?: PolicyPackConfig | ((info: AnalyzerDescription) => PolicyPackConfig);
}

export interface PackVerdict {
    readonly info: AnalyzerDescription;
    /** What Configure received. */
    readonly config: Readonly<Record<string, PolicyConfig>>;
    /** The resources as analyzed: remediated properties in place of registered ones. */
    readonly resources: readonly EngineResource[];
    readonly diagnostics: readonly Diagnostic[];
    readonly remediations: readonly { urn: string; remediation: Remediation }[];
}

/**
 * Runs registrations through a pack in the CLI's order: ConfigureStack (when the CLI starts the analyzer),
 * GetAnalyzerInfo, Configure with the reconciled config, then per resource Remediate and Analyze, and
 * AnalyzeStack over all of them (the Stack first, so stack-wide diagnostics land on it).
 */
export async function analyzeRecords(
    session: AnalyzerSession,
    records: readonly ResourceRecord[],
    run: PackRun,
): Promise<PackVerdict> {
    const resources = engineResources(records, run);
    await session.configureStack({
        stack: run.stack,
        project: run.project,
        organization: run.organization,
        dryRun: run.dryRun ?? true,
        tags: run.tags,
        config: run.stackConfig,
    });
    const info = await session.getAnalyzerInfo();
    const given = typeof run.config === "function" ? run.config(info) : run.config;
    const config = reconcilePolicyConfig(info, given ?? {});
    await session.configure(config);
    const diagnostics: Diagnostic[] = [];
    const remediations: { urn: string; remediation: Remediation }[] = [];
    const analyzed: EngineResource[] = [];
    for (let resource of resources) {
        // Remediations first, so that analysis sees the properties as they were remediated.
        for (const remediation of await session.remediate(resource)) {
            remediations.push({ urn: resource.urn, remediation });
            if (remediation.diagnostic) {
                diagnostics.push({
                    policyName: remediation.policyName,
                    policyPackName: remediation.policyPackName,
                    policyPackVersion: remediation.policyPackVersion,
                    description: remediation.description,
                    message: remediation.diagnostic,
                    enforcementLevel: "advisory",
                    urn: resource.urn,
                    phase: "remediate",
                });
            } else if (remediation.properties) {
                resource = { ...resource, properties: remediation.properties };
            }
        }
        analyzed.push(resource);
        diagnostics.push(...(await session.analyze(resource)));
    }
    diagnostics.push(...(await session.analyzeStack(analyzed, analyzed[0].urn)));
    return { info, config, resources: analyzed, diagnostics, remediations };
}
