/**
 * The runtime security engines' Helm charts (Falco, Tetragon), their pins and the values they are installed
 * with, as data. Value keys are those of the charts' values.yaml at the pinned releases
 * (../shared/charts/falco/9.1.0, tetragon/1.7.0).
 */
import { Environment } from "../../baseline";

/**
 * Falco, from falcosecurity/charts. 9.1.0 (Falco 0.44.1) is the newest release verified against the chart's
 * own data; a newer one is pinned only once its values and templates are checked the same way.
 */
export const FALCO_CHART = "falco";
export const FALCO_CHART_REPOSITORY = "https://falcosecurity.github.io/charts";
export const FALCO_CHART_VERSION = "9.1.0";
export const FALCO_RELEASE_NAME = "falco";

/** Tetragon, from cilium/tetragon's chart in the Cilium Helm repository. */
export const TETRAGON_CHART = "tetragon";
export const TETRAGON_CHART_REPOSITORY = "https://helm.cilium.io";
export const TETRAGON_CHART_VERSION = "1.7.0";
export const TETRAGON_RELEASE_NAME = "tetragon";

/** Requests and limits of a sensor container. */
export interface SensorResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Requests and limits of the per-node sensor, by env: it runs on every node, so dev's is small; prod's has
 * room for the event rate of busy nodes, so that it is never throttled into dropping events.
 */
export const RUNTIME_SENSOR_RESOURCES: Readonly<Record<Environment, SensorResources>> = {
    dev: { requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    stage: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
    prod: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
};

/**
 * Falco's values: the modern eBPF driver with least privileges (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE and
 * CAP_SYS_PTRACE rather than a privileged container), the env's resources and the baseline's rules.
 */
export function falcoChartValues(env: Environment, rulesFile: string, rules: string): Record<string, unknown> {
    return {
        driver: { enabled: true, kind: "modern_ebpf", modernEbpf: { leastPrivileged: true } },
        resources: structuredClone(RUNTIME_SENSOR_RESOURCES[env]),
        customRules: { [rulesFile]: rules },
    };
}

/** Tetragon's values: the env's resources on the agent. */
export function tetragonChartValues(env: Environment): Record<string, unknown> {
    return {
        tetragon: { resources: structuredClone(RUNTIME_SENSOR_RESOURCES[env]) },
    };
}
