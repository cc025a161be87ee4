/**
 * Evaluates every generated CEL expression with a CEL engine (@bufbuild/cel, standard CEL plus the strings
 * extension) against real manifests: each rule admits the compliant Pod and rejects a Pod that breaks it, in
 * its containers, its init containers and its ephemeral containers; the same expressions, rewritten the way
 * Kyverno's autogen rewrites them, judge Deployments and CronJobs alike.
 */
import * as assert from "node:assert/strict";
import { isCelError, run } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import {
    BaselinePolicyName,
    BaselineRule,
    baselineRules,
    exceptionMatchExpression,
    imageFromRegistries,
    imageNotMutable,
    imagePinnedByDigest,
    KYVERNO_AUTOGEN_CONTROLLERS,
    baselinePolicyManifests,
    PolicyCoverage,
    resolveBaselinePoliciesArgs,
    ruleInputsOf,
    ValidatingPolicyManifest,
} from "../../../../components/addons/kyverno";
import {
    Environment,
    ENVIRONMENTS,
    imageFromRegistry,
    imageHasDigest,
    MUTABLE_TAGS,
    NAMESPACE_NAME_LABEL,
    PLATFORM_REGISTRIES,
} from "../../../../components/baseline";
import { coreObjectErrors } from "../../../k8s-schemas";
import {
    APP_REGISTRY,
    compliantCronJob,
    compliantDeployment,
    compliantNamespace,
    compliantPod,
    compliantPodSpec,
    DIGEST,
    exceptionArgs,
    jobPod,
    policiesArgs,
    selectorMatches,
    sharedTopology,
} from "./fixtures";

/**
 * Evaluates `expression` with `object` bound, and `oldObject` (null, as on CREATE, unless given); anything but
 * a bool (an error included) fails the test.
 */
function evaluate(expression: string, object: unknown, oldObject: unknown = null): boolean {
    const result = run(expression, { object: object as never, oldObject: oldObject as never }, { funcs: strings });
    if (isCelError(result)) assert.fail(`${expression}\nfailed: ${result.message}`);
    assert.equal(typeof result, "boolean", `${expression} did not evaluate to a bool`);
    return result as boolean;
}

/** The rule's verdict: skipped (a match condition is false), or whether every validation holds. */
function verdict(rule: BaselineRule, object: unknown, oldObject: unknown = null): "skip" | "pass" | "fail" {
    if (!rule.matchConditions.every((c) => evaluate(c.expression, object, oldObject))) return "skip";
    return rule.validations.every((v) => evaluate(v.expression, object, oldObject)) ? "pass" : "fail";
}

/**
 * Kyverno's autogen (pkg/cel/autogen): every `object.spec` and `object.metadata` becomes the pod template's,
 * except `object.metadata.namespace`, which stays the controller's own.
 */
function autogen(expression: string, kind: string): string {
    const template = kind === "CronJob" ? "spec.jobTemplate.spec.template" : "spec.template";
    return expression
        .replace(/object\.spec(?!\.namespace\b)/g, `object.${template}.spec`)
        .replace(/object\.metadata(?!\.namespace\b)/g, `object.${template}.metadata`);
}

function autogenRule(rule: BaselineRule, kind: string): BaselineRule {
    return {
        ...rule,
        matchConditions: rule.matchConditions.map((c) => ({ ...c, expression: autogen(c.expression, kind) })),
        validations: rule.validations.map((v) => ({ ...v, expression: autogen(v.expression, kind) })),
    };
}

const RESOLVED = resolveBaselinePoliciesArgs("cluster", policiesArgs());
const RULES = baselineRules(ruleInputsOf(RESOLVED));
const rule = (name: BaselinePolicyName): BaselineRule => RULES.find((r) => r.name === name)!;

type PodChange = (pod: Record<string, any>) => void;
const api = (pod: Record<string, any>) => pod.spec.containers[0];
const init = (pod: Record<string, any>) => pod.spec.initContainers[0];
const debug = (pod: Record<string, any>) => pod.spec.ephemeralContainers[0];

/**
 * For each validation of each Pod rule (by `<policy>#<index>`), changes that break it, each in one
 * container list. Every validation must be broken by at least one.
 */
const VIOLATIONS: Record<string, [string, PodChange][]> = {
    [`${BaselinePolicyName.DisallowLatestTag}#0`]: [
        ["a latest tag", (p) => (api(p).image = `${APP_REGISTRY}payments-api:latest`)],
        ["a latest tag beside a digest", (p) => (api(p).image = `${APP_REGISTRY}payments-api:latest@${DIGEST}`)],
        ["no tag at all (an init container)", (p) => (init(p).image = `${APP_REGISTRY}payments-migrate`)],
        ["no tag at all (a debug container)", (p) => (debug(p).image = `${APP_REGISTRY}debug-tools`)],
    ],
    [`${BaselinePolicyName.RequireImageDigest}#0`]: [
        ["a tag only", (p) => (api(p).image = `${APP_REGISTRY}payments-api:1.4.2`)],
        [
            "a truncated digest (an init container)",
            (p) => (init(p).image = `${APP_REGISTRY}payments-migrate@sha256:9f86d08`),
        ],
        ["a tag only (a debug container)", (p) => (debug(p).image = `${APP_REGISTRY}debug-tools:2.1.0`)],
    ],
    [`${BaselinePolicyName.RestrictImageRegistries}#0`]: [
        ["Docker Hub", (p) => (api(p).image = `docker.io/library/nginx:1.27@${DIGEST}`)],
        [
            "a look-alike host",
            (p) => (api(p).image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/shop/api@${DIGEST}`),
        ],
        [
            "another repository of the same registry",
            (p) => (init(p).image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/x@${DIGEST}`),
        ],
        ["a public debug image", (p) => (debug(p).image = `busybox:1.36@${DIGEST}`)],
    ],
    [`${BaselinePolicyName.RequireRequestsLimits}#0`]: [
        ["no resources", (p) => delete api(p).resources],
        ["no cpu limit", (p) => delete api(p).resources.limits.cpu],
        ["no memory request (an init container)", (p) => delete init(p).resources.requests.memory],
        ["no limits (an init container)", (p) => delete init(p).resources.limits],
    ],
    [`${BaselinePolicyName.RequireProbes}#0`]: [
        ["no liveness probe", (p) => delete api(p).livenessProbe],
        ["no readiness probe", (p) => delete api(p).readinessProbe],
    ],
    [`${BaselinePolicyName.RequireReadOnlyRootFilesystem}#0`]: [
        ["a writable root filesystem", (p) => (api(p).securityContext.readOnlyRootFilesystem = false)],
        [
            "readOnlyRootFilesystem unset (an init container)",
            (p) => delete init(p).securityContext.readOnlyRootFilesystem,
        ],
        [
            "a writable root filesystem (a debug container)",
            (p) => (debug(p).securityContext.readOnlyRootFilesystem = false),
        ],
    ],
    [`${BaselinePolicyName.RestrictCapabilities}#0`]: [
        ["NET_ADMIN added", (p) => api(p).securityContext.capabilities.add.push("NET_ADMIN")],
        ["SYS_ADMIN added (an init container)", (p) => (init(p).securityContext.capabilities.add = ["SYS_ADMIN"])],
        ["SYS_PTRACE added (a debug container)", (p) => (debug(p).securityContext.capabilities.add = ["SYS_PTRACE"])],
    ],
    [`${BaselinePolicyName.RestrictCapabilities}#1`]: [
        ["nothing dropped", (p) => delete api(p).securityContext.capabilities.drop],
        ["only NET_RAW dropped (an init container)", (p) => (init(p).securityContext.capabilities.drop = ["NET_RAW"])],
        ["no capabilities (a debug container)", (p) => delete debug(p).securityContext.capabilities],
    ],
    [`${BaselinePolicyName.RestrictServiceAccountToken}#0`]: [
        ["the token mounted", (p) => (p.spec.automountServiceAccountToken = true)],
        ["automount left to the ServiceAccount", (p) => delete p.spec.automountServiceAccountToken],
        [
            "an API token projected beside automount false",
            (p) =>
                (p.spec.volumes = [
                    { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
                ]),
        ],
        [
            "a projected token for an audience the API server may accept",
            (p) =>
                (p.spec.volumes = [
                    {
                        name: "token",
                        projected: { sources: [{ serviceAccountToken: { path: "t", audience: "vault" } }] },
                    },
                ]),
        ],
        [
            "the token mounted by an allowed account's namesake in another namespace",
            (p) => {
                p.metadata.namespace = "reports";
                p.spec.serviceAccountName = "payments-operator";
                p.spec.automountServiceAccountToken = true;
            },
        ],
    ],
};

const POD_RULES = RULES.filter((r) => r.subject === "Pod");

describe("Kyverno CEL rules, evaluated", () => {
    it("the fixtures are valid Kubernetes objects", async () => {
        for (const manifest of [
            compliantPod(),
            jobPod(),
            compliantDeployment(),
            compliantCronJob(),
            compliantNamespace(),
        ]) {
            assert.deepEqual(await coreObjectErrors(manifest as never), [], `${manifest.kind}`);
        }
    });

    it("a violation is listed for every validation of every Pod rule", () => {
        const keys = POD_RULES.flatMap((r) => r.validations.map((_, i) => `${r.name}#${i}`));
        assert.deepEqual(Object.keys(VIOLATIONS).sort(), keys.sort());
    });

    describe("admit the compliant Pod", () => {
        for (const name of Object.values(BaselinePolicyName)) {
            const r = RULES.find((x) => x.name === name);
            if (r === undefined || r.subject !== "Pod") continue;
            it(name, () => {
                const r = rule(name);
                assert.equal(verdict(r, compliantPod()), "pass");
                for (const validation of r.validations)
                    assert.equal(evaluate(validation.expression, compliantPod()), true);
            });
        }
    });

    describe("reject the Pod that breaks them", () => {
        for (const [key, changes] of Object.entries(VIOLATIONS)) {
            const [name, index] = key.split("#");
            for (const [what, change] of changes) {
                it(`${name}: ${what}`, () => {
                    const pod = compliantPod();
                    change(pod);
                    const r = rule(name as BaselinePolicyName);
                    assert.equal(evaluate(r.validations[Number(index)].expression, pod), false);
                    assert.equal(verdict(r, pod), "fail");
                });
            }
        }
    });

    it("each violation breaks only the rule it is listed under", () => {
        for (const [key, changes] of Object.entries(VIOLATIONS)) {
            for (const [what, change] of changes) {
                const pod = compliantPod();
                change(pod);
                const failing = POD_RULES.filter((r) => verdict(r, pod) === "fail").map((r) => r.name);
                const expected = key.split("#")[0] as BaselinePolicyName;
                // A latest tag beside a digest, or no digest, is both a mutable-tag and a digest problem.
                const allowed = new Set<string>([
                    expected,
                    BaselinePolicyName.DisallowLatestTag,
                    BaselinePolicyName.RequireImageDigest,
                ]);
                assert.ok(failing.includes(expected), `${what}: ${failing.join(", ")}`);
                assert.ok(
                    failing.every((f) => allowed.has(f)),
                    `${what} also breaks ${failing.filter((f) => f !== expected).join(", ")}`,
                );
            }
        }
    });

    describe("probes: long-running workloads only", () => {
        const probes = () => rule(BaselinePolicyName.RequireProbes);

        it("skips a Job's Pod, and a bare Pod, which are not long-running", () => {
            assert.equal(verdict(probes(), jobPod()), "skip");
            const bare = compliantPod();
            delete bare.metadata.ownerReferences;
            delete api(bare).livenessProbe;
            assert.equal(verdict(probes(), bare), "skip");
        });

        for (const owner of ["StatefulSet", "DaemonSet", "ReplicationController"]) {
            it(`judges the Pod of a ${owner}`, () => {
                const pod = compliantPod();
                pod.metadata.ownerReferences[0].kind = owner;
                assert.equal(verdict(probes(), pod), "pass");
                delete api(pod).readinessProbe;
                assert.equal(verdict(probes(), pod), "fail");
            });
        }

        it("are derived for the long-running controllers only, not Jobs or CronJobs", () => {
            assert.deepEqual(probes().autogenControllers, ["daemonsets", "deployments", "replicasets", "statefulsets"]);
        });
    });

    it("admit a projected token for AWS STS, which the API server does not accept", () => {
        const pod = compliantPod();
        pod.spec.volumes = [
            {
                name: "aws-iam-token",
                projected: { sources: [{ serviceAccountToken: { path: "token", audience: "sts.amazonaws.com" } }] },
            },
        ];
        assert.equal(verdict(rule(BaselinePolicyName.RestrictServiceAccountToken), pod), "pass");
    });

    describe("Services and Ingresses", () => {
        const svc = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "api", namespace: "payments", ...(annotations ? { annotations } : {}) },
            spec: { ports: [{ port: 80 }], ...spec },
        });
        const ing = (spec: Record<string, unknown>) => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: "api", namespace: "payments" },
            spec: { rules: [{ host: "pay.example.com" }], ...spec },
        });
        const scheme = "service.beta.kubernetes.io/aws-load-balancer-scheme";
        const cases: [BaselinePolicyName, string, unknown, "pass" | "fail"][] = [
            [BaselinePolicyName.RestrictNodePortServices, "ClusterIP", svc({ type: "ClusterIP" }), "pass"],
            [BaselinePolicyName.RestrictNodePortServices, "NodePort", svc({ type: "NodePort" }), "fail"],
            [BaselinePolicyName.RestrictExternalIPs, "no externalIPs", svc({}), "pass"],
            [BaselinePolicyName.RestrictExternalIPs, "externalIPs", svc({ externalIPs: ["10.0.0.1"] }), "fail"],
            [
                BaselinePolicyName.RequireInternalLoadBalancers,
                "internal LB by the controller",
                svc({ type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb" }, { [scheme]: "internal" }),
                "pass",
            ],
            [
                BaselinePolicyName.RequireInternalLoadBalancers,
                "scheme internal, read by nobody (in-tree)",
                svc({ type: "LoadBalancer" }, { [scheme]: "internal" }),
                "fail",
            ],
            [BaselinePolicyName.RequireInternalLoadBalancers, "public LB", svc({ type: "LoadBalancer" }), "fail"],
            [
                BaselinePolicyName.RequireIngressTls,
                "TLS for its host",
                ing({ tls: [{ hosts: ["pay.example.com"] }] }),
                "pass",
            ],
            [
                BaselinePolicyName.RequireIngressTls,
                "wildcard TLS",
                ing({ tls: [{ hosts: ["*.example.com"] }] }),
                "pass",
            ],
            [BaselinePolicyName.RequireIngressTls, "no TLS", ing({}), "fail"],
            [
                BaselinePolicyName.RequireIngressTls,
                "TLS for another host",
                ing({ tls: [{ hosts: ["x.example.com"] }] }),
                "fail",
            ],
        ];
        for (const [name, what, object, expected] of cases) {
            it(`${name}: ${what}`, () => assert.equal(verdict(rule(name), object), expected));
        }
        it("the fixtures are valid Kubernetes objects", async () => {
            for (const [, what, object] of cases) assert.deepEqual(await coreObjectErrors(object as never), [], what);
        });
    });

    describe("RoleBindings and ClusterRoleBindings", () => {
        const binding = (kind: string, subjects: unknown[], roleName = "payments-reader") => ({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind,
            metadata: { name: "payments", ...(kind === "RoleBinding" ? { namespace: "payments" } : {}) },
            subjects,
            roleRef: {
                apiGroup: "rbac.authorization.k8s.io",
                kind: kind === "RoleBinding" && roleName === "payments-reader" ? "Role" : "ClusterRole",
                name: roleName,
            },
        });
        const sa = { kind: "ServiceAccount", name: "payments-api", namespace: "payments" };
        const group = (name: string) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
        const subjects = BaselinePolicyName.RestrictBindingSubjects;
        const admin = BaselinePolicyName.RestrictClusterAdminBindings;
        const cases: [BaselinePolicyName, string, unknown, "pass" | "fail"][] = [
            [subjects, "a ServiceAccount", binding("RoleBinding", [sa]), "pass"],
            [subjects, "a team's group", binding("ClusterRoleBinding", [group("payments-devs")], "view"), "pass"],
            [subjects, "system:authenticated", binding("ClusterRoleBinding", [group("system:authenticated")]), "fail"],
            [
                subjects,
                "a namespace's ServiceAccounts",
                binding("RoleBinding", [group("system:serviceaccounts:a")]),
                "fail",
            ],
            [subjects, "system:masters", binding("ClusterRoleBinding", [group("system:masters")]), "fail"],
            [subjects, "no subjects", binding("RoleBinding", []), "pass"],
            [admin, "cluster-admin to a ServiceAccount", binding("RoleBinding", [sa], "cluster-admin"), "fail"],
            [
                admin,
                "cluster-admin to system:masters",
                binding("ClusterRoleBinding", [group("system:masters")], "cluster-admin"),
                "pass",
            ],
            [
                admin,
                "cluster-admin to everyone",
                binding("ClusterRoleBinding", [group("system:authenticated")], "cluster-admin"),
                "fail",
            ],
            [admin, "view to a ServiceAccount", binding("ClusterRoleBinding", [sa], "view"), "pass"],
        ];
        for (const [name, what, object, expected] of cases) {
            it(`${name}: ${what}`, () => assert.equal(verdict(rule(name), object), expected));
        }

        it("keep on update the subjects the binding already named, and refuse one it adds", () => {
            // The API server reconciles its bootstrap bindings (system:discovery to system:authenticated) by update.
            const old = binding("ClusterRoleBinding", [group("system:authenticated")], "system:discovery");
            const kept = binding("ClusterRoleBinding", [group("system:authenticated")], "system:discovery");
            assert.equal(verdict(rule(subjects), kept, old), "pass");
            const added = binding("ClusterRoleBinding", [
                group("system:authenticated"),
                group("system:unauthenticated"),
            ]);
            assert.equal(verdict(rule(subjects), added, old), "fail");
            assert.equal(verdict(rule(subjects), kept), "fail");
        });
    });

    describe("SecretStores", () => {
        const store = (provider: Record<string, unknown>) => ({
            apiVersion: "external-secrets.io/v1",
            kind: "SecretStore",
            metadata: { name: "store", namespace: "payments" },
            spec: { provider },
        });
        const r = BaselinePolicyName.RestrictSecretStoreCredentials;
        const irsa = { jwt: { serviceAccountRef: { name: "payments-api" } } };
        const cases: [string, unknown, "pass" | "fail"][] = [
            ["aws with IRSA", store({ aws: { service: "SecretsManager", auth: irsa } }), "pass"],
            ["aws without auth", store({ aws: { service: "SecretsManager" } }), "fail"],
            ["aws with static keys", store({ aws: { service: "SecretsManager", auth: { secretRef: {} } } }), "fail"],
            [
                "vault with a token",
                store({ vault: { server: "https://v", auth: { tokenSecretRef: { name: "t" } } } }),
                "fail",
            ],
            [
                "vault with Kubernetes auth",
                store({ vault: { server: "https://v", auth: { kubernetes: { role: "r" } } } }),
                "pass",
            ],
        ];
        for (const [what, object, expected] of cases) {
            it(`${r}: ${what}`, () => assert.equal(verdict(rule(r), object), expected));
        }
    });

    describe("NetworkPolicies", () => {
        const np = (spec: Record<string, unknown>) => ({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "api", namespace: "payments" },
            spec: { podSelector: {}, ...spec },
        });
        const shop = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } };
        const open = BaselinePolicyName.RestrictOpenNetworkRules;
        const all = BaselinePolicyName.RestrictAllNamespacesPeers;
        const space = BaselinePolicyName.RestrictWholeAddressSpace;
        const metadata = BaselinePolicyName.RestrictMetadataEgress;
        const cases: [BaselinePolicyName, string, unknown, "pass" | "fail"][] = [
            [open, "named peers", np({ ingress: [{ from: [shop] }] }), "pass"],
            [open, "no from", np({ ingress: [{ ports: [{ port: 80 }] }] }), "fail"],
            [open, "an empty peer", np({ ingress: [{ from: [{}] }] }), "fail"],
            [open, "no to, egress not applied", np({ policyTypes: ["Ingress"], egress: [{}] }), "pass"],
            [all, "a namespace by name", np({ ingress: [{ from: [shop] }] }), "pass"],
            [all, "namespaceSelector {}", np({ ingress: [{ from: [{ namespaceSelector: {} }] }] }), "fail"],
            [
                all,
                "NotIn",
                np({
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: {
                                        matchExpressions: [{ key: "x", operator: "NotIn", values: ["a"] }],
                                    },
                                },
                            ],
                        },
                    ],
                }),
                "fail",
            ],
            [space, "a subnet", np({ egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }] }), "pass"],
            [space, "0.0.0.0/0", np({ egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }), "fail"],
            [space, "::/0", np({ ingress: [{ from: [{ ipBlock: { cidr: "::/0" } }] }] }), "fail"],
            [metadata, "a subnet", np({ egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }] }), "pass"],
            [metadata, "no to", np({ egress: [{ ports: [{ port: 443 }] }] }), "fail"],
            [metadata, "0.0.0.0/0", np({ egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }), "fail"],
            [metadata, "ingress from everywhere", np({ ingress: [{}] }), "pass"],
        ];
        for (const [name, what, object, expected] of cases) {
            it(`${name}: ${what}`, () => assert.equal(verdict(rule(name), object), expected));
        }
    });

    it("allow a declared ServiceAccount to mount its token, in its own namespace only", () => {
        const r = rule(BaselinePolicyName.RestrictServiceAccountToken);
        const pod = compliantPod();
        pod.spec.serviceAccountName = "payments-operator";
        pod.spec.automountServiceAccountToken = true;
        assert.equal(verdict(r, pod), "pass");
        const noAllowList = baselineRules({ ...ruleInputsOf(RESOLVED), apiAccessServiceAccounts: [] }).find(
            (x) => x.name === BaselinePolicyName.RestrictServiceAccountToken,
        )!;
        assert.equal(verdict(noAllowList, pod), "fail");
        assert.equal(verdict(noAllowList, compliantPod()), "pass");
    });

    describe("judge controllers through Kyverno's autogen rewrite", () => {
        for (const r of POD_RULES) {
            for (const [kind, controller, make] of [
                ["Deployment", "deployments", compliantDeployment],
                ["CronJob", "cronjobs", compliantCronJob],
            ] as const) {
                if (!r.autogenControllers.includes(controller)) continue;
                it(`${r.name} on a ${kind}`, () => {
                    const derived = autogenRule(r, kind);
                    assert.equal(verdict(derived, make()), "pass");
                    const key = `${r.name}#0`;
                    const [what, change] = VIOLATIONS[key][0];
                    const pod = compliantPod();
                    change(pod);
                    const spec = pod.spec;
                    delete spec.ephemeralContainers;
                    assert.equal(verdict(derived, make(spec)), "fail", what);
                });
            }
        }

        it("keeps the controller's namespace for the ServiceAccount allow-list", () => {
            const derived = autogenRule(rule(BaselinePolicyName.RestrictServiceAccountToken), "Deployment");
            const spec = compliantPodSpec();
            spec.serviceAccountName = "payments-operator";
            spec.automountServiceAccountToken = true;
            assert.equal(verdict(derived, compliantDeployment(spec)), "pass");
            const elsewhere = compliantDeployment(spec);
            elsewhere.metadata.namespace = "reports";
            assert.equal(verdict(derived, elsewhere), "fail");
        });

        it("every autogen name is one Kyverno knows", () => {
            const known = new Set(Object.values(KYVERNO_AUTOGEN_CONTROLLERS));
            for (const r of POD_RULES) for (const c of r.autogenControllers) assert.ok(known.has(c), c);
        });
    });

    describe("namespace labels", () => {
        const r = () => rule(BaselinePolicyName.RequireNamespaceLabels);

        it("admit a namespace labelled owner, env and tier for this env", () => {
            assert.equal(verdict(r(), compliantNamespace("prod")), "pass");
            for (const v of r().validations) assert.equal(evaluate(v.expression, compliantNamespace("prod")), true);
        });

        for (const label of ["owner", "env", "tier"]) {
            it(`reject a namespace without ${label}`, () => {
                const ns = compliantNamespace();
                delete ns.metadata.labels[label];
                assert.equal(evaluate(r().validations[0].expression, ns), false);
            });
        }

        it("reject an empty label and a namespace with no labels", () => {
            const empty = compliantNamespace();
            empty.metadata.labels.owner = "";
            assert.equal(evaluate(r().validations[0].expression, empty), false);
            const bare = { apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } };
            assert.equal(evaluate(r().validations[0].expression, bare), false);
            assert.equal(verdict(r(), bare), "fail");
        });

        it("reject a namespace of another env in this env's cluster", () => {
            assert.equal(evaluate(r().validations[1].expression, compliantNamespace("dev")), false);
            assert.equal(verdict(r(), compliantNamespace("dev")), "fail");
        });
    });

    describe("agree with the baseline's own helpers", () => {
        const images = [
            `${APP_REGISTRY}payments-api:1.4.2@${DIGEST}`,
            `${APP_REGISTRY}payments-api@${DIGEST}`,
            `${APP_REGISTRY}payments-api:1.4.2`,
            `${APP_REGISTRY}payments-api:latest`,
            `${APP_REGISTRY}payments-api`,
            `${APP_REGISTRY}payments-api@sha256:abc`,
            "registry.k8s.io/pause:3.10",
            `reg.kyverno.io/kyverno/kyverno:v1.19.0@${DIGEST}`,
            "localhost:5000/app:1.0",
            "localhost:5000/app",
            "nginx",
            `docker.io/library/nginx@${DIGEST}`,
            `${APP_REGISTRY.slice(0, -1)}x/app@${DIGEST}`,
        ];
        const registries = [APP_REGISTRY, ...PLATFORM_REGISTRIES];

        for (const image of images) {
            it(image, () => {
                const cel = (expression: string) => {
                    const result = run(expression, { img: image }, { funcs: strings });
                    if (isCelError(result)) assert.fail(result.message);
                    return result;
                };
                assert.equal(cel(imagePinnedByDigest("img")), imageHasDigest(image), "digest");
                assert.equal(
                    cel(imageFromRegistries("img", registries)),
                    imageFromRegistry(image, registries),
                    "registry",
                );
                // The reference's tag, read the long way: after the last ':' of the last path segment, digest removed.
                const reference = image.split("@")[0];
                const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
                const tag = lastSegment.includes(":") ? lastSegment.split(":")[1] : undefined;
                const mutable = tag === undefined ? !image.includes("@") : MUTABLE_TAGS.includes(tag);
                assert.equal(cel(imageNotMutable("img")), !mutable, "mutable tag");
            });
        }
    });

    describe("exception match conditions", () => {
        const resolved = resolveBaselinePoliciesArgs(
            "cluster",
            policiesArgs({
                exceptions: [
                    exceptionArgs({
                        namespaces: ["payments"],
                        matchLabels: { "app.kubernetes.io/name": "payments-api" },
                    }),
                ],
            }),
        );
        const expression = exceptionMatchExpression(resolved.exceptions[0]);

        it("select the labelled objects of the namespaces, and the namespace itself", () => {
            assert.equal(evaluate(expression, compliantPod()), true);
            assert.equal(evaluate(expression, compliantDeployment()), true);
            const namespace = compliantNamespace();
            namespace.metadata.labels["app.kubernetes.io/name"] = "payments-api";
            assert.equal(evaluate(expression, namespace), true);
        });

        it("leave other namespaces and other workloads alone", () => {
            const elsewhere = compliantPod();
            elsewhere.metadata.namespace = "reports";
            assert.equal(evaluate(expression, elsewhere), false);
            const other = compliantPod();
            other.metadata.labels["app.kubernetes.io/name"] = "payments-worker";
            assert.equal(evaluate(expression, other), false);
            const unlabelled = compliantPod();
            delete unlabelled.metadata.labels;
            assert.equal(evaluate(expression, unlabelled), false);
        });
    });

    describe("on one cluster shared by dev, stage and prod", () => {
        const topology = sharedTopology();
        const policySets: [Environment, PolicyCoverage][] = [
            ...ENVIRONMENTS.map((env): [Environment, PolicyCoverage] => [env, PolicyCoverage.Environment]),
            [Environment.Dev, PolicyCoverage.Unclaimed],
        ];
        const policies: ValidatingPolicyManifest[] = policySets.flatMap(
            ([env, coverage]) =>
                baselinePolicyManifests(
                    resolveBaselinePoliciesArgs(
                        "cluster",
                        policiesArgs({ env, topology, coverage, apiAccessServiceAccounts: [] }),
                    ),
                ).validatingPolicies,
        );
        const suffixes = [...ENVIRONMENTS, "unclaimed"];

        /** The policies of rule `base` whose namespaceSelector selects the namespace `name` with `labels`. */
        function judging(base: string, name: string, labels: Record<string, string>): ValidatingPolicyManifest[] {
            const all = { ...labels, [NAMESPACE_NAME_LABEL]: name };
            return policies.filter(
                (p) =>
                    suffixes.some((suffix) => p.metadata.name === `${base}-${suffix}`) &&
                    selectorMatches(p.spec.matchConstraints.namespaceSelector, all),
            );
        }

        function judge(policy: ValidatingPolicyManifest, object: unknown): "pass" | "fail" {
            return policy.spec.validations.every((v) => evaluate(v.expression, object)) ? "pass" : "fail";
        }

        const podIn = (namespace: string, probes: boolean) => {
            const pod = compliantPod();
            pod.metadata.namespace = namespace;
            if (!probes) delete pod.spec.containers[0].livenessProbe;
            return pod;
        };

        const cases: [string, string, Record<string, string>, string, string[]][] = [
            ["a dev namespace audits and warns", "payments-dev", { env: "dev" }, "dev", ["Audit", "Warn"]],
            ["a stage namespace audits and warns", "payments-stage", { env: "stage" }, "stage", ["Audit", "Warn"]],
            ["a prod namespace denies", "payments-prod", { env: "prod" }, "prod", ["Deny"]],
            ["an unlabelled namespace is judged as prod", "scratch", {}, "unclaimed", ["Deny"]],
            ["a namespace of an unknown env is judged as prod", "scratch-qa", { env: "qa" }, "unclaimed", ["Deny"]],
        ];
        for (const [title, namespace, labels, suffix, actions] of cases) {
            it(title, () => {
                const matched = judging(BaselinePolicyName.RequireProbes, namespace, labels);
                assert.deepEqual(
                    matched.map((p) => p.metadata.name),
                    [`${BaselinePolicyName.RequireProbes}-${suffix}`],
                );
                assert.deepEqual(matched[0].spec.validationActions, actions);
                assert.equal(judge(matched[0], podIn(namespace, true)), "pass");
                assert.equal(judge(matched[0], podIn(namespace, false)), "fail");
            });
        }

        it("each rule of a namespace's set judges it, no other set's, and the excluded namespaces none", () => {
            // Prod's profile has every rule; dev's leaves out those its exposure profile allows (NodePorts).
            const bases = new Set(baselineRules(ruleInputsOf(RESOLVED)).map((r) => r.name));
            const names = new Set(policies.map((p) => p.metadata.name));
            for (const base of bases) {
                for (const [namespace, labels, suffix] of [
                    ["payments-dev", { env: "dev" }, "dev"],
                    ["payments-stage", { env: "stage" }, "stage"],
                    ["payments-prod", { env: "prod" }, "prod"],
                    ["scratch", {}, "unclaimed"],
                ] as const) {
                    const expected = names.has(`${base}-${suffix}`) ? [`${base}-${suffix}`] : [];
                    const matched = judging(base, namespace, labels).map((p) => p.metadata.name);
                    assert.deepEqual(matched, expected, `${base} in ${namespace}`);
                }
                assert.deepEqual(judging(base, "kube-system", { env: "prod" }), [], base);
            }
            assert.ok(names.has(`${BaselinePolicyName.RestrictNodePortServices}-unclaimed`));
            assert.ok(!names.has(`${BaselinePolicyName.RestrictNodePortServices}-dev`));
        });

        it("refuses, as prod, a Namespace no env of the cluster claims", () => {
            const rule = BaselinePolicyName.RequireNamespaceLabels;
            const unlabelled = { apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } };
            const [forUnlabelled] = judging(rule, "scratch", {});
            assert.equal(forUnlabelled.metadata.name, `${rule}-unclaimed`);
            assert.deepEqual(forUnlabelled.spec.validationActions, ["Deny"]);
            assert.equal(judge(forUnlabelled, unlabelled), "fail");
            // Owner, env and tier present, but env names no env of the cluster.
            const qa = compliantNamespace("qa");
            const [forQa] = judging(rule, qa.metadata.name, qa.metadata.labels);
            assert.equal(forQa.metadata.name, `${rule}-unclaimed`);
            assert.equal(judge(forQa, qa), "fail");
            // The env's own Namespace passes its env's policy.
            const dev = compliantNamespace("dev");
            const [forDev] = judging(rule, dev.metadata.name, dev.metadata.labels);
            assert.equal(forDev.metadata.name, `${rule}-dev`);
            assert.equal(judge(forDev, dev), "pass");
        });
    });
});
