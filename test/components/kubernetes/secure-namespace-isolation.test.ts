/**
 * SecureNamespace against the inputs that would open an escalation path: a cluster or add-on namespace used
 * as an app's, the `default` ServiceAccount as the deployer, objects whose names collide once folded, and
 * the admission policy that pins the namespace's pods to the declared ServiceAccounts.
 */
import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled } from "../../mocks";
installMocks();
import {
    resolveSecureNamespaceArgs,
    SecureNamespace,
    SecureNamespaceArgs,
    secureNamespaceNames,
} from "../../../components/kubernetes/secure-namespace";
import { CLUSTER_NAMESPACES, ADDON_NAMESPACES } from "../../../components/baseline";
import { coreObjectErrors, manifestOf } from "../../k8s-schemas";

const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAP_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const CLUSTER_SCOPED = ["Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];

function args(overrides: Partial<SecureNamespaceArgs> = {}): SecureNamespaceArgs {
    return { project: "shop", env: "dev", namespace: "payments", owner: "team-payments", ...overrides };
}

async function refused(overrides: Partial<SecureNamespaceArgs>, ...messages: RegExp[]): Promise<void> {
    assert.throws(
        () => new SecureNamespace("ns", args(overrides)),
        (e: Error) => {
            assert.match(e.message, /^SecureNamespace "ns": invalid arguments:/);
            for (const message of messages) assert.match(e.message, message);
            for (const line of e.message.split("\n").slice(1)) assert.match(line, /^ {2}- \S.*; fix: \S/);
            return true;
        },
    );
    await settled();
    assert.equal(resources().length, 0);
}

describe("SecureNamespace isolation", () => {
    beforeEach(resetResources);

    describe("refuses the cluster's own namespaces", () => {
        for (const namespace of [...CLUSTER_NAMESPACES, "kube-flannel"]) {
            it(namespace, () =>
                refused({ namespace }, new RegExp(`namespace: ${namespace} is a namespace of the cluster itself`)),
            );
        }
    });

    describe("takes an add-on's namespace in its platform form only", () => {
        for (const namespace of ADDON_NAMESPACES) {
            it(`${namespace}: no deployer`, () =>
                refused(
                    { namespace, deployer: {} },
                    new RegExp(`deployer: is set in ${namespace}, a platform add-on's namespace`),
                ));
            it(`${namespace}: no access that can run pods`, () =>
                refused(
                    { namespace, access: [{ group: "platform-devs", role: "edit" }] },
                    new RegExp(`access\\[0\\]\\.role: edit in ${namespace}, a platform add-on's namespace`),
                ));
            it(`${namespace}: accepted with view access and no deployer`, async () => {
                new SecureNamespace(namespace, args({ namespace, access: [{ group: "platform-devs", role: "view" }] }));
                await settled();
                assert.equal(named("kubernetes:core/v1:Namespace", namespace).inputs.metadata.name, namespace);
            });
        }
    });

    it("refuses default as the deployer's ServiceAccount", () =>
        refused(
            { deployer: { serviceAccountName: "default" } },
            /deployer\.serviceAccountName: default is the ServiceAccount every pod that names none runs as/,
        ));

    it("refuses two groups whose RoleBindings fold to one name", () =>
        refused(
            {
                access: [
                    { group: "Payments.Devs", role: "view" },
                    { group: "payments-devs", role: "view" },
                ],
            },
            /access\[1\]\.group: renders RoleBinding payments\/view-payments-devs, which access\[0\]\.group renders too/,
        ));

    it("refuses a deployer named like a group's RoleBinding", () =>
        refused(
            { access: [{ group: "auditors", role: "view" }], deployer: { serviceAccountName: "view-auditors" } },
            /deployer\.serviceAccountName: renders RoleBinding payments\/view-auditors, which access\[0\]\.group renders too/,
        ));

    it("refuses a group and a deployer whose RoleBindings would share a URN", () =>
        refused(
            { access: [{ group: "x-binding", role: "view" }], deployer: { serviceAccountName: "view-x" } },
            /deployer\.serviceAccountName: renders Pulumi resource kubernetes:rbac\.authorization\.k8s\.io\/v1:RoleBinding ns-view-x-binding \(a child of k8s-baseline:index:SecureNamespace\), which access\[0\]\.group renders too/,
        ));

    describe("podServiceAccounts", () => {
        it("creates a policy and a binding that pin the namespace's pods, valid against the OpenAPI schema", async () => {
            new SecureNamespace("payments", args({ podServiceAccounts: ["payments", "worker"], deployer: {} }));
            await settled();
            const policy = named(VAP, "payments-service-accounts").inputs;
            const binding = named(VAP_BINDING, "payments-service-accounts").inputs;
            assert.equal(policy.metadata.name, "k8s-baseline-service-accounts-payments");
            assert.equal(binding.spec.policyName, policy.metadata.name);
            assert.deepEqual(binding.spec.validationActions, ["Deny"]);
            assert.match(policy.spec.validations[0].expression, /in \['payments', 'worker'\]/);
            assert.doesNotMatch(policy.spec.validations[0].expression, /ci-deployer/);
            for (const [type, inputs] of [
                [VAP, policy],
                [VAP_BINDING, binding],
            ] as const) {
                assert.deepEqual(await coreObjectErrors(manifestOf(type, inputs)), [], type);
            }
        });

        it("creates none when not given", async () => {
            new SecureNamespace("payments", args({ deployer: {} }));
            await settled();
            assert.equal(ofType(VAP).length + ofType(VAP_BINDING).length, 0);
        });

        it("refuses the deployer's ServiceAccount", () =>
            refused(
                { deployer: {}, podServiceAccounts: ["payments", "ci-deployer"] },
                /podServiceAccounts\[1\]: ci-deployer is the deployer's ServiceAccount/,
            ));

        it("refuses default", () =>
            refused({ podServiceAccounts: ["default"] }, /podServiceAccounts\[0\]: default is the ServiceAccount/));

        it("refuses an empty list and a name listed twice", async () => {
            await refused({ podServiceAccounts: [] }, /podServiceAccounts: is empty/);
            await refused({ podServiceAccounts: ["a", "a"] }, /podServiceAccounts\[1\]: a is listed twice/);
        });
    });

    it("lists every object it creates by name, as the environment compares them", async () => {
        const input = args({
            access: [{ group: "auditors", role: "view" }],
            deployer: {},
            podServiceAccounts: ["payments"],
            egress: [{ cidrs: ["10.0.0.0/24"], ports: [{ port: 5432 }] }],
        });
        new SecureNamespace("payments", input);
        await settled();
        const created = resources()
            .filter((r) => r.custom)
            .map((r) => {
                const kind = r.type.split(":").pop()!;
                const meta = r.inputs.metadata;
                const namespaced = !CLUSTER_SCOPED.includes(kind) && meta.namespace;
                return `${kind} ${namespaced ? `${meta.namespace}/` : ""}${meta.name}`;
            })
            .sort();
        const listed = secureNamespaceNames(resolveSecureNamespaceArgs("payments", input))
            .map((n) => `${n.kind} ${n.scope ? `${n.scope}/` : ""}${n.name}`)
            .sort();
        assert.deepEqual(listed, created);
    });
});
