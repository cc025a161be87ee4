import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, componentType, Environment, PLATFORM_NAMESPACES } from "../../baseline";
import { IdentityMode } from "../../aws/identity-validation";
import {
    CERT_MANAGER_CHART,
    CERT_MANAGER_CHART_REPOSITORY,
    CERT_MANAGER_CHART_VERSION,
    CERT_MANAGER_RELEASE_NAME,
    certManagerChartValues,
    keepCustomResourceDefinitions,
} from "./chart";

/** Arguments of a CertManager: the chart and its controller, once per cluster. */
export interface CertManagerArgs {
    /**
     * Environment whose profile sets the replicas and disruption budgets: the env's own on a cluster of its
     * own, the most demanding env on a shared cluster.
     */
    env: Environment;
    /** Namespace to install cert-manager in, created beforehand (e.g. by a SecureNamespace). Default: `cert-manager`. */
    namespace?: string;
    /** Version of the `cert-manager` chart, an exact version such as `v1.21.1`. Default: the version this package is tested with. */
    chartVersion?: string;
    /**
     * How the envs' ClusterIssuers reach Route 53: `irsa` (each issuer assumes its env's role with the token
     * of its own ServiceAccount; the controller holds no AWS identity) or `pod-identity` (the controller's
     * ambient credentials, one env's role: clusters of one env only). Default: `irsa`.
     */
    identityMode?: IdentityMode;
    /** Name of the controller's ServiceAccount. Default: `cert-manager`. */
    serviceAccountName?: string;
}

const COMPONENT = "CertManager";
/** The controller's ServiceAccount unless another is named. */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

/** An exact chart version, with or without the leading `v`: no range, no `latest`. */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const MODES: readonly string[] = Object.values(IdentityMode);

/** The validated, defaulted input of a CertManager. */
export interface ResolvedCertManager {
    readonly env: Environment;
    readonly namespace: string;
    readonly serviceAccountName: string;
    /** The chart version, with the leading `v` the chart repository publishes. */
    readonly chartVersion: string;
    readonly identityMode: IdentityMode;
}

/** Checks and defaults a CertManager's arguments; throws an ArgumentError listing every problem. */
export function resolveCertManagerArgs(name: string, args: CertManagerArgs): ResolvedCertManager {
    const check = new ArgsChecker(COMPONENT, name);
    const envOk = check.environment(args.env);
    const namespace = args.namespace ?? PLATFORM_NAMESPACES.certManager;
    if (check.dnsLabel(namespace, "namespace") && envOk) check.sameEnvironment(namespace, args.env, "namespace");
    const serviceAccountName = args.serviceAccountName ?? CERT_MANAGER_SERVICE_ACCOUNT;
    check.dnsLabel(serviceAccountName, "serviceAccountName");

    const requestedVersion: unknown = args.chartVersion ?? CERT_MANAGER_CHART_VERSION;
    check.check(
        typeof requestedVersion === "string" && EXACT_VERSION.test(requestedVersion),
        "chartVersion",
        `${JSON.stringify(requestedVersion)} is not an exact chart version`,
        `pin one release, e.g. "${CERT_MANAGER_CHART_VERSION}" (no range, no "latest")`,
    );
    const chartVersion = typeof requestedVersion === "string" ? `v${requestedVersion.replace(/^v/, "")}` : "";
    const identityMode = args.identityMode ?? IdentityMode.Irsa;
    check.check(
        MODES.includes(identityMode),
        "identityMode",
        `${JSON.stringify(identityMode)} is not an identity mode`,
        `use one of ${MODES.join(", ")}`,
    );
    check.throwIfInvalid();
    return { env: args.env, namespace, serviceAccountName, chartVersion, identityMode };
}

/**
 * cert-manager for one cluster: the pinned Helm chart with its CRDs and hardened values. Each env's
 * ClusterIssuer and its Route 53 role come from an EnvironmentIssuer. With `pod-identity`, pass the env's
 * EnvironmentIssuer `credentials` in `dependsOn`, so that the controller starts with its role.
 */
export class CertManager extends pulumi.ComponentResource {
    /** Namespace cert-manager runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the controller's ServiceAccount. */
    public readonly serviceAccountName: pulumi.Output<string>;
    /** Version of the installed chart. */
    public readonly chartVersion: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveCertManagerArgs(name, args);
        // `dependsOn` orders the chart, not the component: with Pod Identity it names an EnvironmentIssuer's
        // credentials, whose ClusterIssuer in turn waits on the chart.
        super(componentType("CertManager"), name, {}, { ...opts, dependsOn: undefined });

        new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                chart: CERT_MANAGER_CHART,
                version: resolved.chartVersion,
                repositoryOpts: { repo: CERT_MANAGER_CHART_REPOSITORY },
                name: CERT_MANAGER_RELEASE_NAME,
                namespace: resolved.namespace,
                // Plain data, so that the chart renders in full at preview, where the policy pack reviews every
                // object it creates.
                values: certManagerChartValues(resolved),
            },
            // What the pods need when they start (their namespace; with Pod Identity, the association, read
            // when a pod is admitted) exists before the chart.
            { parent: this, dependsOn: opts?.dependsOn, transforms: [keepCustomResourceDefinitions] },
        );

        this.namespace = pulumi.output(resolved.namespace);
        this.serviceAccountName = pulumi.output(resolved.serviceAccountName);
        this.chartVersion = pulumi.output(resolved.chartVersion);
        this.registerOutputs({
            namespace: this.namespace,
            serviceAccountName: this.serviceAccountName,
            chartVersion: this.chartVersion,
        });
    }
}
