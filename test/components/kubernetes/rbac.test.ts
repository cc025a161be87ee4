/**
 * The RBAC rule builders: token requests are granted by ServiceAccount name or not at all.
 */
import * as assert from "node:assert/strict";
import { RBAC_API_GROUP, roleRefTo, tokenRequestRules } from "../../../components/kubernetes/rbac";
import { allowed, RbacObject } from "./rbac-evaluator";

describe("tokenRequestRules", () => {
    it("grants create on the named ServiceAccounts' tokens, names sorted", () => {
        assert.deepEqual(tokenRequestRules(["worker", "api"]), [
            {
                apiGroups: [""],
                resources: ["serviceaccounts/token"],
                resourceNames: ["api", "worker"],
                verbs: ["create"],
            },
        ]);
    });

    it("grants nothing without a name: never a rule that covers every ServiceAccount", () => {
        assert.deepEqual(tokenRequestRules([]), []);
    });

    it("lets a bound subject request tokens for those ServiceAccounts in that namespace only", () => {
        const objects: RbacObject[] = [
            { kind: "Role", metadata: { name: "t", namespace: "shop" }, rules: tokenRequestRules(["api"]) },
            {
                kind: "RoleBinding",
                metadata: { name: "t", namespace: "shop" },
                roleRef: roleRefTo("Role", "t"),
                subjects: [{ kind: "ServiceAccount", name: "eso", namespace: "external-secrets" }],
            },
        ];
        const user = { kind: "ServiceAccount" as const, name: "eso", namespace: "external-secrets" };
        const request = { user, verb: "create", apiGroup: "", resource: "serviceaccounts", subresource: "token" };
        assert.ok(allowed(objects, { ...request, namespace: "shop", name: "api" }));
        assert.ok(!allowed(objects, { ...request, namespace: "shop", name: "worker" }));
        assert.ok(!allowed(objects, { ...request, namespace: "orders", name: "api" }));
        assert.equal(roleRefTo("ClusterRole", "view").apiGroup, RBAC_API_GROUP);
    });
});
