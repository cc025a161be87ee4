/**
 * The cert-manager Helm chart this package installs, and the values it is installed with, built as data.
 */
import * as pulumi from "@pulumi/pulumi";
import { profileFor, RESTRICTED_CONTAINER_SECURITY_CONTEXT, RESTRICTED_POD_SECURITY_CONTEXT } from "../../baseline";
import { IdentityMode } from "../../aws/workload-identity";
import type { ResolvedCertManager } from "./cert-manager";

/** The chart, from cert-manager's own repository. */
export const CERT_MANAGER_CHART = "cert-manager";
export const CERT_MANAGER_CHART_REPOSITORY = "https://charts.jetstack.io";

/**
 * The chart version installed unless another is pinned. The repository publishes versions with a leading
 * `v`, equal to the release tag and to the images' tag.
 */
export const CERT_MANAGER_CHART_VERSION = "v1.21.1";

/**
 * The Helm release name. The chart derives its objects' names from it (`cert-manager`, `cert-manager-webhook`,
 * `cert-manager-cainjector`), so fixing it keeps them independent of the Pulumi resource name.
 */
export const CERT_MANAGER_RELEASE_NAME = "cert-manager";

/** Where the chart's images come from: `<imageRegistry>/<imageNamespace>/`, one of the platform registries. */
export const CERT_MANAGER_IMAGE_REGISTRY = "quay.io";
export const CERT_MANAGER_IMAGE_NAMESPACE = "jetstack";

/** Requests and limits of one container. */
export interface CertManagerContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The chart's components that run pods. */
export type CertManagerComponent = "controller" | "webhook" | "cainjector" | "startupapicheck";

/**
 * Requests and limits of each cert-manager container. The controller and cainjector cache Certificates and
 * Secrets, and so need the most memory; the webhook only validates and converts objects.
 */
export const CERT_MANAGER_RESOURCES: Readonly<Record<CertManagerComponent, CertManagerContainerResources>> = {
    controller: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    webhook: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    cainjector: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    startupapicheck: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
};

/**
 * Controller flags. Namespaced Issuers, which anyone with `edit` in a namespace may create, never solve
 * challenges with the controller's own AWS identity. ClusterIssuers may only where the controller holds one
 * env's role itself (Pod Identity, on a cluster of that env's own); with IRSA each env's ClusterIssuer assumes
 * its own role with its own ServiceAccount's token, and the controller holds no AWS identity to fall back on.
 */
export function certManagerControllerArgs(identityMode: IdentityMode): string[] {
    return [
        "--issuer-ambient-credentials=false",
        `--cluster-issuer-ambient-credentials=${identityMode === IdentityMode.PodIdentity}`,
    ];
}

/** The security contexts and resources of one of the chart's pods, as its values spell them. */
function hardened(component: CertManagerComponent): Record<string, unknown> {
    return {
        securityContext: structuredClone(RESTRICTED_POD_SECURITY_CONTEXT),
        containerSecurityContext: structuredClone(RESTRICTED_CONTAINER_SECURITY_CONTEXT),
        resources: structuredClone(CERT_MANAGER_RESOURCES[component]),
    };
}

/** Replicas and disruption budget of a long-running component, from the env's profile, and no chart NetworkPolicy. */
function highlyAvailable(resolved: ResolvedCertManager): Record<string, unknown> {
    const profile = profileFor(resolved.env);
    return {
        replicaCount: profile.addonReplicas,
        // maxUnavailable rather than minAvailable: a drain evicts at most one pod of each component at a time,
        // whatever the replica count, and is never blocked outright.
        podDisruptionBudget: profile.podDisruptionBudget ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        // The chart's own policies allow ingress from every source and egress to every address on 80, 443,
        // 53 and 6443. NetworkPolicies only add, so they would reopen the namespace's default-deny. The
        // namespace's own rules (SecureNamespace: the control plane in to the webhook, the platform CIDRs out
        // on 443, DNS) are what the pods need: the chart renders none.
        networkPolicy: { enabled: false },
    };
}

/**
 * The chart values of a cluster's cert-manager: CRDs through the chart and kept, restricted security
 * contexts, requests and limits on every container, replicas and disruption budgets from the env's profile,
 * and ambient credentials for ClusterIssuers only with Pod Identity.
 */
export function certManagerChartValues(resolved: ResolvedCertManager): Record<string, unknown> {
    return {
        crds: { enabled: true, keep: true },
        global: {
            // The default is kube-system: the chart would create its leader election Role there. In the
            // release's namespace, cert-manager needs no rights in kube-system at all.
            leaderElection: { namespace: resolved.namespace },
        },
        imageRegistry: CERT_MANAGER_IMAGE_REGISTRY,
        imageNamespace: CERT_MANAGER_IMAGE_NAMESPACE,

        ...highlyAvailable(resolved),
        ...hardened("controller"),
        serviceAccount: {
            create: true,
            // The name an EnvironmentIssuer's RoleBinding (and, with Pod Identity, its association) names. No
            // role annotation: the controller holds no AWS identity of its own.
            name: resolved.serviceAccountName,
            annotations: {},
        },
        extraArgs: certManagerControllerArgs(resolved.identityMode),

        webhook: { ...highlyAvailable(resolved), ...hardened("webhook") },
        cainjector: { ...highlyAvailable(resolved), ...hardened("cainjector") },
        startupapicheck: {
            // A post-install Helm hook, and helm.v4.Chart does not run hooks: it would never be created.
            // Pulumi's own readiness checks on the webhook stand in for it. Hardened all the same, should it
            // ever be turned on.
            enabled: false,
            ...hardened("startupapicheck"),
        },
    };
}

const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Keeps the chart's CRDs when the chart is deleted, as `crds.keep` asks of Helm: deleting a CRD deletes every
 * Certificate, Issuer and ClusterIssuer of the cluster with it. Pulumi deletes the objects it manages, so the
 * intent is stated to Pulumi as well.
 */
export function keepCustomResourceDefinitions(
    args: pulumi.ResourceTransformArgs,
): pulumi.ResourceTransformResult | undefined {
    if (args.type !== CRD_TYPE) return undefined;
    return { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) };
}
