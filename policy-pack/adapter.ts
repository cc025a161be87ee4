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
import { Policy, PolicyResource, Reporter, ResourcePolicy, StackPolicy } from "./policies/types";
import { UNKNOWN } from "./policies/resource";
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

/** The engine's inputs as plain data: the unknown-checking proxy removed, unknown sentinels as UNKNOWN. */
export function plainProps(value: any): any {
    if (value !== null && typeof value === "object" && value[sdkProxy.getSpecialProxyTarget] !== undefined) {
        value = value[sdkProxy.getSpecialProxyTarget];
    }
    if (SENTINELS.has(value)) return UNKNOWN;
    if (Array.isArray(value)) return value.map(plainProps);
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(value)) out[key] = plainProps(child);
        return out;
    }
    return value;
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

function common(policy: Policy) {
    return {
        name: policy.name,
        description: policy.description,
        enforcementLevel: policy.enforcementLevel,
        severity: policy.severity,
        remediationSteps: policy.remediationSteps,
        url: policy.url,
        configSchema: { properties: { ...SETTINGS_CONFIG_SCHEMA.properties } },
    };
}

/**
 * The SDK deserializes a request's properties anew for every policy it runs, and skips, before that, a policy
 * whose validateResource names one type (`__pulumiType`, as validateResourceOfType sets it) that is not the
 * resource's. A policy of a single type token says so, so other resources cost it nothing.
 */
function withSingleType<F extends object>(validate: F, types: readonly string[] | undefined): F {
    if (types?.length === 1) Object.defineProperty(validate, "__pulumiType", { value: types[0] });
    return validate;
}

function toResourcePolicy(policy: ResourcePolicy): ResourceValidationPolicy {
    const types = policy.types ? new Set(policy.types) : undefined;
    return {
        ...common(policy),
        validateResource: withSingleType<ResourceValidationPolicy["validateResource"] & object>(
            (args, reportViolation) => {
                if (types && !types.has(args.type)) return;
                const settings = settingsFrom(args.getConfig<SettingsConfig>());
                const reporter = new EngineReporter(reportViolation);
                const resource: PolicyResource = {
                    type: args.type,
                    name: args.name,
                    urn: args.urn,
                    props: plainProps(args.props),
                };
                policy.validate(resource, settings, reporter);
                reporter.finish();
            },
            policy.types,
        ),
    };
}

function toStackResource(resource: PulumiPolicyResource): PolicyResource {
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: plainProps(resource.props),
        parent: resource.parent?.urn,
    };
}

function toStackPolicy(policy: StackPolicy): StackValidationPolicy {
    return {
        ...common(policy),
        validateStack: (args, reportViolation) => {
            const settings = settingsFrom(args.getConfig<SettingsConfig>());
            const reporter = new EngineReporter(reportViolation);
            policy.validateStack(args.resources.map(toStackResource), settings, reporter);
            reporter.finish();
        },
    };
}

/** The pack's policies as @pulumi/policy policies. */
export function toPulumiPolicies(policies: readonly Policy[]): (ResourceValidationPolicy | StackValidationPolicy)[] {
    return policies.map((policy) => (policy.kind === "resource" ? toResourcePolicy(policy) : toStackPolicy(policy)));
}
