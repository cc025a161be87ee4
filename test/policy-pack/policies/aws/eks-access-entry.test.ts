/** The access entries ClusterAccess registers pass `aws-eks-access-entry`; each change below is one EKS would refuse or one that admits too much. */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, settled } from "../../../mocks";
installMocks();
import { ClusterAccess } from "../../../../components/aws/cluster-access";
import {
    ClusterLayout,
    clusterTopology,
    dedicatedTopology,
    EKS_ACCESS_ENTRY_TYPES,
    Environment,
    environmentGroupName,
    NamespaceLayout,
} from "../../../../components/baseline";
import { EKS_ACCESS_ENTRY, eksAccessEntry } from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { settingsFrom } from "../../../../policy-pack/settings";
import { ACCOUNT, resourceOf, settingsOf, unknownsOf, violationsOf } from "./fixtures";

const SSO_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_PaymentsDevs_0123456789abcdef`;
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-shared-nodes`;
const SHARED = clusterTopology(Environment.Dev, {
    layout: ClusterLayout.Shared,
    namespaceLayout: NamespaceLayout.PerApp,
    environments: [Environment.Dev, Environment.Stage],
});
const onShared = (env: Environment) =>
    settingsFrom({ env, topology: { layout: "shared", namespaceLayout: "per-app", environments: ["dev", "stage"] } });
const ENTRY = "aws:eks/accessEntry:AccessEntry team";
const entry = (props: Record<string, any>) => resourceOf(EKS_ACCESS_ENTRY, props, "team");

/** The inputs of the access entry ClusterAccess registers for the payments team of `env`. */
async function registeredEntry(env: Environment): Promise<Record<string, any>> {
    resetResources();
    const topology = env === Environment.Prod ? dedicatedTopology(env) : SHARED;
    const namespace = env === Environment.Prod ? "payments" : `payments-${env}`;
    new ClusterAccess("access", {
        project: "shop",
        env,
        clusterName: "shop",
        accountId: ACCOUNT,
        topology,
        teams: [
            {
                group: environmentGroupName("payments-devs", env, topology),
                principalArn: SSO_PRINCIPAL,
                namespaces: [namespace],
            },
        ],
    });
    await settled();
    const [registered] = ofType(EKS_ACCESS_ENTRY);
    resetResources();
    return { ...registered.inputs };
}

describe("aws-eks-access-entry", () => {
    let prod: Record<string, any>;
    let dev: Record<string, any>;

    before(async () => {
        prod = await registeredEntry(Environment.Prod);
        dev = await registeredEntry(Environment.Dev);
    });

    it("passes what ClusterAccess registers, on a dedicated and on a shared cluster", () => {
        assert.equal(prod.type, EKS_ACCESS_ENTRY_TYPES.standard);
        assert.deepEqual(prod.kubernetesGroups, ["payments-devs"]);
        assert.deepEqual(dev.kubernetesGroups, ["payments-devs-dev"]);
        assert.deepEqual(violationsOf(eksAccessEntry, entry(prod), settingsOf("prod")), []);
        assert.deepEqual(violationsOf(eksAccessEntry, entry(dev), onShared("dev")), []);
    });

    it("passes a node role's entry, which has no groups of its own", () => {
        for (const type of EKS_ACCESS_ENTRY_TYPES.nodes) {
            const node = { clusterName: "shop", principalArn: NODE_ROLE, type };
            assert.deepEqual(violationsOf(eksAccessEntry, entry(node), onShared("dev")), [], type);
        }
    });

    it("reports system: groups, system:masters by name, on any cluster", () => {
        const masters = { ...prod, kubernetesGroups: ["payments-devs", "system:masters"] };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(masters), settingsOf("dev")), [
            `${ENTRY} puts its role in system:masters, a group of the cluster itself, whose members bypass RBAC: cluster-admin everywhere; EKS refuses system: groups`,
        ]);
        const nodes = { ...prod, kubernetesGroups: ["system:nodes"] };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(nodes), settingsOf("prod")), [
            `${ENTRY} puts its role in system:nodes, a group of the cluster itself; EKS refuses system: groups`,
        ]);
    });

    it("reports, on a shared cluster, a group of another env or of no env; a dedicated cluster takes any name", () => {
        for (const [group, fix] of [
            ["payments-devs-stage", "payments-devs-dev"],
            ["payments-devs", "payments-devs-dev"],
            ["dev-payments-devs", "dev-payments-devs-dev"],
            ["payments-stage-dev", "a team name that names no other env"],
        ]) {
            const props = { ...dev, kubernetesGroups: [group] };
            assert.deepEqual(
                violationsOf(eksAccessEntry, entry(props), onShared("dev")),
                [
                    `${ENTRY} puts its role in ${group}, not a group of dev on a cluster dev, stage share: another env's RoleBindings of it would admit the role (use ${fix})`,
                ],
                group,
            );
        }
        const stage = { ...dev, kubernetesGroups: ["payments-devs-stage"] };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(stage), onShared("stage")), []);
        assert.deepEqual(violationsOf(eksAccessEntry, entry(stage), settingsOf("dev")), [], "dedicated");
    });

    it("judges an entry of an unnamed env as prod's", () => {
        const shared = settingsFrom({
            topology: { layout: "shared", namespaceLayout: "per-app", environments: ["stage", "prod"] },
        });
        assert.equal(violationsOf(eksAccessEntry, entry({ ...dev }), shared).length, 1);
        const prodGroup = { ...dev, kubernetesGroups: ["payments-devs-prod"] };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(prodGroup), shared), []);
    });

    it("reports a principal that is no IAM role: a user, the root, a session, a wildcard", () => {
        for (const [principalArn, why] of [
            [`arn:aws:iam::${ACCOUNT}:user/alice`, "an IAM user"],
            [`arn:aws:iam::${ACCOUNT}:root`, "the account root"],
            [`arn:aws:sts::${ACCOUNT}:assumed-role/PaymentsDevs/alice`, "an STS session, which EKS refuses"],
            [`arn:aws:iam::${ACCOUNT}:role/*`, "a wildcard"],
            ["*", "a wildcard"],
            [`arn:aws:iam::${ACCOUNT}:group/devs`, "not an IAM role ARN"],
        ]) {
            const found = violationsOf(eksAccessEntry, entry({ ...prod, principalArn }), settingsOf("prod"));
            assert.equal(found.length, 1, principalArn);
            assert.ok(found[0].startsWith(`${ENTRY} admits ${principalArn}: ${why}`), found[0]);
        }
    });

    it("reports a role of another account than the config's", () => {
        const settings = settingsFrom({ env: "prod", accountId: ACCOUNT });
        assert.deepEqual(violationsOf(eksAccessEntry, entry(prod), settings), []);
        const other = { ...prod, principalArn: SSO_PRINCIPAL.replace(ACCOUNT, "210987654321") };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(other), settings), [
            `${ENTRY} admits ${other.principalArn}, a role of another account than the env's ${ACCOUNT}, whose own administrators decide who assumes it`,
        ]);
        assert.deepEqual(violationsOf(eksAccessEntry, entry(other), settingsOf("prod")), [], "no account configured");
    });

    it("reports groups or a user name on a node entry, a person's role as a node, and a type EKS does not have", () => {
        const groups = { clusterName: "shop", principalArn: NODE_ROLE, type: "EC2_LINUX", kubernetesGroups: ["ops"] };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(groups), settingsOf("prod")), [
            `${ENTRY} gives Kubernetes groups to a EC2_LINUX entry, which takes the node groups EKS gives it; groups belong on a STANDARD entry`,
        ]);
        const named = { clusterName: "shop", principalArn: NODE_ROLE, type: "FARGATE_LINUX", userName: "ops" };
        assert.equal(violationsOf(eksAccessEntry, entry(named), settingsOf("prod")).length, 1);
        const person = { clusterName: "shop", principalArn: SSO_PRINCIPAL, type: "EC2_LINUX" };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(person), settingsOf("prod")), [
            `${ENTRY} joins ${SSO_PRINCIPAL}, a person's IAM Identity Center role, as a node (EC2_LINUX): its sessions get the node groups and the node's rights`,
        ]);
        const lower = { ...prod, type: "standard" };
        assert.equal(violationsOf(eksAccessEntry, entry(lower), settingsOf("prod")).length, 1);
        const unset = { ...prod };
        delete unset.type;
        assert.deepEqual(violationsOf(eksAccessEntry, entry(unset), settingsOf("prod")), [], "STANDARD by default");
    });

    it("reports a system: user name", () => {
        const props = { ...prod, userName: "system:node:ip-10-0-0-1" };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(props), settingsOf("prod")), [
            `${ENTRY} signs its role in as system:node:ip-10-0-0-1, a user name of the cluster itself; EKS refuses system: user names`,
        ]);
        assert.deepEqual(violationsOf(eksAccessEntry, entry({ ...prod, userName: "alice" }), settingsOf("prod")), []);
    });

    it("reports unknowns as unknown", () => {
        const props = { ...prod, principalArn: UNKNOWN, type: UNKNOWN, kubernetesGroups: UNKNOWN, userName: UNKNOWN };
        assert.deepEqual(violationsOf(eksAccessEntry, entry(props)), []);
        assert.deepEqual(unknownsOf(eksAccessEntry, entry(props)).sort(), [
            "kubernetesGroups",
            "principalArn",
            "type",
            "userName",
        ]);
        const one = { ...dev, kubernetesGroups: ["payments-devs-dev", UNKNOWN] };
        assert.deepEqual(unknownsOf(eksAccessEntry, entry(one), onShared("dev")), ["kubernetesGroups[1]"]);
    });
});
