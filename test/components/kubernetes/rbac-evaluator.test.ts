import * as assert from "node:assert/strict";
import {
    ClusterRoleBindingObject,
    ClusterRoleObject,
    RbacEvaluator,
    RbacObject,
    Request,
    Requester,
    RoleBindingObject,
    RoleObject,
    Rule,
    allowed,
    ruleAllows,
} from "./rbac-evaluator";

const RBAC = "rbac.authorization.k8s.io";

function role(namespace: string, name: string, rules: Rule[]): RoleObject {
    return { kind: "Role", metadata: { name, namespace }, rules };
}

function clusterRole(name: string, rules: Rule[], labels?: Record<string, string>): ClusterRoleObject {
    return { kind: "ClusterRole", metadata: { name, labels }, rules };
}

type SubjectSpec = RoleBindingObject["subjects"];

function roleBinding(
    namespace: string,
    name: string,
    ref: { kind: "Role" | "ClusterRole"; name: string },
    subjects: SubjectSpec,
): RoleBindingObject {
    return { kind: "RoleBinding", metadata: { name, namespace }, roleRef: { apiGroup: RBAC, ...ref }, subjects };
}

function clusterRoleBinding(name: string, roleName: string, subjects: SubjectSpec): ClusterRoleBindingObject {
    return {
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName },
        subjects,
    };
}

const sa = (namespace: string, name: string): Requester => ({ kind: "ServiceAccount", namespace, name });
const saSubject = (namespace: string | undefined, name: string) => ({ kind: "ServiceAccount", name, namespace });
const group = (name: string) => ({ kind: "Group", apiGroup: RBAC, name });
const user = (name: string) => ({ kind: "User", apiGroup: RBAC, name });

const APP = sa("team-a", "app");

function secret(verb: string, namespace: string | undefined, name?: string, who: Requester = APP): Request {
    return { user: who, verb, apiGroup: "", resource: "secrets", namespace, name };
}

describe("RBAC evaluator", () => {
    describe("rule matching", () => {
        const base = { verb: "get", apiGroup: "", resource: "secrets", name: "db" };

        it("matches apiGroup, resource and verb exactly", () => {
            const rule: Rule = { apiGroups: [""], resources: ["secrets"], verbs: ["get"] };
            assert.ok(ruleAllows(rule, base));
            assert.ok(!ruleAllows(rule, { ...base, verb: "list" }));
            assert.ok(!ruleAllows(rule, { ...base, resource: "configmaps" }));
            assert.ok(!ruleAllows(rule, { ...base, apiGroup: "apps" }));
            assert.ok(!ruleAllows({ ...rule, apiGroups: ["apps"] }, base), "the core group is the empty string only");
        });

        it("treats * as any verb, any resource and any group", () => {
            assert.ok(
                ruleAllows(
                    { apiGroups: [""], resources: ["secrets"], verbs: ["*"] },
                    { ...base, verb: "deletecollection" },
                ),
            );
            assert.ok(ruleAllows({ apiGroups: [""], resources: ["*"], verbs: ["get"] }, base));
            assert.ok(ruleAllows({ apiGroups: ["*"], resources: ["secrets"], verbs: ["get"] }, base));
            assert.ok(
                ruleAllows(
                    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
                    { ...base, apiGroup: "apps", resource: "deployments" },
                ),
            );
        });

        it("matches subresources only as resource/subresource, * or */subresource", () => {
            const log = { verb: "get", apiGroup: "", resource: "pods", subresource: "log", name: "p" };
            assert.ok(ruleAllows({ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }, log));
            assert.ok(
                !ruleAllows({ apiGroups: [""], resources: ["pods"], verbs: ["get"] }, log),
                "pods is not pods/log",
            );
            assert.ok(
                !ruleAllows(
                    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
                    { ...log, subresource: undefined },
                ),
            );
            assert.ok(ruleAllows({ apiGroups: [""], resources: ["*"], verbs: ["get"] }, log));
            assert.ok(ruleAllows({ apiGroups: [""], resources: ["*/log"], verbs: ["get"] }, log));
            assert.ok(
                !ruleAllows({ apiGroups: [""], resources: ["*/log"], verbs: ["get"] }, { ...log, subresource: "exec" }),
            );
            assert.ok(
                !ruleAllows(
                    { apiGroups: [""], resources: ["*/log"], verbs: ["get"] },
                    { ...log, subresource: undefined },
                ),
            );
        });

        it("restricts by resourceNames, so list, watch, create and a get without a name never match", () => {
            const rule: Rule = { apiGroups: [""], resources: ["secrets"], resourceNames: ["db"], verbs: ["*"] };
            assert.ok(ruleAllows(rule, base));
            assert.ok(!ruleAllows(rule, { ...base, name: "other" }));
            assert.ok(!ruleAllows(rule, { ...base, name: "db-2" }), "names match exactly, not by prefix");
            for (const verb of ["list", "watch", "get", "create", "deletecollection"]) {
                assert.ok(!ruleAllows(rule, { ...base, verb, name: undefined }), `${verb} of the collection`);
            }
        });

        it("does not match a resource request with a nonResourceURLs rule", () => {
            assert.ok(!ruleAllows({ nonResourceURLs: ["*"], verbs: ["*"] }, base));
        });
    });

    describe("bindings", () => {
        const readSecrets = role("team-a", "reader", [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
        ]);
        const readSecretsCluster = clusterRole("secret-reader", [
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
        ]);

        it("grants nothing without a binding", () => {
            assert.ok(!allowed([readSecrets, readSecretsCluster], secret("get", "team-a", "db")));
        });

        it("lets a RoleBinding grant a Role of its namespace in that namespace only", () => {
            const objects = [
                readSecrets,
                roleBinding("team-a", "rb", { kind: "Role", name: "reader" }, [saSubject("team-a", "app")]),
            ];
            assert.ok(allowed(objects, secret("get", "team-a", "db")));
            assert.ok(allowed(objects, secret("list", "team-a")));
            assert.ok(
                !allowed(objects, secret("get", "team-b", "db")),
                "a RoleBinding in team-a does not grant in team-b",
            );
            assert.ok(!allowed(objects, secret("list", undefined)), "nor cluster-wide");
        });

        it("lets a RoleBinding grant a ClusterRole's rules in its own namespace only", () => {
            const objects = [
                readSecretsCluster,
                roleBinding("team-a", "rb", { kind: "ClusterRole", name: "secret-reader" }, [
                    saSubject("team-a", "app"),
                ]),
            ];
            assert.ok(allowed(objects, secret("get", "team-a", "db")));
            assert.ok(!allowed(objects, secret("get", "team-b", "db")));
            assert.ok(!allowed(objects, secret("list", undefined)));
        });

        it("resolves a RoleBinding's Role in the binding's namespace, never in another", () => {
            const objects = [
                readSecrets,
                roleBinding("team-b", "rb", { kind: "Role", name: "reader" }, [saSubject("team-a", "app")]),
            ];
            const evaluator = new RbacEvaluator(objects);
            assert.ok(!evaluator.allowed(secret("get", "team-a", "db")), "team-a's Role is not bound in team-a");
            const grants = evaluator.grants(secret("get", "team-b", "db"));
            assert.deepEqual(
                grants.map((g) => g.role),
                ["Role/team-b/reader (undefined)"],
                "team-b/reader does not exist: the binding is treated as granting everything in team-b",
            );
        });

        it("lets a ClusterRoleBinding grant in every namespace and cluster-wide", () => {
            const objects = [
                readSecretsCluster,
                clusterRoleBinding("crb", "secret-reader", [saSubject("team-a", "app")]),
            ];
            for (const ns of ["team-a", "team-b", "kube-system"])
                assert.ok(allowed(objects, secret("get", ns, "db")), ns);
            assert.ok(allowed(objects, secret("list", undefined)), "list secrets across all namespaces");
            assert.ok(!allowed(objects, secret("delete", "team-a", "db")));
        });

        it("adds up every binding: RBAC has no deny", () => {
            const objects = [
                role("team-a", "get", [
                    { apiGroups: [""], resources: ["secrets"], resourceNames: ["db"], verbs: ["get"] },
                ]),
                role("team-a", "watch", [{ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }]),
                roleBinding("team-a", "get", { kind: "Role", name: "get" }, [saSubject("team-a", "app")]),
                roleBinding("team-a", "watch", { kind: "Role", name: "watch" }, [saSubject("team-a", "app")]),
            ];
            assert.ok(allowed(objects, secret("get", "team-a", "db")));
            assert.ok(allowed(objects, secret("watch", "team-a")));
            assert.ok(!allowed(objects, secret("get", "team-a", "other")));
            assert.ok(!allowed(objects, secret("list", "team-a")));
        });

        it("reports the binding, role and rule that grant a request", () => {
            const objects = [
                readSecrets,
                roleBinding("team-a", "rb", { kind: "Role", name: "reader" }, [saSubject("team-a", "app")]),
            ];
            assert.deepEqual(new RbacEvaluator(objects).grants(secret("get", "team-a", "db")), [
                { binding: "RoleBinding/team-a/rb", role: "Role/team-a/reader", rule: readSecrets.rules![0] },
            ]);
        });
    });

    describe("subjects", () => {
        const reader = clusterRole("secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
        const inTeamA = (subjects: SubjectSpec) => [
            reader,
            roleBinding("team-a", "rb", { kind: "ClusterRole", name: "secret-reader" }, subjects),
        ];
        const get = (who: Requester) => secret("get", "team-a", "db", who);

        it("matches a ServiceAccount by namespace and name", () => {
            const objects = inTeamA([saSubject("team-a", "app")]);
            assert.ok(allowed(objects, get(sa("team-a", "app"))));
            assert.ok(!allowed(objects, get(sa("team-a", "app-2"))));
            assert.ok(!allowed(objects, get(sa("team-b", "app"))), "same name, other namespace");
        });

        it("defaults a ServiceAccount subject's namespace to the RoleBinding's, and to nothing in a ClusterRoleBinding", () => {
            assert.ok(allowed(inTeamA([saSubject(undefined, "app")]), get(sa("team-a", "app"))));
            assert.ok(!allowed(inTeamA([saSubject(undefined, "app")]), get(sa("team-b", "app"))));
            const cluster = [reader, clusterRoleBinding("crb", "secret-reader", [saSubject(undefined, "app")])];
            assert.ok(!allowed(cluster, get(sa("team-a", "app"))));
        });

        it("puts every ServiceAccount in system:serviceaccounts and system:serviceaccounts:<ns>", () => {
            const all = inTeamA([group("system:serviceaccounts")]);
            assert.ok(allowed(all, get(sa("team-a", "app"))));
            assert.ok(allowed(all, get(sa("team-b", "other"))), "a ServiceAccount of another namespace, in team-a");
            assert.ok(!allowed(all, get({ kind: "User", name: "alice", groups: ["devs"] })));
            const teamB = inTeamA([group("system:serviceaccounts:team-b")]);
            assert.ok(allowed(teamB, get(sa("team-b", "other"))));
            assert.ok(!allowed(teamB, get(sa("team-a", "app"))));
            assert.ok(allowed(inTeamA([group("system:authenticated")]), get(sa("team-c", "x"))));
        });

        it("matches a User subject named system:serviceaccount:<ns>:<name> to that ServiceAccount", () => {
            const objects = inTeamA([user("system:serviceaccount:team-a:app")]);
            assert.ok(allowed(objects, get(sa("team-a", "app"))));
            assert.ok(!allowed(objects, get(sa("team-a", "other"))));
        });

        it("matches User and Group subjects to people", () => {
            const objects = inTeamA([user("alice"), group("payments-devs")]);
            assert.ok(allowed(objects, get({ kind: "User", name: "alice" })));
            assert.ok(allowed(objects, get({ kind: "User", name: "bob", groups: ["payments-devs"] })));
            assert.ok(!allowed(objects, get({ kind: "User", name: "bob", groups: ["orders-devs"] })));
            assert.ok(!allowed(objects, get(sa("team-a", "alice"))), "a ServiceAccount is not the user of its name");
            assert.ok(
                !allowed(inTeamA([{ kind: "Robot", name: "app", namespace: "team-a" }]), get(sa("team-a", "app"))),
            );
        });

        it("allows system:masters everything, ahead of RBAC", () => {
            assert.ok(
                allowed(
                    [],
                    secret("delete", "kube-system", "x", { kind: "User", name: "root", groups: ["system:masters"] }),
                ),
            );
        });
    });

    describe("ClusterRoles it has no definition for", () => {
        const people: Requester = { kind: "User", name: "bob", groups: ["devs"] };
        const bound = (name: string, extra: RbacObject[] = []) => [
            ...extra,
            roleBinding("team-a", "rb", { kind: "ClusterRole", name }, [group("devs")]),
        ];
        const req = (
            verb: string,
            resource: string,
            namespace: string | undefined,
            name?: string,
            apiGroup = "",
        ): Request => ({
            user: people,
            verb,
            apiGroup,
            resource,
            namespace,
            name,
        });

        it("view grants no secrets but reads workloads", () => {
            const objects = bound("view");
            for (const verb of ["get", "update", "patch", "delete"]) {
                assert.ok(!allowed(objects, req(verb, "secrets", "team-a", "db")), verb);
            }
            for (const verb of ["list", "watch", "create"]) {
                assert.ok(!allowed(objects, req(verb, "secrets", "team-a")), verb);
            }
            assert.ok(allowed(objects, req("list", "pods", "team-a")));
            assert.ok(allowed(objects, req("get", "deployments", "team-a", "web", "apps")));
            assert.ok(!allowed(objects, req("patch", "deployments", "team-a", "web", "apps")));
            assert.ok(!allowed(objects, req("list", "pods", "team-b")));
        });

        for (const name of ["edit", "admin"]) {
            it(`${name} grants secrets read and write in the binding's namespace only`, () => {
                const objects = bound(name);
                for (const verb of ["get", "update", "patch", "delete"]) {
                    assert.ok(allowed(objects, req(verb, "secrets", "team-a", "db")), verb);
                    assert.ok(!allowed(objects, req(verb, "secrets", "team-b", "db")), `${verb} in team-b`);
                }
                for (const verb of ["list", "watch", "create"]) {
                    assert.ok(allowed(objects, req(verb, "secrets", "team-a")), verb);
                    assert.ok(!allowed(objects, req(verb, "secrets", "team-b")), `${verb} in team-b`);
                }
                assert.ok(allowed(objects, req("get", "pods", "team-a", "p")), "edit includes view");
                assert.equal(
                    allowed(objects, req("create", "rolebindings", "team-a", undefined, RBAC)),
                    name === "admin",
                );
            });
        }

        it("cluster-admin grants everything", () => {
            const objects = [clusterRoleBinding("crb", "cluster-admin", [group("devs")])];
            assert.ok(allowed(objects, req("deletecollection", "secrets", undefined)));
            assert.ok(allowed(objects, req("escalate", "clusterroles", undefined, "x", RBAC)));
        });

        it("treats any other unknown ClusterRole as granting everything", () => {
            const evaluator = new RbacEvaluator(bound("vendor-operator"));
            assert.ok(evaluator.allowed(req("list", "secrets", "team-a")));
            assert.ok(!evaluator.allowed(req("list", "secrets", "team-b")), "still only in the binding's namespace");
            assert.equal(
                evaluator.grants(req("list", "secrets", "team-a"))[0].role,
                "ClusterRole/vendor-operator (undefined)",
            );
        });

        it("uses a given definition over the built-in one", () => {
            const objects = bound("view", [
                clusterRole("view", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]),
            ]);
            assert.ok(allowed(objects, req("get", "secrets", "team-a", "db")));
            assert.ok(!allowed(objects, req("list", "pods", "team-a")));
        });

        it("aggregates ClusterRoles labelled for view into view, edit and admin", () => {
            const leak = clusterRole("secret-peek", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }], {
                "rbac.authorization.k8s.io/aggregate-to-view": "true",
            });
            assert.ok(!allowed(bound("view"), req("get", "secrets", "team-a", "db")));
            for (const name of ["view", "edit", "admin"]) {
                assert.ok(allowed(bound(name, [leak]), req("get", "secrets", "team-a", "db")), name);
            }
            const unlabelled = clusterRole("secret-peek", leak.rules!);
            assert.ok(!allowed(bound("view", [unlabelled]), req("get", "secrets", "team-a", "db")));
        });

        it("aggregates custom ClusterRoles by label selector, excluding the aggregating role itself", () => {
            const aggregated: ClusterRoleObject = {
                kind: "ClusterRole",
                metadata: { name: "monitoring", labels: { "example.com/monitoring": "yes" } },
                aggregationRule: {
                    clusterRoleSelectors: [
                        { matchExpressions: [{ key: "example.com/monitoring", operator: "In", values: ["yes"] }] },
                    ],
                },
                rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
            };
            const part = clusterRole("monitoring-pods", [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }], {
                "example.com/monitoring": "yes",
            });
            const objects = bound("monitoring", [aggregated, part]);
            assert.ok(allowed(objects, req("list", "pods", "team-a")));
            assert.ok(
                !allowed(objects, req("get", "secrets", "team-a", "db")),
                "an aggregated role's own rules are replaced",
            );
        });
    });

    describe("rejects objects the API server would not accept", () => {
        it("a ClusterRoleBinding to a Role", () => {
            const bad = { ...clusterRoleBinding("crb", "x", []), roleRef: { apiGroup: RBAC, kind: "Role", name: "x" } };
            assert.throws(() => new RbacEvaluator([bad]), /roleRef\.kind "Role" is not one of ClusterRole/);
        });

        it("a namespaced object without a namespace", () => {
            assert.throws(
                () => new RbacEvaluator([{ kind: "Role", metadata: { name: "r" }, rules: [] }]),
                /Role r has no namespace/,
            );
        });

        it("the same object twice", () => {
            const r = role("team-a", "r", []);
            assert.throws(() => new RbacEvaluator([r, r]), /Role\/team-a\/r is defined twice/);
        });
    });
});
