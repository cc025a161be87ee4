import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import { SecureNamespace, SecureNamespaceArgs } from "../../../components/kubernetes/secure-namespace";
import { PROFILES } from "../../../components/baseline";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function args(overrides: Partial<SecureNamespaceArgs> = {}): SecureNamespaceArgs {
    return { project: "shop", env: "prod", namespace: "payments", owner: "team-payments", ...overrides };
}

describe("SecureNamespace", () => {
    beforeEach(resetResources);

    it("labels the namespace with the profile's Pod Security levels, pinned versions and required labels", async () => {
        const ns = new SecureNamespace("payments", args({ env: "dev", tier: "backend" }));
        assert.equal(await valueOf(ns.namespaceName), "payments");
        await settled();
        const labels = named("kubernetes:core/v1:Namespace", "payments").inputs.metadata.labels;
        const psa = PROFILES.dev.podSecurity;
        assert.equal(labels["pod-security.kubernetes.io/enforce"], psa.enforce);
        assert.equal(labels["pod-security.kubernetes.io/enforce-version"], psa.version);
        assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
        assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
        assert.match(labels["pod-security.kubernetes.io/warn-version"], /^v1\.\d+$/);
        assert.deepEqual(
            { owner: labels.owner, env: labels.env, tier: labels.tier },
            { owner: "team-payments", env: "dev", tier: "backend" },
        );
    });

    it("enforces restricted in prod", async () => {
        new SecureNamespace("payments", args());
        await settled();
        const labels = named("kubernetes:core/v1:Namespace", "payments").inputs.metadata.labels;
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("denies all ingress and egress by default and allows DNS to kube-dns over UDP and TCP", async () => {
        new SecureNamespace("payments", args());
        await settled();
        const policies = new Map(ofType(NP).map((p) => [p.inputs.metadata.name, p.inputs]));
        assert.deepEqual([...policies.keys()].sort(), [
            "allow-dns-egress",
            "default-deny-egress",
            "default-deny-ingress",
        ]);
        assert.deepEqual(policies.get("default-deny-ingress")!.spec, { podSelector: {}, policyTypes: ["Ingress"] });
        assert.deepEqual(policies.get("default-deny-egress")!.spec, { podSelector: {}, policyTypes: ["Egress"] });
        for (const p of policies.values()) assert.equal(p.metadata.namespace, "payments");
        const dns = policies.get("allow-dns-egress")!.spec.egress;
        assert.equal(dns.length, 1);
        assert.deepEqual(dns[0].to, [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
        ]);
        assert.deepEqual(dns[0].ports, [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ]);
    });

    it("adds declared egress and ingress, and only those", async () => {
        new SecureNamespace(
            "payments",
            args({
                egress: [{ cidrs: ["10.20.0.0/24"], ports: [{ port: 443 }] }],
                ingress: [{ namespaces: ["ingress-nginx"], ports: [{ port: 8080 }] }],
            }),
        );
        await settled();
        const egress = named(NP, "payments-allow-declared-egress").inputs.spec;
        assert.deepEqual(egress.egress, [
            { to: [{ ipBlock: { cidr: "10.20.0.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
        const ingress = named(NP, "payments-allow-declared-ingress").inputs.spec;
        assert.deepEqual(ingress.ingress, [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
    });

    it("sets quota and limits from the profile", async () => {
        new SecureNamespace("payments", args());
        await settled();
        const quota = named("kubernetes:core/v1:ResourceQuota", "payments-quota").inputs.spec.hard;
        assert.equal(quota["limits.memory"], PROFILES.prod.quota.limitsMemory);
        assert.equal(quota.pods, String(PROFILES.prod.quota.pods));
        const limits = named("kubernetes:core/v1:LimitRange", "payments-limits").inputs.spec.limits[0];
        assert.equal(limits.type, "Container");
        assert.equal(limits.default.memory, PROFILES.prod.limitRange.defaultLimitMemory);
        assert.equal(limits.defaultRequest.cpu, PROFILES.prod.limitRange.defaultRequestCpu);
    });

    it("binds groups to built-in namespaced roles, never cluster-admin", async () => {
        new SecureNamespace("payments", args({ env: "dev", access: [{ group: "payments-devs", role: "edit" }] }));
        await settled();
        const bindings = ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.equal(bindings.length, 1);
        assert.deepEqual(bindings[0].inputs.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "edit",
        });
        assert.deepEqual(bindings[0].inputs.subjects, [
            { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "payments-devs" },
        ]);
        assert.equal(bindings[0].inputs.metadata.namespace, "payments");
    });

    it("gives the CI deployer rollout rights and get on named Secrets only", async () => {
        const ns = new SecureNamespace("payments", args({ deployer: { readableSecrets: ["payments-db"] } }));
        assert.equal(await valueOf(ns.deployerServiceAccountName), "ci-deployer");
        await settled();
        const sa = named("kubernetes:core/v1:ServiceAccount", "payments-ci-deployer").inputs;
        assert.equal(sa.automountServiceAccountToken, false);
        const rules: any[] = named("kubernetes:rbac.authorization.k8s.io/v1:Role", "payments-ci-deployer-role").inputs
            .rules;
        const secretRules = rules.filter((r) => r.resources.includes("secrets"));
        assert.deepEqual(secretRules, [
            { apiGroups: [""], resources: ["secrets"], resourceNames: ["payments-db"], verbs: ["get"] },
        ]);
        assert.ok(
            rules.some((r) => r.apiGroups.includes("apps") && r.verbs.includes("patch")),
            "can roll out Deployments",
        );
        for (const rule of rules) {
            assert.ok(!rule.verbs.includes("*") && !rule.resources.includes("*"), "no wildcards");
            assert.ok(!rule.apiGroups.includes("rbac.authorization.k8s.io"), "cannot grant itself more");
            assert.ok(!rule.resources.includes("serviceaccounts/token") && !rule.resources.includes("pods/exec"));
        }
        const binding = named(
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            "payments-ci-deployer-binding",
        ).inputs;
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "ci-deployer", namespace: "payments" }]);
    });

    it("parents every child to the component", async () => {
        new SecureNamespace("payments", args({ deployer: {} }));
        await settled();
        const children = resources().filter((r) => r.custom);
        assert.ok(children.length >= 8);
        for (const child of children) assert.equal(child.parentType, "k8s-baseline:index:SecureNamespace", child.name);
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<SecureNamespaceArgs>, RegExp][] = [
            [
                "an unknown env",
                { env: "qa" as never },
                /env: "qa" is not a known environment; fix: use one of dev, stage, prod/,
            ],
            [
                "a namespace that is not DNS-1123",
                { namespace: "Payments_NS" },
                /namespace: "Payments_NS" is not a DNS-1123 label/,
            ],
            [
                "a namespace of another env",
                { namespace: "payments-dev" },
                /namespace: "payments-dev" names environment dev from the prod environment/,
            ],
            ["a project that is not DNS-1123", { project: "Shop" }, /project: "Shop" is not a DNS-1123 label/],
            ["a missing owner", { owner: "" }, /owner: "" is not a valid label value/],
            [
                "egress to anywhere",
                { egress: [{ cidrs: ["0.0.0.0/0"], ports: [{ port: 443 }] }] },
                /egress\[0\]\.cidrs\[0\]: 0\.0\.0\.0\/0 matches any address and undoes default-deny/,
            ],
            [
                "egress with no ports",
                { egress: [{ cidrs: ["10.0.0.0/8"], ports: [] }] },
                /egress\[0\]\.ports: is empty/,
            ],
            [
                "a bad port",
                { egress: [{ namespaces: ["db"], ports: [{ port: 70000 }] }] },
                /egress\[0\]\.ports\[0\]\.port: 70000 is not a port/,
            ],
            [
                "ingress from anywhere",
                { ingress: [{ cidrs: ["::/0"], ports: [{ port: 443 }] }] },
                /ingress\[0\]\.cidrs\[0\]: ::\/0 matches any address/,
            ],
            [
                "ingress from nobody",
                { ingress: [{ ports: [{ port: 443 }] }] },
                /ingress\[0\]: names no peer; fix: give cidrs or namespaces/,
            ],
            [
                "a bad CIDR",
                { egress: [{ cidrs: ["10.0.0.0"], ports: [{ port: 443 }] }] },
                /"10\.0\.0\.0" is not a CIDR block/,
            ],
            [
                "edit access in prod",
                { access: [{ group: "devs", role: "edit" }] },
                /access\[0\]\.role: edit exceeds what the prod profile allows people \(view\)/,
            ],
            [
                "cluster-admin",
                { env: "dev", access: [{ group: "devs", role: "cluster-admin" as never }] },
                /access\[0\]\.role: "cluster-admin" is not an access role/,
            ],
            [
                "a system group",
                { access: [{ group: "system:masters", role: "view" }] },
                /access\[0\]\.group: "system:masters" is not a group this package may bind/,
            ],
            [
                "a wildcard readable secret",
                { deployer: { readableSecrets: ["*"] } },
                /deployer\.readableSecrets\[0\]: "\*" is not a Secret name/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new SecureNamespace("payments", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^SecureNamespace "payments": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }
    });
});
