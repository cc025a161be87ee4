/**
 * What exists once per cluster when several envs share it: the add-ons, their namespaces, the policies that
 * judge the namespaces no env claims, and the facts every env stack on the cluster reads (cluster name,
 * identity mode, OIDC issuer and provider, platform and control-plane CIDRs, the envs, the namespace layout
 * and the runtime security sensor's engine). Each env's own objects are its SecureEnvironment's, created with
 * `cluster.layout: shared`; with Tetragon, they include the tracing policies of the env's own namespaces.
 */
import * as pulumi from "@pulumi/pulumi";
import { CertManager, CertManagerArgs, resolveCertManagerArgs } from "./addons/cert-manager";
import {
    ExternalSecretsOperator,
    ExternalSecretsOperatorArgs,
    resolveExternalSecretsOperatorArgs,
} from "./addons/external-secrets";
import {
    BaselinePolicies,
    BaselinePoliciesArgs,
    EnvironmentIsolationPolicies,
    Kyverno,
    KyvernoArgs,
    PolicyCoverage,
    resolveBaselinePoliciesArgs,
    resolveEnvironmentIsolationPoliciesArgs,
    resolveKyvernoArgs,
} from "./addons/kyverno";
import {
    checkRuntimeSecuritySettings,
    resolveRuntimeSecurityArgs,
    RuntimeSecurity,
    RuntimeSecurityArgs,
    RuntimeSecurityEngine,
    RuntimeSecuritySettingsArgs,
} from "./addons/runtime-security";
import { IdentityMode } from "./aws/workload-identity";
import {
    ADDON_NAMESPACES,
    ArgsChecker,
    ArgumentError,
    ClusterLayout,
    clusterTopology,
    ClusterTopology,
    Environment,
    ENVIRONMENTS,
    environmentNamespacePattern,
    isEnvironment,
    namespaceBelongsTo,
    NamespaceLayout,
    NameSystem,
    PLATFORM_NAMESPACES,
    RenderedName,
    RUNTIME_SECURITY_PROFILES,
    strictestEnvironment,
    topologyProblems,
} from "./baseline";
import {
    ClusterArgs,
    environmentTopology,
    platformNamespacesFor,
    SecureEnvironmentArgs,
    secureEnvironmentNames,
} from "./environment";
import { checkPeerCidrs } from "./kubernetes/network";
import { resolveSecureNamespaceArgs, SecureNamespace, SecureNamespaceArgs, secureNamespaceNames } from "./kubernetes";

/** Arguments of a SecureCluster. */
export interface SecureClusterArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /**
     * The cluster: `layout: shared`, the envs on it, its name, identity mode, OIDC provider and CIDR blocks.
     * The env stacks on the cluster read these facts from the cluster's outputs.
     */
    cluster: ClusterArgs;
    /**
     * Registries the images of the namespaces no env claims (the cluster's own services: ingress, monitoring)
     * may come from, each a prefix ending in `/`. The add-ons' registries are added.
     */
    registries: string[];
    /** CIDR blocks of the Vault the envs' SecretStores read from, which External Secrets reaches on 8200/443. Default: none. */
    vaultCidrs?: string[];
    /**
     * The runtime security sensor of the cluster (RuntimeSecurity): its engine, or none where the strictest
     * env's profile allows it (not with prod on the cluster). The envs' namespaces are the env stacks': Falco's
     * rules watch them by the names the namespace layout gives them; with Tetragon, whose policies are
     * namespaced objects, each env stack writes the policies of its own namespaces (EnvironmentTracingPolicies),
     * told the engine by the cluster's facts (`runtimeSecurityEngine`). Default: the profile's engine (falco).
     */
    runtimeSecurity?: RuntimeSecuritySettingsArgs;
    /**
     * Per env, the namespaces whose apps are declared to call the Kubernetes API, as each env stack exports
     * them (its contract's `kubernetesApiNamespaces`): Falco's rule on API connections from undeclared
     * namespaces spares these. An env not listed contributes none, and the rule stays strict for it. With
     * Tetragon they are not needed: each env's own policies already leave out its declared namespaces.
     * Default: none.
     */
    kubernetesApiClients?: KubernetesApiClientsArgs[];
}

/** One env's namespaces whose apps are declared to call the Kubernetes API. */
export interface KubernetesApiClientsArgs {
    /** The env, one of the cluster's. */
    env: Environment;
    /** Its namespaces, as the layout names them (`reports-dev`), each one of the env's. */
    namespaces: string[];
}

const COMPONENT = "SecureCluster";

/** Everything a shared cluster creates, as the arguments of each component. */
interface ClusterPlan {
    readonly topology: ClusterTopology;
    /** The strictest env on the cluster: the profile its add-ons and their namespaces are held to. */
    readonly profile: Environment;
    readonly platformNamespaces: SecureNamespaceArgs[];
    readonly externalSecretsOperator: ExternalSecretsOperatorArgs;
    readonly kyverno: KyvernoArgs;
    /** The chart and its controller; each env's ClusterIssuer is its SecureEnvironment's (EnvironmentIssuer). */
    readonly certManager: CertManagerArgs;
    /** The policies of the namespaces whose env label is none of the cluster's envs, at the prod profile. */
    readonly unclaimedPolicies: BaselinePoliciesArgs;
    /** The runtime security sensor, unless the profile lets it be off and it is. */
    readonly runtimeSecurity?: RuntimeSecurityArgs;
}

/** The topology a SecureCluster's arguments declare; its envs default to none. */
function sharedTopology(cluster: ClusterArgs): ClusterTopology {
    return clusterTopology(Environment.Prod, { ...cluster, environments: cluster.environments ?? [] });
}

function checkCluster(check: ArgsChecker, args: SecureClusterArgs): boolean {
    check.dnsLabel(args.project, "project", 30);
    const cluster = args.cluster;
    if (
        !check.check(
            typeof cluster === "object" && cluster !== null,
            "cluster",
            "is required",
            "describe the cluster: layout shared, environments, identityMode, its OIDC provider or name, platformEgressCidrs, controlPlaneCidrs",
        )
    ) {
        return false;
    }
    const layoutOk = check.check(
        cluster.layout === ClusterLayout.Shared,
        "cluster.layout",
        `is ${JSON.stringify(cluster.layout ?? ClusterLayout.Dedicated)}: a SecureCluster holds the add-ons of envs that share the cluster`,
        "set layout: shared; an env with a cluster of its own installs the add-ons in its SecureEnvironment",
    );
    const namespaceLayoutOk = check.check(
        cluster.namespaceLayout === undefined ||
            (Object.values(NamespaceLayout) as string[]).includes(cluster.namespaceLayout),
        "cluster.namespaceLayout",
        `${JSON.stringify(cluster.namespaceLayout)} is not a namespace layout`,
        `use one of ${Object.values(NamespaceLayout).join(", ")}`,
    );
    const envs = cluster.environments;
    const envsOk = check.check(
        Array.isArray(envs) && envs.length > 0,
        "cluster.environments",
        "must list the envs on the cluster",
        `list them, e.g. [${ENVIRONMENTS.slice(0, 2).join(", ")}]`,
    );
    let topologyOk = false;
    if (layoutOk && namespaceLayoutOk && envsOk) {
        const known = envs!.filter(isEnvironment);
        const problems =
            known.length > 0
                ? topologyProblems(sharedTopology(cluster), strictestEnvironment(known))
                : [
                      {
                          field: "environments",
                          problem: "lists no known environment",
                          fix: `use ${ENVIRONMENTS.join(", ")}`,
                      },
                  ];
        for (const { field, problem, fix } of problems) check.fail(`cluster.${field}`, problem, fix);
        topologyOk = problems.length === 0;
    }
    const mode = cluster.identityMode ?? IdentityMode.Irsa;
    if (
        check.check(
            (Object.values(IdentityMode) as string[]).includes(mode),
            "cluster.identityMode",
            `${JSON.stringify(mode)} is not an identity mode`,
            `use one of ${Object.values(IdentityMode).join(", ")}`,
        )
    ) {
        // The env stacks build their trust policies and associations from these outputs.
        if (mode === IdentityMode.Irsa) {
            check.check(
                cluster.oidcProviderArn !== undefined && cluster.oidcIssuer !== undefined,
                "cluster.oidcProviderArn",
                "and cluster.oidcIssuer are required with irsa: the envs' trust policies name them",
                "give the ARN of the cluster's IAM OIDC provider and its issuer, without https://",
            );
        } else {
            check.check(
                cluster.name !== undefined,
                "cluster.name",
                "is required with pod-identity: the envs' associations name the cluster",
                "give the EKS cluster name",
            );
        }
    }
    const cidrsOk = (["platformEgressCidrs", "controlPlaneCidrs"] as const).every((field) => {
        const cidrs = cluster[field];
        const ok = check.check(
            Array.isArray(cidrs) && cidrs.length > 0,
            `cluster.${field}`,
            "is empty",
            field === "platformEgressCidrs"
                ? "list the API server endpoint and VPC endpoint CIDR blocks"
                : "list the CIDR blocks of the control plane's network interfaces",
        );
        return ok && checkPeerCidrs(check, cidrs, `cluster.${field}`);
    });
    if (args.vaultCidrs !== undefined) checkPeerCidrs(check, args.vaultCidrs, "vaultCidrs");
    // The engine the env stacks read is the cluster's own choice, exported by sharedClusterFacts.
    check.check(
        cluster.runtimeSecurityEngine === undefined,
        "cluster.runtimeSecurityEngine",
        "is set, but it is what the cluster exports to its env stacks, derived from runtimeSecurity",
        "remove it, and choose the engine in runtimeSecurity.engine",
    );
    if (topologyOk) checkKubernetesApiClients(check, args.kubernetesApiClients, sharedTopology(cluster));
    return topologyOk && cidrsOk;
}

/** Each env once and among the cluster's, each namespace a DNS label of that env's under the layout. */
function checkKubernetesApiClients(
    check: ArgsChecker,
    clients: KubernetesApiClientsArgs[] | undefined,
    topology: ClusterTopology,
): void {
    if (clients === undefined) return;
    if (
        !check.check(
            Array.isArray(clients),
            "kubernetesApiClients",
            "is not a list",
            "list, per env, the namespaces its stack exports as kubernetesApiNamespaces",
        )
    ) {
        return;
    }
    const seen = new Set<string>();
    clients.forEach((client, i) => {
        const field = `kubernetesApiClients[${i}]`;
        if (
            !check.check(
                typeof client === "object" && client !== null,
                field,
                "is not an object",
                "give env and namespaces",
            )
        ) {
            return;
        }
        const { env } = client;
        const known = check.check(
            isEnvironment(env) && topology.environments.includes(env),
            `${field}.env`,
            `${JSON.stringify(env)} is not one of the cluster's envs (${topology.environments.join(", ")})`,
            "name an env on the cluster",
        );
        if (known) {
            check.check(!seen.has(env), `${field}.env`, `${env} is listed twice`, "list each env once");
            seen.add(env);
        }
        if (!check.check(Array.isArray(client.namespaces), `${field}.namespaces`, "is not a list", "list namespaces")) {
            return;
        }
        client.namespaces.forEach((ns, j) => {
            if (!check.dnsLabel(ns, `${field}.namespaces[${j}]`) || !known) return;
            // An env's stack speaks for its own namespaces only: it cannot spare another env's.
            check.check(
                namespaceBelongsTo(ns, env, topology) && !ADDON_NAMESPACES.includes(ns),
                `${field}.namespaces[${j}]`,
                `${ns} is not one of ${env}'s namespaces`,
                `list only ${env}'s namespaces (${environmentNamespacePattern(env, topology.namespaceLayout).replace("*", "<app>")})`,
            );
        });
    });
}

/** The engine of a cluster's sensor, or undefined when it has none. */
function clusterRuntimeSecurityEngine(
    args: SecureClusterArgs,
    profile: Environment,
): RuntimeSecurityEngine | undefined {
    if (args.runtimeSecurity?.disabled === true) return undefined;
    return args.runtimeSecurity?.engine ?? RUNTIME_SECURITY_PROFILES[profile].defaultEngine;
}

function planCluster(args: SecureClusterArgs): ClusterPlan {
    const topology = sharedTopology(args.cluster);
    const profile = strictestEnvironment(topology.environments);
    // Judged at the prod profile whatever env names the set: the unclaimed coverage's own rule.
    const unclaimedPolicies: BaselinePoliciesArgs = {
        env: profile,
        registries: args.registries,
        topology,
        coverage: PolicyCoverage.Unclaimed,
    };
    return {
        topology,
        profile,
        platformNamespaces: platformNamespacesFor(args.project, profile, args.cluster, args.vaultCidrs),
        externalSecretsOperator: { env: profile, namespace: PLATFORM_NAMESPACES.externalSecrets },
        kyverno: { env: profile, namespace: PLATFORM_NAMESPACES.kyverno },
        certManager: {
            env: profile,
            namespace: PLATFORM_NAMESPACES.certManager,
            identityMode: args.cluster.identityMode,
        },
        unclaimedPolicies,
        runtimeSecurity: runtimeSecurityPlan(args, profile, topology),
    };
}

/**
 * The cluster's sensor. Falco watches the envs' namespaces by the layout's patterns and spares the API
 * clients the env stacks declare; Tetragon's chart watches nothing of its own: its namespaced policies are
 * the env stacks' (EnvironmentTracingPolicies).
 */
function runtimeSecurityPlan(
    args: SecureClusterArgs,
    profile: Environment,
    topology: ClusterTopology,
): RuntimeSecurityArgs | undefined {
    const engine = clusterRuntimeSecurityEngine(args, profile);
    if (engine === undefined) return undefined;
    const common = {
        env: profile,
        engine: args.runtimeSecurity?.engine,
        namespaces: [],
        apiServerCidrs: args.cluster.controlPlaneCidrs,
        topology,
    };
    if (engine === RuntimeSecurityEngine.Tetragon) return common;
    return {
        ...common,
        namespacePatterns: topology.environments.map((env) =>
            environmentNamespacePattern(env, topology.namespaceLayout),
        ),
        prodNamespacePatterns: topology.environments
            .filter((env) => env === Environment.Prod)
            .map((env) => environmentNamespacePattern(env, topology.namespaceLayout)),
        kubernetesApiNamespaces: [
            ...new Set((args.kubernetesApiClients ?? []).flatMap((client) => client.namespaces)),
        ].sort(),
    };
}

/**
 * The facts every env on the cluster reads (the `cluster` an env's SecureEnvironment is given in the shared
 * layout): what the cluster stack exports, and what its env stacks read through a StackReference. The
 * sensor's engine is among them (`runtimeSecurityEngine`, absent when the cluster runs none), so that an env
 * on a Tetragon cluster writes its namespaces' policies with nothing written twice.
 */
export function sharedClusterFacts(args: SecureClusterArgs): ClusterArgs {
    const topology = sharedTopology(args.cluster);
    const cluster = args.cluster;
    const engine = clusterRuntimeSecurityEngine(args, strictestEnvironment(topology.environments));
    return {
        ...(cluster.name === undefined ? {} : { name: cluster.name }),
        identityMode: cluster.identityMode ?? IdentityMode.Irsa,
        ...(cluster.oidcProviderArn === undefined ? {} : { oidcProviderArn: cluster.oidcProviderArn }),
        ...(cluster.oidcIssuer === undefined ? {} : { oidcIssuer: cluster.oidcIssuer }),
        platformEgressCidrs: [...cluster.platformEgressCidrs],
        controlPlaneCidrs: [...cluster.controlPlaneCidrs],
        layout: topology.layout,
        namespaceLayout: topology.namespaceLayout,
        environments: [...topology.environments],
        allowProdWithLowerEnvironments: topology.allowProdWithLowerEnvironments,
        ...(engine === undefined ? {} : { runtimeSecurityEngine: engine }),
    };
}

/** Runs a component's own validation, filing its problems under `field`. */
function collect<T>(problems: string[], field: string, validate: () => T): T | undefined {
    try {
        return validate();
    } catch (e) {
        if (!(e instanceof ArgumentError)) throw e;
        for (const problem of e.problems) problems.push(`${field}: ${problem}`);
        return undefined;
    }
}

/**
 * Checks a SecureCluster's arguments and those of every component it would create; throws one
 * ArgumentError listing every problem. Returns the plan to build.
 */
export function planSecureCluster(name: string, args: SecureClusterArgs): ClusterPlan {
    const check = new ArgsChecker(COMPONENT, name);
    const complete = checkCluster(check, args);
    let problems: string[] = [];
    try {
        check.throwIfInvalid();
    } catch (e) {
        problems = [...(e as ArgumentError).problems];
    }
    if (!complete || problems.length > 0) throw new ArgumentError(COMPONENT, name, problems);
    const plan = planCluster(args);
    const settings = new ArgsChecker(COMPONENT, name);
    checkRuntimeSecuritySettings(settings, args.runtimeSecurity, plan.profile, "runtimeSecurity");
    try {
        settings.throwIfInvalid();
    } catch (e) {
        problems.push(...(e as ArgumentError).problems);
    }
    for (const ns of plan.platformNamespaces) {
        collect(problems, `platform namespace ${ns.namespace}`, () => resolveSecureNamespaceArgs(ns.namespace!, ns));
    }
    collect(problems, "externalSecretsOperator", () =>
        resolveExternalSecretsOperatorArgs(name, plan.externalSecretsOperator),
    );
    collect(problems, "kyverno", () => resolveKyvernoArgs(name, plan.kyverno));
    collect(problems, "certManager", () => resolveCertManagerArgs(name, plan.certManager));
    if (plan.runtimeSecurity) {
        collect(problems, "runtimeSecurity", () => resolveRuntimeSecurityArgs(name, plan.runtimeSecurity!));
    }
    collect(problems, "policies", () => resolveBaselinePoliciesArgs(name, plan.unclaimedPolicies));
    collect(problems, "isolation", () =>
        resolveEnvironmentIsolationPoliciesArgs(name, { project: args.project, topology: plan.topology }),
    );
    if (problems.length > 0) throw new ArgumentError(COMPONENT, name, problems);
    return plan;
}

/** The Kubernetes names a SecureCluster renders: its add-ons' namespaces and what each holds. */
function clusterNames(plan: ClusterPlan): RenderedName[] {
    return plan.platformNamespaces.flatMap((ns) =>
        secureNamespaceNames(resolveSecureNamespaceArgs(ns.namespace!, ns)).map((rendered) => ({
            ...rendered,
            source: `cluster: platform namespace ${ns.namespace}: ${rendered.source}`,
        })),
    );
}

/** The systems whose names two envs' stacks could both create: Pulumi's logical names are per stack. */
function sharedScope(rendered: RenderedName, args: SecureEnvironmentArgs): string | undefined {
    switch (rendered.system) {
        case NameSystem.Kubernetes:
            return "cluster";
        case NameSystem.Iam:
        case NameSystem.SecretsManager:
        case NameSystem.ParameterStore:
            return `account ${args.accountId}`;
        case NameSystem.Vault:
            return args.vault ? `vault ${args.vault.address}` : undefined;
        default:
            return undefined;
    }
}

/**
 * Checks the envs of one shared cluster together (and with the cluster's own arguments, when given): each
 * env valid on its own, each at most once and among the cluster's envs, each in the shared layout listing
 * the same envs, and no object (a Namespace, a ServiceAccount, an IAM role in a common account, a Vault
 * policy on a common Vault) rendered by two of them. Throws one ArgumentError whose problems name both envs
 * and the object.
 */
export function planSharedCluster(envs: readonly SecureEnvironmentArgs[], cluster?: SecureClusterArgs): void {
    const name = typeof cluster?.cluster?.name === "string" ? cluster.cluster.name : "shared cluster";
    const problems: string[] = [];
    let clusterPlan: ClusterPlan | undefined;
    if (cluster) clusterPlan = collect(problems, "cluster", () => planSecureCluster(name, cluster));
    const declared = clusterPlan?.topology.environments ?? envs.map((args) => args.env);
    const seen = new Set<Environment>();
    const byScope = new Map<string, RenderedName[]>();
    const add = (scope: string, rendered: RenderedName) =>
        byScope.set(scope, [...(byScope.get(scope) ?? []), rendered]);
    if (clusterPlan) for (const rendered of clusterNames(clusterPlan)) add("cluster", rendered);
    for (const args of envs) {
        const env = args.env;
        const field = `env ${env}`;
        if (seen.has(env)) {
            problems.push(`${field}: is declared twice on the cluster; fix: deploy each env once per cluster`);
            continue;
        }
        seen.add(env);
        if (!declared.includes(env)) {
            problems.push(
                `${field}: is not among the cluster's envs (${declared.join(", ")}); fix: add ${env} to the cluster's environments, or give it a cluster of its own`,
            );
        }
        const rendered = collect(problems, field, () => secureEnvironmentNames(env, args));
        if (rendered === undefined) continue;
        const topology = environmentTopology(args);
        if (topology.layout !== ClusterLayout.Shared) {
            problems.push(
                `${field}: cluster.layout: is ${topology.layout}, but the cluster is shared with ${declared.filter((e) => e !== env).join(", ")}: its namespaces and cluster-scoped objects carry no env; fix: set layout: shared in every env on the cluster`,
            );
        } else if ([...topology.environments].sort().join() !== [...declared].sort().join()) {
            problems.push(
                `${field}: cluster.environments: lists ${topology.environments.join(", ")}, but the cluster has ${declared.join(", ")}; fix: list the cluster's envs in every env on it`,
            );
        } else if (clusterPlan && topology.namespaceLayout !== clusterPlan.topology.namespaceLayout) {
            problems.push(
                `${field}: cluster.namespaceLayout: is ${topology.namespaceLayout}, but the cluster lays namespaces out ${clusterPlan.topology.namespaceLayout}; fix: take the cluster's namespaceLayout`,
            );
        }
        for (const name of rendered) {
            const scope = sharedScope(name, args);
            if (scope !== undefined) add(scope, { ...name, source: `${field}: ${name.source}` });
        }
    }
    const names = new ArgsChecker(COMPONENT, name);
    for (const rendered of byScope.values()) names.distinctNames(rendered);
    try {
        names.throwIfInvalid();
    } catch (e) {
        problems.push(...(e as ArgumentError).problems);
    }
    if (problems.length > 0) throw new ArgumentError(COMPONENT, name, problems);
}

/**
 * The add-ons of a cluster several envs share (External Secrets, Kyverno, cert-manager's chart),
 * their namespaces, the policies of the namespaces no env claims, and the facts every env on the cluster
 * reads, as outputs. Its add-ons and their namespaces are held to the strictest env on the cluster: their
 * namespaces carry that env's label and are judged as that env.
 */
export class SecureCluster extends pulumi.ComponentResource {
    /** The EKS cluster name, when given. */
    public readonly clusterName: pulumi.Output<string | undefined>;
    /** `irsa` or `pod-identity`. */
    public readonly identityMode: pulumi.Output<string>;
    /** IRSA: the cluster's OIDC issuer, host and path. */
    public readonly oidcIssuer: pulumi.Output<string | undefined>;
    /** IRSA: ARN of the cluster's IAM OIDC provider. */
    public readonly oidcProviderArn: pulumi.Output<string | undefined>;
    /** CIDR blocks the add-ons reach over HTTPS. */
    public readonly platformEgressCidrs: pulumi.Output<string[]>;
    /** CIDR blocks the control plane calls webhooks from. */
    public readonly controlPlaneCidrs: pulumi.Output<string[]>;
    /** Always `shared`. */
    public readonly layout: pulumi.Output<string>;
    /** `per-app` or `per-env`. */
    public readonly namespaceLayout: pulumi.Output<string>;
    /** The envs on the cluster. */
    public readonly environments: pulumi.Output<string[]>;
    /** Whether prod shares the cluster with a lower env, accepted explicitly. */
    public readonly allowProdWithLowerEnvironments: pulumi.Output<boolean>;
    /** The env whose profile the add-ons and their namespaces follow: the strictest on the cluster. */
    public readonly profileEnvironment: pulumi.Output<string>;
    /** The runtime security sensor's engine, when the cluster runs one: with tetragon the env stacks write its policies. */
    public readonly runtimeSecurityEngine: pulumi.Output<string | undefined>;

    constructor(name: string, args: SecureClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planSecureCluster(name, args);
        super("k8s-baseline:index:SecureCluster", name, {}, opts);
        const namespaces = new Map<string, SecureNamespace>();
        for (const ns of plan.platformNamespaces) {
            namespaces.set(ns.namespace!, new SecureNamespace(`${name}-${ns.namespace}`, ns, { parent: this }));
        }
        const inNamespace = (namespace: string) => ({ parent: this, dependsOn: [namespaces.get(namespace)!] });
        new ExternalSecretsOperator(
            `${name}-external-secrets`,
            plan.externalSecretsOperator,
            inNamespace(PLATFORM_NAMESPACES.externalSecrets),
        );
        const kyverno = new Kyverno(`${name}-kyverno`, plan.kyverno, inNamespace(PLATFORM_NAMESPACES.kyverno));
        new BaselinePolicies(`${name}-unclaimed-policies`, plan.unclaimedPolicies, {
            parent: this,
            dependsOn: [kyverno],
        });
        new EnvironmentIsolationPolicies(
            `${name}-isolation`,
            { project: args.project, topology: plan.topology },
            { parent: this, dependsOn: [kyverno] },
        );
        new CertManager(`${name}-cert-manager`, plan.certManager, inNamespace(PLATFORM_NAMESPACES.certManager));
        if (plan.runtimeSecurity) {
            // Its PolicyException needs Kyverno's CRDs.
            new RuntimeSecurity(`${name}-runtime-security`, plan.runtimeSecurity, {
                parent: this,
                dependsOn: [kyverno],
            });
        }

        const cluster = args.cluster;
        this.clusterName = pulumi.output(cluster.name);
        this.identityMode = pulumi.output(cluster.identityMode ?? IdentityMode.Irsa);
        this.oidcIssuer = pulumi.output(cluster.oidcIssuer);
        this.oidcProviderArn = pulumi.output(cluster.oidcProviderArn);
        this.platformEgressCidrs = pulumi.output(cluster.platformEgressCidrs);
        this.controlPlaneCidrs = pulumi.output(cluster.controlPlaneCidrs);
        this.layout = pulumi.output(plan.topology.layout);
        this.namespaceLayout = pulumi.output(plan.topology.namespaceLayout);
        this.environments = pulumi.output([...plan.topology.environments]);
        this.allowProdWithLowerEnvironments = pulumi.output(plan.topology.allowProdWithLowerEnvironments);
        this.profileEnvironment = pulumi.output(plan.profile);
        this.runtimeSecurityEngine = pulumi.output(clusterRuntimeSecurityEngine(args, plan.profile));
        this.registerOutputs({
            clusterName: this.clusterName,
            identityMode: this.identityMode,
            oidcIssuer: this.oidcIssuer,
            oidcProviderArn: this.oidcProviderArn,
            platformEgressCidrs: this.platformEgressCidrs,
            controlPlaneCidrs: this.controlPlaneCidrs,
            layout: this.layout,
            namespaceLayout: this.namespaceLayout,
            environments: this.environments,
            allowProdWithLowerEnvironments: this.allowProdWithLowerEnvironments,
            profileEnvironment: this.profileEnvironment,
            runtimeSecurityEngine: this.runtimeSecurityEngine,
        });
    }
}
