/**
 * The engine's two servers a component provider talks to, on 127.0.0.1: the Engine service (Log, the root
 * resource) and the ResourceMonitor a Construct call names in `monitorEndpoint`. The monitor answers as the
 * engine does for a fresh stack: every resource is created, a custom resource's outputs are its inputs plus
 * the attributes its provider computes (ids and ARNs), which are unknown in a preview.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";

// gRPC and protobuf from @pulumi/pulumi's own dependency tree: the generated code checks message classes with
// instanceof, so they must be the very modules it loaded.
export const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
export const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const { EngineService } = fromPulumi("./proto/engine_grpc_pb") as typeof engineGrpc;
const engineMessages = fromPulumi("./proto/engine_pb") as typeof enginePb;
const { ResourceMonitorService } = fromPulumi("./proto/resource_grpc_pb") as typeof resourceGrpc;
const resourceMessages = fromPulumi("./proto/resource_pb") as typeof resourcePb;
export const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyPbTypes;
export const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structPbTypes;

/** The wire's special values (sdk/go/common/resource/sig). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** A wire value with secrets and output values unwrapped, resource references as their URN, unknowns kept. */
export function plainOf(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plainOf);
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    switch (object[SIG_KEY]) {
        case SECRET_SIG:
            return plainOf(object.value);
        case RESOURCE_SIG:
            return object.urn;
        case OUTPUT_SIG:
            return "value" in object ? plainOf(object.value) : UNKNOWN;
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plainOf(v)]));
}

/** A resource the program registered. */
export interface Registered {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly custom: boolean;
    readonly remote: boolean;
    /** Its inputs, as plain values (unknowns as UNKNOWN). */
    readonly inputs: Record<string, unknown>;
    readonly dependencies: readonly string[];
}

export interface EngineLog {
    readonly severity: "debug" | "info" | "warning" | "error";
    readonly message: string;
    readonly urn: string;
}

const SEVERITIES = ["debug", "info", "warning", "error"] as const;

const SUPPORTED_FEATURES = [
    "secrets",
    "resourceReferences",
    "outputValues",
    "deletedWith",
    "aliasSpecs",
    "transforms",
    "invokeTransforms",
    "parameterization",
    "resourceHooks",
];

/** `resourceReferences` as the ResourceMonitorFeature enum names it: RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES. */
function featureEnum(id: string): resourcePb.ResourceMonitorFeature {
    const name = `RESOURCE_MONITOR_FEATURE_${id.replace(/([A-Z])/g, "_$1").toUpperCase()}`;
    const value = (resourceMessages.ResourceMonitorFeature as unknown as Record<string, number | undefined>)[name];
    if (value === undefined) throw new Error(`no ResourceMonitorFeature ${name}`);
    return value as resourcePb.ResourceMonitorFeature;
}

/** What a stack's URN is made of. */
export interface StackName {
    readonly project: string;
    readonly stack: string;
}

export function stackUrn({ project, stack }: StackName): string {
    return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

function qualifiedType(urn: string): string {
    return urn.split("::")[2];
}

/** The attributes a provider computes for a new resource of `type`: what the components read back. */
function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const account =
        /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(JSON.stringify(inputs))?.[1] ?? "123456789012";
    const region = "eu-west-1";
    const named = (inputs.name as string | undefined) ?? `${name}-0000001`;
    switch (type) {
        case "aws:kms/key:Key":
            return { keyId: `${name}-key-id`, arn: `arn:aws:kms:${region}:${account}:key/${name}-key-id` };
        case "aws:kms/alias:Alias":
            return { arn: `arn:aws:kms:${region}:${account}:${named}` };
        case "aws:iam/role:Role":
            return { name: named, arn: `arn:aws:iam::${account}:role/${named}` };
        case "aws:iam/policy:Policy":
            return { name: named, arn: `arn:aws:iam::${account}:policy/${named}` };
        case "aws:secretsmanager/secret:Secret":
            return { arn: `arn:aws:secretsmanager:${region}:${account}:secret:${named}-AbCdEf` };
        default:
            return {};
    }
}

/** A fake engine: the Engine and ResourceMonitor services on two loopback ports. */
export class FakeEngine {
    readonly registered: Registered[] = [];
    readonly outputs = new Map<string, Record<string, unknown>>();
    readonly logs: EngineLog[] = [];
    readonly features: string[] = [];
    /** Monitor and engine methods called that this fake does not answer (a gap in the fake, or a new SDK need). */
    readonly unanswered: string[] = [];
    engineAddress = "";
    monitorAddress = "";
    /** Whether the current deployment is a preview: computed attributes are then unknown. */
    dryRun = false;
    private readonly servers: grpcTypes.Server[] = [];

    constructor(readonly stackName: StackName) {}

    async start(): Promise<this> {
        const engine = new grpc.Server();
        engine.addService(EngineService, {
            log: (call: any, callback: any) => {
                const req = call.request as enginePb.LogRequest;
                this.logs.push({
                    severity: SEVERITIES[req.getSeverity()] ?? "error",
                    message: req.getMessage(),
                    urn: req.getUrn(),
                });
                callback(null, new Empty());
            },
            getRootResource: (_call: any, callback: any) => {
                const resp = new engineMessages.GetRootResourceResponse();
                resp.setUrn(stackUrn(this.stackName));
                callback(null, resp);
            },
            setRootResource: (_call: any, callback: any) =>
                callback(null, new engineMessages.SetRootResourceResponse()),
            ...this.unimplemented(["startDebugging", "requirePulumiVersion"]),
        });
        const monitor = new grpc.Server();
        monitor.addService(ResourceMonitorService, {
            supportsFeature: (call: any, callback: any) => {
                const id = (call.request as resourcePb.SupportsFeatureRequest).getId();
                this.features.push(id);
                const resp = new resourceMessages.SupportsFeatureResponse();
                // What a current engine supports; anything else the SDK asks about it does without. (cert-manager's
                // chart passes `transforms`, which the SDK refuses to send to an engine without them.)
                resp.setHassupport(SUPPORTED_FEATURES.includes(id));
                callback(null, resp);
            },
            registerResource: (call: any, callback: any) => {
                try {
                    callback(null, this.register(call.request as resourcePb.RegisterResourceRequest));
                } catch (err) {
                    callback({ code: grpc.status.INTERNAL, details: String(err) }, null);
                }
            },
            registerResourceOutputs: (call: any, callback: any) => {
                const req = call.request as resourcePb.RegisterResourceOutputsRequest;
                this.outputs.set(req.getUrn(), plainOf(req.getOutputs()?.toJavaScript() ?? {}) as any);
                callback(null, new Empty());
            },
            // A current engine advertises its features here at once; SupportsFeature is the older probe.
            getDeploymentInfo: (_call: any, callback: any) => {
                const resp = new resourceMessages.DeploymentInfo();
                resp.setProject(this.stackName.project);
                resp.setStack(this.stackName.stack);
                resp.setDryrun(this.dryRun);
                resp.setSupportedfeaturesList(SUPPORTED_FEATURES.map(featureEnum));
                callback(null, resp);
            },
            signalAndWaitForShutdown: (_call: any, callback: any) => callback(null, new Empty()),
            ...this.unimplemented([
                "invoke",
                "call",
                "readResource",
                "existsResource",
                "registerStackTransform",
                "registerStackInvokeTransform",
                "registerResourceHook",
                "registerErrorHook",
                "registerPackage",
            ]),
        });
        this.engineAddress = await this.bind(engine);
        this.monitorAddress = await this.bind(monitor);
        return this;
    }

    /** Forgets what the last deployment registered. */
    reset(dryRun: boolean): void {
        this.dryRun = dryRun;
        this.registered.length = 0;
        this.outputs.clear();
        this.logs.length = 0;
        this.unanswered.length = 0;
    }

    async stop(): Promise<void> {
        for (const server of this.servers) {
            await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        }
    }

    private unimplemented(methods: string[]): Record<string, (call: unknown, callback: any) => void> {
        return Object.fromEntries(
            methods.map((method) => [
                method,
                (_call: unknown, callback: any) => {
                    this.unanswered.push(method);
                    callback({ code: grpc.status.UNIMPLEMENTED, details: `the fake engine does not answer ${method}` });
                },
            ]),
        );
    }

    private async bind(server: grpcTypes.Server): Promise<string> {
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        this.servers.push(server);
        return `127.0.0.1:${port}`;
    }

    private register(req: resourcePb.RegisterResourceRequest): resourcePb.RegisterResourceResponse {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || stackUrn(this.stackName);
        const parentType = qualifiedType(parent);
        const chain = parentType === "pulumi:pulumi:Stack" ? type : `${parentType}$${type}`;
        const urn = `urn:pulumi:${this.stackName.stack}::${this.stackName.project}::${chain}::${name}`;
        const inputs = plainOf(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        this.registered.push({
            urn,
            type,
            name,
            parent,
            custom: req.getCustom(),
            remote: req.getRemote(),
            inputs,
            dependencies: req.getDependenciesList(),
        });
        const resp = new resourceMessages.RegisterResourceResponse();
        resp.setUrn(urn);
        if (req.getCustom()) {
            // In a preview a new resource has no id yet and its computed attributes are unknown: left out.
            if (!this.dryRun) resp.setId(`${name}-id`);
            const state = this.dryRun ? {} : computed(type, name, inputs);
            resp.setObject(Struct.fromJavaScript({ ...(req.getObject()?.toJavaScript() ?? {}), ...state } as any));
        } else {
            resp.setObject(Struct.fromJavaScript({}));
        }
        return resp;
    }
}
