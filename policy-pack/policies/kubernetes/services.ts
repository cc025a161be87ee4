/**
 * How Services and Ingresses reach out of the cluster, by the env's exposure profile (components/baseline
 * EXPOSURE_PROFILES): NodePort Services, `spec.externalIPs` (CVE-2020-8554), LoadBalancer Services that are not
 * internal, and Ingresses that serve a host without TLS. The preview-time twins of Kyverno's
 * baseline-restrict-nodeport-services, baseline-restrict-external-ips, baseline-require-internal-load-balancers
 * and baseline-require-ingress-tls (components/addons/kyverno/policies.ts), built from the same facts.
 *
 * The env is envOf's; a resource whose env nothing names is judged as prod. Nothing is exempt by namespace:
 * only the platform's own chart resources (policies/platform.ts) are left to their charts. A value the verdict
 * depends on that is unknown at preview is reported unknown.
 */
import {
    AWS_LB_INTERNAL_TRUE,
    AWS_LB_SCHEME_INTERNAL,
    AWS_LBC_LOAD_BALANCER_CLASS,
    AWS_LBC_LOAD_BALANCER_TYPES,
    AwsLoadBalancerAnnotation,
    exposureProfileFor,
    ExposureProfile,
    isIngressSnippetAnnotation,
} from "../../../components/baseline";
import { isPlatformChartResource } from "../platform";
import { containsUnknown, describeResource, envOf, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, Reporter, ResourcePolicy, Severity } from "../types";

export const SERVICES_GROUP = "services";
export const SERVICE_TYPE = "kubernetes:core/v1:Service";
export const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The exposure profile `resource` is judged by, or undefined when it is a platform chart's. */
function profileOf(resource: PolicyResource, settings: PolicySettings): ExposureProfile | undefined {
    if (isPlatformChartResource(resource, settings)) return undefined;
    return exposureProfileFor(envOf(resource, settings));
}

/** `spec.<field>` of a Service, or undefined after reporting where it is unknown. */
function specField(resource: PolicyResource, field: string, report: Reporter): { known: boolean; value: unknown } {
    const spec = resource.props?.spec;
    if (isUnknown(spec)) {
        report.unknown("spec");
        return { known: false, value: undefined };
    }
    const value = asObject(spec)?.[field];
    if (isUnknown(value)) {
        report.unknown(`spec.${field}`);
        return { known: false, value: undefined };
    }
    return { known: true, value };
}

/** Where an env's profile comes from, for messages. */
function envText(resource: PolicyResource, settings: PolicySettings): string {
    return envOf(resource, settings) ?? "prod (no env named)";
}

export const servicesNoNodePort: ResourcePolicy = {
    kind: "resource",
    name: "services-no-node-port",
    group: SERVICES_GROUP,
    description:
        "No Service of type NodePort where the env's profile refuses them (stage, prod): a NodePort opens the " +
        "Service on every node, outside any load balancer's rules and the Ingress's TLS.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Use type ClusterIP behind an Ingress, or an internal LoadBalancer Service (services-internal-load-balancer).",
    url: "https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport",
    types: [SERVICE_TYPE],
    validate(resource, settings, report) {
        const profile = profileOf(resource, settings);
        if (!profile || profile.nodePortServices) return;
        const type = specField(resource, "type", report);
        if (type.known && type.value === "NodePort") {
            report.violation(
                `${describeResource(resource)} is of type NodePort, which ${envText(resource, settings)} does not allow`,
            );
        }
    },
};

export const servicesNoExternalIps: ResourcePolicy = {
    kind: "resource",
    name: "services-no-external-ips",
    group: SERVICES_GROUP,
    description:
        "No Service sets spec.externalIPs: whoever may create a Service with external IPs can intercept the " +
        "cluster's traffic to those IPs (CVE-2020-8554, which Kubernetes does not fix in the API server).",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove spec.externalIPs; expose the Service through an internal LoadBalancer Service or an Ingress.",
    url: "https://github.com/kubernetes/kubernetes/issues/97076",
    types: [SERVICE_TYPE],
    validate(resource, settings, report) {
        const profile = profileOf(resource, settings);
        if (!profile || profile.externalIPs) return;
        const ips = specField(resource, "externalIPs", report);
        if (!ips.known || !Array.isArray(ips.value) || ips.value.length === 0) return;
        const shown = ips.value.map((ip) => (isUnknown(ip) ? "(unknown)" : String(ip))).join(", ");
        report.violation(`${describeResource(resource)} sets spec.externalIPs (${shown}) (CVE-2020-8554)`);
    },
};

/**
 * Whether a LoadBalancer Service's annotations and class make it internal under every AWS controller that may
 * serve it (AwsLoadBalancerAnnotation); undefined when a value that decides it is unknown.
 */
export function internalLoadBalancer(annotations: unknown, loadBalancerClass: unknown): boolean | undefined {
    if (isUnknown(annotations) || isUnknown(loadBalancerClass)) return undefined;
    const a = asObject(annotations) ?? {};
    const read = (key: string): unknown => (Object.hasOwn(a, key) ? a[key] : undefined);
    const scheme = read(AwsLoadBalancerAnnotation.Scheme);
    const internal = read(AwsLoadBalancerAnnotation.Internal);
    const type = read(AwsLoadBalancerAnnotation.Type);
    if (isUnknown(scheme) || isUnknown(internal) || isUnknown(type)) return undefined;
    const hasClass = loadBalancerClass !== undefined && loadBalancerClass !== null;
    const byController = hasClass
        ? loadBalancerClass === AWS_LBC_LOAD_BALANCER_CLASS
        : typeof type === "string" && AWS_LBC_LOAD_BALANCER_TYPES.includes(type);
    if (scheme === AWS_LB_SCHEME_INTERNAL && byController) return true;
    return (
        scheme === undefined &&
        internal === AWS_LB_INTERNAL_TRUE &&
        (!hasClass || loadBalancerClass === AWS_LBC_LOAD_BALANCER_CLASS)
    );
}

export const servicesInternalLoadBalancer: ResourcePolicy = {
    kind: "resource",
    name: "services-internal-load-balancer",
    group: SERVICES_GROUP,
    description:
        "A LoadBalancer Service is internal where the env's profile asks for it (stage, prod), as every AWS " +
        "controller that may serve it reads it: scheme internal on a Service handed to the AWS Load Balancer " +
        'Controller, or aws-load-balancer-internal: "true" with no scheme. Without that, the in-tree provider ' +
        "creates an internet-facing load balancer.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Set spec.loadBalancerClass: ${AWS_LBC_LOAD_BALANCER_CLASS} and the annotation ` +
        `${AwsLoadBalancerAnnotation.Scheme}: ${AWS_LB_SCHEME_INTERNAL}; expose public endpoints through the ` +
        "platform's reviewed Ingress instead.",
    url: "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#lb-scheme",
    types: [SERVICE_TYPE],
    validate(resource, settings, report) {
        const profile = profileOf(resource, settings);
        if (!profile || profile.loadBalancers !== "internal") return;
        const type = specField(resource, "type", report);
        if (!type.known || type.value !== "LoadBalancer") return;
        const metadata = resource.props?.metadata;
        const annotations = isUnknown(metadata) ? metadata : asObject(metadata)?.annotations;
        const lbClass = specField(resource, "loadBalancerClass", report);
        if (!lbClass.known) return;
        const internal = internalLoadBalancer(annotations, lbClass.value);
        if (internal === undefined) {
            report.unknown("metadata.annotations");
        } else if (!internal) {
            report.violation(
                `${describeResource(resource)} is a LoadBalancer Service that is not certainly internal, which ` +
                    `${envText(resource, settings)} requires: set ${AwsLoadBalancerAnnotation.Scheme}: ` +
                    `${AWS_LB_SCHEME_INTERNAL} with spec.loadBalancerClass ${AWS_LBC_LOAD_BALANCER_CLASS}`,
            );
        }
    },
};

/** True when the TLS host `tlsHost` covers `host`: equal, or a one-label wildcard (`*.example.com`). */
export function tlsHostCovers(tlsHost: string, host: string): boolean {
    if (tlsHost === host) return true;
    if (!tlsHost.startsWith("*.")) return false;
    const suffix = tlsHost.slice(1);
    if (host.length <= suffix.length || !host.endsWith(suffix)) return false;
    return !host.slice(0, host.length - suffix.length).includes(".");
}

export const servicesIngressTls: ResourcePolicy = {
    kind: "resource",
    name: "services-ingress-tls",
    group: SERVICES_GROUP,
    description:
        "Where the env's profile asks for it (stage, prod), an Ingress serves every host over TLS: each rule's host " +
        "is listed in (or matched by a one-label wildcard of) one of its spec.tls[].hosts, and a rule without a " +
        "host has a tls entry without hosts. An Ingress without tls serves plain HTTP.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Add spec.tls entries listing every host of spec.rules, with a secretName cert-manager issues (annotate the " +
        "Ingress with cert-manager.io/cluster-issuer).",
    url: "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
    types: [INGRESS_TYPE],
    validate(resource, settings, report) {
        const profile = profileOf(resource, settings);
        if (!profile || !profile.ingressTls) return;
        const what = describeResource(resource);
        const tls = specField(resource, "tls", report);
        if (!tls.known) return;
        if (!Array.isArray(tls.value) || tls.value.length === 0) {
            report.violation(`${what} has no spec.tls, so it serves plain HTTP`);
            return;
        }
        if (containsUnknown(tls.value)) {
            report.unknown("spec.tls");
            return;
        }
        const rules = specField(resource, "rules", report);
        if (!rules.known || !Array.isArray(rules.value)) return;
        const entries = tls.value.map((entry) => asObject(entry)?.hosts);
        const uncovered: string[] = [];
        rules.value.forEach((rule, i) => {
            const host = isUnknown(rule) ? rule : asObject(rule)?.host;
            if (isUnknown(host)) {
                report.unknown(`spec.rules[${i}].host`);
                return;
            }
            if (typeof host === "string" && host !== "") {
                const covered = entries.some(
                    (hosts) =>
                        Array.isArray(hosts) && hosts.some((h) => typeof h === "string" && tlsHostCovers(h, host)),
                );
                if (!covered) uncovered.push(host);
            } else if (!entries.some((hosts) => !Array.isArray(hosts) || hosts.length === 0)) {
                uncovered.push(`spec.rules[${i}] (every host)`);
            }
        });
        if (uncovered.length > 0) {
            report.violation(`${what} serves ${uncovered.join(", ")} without TLS: no spec.tls entry lists it`);
        }
    },
};

/**
 * `services-ingress-no-snippets`: no ingress-nginx configuration snippet annotation on an Ingress, in any env
 * (isIngressSnippetAnnotation): a snippet runs as the ingress controller, which reads every Secret. Annotation
 * keys are matched without regard to case, as a hand-written key may not be. Platform charts are not exempt:
 * none of them writes one.
 */
export const servicesIngressNoSnippets: ResourcePolicy = {
    kind: "resource",
    name: "services-ingress-no-snippets",
    group: SERVICES_GROUP,
    description:
        "No Ingress carries an ingress-nginx configuration snippet annotation (`nginx.ingress.kubernetes.io/*-snippet`): " +
        "the controller pastes it into its own nginx configuration, so whoever writes the Ingress runs directives as " +
        "the controller, whose ServiceAccount reads every Secret of the cluster.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove the snippet annotation and use the controller's typed annotations or its ConfigMap, which the " +
        "platform owns; keep the controller's allow-snippet-annotations off.",
    url: "https://github.com/kubernetes/ingress-nginx/issues/7837",
    types: [INGRESS_TYPE],
    validate(resource, _settings, report) {
        const metadata = resource.props?.metadata;
        const annotations = isUnknown(metadata) ? metadata : asObject(metadata)?.annotations;
        if (isUnknown(annotations)) {
            report.unknown("metadata.annotations");
            return;
        }
        const snippets = Object.keys(asObject(annotations) ?? {}).filter(isIngressSnippetAnnotation);
        if (snippets.length > 0) {
            report.violation(
                `${describeResource(resource)} carries ${snippets.join(", ")}: ingress-nginx would run it as its ` +
                    "own configuration, with a ServiceAccount that reads every Secret",
            );
        }
    },
};

export const servicesPolicies = [
    servicesNoNodePort,
    servicesNoExternalIps,
    servicesInternalLoadBalancer,
    servicesIngressTls,
    servicesIngressNoSnippets,
] as const;
