/**
 * SecureEnvironment refuses, before registering anything, the declarations that would make two components
 * render the same object (one taking over or overwriting the other's ServiceAccount, Role, Secret or IAM
 * role), and namespaces that are not app namespaces; it pins every app namespace's pods to its apps' own
 * ServiceAccounts.
 */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { SecureEnvironment, SecureEnvironmentArgs } from "../../components/environment";
import { ADDON_NAMESPACES, CLUSTER_NAMESPACES } from "../../components/baseline";
import { stackArgs } from "../stacks/stack-config";

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";

function prodArgs(change: (args: SecureEnvironmentArgs) => void = () => {}): SecureEnvironmentArgs {
    const args = stackArgs("prod");
    change(args);
    return args;
}

/** Refused with every fragment in the message, every problem naming its fix, nothing registered. */
async function refused(args: SecureEnvironmentArgs, fragments: string[]): Promise<string[]> {
    let problems: string[] = [];
    assert.throws(
        () => new SecureEnvironment("prod", args),
        (e: Error) => {
            assert.match(e.message, /^SecureEnvironment "prod": invalid arguments:\n {2}- /);
            for (const fragment of fragments) assert.ok(e.message.includes(fragment), `${fragment}\nin\n${e.message}`);
            problems = e.message.split("\n").slice(1);
            for (const problem of problems) assert.match(problem, /^ {2}- \S.*; fix: \S/);
            return true;
        },
    );
    await settled();
    assert.equal(resources().length, 0);
    return problems;
}

describe("SecureEnvironment names", function () {
    this.timeout(60_000);
    beforeEach(resetResources);

    describe("refuses two declarations that render one object", () => {
        it("a deployer named like an app's ServiceAccount", () =>
            refused(
                prodArgs((a) => (a.apps[0].deployer = { serviceAccountName: "payments" })),
                [
                    "apps[0] (payments): serviceAccountName: renders ServiceAccount payments/payments, which namespace payments: deployer.serviceAccountName renders too",
                    "fix: rename one of them (apps[0] (payments): serviceAccountName, or namespace payments: deployer.serviceAccountName)",
                ],
            ));

        it("an app's ServiceAccount named like the namespace's default deployer", () =>
            refused(
                prodArgs((a) => (a.apps[0].serviceAccountName = "ci-deployer")),
                [
                    "apps[0] (payments): serviceAccountName: renders ServiceAccount payments/ci-deployer, which namespace payments: deployer.serviceAccountName renders too",
                ],
            ));

        it("a deployer named like an app's Secret reader Role", () =>
            refused(
                prodArgs((a) => {
                    a.apps[0].callsKubernetesApi = true;
                    a.apps[0].deployer = { serviceAccountName: "payments-secrets" };
                }),
                [
                    "apps[0] (payments): serviceAccountName: renders Role payments/payments-secrets, which namespace payments: deployer.serviceAccountName renders too",
                    "apps[0] (payments): serviceAccountName: renders RoleBinding payments/payments-secrets",
                ],
            ));

        it("a deployer named like External Secrets' token-request Role", () =>
            refused(
                prodArgs((a) => (a.apps[0].deployer = { serviceAccountName: "payments-store-token-request" })),
                [
                    "apps[0] (payments): storeName: renders Role payments/payments-store-token-request, which namespace payments: deployer.serviceAccountName renders too",
                    "apps[0] (payments): storeName: renders RoleBinding payments/payments-store-token-request",
                ],
            ));

        it("a deployer named like a group's RoleBinding", () =>
            refused(
                prodArgs((a) => (a.apps[0].deployer = { serviceAccountName: "view-team-payments" })),
                [
                    "namespace payments: deployer.serviceAccountName: renders RoleBinding payments/view-team-payments, which access[0].group renders too",
                ],
            ));

        it("groups of two apps in one namespace whose RoleBindings fold to one name", () =>
            refused(
                prodArgs((a) => {
                    Object.assign(a.apps[1], { namespace: "payments", owner: "team-payments" });
                    a.apps[1].access = [{ group: "Team.Payments", role: "view" }];
                }),
                [
                    "namespace payments: access[1].group: renders RoleBinding payments/view-team-payments, which access[0].group renders too",
                ],
            ));

        it("apps in one namespace whose ExternalSecrets write one Secret", () =>
            refused(
                prodArgs((a) => {
                    a.apps[0].name = "pay";
                    a.apps[0].namespace = "payments";
                    a.apps[0].secrets = [{ name: "ments-db" }];
                    Object.assign(a.apps[1], {
                        name: "pay-ments",
                        namespace: "payments",
                        owner: "team-payments",
                        secrets: [{ name: "db" }],
                    });
                }),
                [
                    "apps[1] (pay-ments): secrets[0].targetName: renders ExternalSecret payments/pay-ments-db, which apps[0] (pay): secrets[0].targetName renders too",
                    "apps[1] (pay-ments): secrets[0].targetName: renders Secret payments/pay-ments-db",
                ],
            ));

        it("secret names that fold to one Secret across apps: '_' and '.' become '-'", () =>
            refused(
                prodArgs((a) => {
                    a.apps[0].name = "pay";
                    a.apps[0].namespace = "payments";
                    a.apps[0].secrets = [{ name: "ments_db" }];
                    Object.assign(a.apps[1], {
                        name: "pay-ments",
                        namespace: "payments",
                        owner: "team-payments",
                        secrets: [{ name: "db" }],
                    });
                }),
                ["apps[1] (pay-ments): secrets[0].targetName: renders Secret payments/pay-ments-db"],
            ));

        it("an app named like cert-manager, whose IAM role it would take", () =>
            refused(
                prodArgs((a) => a.apps.push({ name: "cert-manager", namespace: "certs", owner: "team-certs" })),
                [
                    "apps[3] (cert-manager): app: renders IAM role shop-prod-cert-manager, which certManager: role renders too",
                ],
            ));

        it("an app's ServiceAccount taking a ServiceAccount of another app in its namespace, under the environment", () =>
            refused(
                prodArgs((a) =>
                    Object.assign(a.apps[1], {
                        namespace: "payments",
                        owner: "team-payments",
                        serviceAccountName: "payments",
                    }),
                ),
                ["apps[1].serviceAccountName: apps payments and orders share ServiceAccount payments/payments"],
            ));

        it("every collision at once", async () => {
            const problems = await refused(
                prodArgs((a) => {
                    a.apps[0].deployer = { serviceAccountName: "payments-store-token-request" };
                    a.apps[1].serviceAccountName = "orders";
                    a.apps.push({ name: "cert-manager", namespace: "certs", owner: "team-certs" });
                    a.apps.push({
                        name: "orders-x",
                        namespace: "orders",
                        owner: "team-orders",
                        tier: "backend",
                        secrets: [{ name: "db" }],
                    });
                    a.apps[1].secrets = [{ name: "x-db" }];
                }),
                [],
            );
            for (const fragment of [
                "apps[0] (payments): storeName: renders Role payments/payments-store-token-request",
                "apps[3] (cert-manager): app: renders IAM role shop-prod-cert-manager",
                "apps[4] (orders-x): secrets[0].targetName: renders Secret orders/orders-x-db",
            ]) {
                assert.ok(
                    problems.some((p) => p.includes(fragment)),
                    `${fragment}\nin\n${problems.join("\n")}`,
                );
            }
        });
    });

    describe("refuses namespaces that are not app namespaces", () => {
        for (const namespace of [...CLUSTER_NAMESPACES, "kube-flannel"]) {
            it(namespace, () =>
                refused(
                    prodArgs((a) => (a.apps[2].namespace = namespace)),
                    [
                        `apps[2].namespace: ${namespace} is a namespace of the cluster itself, not an app namespace`,
                        `apps[2] (reports): namespace: ${namespace} is a namespace of the cluster itself`,
                        `namespace ${namespace}: namespace: ${namespace} is a namespace of the cluster itself`,
                    ],
                ),
            );
        }
        for (const namespace of ADDON_NAMESPACES) {
            it(namespace, () =>
                refused(
                    prodArgs((a) => (a.apps[0].namespace = namespace)),
                    [
                        `apps[0].namespace: ${namespace} belongs to the platform`,
                        `apps[0] (payments): namespace: ${namespace} is the namespace of a platform add-on`,
                        `namespace ${namespace}: deployer: is set in ${namespace}, a platform add-on's namespace`,
                    ],
                ),
            );
        }
    });

    it("refuses default as an app's ServiceAccount", () =>
        refused(
            prodArgs((a) => (a.apps[2].serviceAccountName = "default")),
            [
                "apps[2] (reports): serviceAccountName: default is the ServiceAccount every pod that names none runs as",
                "namespace reports: podServiceAccounts[0]: default is the ServiceAccount",
            ],
        ));

    it("pins each app namespace's pods to its apps' ServiceAccounts, and no platform namespace", async () => {
        const environment = new SecureEnvironment(
            "prod",
            prodArgs((a) => Object.assign(a.apps[1], { namespace: "payments", owner: "team-payments" })),
        );
        await settle(environment.apps);
        await settled();
        const pinned = new Map(
            ofType(VAP).map((r) => [
                r.inputs.spec.matchConstraints.namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
                r.inputs.spec.validations[0].expression as string,
            ]),
        );
        assert.deepEqual([...pinned.keys()].sort(), ["payments", "reports"]);
        assert.match(pinned.get("payments")!, /in \['orders', 'payments'\]/);
        assert.match(pinned.get("reports")!, /in \['reports'\]/);
    });
});
