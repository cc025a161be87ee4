/**
 * The admission policies that keep the envs of one cluster apart, created once per cluster and enforced in
 * every env: a namespace keeps the env it was given, and an env's certificates come only from its own
 * ClusterIssuer.
 *
 * They are Kyverno ValidatingPolicies rather than Kubernetes ValidatingAdmissionPolicies, for the same reasons
 * as the baseline's: one admission engine, failing closed (a request Kyverno cannot judge is refused, so the
 * isolation never lapses while Kyverno is down), with its refusals in the same policy reports, checked
 * against the same CRD schemas and evaluated by the same CEL tests. Their expressions are standard CEL, so
 * they would run unchanged as ValidatingAdmissionPolicies. Kyverno accepts PolicyExceptions only in its own
 * namespace, which only the platform writes to, and BaselinePolicies names none of these policies in the
 * exceptions it creates.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ADMISSION_EXCLUDED_NAMESPACES,
    ArgsChecker,
    ClusterTopology,
    componentType,
    Environment,
    environmentClusterIssuerName,
    isEnvironment,
    RequiredLabel,
    Severity,
    topologyProblems,
} from "../../baseline";
import { celString, celStringList } from "./cel";
import {
    CelValidation,
    KYVERNO_POLICIES_API_VERSION,
    managedLabels,
    namespacesExcept,
    ResourceRule,
    ValidatingPolicyManifest,
} from "./manifests";

/** The names of the isolation policies: cluster-scoped, one of each per cluster. */
export const IsolationPolicyName = {
    ProtectNamespaceEnvironment: "baseline-protect-namespace-env",
    RestrictClusterIssuers: "baseline-restrict-cluster-issuers",
} as const;
export type IsolationPolicyName = (typeof IsolationPolicyName)[keyof typeof IsolationPolicyName];

/** cert-manager's API group, and the kind of its cluster-wide issuers. */
export const CERT_MANAGER_GROUP = "cert-manager.io";
export const CLUSTER_ISSUER_KIND = "ClusterIssuer";

/**
 * The annotations cert-manager's ingress-shim and gateway-shim read to create a Certificate for an Ingress or
 * a Gateway: `cluster-issuer` names a ClusterIssuer; `issuer` names an Issuer, or a ClusterIssuer when
 * `issuer-kind` says so (and `issuer-group` is cert-manager's or unset).
 */
export const CertManagerAnnotation = {
    ClusterIssuer: "cert-manager.io/cluster-issuer",
    Issuer: "cert-manager.io/issuer",
    IssuerKind: "cert-manager.io/issuer-kind",
    IssuerGroup: "cert-manager.io/issuer-group",
} as const;
export type CertManagerAnnotation = (typeof CertManagerAnnotation)[keyof typeof CertManagerAnnotation];

/** Arguments of EnvironmentIsolationPolicies. */
export interface EnvironmentIsolationPoliciesArgs {
    /** Project name, a DNS-1123 label: the envs' ClusterIssuers are named after it. */
    project: string;
    /** The cluster's layout and the envs on it. */
    topology: ClusterTopology;
}

const COMPONENT = "EnvironmentIsolationPolicies";

/** The validated input of EnvironmentIsolationPolicies. */
export interface ResolvedEnvironmentIsolationPolicies {
    readonly project: string;
    readonly environments: readonly Environment[];
    /** Each env's ClusterIssuer, by env. */
    readonly clusterIssuers: Readonly<Partial<Record<Environment, string>>>;
}

/** Checks EnvironmentIsolationPolicies' arguments; throws an ArgumentError listing every problem. */
export function resolveEnvironmentIsolationPoliciesArgs(
    name: string,
    args: EnvironmentIsolationPoliciesArgs,
): ResolvedEnvironmentIsolationPolicies {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const topology = args.topology;
    const envs: readonly Environment[] = Array.isArray(topology?.environments) ? topology.environments : [];
    if (
        check.check(
            envs.length > 0,
            "topology.environments",
            "is empty",
            'list every env on the cluster, e.g. ["dev", "stage"]',
        ) &&
        envs.every(isEnvironment)
    ) {
        // The checks of the cluster as a whole; that each env is on it holds by construction.
        for (const { field, problem, fix } of topologyProblems(topology, envs[0])) {
            check.fail(`topology.${field}`, problem, fix);
        }
    } else if (envs.length > 0) {
        const unknown = envs.filter((e) => !isEnvironment(e));
        check.fail(
            "topology.environments",
            `${unknown.map((e) => JSON.stringify(e)).join(", ")} is not a known environment`,
            "use dev, stage or prod",
        );
    }
    check.throwIfInvalid();
    const clusterIssuers: Partial<Record<Environment, string>> = {};
    for (const env of envs) clusterIssuers[env] = environmentClusterIssuerName(args.project, env);
    return { project: args.project, environments: [...envs], clusterIssuers };
}

const NAMESPACE_RULE: ResourceRule = {
    apiGroups: [""],
    apiVersions: ["v1"],
    operations: ["CREATE", "UPDATE"],
    resources: ["namespaces"],
};

/**
 * The objects that name an issuer: cert-manager's Certificates and CertificateRequests, and the Ingresses and
 * Gateways its shims make Certificates for. Requests through another served version of a kind are matched
 * too (`matchPolicy: Equivalent`, the default).
 */
const ISSUER_RULES: readonly ResourceRule[] = [
    {
        apiGroups: [CERT_MANAGER_GROUP],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["certificates", "certificaterequests"],
    },
    { ...NAMESPACE_RULE, apiGroups: ["networking.k8s.io"], resources: ["ingresses"] },
    { ...NAMESPACE_RULE, apiGroups: ["gateway.networking.k8s.io"], resources: ["gateways"] },
];

function labelOf(root: string, key: string): { has: string; value: string } {
    return {
        has: `(has(${root}.metadata.labels) && ${celString(key)} in ${root}.metadata.labels)`,
        value: `${root}.metadata.labels[${celString(key)}]`,
    };
}

/** A Namespace's `env` label, once set, stays as it is: not changed, not removed. */
export function envLabelUnchangedExpression(): string {
    const now = labelOf("object", RequiredLabel.Env);
    const before = labelOf("oldObject", RequiredLabel.Env);
    return `oldObject == null || !${before.has} || (${now.has} && ${now.value} == ${before.value})`;
}

/**
 * A Namespace's `env` label, when it is set or changed, names an env of the cluster. A label that was there
 * before this policy and is kept is left for the baseline's namespace rule to report.
 */
export function envLabelKnownExpression(environments: readonly Environment[]): string {
    const now = labelOf("object", RequiredLabel.Env);
    const before = labelOf("oldObject", RequiredLabel.Env);
    const kept = `(oldObject != null && ${before.has} && ${now.value} == ${before.value})`;
    return `!${now.has} || ${kept} || ${now.value} in ${celStringList(environments)}`;
}

/**
 * True when `issuer` (a CEL string) is the ClusterIssuer of the env of the namespace the request is in: its
 * `env` label names an env of the cluster, and that env's issuer is `issuer`. A namespace without an env has
 * no ClusterIssuer at all.
 */
export function ownClusterIssuerExpression(
    clusterIssuers: Readonly<Partial<Record<Environment, string>>>,
    issuer: string,
): string {
    const entries = Object.entries(clusterIssuers).map(([env, name]) => `${celString(env)}: ${celString(name!)}`);
    const byEnv = `{${entries.join(", ")}}`;
    const env = labelOf("namespaceObject", RequiredLabel.Env);
    return `(namespaceObject != null && ${env.has} && ${env.value} in ${byEnv} && ${byEnv}[${env.value}] == ${issuer})`;
}

/** The `issuerRef` of a Certificate or CertificateRequest is cert-manager's ClusterIssuer of the namespace's env, or not a ClusterIssuer. */
export function issuerRefExpression(clusterIssuers: Readonly<Partial<Record<Environment, string>>>): string {
    const ref = "object.spec.issuerRef";
    const notClusterIssuer =
        `!has(object.spec) || !has(${ref}) || !has(${ref}.kind) || ${ref}.kind != ${celString(CLUSTER_ISSUER_KIND)} || ` +
        `(has(${ref}.group) && ${ref}.group != '' && ${ref}.group != ${celString(CERT_MANAGER_GROUP)})`;
    return `${notClusterIssuer} || (has(${ref}.name) && ${ownClusterIssuerExpression(clusterIssuers, `${ref}.name`)})`;
}

function annotation(key: string): { has: string; value: string } {
    return {
        has: `(has(object.metadata.annotations) && ${celString(key)} in object.metadata.annotations)`,
        value: `object.metadata.annotations[${celString(key)}]`,
    };
}

/** An Ingress's or a Gateway's cert-manager annotations name no ClusterIssuer but the namespace's env's. */
export function issuerAnnotationsExpression(clusterIssuers: Readonly<Partial<Record<Environment, string>>>): string {
    const clusterIssuer = annotation(CertManagerAnnotation.ClusterIssuer);
    const issuer = annotation(CertManagerAnnotation.Issuer);
    const kind = annotation(CertManagerAnnotation.IssuerKind);
    const group = annotation(CertManagerAnnotation.IssuerGroup);
    const issuerIsClusterIssuer =
        `(${issuer.has} && ${kind.has} && ${kind.value} == ${celString(CLUSTER_ISSUER_KIND)} && ` +
        `(!${group.has} || ${group.value} == '' || ${group.value} == ${celString(CERT_MANAGER_GROUP)}))`;
    return (
        `(!${clusterIssuer.has} || ${ownClusterIssuerExpression(clusterIssuers, clusterIssuer.value)}) && ` +
        `(!${issuerIsClusterIssuer} || ${ownClusterIssuerExpression(clusterIssuers, issuer.value)})`
    );
}

function isolationPolicy(
    name: IsolationPolicyName,
    rule: { title: string; subject: string; description: string },
    resourceRules: readonly ResourceRule[],
    validations: CelValidation[],
): ValidatingPolicyManifest {
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "ValidatingPolicy",
        metadata: {
            name,
            labels: managedLabels(),
            annotations: {
                "policies.kyverno.io/title": rule.title,
                "policies.kyverno.io/category": "Multi-Tenancy",
                "policies.kyverno.io/severity": Severity.High,
                "policies.kyverno.io/subject": rule.subject,
                "policies.kyverno.io/description": rule.description,
            },
        },
        spec: {
            // A boundary between envs: denied in every env, dev included.
            validationActions: ["Deny"],
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: resourceRules.map((r) => ({ ...r })),
                namespaceSelector: namespacesExcept(ADMISSION_EXCLUDED_NAMESPACES),
            },
            autogen: { validatingAdmissionPolicy: { enabled: false } },
            validations,
        },
    };
}

/** The isolation policies of `resolved`. Pure: tested as data. */
export function environmentIsolationPolicyManifests(
    resolved: ResolvedEnvironmentIsolationPolicies,
): ValidatingPolicyManifest[] {
    const envs = resolved.environments;
    const issuers = Object.values(resolved.clusterIssuers).join(", ");
    return [
        isolationPolicy(
            IsolationPolicyName.ProtectNamespaceEnvironment,
            {
                title: "Protect the Namespace Environment Label",
                subject: "Namespace",
                description:
                    `A namespace's ${RequiredLabel.Env} label decides which env's policies, identities and ` +
                    `certificates apply to it. Once set it cannot be changed or removed, and it names one of the ` +
                    `cluster's envs (${envs.join(", ")}).`,
            },
            [NAMESPACE_RULE],
            [
                {
                    expression: envLabelUnchangedExpression(),
                    message: `A namespace's ${RequiredLabel.Env} label cannot be changed or removed once set.`,
                },
                {
                    expression: envLabelKnownExpression(envs),
                    message: `A namespace's ${RequiredLabel.Env} label must be one of the cluster's envs: ${envs.join(", ")}.`,
                },
            ],
        ),
        isolationPolicy(
            IsolationPolicyName.RestrictClusterIssuers,
            {
                title: "Restrict ClusterIssuers to their Environment",
                subject: "Certificate, CertificateRequest, Ingress, Gateway",
                description:
                    `Each env's ClusterIssuer (${issuers}) issues only for the namespaces of its env: a ` +
                    `Certificate, a CertificateRequest, or an Ingress or Gateway through its ` +
                    `${CertManagerAnnotation.ClusterIssuer} annotation, may name only the ClusterIssuer of its ` +
                    `namespace's env, and a namespace without an env none at all.`,
            },
            ISSUER_RULES,
            [
                {
                    expression: issuerRefExpression(resolved.clusterIssuers),
                    message: `spec.issuerRef may name only the ClusterIssuer of the namespace's env (${issuers}).`,
                },
                {
                    expression: issuerAnnotationsExpression(resolved.clusterIssuers),
                    message: `${CertManagerAnnotation.ClusterIssuer} may name only the ClusterIssuer of the namespace's env (${issuers}).`,
                },
            ],
        ),
    ];
}

/**
 * The policies that keep the envs of one cluster apart, created once per cluster and denying in every env: a
 * Namespace's `env` label cannot be changed or removed once set and names one of the cluster's envs, and
 * certificates come only from the ClusterIssuer of the namespace's env. Kyverno's CRDs must exist first: make
 * it depend on the Kyverno component.
 */
export class EnvironmentIsolationPolicies extends pulumi.ComponentResource {
    /** Names of the policies created. */
    public readonly policyNames: pulumi.Output<string[]>;

    constructor(name: string, args: EnvironmentIsolationPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveEnvironmentIsolationPoliciesArgs(name, args);
        super(componentType("EnvironmentIsolationPolicies"), name, {}, opts);
        const policies = environmentIsolationPolicyManifests(resolved).map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(`${name}-${manifest.metadata.name}`, manifest, {
                    parent: this,
                    dependsOn: opts?.dependsOn,
                }),
        );
        this.policyNames = pulumi.all(policies.map((policy) => policy.metadata.name));
        this.registerOutputs({ policyNames: this.policyNames });
    }
}
