import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ACCESS_ROLE_ORDER,
    AccessRole,
    accessRoleWithin,
    ArgsChecker,
    ClusterTopology,
    defaultHumanAccess,
    dedicatedTopology,
    EKS_ACCESS_ENTRY_TYPES,
    EKS_ACCESS_POLICIES,
    Environment,
    environmentGroupNameFix,
    IAM_ROLE_ARN,
    isEnvironmentGroupName,
    isSharedCluster,
    namespaceBelongsTo,
    profileFor,
    SSO_ROLE_ARN,
    SYSTEM_IDENTITY_PREFIX,
} from "../baseline";

/** A group of people, the IAM role they assume through IAM Identity Center, and where they may act. */
export interface TeamAccessArgs {
    /**
     * Kubernetes group the access entry puts the team's callers in: the same group SecureNamespace binds
     * (its `access[].group`), never a `system:` group. On a shared cluster it names the env:
     * `environmentGroupName(<team>, env, topology)`, `<team>-<env>`.
     */
    group: string;
    /**
     * ARN of the IAM role the team assumes through IAM Identity Center:
     * `arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<id>`.
     */
    principalArn: string;
    /** The env's namespaces the team acts in (at least one); the access policy is scoped to them. */
    namespaces: string[];
    /** Access role: view, edit or admin, at most the profile's `maxHumanAccess`. Default: edit, view in prod. */
    role?: AccessRole;
}

/** Arguments of a ClusterAccess. */
export interface ClusterAccessArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /** Environment: dev, stage or prod. Caps the access role a team may get. */
    env: Environment;
    /** Name of the EKS cluster (its authentication mode must allow the API: `API` or `API_AND_CONFIG_MAP`). */
    clusterName: pulumi.Input<string>;
    /** The teams given access. */
    teams: TeamAccessArgs[];
    /** AWS account id the teams' roles must belong to. Default: not checked. */
    accountId?: string;
    /** The cluster layout the env runs in; decides which namespaces are the env's. Default: a dedicated cluster. */
    topology?: ClusterTopology;
    /** Tags for the access entries. */
    tags?: Record<string, string>;
}

const COMPONENT = "ClusterAccess";

/** One team's validated, defaulted access. */
export interface ResolvedTeamAccess {
    readonly group: string;
    readonly principalArn: string;
    readonly namespaces: string[];
    readonly role: AccessRole;
    /** The EKS access policy associated for `role`. */
    readonly policyArn: string;
}

/** The validated, defaulted input of a ClusterAccess. */
export interface ResolvedClusterAccess {
    readonly project: string;
    readonly env: Environment;
    readonly teams: ResolvedTeamAccess[];
}

/** Checks and defaults a ClusterAccess's arguments; throws an ArgumentError listing every problem. */
export function resolveClusterAccessArgs(name: string, args: ClusterAccessArgs): ResolvedClusterAccess {
    const check = new ArgsChecker(COMPONENT, name);
    check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    if (typeof args.clusterName === "string") check.required(args.clusterName, "clusterName", "name the EKS cluster");
    else check.check(args.clusterName !== undefined, "clusterName", "is required", "name the EKS cluster");
    const accountOk = args.accountId === undefined || check.accountId(args.accountId);
    const topology = args.topology ?? (envOk ? dedicatedTopology(args.env) : undefined);
    const teams = Array.isArray(args.teams) ? args.teams : [];
    check.check(Array.isArray(args.teams), "teams", "is required", "list the teams, each with a group and a role ARN");

    const groups = new Set<string>();
    const principals = new Set<string>();
    const resolved: ResolvedTeamAccess[] = [];
    teams.forEach((team, i) => {
        const field = `teams[${i}]`;
        if (
            check.check(
                typeof team.group === "string" &&
                    team.group.length > 0 &&
                    !team.group.startsWith(SYSTEM_IDENTITY_PREFIX),
                `${field}.group`,
                `${JSON.stringify(team.group)} is not a group this package may bind`,
                "name a group of people, the one SecureNamespace binds; system: groups are the cluster's own",
            )
        ) {
            check.check(
                !groups.has(team.group),
                `${field}.group`,
                `${team.group} is listed twice`,
                "list each group once",
            );
            groups.add(team.group);
            if (envOk && topology !== undefined && isSharedCluster(topology)) {
                check.check(
                    isEnvironmentGroupName(team.group, args.env, topology),
                    `${field}.group`,
                    `${team.group} does not name the ${args.env} environment on a cluster ${topology.environments.join(", ")} share, so another env's RoleBindings of it would admit this team`,
                    `name it environmentGroupName(<team>, env, topology), here ${environmentGroupNameFix(team.group, args.env, topology)}, and bind that name in SecureNamespace access`,
                );
            }
        }

        const arn = team.principalArn;
        const role = typeof arn === "string" ? IAM_ROLE_ARN.exec(arn) : null;
        if (
            check.check(
                role !== null,
                `${field}.principalArn`,
                `${JSON.stringify(arn)} is not an IAM role ARN`,
                "give arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<set>_<id> (no wildcards, no users)",
            )
        ) {
            check.check(
                SSO_ROLE_ARN.test(arn),
                `${field}.principalArn`,
                `${arn} is not a role assumed through IAM Identity Center, so its sessions are not tied to a person`,
                "give the AWSReservedSSO_ role of the team's permission set",
            );
            if (accountOk && args.accountId !== undefined) {
                check.check(
                    role![1] === args.accountId,
                    `${field}.principalArn`,
                    `${arn} is in another account than ${args.accountId}`,
                    "give the permission set's role in the env's own account",
                );
            }
            check.check(
                !principals.has(arn),
                `${field}.principalArn`,
                `${arn} is given to two teams; EKS keeps one access entry per principal`,
                "give each team a permission set of its own",
            );
            principals.add(arn);
        }

        const namespaces = Array.isArray(team.namespaces) ? team.namespaces : [];
        check.check(
            namespaces.length > 0,
            `${field}.namespaces`,
            "is empty, which would scope the access policy to the whole cluster",
            "list the env's namespaces the team works in",
        );
        namespaces.forEach((namespace, j) => {
            const nsField = `${field}.namespaces[${j}]`;
            if (!check.appNamespace(namespace, nsField) || !envOk || topology === undefined) return;
            check.check(
                namespaceBelongsTo(namespace, args.env, topology),
                nsField,
                `${namespace} is not a namespace of the ${args.env} environment on this shared cluster`,
                `give the ${args.env} namespace (the app's namespace suffixed -${args.env}, or ${args.env})`,
            );
            if (topology.environments.length <= 1) check.sameEnvironment(namespace, args.env, nsField);
        });

        let accessRole: AccessRole | undefined;
        if (team.role === undefined) accessRole = envOk ? defaultHumanAccess(args.env) : undefined;
        else if (
            check.check(
                (ACCESS_ROLE_ORDER as readonly string[]).includes(team.role),
                `${field}.role`,
                `${JSON.stringify(team.role)} is not an access role`,
                `use one of ${ACCESS_ROLE_ORDER.join(", ")} (cluster-admin is never granted)`,
            )
        ) {
            accessRole = team.role;
        }
        if (accessRole !== undefined && envOk) {
            const max = profileFor(args.env).maxHumanAccess;
            check.check(
                accessRoleWithin(accessRole, max),
                `${field}.role`,
                `${accessRole} exceeds what the ${args.env} profile allows people (${max})`,
                `grant ${max} or less; changes in ${args.env} go through the deployer`,
            );
            resolved.push({
                group: team.group,
                principalArn: arn,
                namespaces: [...namespaces],
                role: accessRole,
                policyArn: EKS_ACCESS_POLICIES[accessRole],
            });
        }
    });
    check.throwIfInvalid();
    return { project: args.project, env: args.env, teams: resolved };
}

/** A resource-name-safe form of a group name. */
function groupSlug(group: string): string {
    return group
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * Human access to an env's EKS cluster through access entries: each team's IAM Identity Center role gets an
 * access entry that puts its callers in the team's Kubernetes group (the group SecureNamespace binds), and an
 * access policy association scoped to the env's namespaces with the EKS policy of the team's access role.
 * Never cluster scope, never cluster-admin.
 */
export class ClusterAccess extends pulumi.ComponentResource {
    /** ARNs of the access entries, one per team in the order given. */
    public readonly accessEntryArns: pulumi.Output<string[]>;
    /** The Kubernetes groups the entries put callers in, one per team in the order given. */
    public readonly kubernetesGroups: pulumi.Output<string[]>;

    constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveClusterAccessArgs(name, args);
        super("k8s-baseline:index:ClusterAccess", name, {}, opts);
        const entries = resolved.teams.map((team) => {
            const slug = groupSlug(team.group);
            const entry = new aws.eks.AccessEntry(
                `${name}-${slug}`,
                {
                    clusterName: args.clusterName,
                    principalArn: team.principalArn,
                    type: EKS_ACCESS_ENTRY_TYPES.standard,
                    kubernetesGroups: [team.group],
                    tags: {
                        project: resolved.project,
                        env: resolved.env,
                        "access-role": team.role,
                        ...args.tags,
                    },
                },
                { parent: this },
            );
            new aws.eks.AccessPolicyAssociation(
                `${name}-${slug}-${team.role}`,
                {
                    clusterName: args.clusterName,
                    principalArn: entry.principalArn,
                    policyArn: team.policyArn,
                    accessScope: { type: "namespace", namespaces: team.namespaces },
                },
                { parent: this },
            );
            return entry;
        });
        this.accessEntryArns = pulumi.all(entries.map((entry) => entry.accessEntryArn));
        this.kubernetesGroups = pulumi.output(resolved.teams.map((team) => team.group));
        this.registerOutputs({ accessEntryArns: this.accessEntryArns, kubernetesGroups: this.kubernetesGroups });
    }
}
