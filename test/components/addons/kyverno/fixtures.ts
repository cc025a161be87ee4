/**
 * Real manifests for the Kyverno tests: a Pod of a Deployment's ReplicaSet that complies with every rule of
 * the baseline (digest-pinned images from the env's registry, restricted security contexts, requests and
 * limits, probes, no API token), the Deployment and CronJob around the same pod template, a labelled
 * Namespace, and the arguments a user passes.
 */
import {
    BaselinePoliciesArgs,
    BaselinePolicyName,
    LabelSelectorRequirement,
    PolicyExceptionArgs,
} from "../../../../components/addons/kyverno";
import {
    ClusterLayout,
    ClusterTopology,
    Environment,
    ENVIRONMENTS,
    NamespaceLayout,
} from "../../../../components/baseline";

import { APP_REGISTRY, compliantPodSpec, restrictedContext } from "../../../../policy-pack/conformance/workload";

export { APP_REGISTRY, compliantPodSpec, DIGEST } from "../../../../policy-pack/conformance/workload";
export const OTHER_DIGEST = "sha256:" + "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
export const KEYLESS = {
    issuer: "https://token.actions.githubusercontent.com",
    subject: "https://github.com/shop/payments/.github/workflows/release.yml@refs/heads/main",
};
export const PUBLIC_KEY = [
    "-----BEGIN PUBLIC KEY-----",
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE6QsNef3SKYhJVYSVj+ZfbPwJd0pv",
    "DLYNHXITZkhIzfE+apcxDjCCkDPcJ3A3zvhPATYOIsCxYPch7Q2JdJLsDQ==",
    "-----END PUBLIC KEY-----",
].join("\n");

/** A Pod of the payments Deployment, as its ReplicaSet creates it, with a debug container added later. */
export function compliantPod(): Record<string, any> {
    const spec = compliantPodSpec();
    spec.ephemeralContainers = [
        {
            name: "debugger-x7k2p",
            image: `${APP_REGISTRY}debug-tools:2.1.0@${OTHER_DIGEST}`,
            targetContainerName: "api",
            stdin: true,
            tty: true,
            securityContext: restrictedContext(),
        },
    ];
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: "payments-api-7d9f5c6b8-x2x9z",
            namespace: "payments",
            labels: { "app.kubernetes.io/name": "payments-api", "pod-template-hash": "7d9f5c6b8" },
            ownerReferences: [
                {
                    apiVersion: "apps/v1",
                    kind: "ReplicaSet",
                    name: "payments-api-7d9f5c6b8",
                    uid: "6f1c2f8e-9a0b-4c5d-8e7f-0a1b2c3d4e5f",
                    controller: true,
                    blockOwnerDeletion: true,
                },
            ],
        },
        spec,
    };
}

/** A Pod of a CronJob's Job: runs to completion, so it needs no probes. */
export function jobPod(): Record<string, any> {
    const pod = compliantPod();
    pod.metadata.name = "payments-report-28911440-abcde";
    pod.metadata.ownerReferences = [
        {
            apiVersion: "batch/v1",
            kind: "Job",
            name: "payments-report-28911440",
            uid: "0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a",
            controller: true,
            blockOwnerDeletion: true,
        },
    ];
    pod.spec.restartPolicy = "Never";
    for (const container of pod.spec.containers) {
        delete container.livenessProbe;
        delete container.readinessProbe;
    }
    return pod;
}

/** The payments Deployment, whose template is the compliant pod spec. */
export function compliantDeployment(podSpec: Record<string, any> = compliantPodSpec()): Record<string, any> {
    const labels = { "app.kubernetes.io/name": "payments-api" };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "payments-api", namespace: "payments", labels },
        spec: {
            replicas: 3,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: podSpec },
        },
    };
}

/** A nightly report CronJob with the compliant pod spec (no probes: it runs to completion). */
export function compliantCronJob(podSpec: Record<string, any> = compliantPodSpec()): Record<string, any> {
    const spec = structuredClone(podSpec);
    spec.restartPolicy = "OnFailure";
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "payments-report", namespace: "payments" },
        spec: {
            schedule: "0 2 * * *",
            jobTemplate: {
                spec: { template: { metadata: { labels: { "app.kubernetes.io/name": "payments-report" } }, spec } },
            },
        },
    };
}

/** The payments namespace, labelled as SecureNamespace labels it in `env`. */
export function compliantNamespace(env = "prod"): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: "payments",
            labels: {
                "kubernetes.io/metadata.name": "payments",
                owner: "team-payments",
                env,
                tier: "app",
                "pod-security.kubernetes.io/enforce": "restricted",
            },
        },
    };
}

/** The day `days` after today (UTC), `YYYY-MM-DD`. */
export function daysFromToday(days: number): string {
    return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A valid exception, dated a month ahead. */
export function exceptionArgs(overrides: Partial<PolicyExceptionArgs> = {}): PolicyExceptionArgs {
    return {
        name: "legacy-reports-probes",
        policies: ["baseline-require-probes"],
        owner: "team-payments",
        reason: "The legacy report server has no health endpoint until PAY-1234 ships.",
        expires: daysFromToday(30),
        namespaces: ["payments"],
        ...overrides,
    };
}

/** BaselinePolicies arguments as a platform team passes them. */
export function policiesArgs(overrides: Partial<BaselinePoliciesArgs> = {}): BaselinePoliciesArgs {
    return {
        env: "prod",
        registries: [APP_REGISTRY],
        apiAccessServiceAccounts: [{ namespace: "payments", name: "payments-operator" }],
        ...overrides,
    };
}

/** The rules on Services and Ingresses, built from the env's exposure profile. */
export const EXPOSURE_RULES: readonly string[] = [
    BaselinePolicyName.RestrictNodePortServices,
    BaselinePolicyName.RestrictExternalIPs,
    BaselinePolicyName.RequireInternalLoadBalancers,
    BaselinePolicyName.RequireIngressTls,
];

/** The rules on RoleBindings and ClusterRoleBindings (their pack counterparts are stack policies): every env has them. */
export const BINDING_RULES: readonly string[] = [
    BaselinePolicyName.RestrictBindingSubjects,
    BaselinePolicyName.RestrictClusterAdminBindings,
];

/** The rules on NetworkPolicies: every env has them. */
export const NETWORK_POLICY_RULES: readonly string[] = [
    BaselinePolicyName.RestrictOpenNetworkRules,
    BaselinePolicyName.RestrictAllNamespacesPeers,
    BaselinePolicyName.RestrictWholeAddressSpace,
    BaselinePolicyName.RestrictMetadataEgress,
];

/** A shared cluster of `environments`, prod among them allowed (the configuration says so). */
export function sharedTopology(
    environments: readonly Environment[] = ENVIRONMENTS,
    namespaceLayout: NamespaceLayout = NamespaceLayout.PerApp,
): ClusterTopology {
    return {
        layout: ClusterLayout.Shared,
        namespaceLayout,
        environments: [...environments],
        allowProdWithLowerEnvironments: environments.includes(Environment.Prod),
    };
}

/**
 * Whether a label selector selects an object with `labels`, as the API server matches a webhook's or a
 * policy's namespaceSelector: every requirement holds; NotIn and DoesNotExist hold where the label is absent.
 */
export function selectorMatches(
    selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] },
    labels: Record<string, string>,
): boolean {
    const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    return (
        byLabel &&
        (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
            const has = Object.prototype.hasOwnProperty.call(labels, key);
            switch (operator) {
                case "In":
                    return has && values.includes(labels[key]);
                case "NotIn":
                    return !has || !values.includes(labels[key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    throw new Error(`unknown operator ${operator}`);
            }
        })
    );
}
