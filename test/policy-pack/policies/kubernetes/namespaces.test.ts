/**
 * Namespace policies, on the Namespace and NetworkPolicies SecureNamespace registers.
 */
import * as assert from "node:assert/strict";
import { POD_SECURITY_VERSION } from "../../../../components/baseline";
import { namespaceNetworkPolicies } from "../../../../components/kubernetes/network";
import { namespaceLabels, resolveSecureNamespaceArgs } from "../../../../components/kubernetes/secure-namespace";
import {
    NAMESPACE,
    namespacesDefaultDeny,
    namespacesPodSecurityLabels,
    namespacesRequiredLabels,
    NETWORK_POLICY,
} from "../../../../policy-pack/policies/kubernetes";
import { checkResource } from "../../../../policy-pack/engine";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { settingsFrom } from "../../../../policy-pack/settings";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import { resource, run, settingsOf, unknowns, violations } from "./check";

type Env = "dev" | "stage" | "prod";

/**
 * A Namespace named `name` with the labels SecureNamespace writes for an app namespace of `env` (built for
 * `payments`: SecureNamespace refuses the cluster's own namespaces, which the pack must still judge).
 */
function namespace(env: Env, name = "payments"): Record<string, any> {
    const resolved = resolveSecureNamespaceArgs("payments", { project: "shop", env, owner: "team-payments" });
    const labels = { ...namespaceLabels(resolved) };
    if (labels["kubernetes.io/metadata.name"] !== undefined) labels["kubernetes.io/metadata.name"] = name;
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

function networkPolicies(ns: string): PolicyResource[] {
    return namespaceNetworkPolicies([], []).map((policy) =>
        resource(NETWORK_POLICY, {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: policy.name, namespace: ns },
            spec: policy.spec,
        }),
    );
}

function withoutPolicy(policies: PolicyResource[], name: string): PolicyResource[] {
    return policies.filter((p) => p.props.metadata.name !== name);
}

describe("policy namespaces-pod-security-labels", () => {
    for (const env of ["dev", "stage", "prod"] as const) {
        it(`passes the labels SecureNamespace writes in ${env}`, () => {
            assert.deepEqual(
                run(namespacesPodSecurityLabels, resource(NAMESPACE, namespace(env)), settingsOf(env)),
                [],
            );
        });
    }

    it("reports warn and audit levels below the env profile's, as for enforce", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            const ns = namespace(env);
            ns.metadata.labels["pod-security.kubernetes.io/warn"] = "privileged";
            ns.metadata.labels["pod-security.kubernetes.io/audit"] = "baseline";
            assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns), settingsOf(env))), [
                `Namespace payments: pod-security.kubernetes.io/audit is baseline, below the ${env} profile's restricted`,
                `Namespace payments: pod-security.kubernetes.io/warn is privileged, below the ${env} profile's restricted`,
            ]);
        }
    });

    it("reports an enforce level below the env profile's", () => {
        const ns = namespace("dev");
        assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns), settingsOf("prod"))), [
            "Namespace payments enforces baseline, below the prod profile's restricted",
        ]);
    });

    it("judges by prod when nothing names the env, and by the stack's name when it does", () => {
        const ns = namespace("dev");
        delete ns.metadata.labels.env;
        assert.equal(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns), settingsOf())).length, 1);
        const inDev = resource(NAMESPACE, ns, { urn: "urn:pulumi:dev::shop::kubernetes:core/v1:Namespace::payments" });
        assert.deepEqual(run(namespacesPodSecurityLabels, inDev, settingsOf()), []);
    });

    it("reports a missing or unpinned enforce-version", () => {
        const ns = namespace("prod");
        delete ns.metadata.labels["pod-security.kubernetes.io/enforce-version"];
        assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns))), [
            "Namespace payments has no pod-security.kubernetes.io/enforce-version label, so it enforces whatever the cluster's version is",
        ]);
        ns.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "latest";
        assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns))), [
            `Namespace payments: pod-security.kubernetes.io/enforce-version is "latest", not a pinned version such as "${POD_SECURITY_VERSION}"`,
        ]);
    });

    it("reports a missing audit or warn label, and a level that is not one", () => {
        const ns = namespace("prod");
        delete ns.metadata.labels["pod-security.kubernetes.io/audit"];
        ns.metadata.labels["pod-security.kubernetes.io/warn"] = "strict";
        assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns))), [
            "Namespace payments has no pod-security.kubernetes.io/audit label",
            'Namespace payments: pod-security.kubernetes.io/warn is "strict", not privileged, baseline or restricted',
        ]);
    });

    it("judges a platform namespace like any other: its name lowers nothing", () => {
        for (const name of ["kyverno", "kube-system", "external-secrets", "cert-manager"]) {
            const ns = namespace("prod", name);
            assert.deepEqual(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns)), []);
            ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
            assert.deepEqual(violations(run(namespacesPodSecurityLabels, resource(NAMESPACE, ns))), [
                `Namespace ${name} enforces privileged, below the prod profile's restricted`,
            ]);
        }
    });

    it("lets an exemption by object, in force, excuse a namespace that enforces less", () => {
        const ns = namespace("prod", "kyverno");
        ns.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
        const exemption = {
            kind: "Namespace",
            name: "kyverno",
            policies: ["namespaces-pod-security-labels"],
            owner: "platform",
            reason: "the admission controller's own namespace",
        };
        const now = new Date("2026-06-01T00:00:00Z");
        const inForce = settingsFrom({ env: "prod", exemptions: [{ ...exemption, expires: "2026-07-01" }] }, now);
        assert.deepEqual(checkResource(resource(NAMESPACE, ns), [namespacesPodSecurityLabels], inForce), []);
        const expired = settingsFrom({ env: "prod", exemptions: [{ ...exemption, expires: "2026-05-01" }] }, now);
        assert.equal(checkResource(resource(NAMESPACE, ns), [namespacesPodSecurityLabels], expired).length, 1);
        // An exemption of another object, or of the same name in another kind, exempts nothing here.
        const other = settingsFrom(
            { env: "prod", exemptions: [{ ...exemption, kind: "Pod", namespace: "kyverno", expires: "2026-07-01" }] },
            now,
        );
        assert.equal(checkResource(resource(NAMESPACE, ns), [namespacesPodSecurityLabels], other).length, 1);
    });

    it("reports unknown labels as unknown and judges the rest", () => {
        const ns = namespace("dev");
        ns.metadata.labels["pod-security.kubernetes.io/enforce-version"] = UNKNOWN;
        const reported = run(namespacesPodSecurityLabels, resource(NAMESPACE, ns));
        assert.deepEqual(unknowns(reported), ['metadata.labels["pod-security.kubernetes.io/enforce-version"]']);
        assert.deepEqual(violations(reported), [
            "Namespace payments enforces baseline, below the prod profile's restricted",
        ]);
        const all = { ...namespace("prod"), metadata: { name: "payments", labels: UNKNOWN } };
        assert.deepEqual(unknowns(run(namespacesPodSecurityLabels, resource(NAMESPACE, all))), ["metadata.labels"]);
    });
});

describe("policy namespaces-required-labels", () => {
    it("passes the labels SecureNamespace writes", () => {
        assert.deepEqual(
            run(namespacesRequiredLabels, resource(NAMESPACE, namespace("stage")), settingsOf("stage")),
            [],
        );
    });

    it("reports a missing or empty required label", () => {
        const ns = namespace("prod");
        delete ns.metadata.labels.owner;
        ns.metadata.labels.tier = "";
        assert.deepEqual(violations(run(namespacesRequiredLabels, resource(NAMESPACE, ns))), [
            "Namespace payments has no owner label",
            "Namespace payments has no tier label",
        ]);
    });

    it("reports an env label that is not the namespace's env", () => {
        assert.deepEqual(
            violations(run(namespacesRequiredLabels, resource(NAMESPACE, namespace("dev")), settingsOf("prod"))),
            ["Namespace payments is labelled env=dev in prod"],
        );
        const urn = "urn:pulumi:stage::shop::kubernetes:core/v1:Namespace::payments";
        assert.deepEqual(
            violations(run(namespacesRequiredLabels, resource(NAMESPACE, namespace("dev"), { urn }), settingsOf())),
            ["Namespace payments is labelled env=dev in stage"],
        );
    });

    it("reports unknown labels as unknown", () => {
        const ns = namespace("prod");
        ns.metadata.labels.owner = UNKNOWN;
        assert.deepEqual(unknowns(run(namespacesRequiredLabels, resource(NAMESPACE, ns))), [
            'metadata.labels["owner"]',
        ]);
    });
});

describe("policy namespaces-default-deny", () => {
    const stack = (...names: string[]) =>
        names.flatMap((name) => [resource(NAMESPACE, namespace("prod", name)), ...networkPolicies(name)]);

    it("passes namespaces with the policies SecureNamespace creates", () => {
        assert.deepEqual(run(namespacesDefaultDeny, stack("payments", "orders")), []);
    });

    it("reports a namespace without default-deny egress, or without any", () => {
        const resources = withoutPolicy(stack("payments"), "default-deny-egress");
        resources.push(resource(NAMESPACE, namespace("prod", "orders")));
        assert.deepEqual(violations(run(namespacesDefaultDeny, resources)), [
            "Namespace payments has no default-deny egress NetworkPolicy in the stack",
            "Namespace orders has no default-deny ingress or egress NetworkPolicy in the stack",
        ]);
    });

    it("judges by shape, not by name: one policy may close both directions", () => {
        const both = resource(NETWORK_POLICY, {
            metadata: { name: "lockdown", namespace: "payments" },
            spec: { podSelector: { matchLabels: {} }, policyTypes: ["Ingress", "Egress"] },
        });
        assert.deepEqual(run(namespacesDefaultDeny, [resource(NAMESPACE, namespace("prod")), both]), []);
        // Without policyTypes, a policy without rules is Ingress only.
        const ingressOnly = resource(NETWORK_POLICY, {
            metadata: { name: "x", namespace: "payments" },
            spec: { podSelector: {} },
        });
        assert.deepEqual(
            violations(run(namespacesDefaultDeny, [resource(NAMESPACE, namespace("prod")), ingressOnly])),
            ["Namespace payments has no default-deny egress NetworkPolicy in the stack"],
        );
    });

    it("does not count a policy that selects some pods, allows traffic, or lives in another namespace", () => {
        const base = withoutPolicy(stack("payments"), "default-deny-egress");
        const some = resource(NETWORK_POLICY, {
            metadata: { name: "default-deny-egress", namespace: "payments" },
            spec: { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Egress"] },
        });
        const allows = resource(NETWORK_POLICY, {
            metadata: { name: "default-deny-egress", namespace: "payments" },
            spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] },
        });
        const elsewhere = resource(NETWORK_POLICY, {
            metadata: { name: "default-deny-egress", namespace: "orders" },
            spec: { podSelector: {}, policyTypes: ["Egress"] },
        });
        for (const policy of [some, allows, elsewhere]) {
            assert.deepEqual(violations(run(namespacesDefaultDeny, [...base, policy])), [
                "Namespace payments has no default-deny egress NetworkPolicy in the stack",
            ]);
        }
    });

    it("reports unknown names, namespaces and shapes as unknown instead of missing", () => {
        const nsUnknown = resource(NAMESPACE, { metadata: { name: UNKNOWN, labels: {} } });
        assert.deepEqual(unknowns(run(namespacesDefaultDeny, [nsUnknown])), ["Namespace fixture: metadata.name"]);
        const resources = withoutPolicy(stack("payments"), "default-deny-egress");
        const placed = resource(NETWORK_POLICY, {
            metadata: { name: "default-deny-egress", namespace: UNKNOWN },
            spec: { podSelector: {}, policyTypes: ["Egress"] },
        });
        const reported = run(namespacesDefaultDeny, [...resources, placed]);
        assert.deepEqual(violations(reported), []);
        assert.deepEqual(unknowns(reported), ["NetworkPolicies that may close Egress of Namespace payments"]);
        const shaped = resource(NETWORK_POLICY, {
            metadata: { name: "default-deny-egress", namespace: "payments" },
            spec: { podSelector: UNKNOWN, policyTypes: ["Egress"] },
        });
        assert.deepEqual(unknowns(run(namespacesDefaultDeny, [...resources, shaped])), [
            "NetworkPolicies that may close Egress of Namespace payments",
        ]);
    });

    it("reads the stack once: thousands of namespaces in linear time", () => {
        const names = Array.from({ length: 3000 }, (_, i) => `team-${i}`);
        const resources = names.flatMap((name) => [
            resource(NAMESPACE, { metadata: { name } }),
            ...networkPolicies(name).slice(0, 2),
        ]);
        const started = process.hrtime.bigint();
        assert.deepEqual(run(namespacesDefaultDeny, resources), []);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(ms < 500, `took ${ms} ms`);
    });
});
