/**
 * What the CI deployer can and cannot do, asked of the RBAC evaluator over every RBAC object a whole
 * environment registers (the prod stack, whose payments namespace has a deployer), so that no other binding
 * of the environment widens it; and the admission policy that keeps its workloads to the apps' own
 * ServiceAccounts.
 */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, resources, settle, settled } from "../../mocks";
installMocks();
import { SecureEnvironment } from "../../../components/environment";
import { deployerRules } from "../../../components/kubernetes/rbac";
import { stackArgs } from "../../stacks/stack-config";
import { ClusterRoleBindingObject, RbacEvaluator, RbacObject, Request, RoleBindingObject } from "./rbac-evaluator";

const RBAC = "rbac.authorization.k8s.io";
const RBAC_TYPES = ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"].map(
    (k) => `kubernetes:${RBAC}/v1:${k}`,
);
const NAMESPACE = "payments";
const DEPLOYER = { kind: "ServiceAccount" as const, namespace: NAMESPACE, name: "ci-deployer" };

type Ask = Omit<Request, "user" | "namespace"> & { namespace?: string | null };

describe("the CI deployer", function () {
    this.timeout(60_000);
    let evaluator: RbacEvaluator;
    let objects: RbacObject[];
    let policies: any[];

    before(async () => {
        resetResources();
        const environment = new SecureEnvironment("prod", stackArgs("prod"));
        await settle(environment.apps);
        await settled();
        objects = resources()
            .filter((r) => RBAC_TYPES.includes(r.type))
            .map((r) => structuredClone(r.inputs) as RbacObject);
        policies = ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((r) => r.inputs);
        evaluator = new RbacEvaluator(objects);
        resetResources();
    });

    /** Whether the deployer may do `ask`, in its own namespace unless another (or null: cluster-wide) is named. */
    const can = (ask: Ask) => {
        const namespace = ask.namespace === null ? undefined : (ask.namespace ?? NAMESPACE);
        return evaluator.allowed({ ...ask, namespace, user: DEPLOYER });
    };

    it("is bound in its namespace only, to its own Role", () => {
        const bound = objects
            .filter(
                (o): o is RoleBindingObject | ClusterRoleBindingObject =>
                    o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding",
            )
            .filter((o) => (o.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === DEPLOYER.name));
        assert.deepEqual(
            bound.map(
                (b) => `${b.kind} ${b.metadata.namespace}/${b.metadata.name} -> ${b.roleRef.kind} ${b.roleRef.name}`,
            ),
            ["RoleBinding payments/ci-deployer -> Role ci-deployer"],
        );
    });

    describe("can roll out workloads and their configuration", () => {
        const writes = ["create", "update", "patch", "delete"];
        const kinds: [string, string][] = [
            ["apps", "deployments"],
            ["apps", "statefulsets"],
            ["apps", "daemonsets"],
            ["apps", "replicasets"],
            ["batch", "jobs"],
            ["batch", "cronjobs"],
            ["", "configmaps"],
            ["", "services"],
            ["autoscaling", "horizontalpodautoscalers"],
            ["policy", "poddisruptionbudgets"],
            ["networking.k8s.io", "ingresses"],
        ];
        for (const [apiGroup, resource] of kinds) {
            it(`${apiGroup || "core"}/${resource}`, () => {
                for (const verb of writes) assert.ok(can({ verb, apiGroup, resource, name: "x" }), verb);
                for (const verb of ["get", "list", "watch"]) assert.ok(can({ verb, apiGroup, resource }), verb);
            });
        }

        it("watches the rollout: pods, their logs, events and ExternalSecrets, read only", () => {
            for (const [apiGroup, resource, subresource] of [
                ["", "pods", undefined],
                ["", "pods", "log"],
                ["", "events", undefined],
                ["external-secrets.io", "externalsecrets", undefined],
            ] as const) {
                assert.ok(can({ verb: "get", apiGroup, resource, subresource, name: "x" }), resource);
                assert.ok(can({ verb: "list", apiGroup, resource, subresource }), resource);
            }
        });
    });

    describe("cannot", () => {
        const denied: [string, Ask][] = [
            ["create a Pod directly", { verb: "create", apiGroup: "", resource: "pods" }],
            ["delete a Pod", { verb: "delete", apiGroup: "", resource: "pods", name: "x" }],
            ["exec into a Pod", { verb: "create", apiGroup: "", resource: "pods", subresource: "exec", name: "x" }],
            ["exec into a Pod (GET)", { verb: "get", apiGroup: "", resource: "pods", subresource: "exec", name: "x" }],
            ["attach to a Pod", { verb: "create", apiGroup: "", resource: "pods", subresource: "attach", name: "x" }],
            [
                "port-forward to a Pod",
                { verb: "create", apiGroup: "", resource: "pods", subresource: "portforward", name: "x" },
            ],
            ["proxy to a Pod", { verb: "get", apiGroup: "", resource: "pods", subresource: "proxy", name: "x" }],
            [
                "add an ephemeral container",
                { verb: "patch", apiGroup: "", resource: "pods", subresource: "ephemeralcontainers", name: "x" },
            ],
            ["evict a Pod", { verb: "create", apiGroup: "", resource: "pods", subresource: "eviction", name: "x" }],
            ["create a ServiceAccount", { verb: "create", apiGroup: "", resource: "serviceaccounts" }],
            ["change a ServiceAccount", { verb: "patch", apiGroup: "", resource: "serviceaccounts", name: "payments" }],
            [
                "request a token for an app's ServiceAccount",
                { verb: "create", apiGroup: "", resource: "serviceaccounts", subresource: "token", name: "payments" },
            ],
            [
                "request a token for itself",
                {
                    verb: "create",
                    apiGroup: "",
                    resource: "serviceaccounts",
                    subresource: "token",
                    name: "ci-deployer",
                },
            ],
            [
                "impersonate an app's ServiceAccount",
                { verb: "impersonate", apiGroup: "", resource: "serviceaccounts", name: "payments" },
            ],
            [
                "impersonate a user",
                { verb: "impersonate", apiGroup: "", resource: "users", name: "admin", namespace: null },
            ],
            ["create a Role", { verb: "create", apiGroup: RBAC, resource: "roles" }],
            ["widen its own Role", { verb: "patch", apiGroup: RBAC, resource: "roles", name: "ci-deployer" }],
            ["escalate a Role", { verb: "escalate", apiGroup: RBAC, resource: "roles", name: "ci-deployer" }],
            ["create a RoleBinding", { verb: "create", apiGroup: RBAC, resource: "rolebindings" }],
            ["bind a ClusterRole", { verb: "bind", apiGroup: RBAC, resource: "clusterroles", name: "admin" }],
            [
                "create a ClusterRoleBinding",
                { verb: "create", apiGroup: RBAC, resource: "clusterrolebindings", namespace: null },
            ],
            ["list Secrets", { verb: "list", apiGroup: "", resource: "secrets" }],
            ["watch Secrets", { verb: "watch", apiGroup: "", resource: "secrets" }],
            [
                "get a Secret it was not given",
                { verb: "get", apiGroup: "", resource: "secrets", name: "payments-db-password" },
            ],
            ["create a Secret", { verb: "create", apiGroup: "", resource: "secrets" }],
            ["change a Secret", { verb: "patch", apiGroup: "", resource: "secrets", name: "payments-db-password" }],
            [
                "write an ExternalSecret",
                { verb: "create", apiGroup: "external-secrets.io", resource: "externalsecrets" },
            ],
            [
                "change an ExternalSecret",
                {
                    verb: "patch",
                    apiGroup: "external-secrets.io",
                    resource: "externalsecrets",
                    name: "payments-db-password",
                },
            ],
            ["write a SecretStore", { verb: "create", apiGroup: "external-secrets.io", resource: "secretstores" }],
            [
                "read a SecretStore",
                { verb: "get", apiGroup: "external-secrets.io", resource: "secretstores", name: "payments-store" },
            ],
            [
                "open a NetworkPolicy",
                {
                    verb: "patch",
                    apiGroup: "networking.k8s.io",
                    resource: "networkpolicies",
                    name: "default-deny-egress",
                },
            ],
            ["delete the quota", { verb: "delete", apiGroup: "", resource: "resourcequotas", name: "baseline-quota" }],
            ["delete the limits", { verb: "delete", apiGroup: "", resource: "limitranges", name: "baseline-limits" }],
            [
                "relabel the namespace",
                { verb: "patch", apiGroup: "", resource: "namespaces", name: NAMESPACE, namespace: null },
            ],
            [
                "lift the ServiceAccount policy",
                {
                    verb: "delete",
                    apiGroup: "admissionregistration.k8s.io",
                    resource: "validatingadmissionpolicybindings",
                    name: "k8s-baseline-service-accounts-payments",
                    namespace: null,
                },
            ],
            [
                "write a Kyverno PolicyException",
                { verb: "create", apiGroup: "kyverno.io", resource: "policyexceptions" },
            ],
            [
                "deploy into another namespace",
                { verb: "create", apiGroup: "apps", resource: "deployments", namespace: "orders" },
            ],
            ["deploy cluster-wide", { verb: "create", apiGroup: "apps", resource: "deployments", namespace: null }],
            ["read nodes", { verb: "get", apiGroup: "", resource: "nodes", name: "n", namespace: null }],
            [
                "proxy to a node",
                { verb: "get", apiGroup: "", resource: "nodes", subresource: "proxy", name: "n", namespace: null },
            ],
        ];
        for (const [what, ask] of denied) {
            it(what, () =>
                assert.ok(!can(ask), JSON.stringify(evaluator.grants({ ...ask, user: DEPLOYER } as Request))),
            );
        }
    });

    it("has no wildcard, no RBAC, ServiceAccount, token or exec rule, and no Secret access without names", () => {
        for (const rule of deployerRules(["a"])) {
            assert.ok(!rule.verbs.includes("*") && !rule.resources.includes("*") && !rule.apiGroups.includes("*"));
            assert.ok(!rule.apiGroups.includes(RBAC));
            for (const resource of rule.resources) {
                assert.ok(
                    !/^serviceaccounts|^pods\/(exec|attach|portforward|proxy|ephemeralcontainers)$/.test(resource),
                );
            }
            if (rule.resources.includes("secrets"))
                assert.deepEqual(rule, {
                    apiGroups: [""],
                    resources: ["secrets"],
                    resourceNames: ["a"],
                    verbs: ["get"],
                });
            if (rule.resources.includes("pods")) assert.deepEqual(rule.verbs, ["get", "list", "watch"]);
        }
    });

    it("runs workloads only as the apps' own ServiceAccounts: its namespace's policy admits payments alone", () => {
        const policy = policies.find((p) => p.metadata.name === "k8s-baseline-service-accounts-payments");
        assert.ok(policy, "the payments namespace is pinned");
        const expression: string = policy.spec.validations[0].expression;
        assert.match(expression, /in \['payments'\]/);
        assert.doesNotMatch(expression, /ci-deployer|'default'\]/);
    });
});
