/**
 * Runtime security facts: where the per-node sensor (Falco or Tetragon) runs, what it may be exempted from
 * and by whom, what it is given, and where it may be left out. RuntimeSecurity writes its namespace and its
 * Kyverno PolicyException from these; the pack recognises the same namespace and exception from them.
 *
 * The sensor needs what no app may have (hostPath, BPF and perfmon capabilities, host PID), so its
 * namespace enforces Pod Security `privileged`. That namespace is not one of ADMISSION_EXCLUDED_NAMESPACES:
 * Kyverno judges it like any other, and one PolicyException, bounded to it and to the policies listed here,
 * waives the rest. The pack takes the namespace and the exception as the platform's only when the engine's
 * URN shows RuntimeSecurity as their parent (policy-pack/policies/runtime-security.ts), never by a name or a
 * label anyone could write; `k8s-baseline check`, which trusts no URN, judges them like any other object.
 */
import { Environment } from "./environments";
import { BaselinePolicyName } from "./policy-names";
import { ClusterTopology, environmentScopedName } from "./topology";

/** Where the kubelet mounts a pod's projected ServiceAccount token: a read by another process is watched. */
export const SERVICE_ACCOUNT_TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount/";
/** Where EKS mounts the web-identity token IRSA exchanges for AWS credentials: watched as the token is. */
export const EKS_WEB_IDENTITY_TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount/";

/** The owner label of the sensor's namespace and the owner of its exception. */
export const RUNTIME_SECURITY_OWNER = "platform";

/** The name of the sensor's PolicyException (scoped per env on a shared cluster, as its policies are). */
export const RUNTIME_SECURITY_EXCEPTION_NAME = "runtime-security-sensor";

/** Why the sensor's exception exists: the reason its PolicyException carries. */
export const RUNTIME_SECURITY_EXCEPTION_REASON =
    "The runtime security sensor reads every node's kernel events: it mounts host paths, adds BPF, PERFMON, " +
    "SYS_RESOURCE and SYS_PTRACE (Tetragon runs privileged with host PID), writes to its root filesystem, reads " +
    "the API with its token, and runs the engine's upstream images by tag. It runs only in its own namespace, " +
    "which RuntimeSecurity creates and nobody else deploys to; the exception lasts as long as the sensor.";

/**
 * The baseline policies (BaselinePolicyName, policy-names.ts) the sensor is
 * exempted from, and no other: the tag rule, the namespace and network rules, the binding rules and every
 * ephemeral-container twin still apply in its namespace. Host paths, host PID and privilege are Pod
 * Security's, which the namespace's `privileged` level admits.
 */
export const RUNTIME_SECURITY_EXEMPT_POLICIES: readonly string[] = [
    BaselinePolicyName.RequireImageDigest,
    BaselinePolicyName.RestrictImageRegistries,
    BaselinePolicyName.RequireRequestsLimits,
    BaselinePolicyName.RequireProbes,
    BaselinePolicyName.RequireReadOnlyRootFilesystem,
    BaselinePolicyName.RestrictCapabilities,
    BaselinePolicyName.RestrictServiceAccountToken,
];

/** The policies' names as the env's BaselinePolicies name them on `topology` (`<policy>-<env>` when shared). */
export function runtimeSecurityExemptPolicyNames(env: Environment, topology: ClusterTopology): string[] {
    return RUNTIME_SECURITY_EXEMPT_POLICIES.map((policy) => environmentScopedName(policy, env, topology));
}

/** The exception's name as the env's BaselinePolicies would scope it on `topology`. */
export function runtimeSecurityExceptionName(env: Environment, topology: ClusterTopology): string {
    return environmentScopedName(RUNTIME_SECURITY_EXCEPTION_NAME, env, topology);
}

/** Runtime security engines. */
export const RuntimeSecurityEngine = {
    Falco: "falco",
    Tetragon: "tetragon",
} as const;
export type RuntimeSecurityEngine = (typeof RuntimeSecurityEngine)[keyof typeof RuntimeSecurityEngine];

/** CPU and memory of a sensor container. */
export interface SensorQuantities {
    readonly cpu: string;
    readonly memory: string;
}

/** Requests and limits of a sensor container. */
export interface SensorResources {
    readonly requests: SensorQuantities;
    readonly limits: SensorQuantities;
}

/** What runtime security is, per env. */
export interface RuntimeSecurityProfile {
    /** The sensor must run on the env's cluster: it cannot be turned off. */
    readonly required: boolean;
    /** The engine installed when the configuration names none. */
    readonly defaultEngine: RuntimeSecurityEngine;
    /**
     * Requests and limits of the per-node sensor: it runs on every node, so dev's is small; prod's has room
     * for the event rate of busy nodes, so that it is never throttled into dropping events.
     */
    readonly resources: SensorResources;
}

/**
 * The profiles: prod must run a sensor (the seeds ask for runtime detection there), stage and dev may turn
 * it off (a cluster without the BPF features, a cost-bound sandbox). Falco by default everywhere, so that the
 * rules promoted from dev are those prod runs; Tetragon is chosen by configuration.
 */
export const RUNTIME_SECURITY_PROFILES: Readonly<Record<Environment, RuntimeSecurityProfile>> = {
    dev: {
        required: false,
        defaultEngine: RuntimeSecurityEngine.Falco,
        resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
    stage: {
        required: false,
        defaultEngine: RuntimeSecurityEngine.Falco,
        resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
    },
    prod: {
        required: true,
        defaultEngine: RuntimeSecurityEngine.Falco,
        resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
    },
};

/**
 * The address of the `kubernetes` Service in an EKS cluster whose service CIDR was not chosen: EKS takes
 * 10.100.0.0/16, or 172.20.0.0/16 when the VPC is in 10.0.0.0/8, and the Service gets the first address. A
 * pod's connection to the API goes to that address; kube-proxy's iptables or IPVS rules translate it to the
 * control plane's endpoints only after the socket is connected, so a probe on the socket sees this address.
 */
export const EKS_DEFAULT_KUBERNETES_SERVICE_IPS: readonly string[] = ["10.100.0.1/32", "172.20.0.1/32"];
