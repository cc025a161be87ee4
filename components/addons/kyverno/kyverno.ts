import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    componentType,
    Environment,
    PLATFORM_NAMESPACES,
    profileFor,
    SYSTEM_NAMESPACES,
} from "../../baseline";
import {
    KYVERNO_CHART,
    KYVERNO_CHART_APP_VERSIONS,
    KYVERNO_CHART_REPOSITORY,
    KYVERNO_CHART_VERSION,
    KYVERNO_RELEASE_NAME,
    kyvernoValues,
    KyvernoValuesInput,
} from "./chart";

/** Arguments of a Kyverno installation. */
export interface KyvernoArgs {
    /** Environment: dev, stage or prod. Chooses the replicas and PodDisruptionBudgets. */
    env: Environment;
    /** Namespace to install into, created beforehand by the caller. Default: `kyverno`. */
    namespace?: string;
    /**
     * Exact version of the `kyverno` chart (no ranges). Default: 3.9.0, which ships Kyverno v1.19.0. Must be
     * a release whose Kyverno version the package knows, so that every image is pinned to it.
     */
    chartVersion?: string;
    /**
     * The only namespace Kyverno accepts PolicyExceptions in; keep it writable by platform administrators
     * only. Default: the Kyverno namespace.
     */
    policyExceptionNamespace?: string;
}

const COMPONENT = "Kyverno";
const EXACT_SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** The validated, defaulted input of a Kyverno installation. */
export interface ResolvedKyverno extends KyvernoValuesInput {
    readonly env: Environment;
    readonly chartVersion: string;
}

/** Checks and defaults a Kyverno installation's arguments; throws an ArgumentError listing every problem. */
export function resolveKyvernoArgs(name: string, args: KyvernoArgs): ResolvedKyverno {
    const check = new ArgsChecker(COMPONENT, name);
    check.environment(args.env);
    const namespace = args.namespace ?? PLATFORM_NAMESPACES.kyverno;
    if (check.dnsLabel(namespace, "namespace")) {
        check.check(
            !SYSTEM_NAMESPACES.includes(namespace),
            "namespace",
            `${namespace} is a namespace of the cluster itself (the chart refuses kube-system)`,
            `install into a namespace of its own, such as ${PLATFORM_NAMESPACES.kyverno}`,
        );
    }
    const policyExceptionNamespace = args.policyExceptionNamespace ?? namespace;
    check.dnsLabel(policyExceptionNamespace, "policyExceptionNamespace");
    const chartVersion = args.chartVersion ?? KYVERNO_CHART_VERSION;
    const known = Object.keys(KYVERNO_CHART_APP_VERSIONS).join(", ");
    if (
        check.check(
            typeof chartVersion === "string" && EXACT_SEMVER.test(chartVersion),
            "chartVersion",
            `${JSON.stringify(chartVersion)} is not an exact chart version`,
            `give one release, such as "${KYVERNO_CHART_VERSION}" (no range, no "v" prefix)`,
        )
    ) {
        check.check(
            chartVersion in KYVERNO_CHART_APP_VERSIONS,
            "chartVersion",
            `${chartVersion} is not a chart release whose Kyverno version is known, so its images cannot be pinned`,
            `use one of ${known}, or add the release and its appVersion to KYVERNO_CHART_APP_VERSIONS`,
        );
    }
    check.throwIfInvalid();
    return {
        env: args.env,
        profile: profileFor(args.env),
        namespace,
        policyExceptionNamespace,
        chartVersion,
        appVersion: KYVERNO_CHART_APP_VERSIONS[chartVersion],
    };
}

/**
 * Kyverno from its Helm chart, pinned: highly available where the profile asks for it, every container
 * restricted and sized, its webhooks failing closed, and the cluster's and the platform's namespaces left
 * out of its admission.
 */
export class Kyverno extends pulumi.ComponentResource {
    /** The namespace Kyverno runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The chart version installed. */
    public readonly chartVersion: pulumi.Output<string>;

    constructor(name: string, args: KyvernoArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveKyvernoArgs(name, args);
        super(componentType("Kyverno"), name, {}, opts);

        new k8s.helm.v4.Chart(
            name,
            {
                chart: KYVERNO_CHART,
                version: resolved.chartVersion,
                repositoryOpts: { repo: KYVERNO_CHART_REPOSITORY },
                name: KYVERNO_RELEASE_NAME,
                namespace: resolved.namespace,
                values: kyvernoValues(resolved),
            },
            { parent: this },
        );

        this.namespace = pulumi.output(resolved.namespace);
        this.chartVersion = pulumi.output(resolved.chartVersion);
        this.registerOutputs({ namespace: this.namespace, chartVersion: this.chartVersion });
    }
}
