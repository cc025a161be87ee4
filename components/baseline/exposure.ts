/**
 * How far an environment's workloads may reach out of the cluster, and which tokens and certificates they
 * may be given: the facts the pack's services, cert-manager and token policies and the Kyverno generator
 * share. Per env, as the rest of the profile (environments.ts).
 */
import { Environment } from "./environments";
import { PLATFORM_NAMESPACES } from "./labels";
import { STS_AUDIENCE } from "./naming";

/** What an env lets a Service, an Ingress and a cert-manager issuer do. */
export interface ExposureProfile {
    /** Services of type NodePort (a port open on every node, outside any load balancer's rules). */
    readonly nodePortServices: boolean;
    /**
     * `spec.externalIPs` on a Service: lets whoever creates the Service take over traffic to any IP the cluster
     * routes (CVE-2020-8554, which Kubernetes will not fix in the API server). Never needed on EKS.
     */
    readonly externalIPs: boolean;
    /** Which LoadBalancer Services: `any`, or only `internal` ones (reachable from the VPC only). */
    readonly loadBalancers: "any" | "internal";
    /** Every host of an Ingress must be served over TLS (listed in one of its `spec.tls[].hosts`). */
    readonly ingressTls: boolean;
    /** cert-manager issuers of type `selfSigned`: certificates that no client can verify against a CA. */
    readonly selfSignedIssuers: boolean;
}

/** The exposure profile of every env. Unknown env: judge as prod. */
export const EXPOSURE_PROFILES: Readonly<Record<Environment, ExposureProfile>> = {
    // Dev may open NodePorts and public load balancers to reach a workload under test, and serve plain HTTP.
    dev: {
        nodePortServices: true,
        externalIPs: false,
        loadBalancers: "any",
        ingressTls: false,
        selfSignedIssuers: true,
    },
    stage: {
        nodePortServices: false,
        externalIPs: false,
        loadBalancers: "internal",
        ingressTls: true,
        selfSignedIssuers: true,
    },
    prod: {
        nodePortServices: false,
        externalIPs: false,
        loadBalancers: "internal",
        ingressTls: true,
        selfSignedIssuers: false,
    },
};

/** The exposure profile of `env`; prod's when the env is unknown. */
export function exposureProfileFor(env: Environment | undefined): ExposureProfile {
    return EXPOSURE_PROFILES[env ?? Environment.Prod];
}

/**
 * The annotations that make an AWS load balancer internal. The AWS Load Balancer Controller reads
 * `aws-load-balancer-scheme` (`internal` or `internet-facing`); the in-tree cloud provider ignores it and reads
 * only `aws-load-balancer-internal` (internal for any value but "false"), which the controller still honours
 * (deprecated) when no scheme is given. Which controller serves a Service depends on the cluster, so a Service
 * counts as internal only when the controller that will serve it is sure to read an internal setting:
 * `aws-load-balancer-internal: "true"` with no scheme and no other loadBalancerClass, or scheme `internal`
 * on a Service that names the AWS Load Balancer Controller (AWS_LBC_LOAD_BALANCER_CLASS or one of
 * AWS_LBC_LOAD_BALANCER_TYPES).
 */
export const AwsLoadBalancerAnnotation = {
    Scheme: "service.beta.kubernetes.io/aws-load-balancer-scheme",
    Internal: "service.beta.kubernetes.io/aws-load-balancer-internal",
    Type: "service.beta.kubernetes.io/aws-load-balancer-type",
} as const;

/** The `aws-load-balancer-scheme` value of an internal load balancer. */
export const AWS_LB_SCHEME_INTERNAL = "internal";

/** The `aws-load-balancer-internal` value that makes an internal load balancer. */
export const AWS_LB_INTERNAL_TRUE = "true";

/** The `spec.loadBalancerClass` of the AWS Load Balancer Controller. */
export const AWS_LBC_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

/** `aws-load-balancer-type` values that hand a Service to the AWS Load Balancer Controller. */
export const AWS_LBC_LOAD_BALANCER_TYPES: readonly string[] = ["external", "nlb-ip"];

/**
 * Audiences of projected ServiceAccount tokens that are not Kubernetes API tokens. A projected token's
 * audience defaults to the API server's identifier, and the API server accepts a token whose audience is one
 * of its `--api-audiences` (on EKS, the cluster's own, which no app chooses). STS_AUDIENCE is what IRSA
 * exchanges with AWS STS, and what the EKS API server does not accept. Any other audience may be one the API
 * server accepts (the pack cannot read its flags), so such a token counts as an API token.
 */
export const NON_API_TOKEN_AUDIENCES: readonly string[] = [STS_AUDIENCE];

/**
 * The Secret type the token controller fills with a never-expiring token of the ServiceAccount named by the
 * LEGACY_TOKEN_ACCOUNT_ANNOTATION: whoever may create one mints a token for any account of the namespace.
 */
export const LEGACY_TOKEN_SECRET_TYPE = "kubernetes.io/service-account-token";
export const LEGACY_TOKEN_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name";

/** The cluster's own namespace (one of SYSTEM_NAMESPACES). */
export const KUBE_SYSTEM_NAMESPACE = "kube-system";

/**
 * The namespaces Kyverno's baseline policies do not judge at admission. Admission cannot see who wrote an
 * object (Pulumi parents are not in the request), so this is a choice by name, made only where it is safe:
 *
 * - the add-ons' own namespaces (PLATFORM_NAMESPACES): only the platform writes to them (no app is granted
 *   access there), and the add-ons must start while Kyverno is down, which a fail-closed policy forbids;
 * - kube-system: EKS runs its own components there (aws-node, kube-proxy, CoreDNS), privileged and from AWS's
 *   registries, so the app baseline would refuse them, and with Kyverno down a node could not start its
 *   networking pods, so Kyverno itself could not be rescheduled.
 *
 * kube-public, kube-node-lease and default run none of the cluster's pods and are judged like any app
 * namespace. The pack judges every namespace, kube-system included: only the platform's own chart resources
 * are left to their charts (policy-pack/policies/platform.ts).
 */
export const ADMISSION_EXCLUDED_NAMESPACES: readonly string[] = [
    KUBE_SYSTEM_NAMESPACE,
    ...Object.values(PLATFORM_NAMESPACES),
];

/**
 * ingress-nginx copies annotations of this prefix whose name ends in `-snippet` (server-snippet,
 * configuration-snippet, auth-snippet, stream-snippet, modsecurity-snippet...) into the controller's own
 * nginx configuration: whoever may write an Ingress can then run directives as the controller, whose
 * ServiceAccount reads every Secret of the cluster (CVE-2021-25742, CVE-2025-1974). The baseline refuses them
 * in every env; ingress-nginx itself turns them off by default since 1.9 (`allow-snippet-annotations`).
 */
export const INGRESS_NGINX_ANNOTATION_PREFIX = "nginx.ingress.kubernetes.io/";

/** True when `key` is an ingress-nginx configuration snippet annotation. */
export function isIngressSnippetAnnotation(key: string): boolean {
    const lower = key.toLowerCase();
    return lower.startsWith(INGRESS_NGINX_ANNOTATION_PREFIX) && lower.endsWith("-snippet");
}
