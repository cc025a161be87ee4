/**
 * Resources for the analyzer benchmark: the resources the prod platform program registers (Namespaces,
 * RBAC, NetworkPolicies, IAM roles and policies, KMS keys, Secrets Manager secrets, ExternalSecrets, Kyverno
 * ValidatingPolicies...), plus application Deployments and Pods as an app repository would declare them,
 * each copy renamed so no two requests are alike.
 */
import type { AnalyzerResource } from "../policy-pack/harness/analyzer-client";

const REGISTRY = "333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/";
const DIGEST = "sha256:" + "4f".repeat(32);

function podSpec(app: string): Record<string, unknown> {
    return {
        serviceAccountName: app,
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: app,
                image: `${REGISTRY}${app}@${DIGEST}`,
                ports: [{ containerPort: 8080, name: "http" }],
                env: [{ name: "APP_ENV", value: "prod" }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                livenessProbe: { httpGet: { path: "/live", port: "http" } },
                securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ["ALL"] },
                },
            },
        ],
    };
}

function labels(app: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "shop", env: "prod" };
}

function workloadTemplates(stack: string, project: string): AnalyzerResource[] {
    const urn = (type: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;
    const provider = {
        urn: urn("pulumi:providers:kubernetes", "default_4_34_2"),
        type: "pulumi:providers:kubernetes",
        name: "default_4_34_2",
        properties: { version: "4.34.2" },
    };
    const deployment: AnalyzerResource = {
        urn: urn("kubernetes:apps/v1:Deployment", "checkout"),
        type: "kubernetes:apps/v1:Deployment",
        name: "checkout",
        properties: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "checkout", namespace: "checkout", labels: labels("checkout") },
            spec: {
                replicas: 3,
                selector: { matchLabels: { "app.kubernetes.io/name": "checkout" } },
                template: { metadata: { labels: labels("checkout") }, spec: podSpec("checkout") },
            },
        },
        options: {},
        provider,
    };
    const pod: AnalyzerResource = {
        urn: urn("kubernetes:core/v1:Pod", "migrate"),
        type: "kubernetes:core/v1:Pod",
        name: "migrate",
        properties: {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "migrate", namespace: "checkout", labels: labels("migrate") },
            spec: { ...podSpec("migrate"), restartPolicy: "Never" },
        },
        options: {},
        provider,
    };
    return [deployment, pod];
}

/** A copy of `template` named with `suffix`: its name, URN and Kubernetes metadata.name. */
function renamed(template: AnalyzerResource, suffix: string): AnalyzerResource {
    const properties = structuredClone(template.properties);
    const metadata = properties.metadata as { name?: unknown } | undefined;
    if (metadata && typeof metadata === "object" && typeof metadata.name === "string") {
        metadata.name = `${metadata.name}${suffix}`;
    }
    return {
        ...template,
        urn: `${template.urn}${suffix}`,
        name: `${template.name}${suffix}`,
        properties,
    };
}

/**
 * `count` resources: the program's resources (templates, synthetic ones left out) interleaved with
 * Deployments and Pods, one workload for every two platform resources.
 */
export function workload(
    programResources: readonly (AnalyzerResource & { synthetic?: boolean })[],
    count: number,
    target: { stack: string; project: string },
): AnalyzerResource[] {
    const platform = programResources.filter((r) => !r.synthetic && r.type !== "pulumi:pulumi:Stack");
    const workloads = workloadTemplates(target.stack, target.project);
    const out: AnalyzerResource[] = [];
    let p = 0;
    let w = 0;
    for (let i = 0; out.length < count; i++) {
        const template = i % 3 === 2 ? workloads[w++ % workloads.length] : platform[p++ % platform.length];
        out.push(renamed(template, `-${i}`));
    }
    return out;
}
