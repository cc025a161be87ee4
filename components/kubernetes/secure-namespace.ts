import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AccessRole,
    accessRoleWithin,
    ADDON_NAMESPACES,
    ArgsChecker,
    childResourceName,
    componentType,
    CLUSTER_NAMESPACES,
    Environment,
    groupBindingName,
    isDns1123Subdomain,
    NameSystem,
    RenderedName,
    RESERVED_NAMESPACE_PREFIX,
    LABEL_VALUE,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    profileFor,
    RequiredLabel,
    podSecurityLabel,
    podSecurityVersionLabel,
    ACCESS_ROLE_ORDER,
    serviceAccountPolicyName,
} from "../baseline";
import {
    checkPeerCidrs,
    checkPeerCidrUnion,
    EgressRuleArgs,
    IngressRuleArgs,
    namespaceNetworkPolicies,
    PortArgs,
    Protocol,
} from "./network";
import { clusterRoleFor, deployerRules, RBAC_API_GROUP, roleRefTo } from "./rbac";
import { serviceAccountPolicy } from "./service-account-policy";

/** A group of people and the access it gets in the namespace. */
export interface GroupAccessArgs {
    /** Group name as the cluster's authenticator reports it (an EKS access entry group, an OIDC group). */
    group: string;
    /** Built-in role to bind: view, edit or admin, at most the environment profile's `maxHumanAccess`. */
    role: AccessRole;
}

/** A ServiceAccount for CI that rolls out workloads in the namespace. */
export interface DeployerArgs {
    /** ServiceAccount name. Default: `ci-deployer`. */
    serviceAccountName?: string;
    /** Secrets the deployer may `get` (to check a rollout's inputs), by name. Default: none. */
    readableSecrets?: string[];
}

/** Arguments of a SecureNamespace. */
export interface SecureNamespaceArgs {
    /** Project name, a DNS-1123 label; prefixes every per-env name. */
    project: string;
    /** Environment: dev, stage or prod. Chooses the Pod Security levels, quota and access limits. */
    env: Environment;
    /** Namespace name, a DNS-1123 label. Default: the resource name. */
    namespace?: string;
    /** Team that owns the namespace: the `owner` label. */
    owner: string;
    /** The `tier` label, e.g. `app`, `data`, `platform`. Default: `app`. */
    tier?: string;
    /** Egress beyond DNS the pods need. Default: none (DNS only). */
    egress?: EgressRuleArgs[];
    /** Ingress the pods accept. Default: none. */
    ingress?: IngressRuleArgs[];
    /** Human access by group. Default: none. */
    access?: GroupAccessArgs[];
    /** A CI deployer ServiceAccount and Role. Default: none. */
    deployer?: DeployerArgs;
    /**
     * The ServiceAccounts the namespace's pods may run as (the apps' own). When given, a
     * ValidatingAdmissionPolicy refuses every Pod, and every Deployment, Job or other pod controller, in the
     * namespace that runs as any other: the deployer's, `default`, or one created later. Default: not pinned.
     */
    podServiceAccounts?: string[];
}

const COMPONENT = "SecureNamespace";
/** The CI deployer ServiceAccount name when none is given. */
export const DEFAULT_DEPLOYER = "ci-deployer";
/** The `tier` label when none is given. */
export const DEFAULT_TIER = "app";
const QUOTA_NAME = "baseline-quota";
const LIMIT_RANGE_NAME = "baseline-limits";
const PROTOCOLS: readonly string[] = Object.values(Protocol);

/** The validated, defaulted input of a SecureNamespace. */
export interface ResolvedNamespace {
    readonly project: string;
    readonly env: Environment;
    readonly namespace: string;
    readonly owner: string;
    readonly tier: string;
    readonly egress: EgressRuleArgs[];
    readonly ingress: IngressRuleArgs[];
    readonly access: GroupAccessArgs[];
    readonly deployer?: { serviceAccountName: string; readableSecrets: string[] };
    readonly podServiceAccounts?: string[];
}

function checkPorts(check: ArgsChecker, ports: readonly PortArgs[] | undefined, field: string): void {
    if (!check.check(Array.isArray(ports) && ports.length > 0, field, "is empty", "list the ports the rule needs")) {
        return;
    }
    ports!.forEach((p, i) => {
        check.check(
            Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535,
            `${field}[${i}].port`,
            `${JSON.stringify(p.port)} is not a port`,
            "give a number from 1 to 65535",
        );
        check.check(
            p.protocol === undefined || PROTOCOLS.includes(p.protocol),
            `${field}[${i}].protocol`,
            `${JSON.stringify(p.protocol)} is not a protocol`,
            `use one of ${PROTOCOLS.join(", ")}`,
        );
    });
}

/** Checks the peers and ports of one declared egress or ingress rule. */
function checkPeers(check: ArgsChecker, rule: EgressRuleArgs | IngressRuleArgs, field: string): boolean {
    const cidrs = rule.cidrs ?? [];
    const namespaces = rule.namespaces ?? [];
    check.check(cidrs.length + namespaces.length > 0, field, "names no peer", "give cidrs or namespaces");
    const cidrsOk = checkPeerCidrs(check, cidrs, `${field}.cidrs`);
    namespaces.forEach((ns, j) => check.dnsLabel(ns, `${field}.namespaces[${j}]`));
    checkPorts(check, rule.ports, `${field}.ports`);
    return cidrsOk;
}

/** Checks every rule of one direction, then the union of their CIDRs (see checkPeerCidrUnion). */
function checkRules(check: ArgsChecker, rules: readonly (EgressRuleArgs | IngressRuleArgs)[], field: string): void {
    const ok = rules.map((rule, i) => checkPeers(check, rule, `${field}[${i}]`)).every(Boolean);
    if (ok)
        checkPeerCidrUnion(
            check,
            rules.flatMap((rule) => rule.cidrs ?? []),
            field,
        );
}

/** Checks and defaults a SecureNamespace's arguments; throws an ArgumentError listing every problem. */
export function resolveSecureNamespaceArgs(name: string, args: SecureNamespaceArgs): ResolvedNamespace {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const namespace = args.namespace ?? name;
    const namespaceOk = check.dnsLabel(namespace, "namespace");
    if (namespaceOk && envOk) check.sameEnvironment(namespace, args.env, "namespace");
    if (namespaceOk) {
        // The cluster's own namespaces already exist and hold the control plane's add-ons: this component
        // neither adopts them nor opens them to anyone.
        check.check(
            !CLUSTER_NAMESPACES.includes(namespace) && !namespace.startsWith(RESERVED_NAMESPACE_PREFIX),
            "namespace",
            `${namespace} is a namespace of the cluster itself (${CLUSTER_NAMESPACES.join(", ")}, ${RESERVED_NAMESPACE_PREFIX}*)`,
            "give the namespace a name of its own",
        );
    }
    // An add-on's namespace is a SecureNamespace only in its platform form: nobody may deploy there, since a
    // pod there could run as the add-on's controller, which holds rights over every app.
    const addon = ADDON_NAMESPACES.includes(namespace);
    const tier = args.tier ?? DEFAULT_TIER;
    check.check(
        typeof args.owner === "string" && args.owner.length > 0 && LABEL_VALUE.test(args.owner),
        "owner",
        `${JSON.stringify(args.owner)} is not a valid label value`,
        "name the owning team with letters, digits, '-', '_' or '.' (at most 63 characters)",
    );
    check.check(
        tier.length > 0 && LABEL_VALUE.test(tier),
        "tier",
        `${JSON.stringify(tier)} is not a valid label value`,
        'use a short word such as "app", "data" or "platform"',
    );

    const egress = args.egress ?? [];
    checkRules(check, egress, "egress");
    const ingress = args.ingress ?? [];
    checkRules(check, ingress, "ingress");

    const access = args.access ?? [];
    const seenGroups = new Set<string>();
    access.forEach((grant, i) => {
        const field = `access[${i}]`;
        check.check(
            typeof grant.group === "string" && grant.group.length > 0 && !grant.group.startsWith("system:"),
            `${field}.group`,
            `${JSON.stringify(grant.group)} is not a group this package may bind`,
            "name a group of people; system: groups are the cluster's own",
        );
        check.check(
            !seenGroups.has(grant.group),
            `${field}.group`,
            `${grant.group} is listed twice`,
            "list each group once",
        );
        seenGroups.add(grant.group);
        if (
            check.check(
                (ACCESS_ROLE_ORDER as readonly string[]).includes(grant.role),
                `${field}.role`,
                `${JSON.stringify(grant.role)} is not an access role`,
                `use one of ${ACCESS_ROLE_ORDER.join(", ")} (cluster-admin is never granted)`,
            ) &&
            envOk
        ) {
            if (addon) {
                check.check(
                    grant.role === "view",
                    `${field}.role`,
                    `${grant.role} in ${namespace}, a platform add-on's namespace, lets people run pods as the add-on's controller`,
                    "grant view, or give the group access to an app namespace",
                );
            }
            const max = profileFor(args.env).maxHumanAccess;
            check.check(
                accessRoleWithin(grant.role, max),
                `${field}.role`,
                `${grant.role} exceeds what the ${args.env} profile allows people (${max})`,
                `grant ${max} or less; changes in ${args.env} go through the deployer`,
            );
        }
    });

    let deployer: ResolvedNamespace["deployer"];
    if (args.deployer) {
        check.check(
            !addon,
            "deployer",
            `is set in ${namespace}, a platform add-on's namespace: it could run pods as the add-on's controller`,
            "deploy apps into an app namespace; the add-ons are deployed by the platform stack",
        );
        const serviceAccountName = args.deployer.serviceAccountName ?? DEFAULT_DEPLOYER;
        check.ownServiceAccount(serviceAccountName, "deployer.serviceAccountName");
        const readableSecrets = args.deployer.readableSecrets ?? [];
        readableSecrets.forEach((secret, i) =>
            check.check(
                isDns1123Subdomain(secret),
                `deployer.readableSecrets[${i}]`,
                `${JSON.stringify(secret)} is not a Secret name`,
                "give the Secret's exact name (no wildcards: RBAC matches names exactly)",
            ),
        );
        deployer = { serviceAccountName, readableSecrets };
    }
    let podServiceAccounts: string[] | undefined;
    if (args.podServiceAccounts !== undefined) {
        podServiceAccounts = [...args.podServiceAccounts];
        check.check(
            podServiceAccounts.length > 0,
            "podServiceAccounts",
            "is empty: no pod could run in the namespace",
            "list the apps' ServiceAccounts, or leave it unset",
        );
        const seen = new Set<string>();
        podServiceAccounts.forEach((sa, i) => {
            const field = `podServiceAccounts[${i}]`;
            if (!check.ownServiceAccount(sa, field)) return;
            check.check(!seen.has(sa), field, `${sa} is listed twice`, "list each ServiceAccount once");
            seen.add(sa);
            check.check(
                sa !== deployer?.serviceAccountName,
                field,
                `${sa} is the deployer's ServiceAccount: a pod running as it would hold the deployer's rights`,
                "run workloads as the apps' own ServiceAccounts",
            );
        });
    }
    check.throwIfInvalid();
    const resolved: ResolvedNamespace = {
        project: args.project,
        env: args.env,
        namespace,
        owner: args.owner,
        tier,
        egress,
        ingress,
        access,
        deployer,
        podServiceAccounts,
    };
    check.distinctNames([...secureNamespaceNames(resolved), ...secureNamespaceResourceNames(name, resolved)]);
    check.throwIfInvalid();
    return resolved;
}

/** The Pulumi logical name of every resource a SecureNamespace called `name` registers, by type. */
export function secureNamespaceResourceNames(name: string, resolved: ResolvedNamespace): RenderedName[] {
    const child = (kind: string, childName: string, source: string) =>
        childResourceName(componentType("SecureNamespace"), `kubernetes:${kind}`, childName, source);
    const names: RenderedName[] = [
        child("core/v1:Namespace", name, "namespace"),
        ...namespaceNetworkPolicies(resolved.egress, resolved.ingress).map((policy) =>
            child("networking.k8s.io/v1:NetworkPolicy", `${name}-${policy.name}`, "namespace"),
        ),
        child("core/v1:ResourceQuota", `${name}-quota`, "namespace"),
        child("core/v1:LimitRange", `${name}-limits`, "namespace"),
    ];
    resolved.access.forEach((grant, i) =>
        names.push(
            child(
                "rbac.authorization.k8s.io/v1:RoleBinding",
                `${name}-${groupBindingName(clusterRoleFor(grant.role), grant.group)}`,
                `access[${i}].group`,
            ),
        ),
    );
    if (resolved.deployer) {
        const sa = resolved.deployer.serviceAccountName;
        const source = "deployer.serviceAccountName";
        names.push(
            child("core/v1:ServiceAccount", `${name}-${sa}`, source),
            child("rbac.authorization.k8s.io/v1:Role", `${name}-${sa}-role`, source),
            child("rbac.authorization.k8s.io/v1:RoleBinding", `${name}-${sa}-binding`, source),
        );
    }
    if (resolved.podServiceAccounts) {
        for (const kind of ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]) {
            names.push(
                child(`admissionregistration.k8s.io/v1:${kind}`, `${name}-service-accounts`, "podServiceAccounts"),
            );
        }
    }
    return names;
}

/**
 * Every object a SecureNamespace creates, by the name the API server knows it by, with the field each name
 * comes from: what SecureEnvironment compares with the other components' names.
 */
export function secureNamespaceNames(resolved: ResolvedNamespace): RenderedName[] {
    const ns = resolved.namespace;
    const k8sName = (kind: string, name: string, source: string, clusterScoped = false): RenderedName => ({
        system: NameSystem.Kubernetes,
        kind,
        scope: clusterScoped ? undefined : ns,
        name,
        source,
    });
    const names: RenderedName[] = [k8sName("Namespace", ns, "namespace", true)];
    for (const policy of namespaceNetworkPolicies(resolved.egress, resolved.ingress)) {
        names.push(k8sName("NetworkPolicy", policy.name, "namespace"));
    }
    names.push(k8sName("ResourceQuota", QUOTA_NAME, "namespace"), k8sName("LimitRange", LIMIT_RANGE_NAME, "namespace"));
    resolved.access.forEach((grant, i) =>
        names.push(
            k8sName("RoleBinding", groupBindingName(clusterRoleFor(grant.role), grant.group), `access[${i}].group`),
        ),
    );
    if (resolved.deployer) {
        const sa = resolved.deployer.serviceAccountName;
        for (const kind of ["ServiceAccount", "Role", "RoleBinding"]) {
            names.push(k8sName(kind, sa, "deployer.serviceAccountName"));
        }
    }
    if (resolved.podServiceAccounts) {
        const policy = serviceAccountPolicyName(ns);
        names.push(
            k8sName("ValidatingAdmissionPolicy", policy, "podServiceAccounts", true),
            k8sName("ValidatingAdmissionPolicyBinding", policy, "podServiceAccounts", true),
        );
    }
    return names;
}

/** The labels of a SecureNamespace: Pod Security modes and versions from the profile, and the required labels. */
export function namespaceLabels(resolved: ResolvedNamespace): Record<string, string> {
    const psa = profileFor(resolved.env).podSecurity;
    const labels: Record<string, string> = {
        [RequiredLabel.Owner]: resolved.owner,
        [RequiredLabel.Env]: resolved.env,
        [RequiredLabel.Tier]: resolved.tier,
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    };
    for (const mode of ["enforce", "audit", "warn"] as const) {
        labels[podSecurityLabel(mode)] = psa[mode];
        labels[podSecurityVersionLabel(mode)] = psa.version;
    }
    return labels;
}

/**
 * A namespace with the environment's Pod Security labels, default-deny network policies, quota, limits,
 * human access by group and an optional CI deployer.
 */
export class SecureNamespace extends pulumi.ComponentResource {
    /** The namespace's name. */
    public readonly namespaceName: pulumi.Output<string>;
    /** Names of the NetworkPolicies created in the namespace. */
    public readonly networkPolicyNames: pulumi.Output<string[]>;
    /** The CI deployer's ServiceAccount name, when one was requested. */
    public readonly deployerServiceAccountName?: pulumi.Output<string>;

    constructor(name: string, args: SecureNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveSecureNamespaceArgs(name, args);
        super("k8s-baseline:index:SecureNamespace", name, {}, opts);
        const profile = profileFor(resolved.env);
        const ns = resolved.namespace;

        const namespace = new k8s.core.v1.Namespace(
            name,
            { metadata: { name: ns, labels: namespaceLabels(resolved) } },
            { parent: this },
        );
        const inNamespace: pulumi.CustomResourceOptions = { parent: this, dependsOn: [namespace] };
        const metadata = (objectName: string) => ({
            name: objectName,
            namespace: namespace.metadata.name,
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
        });

        const policies = namespaceNetworkPolicies(resolved.egress, resolved.ingress).map(
            (policy) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy.name}`,
                    { metadata: metadata(policy.name), spec: policy.spec },
                    inNamespace,
                ),
        );

        const quota = profile.quota;
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: metadata(QUOTA_NAME),
                spec: {
                    hard: {
                        "requests.cpu": quota.requestsCpu,
                        "requests.memory": quota.requestsMemory,
                        "limits.cpu": quota.limitsCpu,
                        "limits.memory": quota.limitsMemory,
                        pods: String(quota.pods),
                        services: String(quota.services),
                        persistentvolumeclaims: String(quota.persistentVolumeClaims),
                    },
                },
            },
            inNamespace,
        );
        const limits = profile.limitRange;
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: metadata(LIMIT_RANGE_NAME),
                spec: {
                    limits: [
                        {
                            type: "Container",
                            default: { cpu: limits.defaultLimitCpu, memory: limits.defaultLimitMemory },
                            defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
                            max: { cpu: limits.maxCpu, memory: limits.maxMemory },
                        },
                    ],
                },
            },
            inNamespace,
        );

        for (const grant of resolved.access) {
            const role = clusterRoleFor(grant.role);
            const binding = groupBindingName(role, grant.group);
            new k8s.rbac.v1.RoleBinding(
                `${name}-${binding}`,
                {
                    metadata: metadata(binding),
                    roleRef: roleRefTo("ClusterRole", role),
                    subjects: [{ apiGroup: RBAC_API_GROUP, kind: "Group", name: grant.group }],
                },
                inNamespace,
            );
        }

        if (resolved.deployer) {
            const saName = resolved.deployer.serviceAccountName;
            const sa = new k8s.core.v1.ServiceAccount(
                `${name}-${saName}`,
                {
                    metadata: metadata(saName),
                    // CI obtains short-lived tokens with the TokenRequest API; nothing mounts one into a pod.
                    automountServiceAccountToken: false,
                },
                inNamespace,
            );
            const role = new k8s.rbac.v1.Role(
                `${name}-${saName}-role`,
                { metadata: metadata(saName), rules: deployerRules(resolved.deployer.readableSecrets) },
                inNamespace,
            );
            new k8s.rbac.v1.RoleBinding(
                `${name}-${saName}-binding`,
                {
                    metadata: metadata(saName),
                    roleRef: roleRefTo("Role", role.metadata.name),
                    subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: ns }],
                },
                inNamespace,
            );
            this.deployerServiceAccountName = sa.metadata.name;
        }

        if (resolved.podServiceAccounts) {
            const pinned = serviceAccountPolicy(ns, resolved.podServiceAccounts);
            const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-service-accounts`,
                { metadata: pinned.policy.metadata, spec: pinned.policy.spec },
                { parent: this },
            );
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-service-accounts`,
                { metadata: pinned.binding.metadata, spec: pinned.binding.spec },
                { parent: this, dependsOn: [policy] },
            );
        }

        this.namespaceName = namespace.metadata.name;
        this.networkPolicyNames = pulumi.all(policies.map((p) => p.metadata.name));
        this.registerOutputs({
            namespaceName: this.namespaceName,
            networkPolicyNames: this.networkPolicyNames,
            deployerServiceAccountName: this.deployerServiceAccountName,
        });
    }
}
