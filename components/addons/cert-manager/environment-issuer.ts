/**
 * One env's ClusterIssuer and the AWS identity it solves DNS-01 challenges with.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    acmeSolverServiceAccountName,
    appResourceName,
    ArgsChecker,
    ArgumentError,
    ClusterTopology,
    componentType,
    dedicatedTopology,
    Environment,
    isDns1123Subdomain,
    isSharedCluster,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    partitionOf,
    PLATFORM_NAMESPACES,
    RequiredLabel,
    tokenRequestRoleName,
    topologyProblems,
} from "../../baseline";
import { checkClusterIdentity, IdentityMode, trustPolicyFor } from "../../aws/identity-validation";
import { roleRefTo, tokenRequestRules } from "../../kubernetes/rbac";
import { CERT_MANAGER_SERVICE_ACCOUNT } from "./cert-manager";
import { certManagerClusterIssuer, certManagerClusterIssuerName } from "./cluster-issuer";
import { certManagerDnsPolicy } from "./iam";

/** A Route 53 public hosted zone of the environment, in which cert-manager answers DNS-01 challenges. */
export interface HostedZoneArgs {
    /** The hosted zone's id, e.g. `Z0123456789ABCDEFGHIJ` (without the `/hostedzone/` prefix). */
    zoneId: string;
    /** The zone's domain, e.g. `dev.example.com`: lower case, no trailing dot, no wildcard. */
    domain: string;
}

/** Arguments of an EnvironmentIssuer. */
export interface EnvironmentIssuerArgs {
    /** Project name, a DNS-1123 label; prefixes every per-env name. */
    project: string;
    /** Environment: dev, stage or prod. Chooses the ACME directory. */
    env: Environment;
    /** AWS account id (12 digits) that holds the issuer's role. */
    accountId: string;
    /** AWS region of the cluster; the Route 53 solver signs its STS calls for it. */
    region: string;
    /** The env's public hosted zones; certificates can be issued for their domains and every name below. At least one. */
    hostedZones: HostedZoneArgs[];
    /** Contact address of the ACME account (expiry and policy notices). */
    acmeEmail: string;
    /**
     * How the issuer gets its role: `irsa` (its own ServiceAccount's token, through the cluster's OIDC
     * provider) or `pod-identity` (the controller's, on a cluster of the env's own only). Default: `irsa`.
     */
    identityMode?: IdentityMode;
    /** IRSA: ARN of the cluster's IAM OIDC provider. Required with `irsa`. */
    oidcProviderArn?: pulumi.Input<string>;
    /** IRSA: the cluster's OIDC issuer, host and path without `https://`. Required with `irsa`. */
    oidcIssuer?: pulumi.Input<string>;
    /** Pod Identity: name of the EKS cluster. Required with `pod-identity`. */
    clusterName?: pulumi.Input<string>;
    /** cert-manager's namespace (its cluster resource namespace). Default: `cert-manager`. */
    namespace?: string;
    /** Name of the cert-manager controller's ServiceAccount. Default: `cert-manager`. */
    controllerServiceAccountName?: string;
    /** How envs are laid out on the cluster. Default: a cluster of the env's own (`dedicatedTopology(env)`). */
    topology?: ClusterTopology;
}

const COMPONENT = "EnvironmentIssuer";

/** A Route 53 hosted zone id: `Z` and upper-case letters and digits, at most 32 characters. */
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** An e-mail address as ACME servers accept it for a `mailto:` contact. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/i;
/** An EKS cluster name. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

const ZONE_ID_FIX = 'give the bare hosted zone id, e.g. "Z0123456789ABCDEFGHIJ" (no "/hostedzone/" prefix)';
const DOMAIN_FIX = 'give the zone\'s domain in lower case, e.g. "dev.example.com"';

/** The validated, defaulted input of an EnvironmentIssuer. */
export interface ResolvedEnvironmentIssuer {
    readonly project: string;
    readonly env: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    /** cert-manager's namespace. */
    readonly namespace: string;
    readonly controllerServiceAccountName: string;
    readonly identityMode: IdentityMode;
    readonly topology: ClusterTopology;
    readonly hostedZones: readonly HostedZoneArgs[];
    readonly acmeEmail: string;
    readonly roleName: string;
    /** The role's ARN, known before the role exists: the role's name is fixed. */
    readonly roleArn: string;
    readonly clusterIssuerName: string;
    /** IRSA: the ServiceAccount, in cert-manager's namespace, whose tokens the issuer assumes its role with. */
    readonly solverServiceAccountName: string;
    /** IRSA: the Role and RoleBinding that let the controller request that ServiceAccount's tokens. */
    readonly tokenRequestRoleName: string;
    /** The ServiceAccount the role trusts: the solver's with IRSA, the controller's with Pod Identity. */
    readonly serviceAccountName: string;
}

/** Checks one hosted zone; a domain that names another env is refused. */
function checkHostedZone(check: ArgsChecker, zone: HostedZoneArgs, field: string, env: Environment | undefined): void {
    check.check(
        typeof zone?.zoneId === "string" && HOSTED_ZONE_ID.test(zone.zoneId),
        `${field}.zoneId`,
        `${JSON.stringify(zone?.zoneId)} is not a Route 53 hosted zone id`,
        ZONE_ID_FIX,
    );
    const domain: unknown = zone?.domain;
    if (typeof domain === "string" && domain.startsWith("*.")) {
        check.fail(
            `${field}.domain`,
            `${JSON.stringify(domain)} is a wildcard`,
            "give the zone's domain: certificates for every name below it, wildcards included, are covered",
        );
    } else if (typeof domain === "string" && domain.endsWith(".")) {
        check.fail(`${field}.domain`, `${JSON.stringify(domain)} ends with '.'`, "drop the trailing dot");
    } else if (
        check.check(
            isDns1123Subdomain(domain) && domain.includes(".") && domain.split(".").every((l) => l.length <= 63),
            `${field}.domain`,
            `${JSON.stringify(domain)} is not a DNS name of at least two labels`,
            DOMAIN_FIX,
        ) &&
        env !== undefined
    ) {
        check.sameEnvironment(domain as string, env, `${field}.domain`);
    }
}

/** Checks and defaults an EnvironmentIssuer's arguments; throws an ArgumentError listing every problem. */
export function resolveEnvironmentIssuerArgs(name: string, args: EnvironmentIssuerArgs): ResolvedEnvironmentIssuer {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const env = envOk ? args.env : undefined;
    check.accountId(args.accountId);
    check.region(args.region);
    const topology = args.topology ?? dedicatedTopology(args.env);
    if (env) {
        for (const { field, problem, fix } of topologyProblems(topology, env)) {
            check.fail(`topology.${field}`, problem, fix);
        }
    }
    const namespace = args.namespace ?? PLATFORM_NAMESPACES.certManager;
    if (check.dnsLabel(namespace, "namespace") && env && !isSharedCluster(topology)) {
        check.sameEnvironment(namespace, env, "namespace");
    }
    const controllerServiceAccountName = args.controllerServiceAccountName ?? CERT_MANAGER_SERVICE_ACCOUNT;
    check.dnsLabel(controllerServiceAccountName, "controllerServiceAccountName");

    const identityMode = checkClusterIdentity(check, args);
    if (identityMode === IdentityMode.PodIdentity) {
        // One controller runs for the whole cluster, and ambient credentials are its own: with Pod Identity
        // every env's ClusterIssuer would act with the same identity, allowed into every env's zones.
        check.check(
            !isSharedCluster(topology),
            "identityMode",
            `is pod-identity on a cluster ${topology.environments.join(", ")} share: the one cert-manager controller's credentials would serve every env's issuer`,
            "use irsa, which gives each env's issuer a ServiceAccount and a role of its own",
        );
        if (typeof args.clusterName === "string") {
            if (
                check.check(
                    EKS_CLUSTER_NAME.test(args.clusterName),
                    "clusterName",
                    `${JSON.stringify(args.clusterName)} is not an EKS cluster name`,
                    "give the cluster's name, not its ARN",
                ) &&
                env &&
                !isSharedCluster(topology)
            ) {
                check.sameEnvironment(args.clusterName, env, "clusterName");
            }
        }
    }

    const hostedZones = Array.isArray(args.hostedZones) ? args.hostedZones : [];
    check.check(
        hostedZones.length > 0,
        "hostedZones",
        "is empty",
        'list the env\'s public hosted zones, e.g. [{ zoneId: "Z0123456789ABCDEFGHIJ", domain: "dev.example.com" }]',
    );
    const seenIds = new Set<string>();
    const seenDomains = new Set<string>();
    hostedZones.forEach((zone, i) => {
        checkHostedZone(check, zone, `hostedZones[${i}]`, env);
        check.check(
            !seenIds.has(zone?.zoneId),
            `hostedZones[${i}].zoneId`,
            `${zone?.zoneId} is listed twice`,
            "list each zone once",
        );
        check.check(
            !seenDomains.has(zone?.domain),
            `hostedZones[${i}].domain`,
            `${zone?.domain} is listed twice`,
            "list each zone once",
        );
        seenIds.add(zone?.zoneId);
        seenDomains.add(zone?.domain);
    });

    check.check(
        typeof args.acmeEmail === "string" && EMAIL.test(args.acmeEmail),
        "acmeEmail",
        `${JSON.stringify(args.acmeEmail)} is not an e-mail address`,
        'give the mailbox that should receive the ACME account\'s notices, e.g. "platform@example.org"',
    );

    const roleName = env ? appResourceName(args.project, env, "cert-manager") : "";
    check.check(
        roleName.length <= 64,
        "project",
        `role name ${roleName} is longer than IAM's 64 characters`,
        "shorten project",
    );
    check.throwIfInvalid();
    const partition = partitionOf(args.region);
    const clusterIssuerName = certManagerClusterIssuerName(args.project, args.env);
    const solverServiceAccountName = acmeSolverServiceAccountName(clusterIssuerName);
    return {
        project: args.project,
        env: args.env,
        accountId: args.accountId,
        region: args.region,
        partition,
        namespace,
        controllerServiceAccountName,
        identityMode,
        topology,
        hostedZones: hostedZones.map((zone) => ({ zoneId: zone.zoneId, domain: zone.domain })),
        acmeEmail: args.acmeEmail,
        roleName,
        roleArn: `arn:${partition}:iam::${args.accountId}:role/${roleName}`,
        clusterIssuerName,
        solverServiceAccountName,
        tokenRequestRoleName: tokenRequestRoleName(solverServiceAccountName),
        serviceAccountName:
            identityMode === IdentityMode.Irsa ? solverServiceAccountName : controllerServiceAccountName,
    };
}

/**
 * The role's trust policy: the issuer's own ServiceAccount through IRSA, or, with Pod Identity, the EKS Pod
 * Identity service for the controller's ServiceAccount of the cluster. An issuer or provider known only at
 * deployment is checked when it resolves, with the same rules as at construction.
 */
export function environmentIssuerTrustPolicy(
    name: string,
    resolved: ResolvedEnvironmentIssuer,
    args: EnvironmentIssuerArgs,
): pulumi.Output<string> {
    return trustPolicyFor(COMPONENT, name, resolved, args);
}

/** The labels of the issuer's Kubernetes objects. */
function issuerLabels(resolved: ResolvedEnvironmentIssuer): Record<string, string> {
    return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [RequiredLabel.Env]: resolved.env };
}

/**
 * IRSA: the issuer's ServiceAccount, and the Role and RoleBinding that let cert-manager's controller
 * `create` a token for it and for nothing else. cert-manager 1.21 grants its controller no token requests of
 * its own (its chart dropped the `tokenrequest` Role), so each issuer that uses `serviceAccountRef` brings one.
 * The ServiceAccount mounts no token: only the controller requests them, through the TokenRequest API.
 */
export function solverRbac(resolved: ResolvedEnvironmentIssuer): {
    serviceAccount: k8s.types.input.core.v1.ServiceAccount;
    role: k8s.types.input.rbac.v1.Role;
    binding: k8s.types.input.rbac.v1.RoleBinding;
} {
    const labels = issuerLabels(resolved);
    const metadata = { name: resolved.tokenRequestRoleName, namespace: resolved.namespace, labels };
    return {
        serviceAccount: {
            metadata: { name: resolved.solverServiceAccountName, namespace: resolved.namespace, labels },
            automountServiceAccountToken: false,
        },
        role: { metadata, rules: tokenRequestRules([resolved.solverServiceAccountName]) },
        binding: {
            metadata,
            roleRef: roleRefTo("Role", resolved.tokenRequestRoleName),
            subjects: [
                { kind: "ServiceAccount", name: resolved.controllerServiceAccountName, namespace: resolved.namespace },
            ],
        },
    };
}

/** The resources `opts.dependsOn` names, as a list. */
function dependencyList(opts: pulumi.ResourceOptions | undefined): pulumi.Input<pulumi.Resource>[] {
    const dependsOn = opts?.dependsOn;
    if (dependsOn === undefined) return [];
    return Array.isArray(dependsOn) ? [...dependsOn] : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * One env's certificate issuer: a ClusterIssuer that issues from the env's ACME directory by DNS-01 for the
 * env's domains, and an IAM role that may write only ACME challenge records in the env's hosted zones.
 *
 * With IRSA (required on a shared cluster) the issuer assumes the role with tokens of its own ServiceAccount
 * in cert-manager's namespace, which the role alone trusts, and a Role lets the controller request exactly
 * that ServiceAccount's tokens: two envs' issuers never share an AWS identity. With Pod Identity (a cluster of
 * the env's own) the role is the controller's, through an association: pass `credentials` to the CertManager's
 * `dependsOn`. cert-manager's CRDs and webhook must exist before the ClusterIssuer: pass the CertManager in
 * this component's `dependsOn`.
 */
export class EnvironmentIssuer extends pulumi.ComponentResource {
    /** Name of the env's ClusterIssuer, for `cert-manager.io/cluster-issuer` annotations and `issuerRef`s. */
    public readonly clusterIssuerName: pulumi.Output<string>;
    /** ARN of the issuer's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** What must exist before cert-manager's controller starts: the role's policy and, with Pod Identity, the association. */
    public readonly credentials: pulumi.Resource[];

    constructor(name: string, args: EnvironmentIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveEnvironmentIssuerArgs(name, args);
        // `dependsOn` orders the Kubernetes objects only, not the component itself nor its AWS resources: with
        // Pod Identity the chart waits on `credentials`, which therefore cannot wait on the chart.
        super(componentType("EnvironmentIssuer"), name, {}, { ...opts, dependsOn: undefined });
        const afterCertManager = { parent: this, dependsOn: opts?.dependsOn };

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: resolved.roleName,
                description: `cert-manager in ${resolved.env}: ACME DNS-01 challenges in the env's hosted zones`,
                assumeRolePolicy: environmentIssuerTrustPolicy(name, resolved, args),
                maxSessionDuration: 3600,
                tags: { project: resolved.project, env: resolved.env, app: "cert-manager" },
            },
            { parent: this },
        );
        // The ClusterIssuer is given the ARN the role would have in `accountId`, so that it renders at preview.
        // An AWS provider for another account would leave it naming a role that does not exist: the ARN is
        // checked when the role exists, and the policy, and so the issuer after it, waits on the check.
        const roleArn = role.arn.apply((arn) => {
            if (arn !== resolved.roleArn) {
                throw new ArgumentError(COMPONENT, name, [
                    `accountId: the role was created as ${arn}, not ${resolved.roleArn}; fix: give the account id of the AWS provider`,
                ]);
            }
            return arn;
        });
        const dnsPolicy = new aws.iam.RolePolicy(
            `${name}-dns01`,
            {
                name: "acme-dns01-route53",
                role: pulumi.all([role.id, roleArn]).apply(([id]) => id),
                policy: JSON.stringify(
                    certManagerDnsPolicy(
                        resolved.partition,
                        resolved.hostedZones.map((zone) => zone.zoneId),
                    ),
                ),
            },
            { parent: this },
        );
        const credentials: pulumi.Resource[] = [dnsPolicy];
        const before: pulumi.Resource[] = [dnsPolicy];

        if (resolved.identityMode === IdentityMode.PodIdentity) {
            credentials.push(
                new aws.eks.PodIdentityAssociation(
                    `${name}-pod-identity`,
                    {
                        clusterName: args.clusterName!,
                        namespace: resolved.namespace,
                        serviceAccount: resolved.controllerServiceAccountName,
                        roleArn,
                    },
                    { parent: this },
                ),
            );
        } else {
            const rbac = solverRbac(resolved);
            const serviceAccount = new k8s.core.v1.ServiceAccount(
                `${name}-dns01`,
                rbac.serviceAccount,
                afterCertManager,
            );
            const tokenRole = new k8s.rbac.v1.Role(`${name}-token-request`, rbac.role, afterCertManager);
            const binding = new k8s.rbac.v1.RoleBinding(`${name}-token-request`, rbac.binding, {
                parent: this,
                dependsOn: [tokenRole],
            });
            // The issuer registers its ACME account with a token the controller may request only once the
            // ServiceAccount and the binding exist.
            before.push(serviceAccount, binding);
        }

        const issuer = new k8s.apiextensions.CustomResource(
            `${name}-cluster-issuer`,
            certManagerClusterIssuer(resolved),
            { parent: this, dependsOn: [...dependencyList(opts), ...before] },
        );

        this.clusterIssuerName = issuer.metadata.name;
        this.roleArn = roleArn;
        this.credentials = credentials;
        this.registerOutputs({ clusterIssuerName: this.clusterIssuerName, roleArn: this.roleArn });
    }
}
