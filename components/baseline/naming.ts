/**
 * Naming rules. Every name that carries an environment is built here, so that isolation between
 * environments and apps is a property of these functions, tested once, and not of string concatenation
 * scattered through the components.
 */
import { Environment, ENVIRONMENTS } from "./environments";
import { PLATFORM_NAMESPACES, RUNTIME_SECURITY_NAMESPACE, SYSTEM_NAMESPACES } from "./labels";

/** A DNS-1123 label: what Kubernetes accepts as a namespace or ServiceAccount name, at most 63 chars. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A DNS-1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name, at most 253 chars. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A segment of a secret path: lower-case letters, digits, `-`, `_` and `.`, starting alphanumeric. */
export const SECRET_NAME_SEGMENT = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** An AWS account id. */
export const AWS_ACCOUNT_ID = /^\d{12}$/;

/** An AWS region such as `eu-west-1` or `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/** Kubernetes label values: at most 63 chars, alphanumeric at both ends. */
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function isDns1123Label(value: unknown): value is string {
    return typeof value === "string" && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: unknown): value is string {
    return typeof value === "string" && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** `<project>-<env>`: the prefix of every per-env AWS name (secrets, KMS alias, IAM roles). */
export function envPrefix(project: string, env: Environment): string {
    return `${project}-${env}`;
}

/** `<project>-<env>/<app>/`: the Secrets Manager name prefix an app owns. */
export function secretPathPrefix(project: string, env: Environment, app: string): string {
    return `${envPrefix(project, env)}/${app}/`;
}

/** `<project>-<env>/<app>/<secret>`: the full Secrets Manager name of an app's secret. */
export function secretPath(project: string, env: Environment, app: string, secret: string): string {
    return `${secretPathPrefix(project, env, app)}${secret}`;
}

/**
 * The Secrets Manager ARN pattern covering exactly an app's secrets. The trailing `*` covers the six
 * random characters AWS appends to every secret ARN; the `/` before it keeps app `pay` from matching
 * app `payments`.
 */
export function secretArnPattern(
    partition: string,
    region: string,
    accountId: string,
    project: string,
    env: Environment,
    app: string,
): string {
    return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${secretPathPrefix(project, env, app)}*`;
}

/** `<app>-<secret>`: the Kubernetes Secret an ExternalSecret writes an app's secret into. */
export function externalSecretTargetName(app: string, secret: string): string {
    return `${app}-${secret}`.replace(/[_.]/g, "-");
}

/** `<app>-store`: the SecretStore of an app's namespace, bound to the app's own ServiceAccount. */
export function secretStoreName(app: string): string {
    return `${app}-store`;
}

/** `<env>/<app>/`: the path an app owns inside a Vault KV v2 mount. */
export function vaultSecretPrefix(env: Environment, app: string): string {
    return `${env}/${app}/`;
}

/** The KV v2 mount an environment's secrets live in, unless an existing one is named. */
export function vaultMountPath(project: string, env: Environment): string {
    return `${envPrefix(project, env)}-kv`;
}

/** The Kubernetes auth backend path of an environment's cluster. */
export function vaultAuthPath(project: string, env: Environment): string {
    return `kubernetes-${envPrefix(project, env)}`;
}

/**
 * The database secrets engine mount of an environment: one per env, like its KV mount, so that on a Vault
 * several envs share, an env's connections, roles and leases sit under a path of its own, and a policy
 * names the env it reads from in its first segment.
 */
export function vaultDatabaseMountPath(project: string, env: Environment): string {
    return `${envPrefix(project, env)}-database`;
}

/**
 * The database role an app's credentials come from: `<project>-<env>-<app>`, the name of its Vault policy and
 * Kubernetes auth role as well, so that one name ties the three together and the pack can check them against
 * each other.
 */
export function vaultDatabaseRoleName(project: string, env: Environment, app: string): string {
    return appResourceName(project, env, app);
}

/** `<mount>/creds/<role>`: the one path an app reads to get a new database credential. */
export function vaultDatabaseCredsPath(mount: string, role: string): string {
    return `${mount}/creds/${role}`;
}

/**
 * `<app>-database`: the VaultDynamicSecret generator, the ExternalSecret and the Kubernetes Secret that hold an
 * app's dynamic database credentials.
 */
export function databaseCredentialsName(app: string): string {
    return `${app}-database`;
}

/** `<project>-<env>-<app>`: IAM role, Vault policy and Vault role names of an app. */
export function appResourceName(project: string, env: Environment, app: string): string {
    return `${envPrefix(project, env)}-${app}`;
}

/**
 * `<project>-<env>-acme`: the name of an env's cert-manager ClusterIssuer. It names the env, so that the
 * envs' issuers coexist on a shared cluster, and a Certificate written for one env's issuer finds no issuer,
 * rather than the wrong one, in another env's cluster.
 */
export function environmentClusterIssuerName(project: string, env: Environment): string {
    return appResourceName(project, env, "acme");
}

/**
 * `<issuer>-dns01`: the ServiceAccount, in cert-manager's namespace, whose tokens an env's ClusterIssuer
 * assumes its Route 53 role with. One per env, so that no two envs' issuers share an AWS identity.
 */
export function acmeSolverServiceAccountName(clusterIssuerName: string): string {
    return `${clusterIssuerName}-dns01`;
}

/** `alias/<project>-<env>`: the env KMS key's alias. */
export function kmsAliasName(project: string, env: Environment): string {
    return `alias/${envPrefix(project, env)}`;
}

/** The audience projected ServiceAccount tokens carry for AWS STS (IRSA). */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** `system:serviceaccount:<ns>:<sa>`: the subject of a ServiceAccount's projected token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** The AWS partition of a region. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * Environments other than `env` whose name appears in `name` as a whole `-`, `/` or `.` separated word:
 * `payments-prod` names prod. Used to refuse a dev resource that points at a prod one.
 */
export function otherEnvironmentsNamedIn(name: string, env: Environment): Environment[] {
    const words = name.split(/[-/.:_]/);
    return ENVIRONMENTS.filter((other) => other !== env && words.includes(other));
}

/**
 * Namespaces every cluster has that belong to Kubernetes itself. `default` is where a request without a
 * namespace lands and where the cluster's `kubernetes` Service lives; the `kube-` ones hold the control
 * plane's add-ons, bootstrap data and node leases.
 */
export const CLUSTER_NAMESPACES: readonly string[] = [...SYSTEM_NAMESPACES, "default"];

/** The prefix Kubernetes reserves for its own namespaces: any `kube-*` namespace may be the cluster's. */
export const RESERVED_NAMESPACE_PREFIX = "kube-";

/**
 * The namespaces the platform's add-ons run in: their controllers hold the cluster-wide rights, and the
 * runtime security sensor's is privileged. No app lands in one.
 */
export const ADDON_NAMESPACES: readonly string[] = [...Object.values(PLATFORM_NAMESPACES), RUNTIME_SECURITY_NAMESPACE];

/**
 * Why `namespace` cannot hold apps, or undefined when it can. Whoever deploys into a namespace can run pods
 * as any ServiceAccount there: in a cluster namespace that is the control plane's add-ons, in an add-on
 * namespace the controller that may request tokens for every app's ServiceAccount.
 */
export function appNamespaceProblem(namespace: string): string | undefined {
    if (CLUSTER_NAMESPACES.includes(namespace) || namespace.startsWith(RESERVED_NAMESPACE_PREFIX)) {
        return `${namespace} is a namespace of the cluster itself, not an app namespace`;
    }
    if (ADDON_NAMESPACES.includes(namespace)) {
        return `${namespace} is the namespace of a platform add-on, not an app namespace`;
    }
    return undefined;
}

/**
 * The ServiceAccount the API server creates in every namespace and that a pod naming none runs as. Giving it
 * an app's role or a deployer's rights would hand them to every such pod.
 */
export const DEFAULT_SERVICE_ACCOUNT = "default";

/** `<serviceAccount>-secrets`: the Role and RoleBinding that let an app's ServiceAccount `get` its own Secrets. */
export function secretReaderRoleName(serviceAccount: string): string {
    return `${serviceAccount}-secrets`;
}

/**
 * `<name>-token-request`: the Role and RoleBinding that let a controller request the tokens of one
 * ServiceAccount: External Secrets an app's (named after its store), cert-manager an issuer's DNS-01 solver's.
 */
export function tokenRequestRoleName(storeName: string): string {
    return `${storeName}-token-request`;
}

/**
 * The RoleBinding of a group: `<role>-<group>`, the group lower-cased with every other character folded to
 * `-`, cut to a DNS-1123 label. Groups that differ only in case or punctuation fold to the same name, which
 * the components refuse.
 */
export function groupBindingName(role: string, group: string): string {
    const folded = group
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    const candidate = `${role}-${folded}`.slice(0, 63).replace(/-+$/, "");
    return isDns1123Label(candidate) ? candidate : `${role}-group`;
}

/**
 * `k8s-baseline-service-accounts-<namespace>`: the ValidatingAdmissionPolicy (and its binding) that lets the
 * namespace's pods run only as the ServiceAccounts the platform declared there.
 */
export function serviceAccountPolicyName(namespace: string): string {
    return `k8s-baseline-service-accounts-${namespace}`;
}

/** The systems whose names the components render, with how each compares names. */
export const NameSystem = {
    Kubernetes: "Kubernetes",
    Iam: "IAM",
    SecretsManager: "Secrets Manager",
    ParameterStore: "Parameter Store",
    Vault: "Vault",
    /** Pulumi's logical names: a resource's URN is its parent's type chain, its type and this name. */
    Pulumi: "Pulumi",
} as const;
export type NameSystem = (typeof NameSystem)[keyof typeof NameSystem];

/**
 * How a system folds names before it compares them. IAM names are unique regardless of case ("MyRole" and
 * "myrole" are one role); Vault lower-cases policy names. Outside Kubernetes, whose API server takes these
 * kinds in lower case only, and Pulumi, names are compared regardless of case: folding more only refuses more.
 */
export function foldedName(system: NameSystem, name: string): string {
    return system === NameSystem.Kubernetes || system === NameSystem.Pulumi ? name : name.toLowerCase();
}

/**
 * A child resource's logical name, unique under its parent's type: two children of the same type under two
 * components of the same type share a URN when their names match, and Pulumi refuses the second halfway
 * through a deployment.
 */
export function childResourceName(parentType: string, type: string, name: string, source: string): RenderedName {
    return { system: NameSystem.Pulumi, kind: type, scope: parentType, name, source };
}

/** One object a component would create, by the name its system knows it by. */
export interface RenderedName {
    readonly system: NameSystem;
    /** The kind of object, e.g. `ServiceAccount`, `Role`, `role`, `secret`, `policy`. */
    readonly kind: string;
    /** The namespace (Kubernetes) or other scope (a Vault auth path) names are unique within; none when global. */
    readonly scope?: string;
    readonly name: string;
    /** Which component and input field the name comes from, e.g. `apps[1] (orders): serviceAccountName`. */
    readonly source: string;
}

/** Two declarations that render the same object. */
export interface NameCollision {
    readonly first: RenderedName;
    readonly second: RenderedName;
}

/** `Role payments/payments-secrets`, `IAM role shop-prod-payments`. */
export function describeRenderedName(rendered: RenderedName): string {
    if (rendered.system === NameSystem.Pulumi) {
        return `Pulumi resource ${rendered.kind} ${rendered.name} (a child of ${rendered.scope})`;
    }
    const where = rendered.scope === undefined ? "" : `${rendered.scope}/`;
    const system = rendered.system === NameSystem.Kubernetes ? "" : `${rendered.system} `;
    return `${system}${rendered.kind} ${where}${rendered.name}`;
}

/**
 * Every pair of declarations that would create the same object (same system, kind and scope, and a name
 * equal once folded as the system folds it), in order; each later duplicate is paired with the first.
 */
export function nameCollisions(names: readonly RenderedName[]): NameCollision[] {
    const first = new Map<string, RenderedName>();
    const collisions: NameCollision[] = [];
    for (const rendered of names) {
        const key = JSON.stringify([
            rendered.system,
            rendered.kind,
            rendered.scope ?? "",
            foldedName(rendered.system, rendered.name),
        ]);
        const earlier = first.get(key);
        if (earlier === undefined) first.set(key, rendered);
        else if (earlier.source !== rendered.source) collisions.push({ first: earlier, second: rendered });
    }
    return collisions;
}
