/**
 * Who a role's trust admits: no *, no other account, no NotPrincipal; Pod Identity pinned to the cluster and
 * the session tags; an app's role bound only to its own ServiceAccount.
 */
import * as assert from "node:assert/strict";
import { podIdentityTrustPolicy, PolicyDocument } from "../../../../components/aws/iam";
import {
    EKS_POD_IDENTITY_ASSOCIATION,
    IAM_ROLE,
    podIdentityTrustCluster,
    podIdentityTrustSessionTags,
    trustPrincipals,
    workloadIdentityBinding,
} from "../../../../policy-pack/policies/aws";
import { settingsFrom } from "../../../../policy-pack/settings";
import { ACCOUNT, appDocument, copy, ISSUER, resourceOf, roleInputs, trustDocument, violationsOf } from "./fixtures";

const FOREIGN = "999999999999";
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/shop-prod`;
const role = (document: PolicyDocument, extra: Record<string, unknown> = {}) =>
    resourceOf(IAM_ROLE, { ...roleInputs(document), ...extra }, "prod-payments-role");
const withStatement = (statement: any, base: PolicyDocument = trustDocument()): PolicyDocument => {
    const out = copy(base);
    out.Statement.push(statement);
    return out;
};
const assume = (principal: unknown, condition?: object) => ({
    Effect: "Allow",
    Principal: principal,
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
});

describe("aws-trust-principals", () => {
    it("passes the IRSA and Pod Identity trust policies WorkloadIdentity writes", () => {
        assert.deepEqual(violationsOf(trustPrincipals, role(trustDocument())), []);
        assert.deepEqual(
            violationsOf(trustPrincipals, role(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"))),
            [],
        );
    });

    it("passes a role of the env's account, the account the OIDC provider shows", () => {
        const document = withStatement(assume({ AWS: `arn:aws:iam::${ACCOUNT}:role/break-glass` }));
        assert.deepEqual(violationsOf(trustPrincipals, role(document)), []);
    });

    it("passes * pinned with aws:PrincipalAccount to the env's account", () => {
        const document = withStatement(assume("*", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } }));
        assert.deepEqual(violationsOf(trustPrincipals, role(document)), []);
    });

    it('reports "*" and {"AWS": "*"} without a pinning condition', () => {
        for (const principal of ["*", { AWS: "*" }, { AWS: ["*"] }]) {
            const found = violationsOf(trustPrincipals, role(withStatement(assume(principal))));
            assert.match(found.join("\n"), /admits "\*", everyone, without a condition pinning the caller/);
        }
    });

    it("does not count Not, IfExists, ForAllValues or wildcard values as pinning", () => {
        for (const condition of [
            { StringNotEquals: { "aws:PrincipalAccount": FOREIGN } },
            { StringEqualsIfExists: { "aws:PrincipalAccount": ACCOUNT } },
            { "ForAllValues:StringEquals": { "aws:PrincipalAccount": ACCOUNT } },
            { StringLike: { "aws:PrincipalAccount": "3333*" } },
        ]) {
            const found = violationsOf(trustPrincipals, role(withStatement(assume({ AWS: "*" }, condition))));
            assert.equal(found.length, 1, JSON.stringify(condition));
        }
    });

    it("reports * pinned to another account than the env's", () => {
        const document = withStatement(assume("*", { StringEquals: { "AWS:PrincipalAccount": FOREIGN } }));
        assert.match(violationsOf(trustPrincipals, role(document)).join(), /pinned to account 999999999999/);
    });

    it("reports another account's root, bare id and roles", () => {
        for (const principal of [`arn:aws:iam::${FOREIGN}:root`, FOREIGN, `arn:aws:iam::${FOREIGN}:role/ci`]) {
            const found = violationsOf(trustPrincipals, role(withStatement(assume({ AWS: principal }))));
            assert.match(found.join(), /of account 999999999999, not the env's 333333333333/);
        }
    });

    it("takes the env's account from the role's inline policies when the trust names none", () => {
        const document: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [assume({ AWS: `arn:aws:iam::${FOREIGN}:root` }) as any],
        };
        const inline = { inlinePolicies: [{ name: "read", policy: JSON.stringify(appDocument()) }] };
        assert.match(violationsOf(trustPrincipals, role(document, inline)).join(), /not the env's 333333333333/);
    });

    it("takes the env's account from the config when it carries one", () => {
        const settings = settingsFrom({ env: "prod", accountId: FOREIGN });
        const document = withStatement(assume({ AWS: `arn:aws:iam::${FOREIGN}:role/ci` }), {
            Version: "2012-10-17",
            Statement: [],
        });
        assert.deepEqual(violationsOf(trustPrincipals, role(document), settings), []);
        // The config's account wins over the account the role's own documents name.
        const inline = { inlinePolicies: [{ name: "read", policy: JSON.stringify(appDocument()) }] };
        const configured = settingsFrom({ env: "prod", accountId: "333333333333" });
        const foreign: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [assume({ AWS: `arn:aws:iam::${FOREIGN}:root` }) as any],
        };
        assert.match(violationsOf(trustPrincipals, role(foreign, inline), configured).join(), /333333333333/);
    });

    it("reports an account principal when nothing establishes the env's account", () => {
        const document: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [assume({ AWS: `arn:aws:iam::${FOREIGN}:root` }) as any],
        };
        assert.match(violationsOf(trustPrincipals, role(document)).join(), /nothing shows is the env's account/);
    });

    it("reports NotPrincipal with Allow", () => {
        const document = withStatement({
            Effect: "Allow",
            NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "sts:AssumeRole",
        });
        assert.match(violationsOf(trustPrincipals, role(document)).join(), /every principal but those in NotPrincipal/);
    });
});

describe("aws-pod-identity-trust-cluster", () => {
    it("passes the Pod Identity trust WorkloadIdentity writes, pinned by aws:SourceArn", () => {
        assert.deepEqual(
            violationsOf(
                podIdentityTrustCluster,
                role(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments")),
            ),
            [],
        );
    });

    it("passes a trust pinned by the eks-cluster-name session tag", () => {
        const document = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        document.Statement[0].Condition = { StringEquals: { "aws:RequestTag/eks-cluster-name": "shop-prod" } };
        assert.deepEqual(violationsOf(podIdentityTrustCluster, role(document)), []);
    });

    it("reports a trust with no condition, and one pinned to every cluster", () => {
        const none = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        delete none.Statement[0].Condition;
        assert.match(violationsOf(podIdentityTrustCluster, role(none)).join(), /for any cluster/);
        const every = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        every.Statement[0].Condition = { ArnLike: { "aws:SourceArn": `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/*` } };
        assert.match(violationsOf(podIdentityTrustCluster, role(every)).join(), /more than one cluster/);
    });

    it("reports a cluster of another account", () => {
        const document = podIdentityTrustPolicy(
            ACCOUNT,
            `arn:aws:eks:eu-west-1:${FOREIGN}:cluster/x`,
            "payments",
            "payments",
        );
        const inline = { inlinePolicies: [{ name: "read", policy: JSON.stringify(appDocument()) }] };
        assert.match(violationsOf(podIdentityTrustCluster, role(document, inline)).join(), /account 999999999999/);
    });
});

describe("aws-pod-identity-trust-session-tags", () => {
    it("passes a trust pinning the namespace and ServiceAccount tags (keys in any case)", () => {
        const document = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        document.Statement[0].Condition!.StringEquals = {
            "aws:SourceAccount": ACCOUNT,
            "aws:RequestTag/kubernetes-namespace": "payments",
            "AWS:RequestTag/Kubernetes-Service-Account": "payments",
        };
        assert.deepEqual(violationsOf(podIdentityTrustSessionTags, role(document)), []);
    });

    it("passes the trust WorkloadIdentity writes", () => {
        const document = podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments");
        assert.deepEqual(violationsOf(podIdentityTrustSessionTags, role(document)), []);
    });

    it("reports a trust that leaves the namespace and ServiceAccount to the association", () => {
        const document = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        document.Statement[0].Condition!.StringEquals = { "aws:SourceAccount": ACCOUNT };
        const found = violationsOf(podIdentityTrustSessionTags, role(document));
        assert.match(found.join(), /kubernetes-namespace, aws:RequestTag\/kubernetes-service-account/);
    });

    it("reports a trust that pins the tags with a wildcard", () => {
        const document = copy(podIdentityTrustPolicy(ACCOUNT, CLUSTER, "payments", "payments"));
        document.Statement[0].Condition!.StringLike = { "aws:RequestTag/kubernetes-service-account": "*" };
        delete (document.Statement[0].Condition!.StringEquals as Record<string, string>)[
            "aws:RequestTag/kubernetes-service-account"
        ];
        assert.equal(violationsOf(podIdentityTrustSessionTags, role(document)).length, 1);
    });
});

describe("aws-workload-identity-binding", () => {
    const association = (roleName: string, namespace: string, serviceAccount: string) =>
        resourceOf(EKS_POD_IDENTITY_ASSOCIATION, {
            clusterName: "shop-prod",
            namespace,
            serviceAccount,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        });

    it("passes the app's own IRSA subject and Pod Identity association", () => {
        assert.deepEqual(violationsOf(workloadIdentityBinding, role(trustDocument())), []);
        assert.deepEqual(
            violationsOf(workloadIdentityBinding, association("shop-prod-payments", "payments", "payments")),
            [],
        );
    });

    it("reports an IRSA subject naming another app's ServiceAccount", () => {
        const document = copy(trustDocument());
        document.Statement[0].Condition!.StringEquals[`${ISSUER}:sub`] = "system:serviceaccount:orders:orders";
        assert.match(
            violationsOf(workloadIdentityBinding, role(document)).join(),
            /orders\/orders, which is not app payments's/,
        );
    });

    it("reports a target role of another app or account", () => {
        const chained = (targetRoleArn: string) =>
            resourceOf(EKS_POD_IDENTITY_ASSOCIATION, {
                ...association("shop-prod-payments", "payments", "payments").props,
                targetRoleArn,
            });
        assert.match(
            violationsOf(workloadIdentityBinding, chained(`arn:aws:iam::${FOREIGN}:role/shop-prod-payments`)).join(),
            /account 999999999999/,
        );
        assert.match(
            violationsOf(workloadIdentityBinding, chained(`arn:aws:iam::${ACCOUNT}:role/shop-prod-orders`)).join(),
            /app orders's role/,
        );
        assert.deepEqual(
            violationsOf(workloadIdentityBinding, chained(`arn:aws:iam::${ACCOUNT}:role/payments-data-reader`)),
            [],
        );
    });

    it("reports an association of another app's or env's role", () => {
        assert.equal(
            violationsOf(workloadIdentityBinding, association("shop-prod-payments", "orders", "orders")).length,
            1,
        );
        assert.match(
            violationsOf(workloadIdentityBinding, association("shop-dev-payments", "payments", "payments")).join(),
            /the dev role shop-dev-payments to a ServiceAccount of prod/,
        );
    });
});
