/**
 * The RBAC escalation policies: the escalation vocabulary, who is bound, the most a person may be granted,
 * and aggregation. Each is judged on the effective rules of the roles involved, built-in roles included.
 */
import * as assert from "node:assert/strict";
import { componentType } from "../../../../components/baseline";
import { deployerRules } from "../../../../components/kubernetes/rbac";
import {
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    HELM_CHART_V4,
    rbacAggregation,
    rbacBoundSubjects,
    rbacEscalationVerbs,
    rbacHumanAccess,
    rbacNoClusterSecretRead,
    ROLE,
    ROLE_BINDING,
} from "../../../../policy-pack/policies/kubernetes";
import {
    BUILT_IN_CLUSTER_ROLES,
    isBuiltInClusterRoleName,
} from "../../../../policy-pack/policies/kubernetes/rbac-builtin";
import { dangerousRules, RbacIndex, Rule, ruleGrants } from "../../../../policy-pack/policies/kubernetes/rbac-rules";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import { resource, run, settingsOf, unknowns, violations } from "./check";

const STACK = "urn:pulumi:prod::platform::";
const RBAC = "rbac.authorization.k8s.io";

const role = (name: string, rules: any[], namespace = "payments") =>
    resource(ROLE, { apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name, namespace }, rules });
const clusterRole = (name: string, rules: any[], extra: Record<string, any> = {}) =>
    resource(CLUSTER_ROLE, { apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name }, rules, ...extra });
const labelled = (name: string, rules: any[], labels: Record<string, string>) =>
    resource(CLUSTER_ROLE, { metadata: { name, labels }, rules });
const roleBinding = (name: string, ref: { kind: string; name: string }, subjects: any[], namespace = "payments") =>
    resource(ROLE_BINDING, {
        metadata: { name, namespace },
        roleRef: { apiGroup: RBAC, ...ref },
        subjects,
    });
const clusterRoleBinding = (name: string, roleName: string, subjects: any[]) =>
    resource(CLUSTER_ROLE_BINDING, {
        metadata: { name },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName },
        subjects,
    });
const sa = (name: string, namespace = "payments") => ({ kind: "ServiceAccount", name, namespace });
const group = (name: string) => ({ kind: "Group", apiGroup: RBAC, name });
const user = (name: string) => ({ kind: "User", apiGroup: RBAC, name });

/** A resource rendered by the Kyverno component's chart, as the engine's URN shows it. */
function kyvernoChild(r: PolicyResource): PolicyResource {
    const chain = `${componentType("Kyverno")}$${HELM_CHART_V4}$${r.type}`;
    return { ...r, urn: `${STACK}${chain}::kyverno:${r.name}` };
}

const asRule = (r: any): Rule => ({
    index: 0,
    where: "rules[0]",
    apiGroups: r.apiGroups,
    resources: r.resources,
    verbs: r.verbs,
    resourceNames: r.resourceNames ?? [],
});
const dangerIds = (r: any, clusterWide = false) =>
    dangerousRules([asRule(r)], clusterWide).flatMap((f) => f.dangers.map((d) => d.id));

describe("RBAC rule matching, as the API server matches", () => {
    it("matches `*` to every resource and subresource, `*/x` to subresource x, and `pods/*` to nothing else", () => {
        const rule = (resources: string[]) => asRule({ apiGroups: [""], resources, verbs: ["create"] });
        assert.ok(ruleGrants(rule(["*"]), "", "pods/exec", "create"));
        assert.ok(ruleGrants(rule(["*/exec"]), "", "pods/exec", "create"));
        assert.ok(!ruleGrants(rule(["*/exec"]), "", "pods", "create"));
        assert.ok(!ruleGrants(rule(["pods/*"]), "", "pods/exec", "create"));
        assert.ok(!ruleGrants(rule(["pods"]), "", "pods/exec", "create"));
        assert.ok(!ruleGrants(rule(["pods/exec"]), "apps", "pods/exec", "create"));
    });

    it("finds each danger of the vocabulary, and none in the deployer's rules", () => {
        // In its namespace: creating workloads there is what it is for (cluster-wide, it would be a danger).
        assert.deepEqual(dangerousRules(deployerRules(["db"]).map(asRule), false), []);
        // (workloads in every namespace, and ConfigMap writes that reach kube-system's aws-auth).
        assert.equal(dangerousRules(deployerRules(["db"]).map(asRule), true).length, 3);
        const cases: [any, string][] = [
            [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["escalate"] }, "escalate"],
            [{ apiGroups: ["*"], resources: ["roles"], verbs: ["bind"] }, "bind"],
            [
                { apiGroups: ["authentication.k8s.io"], resources: ["userextras/scopes"], verbs: ["impersonate"] },
                "impersonate",
            ],
            [{ apiGroups: ["example.com"], resources: ["users"], verbs: ["impersonate"] }, "impersonate"],
            [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }, "pod-exec"],
            [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["list"] }, "nodes-proxy"],
            [{ apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"] }, "signers"],
            [
                {
                    apiGroups: ["admissionregistration.k8s.io"],
                    resources: ["mutatingadmissionpolicies"],
                    verbs: ["create"],
                },
                "admission",
            ],
            [{ apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"] }, "persistentvolumes"],
            [{ apiGroups: ["policies.kyverno.io"], resources: ["validatingpolicies"], verbs: ["delete"] }, "kyverno"],
            [{ apiGroups: ["kyverno.io"], resources: ["policyexceptions"], verbs: ["create"] }, "kyverno"],
            [{ apiGroups: ["cert-manager.io"], resources: ["issuers"], verbs: ["patch"] }, "cert-manager"],
            [
                { apiGroups: ["external-secrets.io"], resources: ["clustersecretstores"], verbs: ["create"] },
                "external-secrets",
            ],
            [{ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] }, "pod-exec"],
            [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }, "secrets-create"],
            [
                { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["delete"] },
                "api-extensions",
            ],
            [
                { apiGroups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: ["update"] },
                "api-extensions",
            ],
            [{ apiGroups: ["cert-manager.io"], resources: ["signers"], verbs: ["approve"] }, "cert-manager"],
        ];
        for (const [rule, id] of cases) assert.ok(dangerIds(rule).includes(id), `${id}: ${JSON.stringify(rule)}`);
        const everything = dangerIds({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, true);
        for (const id of [
            "escalate",
            "bind",
            "impersonate",
            "pod-exec",
            "nodes-proxy",
            "admission",
            "pods-everywhere",
        ]) {
            assert.ok(everything.includes(id), id);
        }
    });

    it("counts pod creation only cluster-wide, and reads as no danger", () => {
        const pods = { apiGroups: [""], resources: ["pods"], verbs: ["create"] };
        assert.deepEqual(dangerIds(pods), []);
        assert.deepEqual(dangerIds(pods, true), ["pods-everywhere"]);
        assert.deepEqual(dangerIds({ apiGroups: [""], resources: ["pods/exec", "nodes/proxy"], verbs: [] }), []);
        assert.deepEqual(
            dangerIds({ apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: ["create"] }),
            [],
        );
    });

    it("aggregates the built-in roles: admin holds edit and view, view holds no Secret and no exec", () => {
        const index = new RbacIndex([]);
        const rules = (name: string) => index.effective(index.role("ClusterRole", name)!).rules;
        const grants = (name: string, res: string, verb: string) =>
            rules(name).some((r) => ruleGrants(r, "", res, verb));
        assert.ok(grants("admin", "pods/exec", "create"));
        assert.ok(grants("admin", "configmaps", "get"));
        assert.ok(grants("edit", "secrets", "list"));
        assert.ok(!grants("view", "secrets", "get"));
        assert.ok(!grants("view", "pods/exec", "create"));
        assert.ok(rules("admin").some((r) => ruleGrants(r, RBAC, "rolebindings", "create")));
        assert.ok(!rules("edit").some((r) => ruleGrants(r, RBAC, "rolebindings", "create")));
        assert.ok(isBuiltInClusterRoleName("system:controller:anything"));
        assert.equal(new Set(BUILT_IN_CLUSTER_ROLES.map((r) => r.name)).size, BUILT_IN_CLUSTER_ROLES.length);
    });

    it("widens a built-in role with what the input aggregates into it", () => {
        const extra = labelled("extra", [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"] }], {
            [`${RBAC}/aggregate-to-view`]: "true",
        });
        const index = new RbacIndex([extra]);
        const admin = index.effective(index.role("ClusterRole", "admin")!).rules;
        assert.ok(admin.some((r) => r.where === "ClusterRole extra rules[0]"));
    });
});

describe("policy rbac-escalation-verbs", () => {
    const BIND = { apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] };

    it("passes the deployer Role, its binding, and RoleBindings of the built-in access roles", () => {
        assert.deepEqual(
            run(rbacEscalationVerbs, [
                role("ci-deployer", deployerRules(["db"])),
                roleBinding("ci-deployer", { kind: "Role", name: "ci-deployer" }, [sa("ci-deployer")]),
                roleBinding("devs", { kind: "ClusterRole", name: "admin" }, [group("payments-devs")]),
            ]),
            [],
        );
    });

    it("reports a role bound to nothing, saying it will be bound, and its binding once bound", () => {
        assert.deepEqual(violations(run(rbacEscalationVerbs, clusterRole("binder", [BIND]))), [
            "ClusterRole binder: rules[0] grants bind on roles/clusterroles (its holder can bind a role it does not " +
                "hold (resourceNames only choose which), cluster-admin included); it is bound to nothing in the " +
                "input, and will be bound by someone: whoever it is gets this",
        ]);
        const reported = violations(
            run(rbacEscalationVerbs, [
                clusterRole("binder", [BIND]),
                roleBinding("binder", { kind: "ClusterRole", name: "binder" }, [sa("api")]),
            ]),
        );
        assert.equal(reported.length, 2);
        assert.match(reported[0], /bound by RoleBinding payments\/binder$/);
        assert.equal(
            reported[1],
            "RoleBinding payments/binder gives ClusterRole binder to ServiceAccount payments/api, which grants bind on roles/clusterroles",
        );
    });

    it("reports pod creation in a ClusterRole unless only RoleBindings bind it", () => {
        const pods = [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }];
        assert.equal(violations(run(rbacEscalationVerbs, clusterRole("runner", pods))).length, 1);
        assert.deepEqual(
            run(rbacEscalationVerbs, [
                clusterRole("runner", pods),
                roleBinding("runner", { kind: "ClusterRole", name: "runner" }, [sa("api")]),
            ]),
            [],
        );
        assert.equal(
            violations(
                run(rbacEscalationVerbs, [
                    clusterRole("runner", pods),
                    clusterRoleBinding("runner", "runner", [sa("api")]),
                ]),
            ).length,
            2,
        );
        assert.deepEqual(run(rbacEscalationVerbs, role("runner", pods)), []);
        // In kube-system a Role reaches as far as a ClusterRole: its pods run as the controllers' accounts.
        assert.equal(violations(run(rbacEscalationVerbs, role("runner", pods, "kube-system"))).length, 1);
        const configMaps = [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }];
        assert.deepEqual(run(rbacEscalationVerbs, role("cm", configMaps)), []);
        assert.match(violations(run(rbacEscalationVerbs, role("cm", configMaps, "kube-system")))[0], /aws-auth/);
    });

    it("judges edit and admin bound to a ServiceAccount, even with a RoleBinding", () => {
        for (const name of ["edit", "admin"]) {
            const reported = violations(
                run(rbacEscalationVerbs, roleBinding("b", { kind: "ClusterRole", name }, [sa("api")])),
            );
            assert.equal(reported.length, 1, name);
            assert.match(reported[0], /pods\/exec/);
        }
        assert.deepEqual(
            run(rbacEscalationVerbs, roleBinding("b", { kind: "ClusterRole", name: "view" }, [sa("api")])),
            [],
        );
    });

    it("judges a ClusterRoleBinding of a built-in role by the table: edit and cluster-admin fail, view passes", () => {
        for (const name of ["edit", "admin", "cluster-admin", "system:node", "system:kubelet-api-admin"]) {
            assert.equal(
                violations(run(rbacEscalationVerbs, clusterRoleBinding("b", name, [sa("api")]))).length,
                1,
                name,
            );
        }
        assert.deepEqual(run(rbacEscalationVerbs, clusterRoleBinding("b", "view", [sa("api")])), []);
    });

    it("exempts the platform's charts, and nothing by namespace", () => {
        const exec = [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }];
        assert.deepEqual(run(rbacEscalationVerbs, kyvernoChild(clusterRole("kyverno-admin", exec))), []);
        assert.equal(violations(run(rbacEscalationVerbs, role("x", exec, "kyverno"))).length, 1);
    });

    it("reports unknown rules and roles the input does not define as unknown", () => {
        const reported = run(rbacEscalationVerbs, [
            role("maybe", [{ apiGroups: [""], resources: UNKNOWN, verbs: ["get"] }]),
            roleBinding("other", { kind: "Role", name: "elsewhere" }, [sa("api")]),
        ]);
        assert.deepEqual(violations(reported), []);
        assert.deepEqual(unknowns(reported), [
            "Role payments/maybe: rules[0]",
            "RoleBinding payments/other: rules of Role elsewhere, which the input does not define",
        ]);
    });
});

describe("policy rbac-bound-subjects", () => {
    it("passes bindings to named ServiceAccounts and groups of people", () => {
        assert.deepEqual(
            run(rbacBoundSubjects, [
                roleBinding("a", { kind: "ClusterRole", name: "view" }, [group("auditors"), sa("api"), user("a@x")]),
            ]),
            [],
        );
    });

    it("reports everyone, every ServiceAccount, and the cluster's own identities", () => {
        for (const subject of [
            group("system:authenticated"),
            group("system:unauthenticated"),
            user("system:anonymous"),
            group("system:serviceaccounts"),
            group("system:serviceaccounts:payments"),
            group("system:masters"),
            group("system:nodes"),
            user("system:kube-controller-manager"),
        ]) {
            const reported = violations(
                run(rbacBoundSubjects, roleBinding("b", { kind: "ClusterRole", name: "view" }, [subject])),
            );
            assert.equal(reported.length, 1, subject.name);
            assert.match(reported[0], new RegExp(subject.name));
        }
    });

    it("reports a built-in system: ClusterRole given to anyone but the cluster's own", () => {
        assert.deepEqual(
            violations(run(rbacBoundSubjects, clusterRoleBinding("b", "system:auth-delegator", [sa("api")]))),
            [
                "ClusterRoleBinding b gives the built-in ClusterRole system:auth-delegator to ServiceAccount payments/api: " +
                    "the system: roles are the cluster's own",
            ],
        );
        // A system: ClusterRole the input defines is judged by its rules, not by its name.
        assert.deepEqual(
            run(rbacBoundSubjects, [
                clusterRole("system:mine", []),
                clusterRoleBinding("b", "system:mine", [sa("api")]),
            ]),
            [],
        );
    });

    it("exempts the platform's charts, and reports unknown subjects", () => {
        const binding = clusterRoleBinding("b", "system:auth-delegator", [sa("kyverno", "kyverno")]);
        assert.deepEqual(run(rbacBoundSubjects, kyvernoChild(binding)), []);
        const unknown = clusterRoleBinding("u", "view", UNKNOWN as any);
        assert.deepEqual(unknowns(run(rbacBoundSubjects, unknown)), ["ClusterRoleBinding u: subjects"]);
    });
});

describe("policy rbac-human-access", () => {
    const viewOnly = [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }];

    it("passes what the profile allows: view in prod, edit in stage, admin in dev", () => {
        for (const [env, name] of [
            ["prod", "view"],
            ["stage", "edit"],
            ["dev", "admin"],
        ] as const) {
            const binding = roleBinding("b", { kind: "ClusterRole", name }, [group("devs")]);
            assert.deepEqual(run(rbacHumanAccess, binding, settingsOf(env)), [], env);
        }
        assert.deepEqual(
            run(rbacHumanAccess, [
                role("reader", viewOnly),
                roleBinding("b", { kind: "Role", name: "reader" }, [user("a@x")]),
            ]),
            [],
        );
    });

    it("reports more than the profile allows, by rank or by rules", () => {
        assert.deepEqual(
            violations(run(rbacHumanAccess, roleBinding("b", { kind: "ClusterRole", name: "edit" }, [group("devs")]))),
            ["RoleBinding payments/b gives edit to Group devs; the most prod grants people is view"],
        );
        assert.equal(
            violations(
                run(
                    rbacHumanAccess,
                    roleBinding("b", { kind: "ClusterRole", name: "admin" }, [group("devs")]),
                    settingsOf("stage"),
                ),
            ).length,
            1,
        );
        const secrets = [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["db"], verbs: ["get"] }];
        assert.deepEqual(
            violations(
                run(rbacHumanAccess, [
                    role("s", secrets),
                    roleBinding("b", { kind: "Role", name: "s" }, [user("a@x")]),
                ]),
            ),
            [
                "RoleBinding payments/b gives Role payments/s to User a@x, which grants more than view: rules[0] " +
                    "(get core/secrets); the most prod grants people is view",
            ],
        );
        assert.equal(
            violations(
                run(rbacHumanAccess, clusterRoleBinding("b", "cluster-admin", [group("devs")]), settingsOf("dev")),
            ).length,
            1,
        );
    });

    it("judges people's bindings to a role the input does not define as beyond the profile", () => {
        assert.equal(
            violations(run(rbacHumanAccess, roleBinding("b", { kind: "Role", name: "elsewhere" }, [group("devs")])))
                .length,
            1,
        );
        // ServiceAccounts are not people: the other policies judge them.
        assert.deepEqual(
            run(rbacHumanAccess, roleBinding("b", { kind: "ClusterRole", name: "edit" }, [sa("api")])),
            [],
        );
    });

    it("judges an unknown env as prod, and exempts the platform's charts", () => {
        const binding = roleBinding("b", { kind: "ClusterRole", name: "edit" }, [group("devs")]);
        assert.equal(violations(run(rbacHumanAccess, binding, settingsOf())).length, 1);
        const inKyverno = roleBinding("b", { kind: "ClusterRole", name: "edit" }, [group("devs")], "kyverno");
        assert.deepEqual(run(rbacHumanAccess, kyvernoChild(inKyverno)), []);
        // The add-on's chart child outside the add-on's namespace is not the platform's.
        assert.equal(violations(run(rbacHumanAccess, kyvernoChild(binding))).length, 1);
    });
});

describe("policy rbac-aggregation", () => {
    const VIEW = { [`${RBAC}/aggregate-to-view`]: "true" };
    const EDIT = { [`${RBAC}/aggregate-to-edit`]: "true" };

    it("passes reads of a CRD aggregated into view, and writes of one into edit", () => {
        const reads = [{ apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: ["get", "list"] }];
        const writes = [{ apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: ["create"] }];
        assert.deepEqual(run(rbacAggregation, [labelled("v", reads, VIEW), labelled("e", writes, EDIT)]), []);
    });

    it("reports an escalating grant aggregated into edit, and writes or Secrets into view", () => {
        const bind = [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"] }];
        assert.equal(violations(run(rbacAggregation, labelled("e", bind, EDIT))).length, 1);
        assert.match(violations(run(rbacAggregation, labelled("e", bind, EDIT)))[0], /aggregated into edit: /);
        const write = [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }];
        assert.deepEqual(violations(run(rbacAggregation, labelled("v", write, VIEW))), [
            "ClusterRole v is aggregated into view: rules[0] write or read Secrets, and view is read-only and " +
                "Secret-free for every viewer",
        ]);
        const secrets = [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }];
        assert.equal(violations(run(rbacAggregation, labelled("v", secrets, VIEW))).length, 1);
    });

    it("reports an aggregationRule that gathers an escalating role, whatever label it uses", () => {
        const aggregator = clusterRole("team", [], {
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: "payments" } }] },
        });
        const exec = labelled("team-exec", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }], {
            team: "payments",
        });
        const reported = violations(run(rbacAggregation, [aggregator, exec]));
        assert.equal(reported.length, 2);
        assert.match(
            reported[0],
            /^ClusterRole team aggregates ClusterRole team-exec rules\[0\] grants create\/get on pods\/exec/,
        );
        assert.match(reported[1], /^ClusterRole team-exec is aggregated into team: /);
    });

    it("counts an aggregating role's own rules until the controller replaces them", () => {
        const aggregator = clusterRole("team", [{ apiGroups: [RBAC], resources: ["roles"], verbs: ["escalate"] }], {
            aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: "none" } }] },
        });
        assert.equal(violations(run(rbacAggregation, aggregator)).length, 1);
        assert.equal(violations(run(rbacEscalationVerbs, aggregator)).length, 1);
    });

    it("reports unknown labels and selectors", () => {
        const r = resource(CLUSTER_ROLE, { metadata: { name: "u", labels: UNKNOWN }, rules: [] });
        assert.deepEqual(unknowns(run(rbacAggregation, r)), ["ClusterRole u: metadata.labels"]);
    });
});

describe("policy rbac-no-cluster-secret-read, through the built-in table", () => {
    it("reports a ClusterRoleBinding of a built-in system: role that reads Secrets", () => {
        assert.equal(
            violations(run(rbacNoClusterSecretRead, clusterRoleBinding("b", "system:node", [sa("agent")]))).length,
            1,
        );
        assert.deepEqual(run(rbacNoClusterSecretRead, clusterRoleBinding("b", "system:auth-delegator", [sa("a")])), []);
    });
});
