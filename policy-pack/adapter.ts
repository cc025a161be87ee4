/**
 * Adapts the pack's policies to @pulumi/policy. Everything heavy stays out: policies match resources by type
 * token, never by importing a cloud SDK, and settings are parsed once per config.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type {
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    ReportViolation,
    StackValidationPolicy,
    PolicyResource as PulumiPolicyResource,
} from "@pulumi/policy";
import { podSecurityLevelOf, judgeAtVersion } from "./cli/pod-security";
import { complianceMetadata } from "./compliance/metadata";
import { exemptionFor, withoutExempt } from "./engine";
import { Policy, PolicyResource, PolicySettings, Reporter, ResourcePolicy, StackPolicy } from "./policies/types";
import { currentTypeOf, normalizedResource, UNKNOWN } from "./policies/resource";
import { SETTINGS_CONFIG_SCHEMA, SettingsConfig, settingsFrom } from "./settings";

// The SDK's own unknown sentinels and error: throwing its UnknownValueError is how a policy tells the engine
// "cannot run at preview", which the engine reports as advisory. Internal to @pulumi/policy, hence require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy = require("@pulumi/policy/proxy") as {
    getSpecialProxyTarget: string;
    UnknownValueError: new (sentinel: unknown, props: string[]) => Error;
    unknownStringValue: unknown;
};
const SENTINELS = new Set(
    [
        "unknownBooleanValue",
        "unknownNumberValue",
        "unknownStringValue",
        "unknownArrayValue",
        "unknownAssetValue",
        "unknownArchiveValue",
        "unknownObjectValue",
    ].map((key) => (sdkProxy as unknown as Record<string, unknown>)[key]),
);

/** The decoder @pulumi/policy calls, by module property, for every policy it runs on a request. */
interface SdkDeserialize {
    deserializeProperties(struct: object, proxySecrets: boolean): unknown;
}

/**
 * @pulumi/policy decodes a request's properties anew for every resource policy it runs on the request. A
 * request's properties Struct is one object for the request's lifetime, so this decodes each Struct once and
 * hands every policy the same value. Policies only read it: the plain copy they receive (plainProps) is
 * frozen. Returns false, leaving the SDK as it is, when the SDK no longer has the decoder this expects.
 */
export function decodeOncePerRequest(sdk: SdkDeserialize): boolean {
    const decode = sdk.deserializeProperties as SdkDeserialize["deserializeProperties"] & { shared?: true };
    if (typeof decode !== "function" || decode.length !== 2) return false;
    if (decode.shared) return true;
    const decoded = [new WeakMap<object, unknown>(), new WeakMap<object, unknown>()];
    const shared = (struct: object, proxySecrets: boolean): unknown => {
        const cache = decoded[proxySecrets ? 1 : 0];
        if (cache.has(struct)) return cache.get(struct);
        const value = decode(struct, proxySecrets);
        cache.set(struct, value);
        return value;
    };
    sdk.deserializeProperties = Object.assign(shared, { shared: true as const });
    return true;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const SDK_DECODES_ONCE = decodeOncePerRequest(require("@pulumi/policy/deserialize") as SdkDeserialize);

function plainValue(value: any): any {
    if (value !== null && typeof value === "object" && value[sdkProxy.getSpecialProxyTarget] !== undefined) {
        value = value[sdkProxy.getSpecialProxyTarget];
    }
    if (SENTINELS.has(value)) return UNKNOWN;
    if (Array.isArray(value)) return Object.freeze(value.map(plainValue));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(value)) out[key] = plainValue(child);
        return Object.freeze(out);
    }
    return value;
}

/** Plain copies by decoded object: every policy run on one request reads the same (frozen) copy. */
const plainByDecoded = new WeakMap<object, unknown>();

/**
 * The engine's inputs as plain, frozen data: the unknown-checking proxy removed, unknown sentinels as UNKNOWN.
 * Made once per decoded object, so once per request.
 */
export function plainProps(value: any): any {
    const target =
        value !== null && typeof value === "object" ? (value[sdkProxy.getSpecialProxyTarget] ?? value) : undefined;
    if (target === undefined || SENTINELS.has(target)) return plainValue(value);
    const cached = plainByDecoded.get(target);
    if (cached !== undefined) return cached;
    const plain = plainValue(target);
    plainByDecoded.set(target, plain);
    return plain;
}

/**
 * Reports violations to the engine; unknown inputs become one advisory "cannot check at preview": thrown as
 * the SDK's UnknownValueError, which the SDK reports under the policy it is running, or handed to `unknown`
 * when one SDK policy judges for several (dispatchedPolicies).
 */
class EngineReporter implements Reporter {
    private violations = 0;
    private readonly unknowns: string[] = [];

    constructor(
        private readonly report: (message: string, urn: string | undefined) => void,
        private readonly onUnknown?: (error: Error) => void,
    ) {}

    violation(message: string, options?: { urn?: string }): void {
        this.violations++;
        this.report(message, options?.urn);
    }

    unknown(path: string): void {
        this.unknowns.push(path);
    }

    /** After validation: when nothing was found but something could not be checked, say so as advisory. */
    finish(): void {
        if (this.violations === 0 && this.unknowns.length > 0) {
            const error = new sdkProxy.UnknownValueError(sdkProxy.unknownStringValue, [this.unknowns.join(", ")]);
            if (!this.onUnknown) throw error;
            this.onUnknown(error);
        }
    }
}

/** True when `a` and `b` have the same keys holding the same values (by identity). */
function shallowEqual(a: object, b: object): boolean {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key]);
}

/**
 * One policy's settings, rebuilt only when its config changes or the minute turns (expiries follow the
 * clock by the minute, as settingsFrom's own cache does). The SDK hands a policy a fresh shallow copy of the
 * same config on every call, so comparing its values by identity spares building a cache key from the whole
 * config once per resource and policy, which the profile of Analyze showed as the pack's costliest step.
 */
export function settingsOf(): (config: SettingsConfig) => PolicySettings {
    let last: { config: SettingsConfig; minute: number; settings: PolicySettings } | undefined;
    return (config) => {
        const minute = Math.floor(Date.now() / 60_000);
        if (last && last.minute === minute && shallowEqual(last.config, config)) return last.settings;
        const settings = settingsFrom(config);
        last = { config, minute, settings };
        return settings;
    };
}

function common(policy: Policy) {
    return {
        name: policy.name,
        description: policy.description,
        enforcementLevel: policy.enforcementLevel,
        severity: policy.severity,
        remediationSteps: policy.remediationSteps,
        url: policy.url,
        // The controls it provides (compliance/mapping.ts), as the SDK's compliance metadata.
        ...complianceMetadata(policy.name),
        configSchema: { properties: { ...SETTINGS_CONFIG_SCHEMA.properties } },
    };
}

/**
 * How `policy` validates a resource under `settings`: the pod-security policies at the config's
 * `podSecurityVersion` when it names one (as `check --version` does), every other policy as it is.
 */
function validatorOf(policy: ResourcePolicy): ResourcePolicy["validate"] {
    const level = podSecurityLevelOf(policy);
    if (level === undefined) return (resource, settings, report) => policy.validate(resource, settings, report);
    return (resource, settings, report) => {
        const version = settings.podSecurityVersion;
        if (version === undefined) policy.validate(resource, settings, report);
        else judgeAtVersion(resource, settings, report, level, version);
    };
}

/** One resource policy ready to run: its validator and its settings cache. */
interface Judge {
    readonly policy: ResourcePolicy;
    readonly types: ReadonlySet<string> | undefined;
    readonly validate: ResourcePolicy["validate"];
    readonly settingsFor: (config: SettingsConfig) => PolicySettings;
}

function judgeOf(policy: ResourcePolicy): Judge {
    return {
        policy,
        types: policy.types ? new Set(policy.types) : undefined,
        validate: validatorOf(policy),
        settingsFor: settingsOf(),
    };
}

/** The policy's verdict on `resource`: violations go to `report`, unknown inputs to `reporter.finish`. */
function judge(judged: Judge, resource: PolicyResource, settings: PolicySettings, reporter: EngineReporter): void {
    if (exemptionFor(resource, judged.policy.name, settings)) return;
    judged.validate(resource, settings, reporter);
    reporter.finish();
}

function resourceOf(args: ResourceValidationArgs): PolicyResource {
    return normalizedResource({ type: args.type, name: args.name, urn: args.urn, props: plainProps(args.props) });
}

/** One SDK resource policy per pack policy, each judging every request itself (see dispatchedPolicies). */
function toResourcePolicy(policy: ResourcePolicy): ResourceValidationPolicy {
    const judged = judgeOf(policy);
    return {
        ...common(policy),
        // A resource of another type returns at once, with nothing to say. Not `__pulumiType` (the SDK's skip
        // for single-type policies): the SDK answers each such skip with a "not applicable" entry, 13 or 14
        // per response, which cost the engine more to receive than the decoding they would spare (decoding
        // already happens once per request, see decodeOncePerRequest). An older API version of a kind is
        // matched, and judged, as the kind's current type (engine.ts normalizedResource), as in `check`.
        validateResource: (args, reportViolation) => {
            if (judged.types && !judged.types.has(currentTypeOf(args.type))) return;
            const settings = judged.settingsFor(args.getConfig<SettingsConfig>());
            judge(judged, resourceOf(args), settings, new EngineReporter(reportViolation));
        },
    };
}

// ---------------------------------------------------------------------------------------------------------
// One SDK policy judging for all. @pulumi/policy runs each resource policy it serves on every request: per
// policy and resource it builds the arguments, a proxy of the properties and a report function, and waits a
// turn of the event loop, whether or not the policy reads that type. With every pack policy registered that
// way, the SDK's own steps cost the pack more than its policies do. So every policy is still registered, by
// name, description, level, severity and config schema (GetAnalyzerInfo lists them all and the CLI validates
// the pack config against that list), but with no validation of its own, which the SDK skips at once; one of
// them, the first the config leaves enabled, carries the dispatch: a table by type token of the policies that
// apply, built once, through which each policy judges the resource and reports under its own name and level.

/**
 * A diagnostic in the object form of reportViolation: @pulumi/policy files it under `name` with the level and
 * severity given (its server's makeReportViolationFun), where the string form files it under the policy
 * running. The SDK's typings declare only the string form.
 */
interface ViolationInfo {
    readonly name: string;
    readonly message: string;
    readonly description: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    readonly severity: Policy["severity"];
    readonly urn?: string;
}

/** One policy's entry of the config the engine sends with Configure. */
interface ConfiguredPolicy {
    /** As the SDK converts it from the wire. */
    readonly enforcementLevel: string;
    /** The entry's properties without enforcementLevel: what the SDK's getConfig hands that policy. */
    readonly settings: SettingsConfig;
}

/** The part of a ConfigureAnalyzerRequest (@pulumi/pulumi/proto/analyzer_pb) read here, as the SDK reads it. */
interface WireConfigureRequest {
    getPolicyconfigMap(): {
        entries(): Iterable<
            [string, { getProperties(): { toJavaScript(): object } | undefined; getEnforcementlevel(): number }]
        >;
    };
}

/** The gRPC method definition of Configure the SDK's server registers (its requestDeserialize is wrapped). */
interface ConfigureMethod {
    requestDeserialize(buffer: Buffer): unknown;
}

type ConfigListener = (config: ReadonlyMap<string, ConfiguredPolicy>) => void;

/**
 * Lets `listener` see the config of every Configure call the SDK's server receives, decoded as the SDK's
 * own configure handler decodes it (which keeps it private to the server module), before that handler runs.
 * A request the SDK would refuse (an unknown enforcement level) is not passed on. Returns false, leaving the
 * method alone, when it is not the shape this expects.
 */
export function observeConfigure(
    method: ConfigureMethod | undefined,
    convertLevel: (wire: number) => string,
    listener: ConfigListener,
): boolean {
    if (!method || typeof method.requestDeserialize !== "function" || typeof convertLevel !== "function") return false;
    const deserialize = method.requestDeserialize.bind(method);
    method.requestDeserialize = (buffer) => {
        const request = deserialize(buffer) as WireConfigureRequest;
        let config: Map<string, ConfiguredPolicy> | undefined = new Map();
        try {
            for (const [name, entry] of request.getPolicyconfigMap().entries()) {
                // As the SDK's handler: an entry without properties fails the request there, and here.
                const { enforcementLevel: _level, ...settings } = entry.getProperties()!.toJavaScript() as {
                    enforcementLevel?: unknown;
                };
                config.set(name, {
                    enforcementLevel: convertLevel(entry.getEnforcementlevel()),
                    settings: settings as SettingsConfig,
                });
            }
        } catch {
            config = undefined;
        }
        if (config) listener(config);
        return request;
    };
    return true;
}

/** The Configure config last received, and who follows it. */
let configured: ReadonlyMap<string, ConfiguredPolicy> = new Map();
const configListeners: ConfigListener[] = [];

function sdkConfigureMethod(): ConfigureMethod | undefined {
    try {
        // The very module the SDK's server registers its service from: resolved from @pulumi/policy itself.
        const fromSdk = createRequire(require.resolve("@pulumi/policy/server"));
        const service = fromSdk("@pulumi/pulumi/proto/analyzer_grpc_pb") as {
            AnalyzerService?: { configure?: ConfigureMethod };
        };
        return service.AnalyzerService?.configure;
    } catch {
        return undefined;
    }
}

/** True when the SDK's Configure is observed, which the dispatch needs (it is on the pinned @pulumi/policy). */
export const SDK_CONFIGURE_OBSERVED = observeConfigure(
    sdkConfigureMethod(),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("@pulumi/policy/protoutil") as { convertEnforcementLevel: (wire: number) => string })
        .convertEnforcementLevel,
    (config) => {
        configured = config;
        for (const listener of configListeners) listener(config);
    },
);

const NO_SETTINGS: SettingsConfig = Object.freeze({});

/** The level @pulumi/policy runs `policy` at under the current config (its server's rule; remediate is mandatory). */
function levelOf(policy: Policy): string {
    const level = configured.get(policy.name)?.enforcementLevel || policy.enforcementLevel || "advisory";
    return level === "remediate" ? "mandatory" : level;
}

/** `'<pack>@v<version>'`, as the SDK names the pack in its messages (the version from the package.json it reads). */
function packLabelOf(packName: string): () => string {
    let label: string | undefined;
    return () => {
        if (label === undefined) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { version } = require(path.join(process.cwd(), "package.json")) as { version: string };
            label = `'${packName}@v${version}'`;
        }
        return label;
    };
}

/**
 * The pack's policies as @pulumi/policy policies, judged through one dispatch (see above); as
 * toPulumiPolicies when the SDK does not let the Configure config be observed. `packName` is the name the
 * PolicyPack is served under, for the SDK's "can't run" messages.
 */
export function dispatchedPolicies(
    policies: readonly Policy[],
    packName: string,
): (ResourceValidationPolicy | StackValidationPolicy)[] {
    if (!SDK_CONFIGURE_OBSERVED) return toPulumiPolicies(policies);
    const judges = policies.filter((policy): policy is ResourcePolicy => policy.kind === "resource").map(judgeOf);
    const byType = new Map<string, readonly Judge[]>();
    const judgesOf = (type: string): readonly Judge[] => {
        let found = byType.get(type);
        if (found === undefined) {
            const current = currentTypeOf(type);
            found = judges.filter((judged) => !judged.types || judged.types.has(current));
            byType.set(type, found);
        }
        return found;
    };
    const packLabel = packLabelOf(packName);

    const dispatch: ResourceValidation = (args, reportViolation) => {
        const applicable = judgesOf(args.type);
        if (applicable.length === 0) return;
        const report = reportViolation as unknown as (info: ViolationInfo) => void;
        let resource: PolicyResource | undefined;
        for (const judged of applicable) {
            const { policy } = judged;
            const level = levelOf(policy);
            if (level === "disabled") continue;
            const settings = judged.settingsFor(configured.get(policy.name)?.settings ?? NO_SETTINGS);
            resource ??= resourceOf(args);
            const { name, description, severity } = policy;
            const reporter = new EngineReporter(
                (message, urn) =>
                    report({
                        name,
                        message: message ? `${description}\n${message}` : description,
                        description,
                        enforcementLevel: level as ViolationInfo["enforcementLevel"],
                        severity,
                        urn,
                    }),
                (error) =>
                    report({
                        name,
                        message: `can't run policy '${name}' from policy pack ${packLabel()} during preview: ${error.message}`,
                        description,
                        enforcementLevel: "advisory",
                        severity,
                    }),
            );
            try {
                judge(judged, resource, settings, reporter);
            } catch (err) {
                const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
                throw new Error(`policy '${name}' from policy pack ${packLabel()}: ${detail}`, { cause: err });
            }
        }
    };

    const carriers: { policy: ResourcePolicy; sdk: ResourceValidationPolicy }[] = [];
    const registered = policies.map((policy): ResourceValidationPolicy | StackValidationPolicy => {
        if (policy.kind === "stack") return toStackPolicy(policy);
        const sdk: ResourceValidationPolicy = { ...common(policy), validateResource: [] };
        carriers.push({ policy, sdk });
        return sdk;
    });
    // The dispatch rides on the first resource policy the config leaves enabled (the SDK skips disabled ones).
    const carry = () => {
        const carrier = carriers.find((entry) => levelOf(entry.policy) !== "disabled");
        for (const entry of carriers) entry.sdk.validateResource = entry === carrier ? [dispatch] : [];
    };
    carry();
    configListeners.push(carry);
    return registered;
}

function toStackResource(resource: PulumiPolicyResource): PolicyResource {
    return normalizedResource({
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: plainProps(resource.props),
        parent: resource.parent?.urn,
    });
}

/** Leaves out what a stack policy reports against a resource exempt from it (engine.ts withoutExempt). */
function exemptAware(
    report: ReportViolation,
    policy: StackPolicy,
    resources: readonly PolicyResource[],
    settings: PolicySettings,
): ReportViolation {
    if (settings.exemptions.length === 0) return report;
    const byUrn = new Map<string, PolicyResource>();
    for (const resource of resources) if (resource.urn !== undefined) byUrn.set(resource.urn, resource);
    return (message, urn) => {
        const kept = withoutExempt([{ policy: policy.name, level: "mandatory", message, urn }], byUrn, () => settings);
        if (kept.length > 0) report(message, urn);
    };
}

function toStackPolicy(policy: StackPolicy): StackValidationPolicy {
    return {
        ...common(policy),
        validateStack: (args, reportViolation) => {
            const settings = settingsFrom(args.getConfig<SettingsConfig>());
            const resources = args.resources.map(toStackResource);
            const reporter = new EngineReporter(exemptAware(reportViolation, policy, resources, settings));
            policy.validateStack(resources, settings, reporter);
            reporter.finish();
        },
    };
}

/** The pack's policies as @pulumi/policy policies. */
export function toPulumiPolicies(policies: readonly Policy[]): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return policies.map((policy) => (policy.kind === "resource" ? toResourcePolicy(policy) : toStackPolicy(policy)));
}
