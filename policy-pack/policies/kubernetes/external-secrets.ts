/**
 * External Secrets Operator: v1 objects only; one store per app that authenticates as the app's own
 * ServiceAccount and nothing else; nothing shared across namespaces; ExternalSecrets that write only Secrets
 * they own, never a ServiceAccount token; generators only where the env admits them; nothing pushed back out
 * of the cluster; and every remote key under the app's own prefix in its own environment.
 */
import { EXTERNAL_SECRETS_API_VERSION } from "../../../components/addons/external-secrets/manifests";
import {
    allowedGeneratorKinds,
    AWS_REGION,
    APP_NAME_LABEL,
    appServiceAccountName,
    Environment,
    EXTERNAL_SECRET_CREATION_POLICIES,
    GENERATOR_KINDS,
    GENERATORS_API_GROUP,
    isDns1123Label,
    isVaultServerAddress,
    otherEnvironmentsNamedIn,
    SECRET_STORE_AUTH_METHODS,
    SecretStoreAuthMethod,
    LEGACY_TOKEN_SECRET_TYPE,
    secretPathPrefix,
    SHARED_SERVICE_ACCOUNTS,
    vaultSecretPrefix,
} from "../../../components/baseline";
import { credsPathOf } from "../../../components/vault/policy";
import { isPlatformChartResource } from "../platform";
import { containsUnknown, describeResource, envOf, isUnknown, namespaceOf } from "../resource";
import {
    EnforcementLevel,
    PolicyResource,
    PolicySettings,
    Reporter,
    ResourcePolicy,
    Severity,
    StackPolicy,
} from "../types";
import { annotationsOf, labelsOf, show } from "./common";

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
const APP_LABEL = APP_NAME_LABEL;
const CLUSTER_STORE_KIND = "ClusterSecretStore";
const STORE_KIND = "SecretStore";

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

/**
 * Every ServiceAccount reference under `value`, with its path: each `serviceAccountRef`, and the kubernetes
 * and crd providers' `auth.serviceAccount` (the same reference under another name).
 */
function serviceAccountRefs(value: unknown, path: string, out: { path: string; ref: any }[]): void {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
        value.forEach((item, i) => serviceAccountRefs(item, `${path}[${i}]`, out));
        return;
    }
    for (const [key, child] of Object.entries(value)) {
        if (key === "serviceAccountRef" || (key === "serviceAccount" && path.endsWith(".auth"))) {
            out.push({ path: `${path}.${key}`, ref: child });
        } else serviceAccountRefs(child, `${path}.${key}`, out);
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
        const provider = isUnknown(resource.props?.spec) ? resource.props.spec : resource.props?.spec?.provider;
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
 * ClusterExternalSecret is reported unless the platform's own charts rendered it (platform.ts: by trusted URN
 * parentage, never by name or namespace; so never in `check`). An ExternalSecret reads only through a
 * SecretStore, which the API resolves in its own namespace: a `secretStoreRef` or `sourceRef.storeRef` whose
 * kind is anything but SecretStore (or unset, which defaults to it) is reported. A reference whose kind is
 * unknown is reported as unknown.
 */
export const externalSecretsNoSharedClusterStore: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-no-shared-cluster-store",
    group: "external-secrets",
    description:
        "No ClusterSecretStore or ClusterExternalSecret outside the platform, and ExternalSecrets read only through a SecretStore of their namespace.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Give each app a SecretStore in its own namespace that authenticates as the app's ServiceAccount " +
        "(AppExternalSecrets), and an ExternalSecret per secret that names it with kind SecretStore.",
    url: `${DOCS}/api/clustersecretstore/`,
    types: [
        CLUSTER_SECRET_STORE,
        CLUSTER_EXTERNAL_SECRET,
        EXTERNAL_SECRET,
        `${V1BETA1}:ClusterSecretStore`,
        `${V1BETA1}:ClusterExternalSecret`,
        `${V1BETA1}:ExternalSecret`,
    ],
    validate(resource, settings, report) {
        const what = describeResource(resource);
        if (resource.type.endsWith(":ClusterSecretStore")) {
            if (isPlatformChartResource(resource, settings)) return;
            report.violation(`${what} is shared by every namespace of the cluster, and so by every app and env`);
            return;
        }
        if (resource.type.endsWith(":ClusterExternalSecret")) {
            if (isPlatformChartResource(resource, settings)) return;
            report.violation(`${what} copies one secret into many namespaces`);
            return;
        }
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        for (const { path, ref } of storeRefs(spec)) {
            if (ref === undefined) continue;
            const kind = (ref as any)?.kind;
            if (isUnknown(ref) || isUnknown(kind)) report.unknown(`${path}.kind`);
            else if (kind === CLUSTER_STORE_KIND) {
                report.violation(`${what}: ${path} reads through ClusterSecretStore ${show((ref as any)?.name)}`);
            } else if (kind !== undefined && kind !== STORE_KIND) {
                report.violation(`${what}: ${path} has kind ${show(kind)}, not ${STORE_KIND}`);
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
 * The prefix `key` lies under in `env` for `app`: `<env>/<app>/` (a Vault KV path, vaultSecretPrefix),
 * `<project>-<env>/<app>/` (a Secrets Manager name, secretPathPrefix, the project read off the key) or
 * `/<project>-<env>/<app>/` (a Parameter Store name, ssmParameterPrefix); the env's first segment alone when
 * the app is not known. Undefined when the key starts with none of them.
 */
function ownPrefixOf(key: string, env: Environment, app: string | undefined): string | undefined {
    if (key.startsWith("/")) {
        if (key.startsWith("//")) return undefined;
        const prefix = ownPrefixOf(key.slice(1), env, app);
        return prefix === undefined || prefix === `${env}/` || prefix === vaultSecretPrefix(env, app ?? "")
            ? undefined
            : `/${prefix}`;
    }
    const first = key.slice(0, key.indexOf("/") + 1 || key.length);
    if (first === `${env}/`) return app === undefined ? first : vaultSecretPrefix(env, app);
    const suffix = `-${env}/`;
    if (first.endsWith(suffix) && isDns1123Label(first.slice(0, -suffix.length))) {
        return app === undefined ? first : secretPathPrefix(first.slice(0, -suffix.length), env, app);
    }
    return undefined;
}

/**
 * A Parameter Store search path names the app's path without the trailing `/` (GetParametersByPath is
 * hierarchical, so `/<project>-<env>/<app>` covers that path only); a Secrets Manager name prefix without it
 * would also match `<app>-other/`.
 */
function searchesParameterPath(key: string, search: boolean, env: Environment, app: string | undefined): boolean {
    return search && app !== undefined && key.startsWith("/") && ownPrefixOf(`${key}/`, env, app) === `${key}/`;
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
 * `<project>-<env>/<app>/...` (Secrets Manager), `/<project>-<env>/<app>/...` (Parameter Store; a find path may
 * also be `/<project>-<env>/<app>` itself) or `<env>/<app>/...` (a path in the env's Vault KV mount), and
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
        "ExternalSecrets read only keys under their app's prefix in their own env: <project>-<env>/<app>/, /<project>-<env>/<app>/ or <env>/<app>/.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name the secret under the app's prefix (`<project>-<env>/<app>/<secret>` in Secrets Manager, " +
        "`/<project>-<env>/<app>/<secret>` in Parameter Store, `<env>/<app>/<secret>` in Vault), label the ExternalSecret app.kubernetes.io/name=<app> when its " +
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
            if (searchesParameterPath(key, search, env, app)) continue;
            const prefix = ownPrefixOf(key, env, app);
            const expected =
                app === undefined
                    ? `an ${env} prefix (<project>-${env}/, /<project>-${env}/ or ${env}/)`
                    : `${secretPathPrefix("<project>", env, app)}, /${secretPathPrefix("<project>", env, app)} or ${vaultSecretPrefix(env, app)}`;
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

/** The AWS services a store may read from: the baseline's two AWS secret backends. */
const AWS_STORE_SERVICES: readonly string[] = ["SecretsManager", "ParameterStore"];

/**
 * `external-secrets-aws-store-service`: an aws SecretStore reads from one of the baseline's AWS backends
 * (`service` SecretsManager or ParameterStore, as AppExternalSecrets writes for `aws-secrets-manager` and
 * `aws-parameter-store`), in a named region, and sets no `prefix`: a prefix is put before every key the store
 * reads, so the key an ExternalSecret names, the one external-secrets-remote-key-prefix judges, is not the key
 * read. Unknowns: an unknown provider, service, region or prefix is reported as unknown.
 */
export const externalSecretsAwsStoreService: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-aws-store-service",
    group: "external-secrets",
    description: "aws SecretStores read Secrets Manager or Parameter Store in a named region, with no key prefix.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set spec.provider.aws.service to SecretsManager or ParameterStore and region to the env's region, and remove prefix (AppExternalSecrets writes such stores).",
    url: `${DOCS}/provider/aws-parameter-store/`,
    types: [SECRET_STORE, CLUSTER_SECRET_STORE],
    validate(resource, _settings, report) {
        const aws = resource.props?.spec?.provider?.aws;
        if (isUnknown(aws)) return report.unknown("spec.provider.aws");
        if (aws === undefined || aws === null) return;
        const what = describeResource(resource);
        if (isUnknown(aws.service)) report.unknown("spec.provider.aws.service");
        else if (!AWS_STORE_SERVICES.includes(aws.service)) {
            report.violation(
                `${what}: spec.provider.aws.service ${show(aws.service ?? null)} is not ${AWS_STORE_SERVICES.join(" or ")}`,
            );
        }
        if (isUnknown(aws.region)) report.unknown("spec.provider.aws.region");
        else if (typeof aws.region !== "string" || !AWS_REGION.test(aws.region)) {
            report.violation(
                `${what}: spec.provider.aws.region ${show(aws.region ?? null)} is not a region, so the operator reads wherever its own AWS configuration points`,
            );
        }
        if (isUnknown(aws.prefix)) report.unknown("spec.provider.aws.prefix");
        else if (aws.prefix !== undefined && aws.prefix !== null && aws.prefix !== "") {
            report.violation(
                `${what}: spec.provider.aws.prefix ${show(aws.prefix)} is put before every key, so the keys its ExternalSecrets name are not the keys read`,
            );
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

/** A store's ServiceAccount reference of an allowed auth method, with its path. */
interface IdentityRef {
    readonly path: string;
    readonly ref: any;
}

/** What a store authenticates as: the allowed method and its ServiceAccount reference, or why it is not one. */
interface StoreIdentity {
    readonly problems: string[];
    readonly refs: IdentityRef[];
    readonly methods: SecretStoreAuthMethod[];
}

/** The keys of an object whose values are set. */
function keysOf(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
    return Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k]) => k);
}

/** True when a ServiceAccount reference names an account (the namespace is judged elsewhere). */
function namesServiceAccount(ref: any): boolean {
    return typeof ref?.name === "string" && ref.name.length > 0;
}

/** Why each Vault auth method other than the allowed ones is not a per-app identity. */
const VAULT_METHOD_PROBLEMS: Readonly<Record<string, string>> = {
    tokenSecretRef: "logs in with a Vault token kept in a Secret",
    appRole: "logs in with an AppRole secret id kept in a Secret",
    userPass: "logs in with a username and a password kept in a Secret",
    ldap: "logs in with LDAP credentials kept in a Secret",
    cert: "logs in with a client certificate kept in a Secret",
    iam: "logs in with AWS credentials (static keys, or the operator's own identity)",
    gcp: "logs in with GCP credentials (a key, or the operator's own identity)",
};

/**
 * Judges a store's provider against the allowed auth methods (components/baseline SECRET_STORE_AUTH_METHODS):
 * a whitelist, so a provider or method the baseline does not know is refused, whatever it does. `own` is the
 * store's namespace (undefined for a cluster-wide store).
 */
function storeIdentity(
    provider: any,
    own: string | undefined,
    allowed: readonly SecretStoreAuthMethod[],
): StoreIdentity {
    const problems: string[] = [];
    const refs: IdentityRef[] = [];
    const methods: SecretStoreAuthMethod[] = [];
    const accept = (method: SecretStoreAuthMethod, path: string, ref: any) => {
        methods.push(method);
        refs.push({ path, ref });
    };
    const names = keysOf(provider);
    if (names.length === 0) problems.push("spec.provider names no provider");
    for (const name of names) {
        const p = provider[name];
        const at = `spec.provider.${name}`;
        const auth = p?.auth;
        const authKeys = keysOf(auth);
        switch (name) {
            case "aws": {
                if (authKeys.length === 0) {
                    problems.push(`${at} has no auth, so the operator uses its own (or the node's) AWS identity`);
                } else if (authKeys.includes("secretRef")) {
                    problems.push(`${at}.auth.secretRef logs in with static access keys kept in a Secret`);
                } else if (
                    authKeys.length === 1 &&
                    authKeys[0] === "jwt" &&
                    namesServiceAccount(auth.jwt?.serviceAccountRef)
                ) {
                    accept(
                        SecretStoreAuthMethod.AwsJwt,
                        `${at}.auth.jwt.serviceAccountRef`,
                        auth.jwt.serviceAccountRef,
                    );
                } else {
                    problems.push(`${at}.auth names no ServiceAccount (auth.jwt.serviceAccountRef)`);
                }
                break;
            }
            case "vault": {
                const vaultMethods = authKeys.filter((k) => k !== "namespace");
                if (vaultMethods.length === 0) {
                    problems.push(`${at} has no auth method`);
                    break;
                }
                for (const method of vaultMethods) {
                    const m = auth[method];
                    if (method === "kubernetes") {
                        if (m?.secretRef !== undefined) {
                            problems.push(`${at}.auth.kubernetes.secretRef logs in with a token kept in a Secret`);
                        } else if (!namesServiceAccount(m?.serviceAccountRef)) {
                            problems.push(
                                `${at}.auth.kubernetes names no serviceAccountRef, so it logs in with the operator's own token`,
                            );
                        } else {
                            accept(
                                SecretStoreAuthMethod.VaultKubernetes,
                                `${at}.auth.kubernetes.serviceAccountRef`,
                                m.serviceAccountRef,
                            );
                        }
                    } else if (method === "jwt") {
                        const ref = m?.kubernetesServiceAccountToken?.serviceAccountRef;
                        if (m?.secretRef !== undefined) {
                            problems.push(`${at}.auth.jwt.secretRef logs in with a JWT kept in a Secret`);
                        } else if (!namesServiceAccount(ref)) {
                            problems.push(`${at}.auth.jwt names no kubernetesServiceAccountToken.serviceAccountRef`);
                        } else {
                            accept(
                                SecretStoreAuthMethod.VaultJwt,
                                `${at}.auth.jwt.kubernetesServiceAccountToken.serviceAccountRef`,
                                ref,
                            );
                        }
                    } else {
                        problems.push(
                            `${at}.auth.${method} ${VAULT_METHOD_PROBLEMS[method] ?? "is not a per-app ServiceAccount identity"}`,
                        );
                    }
                }
                break;
            }
            case "gcpsm": {
                if (authKeys.length === 0) {
                    problems.push(`${at} has no auth, so the operator uses its own (or the node's) GCP identity`);
                } else if (authKeys.includes("secretRef")) {
                    problems.push(`${at}.auth.secretRef logs in with a service account key kept in a Secret`);
                } else if (authKeys.length !== 1) {
                    problems.push(`${at}.auth names several methods`);
                } else if (
                    authKeys[0] === "workloadIdentity" &&
                    namesServiceAccount(auth.workloadIdentity?.serviceAccountRef)
                ) {
                    accept(
                        SecretStoreAuthMethod.GcpWorkloadIdentity,
                        `${at}.auth.workloadIdentity.serviceAccountRef`,
                        auth.workloadIdentity.serviceAccountRef,
                    );
                } else {
                    problems.push(`${at}.auth names no ServiceAccount (auth.workloadIdentity.serviceAccountRef)`);
                }
                break;
            }
            case "azurekv": {
                const authType = p?.authType ?? "ServicePrincipal";
                if (authType === "ManagedIdentity") {
                    problems.push(
                        `${at}.authType ManagedIdentity uses the node's (or the operator's) managed identity`,
                    );
                } else if (authType !== "WorkloadIdentity") {
                    problems.push(`${at}.authType ${show(authType)} logs in with a service principal secret`);
                } else if (p?.authSecretRef !== undefined) {
                    problems.push(`${at}.authSecretRef logs in with credentials kept in a Secret`);
                } else if (!namesServiceAccount(p?.serviceAccountRef)) {
                    problems.push(`${at} names no serviceAccountRef for its workload identity`);
                } else {
                    accept(SecretStoreAuthMethod.AzureWorkloadIdentity, `${at}.serviceAccountRef`, p.serviceAccountRef);
                }
                break;
            }
            case "kubernetes": {
                if (p?.authRef !== undefined) {
                    problems.push(`${at}.authRef logs in with a kubeconfig kept in a Secret`);
                } else if (
                    authKeys.length === 1 &&
                    authKeys[0] === "serviceAccount" &&
                    namesServiceAccount(auth.serviceAccount)
                ) {
                    accept(
                        SecretStoreAuthMethod.KubernetesServiceAccount,
                        `${at}.auth.serviceAccount`,
                        auth.serviceAccount,
                    );
                } else {
                    problems.push(
                        `${at}.auth names no ServiceAccount (auth.serviceAccount): a token or certificate is not an app's identity`,
                    );
                }
                // The API defaults remoteNamespace to `default`: a store elsewhere that leaves it out reads another namespace.
                const remote = p?.remoteNamespace ?? "default";
                if (remote !== own) {
                    problems.push(
                        `${at}.remoteNamespace ${show(remote)} reads Secrets of another namespace than the store's ${show(own)}`,
                    );
                }
                break;
            }
            default:
                problems.push(`${at} cannot authenticate as the app's ServiceAccount`);
        }
    }
    for (const method of methods) {
        if (!allowed.includes(method)) problems.push(`auth method ${method} is not allowed here`);
    }
    return { problems, refs, methods };
}

const STORE_TYPES = [SECRET_STORE, CLUSTER_SECRET_STORE, `${V1BETA1}:SecretStore`, `${V1BETA1}:ClusterSecretStore`];

/**
 * A SecretStore (or a ClusterSecretStore the platform did not render) authenticates only as a ServiceAccount:
 * one provider, with one of the auth methods of components/baseline SECRET_STORE_AUTH_METHODS (aws
 * `auth.jwt`, vault `auth.kubernetes` or `auth.jwt.kubernetesServiceAccountToken`, gcpsm
 * `auth.workloadIdentity`, azurekv `authType: WorkloadIdentity`, kubernetes `auth.serviceAccount`), each
 * naming a ServiceAccount. No auth (the operator's or the node's identity), static keys, Vault tokens,
 * AppRole, userpass, certificates and every other provider are reported: a whitelist. The kubernetes provider
 * must read its own namespace (`remoteNamespace`, which defaults to `default`). An unknown provider is
 * reported as unknown.
 */
export const externalSecretsStoreIdentity: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-store-identity",
    group: "external-secrets",
    description:
        "A SecretStore authenticates as a ServiceAccount it names, never with stored credentials or the operator's identity.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Authenticate as the app's ServiceAccount: aws auth.jwt.serviceAccountRef (IRSA), vault auth.kubernetes " +
        "with serviceAccountRef (AppExternalSecrets writes both), or the workload identity of gcpsm or azurekv; " +
        "remove static keys, tokens and passwords, and read a kubernetes provider's own namespace only.",
    url: `${DOCS}/guides/security-best-practices/`,
    types: STORE_TYPES,
    validate(resource, settings, report) {
        if (isPlatformChartResource(resource, settings)) return;
        const spec = resource.props?.spec;
        const provider = isUnknown(spec) ? spec : spec?.provider;
        if (containsUnknown(provider)) {
            report.unknown("spec.provider");
            return;
        }
        const cluster = resource.type.endsWith(":ClusterSecretStore");
        const own = cluster ? undefined : namespaceOf(resource);
        const env = envOf(resource, settings) ?? Environment.Prod;
        const { problems } = storeIdentity(provider, own, SECRET_STORE_AUTH_METHODS[env]);
        for (const problem of problems) report.violation(`${describeResource(resource)}: ${problem}`);
    },
};

/** The app a namespaced object belongs to: its app label, else its namespace; UNKNOWN when either is unknown. */
function appOfObject(resource: PolicyResource): string | typeof APP_UNKNOWN {
    const labels = labelsOf(resource);
    if (isUnknown(labels) || isUnknown(labels[APP_LABEL])) return APP_UNKNOWN;
    const label = labels[APP_LABEL];
    if (typeof label === "string" && label.length > 0) return label;
    if (isUnknown(resource.props?.metadata?.namespace)) return APP_UNKNOWN;
    return namespaceOf(resource) ?? "default";
}
const APP_UNKNOWN: unique symbol = Symbol("unknown app");

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The ServiceAccounts of a stack by `namespace/name`: their app label and IRSA role annotation. */
function serviceAccountIndex(resources: readonly PolicyResource[]): Map<string, { app: unknown; roleArn: unknown }> {
    const index = new Map<string, { app: unknown; roleArn: unknown }>();
    for (const r of resources) {
        if (r.type !== SERVICE_ACCOUNT) continue;
        const metadata = r.props?.metadata;
        if (isUnknown(metadata) || typeof metadata?.name !== "string") continue;
        const labels = labelsOf(r);
        const annotations = annotationsOf(r);
        index.set(`${namespaceOf(r)}/${metadata.name}`, {
            app: isUnknown(labels) ? labels : labels[APP_LABEL],
            roleArn: isUnknown(annotations) ? annotations : annotations[IRSA_ANNOTATION],
        });
    }
    return index;
}

/** The namespaced SecretStores of a stack that policies judge (the platform's own charts aside). */
function appStores(resources: readonly PolicyResource[], settings: PolicySettings): PolicyResource[] {
    return resources.filter(
        (r) =>
            (r.type === SECRET_STORE || r.type === `${V1BETA1}:SecretStore`) && !isPlatformChartResource(r, settings),
    );
}

/**
 * A SecretStore authenticates as its own app's ServiceAccount. The store's app is its app.kubernetes.io/name
 * label, else its namespace. The ServiceAccount it names (every allowed method's reference) must be the app's:
 * named as the baseline names an app's account (appServiceAccountName: the app's name) or carrying the app's
 * label in the stack; one labelled for another app, and `default`, are reported. References with another
 * namespace are external-secrets-store-own-service-account's. Unknown names or labels are reported as unknown.
 */
export const externalSecretsStoreAppServiceAccount: StackPolicy = {
    kind: "stack",
    name: "external-secrets-store-app-service-account",
    group: "external-secrets",
    description:
        "A SecretStore authenticates as its own app's ServiceAccount, not another app's or the namespace's default.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Name the app's own ServiceAccount in the store (the one named after the app, or labelled " +
        "app.kubernetes.io/name=<app>, as WorkloadIdentity creates it), and label the store with the app.",
    url: `${DOCS}/guides/multi-tenancy/`,
    validateStack(resources, settings, report) {
        const stores = appStores(resources, settings);
        if (stores.length === 0) return;
        const accounts = serviceAccountIndex(resources);
        for (const store of stores) {
            const provider = store.props?.spec?.provider;
            if (containsUnknown(store.props?.spec)) continue; // external-secrets-store-identity reports it
            const own = namespaceOf(store);
            const app = appOfObject(store);
            const what = describeResource(store);
            const { refs } = storeIdentity(provider, own, Object.values(SecretStoreAuthMethod));
            for (const { path, ref } of refs) {
                if (ref?.namespace !== undefined && ref.namespace !== own) continue;
                const name: string = ref.name;
                if (SHARED_SERVICE_ACCOUNTS.includes(name)) {
                    report.violation(
                        `${what}: ${path} names ServiceAccount ${name}, which every pod of ${own} without one runs as`,
                        {
                            urn: store.urn,
                        },
                    );
                    continue;
                }
                if (app === APP_UNKNOWN) {
                    report.unknown(`metadata.labels["${APP_LABEL}"]`, { urn: store.urn });
                    continue;
                }
                const account = accounts.get(`${own}/${name}`);
                if (isUnknown(account?.app)) {
                    report.unknown(`ServiceAccount ${own}/${name} metadata.labels["${APP_LABEL}"]`, { urn: store.urn });
                    continue;
                }
                const label = account?.app;
                if (typeof label === "string" && label.length > 0) {
                    if (label !== app) {
                        report.violation(
                            `${what}: ${path} names ServiceAccount ${own}/${name}, which is app ${label}'s, not ${app}'s`,
                            {
                                urn: store.urn,
                            },
                        );
                    }
                } else if (name !== appServiceAccountName(app)) {
                    report.violation(
                        `${what}: ${path} names ServiceAccount ${own}/${name}, which is not app ${app}'s ` +
                            `(${appServiceAccountName(app)}, or one labelled ${APP_LABEL}=${app})`,
                        { urn: store.urn },
                    );
                }
            }
        }
    },
};

/** An IAM role ARN: partition, account, and the role's path and name. */
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/(.+)$/;

/**
 * An aws SecretStore that assumes a role (`role`, or each of `additionalRoles`, chained after the
 * ServiceAccount's own) assumes one of its own env and account: a role ARN, whose name names the store's env
 * (envOf's; prod when nothing names it) and no other, in the account of the ServiceAccount's IRSA role (the
 * store's referenced account's `eks.amazonaws.com/role-arn` in the stack, else any IRSA role of the stack).
 * When the stack shows no account, only the env is judged. Unknown roles are reported as unknown.
 */
export const externalSecretsStoreAwsRole: StackPolicy = {
    kind: "stack",
    name: "external-secrets-store-aws-role",
    group: "external-secrets",
    description: "An aws SecretStore assumes only roles of its own env and account.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Leave `role` unset, as AppExternalSecrets does: the app's IRSA role is the one scoped to its secrets. " +
        "A role it must chain to is named for its env (<project>-<env>-<app>) in the env's own account.",
    url: `${DOCS}/provider/aws-secrets-manager/`,
    validateStack(resources, settings, report) {
        const stores = appStores(resources, settings).filter((r) => r.props?.spec?.provider?.aws !== undefined);
        if (stores.length === 0) return;
        const accounts = serviceAccountIndex(resources);
        const stackAccounts = new Set<string>();
        for (const { roleArn } of accounts.values()) {
            const match = typeof roleArn === "string" ? ROLE_ARN.exec(roleArn) : null;
            if (match) stackAccounts.add(match[2]);
        }
        for (const store of stores) {
            const aws = store.props.spec.provider.aws;
            if (isUnknown(aws)) {
                report.unknown("spec.provider.aws", { urn: store.urn });
                continue;
            }
            const env = envOf(store, settings) ?? Environment.Prod;
            const what = describeResource(store);
            const own = namespaceOf(store);
            const saName = aws?.auth?.jwt?.serviceAccountRef?.name;
            const saArn = typeof saName === "string" ? accounts.get(`${own}/${saName}`)?.roleArn : undefined;
            const saAccount = typeof saArn === "string" ? ROLE_ARN.exec(saArn)?.[2] : undefined;
            const envAccounts = saAccount !== undefined ? new Set([saAccount]) : stackAccounts;
            const roles: { path: string; arn: unknown }[] = [];
            if (aws?.role !== undefined) roles.push({ path: "spec.provider.aws.role", arn: aws.role });
            if (isUnknown(aws?.additionalRoles))
                report.unknown("spec.provider.aws.additionalRoles", { urn: store.urn });
            else if (Array.isArray(aws?.additionalRoles)) {
                aws.additionalRoles.forEach((arn: unknown, i: number) =>
                    roles.push({ path: `spec.provider.aws.additionalRoles[${i}]`, arn }),
                );
            }
            for (const { path, arn } of roles) {
                if (isUnknown(arn)) {
                    report.unknown(path, { urn: store.urn });
                    continue;
                }
                const match = typeof arn === "string" ? ROLE_ARN.exec(arn) : null;
                if (!match) {
                    report.violation(`${what}: ${path} ${show(arn)} is not an IAM role ARN`, { urn: store.urn });
                    continue;
                }
                const [, , account, rolePath] = match;
                const others = otherEnvironmentsNamedIn(rolePath, env);
                if (others.length > 0) {
                    report.violation(`${what}: ${path} ${arn} is a role of ${others.join(", ")}, not ${env}`, {
                        urn: store.urn,
                    });
                } else if (!rolePath.split(/[-/.:_]/).includes(env)) {
                    report.violation(`${what}: ${path} ${arn} does not name ${env}, so nothing keeps it to this env`, {
                        urn: store.urn,
                    });
                }
                if (envAccounts.size > 0 && !envAccounts.has(account)) {
                    report.violation(
                        `${what}: ${path} ${arn} is in account ${account}, not the env's ${[...envAccounts].join(", ")}`,
                        { urn: store.urn },
                    );
                }
            }
        }
    },
};

/**
 * An ExternalSecret writes only a Secret it owns: `target.creationPolicy` is Owner (the default) or None
 * (EXTERNAL_SECRET_CREATION_POLICIES): Merge and CreateOrMerge write into a Secret someone else made (a
 * ServiceAccount token, another app's credentials), Orphan leaves one behind that nothing manages. The
 * Secret is not of type kubernetes.io/service-account-token (`target.template.type`), which the token
 * controller fills with a long-lived token of whatever ServiceAccount it names, and `target.manifest`, which
 * makes the operator write another kind than a Secret, is not set. Unknown values are reported as unknown.
 */
export const externalSecretsTargetOwned: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-target-owned",
    group: "external-secrets",
    description:
        "ExternalSecrets create Secrets they own, never merge into others, orphan them, or write ServiceAccount tokens or other kinds.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Leave target.creationPolicy at Owner (AppExternalSecrets does), give the target a name no other object " +
        "writes, and drop target.manifest and a service-account-token template type.",
    url: `${DOCS}/guides/ownership-deletion-policy/`,
    types: [EXTERNAL_SECRET, `${V1BETA1}:ExternalSecret`],
    validate(resource, _settings, report) {
        const spec = resource.props?.spec;
        const target = isUnknown(spec) ? spec : spec?.target;
        if (isUnknown(target)) {
            report.unknown("spec.target");
            return;
        }
        const what = describeResource(resource);
        const policy = target?.creationPolicy;
        if (isUnknown(policy)) report.unknown("spec.target.creationPolicy");
        else if (policy !== undefined && !EXTERNAL_SECRET_CREATION_POLICIES.includes(policy)) {
            report.violation(
                `${what}: spec.target.creationPolicy ${show(policy)} ` +
                    (policy === "Orphan"
                        ? "leaves the Secret behind when the ExternalSecret goes"
                        : "writes into a Secret the ExternalSecret does not own"),
            );
        }
        const template = target?.template;
        const type = isUnknown(template) ? template : template?.type;
        if (isUnknown(type)) report.unknown("spec.target.template.type");
        else if (type === LEGACY_TOKEN_SECRET_TYPE) {
            report.violation(
                `${what}: spec.target.template.type ${type} makes the token controller mint a ServiceAccount token into it`,
            );
        }
        const manifest = target?.manifest;
        if (isUnknown(manifest)) report.unknown("spec.target.manifest");
        else if (manifest !== undefined && !(manifest?.kind === "Secret" && (manifest?.apiVersion ?? "v1") === "v1")) {
            report.violation(
                `${what}: spec.target.manifest makes the operator write a ${show(manifest?.kind)}, not a Secret`,
            );
        }
    },
};

const GENERATOR_TYPE_PREFIX = `kubernetes:${GENERATORS_API_GROUP}/`;
const GENERATOR_TYPES = ["v1alpha1", "v1"].flatMap((version) =>
    GENERATOR_KINDS.map((kind) => `${GENERATOR_TYPE_PREFIX}${version}:${kind}`),
);
const CLUSTER_GENERATOR = "ClusterGenerator";

/**
 * Generators only where the env admits them (components/baseline ALLOWED_GENERATOR_KINDS; the env envOf's,
 * prod when nothing names it, which admits VaultDynamicSecret only): each `sourceRef.generatorRef` of an ExternalSecret's
 * `data` and `dataFrom` names an admitted kind, and every generator object (generators.external-secrets.io)
 * is of an admitted kind. A ClusterGenerator is refused outside the platform's charts, and so is a reference
 * to one: it hides its kind behind a cluster-wide object. An unknown reference kind is reported as unknown.
 */
export const externalSecretsGenerators: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-generators",
    group: "external-secrets",
    description:
        "External Secrets generators only of the kinds the env admits (none in prod), and no ClusterGenerator outside the platform.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Keep the secret in the env's backend and read it with an ExternalSecret; in dev and stage, generate only " +
        "random values (Password, UUID, SSHKey). Token generators (ECR, STS, Vault, GitHub, webhooks) authenticate " +
        "as the operator unless told otherwise.",
    url: `${DOCS}/api/generator/`,
    types: [EXTERNAL_SECRET, `${V1BETA1}:ExternalSecret`, ...GENERATOR_TYPES],
    validate(resource, settings, report) {
        const env = envOf(resource, settings) ?? Environment.Prod;
        const allowed = allowedGeneratorKinds(env);
        const what = describeResource(resource);
        if (resource.type.startsWith(GENERATOR_TYPE_PREFIX)) {
            const kind = resource.type.slice(resource.type.lastIndexOf(":") + 1);
            if (kind === CLUSTER_GENERATOR) {
                if (!isPlatformChartResource(resource, settings)) {
                    report.violation(`${what} generates for every namespace of the cluster`);
                }
            } else if (!allowed.includes(kind)) {
                report.violation(`${what}: ${kind} generators are not admitted in ${env}`);
            }
            return;
        }
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        for (const field of ["data", "dataFrom"] as const) {
            const items = spec?.[field];
            if (isUnknown(items)) {
                report.unknown(`spec.${field}`);
                continue;
            }
            if (!Array.isArray(items)) continue;
            items.forEach((item: any, i: number) => {
                const ref = isUnknown(item) ? item : item?.sourceRef?.generatorRef;
                const path = `spec.${field}[${i}].sourceRef.generatorRef`;
                if (ref === undefined) return;
                if (isUnknown(ref) || isUnknown(ref?.kind)) {
                    report.unknown(`${path}.kind`);
                } else if (ref?.kind === CLUSTER_GENERATOR || !allowed.includes(ref?.kind)) {
                    report.violation(`${what}: ${path} uses a ${show(ref?.kind)} generator, not admitted in ${env}`);
                }
            });
        }
    },
};

const VAULT_DYNAMIC_SECRET_TYPES = ["v1alpha1", "v1"].map(
    (version) => `kubernetes:${GENERATORS_API_GROUP}/${version}:VaultDynamicSecret`,
);

/** True when `name` names `env` as a whole word (`shop-dev-payments` names dev). */
function namesEnvironment(name: string, env: Environment): boolean {
    return name.split(/[-/.:_]/).includes(env);
}

/**
 * A VaultDynamicSecret generator reads its own app's database credentials and logs in as that app:
 * `spec.path` is exactly `<mount>/creds/<role>` (a leading `/` aside; no glob, no other endpoint), the role
 * names the generator's env (envOf's, prod when nothing names it) and no other, nor does the mount, and it
 * ends in `-<env>-<app>` for the generator's app (its app.kubernetes.io/name label, else its namespace);
 * `spec.method` is unset or GET (a write to another endpoint could mint tokens); and the provider logs in
 * through Kubernetes auth alone (the allowed methods of a store, external-secrets-store-identity's), with a
 * `serviceAccountRef` of the generator's own namespace that is not `default`, and `auth.kubernetes.role`
 * equal to the database role (VaultAppAccess names both `<project>-<env>-<app>`), on an auth `mountPath`
 * that names no other env. Unknown values are reported as unknown.
 */
export const externalSecretsVaultDynamicSecretScope: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-vault-dynamic-secret-scope",
    group: "external-secrets",
    description:
        "A VaultDynamicSecret reads its own app's database credentials in its own env, logged in as that app's ServiceAccount and role.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Declare database credentials with SecureEnvironment apps[].database (AppExternalSecrets databaseCredentials): " +
        "path <project>-<env>-database/creds/<project>-<env>-<app>, Kubernetes auth with the app's role of the same " +
        "name and the app's own ServiceAccount in the generator's namespace.",
    url: `${DOCS}/api/generator/vault/`,
    types: VAULT_DYNAMIC_SECRET_TYPES,
    validate(resource, settings, report) {
        const spec = resource.props?.spec;
        if (isUnknown(spec)) {
            report.unknown("spec");
            return;
        }
        const what = describeResource(resource);
        const env = envOf(resource, settings) ?? Environment.Prod;
        const app = appOf(resource, report);
        const own = namespaceOf(resource);
        let role: string | undefined;
        const path = spec?.path;
        if (isUnknown(path)) report.unknown("spec.path");
        else if (typeof path !== "string") report.violation(`${what}: spec.path is not set`);
        else {
            const trimmed = path.startsWith("/") ? path.slice(1) : path;
            const creds = credsPathOf(trimmed);
            const others = otherEnvironmentsNamedIn(trimmed, env);
            if (!creds || creds.rest.length === 0 || creds.rest.includes("/") || /[*+{]/.test(trimmed)) {
                report.violation(`${what}: spec.path ${show(path)} is not one database role's <mount>/creds/<role>`);
            } else if (others.length > 0) {
                report.violation(`${what}: spec.path ${path} reads credentials of ${others.join(", ")}, not ${env}`);
            } else if (!namesEnvironment(creds.rest, env)) {
                report.violation(`${what}: spec.path ${path} reads role ${creds.rest}, which does not name ${env}`);
            } else if (app !== undefined && !creds.rest.endsWith(`-${env}-${app}`)) {
                report.violation(
                    `${what}: spec.path ${path} reads role ${creds.rest}, not app ${app}'s (<project>-${env}-${app})`,
                );
            } else role = creds.rest;
        }
        const method = spec?.method;
        if (isUnknown(method)) report.unknown("spec.method");
        else if (method !== undefined && String(method).toUpperCase() !== "GET") {
            report.violation(`${what}: spec.method ${show(method)} writes to Vault; credentials are read with GET`);
        }
        const provider = spec?.provider;
        if (containsUnknown(provider)) {
            report.unknown("spec.provider");
            return;
        }
        const { problems, refs } = storeIdentity({ vault: provider }, own, [SecretStoreAuthMethod.VaultKubernetes]);
        for (const problem of problems) report.violation(`${what}: ${problem}`);
        for (const { path: at, ref } of refs) {
            if (ref?.namespace !== undefined && ref.namespace !== own) {
                report.violation(
                    `${what}: ${at} names ServiceAccount ${show(ref.namespace)}/${show(ref.name)}, outside the generator's namespace ${own}`,
                );
            } else if (SHARED_SERVICE_ACCOUNTS.includes(ref?.name)) {
                report.violation(`${what}: ${at} names ServiceAccount ${ref.name}, which every pod of ${own} runs as`);
            }
        }
        const kubernetes = provider?.auth?.kubernetes;
        if (kubernetes !== undefined) {
            const authRole = kubernetes.role;
            if (typeof authRole !== "string" || authRole.length === 0) {
                report.violation(`${what}: spec.provider.auth.kubernetes.role is not set`);
            } else if (role !== undefined && authRole !== role) {
                report.violation(
                    `${what}: spec.provider.auth.kubernetes.role ${authRole} is not the app's role ${role}, whose policy reads its credentials`,
                );
            } else if (otherEnvironmentsNamedIn(authRole, env).length > 0) {
                report.violation(`${what}: spec.provider.auth.kubernetes.role ${authRole} is a role of another env`);
            }
            const mountPath = kubernetes.mountPath;
            if (typeof mountPath === "string" && otherEnvironmentsNamedIn(mountPath, env).length > 0) {
                report.violation(
                    `${what}: spec.provider.auth.kubernetes.mountPath ${mountPath} is another env's auth backend`,
                );
            }
        }
    },
};

const PUSH_KINDS = ["PushSecret", "ClusterPushSecret"];
const PUSH_TYPES = ["v1alpha1", "v1beta1", "v1"].flatMap((version) =>
    PUSH_KINDS.map((kind) => `kubernetes:${GROUP}/${version}:${kind}`),
);

/**
 * Secrets flow from the backend into the cluster, never back: every PushSecret, in every version, is
 * reported (it copies a cluster Secret, any the operator can read in its namespace, out to a provider), and
 * so is every ClusterPushSecret the platform's charts did not render. The type token is always known.
 */
export const externalSecretsNoPushSecret: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-no-push-secret",
    group: "external-secrets",
    description: "No PushSecret or ClusterPushSecret: nothing copies cluster Secrets out to a secret provider.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Write the secret to the env's backend through its own pipeline (Secrets Manager or Vault) and read it " +
        "into the cluster with an ExternalSecret.",
    url: `${DOCS}/api/pushsecret/`,
    types: PUSH_TYPES,
    validate(resource, settings, report) {
        if (resource.type.endsWith(":ClusterPushSecret") && isPlatformChartResource(resource, settings)) return;
        report.violation(`${describeResource(resource)} copies cluster Secrets out to a secret provider`);
    },
};

/**
 * `external-secrets-vault-tls`: a Vault SecretStore or ClusterSecretStore (`spec.provider.vault.server`) and a
 * VaultDynamicSecret generator (`spec.provider.server`) talk to Vault over TLS: an `https://` URL of a host
 * with no credentials, query or fragment (isVaultServerAddress, which AppExternalSecrets applies to its
 * own). The operator sends the app's ServiceAccount token to that address and reads secrets back, so plain
 * `http://` hands both to anyone on the path. The platform's own charts render no Vault stores. Unknown
 * addresses are reported as unknown.
 */
export const externalSecretsVaultTls: ResourcePolicy = {
    kind: "resource",
    name: "external-secrets-vault-tls",
    group: "external-secrets",
    description: "Vault stores and generators reach Vault at an https:// address.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Give Vault\'s address with https:// (such as "https://vault.example.com:8200"), with no user, password, ' +
        "query or fragment in it; add caBundle or caProvider when Vault's certificate is from a private CA.",
    url: `${DOCS}/provider/hashicorp-vault/`,
    types: [...STORE_TYPES, ...VAULT_DYNAMIC_SECRET_TYPES],
    validate(resource, _settings, report) {
        const spec = resource.props?.spec;
        if (isUnknown(spec)) return report.unknown("spec");
        const generator = VAULT_DYNAMIC_SECRET_TYPES.includes(resource.type);
        const provider = spec?.provider;
        if (isUnknown(provider)) return report.unknown("spec.provider");
        const vault = generator ? provider : provider?.vault;
        if (isUnknown(vault)) return report.unknown("spec.provider.vault");
        if (vault === undefined || vault === null) return;
        const field = generator ? "spec.provider.server" : "spec.provider.vault.server";
        const server = vault.server;
        if (isUnknown(server)) return report.unknown(field);
        if (typeof server !== "string" || !isVaultServerAddress(server)) {
            report.violation(
                `${describeResource(resource)}: ${field} ${show(server ?? null)} is not an https:// address of a server, so the app's token and its secrets cross the network in the clear`,
            );
        }
    },
};

export const externalSecretsPolicies = [
    externalSecretsV1Only,
    externalSecretsStoreIdentity,
    externalSecretsStoreOwnServiceAccount,
    externalSecretsStoreAppServiceAccount,
    externalSecretsStoreAwsRole,
    externalSecretsNoSharedClusterStore,
    externalSecretsTargetOwned,
    externalSecretsGenerators,
    externalSecretsVaultDynamicSecretScope,
    externalSecretsVaultTls,
    externalSecretsNoPushSecret,
    externalSecretsRemoteKeyPrefix,
    externalSecretsAwsStoreService,
] as const;
