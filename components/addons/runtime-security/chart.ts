/**
 * The runtime security engines' Helm charts (Falco, Tetragon), their pins and the values they are installed
 * with, as data. Value keys are those of the charts' values.yaml at the pinned releases
 * (../shared/charts/falco/9.1.0, tetragon/1.7.0).
 */
import { Environment, RUNTIME_SECURITY_PROFILES } from "../../baseline";

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

/**
 * Falco's values: the modern eBPF driver with least privileges (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE and
 * CAP_SYS_PTRACE rather than a privileged container), the env profile's resources
 * (components/baseline RUNTIME_SECURITY_PROFILES) and the baseline's rules. falcoctl neither installs nor
 * follows rules artifacts: the rules are the image's own (pinned with the chart) and the baseline's, and the
 * namespace's default-deny egress would stop a download anyway.
 */
export function falcoChartValues(env: Environment, rulesFile: string, rules: string): Record<string, unknown> {
    return {
        driver: { enabled: true, kind: "modern_ebpf", modernEbpf: { leastPrivileged: true } },
        resources: structuredClone(RUNTIME_SECURITY_PROFILES[env].resources),
        falcoctl: { artifact: { install: { enabled: false }, follow: { enabled: false } } },
        customRules: { [rulesFile]: rules },
    };
}

/** Tetragon's values: the env profile's resources on the agent. */
export function tetragonChartValues(env: Environment): Record<string, unknown> {
    return {
        tetragon: { resources: structuredClone(RUNTIME_SECURITY_PROFILES[env].resources) },
    };
}
