import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    ClusterTopology,
    dedicatedTopology,
    Environment,
    isEnvironment,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    PLATFORM_NAMESPACES,
    POD_SECURITY_VERSION,
    PodSecurityLevel,
    podSecurityLabel,
    podSecurityVersionLabel,
    RequiredLabel,
    RUNTIME_SECURITY_COMPONENT,
    RUNTIME_SECURITY_NAMESPACE,
    RUNTIME_SECURITY_OWNER,
    RUNTIME_SECURITY_PROFILES,
    RuntimeSecurityEngine,
} from "../../baseline";
import { runtimeSecurityException } from "../kyverno/exceptions";
import { namespaceNetworkPolicies } from "../../kubernetes/network";
import {
    FALCO_CHART,
    FALCO_CHART_REPOSITORY,
    FALCO_CHART_VERSION,
    FALCO_RELEASE_NAME,
    falcoChartValues,
    TETRAGON_CHART,
    TETRAGON_CHART_REPOSITORY,
    TETRAGON_CHART_VERSION,
    TETRAGON_RELEASE_NAME,
    tetragonChartValues,
} from "./chart";
import { FALCO_RULES_FILE, falcoRulesYaml, isNamespaceGlob, matchesNamespaceGlob } from "./falco-rules";
import {
    checkApiAddresses,
    environmentTracingPolicyManifests,
    registerTracingPolicies,
} from "./environment-tracing-policies";

export { RUNTIME_SECURITY_NAMESPACE, RuntimeSecurityEngine } from "../../baseline";

/** Arguments of a RuntimeSecurity: one engine, once per cluster. */
export interface RuntimeSecurityArgs {
    /**
     * Environment whose profile sets the engine's default and the sensor's resources, and whose label the
     * sensor's namespace carries; on a shared cluster the strictest env.
     */
    env: Environment;
    /** The engine: `falco` or `tetragon`. Default: the env profile's (components/baseline RUNTIME_SECURITY_PROFILES). */
    engine?: RuntimeSecurityEngine;
    /** The envs' app namespaces the rules watch (none in an env with no app yet). */
    namespaces: string[];
    /**
     * Falco only: globs of env namespaces the rules also watch (`*-dev`, or `dev` under the per-env layout),
     * for a shared cluster, whose app namespaces the env stacks create. Default: none.
     */
    namespacePatterns?: string[];
    /** Falco only: of `namespacePatterns`, the prod ones, where a terminal shell is an alert. Default: none. */
    prodNamespacePatterns?: string[];
    /** Of `namespaces`, the prod ones, where a terminal shell is an alert. Default: all of them when `env` is prod. */
    prodNamespaces?: string[];
    /** Of `namespaces`, those whose apps are declared to need the Kubernetes API. Default: none. */
    kubernetesApiNamespaces?: string[];
    /**
     * CIDR blocks of the API server's endpoints (the control plane's network interfaces): the only egress of
     * the sensor's namespace (HTTPS), and where Tetragon's policies look for API connections.
     */
    apiServerCidrs: string[];
    /**
     * The `kubernetes` Service's address, as CIDR blocks (`10.100.0.1/32`): Tetragon sees a pod's API
     * connection to it before kube-proxy translates it. Default: EKS's defaults (EKS_DEFAULT_KUBERNETES_SERVICE_IPS).
     */
    kubernetesServiceCidrs?: string[];
    /** How envs share the cluster: names the policies the sensor's exception waives. Default: the env's own cluster. */
    topology?: ClusterTopology;
    /** Namespace Kyverno accepts PolicyExceptions in. Default: `kyverno`. */
    exceptionNamespace?: string;
}

const COMPONENT = "RuntimeSecurity";
const ENGINES: readonly string[] = Object.values(RuntimeSecurityEngine);
/** The API server's HTTPS port, the sensor namespace's only egress besides DNS. */
const API_SERVER_PORT = 443;

/** The validated, defaulted input of a RuntimeSecurity. */
export interface ResolvedRuntimeSecurity {
    readonly env: Environment;
    readonly engine: RuntimeSecurityEngine;
    readonly namespace: string;
    readonly namespaces: readonly string[];
    readonly namespacePatterns: readonly string[];
    readonly prodNamespacePatterns: readonly string[];
    readonly prodNamespaces: readonly string[];
    readonly kubernetesApiNamespaces: readonly string[];
    readonly apiServerCidrs: readonly string[];
    readonly kubernetesServiceCidrs: readonly string[];
    readonly topology: ClusterTopology;
    readonly exceptionNamespace: string;
}

/** Checks and defaults a RuntimeSecurity's arguments; throws an ArgumentError listing every problem. */
export function resolveRuntimeSecurityArgs(name: string, args: RuntimeSecurityArgs): ResolvedRuntimeSecurity {
    const check = new ArgsChecker(COMPONENT, name);
    check.environment(args.env);
    const env = isEnvironment(args.env) ? args.env : Environment.Prod;
    const engine = args.engine ?? RUNTIME_SECURITY_PROFILES[env].defaultEngine;
    check.check(
        ENGINES.includes(engine),
        "engine",
        `${JSON.stringify(engine)} is not a runtime security engine`,
        `use one of ${ENGINES.join(", ")}`,
    );
    const namespace = RUNTIME_SECURITY_NAMESPACE;
    const namespaces = Array.isArray(args.namespaces) ? args.namespaces : [];
    const namespacePatterns = args.namespacePatterns ?? [];
    const prodNamespacePatterns = args.prodNamespacePatterns ?? [];
    // No namespace is an env with no app yet: the engine's own rules still run, the baseline's watch nothing.
    check.check(Array.isArray(args.namespaces), "namespaces", "is not a list", "list the envs' app namespaces");
    check.check(
        engine !== RuntimeSecurityEngine.Tetragon || namespacePatterns.length + prodNamespacePatterns.length === 0,
        "namespacePatterns",
        "Tetragon's policies are namespaced objects, one per namespace: a pattern names none",
        "list the namespaces, or use falco",
    );
    [...namespacePatterns, ...prodNamespacePatterns].forEach((pattern, i) =>
        check.check(
            isNamespaceGlob(pattern) &&
                pattern !== `*-${RUNTIME_SECURITY_NAMESPACE}` &&
                pattern !== RUNTIME_SECURITY_NAMESPACE,
            i < namespacePatterns.length
                ? `namespacePatterns[${i}]`
                : `prodNamespacePatterns[${i - namespacePatterns.length}]`,
            `${JSON.stringify(pattern)} is not a namespace name or a "*-<suffix>" glob of app namespaces`,
            'write a namespace name, or "*-" and the suffix the layout gives the env\'s namespaces ("*-dev")',
        ),
    );
    prodNamespacePatterns.forEach((pattern, i) =>
        check.check(
            namespacePatterns.includes(pattern),
            `prodNamespacePatterns[${i}]`,
            `"${pattern}" is not one of namespacePatterns`,
            "name only patterns listed in namespacePatterns",
        ),
    );
    namespaces.forEach((ns, i) => check.dnsLabel(ns, `namespaces[${i}]`));
    check.check(
        !namespaces.includes(namespace),
        "namespaces",
        `the engine's own namespace "${namespace}" is listed as an app namespace`,
        "list only app namespaces; the engine's namespace is the platform's",
    );
    const prodNamespaces = args.prodNamespaces ?? (args.env === "prod" ? namespaces : []);
    const kubernetesApiNamespaces = args.kubernetesApiNamespaces ?? [];
    for (const ns of prodNamespaces) {
        check.check(
            namespaces.includes(ns),
            "prodNamespaces",
            `"${ns}" is not one of namespaces`,
            "name only namespaces listed in namespaces",
        );
    }
    // On a shared cluster the env stacks' namespaces are watched by pattern: a declared one matches one.
    kubernetesApiNamespaces.forEach((ns, i) => {
        if (!check.dnsLabel(ns, `kubernetesApiNamespaces[${i}]`)) return;
        check.check(
            namespaces.includes(ns) || namespacePatterns.some((pattern) => matchesNamespaceGlob(ns, pattern)),
            "kubernetesApiNamespaces",
            `"${ns}" is not one of namespaces${namespacePatterns.length > 0 ? " and matches none of namespacePatterns" : ""}`,
            "name only namespaces the rules watch (namespaces, or a match of namespacePatterns)",
        );
    });
    const kubernetesServiceCidrs = checkApiAddresses(check, args.apiServerCidrs, args.kubernetesServiceCidrs);
    const exceptionNamespace = args.exceptionNamespace ?? PLATFORM_NAMESPACES.kyverno;
    check.dnsLabel(exceptionNamespace, "exceptionNamespace");
    const topology = args.topology ?? dedicatedTopology(env);
    check.check(
        topology.environments.includes(env),
        "topology.environments",
        `does not list ${env}, whose label the sensor's namespace carries`,
        `list ${env} among the cluster's envs`,
    );
    check.throwIfInvalid();
    return {
        env,
        engine,
        namespace,
        namespaces,
        namespacePatterns,
        prodNamespacePatterns,
        prodNamespaces,
        kubernetesApiNamespaces,
        apiServerCidrs: [...args.apiServerCidrs],
        kubernetesServiceCidrs,
        topology,
        exceptionNamespace,
    };
}

/** Runtime security on a cluster, as an env with a cluster of its own, or a shared cluster, chooses it. */
export interface RuntimeSecuritySettingsArgs {
    /** `falco` or `tetragon`. Default: the profile's (components/baseline RUNTIME_SECURITY_PROFILES: falco). */
    engine?: RuntimeSecurityEngine;
    /**
     * Leave the sensor out. Refused where the profile requires one (prod; on a shared cluster, its strictest
     * env's profile decides). Default: false.
     */
    disabled?: boolean;
}

/**
 * Checks runtime security settings against `env`'s profile, under `field`; true when the sensor is to be
 * installed. Only the profile may make it optional: prod's requires it.
 */
export function checkRuntimeSecuritySettings(
    check: ArgsChecker,
    settings: RuntimeSecuritySettingsArgs | undefined,
    env: Environment,
    field: string,
): boolean {
    if (settings === undefined) return true;
    if (
        !check.check(
            typeof settings === "object" && settings !== null,
            field,
            "is not an object",
            "give engine or disabled",
        )
    ) {
        return false;
    }
    if (settings.engine !== undefined) {
        check.check(
            ENGINES.includes(settings.engine),
            `${field}.engine`,
            `${JSON.stringify(settings.engine)} is not a runtime security engine`,
            `use one of ${ENGINES.join(", ")}`,
        );
    }
    const disabled = settings.disabled === true;
    check.check(
        !disabled || !RUNTIME_SECURITY_PROFILES[env].required,
        `${field}.disabled`,
        `the ${env} profile requires a runtime security sensor`,
        "remove disabled; choose the engine with engine instead",
    );
    return !disabled;
}

/**
 * The labels of the sensor's namespace: the platform's owner and tier, the env, and Pod Security
 * `privileged` in every mode at the pinned version (baseline or restricted would refuse the sensor, and
 * their warnings would only repeat what the exception already says).
 */
export function runtimeSecurityNamespaceLabels(env: Environment): Record<string, string> {
    const labels: Record<string, string> = {
        [RequiredLabel.Owner]: RUNTIME_SECURITY_OWNER,
        [RequiredLabel.Env]: env,
        [RequiredLabel.Tier]: "platform",
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    };
    for (const mode of ["enforce", "audit", "warn"] as const) {
        labels[podSecurityLabel(mode)] = PodSecurityLevel.Privileged;
        labels[podSecurityVersionLabel(mode)] = POD_SECURITY_VERSION;
    }
    return labels;
}

/**
 * Runtime security for one cluster: Falco (modern eBPF, least privileged) with the baseline's rules, or
 * Tetragon with TracingPolicyNamespaced objects generated from the same facts. It creates the sensor's
 * namespace (RUNTIME_SECURITY_NAMESPACE, Pod Security `privileged`, default-deny with HTTPS to the API server
 * only) and the one Kyverno PolicyException that lets the sensor run there (components/baseline
 * runtime-security). Kyverno's CRDs must exist first: make it depend on the Kyverno component.
 */
export class RuntimeSecurity extends pulumi.ComponentResource {
    /** Namespace the engine runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** The engine installed. */
    public readonly engine: pulumi.Output<string>;
    /** Version of the installed chart. */
    public readonly chartVersion: pulumi.Output<string>;

    constructor(name: string, args: RuntimeSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveRuntimeSecurityArgs(name, args);
        super(RUNTIME_SECURITY_COMPONENT, name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: resolved.namespace, labels: runtimeSecurityNamespaceLabels(resolved.env) } },
            { parent: this },
        );
        const inNamespace: pulumi.CustomResourceOptions = { parent: this, dependsOn: [namespace] };
        const networkPolicies = namespaceNetworkPolicies(
            [{ cidrs: [...resolved.apiServerCidrs], ports: [{ port: API_SERVER_PORT }] }],
            [],
        ).map(
            (policy) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy.name}`,
                    {
                        metadata: {
                            name: policy.name,
                            namespace: namespace.metadata.name,
                            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
                        },
                        spec: policy.spec,
                    },
                    inNamespace,
                ),
        );
        const exception = runtimeSecurityException(resolved.env, resolved.topology, resolved.exceptionNamespace);
        const sensorException = new k8s.apiextensions.CustomResource(`${name}-exception`, exception, {
            parent: this,
        });

        const falco = resolved.engine === RuntimeSecurityEngine.Falco;
        const chartVersion = falco ? FALCO_CHART_VERSION : TETRAGON_CHART_VERSION;
        // The sensor starts once its namespace is closed and its exception is in force.
        const chartOptions = { parent: this, dependsOn: [namespace, ...networkPolicies, sensorException] };
        const chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            falco
                ? {
                      chart: FALCO_CHART,
                      version: FALCO_CHART_VERSION,
                      repositoryOpts: { repo: FALCO_CHART_REPOSITORY },
                      name: FALCO_RELEASE_NAME,
                      namespace: resolved.namespace,
                      values: falcoChartValues(resolved.env, FALCO_RULES_FILE, falcoRulesYaml(resolved)),
                  }
                : {
                      chart: TETRAGON_CHART,
                      version: TETRAGON_CHART_VERSION,
                      repositoryOpts: { repo: TETRAGON_CHART_REPOSITORY },
                      name: TETRAGON_RELEASE_NAME,
                      namespace: resolved.namespace,
                      values: tetragonChartValues(resolved.env),
                  },
            chartOptions,
        );

        if (!falco) {
            // On a shared cluster `namespaces` is empty: each env stack writes its own (EnvironmentTracingPolicies).
            registerTracingPolicies(name, environmentTracingPolicyManifests(resolved), {
                parent: this,
                dependsOn: [chart],
            });
        }

        this.namespace = namespace.metadata.name;
        this.engine = pulumi.output(resolved.engine);
        this.chartVersion = pulumi.output(chartVersion);
        this.registerOutputs({ namespace: this.namespace, engine: this.engine, chartVersion: this.chartVersion });
    }
}
