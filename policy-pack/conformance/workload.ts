/**
 * The compliant workload the conformance runner, and the tests of the pack and of the Kyverno policies,
 * build their cases from: the payments API's pod spec, digest-pinned images from the env's registry,
 * restricted security contexts, requests and limits, probes, no API token.
 */
type Json = Record<string, any>;

export const APP_REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/";
export const DIGEST = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
export const API_IMAGE = `${APP_REGISTRY}payments-api:1.4.2@${DIGEST}`;
export const MIGRATE_IMAGE = `${APP_REGISTRY}payments-migrate@${DIGEST}`;
export const DEBUG_IMAGE = `${APP_REGISTRY}debug-tools:2.1.0@${DIGEST}`;

/** The container securityContext of a restricted workload, with `extra` on top. */
export function restrictedContext(extra: Json = {}): Json {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
        ...extra,
    };
}

/** Requests and limits of one container. */
export function containerResources(): Json {
    return { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
}

/** The payments API's pod spec: an init container and the API container, compliant with every rule. */
export function compliantPodSpec(): Json {
    return {
        serviceAccountName: "payments-api",
        automountServiceAccountToken: false,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
        },
        initContainers: [
            {
                name: "migrate",
                image: MIGRATE_IMAGE,
                args: ["migrate", "--up"],
                resources: containerResources(),
                securityContext: restrictedContext(),
            },
        ],
        containers: [
            {
                name: "api",
                image: API_IMAGE,
                ports: [{ name: "http", containerPort: 80 }],
                resources: containerResources(),
                livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 },
                // Binding port 80 as non-root is the one capability the restricted standard allows adding.
                securityContext: restrictedContext({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }),
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
        ],
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    };
}
