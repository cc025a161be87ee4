import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    componentType,
    Environment,
    PLATFORM_NAMESPACES,
    profileFor,
    RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    RESTRICTED_POD_SECURITY_CONTEXT,
} from "../../baseline";

/** The Helm chart of the External Secrets Operator. */
export const EXTERNAL_SECRETS_CHART = "external-secrets";
/** The chart repository. */
export const EXTERNAL_SECRETS_REPOSITORY = "https://charts.external-secrets.io";
/**
 * The chart version installed unless another is given. Chart 2.9.0 ships app version v2.9.0, the release the
 * CRD schemas in the tests come from; the values below use the keys of that chart's values.yaml.
 */
export const EXTERNAL_SECRETS_CHART_VERSION = "2.9.0";
/** Release name: the operator's Deployments and Services are named after it. */
export const EXTERNAL_SECRETS_RELEASE = "external-secrets";
/**
 * The controller's ServiceAccount, named in the values rather than left to the chart's naming: each
 * AppExternalSecrets lets this ServiceAccount, in the operator's namespace, request tokens for its app's
 * ServiceAccount, and for no other.
 */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";

/** CPU and memory of one container. */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Requests and limits of the three Deployments. The controller caches every ExternalSecret and the Secrets it
 * writes, so it gets the most memory; the webhook and the cert controller only validate and rotate certificates.
 */
export const EXTERNAL_SECRETS_RESOURCES: Readonly<
    Record<"controller" | "webhook" | "certController", ContainerResources>
> = {
    controller: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    webhook: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    certController: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
};

/** Arguments of an ExternalSecretsOperator. */
export interface ExternalSecretsOperatorArgs {
    /** Environment: dev, stage or prod. Chooses the replicas and whether PodDisruptionBudgets are created. */
    env: Environment;
    /**
     * Namespace to install into, created beforehand (e.g. by a SecureNamespace). Default: `external-secrets`.
     */
    namespace?: string;
    /**
     * Exact chart version (a 2.x semver such as `2.9.0`, no range). Default: `2.9.0`, the version the values
     * and the custom resources of this package are checked against.
     */
    chartVersion?: string;
}

const COMPONENT = "ExternalSecretsOperator";
/** An exact semantic version: no `v`, no range, no wildcard. */
const EXACT_SEMVER =
    /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** The validated, defaulted input of an ExternalSecretsOperator. */
export interface ResolvedExternalSecretsOperator {
    readonly env: Environment;
    readonly namespace: string;
    readonly chartVersion: string;
}

/** Checks and defaults an ExternalSecretsOperator's arguments; throws an ArgumentError listing every problem. */
export function resolveExternalSecretsOperatorArgs(
    name: string,
    args: ExternalSecretsOperatorArgs,
): ResolvedExternalSecretsOperator {
    const check = new ArgsChecker(COMPONENT, name);
    const envOk = check.environment(args.env);
    const namespace = args.namespace ?? PLATFORM_NAMESPACES.externalSecrets;
    if (check.dnsLabel(namespace, "namespace") && envOk) check.sameEnvironment(namespace, args.env, "namespace");
    const chartVersion: unknown = args.chartVersion ?? EXTERNAL_SECRETS_CHART_VERSION;
    const match = typeof chartVersion === "string" ? EXACT_SEMVER.exec(chartVersion) : null;
    if (
        check.check(
            match !== null,
            "chartVersion",
            `${JSON.stringify(chartVersion)} is not an exact chart version`,
            `give an exact version such as "${EXTERNAL_SECRETS_CHART_VERSION}" (no "v", range or wildcard): ` +
                "a range installs whatever is newest on the next deployment",
        )
    ) {
        check.check(
            match![1] === "2",
            "chartVersion",
            `${chartVersion} is not a 2.x release`,
            `give a 2.x version such as "${EXTERNAL_SECRETS_CHART_VERSION}": the values set here are the keys of the 2.x chart`,
        );
    }
    check.throwIfInvalid();
    return { env: args.env, namespace, chartVersion: chartVersion as string };
}

/** A fresh, mutable copy of constant data, so the chart values share nothing with the baseline. */
function copy<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/** The hardening every one of the three Deployments gets. */
function deploymentValues(env: Environment, resources: ContainerResources): Record<string, unknown> {
    const profile = profileFor(env);
    const replicas = profile.addonReplicas;
    const values: Record<string, unknown> = {
        replicaCount: replicas,
        // The chart renders a securityContext only when `enabled` is true, and drops that key when it does.
        podSecurityContext: { enabled: true, ...copy(RESTRICTED_POD_SECURITY_CONTEXT) },
        securityContext: { enabled: true, ...copy(RESTRICTED_CONTAINER_SECURITY_CONTEXT) },
        resources: copy(resources),
        // A budget of one available pod with a single replica would block every node drain.
        podDisruptionBudget: { enabled: profile.podDisruptionBudget && replicas > 1, minAvailable: 1 },
        // The chart's own NetworkPolicy allows ingress from every source to the metrics and health ports and
        // whatever egress its values list; NetworkPolicies only add, so it would widen the namespace's
        // default-deny. SecureNamespace's rules are the namespace's network: the chart renders none.
        networkPolicy: { enabled: false },
    };
    if (replicas > 1) {
        // Spread replicas over nodes, so that one node going away leaves the others running. The chart adds
        // the Deployment's own selector to a constraint that has none.
        values.topologySpreadConstraints = [
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
        ];
    }
    return values;
}

/**
 * The chart values for `env`: the restricted securityContext, requests and limits for the controller, the
 * webhook and the cert controller, replicas and PodDisruptionBudgets from the environment profile. Images
 * are left to the chart, which tags them with its own app version. The controller reconciles namespaced
 * SecretStores and ExternalSecrets only, and may not mint tokens for ServiceAccounts at large.
 */
export function externalSecretsChartValues(env: Environment): Record<string, unknown> {
    return {
        installCRDs: true,
        // Pin the default: serving v1beta1 again would let deprecated manifests in.
        crds: { unsafeServeV1Beta1: false },
        // Stores are namespaced and bound to one app's ServiceAccount. A ClusterSecretStore or
        // ClusterExternalSecret would read for any namespace, and a (Cluster)PushSecret writes cluster Secrets
        // out to the backend: none is part of the baseline, so the controller ignores them, and its RBAC
        // loses their rules (and, with ClusterExternalSecrets, update on every Namespace).
        processClusterStore: false,
        processClusterExternalSecret: false,
        processClusterPushSecret: false,
        processPushSecret: false,
        processClusterGenerator: false,
        // No cluster-wide `create serviceaccounts/token`: each AppExternalSecrets grants it for its own
        // ServiceAccount by name, as the chart documents for this setting.
        rbac: { serviceAccountTokenCreate: false },
        serviceAccount: { name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        ...deploymentValues(env, EXTERNAL_SECRETS_RESOURCES.controller),
        // With more than one replica, the controllers (and the cert controller) must elect a leader or they
        // reconcile the same objects, and rotate the same webhook certificate, concurrently.
        leaderElect: true,
        serviceMonitor: { enabled: false },
        webhook: deploymentValues(env, EXTERNAL_SECRETS_RESOURCES.webhook),
        certController: deploymentValues(env, EXTERNAL_SECRETS_RESOURCES.certController),
    };
}

/**
 * The External Secrets Operator, from its pinned Helm chart, with the restricted securityContext, requests and
 * limits on all three Deployments, and replicas and PodDisruptionBudgets from the environment profile. Its
 * CRDs serve `external-secrets.io/v1` only.
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
    /** The namespace the operator runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The chart version installed. */
    public readonly chartVersion: pulumi.Output<string>;

    constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveExternalSecretsOperatorArgs(name, args);
        super(componentType("ExternalSecretsOperator"), name, {}, opts);

        const chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                chart: EXTERNAL_SECRETS_CHART,
                version: resolved.chartVersion,
                repositoryOpts: { repo: EXTERNAL_SECRETS_REPOSITORY },
                name: EXTERNAL_SECRETS_RELEASE,
                namespace: resolved.namespace,
                values: externalSecretsChartValues(resolved.env),
            },
            { parent: this },
        );

        // Resolved through the chart, so a consumer of these outputs waits for the operator's resources.
        this.namespace = chart.resources.apply(() => resolved.namespace);
        this.chartVersion = chart.resources.apply(() => resolved.chartVersion);
        this.registerOutputs({ namespace: this.namespace, chartVersion: this.chartVersion });
    }
}
