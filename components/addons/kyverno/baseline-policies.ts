import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ADMISSION_EXCLUDED_NAMESPACES,
    ArgsChecker,
    ClusterTopology,
    dedicatedTopology,
    Environment,
    environmentScopedName,
    isEnvironment,
    isSharedCluster,
    KUBE_SYSTEM_NAMESPACE,
    namespaceBelongsTo,
    namespaceUnclaimed,
    PLATFORM_NAMESPACES,
    RequiredLabel,
    SYSTEM_NAMESPACES,
    topologyProblems,
    UNCLAIMED_NAMESPACE_PROFILE,
    unclaimedScopedName,
} from "../../baseline";
import { checkPolicyException, policyException, PolicyExceptionArgs, ResolvedPolicyException } from "./exceptions";
import { ImageValidatingPolicyManifest, PolicyExceptionManifest, ValidatingPolicyManifest } from "./manifests";
import { MutatingPolicyManifest, tokenAutomountDefaultPolicy } from "./mutating-policies";
import {
    BaselinePolicyName,
    baselineRules,
    baselineValidatingPolicies,
    EPHEMERAL_TWIN_SUFFIX,
    ImageVerification,
    imageSignaturePolicy,
    PolicyScope,
    RuleInputs,
    scopedPolicyName,
    ServiceAccountRef,
} from "./policies";

/** A ServiceAccount by namespace and name. */
export interface ServiceAccountRefArgs {
    /** Namespace of the ServiceAccount. */
    namespace: string;
    /** Name of the ServiceAccount. */
    name: string;
}

/** A keyless (Sigstore Fulcio) signing identity. */
export interface KeylessArgs {
    /** OIDC issuer that vouched for the signer, e.g. `https://token.actions.githubusercontent.com`. */
    issuer: string;
    /** Exact identity of the signer, e.g. a CI workflow's `https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main`. */
    subject: string;
}

/** How the env's app images are signed: exactly one of `keyless` or `publicKeys`. */
export interface ImageVerificationArgs {
    /** Keyless signatures by this identity. */
    keyless?: KeylessArgs;
    /** Cosign public keys (PEM); an image verifies when any one of them signed it. */
    publicKeys?: string[];
}

/** Which namespaces of the cluster a set of BaselinePolicies judges. */
export const PolicyCoverage = {
    /**
     * The env's own namespaces. On a cluster of its own, every namespace; on a shared cluster, those labelled
     * `env` = the env, and every policy is named `<policy>-<env>`, so that each env's policies coexist.
     */
    Environment: "environment",
    /**
     * On a shared cluster, every namespace whose `env` label names none of the cluster's envs (no label
     * included), judged at prod's profile; the policies are named `<policy>-unclaimed`. Created once per
     * cluster, so that a namespace no env claims is not the way around every env's policies.
     */
    Unclaimed: "unclaimed",
} as const;
export type PolicyCoverage = (typeof PolicyCoverage)[keyof typeof PolicyCoverage];

const COVERAGES: readonly string[] = Object.values(PolicyCoverage);

/** Arguments of BaselinePolicies. */
export interface BaselinePoliciesArgs {
    /**
     * Environment: dev, stage or prod. Prod denies violations; dev and stage report and warn. With the
     * unclaimed coverage, any env of the cluster: those namespaces are judged at prod's profile.
     */
    env: Environment;
    /**
     * Registries the env's app images may come from, as prefixes ending in `/` that start with the registry
     * host (e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/`). The platform's registries are always
     * approved as well.
     */
    registries: string[];
    /** ServiceAccounts whose pods may mount a Kubernetes API token. Default: none. */
    apiAccessServiceAccounts?: ServiceAccountRefArgs[];
    /** Signature verification of the images from `registries`. Default: none (no ImageValidatingPolicy). */
    imageVerification?: ImageVerificationArgs;
    /** Time-limited policy exceptions. Default: none. */
    exceptions?: PolicyExceptionArgs[];
    /**
     * Namespaces the policies do not judge at admission. Must include kube-system (the cluster's own
     * components run there and must start while Kyverno is down); may not include kube-public,
     * kube-node-lease or default, which run none of the cluster's pods. Default: kube-system and the
     * platform namespaces (external-secrets, kyverno, cert-manager), which only the platform writes to.
     */
    excludedNamespaces?: string[];
    /** How envs are laid out on the cluster. Default: a cluster of the env's own (`dedicatedTopology(env)`). */
    topology?: ClusterTopology;
    /**
     * The namespaces judged: the env's own, or (shared cluster only) those no env of the cluster claims.
     * Default: `environment`.
     */
    coverage?: PolicyCoverage;
}

const COMPONENT = "BaselinePolicies";

/** Public registry hosts: approving one of them without an organisation path approves anybody's images. */
const PUBLIC_REGISTRY_HOSTS: readonly string[] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "registry.k8s.io",
];

const HOST = "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?";
const PATH_SEGMENT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";
const REGISTRY_PREFIX = new RegExp(`^${HOST}/(${PATH_SEGMENT}/)*$`);
const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END PUBLIC KEY-----\s*$/;

/** The validated, defaulted input of BaselinePolicies. */
export interface ResolvedBaselinePolicies {
    /** The env whose profile the policies apply: the env's own, or prod's for the unclaimed namespaces. */
    readonly env: Environment;
    readonly topology: ClusterTopology;
    readonly coverage: PolicyCoverage;
    /** The env's app registries. */
    readonly registries: readonly string[];
    /**
     * Every registry app images may come from: the app registries. The platform's registries are approved
     * for the add-ons' own namespaces only, which the policies do not judge.
     */
    readonly approvedRegistries: readonly string[];
    readonly apiAccessServiceAccounts: readonly ServiceAccountRef[];
    readonly imageVerification?: ImageVerification;
    readonly exceptions: readonly ResolvedPolicyException[];
    readonly excludedNamespaces: readonly string[];
}

/** True when `namespace` is one `coverage` of `env` on `topology` may name (an app's, an exception's). */
function coveredNamespace(namespace: string, env: Environment, topology: ClusterTopology, coverage: PolicyCoverage) {
    if (!isSharedCluster(topology)) return true;
    return coverage === PolicyCoverage.Unclaimed
        ? namespaceUnclaimed(namespace, topology)
        : namespaceBelongsTo(namespace, env, topology);
}

/** The scope of the policies of `resolved`: their profile, their namespaces, their names. */
export function policyScopeOf(
    resolved: Pick<ResolvedBaselinePolicies, "env" | "topology" | "coverage" | "excludedNamespaces">,
): PolicyScope {
    const { topology, coverage, env, excludedNamespaces } = resolved;
    if (!isSharedCluster(topology)) return { env, excludedNamespaces };
    if (coverage === PolicyCoverage.Unclaimed) {
        return {
            env,
            excludedNamespaces,
            // NotIn also selects the namespaces without the label.
            environmentLabel: { key: RequiredLabel.Env, operator: "NotIn", values: [...topology.environments] },
            policyName: unclaimedScopedName,
        };
    }
    return {
        env,
        excludedNamespaces,
        environmentLabel: { key: RequiredLabel.Env, operator: "In", values: [env] },
        policyName: (base) => environmentScopedName(base, env, topology),
    };
}

function checkRegistries(check: ArgsChecker, registries: unknown): string[] {
    if (
        !check.check(
            Array.isArray(registries) && registries.length > 0,
            "registries",
            "is empty",
            'list the registries the env\'s app images come from, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/"',
        )
    ) {
        return [];
    }
    const list = registries as string[];
    list.forEach((registry, i) => {
        const field = `registries[${i}]`;
        if (
            !check.check(
                typeof registry === "string" && REGISTRY_PREFIX.test(registry),
                field,
                `${JSON.stringify(registry)} is not a registry prefix`,
                'write the registry host and path, lower-case, ending in "/", with no scheme, tag or wildcard',
            )
        ) {
            return;
        }
        const host = registry.slice(0, registry.indexOf("/"));
        check.check(
            host.includes(".") || host.includes(":") || host === "localhost",
            field,
            `${registry} does not start with a registry host, so it would match Docker Hub images of ${host}`,
            'start with the registry\'s host name, e.g. "registry.example.com/team/"',
        );
        check.check(
            !PUBLIC_REGISTRY_HOSTS.includes(host) || registry.length > host.length + 1,
            field,
            `${registry} approves every image published on a public registry`,
            `add the organisation's path, e.g. "${host}/my-org/"`,
        );
        check.check(list.indexOf(registry) === i, field, `${registry} is listed twice`, "list each registry once");
    });
    return list;
}

function checkImageVerification(check: ArgsChecker, args: ImageVerificationArgs): ImageVerification | undefined {
    const hasKeyless = args.keyless !== undefined;
    const hasKeys = args.publicKeys !== undefined;
    if (
        !check.check(
            hasKeyless !== hasKeys,
            "imageVerification",
            hasKeyless ? "gives both keyless and publicKeys" : "gives neither keyless nor publicKeys",
            "give exactly one: keyless (issuer and subject) or publicKeys",
        )
    ) {
        return undefined;
    }
    if (args.keyless) {
        const { issuer, subject } = args.keyless;
        check.check(
            typeof issuer === "string" && /^https:\/\/[^\s*]+$/.test(issuer),
            "imageVerification.keyless.issuer",
            `${JSON.stringify(issuer)} is not an https OIDC issuer URL`,
            'give the issuer URL, e.g. "https://token.actions.githubusercontent.com"',
        );
        check.check(
            typeof subject === "string" && subject.length > 0 && !/[\s*]/.test(subject),
            "imageVerification.keyless.subject",
            `${JSON.stringify(subject)} is not an exact signer identity`,
            "give the signer's exact identity (no wildcard), e.g. the release workflow's URL and ref",
        );
        return { keyless: { issuer, subject } };
    }
    const keys = args.publicKeys ?? [];
    check.check(
        keys.length > 0,
        "imageVerification.publicKeys",
        "is empty",
        "give at least one cosign public key (PEM)",
    );
    keys.forEach((key, i) =>
        check.check(
            typeof key === "string" && PEM_PUBLIC_KEY.test(key),
            `imageVerification.publicKeys[${i}]`,
            "is not a PEM public key",
            'paste the cosign.pub contents, from "-----BEGIN PUBLIC KEY-----" to "-----END PUBLIC KEY-----"',
        ),
    );
    return { publicKeys: [...keys] };
}

/**
 * Checks and defaults BaselinePolicies' arguments; throws an ArgumentError listing every problem. `now` is
 * the instant exceptions' expiry dates are compared with.
 */
export function resolveBaselinePoliciesArgs(
    name: string,
    args: BaselinePoliciesArgs,
    now: Date = new Date(),
): ResolvedBaselinePolicies {
    const check = new ArgsChecker(COMPONENT, name);
    const envOk = check.environment(args.env);
    const topology = args.topology ?? dedicatedTopology(args.env);
    if (envOk) {
        for (const { field, problem, fix } of topologyProblems(topology, args.env)) {
            check.fail(`topology.${field}`, problem, fix);
        }
    }
    const coverage = args.coverage ?? PolicyCoverage.Environment;
    if (
        check.check(
            COVERAGES.includes(coverage),
            "coverage",
            `${JSON.stringify(coverage)} is not a coverage`,
            `use one of ${COVERAGES.join(", ")}`,
        )
    ) {
        check.check(
            coverage !== PolicyCoverage.Unclaimed || isSharedCluster(topology),
            "coverage",
            "is unclaimed, but the cluster is the env's own: every namespace there is the env's",
            `use ${PolicyCoverage.Environment}, or the shared layout for a cluster several envs share`,
        );
    }
    // The profile the policies apply, and the env the namespaces named below must belong to.
    const env = isEnvironment(args.env) ? args.env : Environment.Prod;
    const profileEnv = coverage === PolicyCoverage.Unclaimed ? UNCLAIMED_NAMESPACE_PROFILE : env;
    const covered = (ns: string) => coveredNamespace(ns, env, topology, coverage);
    const notCovered = (ns: string) =>
        coverage === PolicyCoverage.Unclaimed
            ? `${ns} is an env's namespace on the shared cluster; these policies judge only those no env claims`
            : `${ns} is not one of ${env}'s namespaces on the shared cluster, which these policies judge`;
    const registries = checkRegistries(check, args.registries);

    const apiAccessServiceAccounts = args.apiAccessServiceAccounts ?? [];
    const seenAccounts = new Set<string>();
    apiAccessServiceAccounts.forEach((sa, i) => {
        if (check.dnsLabel(sa.namespace, `apiAccessServiceAccounts[${i}].namespace`)) {
            check.check(
                covered(sa.namespace),
                `apiAccessServiceAccounts[${i}].namespace`,
                notCovered(sa.namespace),
                "name the ServiceAccounts of the namespaces these policies judge",
            );
        }
        check.dnsLabel(sa.name, `apiAccessServiceAccounts[${i}].name`);
        const key = `${sa.namespace}/${sa.name}`;
        check.check(
            !seenAccounts.has(key),
            `apiAccessServiceAccounts[${i}]`,
            `${key} is listed twice`,
            "list each once",
        );
        seenAccounts.add(key);
    });

    const excludedNamespaces = args.excludedNamespaces ?? [...ADMISSION_EXCLUDED_NAMESPACES];
    excludedNamespaces.forEach((ns, i) => {
        if (!check.dnsLabel(ns, `excludedNamespaces[${i}]`)) return;
        // Nothing of the cluster runs there: excluding one would let anyone who may create a pod in it
        // bypass every rule.
        check.check(
            ns === KUBE_SYSTEM_NAMESPACE || (!SYSTEM_NAMESPACES.includes(ns) && ns !== "default"),
            `excludedNamespaces[${i}]`,
            `${ns} runs none of the cluster's own pods, so excluding it only lets its users bypass admission`,
            `remove ${ns}; exclude only ${KUBE_SYSTEM_NAMESPACE} and the add-ons' own namespaces`,
        );
    });
    check.check(
        excludedNamespaces.includes(KUBE_SYSTEM_NAMESPACE),
        "excludedNamespaces",
        `leaves out ${KUBE_SYSTEM_NAMESPACE}, which must stay excluded: the cluster cannot start its own components while Kyverno is down`,
        `add ${KUBE_SYSTEM_NAMESPACE}`,
    );

    const imageVerification = args.imageVerification
        ? checkImageVerification(check, args.imageVerification)
        : undefined;

    // The policies this env gets, by name and kind: an exception may name only those.
    const kinds = new Map<string, string>();
    const rules = baselineRules({
        env: profileEnv,
        registries,
        apiAccessServiceAccounts: [],
    });
    for (const rule of rules) {
        kinds.set(rule.name, "ValidatingPolicy");
        if (rule.ephemeralContainers) kinds.set(`${rule.name}${EPHEMERAL_TWIN_SUFFIX}`, "ValidatingPolicy");
    }
    if (args.imageVerification) kinds.set(BaselinePolicyName.VerifyImageSignatures, "ImageValidatingPolicy");
    const exceptions: ResolvedPolicyException[] = [];
    const seenExceptions = new Set<string>();
    (args.exceptions ?? []).forEach((input, i) => {
        const field = `exceptions[${i}]`;
        // The longest exception lifetime of the profile judged; prod's when the env is not valid (reported on
        // its own field).
        const resolved = checkPolicyException(check, input, field, PLATFORM_NAMESPACES.kyverno, kinds, now, profileEnv);
        if (!resolved) return;
        let ownNamespaces = true;
        resolved.namespaces.forEach((ns, j) => {
            ownNamespaces =
                check.check(
                    covered(ns),
                    `${field}.namespaces[${j}]`,
                    notCovered(ns),
                    "list only namespaces these policies judge: another env's exceptions are that env's",
                ) && ownNamespaces;
        });
        if (!ownNamespaces) return;
        const key = `${resolved.namespace}/${resolved.name}`;
        check.check(
            !seenExceptions.has(key),
            `${field}.name`,
            `${key} is declared twice`,
            "give each exception its own name",
        );
        seenExceptions.add(key);
        exceptions.push(resolved);
    });

    check.throwIfInvalid();
    const scope = policyScopeOf({ env: profileEnv, topology, coverage, excludedNamespaces });
    return {
        env: profileEnv,
        topology,
        coverage,
        registries,
        approvedRegistries: [...new Set(registries)],
        apiAccessServiceAccounts: apiAccessServiceAccounts.map(({ namespace, name: sa }) => ({ namespace, name: sa })),
        imageVerification,
        // On a shared cluster the exceptions live beside the other envs' in Kyverno's namespace, and name the
        // policies of this scope: both carry the scope's name.
        exceptions: exceptions.map((exception) => ({
            ...exception,
            name: scopedPolicyName(exception.name, scope),
            policies: exception.policies.map((ref) => ({ ...ref, name: scopedPolicyName(ref.name, scope) })),
        })),
        excludedNamespaces: [...excludedNamespaces],
    };
}

/** The Kyverno objects of BaselinePolicies. */
export interface BaselinePolicyManifests {
    readonly validatingPolicies: ValidatingPolicyManifest[];
    readonly imageValidatingPolicy?: ImageValidatingPolicyManifest;
    /** The defaults written at admission, each agreeing with the validating rule it serves. */
    readonly mutatingPolicies: MutatingPolicyManifest[];
    readonly exceptions: PolicyExceptionManifest[];
}

/** The rule inputs of `resolved`: what the CrossGuard pack needs to evaluate the same rules. */
export function ruleInputsOf(resolved: ResolvedBaselinePolicies): RuleInputs {
    return {
        env: resolved.env,
        registries: resolved.approvedRegistries,
        apiAccessServiceAccounts: resolved.apiAccessServiceAccounts,
        ...(resolved.coverage === PolicyCoverage.Unclaimed
            ? { namespaceEnvironments: [...resolved.topology.environments] }
            : {}),
    };
}

/** Every Kyverno object of `resolved`. Pure: tested as data. */
export function baselinePolicyManifests(resolved: ResolvedBaselinePolicies): BaselinePolicyManifests {
    const scope = policyScopeOf(resolved);
    const inputs = ruleInputsOf(resolved);
    return {
        validatingPolicies: baselineValidatingPolicies(inputs, scope),
        imageValidatingPolicy: resolved.imageVerification
            ? imageSignaturePolicy(resolved.imageVerification, resolved.registries, scope)
            : undefined,
        // Same scope as the validating rules: the same namespaces (exclusions and env label) and names.
        mutatingPolicies: [tokenAutomountDefaultPolicy(inputs.apiAccessServiceAccounts, scope)],
        exceptions: resolved.exceptions.map(policyException),
    };
}

/**
 * The baseline's admission policies for one environment, enforced by Kyverno: one ValidatingPolicy per rule
 * (denying in prod, auditing and warning elsewhere), an ImageValidatingPolicy for image signatures when asked,
 * a MutatingPolicy that gives Pods leaving automountServiceAccountToken unset the value the token rule asks
 * for (unless they run as a ServiceAccount declared to call the API), and the declared, dated exceptions. On a shared cluster each env's policies judge only the namespaces
 * labelled with its env and carry its name, and one more set (the unclaimed coverage) judges every other
 * namespace at prod's profile. Kyverno's CRDs must exist first: make it depend on the Kyverno component.
 */
export class BaselinePolicies extends pulumi.ComponentResource {
    /** Names of the policies created (ValidatingPolicies, then the ImageValidatingPolicy if any). */
    public readonly policyNames: pulumi.Output<string[]>;
    /** Names of the MutatingPolicies created: the defaults Kyverno writes at admission. */
    public readonly mutatingPolicyNames: pulumi.Output<string[]>;

    constructor(name: string, args: BaselinePoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveBaselinePoliciesArgs(name, args);
        super("k8s-baseline:index:BaselinePolicies", name, {}, opts);
        const manifests = baselinePolicyManifests(resolved);

        const policyManifests: (ValidatingPolicyManifest | ImageValidatingPolicyManifest)[] = [
            ...manifests.validatingPolicies,
            ...(manifests.imageValidatingPolicy ? [manifests.imageValidatingPolicy] : []),
        ];
        const policies = policyManifests.map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(`${name}-${manifest.metadata.name}`, manifest, { parent: this }),
        );
        for (const manifest of manifests.exceptions) {
            new k8s.apiextensions.CustomResource(
                `${name}-exception-${manifest.metadata.namespace}-${manifest.metadata.name}`,
                manifest,
                // Kyverno validates an exception against the policies it names.
                { parent: this, dependsOn: policies },
            );
        }

        const mutating = manifests.mutatingPolicies.map(
            (manifest) =>
                new k8s.apiextensions.CustomResource(`${name}-${manifest.metadata.name}`, manifest, { parent: this }),
        );

        this.policyNames = pulumi.all(policies.map((policy) => policy.metadata.name));
        this.mutatingPolicyNames = pulumi.all(mutating.map((policy) => policy.metadata.name));
        this.registerOutputs({ policyNames: this.policyNames, mutatingPolicyNames: this.mutatingPolicyNames });
    }
}
