/**
 * The External Secrets custom resources an app needs, as data: a SecretStore that authenticates as the app's
 * own ServiceAccount, and one ExternalSecret per secret. Pure functions, so what reaches the cluster can be
 * read and checked against the upstream CRD schemas without a cluster.
 */
import {
    GENERATORS_API_GROUP,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    SECRET_NAME_SEGMENT,
    vaultDatabaseCredsPath,
} from "../../baseline";

/**
 * The only API version these builders emit. `v1beta1` stopped being served in External Secrets v0.17.0: a
 * manifest that still uses it is rejected by a current cluster.
 */
export const EXTERNAL_SECRETS_API_VERSION = "external-secrets.io/v1";

/** Where an app's secrets are read from. */
export const SecretBackend = {
    /** AWS Secrets Manager, through the app's IRSA role. */
    AwsSecretsManager: "aws-secrets-manager",
    /** A Vault KV v2 mount, through Vault's Kubernetes auth. */
    Vault: "vault",
    /** AWS SSM Parameter Store SecureStrings, through the app's IRSA role. */
    AwsParameterStore: "aws-parameter-store",
} as const;
export type SecretBackend = (typeof SecretBackend)[keyof typeof SecretBackend];

/** Every backend, for messages and checks. */
export const SECRET_BACKENDS: readonly SecretBackend[] = Object.values(SecretBackend);

/** The backends read through an AWS SecretStore, with the store's `spec.provider.aws.service` for each. */
export const AWS_STORE_SERVICES: Readonly<Partial<Record<SecretBackend, string>>> = {
    [SecretBackend.AwsSecretsManager]: "SecretsManager",
    [SecretBackend.AwsParameterStore]: "ParameterStore",
};

/** True when `backend` is read through an AWS SecretStore (Secrets Manager or Parameter Store). */
export function isAwsBackend(backend: SecretBackend): boolean {
    return AWS_STORE_SERVICES[backend] !== undefined;
}

/** The audience the Vault Kubernetes auth role of an app expects (VaultAppAccess's default). */
export const DEFAULT_VAULT_AUDIENCE = "vault";

/** A Go duration as the refresh interval takes it: hours, minutes and seconds, in that order, e.g. `1h30m`. */
export const REFRESH_INTERVAL = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** The length in seconds of a refresh interval, or undefined when it is not one. */
export function refreshIntervalSeconds(value: unknown): number | undefined {
    if (typeof value !== "string" || value.length === 0) return undefined;
    const match = REFRESH_INTERVAL.exec(value);
    if (!match) return undefined;
    const [, h, m, s] = match;
    return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
}

/** The share of a rotation period the ExternalSecret may wait before it reads the secret again. */
export const ROTATION_REFRESH_FRACTION = 24;

/**
 * The refresh interval of an ExternalSecret whose remote secret rotates every `rotationDays` days: the
 * profile's interval, or a 24th of the rotation period when that is shorter (an hour for daily rotation),
 * rounded down to whole seconds as a Go duration. A rotated value reaches the Kubernetes Secret within this
 * interval, and a pod that mounts it as a volume within that plus the kubelet sync period (about a minute
 * by default); env vars only change when the pod restarts.
 */
export function rotationRefreshInterval(profileInterval: string, rotationDays: number | undefined): string {
    const profileSeconds = refreshIntervalSeconds(profileInterval);
    if (rotationDays === undefined || profileSeconds === undefined || !(rotationDays > 0)) return profileInterval;
    const rotationSeconds = Math.max(1, Math.floor((rotationDays * 86400) / ROTATION_REFRESH_FRACTION));
    if (rotationSeconds >= profileSeconds) return profileInterval;
    return goDuration(rotationSeconds);
}

/** Whole seconds as a Go duration in hours, minutes and seconds, e.g. `1h30m`, `7m30s`, `0s`. */
export function goDuration(seconds: number): string {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const sec = seconds % 60;
    return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${sec || (!h && !m) ? `${sec}s` : ""}`;
}

/** The share of a dynamic credential's lifetime the ExternalSecret waits before it asks for a new one. */
export const DYNAMIC_CREDENTIALS_REFRESH_FRACTION = 2;

/**
 * The refresh interval of an ExternalSecret whose generator issues credentials that live `ttlSeconds`: half
 * the lifetime, rounded down to whole seconds. Every refresh asks Vault for a new credential, so the one in
 * the Secret is never older than this, and when it is replaced it still has at least the other half of its
 * lifetime (7m30s in prod, 30m in dev and stage by default) before Vault revokes it: the time a pod that
 * mounts the Secret as a volume has to pick up the new one (the kubelet syncs within about a minute). A pod
 * that reads it into env vars keeps the old one until it restarts, and loses its database access at expiry.
 */
export function dynamicCredentialsRefreshInterval(ttlSeconds: number): string {
    return goDuration(Math.max(1, Math.floor(ttlSeconds / DYNAMIC_CREDENTIALS_REFRESH_FRACTION)));
}

/** What a key of the target Secret may be called (the CRD's `secretKey` pattern). */
export const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** A custom resource manifest: what `k8s.apiextensions.CustomResource` is given. */
export interface CustomResourceManifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/**
 * The remote key of a secret, given its short name (`db-password`) or its full key inside the app's prefix
 * (`<prefix>db-password`); undefined when the name is neither, which includes any key of another app.
 */
export function remoteKeyWithin(prefix: string, name: unknown): string | undefined {
    if (typeof name !== "string") return undefined;
    const shortName = name.startsWith(prefix) ? name.slice(prefix.length) : name;
    return SECRET_NAME_SEGMENT.test(shortName) ? `${prefix}${shortName}` : undefined;
}

/** The labels of what this package creates for an app. */
export function labelsOf(app: string): Record<string, string> {
    return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, "app.kubernetes.io/name": app };
}

/** What every SecretStore needs: its name, namespace, app and the ServiceAccount it authenticates as. */
export interface SecretStoreManifestInput {
    readonly name: string;
    readonly namespace: string;
    readonly app: string;
    /** The app's own ServiceAccount, in the store's namespace. */
    readonly serviceAccountName: string;
}

/**
 * A SecretStore for AWS Secrets Manager (or, with `backend: aws-parameter-store`, Parameter Store). It authenticates with a token of the app's own ServiceAccount,
 * exchanged for the role in the ServiceAccount's `eks.amazonaws.com/role-arn` annotation (IRSA). No `role` is
 * set: that would make the operator assume a second role on top of the app's, and the app's role is the one
 * whose policy is scoped to the app's secrets.
 */
export function awsSecretStoreManifest(
    input: SecretStoreManifestInput & { readonly region: string; readonly backend?: SecretBackend },
): CustomResourceManifest {
    const service = AWS_STORE_SERVICES[input.backend ?? SecretBackend.AwsSecretsManager];
    if (service === undefined) throw new Error(`SecretStore ${input.name}: ${input.backend} is not an AWS backend`);
    return {
        apiVersion: EXTERNAL_SECRETS_API_VERSION,
        kind: "SecretStore",
        metadata: { name: input.name, namespace: input.namespace, labels: labelsOf(input.app) },
        spec: {
            provider: {
                aws: {
                    service,
                    region: input.region,
                    // A namespaced store can only name a ServiceAccount of its own namespace: no namespace field.
                    auth: { jwt: { serviceAccountRef: { name: input.serviceAccountName } } },
                },
            },
        },
    };
}

/** Where a Vault store reads and how it logs in. */
export interface VaultStoreManifestInput extends SecretStoreManifestInput {
    readonly server: string;
    /** The KV v2 mount, without `/data`. */
    readonly mountPath: string;
    /** The Kubernetes auth backend path. */
    readonly authPath: string;
    /** The Kubernetes auth role bound to the app's ServiceAccount. */
    readonly role: string;
    /** The audience the role checks; the ServiceAccount token is requested for it. */
    readonly audience: string;
    /** Base64-encoded PEM CA bundle of the Vault server. */
    readonly caBundle?: string;
}

/** What a Vault store and a Vault generator share: the server, its CA, and Kubernetes auth as the app. */
type VaultLoginInput = Pick<
    VaultStoreManifestInput,
    "server" | "caBundle" | "authPath" | "role" | "serviceAccountName" | "audience"
>;

/**
 * How the operator reaches Vault and logs in for an app, the same in its SecretStore and its VaultDynamicSecret:
 * Kubernetes auth with a token of the app's own ServiceAccount, requested for the role's audience.
 */
function vaultLogin(input: VaultLoginInput): Record<string, unknown> {
    return {
        server: input.server,
        ...(input.caBundle !== undefined ? { caBundle: input.caBundle } : {}),
        auth: {
            kubernetes: {
                mountPath: input.authPath,
                role: input.role,
                serviceAccountRef: { name: input.serviceAccountName, audiences: [input.audience] },
            },
        },
    };
}

/**
 * A SecretStore for a Vault KV v2 mount, logging in through Kubernetes auth with a token of the app's own
 * ServiceAccount. The token is requested for the role's audience: a token for the API server's default
 * audience is refused by a role that checks one.
 */
export function vaultSecretStoreManifest(input: VaultStoreManifestInput): CustomResourceManifest {
    return {
        apiVersion: EXTERNAL_SECRETS_API_VERSION,
        kind: "SecretStore",
        metadata: { name: input.name, namespace: input.namespace, labels: labelsOf(input.app) },
        spec: {
            provider: {
                vault: { ...vaultLogin(input), path: input.mountPath, version: "v2" },
            },
        },
    };
}

/** One ExternalSecret. */
export interface ExternalSecretManifestInput {
    readonly name: string;
    readonly namespace: string;
    readonly app: string;
    readonly storeName: string;
    /** The Kubernetes Secret the operator writes. */
    readonly targetName: string;
    /** The key in Secrets Manager, the parameter name in Parameter Store, or the path relative to the Vault mount. */
    readonly remoteKey: string;
    /** The prefix the app owns; `remoteKey` must lie directly under it. */
    readonly keyPrefix: string;
    /** Properties of the remote secret to copy, each to a key of the same name. Default: all of them. */
    readonly keys?: readonly string[];
    /** A Go duration. */
    readonly refreshInterval: string;
}

/**
 * An ExternalSecret that copies one remote secret into a Secret the ExternalSecret owns. The Secret is
 * garbage-collected with the ExternalSecret (`Owner`), and kept with its last value if the remote secret
 * disappears (`Retain`), so a deleted or unreachable secret does not take running pods down with it.
 *
 * Throws when the remote key is not directly under the app's prefix: whatever the caller checked, no manifest
 * that reads another app's secret is built.
 */
export function externalSecretManifest(input: ExternalSecretManifestInput): CustomResourceManifest {
    const { remoteKey, keyPrefix } = input;
    if (
        keyPrefix.length === 0 ||
        !keyPrefix.endsWith("/") ||
        remoteKeyWithin(keyPrefix, remoteKey) !== remoteKey ||
        remoteKey.includes("*")
    ) {
        throw new Error(
            `ExternalSecret ${input.name}: remote key ${JSON.stringify(remoteKey)} is not under ${keyPrefix}`,
        );
    }
    const keys = input.keys ?? [];
    const source =
        keys.length > 0
            ? { data: keys.map((key) => ({ secretKey: key, remoteRef: { key: remoteKey, property: key } })) }
            : { dataFrom: [{ extract: { key: remoteKey } }] };
    return {
        apiVersion: EXTERNAL_SECRETS_API_VERSION,
        kind: "ExternalSecret",
        metadata: { name: input.name, namespace: input.namespace, labels: labelsOf(input.app) },
        spec: {
            refreshInterval: input.refreshInterval,
            secretStoreRef: { name: input.storeName, kind: "SecretStore" },
            target: { name: input.targetName, creationPolicy: "Owner", deletionPolicy: "Retain" },
            ...source,
        },
    };
}

/** The version of the generators API the VaultDynamicSecret is served at (its CRD's only version). */
export const GENERATORS_API_VERSION = `${GENERATORS_API_GROUP}/v1alpha1`;

/** The generator kind that reads dynamic credentials from Vault. */
export const VAULT_DYNAMIC_SECRET_KIND = "VaultDynamicSecret";

/** An app's dynamic database credentials: where they come from and how the generator logs in. */
export interface DatabaseCredentialsManifestInput {
    /** Name of the generator, the ExternalSecret and the Secret written. */
    readonly name: string;
    readonly namespace: string;
    readonly app: string;
    /** The app's own ServiceAccount, which the generator logs in as. */
    readonly serviceAccountName: string;
    readonly server: string;
    /** The Kubernetes auth backend path. */
    readonly authPath: string;
    /** The app's Kubernetes auth role, whose policy reads `<databaseMountPath>/creds/<databaseRole>`. */
    readonly role: string;
    readonly audience: string;
    readonly caBundle?: string;
    /** The env's database secrets engine. */
    readonly databaseMountPath: string;
    /** The app's database role. */
    readonly databaseRole: string;
    /** A Go duration shorter than the credentials' lifetime. */
    readonly refreshInterval: string;
}

/**
 * A VaultDynamicSecret generator that reads one app's database credentials: `GET <mount>/creds/<role>`,
 * logged in through Kubernetes auth as the app's own ServiceAccount and its own role, exactly as the app's
 * SecretStore does, so the generator can reach no more than the app's policy grants.
 */
export function vaultDynamicSecretManifest(input: DatabaseCredentialsManifestInput): CustomResourceManifest {
    return {
        apiVersion: GENERATORS_API_VERSION,
        kind: VAULT_DYNAMIC_SECRET_KIND,
        metadata: { name: input.name, namespace: input.namespace, labels: labelsOf(input.app) },
        spec: {
            path: vaultDatabaseCredsPath(input.databaseMountPath, input.databaseRole),
            method: "GET",
            // `data` of the response: `username` and `password`, the keys of the Secret written.
            resultType: "Data",
            provider: vaultLogin(input),
        },
    };
}

/**
 * The ExternalSecret that writes an app's database credentials into a Secret it owns, from the app's
 * VaultDynamicSecret, refreshed periodically so that a new credential is in the Secret before the old one
 * expires (dynamicCredentialsRefreshInterval).
 */
export function databaseCredentialsExternalSecretManifest(
    input: DatabaseCredentialsManifestInput,
): CustomResourceManifest {
    return {
        apiVersion: EXTERNAL_SECRETS_API_VERSION,
        kind: "ExternalSecret",
        metadata: { name: input.name, namespace: input.namespace, labels: labelsOf(input.app) },
        spec: {
            refreshInterval: input.refreshInterval,
            refreshPolicy: "Periodic",
            target: { name: input.name, creationPolicy: "Owner", deletionPolicy: "Retain" },
            dataFrom: [
                {
                    sourceRef: {
                        generatorRef: {
                            apiVersion: GENERATORS_API_VERSION,
                            kind: VAULT_DYNAMIC_SECRET_KIND,
                            name: input.name,
                        },
                    },
                },
            ],
        },
    };
}
