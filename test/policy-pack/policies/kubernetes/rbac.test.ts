/**
 * RBAC policies. Fixtures are what SecureNamespace registers (the deployer Role and its binding, view/edit/admin
 * RoleBindings for groups) and what operator charts render (ClusterRoles bound to their ServiceAccounts).
 */
import * as assert from "node:assert/strict";
import { resolveAppExternalSecretsArgs, tokenRequestRbac } from "../../../../components/addons/external-secrets";
import { deployerRules } from "../../../../components/kubernetes/rbac";
import { awsArgs } from "../../../components/addons/external-secrets/fixtures";
import {
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    HELM_CHART_V4,
    rbacNoClusterAdmin,
    rbacNoClusterSecretRead,
    rbacNoWildcards,
    rbacSecretReadsByName,
    rbacTokenRequestsByName,
    ROLE,
    ROLE_BINDING,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import { componentType } from "../../../../components/baseline";
import { copy, resource, run, settingsOf, unknowns, violations } from "./check";

const STACK = "urn:pulumi:prod::platform::";

function deployerRole(): Record<string, any> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "ci-deployer", namespace: "payments" },
        rules: deployerRules(["payments-db-password"]),
    };
}

function groupBinding(role = "view", group = "team-payments"): Record<string, any> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `${role}-${group}`, namespace: "payments" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
    };
}

function clusterRole(name: string, rules: any[], labels?: Record<string, string>): Record<string, any> {
    return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels }, rules };
}

function clusterRoleBinding(name: string, role: string, subjects: any[]): Record<string, any> {
    return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects,
    };
}

const SECRET_READ = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] };
const EVERYTHING = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
const controllerSa = (namespace: string) => ({ kind: "ServiceAccount", name: "controller", namespace });

/**
 * An operator chart as the engine shows it: the Chart without inputs (the provider registers it so), a
 * Deployment in `namespace`, and a ClusterRole and ClusterRoleBinding parented to the chart. With `component`
 * (an add-on's type token), the chart is that add-on component's child, as the platform's own charts are;
 * without, it is a chart of the program's own.
 */
function operatorChart(namespace: string, rules: any[], component?: string): PolicyResource[] {
    const chain = component ? `${component}$${HELM_CHART_V4}` : HELM_CHART_V4;
    const chartUrn = `${STACK}${chain}::op`;
    const child = (type: string, props: Record<string, any>) =>
        resource(type, props, { urn: `${STACK}${chain}$${type}::op:${props.metadata.name}`, parent: chartUrn });
    return [
        resource(HELM_CHART_V4, {}, { urn: chartUrn }),
        child("kubernetes:apps/v1:Deployment", { metadata: { name: "controller", namespace } }),
        child(CLUSTER_ROLE, clusterRole("op-controller", rules)),
        child(CLUSTER_ROLE_BINDING, clusterRoleBinding("op-controller", "op-controller", [controllerSa(namespace)])),
    ];
}

const KYVERNO = componentType("Kyverno");
const EXTERNAL_SECRETS = componentType("ExternalSecretsOperator");

/** A namespaced object rendered by an add-on's chart (the URN chain the engine writes for it). */
function platformChild(component: string, type: string, props: Record<string, any>): PolicyResource {
    return resource(type, props, {
        urn: `${STACK}${component}$${HELM_CHART_V4}$${type}::op:${props.metadata.name}`,
    });
}

describe("policy rbac-no-wildcards", () => {
    it("passes the deployer Role SecureNamespace creates", () => {
        assert.deepEqual(run(rbacNoWildcards, resource(ROLE, deployerRole())), []);
    });

    it("reports `*` in verbs, apiGroups and resources, by rule", () => {
        const role = deployerRole();
        role.rules[0].verbs = ["*"];
        role.rules[1].apiGroups = ["*"];
        role.rules[2].resources = ["configmaps", "*/scale"];
        assert.deepEqual(violations(run(rbacNoWildcards, resource(ROLE, role))), [
            'Role payments/ci-deployer: rules[0] grants verbs "*"',
            'Role payments/ci-deployer: rules[1] grants apiGroups "*"',
            'Role payments/ci-deployer: rules[2] grants resources "*/scale"',
        ]);
    });

    it("reports a ClusterRole with a wildcard", () => {
        const reported = run(rbacNoWildcards, resource(CLUSTER_ROLE, clusterRole("reader", [EVERYTHING])));
        assert.deepEqual(violations(reported), [
            'ClusterRole reader: rules[0] grants verbs "*", apiGroups "*", resources "*"',
        ]);
    });

    it("exempts the platform's own charts: a ClusterRole, and a Role in the add-on's namespace", () => {
        assert.deepEqual(run(rbacNoWildcards, operatorChart("kyverno", [EVERYTHING], KYVERNO)), []);
        const role = deployerRole();
        role.metadata.namespace = "kyverno";
        role.rules[0].verbs = ["*"];
        assert.deepEqual(run(rbacNoWildcards, platformChild(KYVERNO, ROLE, role)), []);
    });

    it("exempts nothing by namespace name: a Role in kyverno, a program's chart, a chart child elsewhere", () => {
        const role = deployerRole();
        role.metadata.namespace = "kyverno";
        role.rules[0].verbs = ["*"];
        assert.equal(violations(run(rbacNoWildcards, resource(ROLE, role))).length, 1);
        assert.equal(violations(run(rbacNoWildcards, operatorChart("kyverno", [EVERYTHING]))).length, 1);
        // The add-on's chart child outside the add-on's namespace is not the platform's.
        role.metadata.namespace = "payments";
        assert.equal(violations(run(rbacNoWildcards, platformChild(KYVERNO, ROLE, role))).length, 1);
        // URNs from a file are anyone's: `check` trusts none.
        const untrusted = { ...settingsOf("prod"), trustedUrns: false };
        assert.equal(
            violations(run(rbacNoWildcards, operatorChart("kyverno", [EVERYTHING], KYVERNO), untrusted)).length,
            1,
        );
    });

    it("reports unknown rules as unknown and still judges the known ones", () => {
        const role = deployerRole();
        role.rules[0].verbs = ["*"];
        role.rules[1].verbs = [UNKNOWN];
        const reported = run(rbacNoWildcards, resource(ROLE, role));
        assert.deepEqual(unknowns(reported), ["Role payments/ci-deployer: rules[1]"]);
        assert.deepEqual(violations(reported), ['Role payments/ci-deployer: rules[0] grants verbs "*"']);
        assert.deepEqual(unknowns(run(rbacNoWildcards, resource(ROLE, { ...deployerRole(), rules: UNKNOWN }))), [
            "Role payments/ci-deployer: rules",
        ]);
    });
});

describe("policy rbac-no-cluster-admin", () => {
    it("passes view, edit and admin bound in a namespace", () => {
        for (const role of ["view", "edit", "admin"]) {
            assert.deepEqual(run(rbacNoClusterAdmin, [resource(ROLE_BINDING, groupBinding(role))]), []);
        }
    });

    it("reports cluster-admin bound to a group, even in one namespace", () => {
        const reported = run(rbacNoClusterAdmin, [resource(ROLE_BINDING, groupBinding("cluster-admin"))]);
        assert.deepEqual(violations(reported), [
            "RoleBinding payments/cluster-admin-team-payments binds cluster-admin to Group team-payments",
        ]);
    });

    it("reports a ClusterRole of the stack that grants * on *, when bound", () => {
        const reported = run(rbacNoClusterAdmin, [
            resource(CLUSTER_ROLE, clusterRole("super", [EVERYTHING])),
            resource(CLUSTER_ROLE_BINDING, clusterRoleBinding("super", "super", [controllerSa("payments")])),
        ]);
        assert.deepEqual(violations(reported), [
            "ClusterRoleBinding super binds super, which grants * on *, to ServiceAccount payments/controller",
        ]);
    });

    it("allows the cluster's own system: identities, but not the system: groups of everyone", () => {
        const masters = clusterRoleBinding("masters", "cluster-admin", [{ kind: "Group", name: "system:masters" }]);
        assert.deepEqual(run(rbacNoClusterAdmin, [resource(CLUSTER_ROLE_BINDING, masters)]), []);
        for (const name of [
            "system:authenticated",
            "system:unauthenticated",
            "system:serviceaccounts",
            "system:serviceaccounts:payments",
        ]) {
            const everyone = clusterRoleBinding("everyone", "cluster-admin", [{ kind: "Group", name }]);
            assert.deepEqual(violations(run(rbacNoClusterAdmin, [resource(CLUSTER_ROLE_BINDING, everyone)])), [
                `ClusterRoleBinding everyone binds cluster-admin to Group ${name}`,
            ]);
        }
    });

    it("exempts nobody, not even a platform chart", () => {
        const chart = operatorChart("kyverno", [], KYVERNO);
        chart[3].props.roleRef.name = "cluster-admin";
        assert.equal(violations(run(rbacNoClusterAdmin, chart)).length, 1);
    });

    it("reports an unknown roleRef, subjects or bound rules as unknown", () => {
        const binding = groupBinding("cluster-admin");
        binding.subjects = UNKNOWN;
        assert.deepEqual(unknowns(run(rbacNoClusterAdmin, [resource(ROLE_BINDING, binding)])), [
            "RoleBinding payments/cluster-admin-team-payments: subjects",
        ]);
        const ref = groupBinding();
        ref.roleRef.name = UNKNOWN;
        assert.deepEqual(unknowns(run(rbacNoClusterAdmin, [resource(ROLE_BINDING, ref)])), [
            "RoleBinding payments/view-team-payments: roleRef",
        ]);
        const reported = run(rbacNoClusterAdmin, [
            resource(CLUSTER_ROLE, clusterRole("maybe", [{ ...EVERYTHING, verbs: UNKNOWN }])),
            resource(CLUSTER_ROLE_BINDING, clusterRoleBinding("maybe", "maybe", [controllerSa("payments")])),
        ]);
        assert.deepEqual(violations(reported), []);
        assert.deepEqual(unknowns(reported), ["ClusterRoleBinding maybe: rules of ClusterRole maybe"]);
    });
});

describe("policy rbac-no-cluster-secret-read", () => {
    it("passes edit and admin bound with RoleBindings, as SecureNamespace binds them", () => {
        const stack = ["view", "edit", "admin"].map((role) => resource(ROLE_BINDING, groupBinding(role)));
        assert.deepEqual(run(rbacNoClusterSecretRead, stack), []);
    });

    it("reports a ClusterRole that reads Secrets, and a ClusterRoleBinding to it", () => {
        const reported = run(rbacNoClusterSecretRead, [
            resource(CLUSTER_ROLE, clusterRole("secret-reader", [SECRET_READ])),
            resource(
                CLUSTER_ROLE_BINDING,
                clusterRoleBinding("secret-reader", "secret-reader", [controllerSa("payments")]),
            ),
        ]);
        assert.deepEqual(violations(reported), [
            "ClusterRole secret-reader: rules[0] read Secrets; one ClusterRoleBinding makes that every Secret of the cluster",
            "ClusterRoleBinding secret-reader lets ServiceAccount payments/controller read every Secret of the cluster " +
                "through ClusterRole secret-reader",
        ]);
    });

    it("counts a `*` verb or resource as a read", () => {
        for (const rule of [
            { apiGroups: [""], resources: ["*"], verbs: ["get"] },
            { apiGroups: ["*"], resources: ["secrets"], verbs: ["*"] },
        ]) {
            assert.equal(
                violations(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE, clusterRole("r", [rule]))])).length,
                1,
            );
        }
        const write = { apiGroups: [""], resources: ["secrets"], verbs: ["create"] };
        assert.deepEqual(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE, clusterRole("w", [write]))]), []);
    });

    it("passes a ClusterRole aggregated into edit or admin, and reports one aggregated into view", () => {
        for (const role of ["edit", "admin"]) {
            const labels = { [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" };
            assert.deepEqual(
                run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE, clusterRole("agg", [SECRET_READ], labels))]),
                [],
            );
        }
        const view = clusterRole("agg", [SECRET_READ], { "rbac.authorization.k8s.io/aggregate-to-view": "true" });
        assert.deepEqual(violations(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE, view)])), [
            "ClusterRole agg: rules[0] read Secrets and it is aggregated into view, so every view binding reads them",
        ]);
    });

    it("reports a ClusterRoleBinding to the built-in edit, admin or cluster-admin", () => {
        for (const role of ["edit", "admin", "cluster-admin"]) {
            const binding = clusterRoleBinding(`${role}-all`, role, [{ kind: "Group", name: "team-payments" }]);
            assert.deepEqual(violations(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE_BINDING, binding)])), [
                `ClusterRoleBinding ${role}-all lets Group team-payments read every Secret of the cluster through ClusterRole ${role}`,
            ]);
        }
        const view = clusterRoleBinding("view-all", "view", [{ kind: "Group", name: "team-payments" }]);
        assert.deepEqual(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE_BINDING, view)]), []);
    });

    it("exempts a platform operator's chart, but not a binding of its role from elsewhere", () => {
        const chart = operatorChart("external-secrets", [SECRET_READ], EXTERNAL_SECRETS);
        assert.deepEqual(run(rbacNoClusterSecretRead, chart), []);
        const borrowed = clusterRoleBinding("borrowed", "op-controller", [controllerSa("payments")]);
        assert.deepEqual(
            violations(run(rbacNoClusterSecretRead, [...chart, resource(CLUSTER_ROLE_BINDING, borrowed)])),
            [
                "ClusterRoleBinding borrowed lets ServiceAccount payments/controller read every Secret of the cluster " +
                    "through ClusterRole op-controller",
            ],
        );
        assert.equal(
            violations(run(rbacNoClusterSecretRead, operatorChart("external-secrets", [SECRET_READ]))).length,
            2,
        );
    });

    it("reports unknown rules, labels and roleRefs as unknown", () => {
        const reported = run(rbacNoClusterSecretRead, [
            resource(CLUSTER_ROLE, clusterRole("maybe", [{ ...SECRET_READ, resources: UNKNOWN }])),
            resource(CLUSTER_ROLE_BINDING, clusterRoleBinding("maybe", "maybe", [controllerSa("payments")])),
        ]);
        assert.deepEqual(violations(reported), []);
        assert.deepEqual(unknowns(reported), [
            "ClusterRole maybe: rules[0]",
            "ClusterRoleBinding maybe: rules of ClusterRole maybe",
        ]);
        const labels = clusterRole("reader", [SECRET_READ]);
        labels.metadata.labels = UNKNOWN;
        assert.deepEqual(unknowns(run(rbacNoClusterSecretRead, [resource(CLUSTER_ROLE, labels)])), [
            "ClusterRole reader: metadata.labels",
        ]);
    });
});

describe("policy rbac-secret-reads-by-name", () => {
    it("passes the deployer Role: get on named Secrets", () => {
        assert.deepEqual(run(rbacSecretReadsByName, resource(ROLE, deployerRole())), []);
    });

    it("reports get without resourceNames", () => {
        const role = deployerRole();
        delete role.rules[role.rules.length - 1].resourceNames;
        assert.deepEqual(violations(run(rbacSecretReadsByName, resource(ROLE, role))), [
            "Role payments/ci-deployer: rules[8] grants get on secrets without resourceNames",
        ]);
    });

    it("reports list and watch even with resourceNames", () => {
        const role = deployerRole();
        role.rules[8].verbs = ["get", "list", "watch"];
        assert.deepEqual(violations(run(rbacSecretReadsByName, resource(ROLE, role))), [
            'Role payments/ci-deployer: rules[8] grants "list", "watch" on secrets, which returns every Secret of the namespace',
        ]);
    });

    it("exempts Roles of the platform's charts, and no Role by its namespace's name", () => {
        const role = deployerRole();
        role.metadata.namespace = "external-secrets";
        role.rules[8] = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] };
        assert.deepEqual(run(rbacSecretReadsByName, platformChild(EXTERNAL_SECRETS, ROLE, role)), []);
        assert.equal(violations(run(rbacSecretReadsByName, resource(ROLE, role))).length, 2);
    });

    it("reports unknown rules as unknown", () => {
        const role = copy(deployerRole());
        role.rules[8].resourceNames = [UNKNOWN];
        assert.deepEqual(unknowns(run(rbacSecretReadsByName, resource(ROLE, role))), ["rules[8]"]);
    });
});

describe("policy rbac-token-requests-by-name", () => {
    /** The Role AppExternalSecrets creates for the External Secrets controller. */
    function tokenRole(): Record<string, any> {
        const resolved = resolveAppExternalSecretsArgs("payments", awsArgs());
        return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", ...copy(tokenRequestRbac(resolved).role) };
    }
    const TOKENS = { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] };

    it("passes the Role AppExternalSecrets creates, and roles that do not request tokens", () => {
        assert.deepEqual(tokenRole().rules[0].resourceNames, ["payments-api"]);
        assert.deepEqual(run(rbacTokenRequestsByName, resource(ROLE, tokenRole())), []);
        assert.deepEqual(run(rbacTokenRequestsByName, resource(ROLE, deployerRole())), []);
        const readsServiceAccounts = { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "list"] };
        assert.deepEqual(
            run(rbacTokenRequestsByName, resource(CLUSTER_ROLE, clusterRole("sa-reader", [readsServiceAccounts]))),
            [],
        );
        const getTokens = { ...TOKENS, verbs: ["get"] };
        assert.deepEqual(run(rbacTokenRequestsByName, resource(ROLE, { ...tokenRole(), rules: [getTokens] })), []);
    });

    it("reports token requests without resourceNames, in a Role or a ClusterRole, directly or by wildcard", () => {
        const role = tokenRole();
        delete role.rules[0].resourceNames;
        assert.deepEqual(violations(run(rbacTokenRequestsByName, resource(ROLE, role))), [
            "Role payments/payments-store-token-request: rules[0] grants create on serviceaccounts/token without " +
                "resourceNames: its subjects can act as any ServiceAccount of the namespace",
        ]);
        const wide = [
            { ...TOKENS, resources: ["serviceaccounts/*"] },
            { ...TOKENS, verbs: ["*"] },
            EVERYTHING,
            { apiGroups: [""], resources: ["serviceaccounts/token", "pods"], verbs: ["create"], resourceNames: [] },
        ];
        assert.deepEqual(
            violations(run(rbacTokenRequestsByName, resource(CLUSTER_ROLE, clusterRole("minter", wide)))).map(
                (v) => v.split(" grants ")[0],
            ),
            [
                "ClusterRole minter: rules[0]",
                "ClusterRole minter: rules[1]",
                "ClusterRole minter: rules[2]",
                "ClusterRole minter: rules[3]",
            ],
        );
    });

    it("exempts the platform's own charts, and judges any other role wherever it sits", () => {
        const role = tokenRole();
        role.metadata.namespace = "cert-manager";
        delete role.rules[0].resourceNames;
        assert.deepEqual(run(rbacTokenRequestsByName, platformChild(componentType("CertManager"), ROLE, role)), []);
        assert.equal(violations(run(rbacTokenRequestsByName, resource(ROLE, role))).length, 1);
        assert.deepEqual(run(rbacTokenRequestsByName, operatorChart("kyverno", [TOKENS], KYVERNO)), []);
        assert.equal(violations(run(rbacTokenRequestsByName, operatorChart("kyverno", [TOKENS]))).length, 1);
    });

    it("reports unknown rules as unknown and still judges the known ones", () => {
        const role = tokenRole();
        role.rules = [UNKNOWN, TOKENS];
        const reported = run(rbacTokenRequestsByName, resource(ROLE, role));
        assert.equal(violations(reported).length, 1);
        assert.deepEqual(unknowns(reported).length, 1);
    });
});
