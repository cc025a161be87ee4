/**
 * The pack's table of built-in ClusterRoles (policy-pack/policies/kubernetes/rbac-builtin.ts) and the test
 * evaluator's model of the same roles agree: for every request of a grid over the resources and verbs that
 * matter, a ServiceAccount bound to view, edit, admin or cluster-admin is allowed by the evaluator exactly
 * when the pack's effective rules of that role grant it. Two transcriptions of upstream's bootstrap policy,
 * checked against each other, so a slip in either shows.
 */
import * as assert from "node:assert/strict";
import { RbacIndex, ruleGrants } from "../../../policy-pack/policies/kubernetes/rbac-rules";
import { rbacEvaluator } from "./rbac-evaluator";

const GROUPS: Record<string, string[]> = {
    "": [
        "pods",
        "pods/exec",
        "pods/attach",
        "pods/log",
        "pods/portforward",
        "pods/eviction",
        "secrets",
        "configmaps",
        "serviceaccounts",
        "serviceaccounts/token",
        "services",
        "namespaces",
        "nodes",
        "nodes/proxy",
        "persistentvolumes",
        "persistentvolumeclaims",
        "events",
        "resourcequotas",
    ],
    apps: ["deployments", "deployments/scale", "daemonsets", "statefulsets", "replicasets", "controllerrevisions"],
    batch: ["jobs", "cronjobs"],
    "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
    "networking.k8s.io": ["networkpolicies", "ingresses"],
    "admissionregistration.k8s.io": ["mutatingwebhookconfigurations", "validatingadmissionpolicies"],
    "certificates.k8s.io": ["certificatesigningrequests/approval", "signers"],
    "coordination.k8s.io": ["leases"],
    "kyverno.io": ["clusterpolicies"],
};
const VERBS = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "impersonate",
    "bind",
    "escalate",
    "approve",
];

describe("the pack's built-in ClusterRoles agree with the RBAC evaluator", () => {
    const index = new RbacIndex([]);
    for (const role of ["view", "edit", "admin", "cluster-admin"]) {
        it(`${role}, bound in a namespace`, () => {
            const rules = index.effective(index.role("ClusterRole", role)!).rules;
            const evaluator = rbacEvaluator([
                {
                    kind: "RoleBinding",
                    metadata: { name: "b", namespace: "payments" },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
                    subjects: [{ kind: "ServiceAccount", name: "api", namespace: "payments" }],
                },
            ]);
            const disagreements: string[] = [];
            for (const [group, resources] of Object.entries(GROUPS)) {
                for (const combined of resources) {
                    const [resource, subresource] = combined.split("/");
                    for (const verb of VERBS) {
                        const byEvaluator = evaluator.allowed({
                            user: { kind: "ServiceAccount", name: "api", namespace: "payments" },
                            verb,
                            apiGroup: group,
                            resource,
                            subresource,
                            namespace: "payments",
                            name: "x",
                        });
                        const byPack = rules.some((rule) => ruleGrants(rule, group, combined, verb));
                        if (byEvaluator !== byPack) {
                            disagreements.push(`${verb} ${group || "core"}/${combined}: evaluator ${byEvaluator}`);
                        }
                    }
                }
            }
            assert.deepEqual(disagreements, []);
        });
    }
});
