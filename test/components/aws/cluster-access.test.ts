import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import {
    ClusterAccess,
    ClusterAccessArgs,
    resolveClusterAccessArgs,
    TeamAccessArgs,
} from "../../../components/aws/cluster-access";
import {
    ArgumentError,
    clusterTopology,
    ClusterLayout,
    EKS_ACCESS_POLICIES,
    EKS_CLUSTER_ADMIN_ACCESS_POLICY,
    dedicatedTopology,
    environmentGroupName,
    NamespaceLayout,
} from "../../../components/baseline";

const SSO_ROLE = (set: string) =>
    `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_${set}_0123456789abcdef`;

function team(overrides: Partial<TeamAccessArgs> = {}): TeamAccessArgs {
    return { group: "payments-devs", principalArn: SSO_ROLE("PaymentsDevs"), namespaces: ["payments"], ...overrides };
}

function args(overrides: Partial<ClusterAccessArgs> = {}): ClusterAccessArgs {
    return {
        project: "shop",
        env: "prod",
        clusterName: "shop-prod",
        teams: [team()],
        accountId: ACCOUNT,
        ...overrides,
    };
}

function problemsOf(fn: () => unknown): string[] {
    try {
        fn();
    } catch (error) {
        assert.ok(error instanceof ArgumentError, String(error));
        return [...error.problems];
    }
    assert.fail("expected an ArgumentError");
}

const SHARED = clusterTopology("dev", {
    layout: ClusterLayout.Shared,
    namespaceLayout: NamespaceLayout.PerApp,
    environments: ["dev", "stage"],
});

/** The problems a ClusterAccess with `overrides` of the default arguments is refused with. */
const refused = (overrides: Partial<ClusterAccessArgs>) => problemsOf(() => new ClusterAccess("a", args(overrides)));

/** The problems of dev's `teams` on the cluster dev and stage share. */
const refusedOnShared = (...teams: TeamAccessArgs[]) => refused({ env: "dev", topology: SHARED, teams });

/** The problems of one team, given `overrides` of the default team, in the default (prod) env. */
const refusedTeam = (overrides: Partial<TeamAccessArgs>) => refused({ teams: [team(overrides)] });

const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";

describe("ClusterAccess", () => {
    beforeEach(resetResources);

    it("gives a prod team the view policy, scoped to its namespaces, by default", async () => {
        const access = new ClusterAccess("prod-access", args());
        assert.deepEqual(await valueOf(access.kubernetesGroups), ["payments-devs"]);
        await settled();
        const entry = named("aws:eks/accessEntry:AccessEntry", "prod-access-payments-devs").inputs;
        assert.equal(entry.clusterName, "shop-prod");
        assert.equal(entry.principalArn, SSO_ROLE("PaymentsDevs"));
        assert.deepEqual(entry.kubernetesGroups, ["payments-devs"]);
        assert.equal(entry.type, "STANDARD");
        assert.deepEqual(entry.tags, { project: "shop", env: "prod", "access-role": "view" });
        const association = named(ASSOCIATION, "prod-access-payments-devs-view").inputs;
        assert.equal(association.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        assert.equal(association.principalArn, SSO_ROLE("PaymentsDevs"));
        assert.deepEqual(association.accessScope, { type: "namespace", namespaces: ["payments"] });
    });

    it("gives edit in dev by default, and admin when asked", async () => {
        new ClusterAccess(
            "dev-access",
            args({
                env: "dev",
                clusterName: "shop-dev",
                teams: [team(), team({ group: "platform", principalArn: SSO_ROLE("Platform"), role: "admin" })],
            }),
        );
        await settled();
        const policies = ofType(ASSOCIATION).map((r) => r.inputs.policyArn);
        assert.deepEqual(policies, [EKS_ACCESS_POLICIES.edit, EKS_ACCESS_POLICIES.admin]);
        for (const r of ofType(ASSOCIATION)) {
            assert.equal(r.inputs.accessScope.type, "namespace");
            assert.notEqual(r.inputs.policyArn, EKS_CLUSTER_ADMIN_ACCESS_POLICY);
        }
    });

    it("parents its children", async () => {
        new ClusterAccess("prod-access", args());
        await settled();
        const custom = resources().filter((r) => r.custom);
        assert.equal(custom.length, 2);
        for (const r of custom) assert.equal(r.parentType, "k8s-baseline:index:ClusterAccess");
    });

    it("refuses a role above the profile's maximum", () => {
        assert.deepEqual(refusedTeam({ role: "edit" }), [
            "teams[0].role: edit exceeds what the prod profile allows people (view); fix: grant view or less; changes in prod go through the deployer",
        ]);
        assert.equal(refused({ env: "stage", teams: [team({ role: "admin" })] }).length, 1);
    });

    it("refuses cluster-admin, and any role that is not view, edit or admin", () => {
        const problems = refused({ env: "dev", teams: [team({ role: "cluster-admin" as any })] });
        assert.equal(problems.length, 1);
        assert.match(
            problems[0],
            /^teams\[0\]\.role: "cluster-admin" is not an access role; fix: .*cluster-admin is never granted/,
        );
    });

    it("refuses cluster scope: a team without namespaces", () => {
        assert.deepEqual(refusedTeam({ namespaces: [] }), [
            "teams[0].namespaces: is empty, which would scope the access policy to the whole cluster; fix: list the env's namespaces the team works in",
        ]);
    });

    it("refuses a principal that is not an IAM Identity Center role", () => {
        const problems = refused({
            teams: [
                team({ principalArn: `arn:aws:iam::${ACCOUNT}:user/alice` }),
                team({ group: "b", principalArn: `arn:aws:iam::${ACCOUNT}:role/admins` }),
                team({ group: "c", principalArn: `arn:aws:iam::*:role/*` }),
                team({ group: "d", principalArn: SSO_ROLE("D").replace(ACCOUNT, "210987654321") }),
            ],
        });
        assert.equal(problems.length, 4);
        assert.match(problems[0], /^teams\[0\]\.principalArn: .* is not an IAM role ARN/);
        assert.match(problems[1], /^teams\[1\]\.principalArn: .* is not a role assumed through IAM Identity Center/);
        assert.match(problems[2], /^teams\[2\]\.principalArn: .* is not an IAM role ARN/);
        assert.match(problems[3], /^teams\[3\]\.principalArn: .* is in another account/);
    });

    it("refuses system: groups, a group twice and a principal twice", () => {
        const problems = refused({
            teams: [
                team({ group: "system:masters", principalArn: SSO_ROLE("Masters") }),
                team(),
                team({ principalArn: SSO_ROLE("Other") }),
                team({ group: "x" }),
            ],
        });
        assert.equal(problems.length, 3, problems.join("\n"));
        assert.match(problems[0], /^teams\[0\]\.group: "system:masters" is not a group/);
        assert.match(problems[1], /^teams\[2\]\.group: payments-devs is listed twice/);
        assert.match(problems[2], /^teams\[3\]\.principalArn: .* is given to two teams/);
    });

    it("refuses namespaces of another env, on a shared cluster and by name", () => {
        const shared = refusedOnShared(
            team({ group: "payments-devs-dev", namespaces: ["payments-dev", "payments-stage"] }),
        );
        assert.deepEqual(shared, [
            "teams[0].namespaces[1]: payments-stage is not a namespace of the dev environment on this shared cluster; fix: give the dev namespace (the app's namespace suffixed -dev, or dev)",
        ]);
        const dedicated = refusedTeam({ namespaces: ["payments-dev"] });
        assert.equal(dedicated.length, 1);
        assert.match(dedicated[0], /^teams\[0\]\.namespaces\[0\]: "payments-dev" names environment dev/);
        assert.match(refusedTeam({ namespaces: ["kube-system"] })[0], /^teams\[0\]\.namespaces\[0\]:/);
    });

    it("refuses, on a shared cluster, a group that does not name the env: another env's bindings of it would admit the team", () => {
        const problems = refusedOnShared(
            team({ namespaces: ["payments-dev"] }),
            team({ group: "orders-devs-stage", principalArn: SSO_ROLE("Orders"), namespaces: ["orders-dev"] }),
        );
        assert.equal(problems.length, 2, problems.join("\n"));
        assert.match(
            problems[0],
            /^teams\[0\]\.group: payments-devs does not name the dev environment on a cluster dev, stage share, so another env's RoleBindings of it would admit this team; fix: name it environmentGroupName\(<team>, env, topology\), here payments-devs-dev, and bind that name in SecureNamespace access$/,
        );
        assert.match(
            problems[1],
            /^teams\[1\]\.group: orders-devs-stage does not name the dev environment.* here orders-devs-dev,/,
        );
        // `<team>-<env>` only: the env named first, or a team named for another env, is no group of the env.
        for (const [group, fix] of [
            ["dev-payments-devs", "dev-payments-devs-dev"],
            ["stage-payments-devs-dev", "a team name that names no other env"],
        ]) {
            const found = refusedOnShared(team({ group, namespaces: ["payments-dev"] }));
            assert.equal(found.length, 1, group);
            assert.match(
                found[0],
                new RegExp(`^teams\\[0\\]\\.group: ${group} does not name the dev environment.* here ${fix},`),
            );
        }
        assert.deepEqual(
            resolveClusterAccessArgs(
                "a",
                args({
                    env: "dev",
                    topology: SHARED,
                    teams: [team({ group: "payments-devs-dev", namespaces: ["payments-dev"] })],
                }),
            ).teams.map((t) => t.group),
            ["payments-devs-dev"],
        );
        assert.equal(environmentGroupName("payments-devs", "dev", SHARED), "payments-devs-dev");
        assert.equal(environmentGroupName("payments-devs", "prod", dedicatedTopology("prod")), "payments-devs");
    });

    it("registers nothing when the arguments are invalid", () => {
        refusedTeam({ role: "admin" });
        assert.equal(resources().length, 0);
    });
});
