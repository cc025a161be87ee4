/**
 * External Secrets Operator: v1 objects only, one store per app authenticating as the app's own
 * ServiceAccount, nothing shared across namespaces, and every remote key under the app's own prefix in its
 * own environment.
 */
import { EXTERNAL_SECRETS_API_VERSION } from "../../../components/addons/external-secrets/manifests";
import {
    Environment,
    isDns1123Label,
    otherEnvironmentsNamedIn,
    secretPathPrefix,
    vaultSecretPrefix,
} from "../../../components/baseline";
import { describeResource, envOf, isUnknown, namespaceOf } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity } from "../types";
import { labelsOf, show } from "./common";

const GROUP = "external-secrets.io";
const V1 = `kubernetes:${EXTERNAL_SECRETS_API_VERSION}`;
/** Earlier versions: v1beta1 is no longer served by the operator the platform installs. */
const V1BETA1 = `kubernetes:${GROUP}/v1beta1`;
const OLD_VERSION_PREFIXES: readonly string[] = [`kubernetes:${GROUP}/v1beta1:`, `kubernetes:${GROUP}/v1alpha1:`];

export const SECRET_STORE = `${V1}:SecretStore`;
export const CLUSTER_SECRET_STORE = `${V1}:ClusterSecretStore`;
export const EXTERNAL_SECRET = `${V1}:ExternalSecret`;
export const CLUSTER_EXTERNAL_SECRET = `${V1}:ClusterExternalSecret`;

/** The label AppExternalSecrets puts on its objects to name the app. */
const APP_LABEL = "app.kubernetes.io/name";
const CLUSTER_STORE_KIND = "ClusterSecretStore";

const DOCS = "https://external-secrets.io/latest";

/**
 * Any object of external-secrets.io at v1beta1 or v1alpha1 (ExternalSecret, SecretStore, ClusterSecretStore,
 * ClusterExternalSecret, PushSecret, ...). The type token is always known, so there is nothing unknown to
 * report. Generators (generators.external-secrets.io) are another API group and not judged here.
 */
export const externalSecretsV1Only: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-v1-only",
    group: "external-secrets",
    description: `External Secrets objects use ${EXTERNAL_SECRETS_API_VERSION}; v1beta1 and v1alpha1 are refused.`,
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        `Write the object as ${EXTERNAL_SECRETS_API_VERSION} (AppExternalSecrets does). The operator the platform ` +
        "installs no longer serves v1beta1, and kinds that exist only as v1alpha1 (PushSecret) are not part of " +
        "the baseline: secrets flow from the backend into the cluster, never back.",
    url: `${DOCS}/introduction/stability-support/`,
    // Every type: a startsWith on the token, so any kind of the group is caught, including new ones.
    validate(resource, _settings, report) {
        const prefix = OLD_VERSION_PREFIXES.find((p) => resource.type.startsWith(p));
        if (prefix === undefined) return;
        report.violation(
            `${describeResource(resource)} is ${prefix.slice("kubernetes:".length, -1)}, not ${EXTERNAL_SECRETS_API_VERSION}`,
        );
    },
};

/** Every `serviceAccountRef` under `value`, with its path. */
function serviceAccountRefs(value: unknown, path: string, out: { path: string; ref: any }[]): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
        value.forEach((item, i) => serviceAccountRefs(item, `${path}[${i}]`, out));
        return;
    }
    for (const [key, child] of Object.entries(value)) {
        if (key === "serviceAccountRef") out.push({ path: `${path}.${key}`, ref: child });
        else serviceAccountRefs(child, `${path}.${key}`, out);
    }
}

/**
 * A SecretStore authenticates as a ServiceAccount of its own namespace: no `serviceAccountRef` anywhere under
 * `spec.provider` (aws jwt, vault kubernetes or jwt, gcp workload identity, ...) names another namespace.
 * Leaving `namespace` out, as AppExternalSecrets does, is the store's own. An unknown provider, ref or
 * namespace (of the ref or of the store) is reported as unknown.
 */
export const externalSecretsStoreOwnServiceAccount: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-store-own-service-account",
    group: "external-secrets",
    description: "A SecretStore authenticates only as a ServiceAccount of its own namespace.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove `namespace` from the serviceAccountRef and name the app's own ServiceAccount in the store's " +
        "namespace (the one its IRSA role or Vault role is bound to).",
    url: `${DOCS}/api/secretstore/`,
    types: [SECRET_STORE, `${V1BETA1}:SecretStore`],
    validate(resource, _settings, report) {
        const provider = resource.props?.spec?.provider;
        if (isUnknown(resource.props?.spec) || isUnknown(provider)) {
            report.unknown("spec.provider");
            return;
        }
        const refs: { path: string; ref: any }[] = [];
        serviceAccountRefs(provider, "spec.provider", refs);
        if (refs.length === 0) return;
        const metadata = resource.props?.metadata;
        if (isUnknown(metadata) || isUnknown(metadata?.namespace)) {
            report.unknown("metadata.namespace");
            return;
        }
        const own = namespaceOf(resource);
        for (const { path, ref } of refs) {
            if (isUnknown(ref) || isUnknown(ref?.namespace)) {
                report.unknown(`${path}.namespace`);
            } else if (ref?.namespace !== undefined && ref.namespace !== own) {
                report.violation(
                    `${describeResource(resource)}: ${path} names ServiceAccount ${show(ref.namespace)}/${show(ref.name)}, ` +
                        `outside the store's namespace ${own}`,
                );
            }
        }
    },
};

/** Each store reference of an ExternalSecret, with its path. */
function storeRefs(spec: any): { path: string; ref: unknown }[] {
    const refs: { path: string; ref: unknown }[] = [{ path: "spec.secretStoreRef", ref: spec?.secretStoreRef }];
    for (const field of ["data", "dataFrom"] as const) {
        const items = spec?.[field];
        if (!Array.isArray(items)) continue;
        items.forEach((item: any, i: number) => {
            const storeRef = item?.sourceRef?.storeRef;
            if (storeRef !== undefined) refs.push({ path: `spec.${field}[${i}].sourceRef.storeRef`, ref: storeRef });
        });
    }
    return refs;
}

/**
 * Nothing shared across namespaces, and so across apps and environments: every ClusterSecretStore and every
 * ClusterExternalSecret is reported, and so is an ExternalSecret that reads through a ClusterSecretStore
 * (`secretStoreRef` or a `sourceRef.storeRef` of kind ClusterSecretStore). A store reference whose kind is
 * unknown is reported as unknown. Not exempt anywhere: the platform creates one SecretStore per app.
 */
export const externalSecretsNoSharedClusterStore: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-no-shared-cluster-store",
    group: "external-secrets",
    description:
        "No ClusterSecretStore or ClusterExternalSecret: a cluster-wide store lets every namespace read what it can read.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give each app a SecretStore in its own namespace that authenticates as the app's ServiceAccount " +
        "(AppExternalSecrets), and an ExternalSecret per secret that names it.",
    url: `${DOCS}/api/clustersecretstore/`,
    types: [
        CLUSTER_SECRET_STORE,
        CLUSTER_EXTERNAL_SECRET,
        EXTERNAL_SECRET,
        `${V1BETA1}:ClusterSecretStore`,
        `${V1BETA1}:ClusterExternalSecret`,
        `${V1BETA1}:ExternalSecret`,
    ],
    validate(resource, _settings, report) {
        const what = describeResource(resource);
        if (resource.type.endsWith(":ClusterSecretStore")) {
            report.violation(`${what} is shared by every namespace of the cluster, and so by every app and env`);
            return;
        }
        if (resource.type.endsWith(":ClusterExternalSecret")) {
            report.violation(`${what} copies one secret into many namespaces`);
            return;
        }
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        for (const { path, ref } of storeRefs(spec)) {
            const kind = (ref as any)?.kind;
            if (isUnknown(ref) || isUnknown(kind)) report.unknown(`${path}.kind`);
            else if (kind === CLUSTER_STORE_KIND) {
                report.violation(`${what}: ${path} reads through ClusterSecretStore ${show((ref as any)?.name)}`);
            }
        }
    },
};

/** A remote key (or find path) of an ExternalSecret, with its path in the manifest. */
interface RemoteKey {
    readonly path: string;
    readonly key: unknown;
    /** `dataFrom[].find.path`: a prefix to search under, not one secret. */
    readonly search: boolean;
}

/** The remote keys an ExternalSecret reads; generator sources have none. */
function remoteKeys(spec: any, report: Reporter): RemoteKey[] {
    const keys: RemoteKey[] = [];
    const data = spec?.data;
    if (isUnknown(data)) report.unknown("spec.data");
    else if (Array.isArray(data)) {
        data.forEach((item: any, i: number) => {
            if (isUnknown(item)) report.unknown(`spec.data[${i}]`);
            else if (item?.sourceRef?.generatorRef === undefined) {
                keys.push({ path: `spec.data[${i}].remoteRef.key`, key: item?.remoteRef?.key, search: false });
            }
        });
    }
    const dataFrom = spec?.dataFrom;
    if (isUnknown(dataFrom)) report.unknown("spec.dataFrom");
    else if (Array.isArray(dataFrom)) {
        dataFrom.forEach((item: any, i: number) => {
            if (isUnknown(item)) report.unknown(`spec.dataFrom[${i}]`);
            else if (item?.extract !== undefined) {
                keys.push({ path: `spec.dataFrom[${i}].extract.key`, key: item.extract?.key, search: false });
            } else if (item?.find !== undefined) {
                keys.push({ path: `spec.dataFrom[${i}].find.path`, key: item.find?.path, search: true });
            }
        });
    }
    return keys;
}

/**
 * The prefix `key` lies under in `env` for `app`: `<env>/<app>/` (a Vault KV path, vaultSecretPrefix) or
 * `<project>-<env>/<app>/` (a Secrets Manager name, secretPathPrefix, the project read off the key); the
 * env's first segment alone when the app is not known. Undefined when the key starts with neither.
 */
function ownPrefixOf(key: string, env: Environment, app: string | undefined): string | undefined {
    const first = key.slice(0, key.indexOf("/") + 1 || key.length);
    if (first === `${env}/`) return app === undefined ? first : vaultSecretPrefix(env, app);
    const suffix = `-${env}/`;
    if (first.endsWith(suffix) && isDns1123Label(first.slice(0, -suffix.length))) {
        return app === undefined ? first : secretPathPrefix(first.slice(0, -suffix.length), env, app);
    }
    return undefined;
}

/**
 * True when the part of a key after its prefix stays under it: non-empty segments, no `.` or `..`, no `*`. A
 * secret needs at least one segment; a search path may be the prefix itself or end in `/`.
 */
function isPathUnder(rest: string, search: boolean): boolean {
    if (search) {
        if (rest.length === 0) return true;
        if (rest.endsWith("/")) rest = rest.slice(0, -1);
    }
    if (rest.length === 0 || rest.includes("*")) return false;
    return rest.split("/").every((segment) => segment.length > 0 && segment !== "." && segment !== "..");
}

/**
 * Every remote key an ExternalSecret reads lies under its app's prefix in its own environment:
 * `<project>-<env>/<app>/...` (Secrets Manager) or `<env>/<app>/...` (a path in the env's Vault KV mount), and
 * names no other environment anywhere (otherEnvironmentsNamedIn: a secret named `db-prod` in stage fails).
 * The store is another object, so either form is accepted; the env's IAM or Vault policy narrows it to the one
 * the backend uses. The app is the `app.kubernetes.io/name` label AppExternalSecrets sets, else the
 * ExternalSecret's namespace (one app per namespace unless labelled). The env is envOf's, prod when nothing
 * names it. A `dataFrom[].find` must have a `path` under the prefix: without one it searches every secret
 * the store can read. Generator sources read no key. An unknown key, data list or app label is reported as
 * unknown (with an unknown app label, the env part is still checked).
 */
export const externalSecretsRemoteKeyPrefix: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-remote-key-prefix",
    group: "external-secrets",
    description:
        "ExternalSecrets read only keys under their app's prefix in their own env: <project>-<env>/<app>/ or <env>/<app>/.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name the secret under the app's prefix (`<project>-<env>/<app>/<secret>` in Secrets Manager, " +
        "`<env>/<app>/<secret>` in Vault), label the ExternalSecret app.kubernetes.io/name=<app> when its " +
        "namespace is not named after the app, and give every dataFrom.find a path under the prefix.",
    url: `${DOCS}/api/externalsecret/`,
    types: [EXTERNAL_SECRET, `${V1BETA1}:ExternalSecret`],
    validate(resource, settings, report) {
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        const keys = remoteKeys(spec, report);
        if (keys.length === 0) return;
        const env = envOf(resource, settings) ?? Environment.Prod;
        const app = appOf(resource, report);
        const what = describeResource(resource);
        for (const { path, key, search } of keys) {
            if (isUnknown(key)) {
                report.unknown(path);
                continue;
            }
            if (typeof key !== "string" || key.length === 0) {
                report.violation(
                    search
                        ? `${what}: ${path} is not set, so the search covers every secret the store can read`
                        : `${what}: ${path} is not set`,
                );
                continue;
            }
            const others = otherEnvironmentsNamedIn(key, env);
            if (others.length > 0) {
                report.violation(`${what}: ${path} ${show(key)} names ${others.join(", ")} in ${env}`);
                continue;
            }
            const prefix = ownPrefixOf(key, env, app);
            const expected =
                app === undefined
                    ? `an ${env} prefix (<project>-${env}/ or ${env}/)`
                    : `${secretPathPrefix("<project>", env, app)} or ${vaultSecretPrefix(env, app)}`;
            if (prefix === undefined || !key.startsWith(prefix)) {
                report.violation(`${what}: ${path} ${show(key)} is not under ${expected}`);
            } else if (app !== undefined && !isPathUnder(key.slice(prefix.length), search)) {
                report.violation(
                    `${what}: ${path} ${show(key)} names no ${search ? "path" : "secret"} under ${prefix}`,
                );
            }
        }
    },
};

/** The app an ExternalSecret belongs to: its app label, else its namespace; undefined (reported) when unknown. */
function appOf(resource: PolicyResource, report: Reporter): string | undefined {
    const labels = labelsOf(resource);
    if (isUnknown(labels) || isUnknown(labels[APP_LABEL])) {
        report.unknown(`metadata.labels["${APP_LABEL}"]`);
        return undefined;
    }
    const label = labels[APP_LABEL];
    if (typeof label === "string" && label.length > 0) return label;
    if (isUnknown(resource.props?.metadata?.namespace)) {
        report.unknown("metadata.namespace");
        return undefined;
    }
    return namespaceOf(resource);
}

export const externalSecretsPolicies = [
    externalSecretsV1Only,
    externalSecretsStoreOwnServiceAccount,
    externalSecretsNoSharedClusterStore,
    externalSecretsRemoteKeyPrefix,
] as const;
