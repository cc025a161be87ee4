/**
 * An application repository's program: deploys one app onto the platform, reading everything it needs
 * (namespace, ServiceAccount, the Secrets External Secrets keeps in sync) from the platform stack's contract.
 * The workload meets the baseline: digest-pinned image from an approved registry, restricted securityContext,
 * read-only root filesystem, probes, requests and limits, its own ServiceAccount without a mounted token.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { baseline, PlatformReference } from "../../components";

/** What the app repository decides about its own workload. */
export interface AppDeploymentArgs {
    /** The app's name as declared in the platform stack. */
    app: string;
    /** Image by digest: `<registry>/<name>@sha256:<64 hex>`. */
    image: string;
    /** Port the container listens on (unprivileged). */
    port: number;
    /** Replicas. Default: 2. */
    replicas?: number;
}

/** Deploys the app as a Deployment in its platform namespace. */
export function deployApp(
    platform: PlatformReference,
    args: AppDeploymentArgs,
    opts?: pulumi.CustomResourceOptions,
): k8s.apps.v1.Deployment {
    if (!baseline.imageHasDigest(args.image)) {
        throw new Error(
            `app ${args.app}: image ${args.image} is not pinned by digest; fix: deploy <image>@sha256:<digest>`,
        );
    }
    const contract = platform.app(args.app);
    const labels = { "app.kubernetes.io/name": args.app, "app.kubernetes.io/part-of": args.app };
    return new k8s.apps.v1.Deployment(
        args.app,
        {
            metadata: { name: args.app, namespace: contract.namespace, labels },
            spec: {
                replicas: args.replicas ?? 2,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: contract.serviceAccountName,
                        automountServiceAccountToken: false,
                        securityContext: {
                            ...baseline.RESTRICTED_POD_SECURITY_CONTEXT,
                            runAsUser: baseline.NON_ROOT_UID,
                            runAsGroup: baseline.NON_ROOT_UID,
                            fsGroup: baseline.NON_ROOT_UID,
                        },
                        containers: [
                            {
                                name: args.app,
                                image: args.image,
                                ports: [{ name: "http", containerPort: args.port }],
                                securityContext: {
                                    ...baseline.RESTRICTED_CONTAINER_SECURITY_CONTEXT,
                                    capabilities: { drop: [...baseline.REQUIRED_DROPPED_CAPABILITIES] },
                                },
                                resources: {
                                    requests: { cpu: "100m", memory: "128Mi" },
                                    limits: { cpu: "500m", memory: "256Mi" },
                                },
                                readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 10 },
                                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 20 },
                                // Every Secret the platform syncs for the app, as environment variables.
                                envFrom: contract.secretNames.apply((names) =>
                                    names.map((name) => ({ secretRef: { name } })),
                                ),
                                // The root filesystem is read-only: scratch space is an emptyDir.
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                    },
                },
            },
        },
        opts,
    );
}
