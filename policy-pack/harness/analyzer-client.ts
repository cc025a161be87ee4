/**
 * The CLI's side of the pulumirpc.Analyzer protocol, with the generated client: handshake, stack
 * configuration, analyzer info, policy configuration reconciled as the CLI reconciles a
 * `--policy-pack-config` file, then Analyze per resource and AnalyzeStack over all of them.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import Ajv from "ajv";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type { AnalyzerClient as AnalyzerClientType } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";

// gRPC and protobuf from @pulumi/pulumi's own dependency tree: the generated code checks message classes with
// instanceof, so they must be the very modules it loaded.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const { AnalyzerClient } = fromPulumi("./proto/analyzer_grpc_pb") as { AnalyzerClient: typeof AnalyzerClientType };
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyPbTypes;
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structPbTypes;

/** The CLI's limit on analyzer messages (rpcutil.GrpcChannelOptions): 400 MiB. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

const TO_WIRE_LEVEL: Record<EnforcementLevel, analyzerPb.EnforcementLevel> = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
};

/** The wire enum as a level name; throws on a value the CLI would reject too. */
export function levelOf(wire: analyzerPb.EnforcementLevel): EnforcementLevel {
    const level = LEVELS.find((l) => TO_WIRE_LEVEL[l] === wire);
    if (!level) throw new Error(`invalid enforcement level ${wire}`);
    return level;
}

const SEVERITIES: Record<number, string | undefined> = {
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/** A policy as GetAnalyzerInfo describes it. */
export interface PolicyDescription {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly policyType: "resource" | "stack" | "unspecified";
    readonly severity?: string;
    readonly remediationSteps: string;
    readonly url: string;
    /** JSON schema of the policy's config, `enforcementLevel` added as the CLI adds it; absent without config support. */
    readonly configSchema?: { properties: Record<string, any>; required: string[] };
}

/** One policy's reconciled config: what Configure sends. */
export interface PolicyConfig {
    readonly enforcementLevel: EnforcementLevel;
    readonly properties?: Record<string, unknown>;
}

export interface AnalyzerDescription {
    readonly name: string;
    readonly version: string;
    readonly supportsConfig: boolean;
    readonly policies: readonly PolicyDescription[];
    readonly initialConfig: Readonly<Record<string, Partial<PolicyConfig>>>;
}

/** A `--policy-pack-config` document: per policy (or `all`), a level or `{ enforcementLevel?, ...properties }`. */
export type PolicyPackConfig = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

/** A diagnostic as the CLI reports it. */
export interface Diagnostic {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: string;
    /**
     * The resource it is about, as the engine attributes it: for Analyze and Remediate the analyzed resource
     * (whatever URN the diagnostic names); for AnalyzeStack the diagnostic's URN when it is a resource of
     * the stack, else the root Stack's.
     */
    readonly urn: string;
    /** Which call reported it. */
    readonly phase: "remediate" | "analyze" | "analyzeStack";
}

/** What Remediate answered for one policy: new properties (wire encoding), or why it could not run. */
export interface Remediation {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly properties?: Record<string, unknown>;
    readonly diagnostic?: string;
}

/** The resource options an analyzer sees. */
export interface AnalyzerOptions {
    readonly protect?: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs?: readonly string[];
    readonly aliases?: readonly string[];
    readonly customTimeouts?: { create?: number; update?: number; delete?: number };
    readonly parent?: string;
}

/** A provider as an analyzer sees it. */
export interface AnalyzerProvider {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly properties: Record<string, unknown>;
}

/** A resource as the engine describes it to an analyzer; properties in Pulumi's wire encoding. */
export interface AnalyzerResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly properties: Record<string, unknown>;
    readonly options: AnalyzerOptions;
    readonly provider?: AnalyzerProvider;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

function parseLevel(value: unknown, where: string): EnforcementLevel {
    if (typeof value !== "string" || !LEVELS.includes(value as EnforcementLevel)) {
        throw new Error(
            `parsing enforcement level for "${where}": ${JSON.stringify(value)} is not a valid enforcement level`,
        );
    }
    return value as EnforcementLevel;
}

/** Parses a config document as the CLI parses the file: levels validated, `enforcementLevel` split off. */
export function parsePolicyPackConfig(config: PolicyPackConfig): Record<string, Partial<PolicyConfig>> {
    const result: Record<string, Partial<PolicyConfig>> = {};
    for (const [name, value] of Object.entries(config)) {
        let enforcementLevel: EnforcementLevel | undefined;
        let properties: Record<string, unknown> | undefined;
        if (typeof value === "string") {
            enforcementLevel = parseLevel(value, name);
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel: level, ...rest } = value as Record<string, unknown>;
            if (level !== undefined) enforcementLevel = parseLevel(level, name);
            if (Object.keys(rest).length > 0) properties = rest;
        } else {
            throw new Error(
                `parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
            );
        }
        if (enforcementLevel === undefined && properties === undefined) continue;
        result[name] = { enforcementLevel, properties };
    }
    return result;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** A validator per distinct schema: every policy of this pack shares one. */
function validatorFor(schema: object): ReturnType<typeof ajv.compile> {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) {
        validate = ajv.compile(schema);
        validators.set(key, validate);
    }
    return validate;
}

/**
 * The config Configure receives: every policy's level and schema defaults, then the pack's initial config,
 * then the given config, each policy's properties validated against its schema. Throws listing every
 * validation error, as the CLI refuses to run.
 *
 * Keys that name no policy are handled as the CLI's ReconcilePolicyPackConfig handles them
 * (pkg/resource/analyzer/config.go): `all` (in the initial config, as awsguard's, or in the given one) first
 * gives its level to every entry reconciled so far, then is kept as an entry of its own; any other such key
 * is kept too and validated against no schema. All of them reach Configure, so one without a level is
 * refused, as the CLI's Configure refuses it; the pack's SDK reads only its policies' entries.
 */
export function reconcilePolicyConfig(
    info: AnalyzerDescription,
    config: PolicyPackConfig = {},
): Record<string, PolicyConfig> {
    const result: Record<string, Partial<PolicyConfig>> = {};
    for (const policy of info.policies) {
        let properties: Record<string, unknown> | undefined;
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (schema !== null && typeof schema === "object" && "default" in schema) {
                properties = { ...properties, [key]: schema.default };
            }
        }
        result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
    }
    const apply = (given: Record<string, Partial<PolicyConfig>>) => {
        const all = given.all?.enforcementLevel;
        if (all) for (const name of Object.keys(result)) result[name] = { ...result[name], enforcementLevel: all };
        for (const [name, value] of Object.entries(given)) {
            const current = result[name] ?? {};
            result[name] = {
                enforcementLevel: value.enforcementLevel ?? current.enforcementLevel,
                properties:
                    value.properties && Object.keys(value.properties).length > 0
                        ? { ...current.properties, ...value.properties }
                        : current.properties,
            };
        }
    };
    apply(info.initialConfig);
    apply(parsePolicyPackConfig(config));

    const errors: string[] = [];
    for (const policy of info.policies) {
        if (!policy.configSchema) continue;
        const schema = {
            type: "object",
            properties: policy.configSchema.properties,
            required: policy.configSchema.required,
        };
        const validate = validatorFor(schema);
        if (!validate(result[policy.name]?.properties ?? {})) {
            for (const e of validate.errors ?? [])
                errors.push(`${policy.name}: ${e.instancePath || "(root)"} ${e.message}`);
        }
    }
    if (errors.length > 0) throw new Error(`invalid policy pack config:\n  ${errors.join("\n  ")}`);

    const reconciled: Record<string, PolicyConfig> = {};
    for (const [name, value] of Object.entries(result)) {
        if (value.enforcementLevel === undefined) throw new Error(`invalid enforcement level "" for policy ${name}`);
        reconciled[name] = { enforcementLevel: value.enforcementLevel, properties: value.properties };
    }
    return reconciled;
}

/** The same properties for every policy of the pack: how settings such as `env` reach all of them. */
export function configForEveryPolicy(
    info: AnalyzerDescription,
    properties: Readonly<Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
    return Object.fromEntries(info.policies.map((p) => [p.name, { ...properties }]));
}

function struct(value: Record<string, unknown> | undefined): structPbTypes.Struct {
    return Struct.fromJavaScript((value ?? {}) as Record<string, structPbTypes.JavaScriptValue>);
}

function wireOptions(options: AnalyzerOptions): analyzerPb.AnalyzerResourceOptions {
    const out = new analyzerPb.AnalyzerResourceOptions();
    out.setProtect(options.protect ?? false);
    out.setIgnorechangesList([...(options.ignoreChanges ?? [])]);
    out.setDeletebeforereplace(options.deleteBeforeReplace ?? false);
    out.setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined);
    out.setAdditionalsecretoutputsList([...(options.additionalSecretOutputs ?? [])]);
    out.setAliasesList([...(options.aliases ?? [])]);
    const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
    timeouts.setCreate(options.customTimeouts?.create ?? 0);
    timeouts.setUpdate(options.customTimeouts?.update ?? 0);
    timeouts.setDelete(options.customTimeouts?.delete ?? 0);
    out.setCustomtimeouts(timeouts);
    out.setParent(options.parent ?? "");
    return out;
}

function wireProvider(provider: AnalyzerProvider | undefined): analyzerPb.AnalyzerProviderResource | undefined {
    if (!provider) return undefined;
    const out = new analyzerPb.AnalyzerProviderResource();
    out.setUrn(provider.urn);
    out.setType(provider.type);
    out.setName(provider.name);
    out.setProperties(struct(provider.properties));
    return out;
}

function describePolicy(policy: analyzerPb.PolicyInfo, supportsConfig: boolean): PolicyDescription {
    const types: Record<number, PolicyDescription["policyType"]> = {
        [analyzerPb.PolicyType.POLICY_TYPE_RESOURCE]: "resource",
        [analyzerPb.PolicyType.POLICY_TYPE_STACK]: "stack",
    };
    let configSchema: PolicyDescription["configSchema"];
    if (supportsConfig) {
        const schema = policy.getConfigschema();
        configSchema = {
            properties: {
                ...((schema?.getProperties()?.toJavaScript() ?? {}) as Record<string, any>),
                enforcementLevel: { type: "string", enum: [...LEVELS] },
            },
            required: schema?.getRequiredList() ?? [],
        };
    }
    return {
        name: policy.getName(),
        description: policy.getDescription(),
        enforcementLevel: levelOf(policy.getEnforcementlevel()),
        policyType: types[policy.getPolicyType()] ?? "unspecified",
        severity: SEVERITIES[policy.getSeverity()],
        remediationSteps: policy.getRemediationSteps(),
        url: policy.getUrl(),
        configSchema,
    };
}

/** A connection to a running pack's analyzer server. */
export class AnalyzerSession {
    private readonly client: AnalyzerClientType;

    constructor(address: string) {
        this.client = new AnalyzerClient(address, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
            "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        });
    }

    private call<Req, Res>(method: string, request: Req): Promise<Res> {
        return new Promise((resolve, reject) => {
            const fn = (this.client as any)[method] as (
                r: Req,
                cb: (err: grpcTypes.ServiceError | null, res: Res) => void,
            ) => void;
            fn.call(this.client, request, (err, res) => (err ? reject(err) : resolve(res)));
        });
    }

    /**
     * Handshake, as the CLI opens every analyzer: a pack that does not implement it (@pulumi/policy does
     * not) answers UNIMPLEMENTED, and the CLI carries on. Returns whether the pack implemented it.
     */
    async handshake(engineAddress: string, packDir: string): Promise<boolean> {
        const request = new analyzerPb.AnalyzerHandshakeRequest();
        request.setEngineAddress(engineAddress);
        request.setRootDirectory(packDir);
        request.setProgramDirectory(packDir);
        try {
            await this.call("handshake", request);
            return true;
        } catch (err) {
            if ((err as grpcTypes.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
            throw err;
        }
    }

    /** ConfigureStack: the stack, project, organization, whether this is a preview, tags and stack config. */
    async configureStack(stack: {
        stack: string;
        project: string;
        organization?: string;
        dryRun: boolean;
        tags?: Readonly<Record<string, string>>;
        config?: Readonly<Record<string, string>>;
        configSecretKeys?: readonly string[];
    }): Promise<void> {
        const request = new analyzerPb.AnalyzerStackConfigureRequest();
        request.setStack(stack.stack);
        request.setProject(stack.project);
        request.setOrganization(stack.organization ?? "");
        request.setDryRun(stack.dryRun);
        for (const [key, value] of Object.entries(stack.tags ?? {})) request.getTagsMap().set(key, value);
        for (const [key, value] of Object.entries(stack.config ?? {})) request.getConfigMap().set(key, value);
        request.setConfigSecretKeysList([...(stack.configSecretKeys ?? [])]);
        await this.call("configureStack", request);
    }

    async getAnalyzerInfo(): Promise<AnalyzerDescription> {
        const info = await this.call<emptyPbTypes.Empty, analyzerPb.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        const initialConfig: Record<string, Partial<PolicyConfig>> = {};
        info.getInitialconfigMap().forEach((value, key) => {
            initialConfig[key] = {
                enforcementLevel: levelOf(value.getEnforcementlevel()),
                properties: value.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
            };
        });
        return {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            policies: info.getPoliciesList().map((p) => describePolicy(p, info.getSupportsconfig())),
            initialConfig,
        };
    }

    /** Configure with an already reconciled config; like the CLI, sends nothing when it is empty. */
    async configure(config: Readonly<Record<string, PolicyConfig>>): Promise<void> {
        if (Object.keys(config).length === 0) return;
        const request = new analyzerPb.ConfigureAnalyzerRequest();
        for (const [name, value] of Object.entries(config)) {
            const policyConfig = new analyzerPb.PolicyConfig();
            policyConfig.setEnforcementlevel(TO_WIRE_LEVEL[value.enforcementLevel]);
            policyConfig.setProperties(struct(value.properties));
            request.getPolicyconfigMap().set(name, policyConfig);
        }
        await this.call("configure", request);
    }

    /** Remediate: the engine's first pass over each resource, before Analyze. */
    async remediate(resource: AnalyzerResource): Promise<Remediation[]> {
        const response = await this.call<analyzerPb.AnalyzeRequest, analyzerPb.RemediateResponse>(
            "remediate",
            analyzeRequest(resource),
        );
        return response.getRemediationsList().map((r) => ({
            policyName: r.getPolicyname(),
            policyPackName: r.getPolicypackname(),
            policyPackVersion: r.getPolicypackversion(),
            description: r.getDescription(),
            properties: r.getProperties()?.toJavaScript() as Record<string, unknown> | undefined,
            diagnostic: r.getDiagnostic() || undefined,
        }));
    }

    async analyze(resource: AnalyzerResource): Promise<Diagnostic[]> {
        const response = await this.call<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(
            "analyze",
            analyzeRequest(resource),
        );
        return diagnosticsOf(response, "analyze", () => resource.urn);
    }

    /** AnalyzeStack; `rootUrn` is the Stack's URN, which stack-wide diagnostics are attributed to. */
    async analyzeStack(resources: readonly AnalyzerResource[], rootUrn: string): Promise<Diagnostic[]> {
        const request = new analyzerPb.AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((resource) => {
                const out = new analyzerPb.AnalyzerResource();
                out.setUrn(resource.urn);
                out.setType(resource.type);
                out.setName(resource.name);
                out.setProperties(struct(resource.properties));
                out.setOptions(wireOptions(resource.options));
                const provider = wireProvider(resource.provider);
                if (provider) out.setProvider(provider);
                out.setParent(resource.parent ?? "");
                out.setDependenciesList([...(resource.dependencies ?? [])]);
                for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
                    if (urns.length === 0) continue;
                    const deps = new analyzerPb.AnalyzerPropertyDependencies();
                    deps.setUrnsList([...urns]);
                    out.getPropertydependenciesMap().set(key, deps);
                }
                return out;
            }),
        );
        const response = await this.call<analyzerPb.AnalyzeStackRequest, analyzerPb.AnalyzeResponse>(
            "analyzeStack",
            request,
        );
        const urns = new Set(resources.map((r) => r.urn));
        return diagnosticsOf(response, "analyzeStack", (urn) => (urns.has(urn) ? urn : rootUrn));
    }

    close(): void {
        this.client.close();
    }
}

/** The AnalyzeRequest the engine sends for one resource. */
export function analyzeRequest(resource: AnalyzerResource): analyzerPb.AnalyzeRequest {
    const request = new analyzerPb.AnalyzeRequest();
    request.setUrn(resource.urn);
    request.setType(resource.type);
    request.setName(resource.name);
    request.setProperties(struct(resource.properties));
    request.setOptions(wireOptions(resource.options));
    const provider = wireProvider(resource.provider);
    if (provider) request.setProvider(provider);
    return request;
}

function diagnosticsOf(
    response: analyzerPb.AnalyzeResponse,
    phase: Diagnostic["phase"],
    attribute: (urn: string) => string,
): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: levelOf(d.getEnforcementlevel()),
        severity: SEVERITIES[d.getSeverity()],
        urn: attribute(d.getUrn()),
        phase,
    }));
}
