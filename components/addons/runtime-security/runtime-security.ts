import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker, componentType, Environment, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../baseline";
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
import { FALCO_RULES_FILE, falcoRulesYaml } from "./falco-rules";
import { tracingPolicies } from "./tracing-policies";

/** The runtime security engines. */
export const RuntimeSecurityEngine = {
    Falco: "falco",
    Tetragon: "tetragon",
} as const;
export type RuntimeSecurityEngine = (typeof RuntimeSecurityEngine)[keyof typeof RuntimeSecurityEngine];

/** The namespace the engine runs in unless another is named: privileged, created by the platform. */
export const RUNTIME_SECURITY_NAMESPACE = "runtime-security";

/** Arguments of a RuntimeSecurity: one engine, once per cluster. */
export interface RuntimeSecurityArgs {
    /** Environment whose profile sets the sensor's resources; on a shared cluster the most demanding env. */
    env: Environment;
    /** The engine: `falco` or `tetragon`. Default: `falco`. */
    engine?: RuntimeSecurityEngine;
    /** Namespace to install the engine in, created beforehand with PSA `privileged`. Default: `runtime-security`. */
    namespace?: string;
    /** The envs' app namespaces the rules watch. */
    namespaces: string[];
    /** Of `namespaces`, the prod ones, where a terminal shell is an alert. Default: all of them when `env` is prod. */
    prodNamespaces?: string[];
    /** Of `namespaces`, those whose apps are declared to need the Kubernetes API. Default: none. */
    kubernetesApiNamespaces?: string[];
}

const COMPONENT = "RuntimeSecurity";
const ENGINES: readonly string[] = Object.values(RuntimeSecurityEngine);

/** The validated, defaulted input of a RuntimeSecurity. */
export interface ResolvedRuntimeSecurity {
    readonly env: Environment;
    readonly engine: RuntimeSecurityEngine;
    readonly namespace: string;
    readonly namespaces: readonly string[];
    readonly prodNamespaces: readonly string[];
    readonly kubernetesApiNamespaces: readonly string[];
}

/** Checks and defaults a RuntimeSecurity's arguments; throws an ArgumentError listing every problem. */
export function resolveRuntimeSecurityArgs(name: string, args: RuntimeSecurityArgs): ResolvedRuntimeSecurity {
    const check = new ArgsChecker(COMPONENT, name);
    check.environment(args.env);
    const engine = args.engine ?? RuntimeSecurityEngine.Falco;
    check.check(
        ENGINES.includes(engine),
        "engine",
        `${JSON.stringify(engine)} is not a runtime security engine`,
        `use one of ${ENGINES.join(", ")}`,
    );
    const namespace = args.namespace ?? RUNTIME_SECURITY_NAMESPACE;
    check.dnsLabel(namespace, "namespace");
    const namespaces = Array.isArray(args.namespaces) ? args.namespaces : [];
    check.check(
        Array.isArray(args.namespaces) && args.namespaces.length > 0,
        "namespaces",
        "no app namespace is named",
        "list the envs' app namespaces the rules watch",
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
    for (const [field, list] of [
        ["prodNamespaces", prodNamespaces],
        ["kubernetesApiNamespaces", kubernetesApiNamespaces],
    ] as const) {
        for (const ns of list) {
            check.check(
                namespaces.includes(ns),
                field,
                `"${ns}" is not one of namespaces`,
                "name only namespaces listed in namespaces",
            );
        }
    }
    check.throwIfInvalid();
    return { env: args.env, engine, namespace, namespaces, prodNamespaces, kubernetesApiNamespaces };
}

/**
 * Runtime security for one cluster: Falco (modern eBPF, least privileged) with the baseline's rules, or
 * Tetragon with TracingPolicyNamespaced objects generated from the same facts. The namespace must exist
 * beforehand with PSA `privileged` and its exemption (see components/baseline/policy-exceptions.ts).
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
        super(componentType(COMPONENT), name, {}, opts);

        const falco = resolved.engine === RuntimeSecurityEngine.Falco;
        const chartVersion = falco ? FALCO_CHART_VERSION : TETRAGON_CHART_VERSION;
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
            { parent: this },
        );

        if (!falco) {
            for (const policy of tracingPolicies({
                namespaces: resolved.namespaces,
                kubernetesApiNamespaces: resolved.kubernetesApiNamespaces,
                labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
            })) {
                new k8s.apiextensions.CustomResource(
                    `${name}-${policy.metadata.namespace}-${policy.metadata.name}`,
                    { ...policy },
                    { parent: this, dependsOn: [chart] },
                );
            }
        }

        this.namespace = pulumi.output(resolved.namespace);
        this.engine = pulumi.output(resolved.engine);
        this.chartVersion = pulumi.output(chartVersion);
        this.registerOutputs({ namespace: this.namespace, engine: this.engine, chartVersion: this.chartVersion });
    }
}
