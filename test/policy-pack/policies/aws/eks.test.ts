/** An EKS cluster as a platform would declare it passes; each change below breaks one EKS policy. */
import * as assert from "node:assert/strict";
import { resolveClusterAccessArgs } from "../../../../components/aws/cluster-access";
import {
    AccessRole,
    ClusterLayout,
    clusterTopology,
    EKS_ACCESS_POLICIES,
    EKS_ACCESS_POLICY_ARN_PREFIX,
    EKS_CLUSTER_ADMIN_ACCESS_POLICY,
    dedicatedTopology,
    Environment,
    environmentGroupName,
    NamespaceLayout,
} from "../../../../components/baseline";
import {
    EKS_ACCESS_POLICY_ASSOCIATION,
    EKS_CLUSTER,
    eksAccessNoClusterAdmin,
    eksAccessWithinProfile,
    eksAuditLogs,
    eksSecretsEncryption,
} from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { settingsFrom, TopologyConfig } from "../../../../policy-pack/settings";
import { ACCOUNT, KEY_ARN, resourceOf, settingsOf, unknownsOf, violationsOf } from "./fixtures";

function clusterInputs(): Record<string, any> {
    return {
        name: "shop-prod",
        version: "1.33",
        roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-prod-eks-cluster`,
        vpcConfig: {
            subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
            endpointPrivateAccess: true,
            endpointPublicAccess: false,
        },
        accessConfig: { authenticationMode: "API" },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY_ARN } },
        enabledClusterLogTypes: ["api", "audit", "authenticator"],
    };
}

const NAME = "aws:eks/cluster:Cluster shop-prod";
const cluster = (props: Record<string, any> = clusterInputs()) => resourceOf(EKS_CLUSTER, props, "shop-prod");

describe("aws-eks-secrets-encryption", () => {
    it("passes a cluster that encrypts Secrets with the env key", () => {
        assert.deepEqual(violationsOf(eksSecretsEncryption, cluster()), []);
    });

    it("accepts the list form of encryptionConfig", () => {
        const props = { ...clusterInputs(), encryptionConfig: [clusterInputs().encryptionConfig] };
        assert.deepEqual(violationsOf(eksSecretsEncryption, cluster(props)), []);
    });

    it("reports a cluster without encryptionConfig", () => {
        const { encryptionConfig: _, ...props } = clusterInputs();
        assert.deepEqual(violationsOf(eksSecretsEncryption, cluster(props)), [
            `${NAME} does not encrypt Kubernetes Secrets with a KMS key of its own (no encryptionConfig for "secrets")`,
        ]);
    });

    it("reports an encryptionConfig that does not cover secrets", () => {
        const props = { ...clusterInputs(), encryptionConfig: { resources: [], provider: { keyArn: KEY_ARN } } };
        assert.equal(violationsOf(eksSecretsEncryption, cluster(props)).length, 1);
    });

    it("reports an encryptionConfig without a key", () => {
        const props = { ...clusterInputs(), encryptionConfig: { resources: ["secrets"], provider: {} } };
        assert.deepEqual(violationsOf(eksSecretsEncryption, cluster(props)), [
            `${NAME} encrypts Secrets but names no provider keyArn`,
        ]);
    });

    it("reports a key created in the same program (unknown at preview) as unknown", () => {
        const props = {
            ...clusterInputs(),
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN } },
        };
        assert.deepEqual(violationsOf(eksSecretsEncryption, cluster(props)), []);
        assert.deepEqual(unknownsOf(eksSecretsEncryption, cluster(props)), ["encryptionConfig.provider.keyArn"]);
    });
});

describe("aws-eks-audit-logs", () => {
    it("passes a cluster that ships its audit log", () => {
        assert.deepEqual(violationsOf(eksAuditLogs, cluster()), []);
    });

    it("reports a cluster without the audit log type", () => {
        const props = { ...clusterInputs(), enabledClusterLogTypes: ["api", "authenticator"] };
        assert.deepEqual(violationsOf(eksAuditLogs, cluster(props)), [
            `${NAME} does not send its audit log: enabledClusterLogTypes lacks "audit"`,
        ]);
    });

    it("reports a cluster with no log types", () => {
        const { enabledClusterLogTypes: _, ...props } = clusterInputs();
        assert.equal(violationsOf(eksAuditLogs, cluster(props)).length, 1);
    });

    it("reports an unknown list as unknown", () => {
        const resource = cluster({ ...clusterInputs(), enabledClusterLogTypes: UNKNOWN });
        assert.deepEqual(violationsOf(eksAuditLogs, resource), []);
        assert.deepEqual(unknownsOf(eksAuditLogs, resource), ["enabledClusterLogTypes"]);
    });
});

/** The access policy association ClusterAccess registers for one team of `env`. */
function associationInputs(env: Environment = "prod", role?: AccessRole, namespaces = ["payments"]) {
    const topology = env === "prod" ? dedicatedTopology(env) : clusterTopology(env, SHARED_FIELDS);
    const group = environmentGroupName("payments-devs", env, topology);
    const [team] = resolveClusterAccessArgs("access", {
        project: "shop",
        env,
        clusterName: `shop-${env}`,
        teams: [{ group, principalArn: SSO_PRINCIPAL, namespaces, role }],
        topology,
    }).teams;
    return {
        clusterName: `shop-${env}`,
        principalArn: team.principalArn,
        policyArn: team.policyArn,
        accessScope: { type: "namespace", namespaces: team.namespaces },
    } as Record<string, any>;
}

const SSO_PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PaymentsDevs_0123456789abcdef`;
const SHARED_FIELDS = {
    layout: ClusterLayout.Shared,
    namespaceLayout: NamespaceLayout.PerApp,
    environments: [Environment.Dev, Environment.Stage],
};
const SHARED_TOPOLOGY: TopologyConfig = {
    layout: "shared",
    namespaceLayout: "per-app",
    environments: ["dev", "stage"],
};
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation team";
const association = (props: Record<string, any>) => resourceOf(EKS_ACCESS_POLICY_ASSOCIATION, props, "team");
const onShared = (env: Environment) => settingsFrom({ env, topology: SHARED_TOPOLOGY });

describe("aws-eks-access-no-cluster-admin", () => {
    it("passes what ClusterAccess registers, in every env", () => {
        assert.deepEqual(violationsOf(eksAccessNoClusterAdmin, association(associationInputs())), []);
        for (const role of ["view", "edit", "admin"] as const) {
            const props = associationInputs("dev", role, ["payments-dev"]);
            assert.deepEqual(violationsOf(eksAccessNoClusterAdmin, association(props), onShared("dev")), []);
        }
    });

    it("reports AmazonEKSClusterAdminPolicy, whatever its scope", () => {
        const props = { ...associationInputs(), policyArn: EKS_CLUSTER_ADMIN_ACCESS_POLICY };
        assert.deepEqual(violationsOf(eksAccessNoClusterAdmin, association(props), settingsOf("dev")), [
            `${ASSOCIATION} associates AmazonEKSClusterAdminPolicy: cluster-admin over every namespace and cluster-scoped object`,
        ]);
    });

    it("reports admin, edit or admin-view with cluster scope, and lets cluster-wide view pass", () => {
        for (const policy of ["AmazonEKSAdminPolicy", "AmazonEKSEditPolicy", "AmazonEKSAdminViewPolicy"]) {
            const props = {
                ...associationInputs(),
                policyArn: `${EKS_ACCESS_POLICY_ARN_PREFIX}${policy}`,
                accessScope: { type: "cluster" },
            };
            assert.deepEqual(violationsOf(eksAccessNoClusterAdmin, association(props), settingsOf("dev")), [
                `${ASSOCIATION} associates ${policy} with cluster scope: it reaches every namespace's Secrets`,
            ]);
        }
        const view = { ...associationInputs(), accessScope: { type: "cluster" } };
        assert.deepEqual(violationsOf(eksAccessNoClusterAdmin, association(view)), []);
    });

    it("reads a policy ARN of another partition", () => {
        const props = {
            ...associationInputs(),
            policyArn: EKS_CLUSTER_ADMIN_ACCESS_POLICY.replace("arn:aws:", "arn:aws-us-gov:"),
        };
        assert.equal(violationsOf(eksAccessNoClusterAdmin, association(props)).length, 1);
    });

    it("reports an unknown policy or scope as unknown", () => {
        assert.deepEqual(
            unknownsOf(eksAccessNoClusterAdmin, association({ ...associationInputs(), policyArn: UNKNOWN })),
            ["policyArn"],
        );
        assert.deepEqual(
            unknownsOf(
                eksAccessNoClusterAdmin,
                association({ ...associationInputs(), accessScope: { type: UNKNOWN } }),
            ),
            ["accessScope.type"],
        );
    });
});

describe("aws-eks-access-within-profile", () => {
    it("passes what ClusterAccess registers", () => {
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(associationInputs())), []);
        const dev = associationInputs("dev", "admin", ["payments-dev"]);
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(dev), onShared("dev")), []);
    });

    it("reports a role above the env's maximum, judging an unnamed env as prod", () => {
        const edit = { ...associationInputs(), policyArn: EKS_ACCESS_POLICIES.edit };
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(edit), settingsOf()), [
            `${ASSOCIATION} grants edit (AmazonEKSEditPolicy), above what the prod profile allows people (view)`,
        ]);
        const admin = { ...associationInputs(), policyArn: EKS_ACCESS_POLICIES.admin };
        assert.equal(violationsOf(eksAccessWithinProfile, association(admin), settingsOf("stage")).length, 1);
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(admin), settingsOf("dev")), []);
    });

    it("reports a policy that is no access role's", () => {
        const props = { ...associationInputs(), policyArn: `${EKS_ACCESS_POLICY_ARN_PREFIX}AmazonEKSAdminViewPolicy` };
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(props), settingsOf("dev")), [
            `${ASSOCIATION} associates AmazonEKSAdminViewPolicy, which is not the EKS policy of an access role (view, edit, admin)`,
        ]);
    });

    it("reports another env's namespace, and cluster scope, on a shared cluster", () => {
        const other = associationInputs("dev", "edit", ["payments-dev"]);
        other.accessScope = { type: "namespace", namespaces: ["payments-dev", "payments-stage"] };
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(other), onShared("dev")), [
            `${ASSOCIATION} reaches payments-stage, not a namespace of dev on this shared cluster`,
        ]);
        const cluster = { ...associationInputs("dev", "view", ["payments-dev"]), accessScope: { type: "cluster" } };
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(cluster), onShared("dev")), [
            `${ASSOCIATION} has cluster scope on a cluster dev, stage share: it reaches every env's namespaces`,
        ]);
        assert.deepEqual(violationsOf(eksAccessWithinProfile, association(cluster), settingsOf("dev")), []);
    });

    it("reports a namespace pattern, and the cluster's and the add-ons' namespaces, on any cluster", () => {
        for (const [namespace, why] of [
            ["*", 'reaches "*", a pattern rather than one of the env\'s namespaces'],
            ["payments*", 'reaches "payments*", a pattern rather than one of the env\'s namespaces'],
            ["kube-system", "reaches kube-system: kube-system is a namespace of the cluster itself"],
            ["default", "reaches default: default is a namespace of the cluster itself"],
            ["external-secrets", "reaches external-secrets: external-secrets is the namespace of a platform add-on"],
        ]) {
            const props = {
                ...associationInputs(),
                accessScope: { type: "namespace", namespaces: ["payments", namespace] },
            };
            const found = violationsOf(eksAccessWithinProfile, association(props), settingsOf("prod"));
            assert.equal(found.length, 1, namespace);
            assert.ok(found[0].startsWith(`${ASSOCIATION} ${why}`), found[0]);
        }
    });

    it("reports unknown namespaces as unknown", () => {
        const props = { ...associationInputs(), accessScope: { type: "namespace", namespaces: UNKNOWN } };
        assert.deepEqual(unknownsOf(eksAccessWithinProfile, association(props)), ["accessScope.namespaces"]);
    });
});
