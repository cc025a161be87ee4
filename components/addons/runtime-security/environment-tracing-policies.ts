/**
 * Tetragon's TracingPolicyNamespaced objects of one env's own namespaces, created by the env's stack when the
 * cluster it shares runs Tetragon: the cluster stack's RuntimeSecurity installs the chart, its namespace and
 * its exception, and knows no env's namespaces or apps; each env stack writes the policies of its own
 * namespaces from its own app declarations, with the same generator (tracing-policies.ts). One env's stack
 * never writes into another env's namespaces: every namespace is checked to be the env's under the layout.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ADDON_NAMESPACES,
    ArgsChecker,
    ClusterTopology,
    dedicatedTopology,
    EKS_DEFAULT_KUBERNETES_SERVICE_IPS,
    Environment,
    environmentNamespacePattern,
    isEnvironment,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    namespaceBelongsTo,
} from "../../baseline";
import { checkPeerCidrs } from "../../kubernetes/network";
import { TracingPolicyManifest, tracingPolicies } from "./tracing-policies";

/**
 * Checks where a sensor's API-connection watch looks: the control plane's CIDR blocks (required) and the
 * `kubernetes` Service's addresses (EKS's defaults unless given); returns the latter, defaults applied.
 */
export function checkApiAddresses(
    check: ArgsChecker,
    apiServerCidrs: readonly string[] | undefined,
    kubernetesServiceCidrs: readonly string[] = EKS_DEFAULT_KUBERNETES_SERVICE_IPS,
): string[] {
    if (
        check.check(
            Array.isArray(apiServerCidrs) && apiServerCidrs.length > 0,
            "apiServerCidrs",
            "is empty",
            "list the CIDR blocks of the control plane's network interfaces (the cluster's controlPlaneCidrs)",
        )
    ) {
        checkPeerCidrs(check, apiServerCidrs, "apiServerCidrs");
    }
    checkPeerCidrs(check, kubernetesServiceCidrs, "kubernetesServiceCidrs");
    return [...kubernetesServiceCidrs];
}
/** Arguments of an EnvironmentTracingPolicies: one env's namespaces on a cluster whose sensor is Tetragon. */
export interface EnvironmentTracingPoliciesArgs {
    /** The env whose namespaces the policies go into. */
    env: Environment;
    /** The env's app namespaces: each gets the token-read policy (none in an env with no app yet). */
    namespaces: string[];
    /** Of `namespaces`, those whose apps are declared to need the Kubernetes API. Default: none. */
    kubernetesApiNamespaces?: string[];
    /** CIDR blocks of the API server's endpoints (the cluster's controlPlaneCidrs). */
    apiServerCidrs: string[];
    /**
     * The `kubernetes` Service's address, as CIDR blocks. Default: EKS's defaults
     * (EKS_DEFAULT_KUBERNETES_SERVICE_IPS), as the cluster's RuntimeSecurity takes them.
     */
    kubernetesServiceCidrs?: string[];
    /** How envs share the cluster: which namespaces are the env's. Default: the env's own cluster. */
    topology?: ClusterTopology;
}

const COMPONENT = "EnvironmentTracingPolicies";

/** The validated, defaulted input of an EnvironmentTracingPolicies. */
export interface ResolvedEnvironmentTracingPolicies {
    readonly env: Environment;
    readonly namespaces: readonly string[];
    readonly kubernetesApiNamespaces: readonly string[];
    readonly apiServerCidrs: readonly string[];
    readonly kubernetesServiceCidrs: readonly string[];
    readonly topology: ClusterTopology;
}

/** Checks and defaults an EnvironmentTracingPolicies' arguments; throws an ArgumentError listing every problem. */
export function resolveEnvironmentTracingPoliciesArgs(
    name: string,
    args: EnvironmentTracingPoliciesArgs,
): ResolvedEnvironmentTracingPolicies {
    const check = new ArgsChecker(COMPONENT, name);
    check.environment(args.env);
    const env = isEnvironment(args.env) ? args.env : Environment.Prod;
    const topology = args.topology ?? dedicatedTopology(env);
    check.check(Array.isArray(args.namespaces), "namespaces", "is not a list", "list the env's app namespaces");
    const namespaces = Array.isArray(args.namespaces) ? args.namespaces : [];
    namespaces.forEach((ns, i) => {
        if (!check.dnsLabel(ns, `namespaces[${i}]`)) return;
        if (
            !check.check(
                !ADDON_NAMESPACES.includes(ns),
                `namespaces[${i}]`,
                `${ns} is a platform namespace`,
                "list only the env's app namespaces",
            )
        ) {
            return;
        }
        // The policies of another env's namespace are that env's stack's: two stacks would overwrite each other.
        check.check(
            namespaceBelongsTo(ns, env, topology),
            `namespaces[${i}]`,
            `${ns} is not one of ${env}'s namespaces on the shared cluster`,
            `list only ${env}'s namespaces (${environmentNamespacePattern(env, topology.namespaceLayout).replace("*", "<app>")})`,
        );
    });
    const kubernetesApiNamespaces = args.kubernetesApiNamespaces ?? [];
    kubernetesApiNamespaces.forEach((ns, i) =>
        check.check(
            namespaces.includes(ns),
            `kubernetesApiNamespaces[${i}]`,
            `"${ns}" is not one of namespaces`,
            "name only namespaces listed in namespaces",
        ),
    );
    const kubernetesServiceCidrs = checkApiAddresses(check, args.apiServerCidrs, args.kubernetesServiceCidrs);
    check.throwIfInvalid();
    return {
        env,
        namespaces,
        kubernetesApiNamespaces,
        apiServerCidrs: [...args.apiServerCidrs],
        kubernetesServiceCidrs,
        topology,
    };
}

/** The manifests of an env's policies: the generator's, labelled as the platform's. */
export function environmentTracingPolicyManifests(resolved: {
    readonly namespaces: readonly string[];
    readonly kubernetesApiNamespaces: readonly string[];
    readonly apiServerCidrs: readonly string[];
    readonly kubernetesServiceCidrs: readonly string[];
}): TracingPolicyManifest[] {
    return tracingPolicies({
        namespaces: resolved.namespaces,
        kubernetesApiNamespaces: resolved.kubernetesApiNamespaces,
        apiServerCidrs: [...resolved.apiServerCidrs, ...resolved.kubernetesServiceCidrs],
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    });
}

/** Registers each manifest as a custom resource named `<name>-<namespace>-<policy>`. */
export function registerTracingPolicies(
    name: string,
    manifests: readonly TracingPolicyManifest[],
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource[] {
    return manifests.map(
        (policy) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${policy.metadata.namespace}-${policy.metadata.name}`,
                { ...policy },
                opts,
            ),
    );
}

/**
 * The TracingPolicyNamespaced objects of one env's namespaces on a cluster whose sensor (Tetragon) another
 * stack installs: the generator's policies for the env's namespaces and no other's. Tetragon's CRDs must
 * exist: the cluster stack is deployed first. The namespaces must exist: make it depend on them.
 */
export class EnvironmentTracingPolicies extends pulumi.ComponentResource {
    /** `<namespace>/<policy>` of each policy. */
    public readonly policies: pulumi.Output<string[]>;

    constructor(name: string, args: EnvironmentTracingPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveEnvironmentTracingPoliciesArgs(name, args);
        super(`k8s-baseline:index:${COMPONENT}`, name, {}, opts);
        const manifests = environmentTracingPolicyManifests(resolved);
        registerTracingPolicies(name, manifests, { parent: this });
        this.policies = pulumi.output(manifests.map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
        this.registerOutputs({ policies: this.policies });
    }
}
