import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    appResourceName,
    ArgsChecker,
    ArgumentError,
    componentType,
    Environment,
    isDns1123Subdomain,
    partitionOf,
    PLATFORM_NAMESPACES,
} from "../../baseline";
import { checkClusterIdentity, IdentityMode, trustPolicyFor } from "../../aws/identity-validation";
import {
    CERT_MANAGER_CHART,
    CERT_MANAGER_CHART_REPOSITORY,
    CERT_MANAGER_CHART_VERSION,
    CERT_MANAGER_RELEASE_NAME,
    certManagerChartValues,
    keepCustomResourceDefinitions,
} from "./chart";
import { certManagerClusterIssuer, certManagerClusterIssuerName } from "./cluster-issuer";
import { certManagerDnsPolicy } from "./iam";

/** A Route 53 public hosted zone of the environment, in which cert-manager answers DNS-01 challenges. */
export interface HostedZoneArgs {
    /** The hosted zone's id, e.g. `Z0123456789ABCDEFGHIJ` (without the `/hostedzone/` prefix). */
    zoneId: string;
    /** The zone's domain, e.g. `dev.example.com`: lower case, no trailing dot, no wildcard. */
    domain: string;
}

/** Arguments of a CertManager. */
export interface CertManagerArgs {
    /** Project name, a DNS-1123 label; prefixes every per-env name. */
    project: string;
    /** Environment: dev, stage or prod. Chooses the ACME directory, replicas and disruption budgets. */
    env: Environment;
    /** AWS account id (12 digits) that holds the cert-manager role. */
    accountId: string;
    /** AWS region of the cluster; the Route 53 solver signs its STS calls for it. */
    region: string;
    /** Namespace to install cert-manager in, created beforehand (e.g. by a SecureNamespace). Default: `cert-manager`. */
    namespace?: string;
    /** Version of the `cert-manager` chart, an exact version such as `v1.21.1`. Default: the version this package is tested with. */
    chartVersion?: string;
    /** How the controller's ServiceAccount gets its role: `irsa` or `pod-identity`. Default: `irsa`. */
    identityMode?: IdentityMode;
    /** IRSA: ARN of the cluster's IAM OIDC provider. Required with `irsa`. */
    oidcProviderArn?: pulumi.Input<string>;
    /** IRSA: the cluster's OIDC issuer, host and path without `https://`. Required with `irsa`. */
    oidcIssuer?: pulumi.Input<string>;
    /** Pod Identity: name of the EKS cluster. Required with `pod-identity`. */
    clusterName?: pulumi.Input<string>;
    /** The env's public hosted zones; certificates can be issued for their domains and every name below. At least one. */
    hostedZones: HostedZoneArgs[];
    /** Contact address of the ACME account (expiry and policy notices). */
    acmeEmail: string;
    /** Name of the controller's ServiceAccount. Default: `cert-manager`. */
    serviceAccountName?: string;
}

const COMPONENT = "CertManager";
const DEFAULT_SERVICE_ACCOUNT = "cert-manager";

/** A Route 53 hosted zone id: `Z` and upper-case letters and digits, at most 32 characters. */
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** An exact chart version, with or without the leading `v`: no range, no `latest`. */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
/** An e-mail address as ACME servers accept it for a `mailto:` contact. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/i;
/** An EKS cluster name. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

const ZONE_ID_FIX = 'give the bare hosted zone id, e.g. "Z0123456789ABCDEFGHIJ" (no "/hostedzone/" prefix)';
const DOMAIN_FIX = 'give the zone\'s domain in lower case, e.g. "dev.example.com"';

/** The validated, defaulted input of a CertManager. */
export interface ResolvedCertManager {
    readonly project: string;
    readonly env: Environment;
    readonly accountId: string;
    readonly region: string;
    readonly partition: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    /** The chart version, with the leading `v` the chart repository publishes. */
    readonly chartVersion: string;
    readonly identityMode: IdentityMode;
    readonly hostedZones: readonly HostedZoneArgs[];
    readonly acmeEmail: string;
    readonly roleName: string;
    /** The role's ARN, known before the role exists: the role's name is fixed. */
    readonly roleArn: string;
    readonly clusterIssuerName: string;
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

/** Checks and defaults a CertManager's arguments; throws an ArgumentError listing every problem. */
export function resolveCertManagerArgs(name: string, args: CertManagerArgs): ResolvedCertManager {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const env = envOk ? args.env : undefined;
    check.accountId(args.accountId);
    check.region(args.region);
    const namespace = args.namespace ?? PLATFORM_NAMESPACES.certManager;
    if (check.dnsLabel(namespace, "namespace") && env) check.sameEnvironment(namespace, env, "namespace");
    const serviceAccountName = args.serviceAccountName ?? DEFAULT_SERVICE_ACCOUNT;
    check.dnsLabel(serviceAccountName, "serviceAccountName");

    const requestedVersion: unknown = args.chartVersion ?? CERT_MANAGER_CHART_VERSION;
    check.check(
        typeof requestedVersion === "string" && EXACT_VERSION.test(requestedVersion),
        "chartVersion",
        `${JSON.stringify(requestedVersion)} is not an exact chart version`,
        `pin one release, e.g. "${CERT_MANAGER_CHART_VERSION}" (no range, no "latest")`,
    );
    const chartVersion = typeof requestedVersion === "string" ? `v${requestedVersion.replace(/^v/, "")}` : "";

    const identityMode = checkClusterIdentity(check, args);
    if (identityMode === IdentityMode.PodIdentity) {
        if (typeof args.clusterName === "string") {
            if (
                check.check(
                    EKS_CLUSTER_NAME.test(args.clusterName),
                    "clusterName",
                    `${JSON.stringify(args.clusterName)} is not an EKS cluster name`,
                    "give the cluster's name, not its ARN",
                ) &&
                env
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
    return {
        project: args.project,
        env: args.env,
        accountId: args.accountId,
        region: args.region,
        partition,
        namespace,
        serviceAccountName,
        chartVersion,
        identityMode,
        hostedZones: hostedZones.map((zone) => ({ zoneId: zone.zoneId, domain: zone.domain })),
        acmeEmail: args.acmeEmail,
        roleName,
        roleArn: `arn:${partition}:iam::${args.accountId}:role/${roleName}`,
        clusterIssuerName: certManagerClusterIssuerName(args.project, args.env),
    };
}

/**
 * The role's trust policy: the controller's ServiceAccount through IRSA, or the EKS Pod Identity service for
 * the cluster. An issuer or provider known only at deployment is checked when it resolves, with the same rules
 * as at construction.
 */
export function certManagerTrustPolicy(
    name: string,
    resolved: ResolvedCertManager,
    args: CertManagerArgs,
): pulumi.Output<string> {
    return trustPolicyFor(COMPONENT, name, resolved, args);
}

/**
 * cert-manager for one environment: the pinned Helm chart with its CRDs and hardened values, an IAM role that
 * may write only ACME challenge records in the env's hosted zones, and a ClusterIssuer that issues from the
 * env's ACME directory by DNS-01 for the env's domains.
 */
export class CertManager extends pulumi.ComponentResource {
    /** Name of the env's ClusterIssuer, for `cert-manager.io/cluster-issuer` annotations and `issuerRef`s. */
    public readonly clusterIssuerName: pulumi.Output<string>;
    /** ARN of the controller's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Namespace cert-manager runs in. */
    public readonly namespace: pulumi.Output<string>;
    /** Version of the installed chart. */
    public readonly chartVersion: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveCertManagerArgs(name, args);
        super(componentType("CertManager"), name, {}, opts);
        const { namespace, serviceAccountName } = resolved;

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: resolved.roleName,
                description: `cert-manager in ${resolved.env}: ACME DNS-01 challenges in the env's hosted zones`,
                assumeRolePolicy: certManagerTrustPolicy(name, resolved, args),
                maxSessionDuration: 3600,
                tags: { project: resolved.project, env: resolved.env, app: "cert-manager" },
            },
            { parent: this },
        );
        // The chart is given the ARN the role would have in `accountId`, so that it renders at preview. An AWS
        // provider for another account would leave the ServiceAccount naming a role that does not exist: the
        // ARN is checked when the role exists, and the policy, and so the chart after it, waits on the check.
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

        // The pods must find their credentials when they start: the permissions, and with Pod Identity the
        // association (read when the pod is admitted), exist before the chart.
        const before: pulumi.Resource[] = [dnsPolicy];
        if (resolved.identityMode === IdentityMode.PodIdentity) {
            before.push(
                new aws.eks.PodIdentityAssociation(
                    `${name}-pod-identity`,
                    {
                        clusterName: args.clusterName!,
                        namespace,
                        serviceAccount: serviceAccountName,
                        roleArn,
                    },
                    { parent: this },
                ),
            );
        }

        const chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                chart: CERT_MANAGER_CHART,
                version: resolved.chartVersion,
                repositoryOpts: { repo: CERT_MANAGER_CHART_REPOSITORY },
                name: CERT_MANAGER_RELEASE_NAME,
                namespace,
                // Plain data, the role's ARN included, so that the chart renders in full at preview, where the
                // policy pack reviews every object it creates.
                values: certManagerChartValues(resolved),
            },
            { parent: this, dependsOn: before, transforms: [keepCustomResourceDefinitions] },
        );

        // The ClusterIssuer needs the chart's CRDs and its webhook, which validates every cert-manager object.
        const issuer = new k8s.apiextensions.CustomResource(
            `${name}-cluster-issuer`,
            certManagerClusterIssuer(resolved),
            {
                parent: this,
                dependsOn: [chart],
            },
        );

        this.clusterIssuerName = issuer.metadata.name;
        this.roleArn = roleArn;
        this.namespace = pulumi.output(namespace);
        this.chartVersion = pulumi.output(resolved.chartVersion);
        this.registerOutputs({
            clusterIssuerName: this.clusterIssuerName,
            roleArn: this.roleArn,
            namespace: this.namespace,
            chartVersion: this.chartVersion,
        });
    }
}
