/**
 * Adapts the pack's policies to @pulumi/policy. Everything heavy stays out: policies match resources by type
 * token, never by importing a cloud SDK, and settings are parsed once per config.
 */
import type {
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

/** Reports violations to the engine; unknown inputs become one advisory "cannot check at preview". */
class EngineReporter implements Reporter {
    private violations = 0;
    private readonly unknowns: string[] = [];

    constructor(private readonly report: ReportViolation) {}

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
            throw new sdkProxy.UnknownValueError(sdkProxy.unknownStringValue, [this.unknowns.join(", ")]);
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

function toResourcePolicy(policy: ResourcePolicy): ResourceValidationPolicy {
    const types = policy.types ? new Set(policy.types) : undefined;
    const validate = validatorOf(policy);
    const settingsFor = settingsOf();
    return {
        ...common(policy),
        // A resource of another type returns at once, with nothing to say. Not `__pulumiType` (the SDK's skip
        // for single-type policies): the SDK answers each such skip with a "not applicable" entry, 13 or 14
        // per response, which cost the engine more to receive than the decoding they would spare (decoding
        // already happens once per request, see decodeOncePerRequest). An older API version of a kind is
        // matched, and judged, as the kind's current type (engine.ts normalizedResource), as in `check`.
        validateResource: (args, reportViolation) => {
            if (types && !types.has(currentTypeOf(args.type))) return;
            const settings = settingsFor(args.getConfig<SettingsConfig>());
            const resource = normalizedResource({
                type: args.type,
                name: args.name,
                urn: args.urn,
                props: plainProps(args.props),
            });
            if (exemptionFor(resource, policy.name, settings)) return;
            const reporter = new EngineReporter(reportViolation);
            validate(resource, settings, reporter);
            reporter.finish();
        },
    };
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
