/** An EKS cluster as a platform would declare it passes; each change below breaks one EKS policy. */
import * as assert from "node:assert/strict";
import { EKS_CLUSTER, eksAuditLogs, eksSecretsEncryption } from "../../../../policy-pack/policies/aws";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { ACCOUNT, KEY_ARN, resourceOf, unknownsOf, violationsOf } from "./fixtures";

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
