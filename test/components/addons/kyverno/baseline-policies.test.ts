import * as assert from "node:assert/strict";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    BaselinePolicies,
    BaselinePoliciesArgs,
    BaselinePolicyName,
    baselinePolicyManifests,
    kyvernoValues,
    PolicyCoverage,
    resolveBaselinePoliciesArgs,
    resolveKyvernoArgs,
    runsAsOneOf,
} from "../../../../components/addons/kyverno";
import {
    ADMISSION_EXCLUDED_NAMESPACES,
    dedicatedTopology,
    ENVIRONMENTS,
    PLATFORM_NAMESPACES,
    PLATFORM_REGISTRIES,
} from "../../../../components/baseline";
import {
    APP_REGISTRY,
    BINDING_RULES,
    daysFromToday,
    exceptionArgs,
    EXPOSURE_RULES,
    KEYLESS,
    NETWORK_POLICY_RULES,
    policiesArgs,
    PUBLIC_KEY,
    sharedTopology,
} from "./fixtures";

const VALIDATING = "kubernetes:policies.kyverno.io/v1:ValidatingPolicy";
const IMAGE_VALIDATING = "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy";
const EXCEPTION = "kubernetes:policies.kyverno.io/v1:PolicyException";
const MUTATING = "kubernetes:policies.kyverno.io/v1:MutatingPolicy";

/** The rules that read ephemeral containers, each with a twin on `pods/ephemeralcontainers`. */
const EPHEMERAL_RULES: readonly string[] = [
    BaselinePolicyName.DisallowLatestTag,
    BaselinePolicyName.RequireImageDigest,
    BaselinePolicyName.RestrictImageRegistries,
    BaselinePolicyName.RequireReadOnlyRootFilesystem,
    BaselinePolicyName.RestrictCapabilities,
];

/** Every ValidatingPolicy of prod: one per rule (prod's profile asks for every Service rule), then the twins. */
const RULE_POLICIES: readonly string[] = [
    ...Object.values(BaselinePolicyName).filter((n) => n !== BaselinePolicyName.VerifyImageSignatures),
    ...EPHEMERAL_RULES.map((n) => `${n}-ephemeral`),
];

function policy(name: string): Record<string, any> {
    return named(VALIDATING, `cluster-${name}`).inputs;
}

describe("BaselinePolicies", () => {
    beforeEach(resetResources);

    it("creates one ValidatingPolicy per rule of the baseline", async () => {
        const policies = new BaselinePolicies("cluster", policiesArgs());
        assert.deepEqual(await valueOf(policies.policyNames), RULE_POLICIES);
        await settled();
        const created = ofType(VALIDATING);
        assert.deepEqual(created.map((p) => p.inputs.metadata.name).sort(), [...RULE_POLICIES].sort());
        for (const p of created) {
            assert.equal(p.inputs.apiVersion, "policies.kyverno.io/v1");
            assert.equal(p.inputs.kind, "ValidatingPolicy");
            assert.ok(p.inputs.spec.validations.length >= 1);
            for (const v of p.inputs.spec.validations) assert.ok(v.expression && v.message, p.name);
        }
        assert.equal(ofType(IMAGE_VALIDATING).length, 0);
    });

    it("creates the MutatingPolicy defaulting Pods to no API token, in the validating policies' namespaces", async () => {
        const args = policiesArgs({ apiAccessServiceAccounts: [{ namespace: "reports", name: "reports" }] });
        const policies = new BaselinePolicies("cluster", args);
        assert.deepEqual(await valueOf(policies.mutatingPolicyNames), ["baseline-default-no-token-automount"]);
        await settled();
        const [mutating, ...more] = ofType(MUTATING);
        assert.equal(more.length, 0);
        assert.equal(mutating.parentType, "k8s-baseline:index:BaselinePolicies");
        assert.equal(mutating.inputs.kind, "MutatingPolicy");
        assert.equal(mutating.inputs.apiVersion, "policies.kyverno.io/v1");
        // The namespaces the token rule judges, exclusions included, and nothing more.
        const tokenRule = policy(BaselinePolicyName.RestrictServiceAccountToken);
        assert.ok(tokenRule.spec.validations[0].expression.includes("reports/reports"));
        assert.deepEqual(
            mutating.inputs.spec.matchConstraints.namespaceSelector,
            tokenRule.spec.matchConstraints.namespaceSelector,
        );
        const excluded = mutating.inputs.spec.matchConstraints.namespaceSelector.matchExpressions[0];
        assert.deepEqual([...excluded.values].sort(), [...ADMISSION_EXCLUDED_NAMESPACES].sort());
        // The declared ServiceAccount keeps its token: the same one the token rule lets mount it.
        const conditions = mutating.inputs.spec.matchConditions.map((c: { expression: string }) => c.expression);
        assert.deepEqual(conditions, [
            "!has(object.spec.automountServiceAccountToken)",
            `!(${runsAsOneOf([{ namespace: "reports", name: "reports" }])})`,
        ]);
        assert.deepEqual(mutating.inputs.spec.mutations[0].applyConfiguration, {
            expression: "Object{spec: Object.spec{automountServiceAccountToken: false}}",
        });
    });

    it("names the MutatingPolicy for its env on a shared cluster and selects only that env's namespaces", () => {
        const [mutating] = baselinePolicyManifests(
            resolveBaselinePoliciesArgs(
                "cluster",
                policiesArgs({ env: "dev", topology: sharedTopology(), apiAccessServiceAccounts: [] }),
            ),
        ).mutatingPolicies;
        assert.equal(mutating.metadata.name, "baseline-default-no-token-automount-dev");
        assert.deepEqual(mutating.spec.matchConstraints.namespaceSelector.matchExpressions.slice(-1), [
            { key: "env", operator: "In", values: ["dev"] },
        ]);
    });

    it("denies in prod", async () => {
        new BaselinePolicies("cluster", policiesArgs({ env: "prod" }));
        await settled();
        for (const p of ofType(VALIDATING)) assert.deepEqual(p.inputs.spec.validationActions, ["Deny"], p.name);
    });

    for (const env of ["dev", "stage"] as const) {
        it(`audits and warns in ${env}`, async () => {
            new BaselinePolicies("cluster", policiesArgs({ env }));
            await settled();
            for (const p of ofType(VALIDATING))
                assert.deepEqual(p.inputs.spec.validationActions, ["Audit", "Warn"], p.name);
        });
    }

    it("fails closed and never sets the deprecated validationFailureAction", async () => {
        new BaselinePolicies("cluster", policiesArgs({ imageVerification: { keyless: KEYLESS } }));
        await settled();
        for (const p of [...ofType(VALIDATING), ...ofType(IMAGE_VALIDATING)]) {
            assert.equal(p.inputs.spec.failurePolicy, "Fail", p.name);
            assert.equal(p.inputs.spec.validationFailureAction, undefined, p.name);
        }
    });

    it("annotates every policy as kyverno/policies does", async () => {
        new BaselinePolicies("cluster", policiesArgs({ imageVerification: { keyless: KEYLESS } }));
        await settled();
        for (const p of [...ofType(VALIDATING), ...ofType(IMAGE_VALIDATING)]) {
            const annotations = p.inputs.metadata.annotations;
            for (const key of ["title", "category", "severity", "subject", "description"]) {
                assert.ok(annotations[`policies.kyverno.io/${key}`], `${p.name} ${key}`);
            }
            assert.ok(["low", "medium", "high"].includes(annotations["policies.kyverno.io/severity"]));
        }
        assert.equal(
            policy(BaselinePolicyName.RequireNamespaceLabels).metadata.annotations["policies.kyverno.io/subject"],
            "Namespace",
        );
        assert.equal(
            policy(BaselinePolicyName.RestrictCapabilities).metadata.annotations["policies.kyverno.io/subject"],
            "Pod",
        );
    });

    it("matches Pods in a way Kyverno can autogen for the pod controllers", async () => {
        new BaselinePolicies("cluster", policiesArgs());
        await settled();
        const podRules = RULE_POLICIES.filter(
            (n) =>
                n !== BaselinePolicyName.RequireNamespaceLabels &&
                n !== BaselinePolicyName.RestrictLegacyTokenSecrets &&
                !EXPOSURE_RULES.includes(n) &&
                !BINDING_RULES.includes(n) &&
                !NETWORK_POLICY_RULES.includes(n) &&
                n !== BaselinePolicyName.RestrictSecretStoreCredentials &&
                !n.endsWith("-ephemeral"),
        );
        for (const name of podRules) {
            const spec = policy(name).spec;
            // Kyverno autogens only for exactly one rule on core v1 pods, without object selector or exclusions.
            assert.deepEqual(spec.matchConstraints.resourceRules, [
                { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] },
            ]);
            assert.equal(spec.matchConstraints.objectSelector, undefined);
            assert.equal(spec.matchConstraints.excludeResourceRules, undefined);
            const expected =
                name === BaselinePolicyName.RequireProbes
                    ? ["daemonsets", "deployments", "replicasets", "statefulsets"]
                    : ["cronjobs", "daemonsets", "deployments", "jobs", "replicasets", "statefulsets"];
            assert.deepEqual(spec.autogen.podControllers.controllers, expected, name);
            assert.deepEqual(spec.autogen.validatingAdmissionPolicy, { enabled: false });
        }
        const namespaces = policy(BaselinePolicyName.RequireNamespaceLabels).spec;
        assert.deepEqual(namespaces.matchConstraints.resourceRules[0].resources, ["namespaces"]);
        assert.equal(namespaces.autogen.podControllers, undefined);
        const secrets = policy(BaselinePolicyName.RestrictLegacyTokenSecrets).spec;
        assert.deepEqual(secrets.matchConstraints.resourceRules[0].resources, ["secrets"]);
        for (const name of EXPOSURE_RULES) {
            const spec = policy(name).spec;
            const resource = name === BaselinePolicyName.RequireIngressTls ? "ingresses" : "services";
            assert.deepEqual(spec.matchConstraints.resourceRules[0].resources, [resource], name);
            assert.equal(spec.autogen.podControllers, undefined, name);
        }
    });

    it("judges RoleBindings, ClusterRoleBindings and NetworkPolicies without autogen, in every env", () => {
        for (const env of ["dev", "stage", "prod"] as const) {
            const byName = new Map(
                baselinePolicyManifests(
                    resolveBaselinePoliciesArgs("cluster", policiesArgs({ env })),
                ).validatingPolicies.map((p) => [p.metadata.name, p]),
            );
            for (const [names, group, resources] of [
                [BINDING_RULES, "rbac.authorization.k8s.io", ["rolebindings", "clusterrolebindings"]],
                [NETWORK_POLICY_RULES, "networking.k8s.io", ["networkpolicies"]],
            ] as const) {
                for (const name of names) {
                    const spec = byName.get(name)?.spec;
                    assert.ok(spec, `${env} ${name}`);
                    assert.deepEqual(spec.matchConstraints.resourceRules, [
                        { apiGroups: [group], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources },
                    ]);
                    assert.equal(spec.autogen.podControllers, undefined, name);
                    assert.deepEqual(spec.autogen.validatingAdmissionPolicy, { enabled: false });
                    assert.equal(spec.matchConditions, undefined, name);
                }
            }
        }
        const stores = baselinePolicyManifests(
            resolveBaselinePoliciesArgs("cluster", policiesArgs()),
        ).validatingPolicies.find((p) => p.metadata.name === BaselinePolicyName.RestrictSecretStoreCredentials);
        // Namespaced SecretStores only: no namespace exclusion would spare a ClusterSecretStore.
        assert.deepEqual(stores?.spec.matchConstraints.resourceRules, [
            {
                apiGroups: ["external-secrets.io"],
                apiVersions: ["v1"],
                operations: ["CREATE", "UPDATE"],
                resources: ["secretstores"],
            },
        ]);
        assert.equal(stores?.spec.autogen.podControllers, undefined);
        const subjects = baselinePolicyManifests(
            resolveBaselinePoliciesArgs("cluster", policiesArgs()),
        ).validatingPolicies.find((p) => p.metadata.name === BaselinePolicyName.RestrictBindingSubjects);
        assert.equal(
            subjects?.metadata.annotations?.["policies.kyverno.io/subject"],
            "RoleBinding, ClusterRoleBinding",
        );
    });

    it("judges the ephemeral containers kubectl debug adds, through their subresource", async () => {
        new BaselinePolicies("cluster", policiesArgs());
        await settled();
        for (const name of EPHEMERAL_RULES) {
            const rule = policy(name).spec;
            const twin = policy(`${name}-ephemeral`).spec;
            assert.deepEqual(twin.matchConstraints.resourceRules, [
                {
                    apiGroups: [""],
                    apiVersions: ["v1"],
                    operations: ["UPDATE"],
                    resources: ["pods/ephemeralcontainers"],
                },
            ]);
            assert.deepEqual(twin.validations, rule.validations, name);
            assert.equal(twin.autogen.podControllers, undefined, name);
        }
    });

    it("generates the Service and Ingress rules the env's exposure profile asks for", () => {
        const names = (env: "dev" | "stage" | "prod"): string[] =>
            baselinePolicyManifests(resolveBaselinePoliciesArgs("cluster", policiesArgs({ env })))
                .validatingPolicies.map((p) => p.metadata.name)
                .filter((n) => EXPOSURE_RULES.includes(n));
        assert.deepEqual(names("dev"), [BaselinePolicyName.RestrictExternalIPs]);
        assert.deepEqual(names("stage"), EXPOSURE_RULES);
        assert.deepEqual(names("prod"), EXPOSURE_RULES);
    });

    it("leaves kube-system and the add-ons' namespaces alone by their immutable name label, and nothing else", async () => {
        new BaselinePolicies("cluster", policiesArgs({ imageVerification: { publicKeys: [PUBLIC_KEY] } }));
        await settled();
        for (const p of [...ofType(VALIDATING), ...ofType(IMAGE_VALIDATING)]) {
            assert.deepEqual(p.inputs.spec.matchConstraints.namespaceSelector, {
                matchExpressions: [
                    {
                        key: "kubernetes.io/metadata.name",
                        operator: "NotIn",
                        values: ["kube-system", ...Object.values(PLATFORM_NAMESPACES)],
                    },
                ],
            });
        }
    });

    it("excludes by default ADMISSION_EXCLUDED_NAMESPACES, each of which Kyverno's webhooks leave out too", () => {
        const webhooks = kyvernoValues(resolveKyvernoArgs("kyverno", { env: "prod" })) as any;
        const [policy] = baselinePolicyManifests(
            resolveBaselinePoliciesArgs("cluster", policiesArgs()),
        ).validatingPolicies;
        const excluded = policy.spec.matchConstraints.namespaceSelector.matchExpressions[0].values;
        assert.deepEqual(excluded, ADMISSION_EXCLUDED_NAMESPACES);
        for (const ns of ["kube-public", "kube-node-lease", "default"]) assert.ok(!excluded.includes(ns), ns);
        const webhookExcluded = webhooks.config.webhooks.namespaceSelector.matchExpressions[0].values;
        for (const ns of excluded) assert.ok(webhookExcluded.includes(ns), ns);
    });

    it("excludes the namespaces given instead", async () => {
        const excluded = ["kube-system", "kyverno", "monitoring"];
        new BaselinePolicies("cluster", policiesArgs({ excludedNamespaces: excluded }));
        await settled();
        assert.deepEqual(
            policy(BaselinePolicyName.RequireProbes).spec.matchConstraints.namespaceSelector.matchExpressions[0].values,
            excluded,
        );
    });

    it("approves the env's registries only, not the platform's", async () => {
        new BaselinePolicies("cluster", policiesArgs());
        await settled();
        const expression = policy(BaselinePolicyName.RestrictImageRegistries).spec.validations[0].expression;
        assert.ok(expression.includes(`'${APP_REGISTRY}'`));
        for (const registry of PLATFORM_REGISTRIES) assert.ok(!expression.includes(`'${registry}'`), registry);
    });

    it("verifies keyless signatures of every image, ephemeral containers included", async () => {
        const policies = new BaselinePolicies("cluster", policiesArgs({ imageVerification: { keyless: KEYLESS } }));
        assert.deepEqual(await valueOf(policies.policyNames), [
            ...RULE_POLICIES,
            BaselinePolicyName.VerifyImageSignatures,
        ]);
        await settled();
        const ivp = named(IMAGE_VALIDATING, "cluster-baseline-verify-image-signatures").inputs;
        assert.deepEqual(ivp.spec.validationActions, ["Deny"]);
        // Kyverno skips an image no reference matches: every image is matched.
        assert.deepEqual(ivp.spec.matchImageReferences, [{ glob: "*" }]);
        assert.deepEqual(
            ivp.spec.matchConstraints.resourceRules.map((r: { resources: string[] }) => r.resources),
            [["pods"], ["pods/ephemeralcontainers"]],
        );
        assert.deepEqual(ivp.spec.attestors, [{ name: "keyless", cosign: { keyless: { identities: [KEYLESS] } } }]);
        // Prod (the fixture's env) verifies digests and does not mutate them (its profile's imageDigests).
        assert.deepEqual(ivp.spec.validationConfigurations, {
            mutateDigest: false,
            verifyDigest: true,
            required: true,
        });
        assert.match(
            ivp.spec.validations[0].expression,
            /images\.containers \+ images\.initContainers \+ images\.ephemeralContainers/,
        );
        assert.match(ivp.spec.validations[0].expression, /verifyImageSignatures\(image, \[attestors\.keyless\]\) > 0/);
    });

    it("verifies signatures by any of the public keys", async () => {
        const next = PUBLIC_KEY.replace("MFkw", "MFkx");
        new BaselinePolicies(
            "cluster",
            policiesArgs({ env: "dev", imageVerification: { publicKeys: [PUBLIC_KEY, next] } }),
        );
        await settled();
        const ivp = named(IMAGE_VALIDATING, "cluster-baseline-verify-image-signatures").inputs;
        assert.deepEqual(ivp.spec.validationActions, ["Audit", "Warn"]);
        assert.deepEqual(ivp.spec.attestors, [
            { name: "key0", cosign: { key: { data: PUBLIC_KEY } } },
            { name: "key1", cosign: { key: { data: next } } },
        ]);
        assert.match(ivp.spec.validations[0].expression, /\[attestors\.key0, attestors\.key1\]\) > 0/);
    });

    it("creates dated, owned exceptions in Kyverno's namespace", async () => {
        // Within prod's 30-day lifetime (policiesArgs is prod).
        const expires = daysFromToday(20);
        new BaselinePolicies(
            "cluster",
            policiesArgs({
                imageVerification: { keyless: KEYLESS },
                exceptions: [
                    exceptionArgs({
                        expires,
                        policies: [BaselinePolicyName.RequireProbes, BaselinePolicyName.VerifyImageSignatures],
                        matchLabels: { "app.kubernetes.io/name": "payments-report" },
                    }),
                ],
            }),
        );
        await settled();
        const exceptions = ofType(EXCEPTION);
        assert.equal(exceptions.length, 1);
        const exception = exceptions[0].inputs;
        assert.equal(exception.metadata.namespace, "kyverno");
        assert.equal(exception.metadata.name, "legacy-reports-probes");
        assert.deepEqual(exception.metadata.annotations, {
            "k8s-baseline/exception-owner": "team-payments",
            "k8s-baseline/exception-reason": "The legacy report server has no health endpoint until PAY-1234 ships.",
            "k8s-baseline/exception-expires": expires,
        });
        assert.deepEqual(exception.spec.policyRefs, [
            { name: "baseline-require-probes", kind: "ValidatingPolicy" },
            { name: "baseline-verify-image-signatures", kind: "ImageValidatingPolicy" },
        ]);
        assert.equal(exception.spec.expiresAt, `${expires}T00:00:00Z`);
        assert.equal(exception.spec.properties.owner, "team-payments");
        assert.equal(exception.spec.matchConditions.length, 1);
        assert.match(exception.spec.matchConditions[0].expression, /object\.metadata\.namespace in \['payments'\]/);
        assert.match(
            exception.spec.matchConditions[0].expression,
            /object\.metadata\.labels\['app\.kubernetes\.io\/name'\] == 'payments-report'/,
        );
    });

    it("parents every child to the component", async () => {
        new BaselinePolicies(
            "cluster",
            policiesArgs({ imageVerification: { keyless: KEYLESS }, exceptions: [exceptionArgs()] }),
        );
        await settled();
        const children = resources().filter((r) => r.custom);
        // The rules' policies, the ImageValidatingPolicy, the MutatingPolicy and the exception.
        assert.equal(children.length, RULE_POLICIES.length + 3);
        for (const child of children) assert.equal(child.parentType, "k8s-baseline:index:BaselinePolicies", child.name);
    });

    it("builds the same objects as a pure function", () => {
        const manifests = baselinePolicyManifests(resolveBaselinePoliciesArgs("cluster", policiesArgs()));
        assert.equal(manifests.validatingPolicies.length, RULE_POLICIES.length);
        assert.equal(manifests.imageValidatingPolicy, undefined);
        assert.deepEqual(manifests.exceptions, []);
    });

    describe("rejects bad input before registering anything", () => {
        const yesterday = daysFromToday(-1);
        const today = daysFromToday(0);
        const cases: [string, Partial<BaselinePoliciesArgs>, RegExp][] = [
            ["an unknown env", { env: "test" as never }, /env: "test" is not a known environment/],
            ["no registry", { registries: [] }, /registries: is empty; fix: list the registries/],
            [
                "a registry without a trailing slash",
                { registries: ["registry.example.com/shop"] },
                /registries\[0\]: "registry.example.com\/shop" is not a registry prefix/,
            ],
            [
                "a registry with a wildcard",
                { registries: ["registry.example.com/*/"] },
                /registries\[0\]: .* is not a registry prefix/,
            ],
            ["a registry with a scheme", { registries: ["https://registry.example.com/"] }, /is not a registry prefix/],
            [
                "a Docker Hub namespace without a host",
                { registries: ["shop/"] },
                /registries\[0\]: shop\/ does not start with a registry host, so it would match Docker Hub images of shop; fix:/,
            ],
            [
                "a whole public registry",
                { registries: ["ghcr.io/"] },
                /registries\[0\]: ghcr.io\/ approves every image published on a public registry; fix: add the organisation's path/,
            ],
            [
                "a ServiceAccount that is not DNS-1123",
                { apiAccessServiceAccounts: [{ namespace: "payments", name: "Operator" }] },
                /apiAccessServiceAccounts\[0\].name: "Operator" is not a DNS-1123 label/,
            ],
            [
                "excluded namespaces without kube-system",
                { excludedNamespaces: ["kyverno"] },
                /excludedNamespaces: leaves out kube-system, which must stay excluded.*; fix: add kube-system/,
            ],
            [
                "an excluded namespace that runs none of the cluster's pods",
                { excludedNamespaces: ["kube-system", "kube-public"] },
                /excludedNamespaces\[1\]: kube-public runs none of the cluster's own pods.*; fix: remove kube-public/,
            ],
            [
                "the default namespace excluded",
                { excludedNamespaces: ["kube-system", "default"] },
                /excludedNamespaces\[1\]: default runs none of the cluster's own pods/,
            ],
            [
                "both keyless and public keys",
                { imageVerification: { keyless: KEYLESS, publicKeys: [PUBLIC_KEY] } },
                /imageVerification: gives both keyless and publicKeys; fix: give exactly one/,
            ],
            [
                "neither keyless nor public keys",
                { imageVerification: {} },
                /imageVerification: gives neither keyless nor publicKeys/,
            ],
            [
                "a keyless issuer over http",
                { imageVerification: { keyless: { ...KEYLESS, issuer: "http://issuer.example.com" } } },
                /imageVerification.keyless.issuer: "http:\/\/issuer.example.com" is not an https OIDC issuer URL/,
            ],
            [
                "a keyless subject with a wildcard",
                { imageVerification: { keyless: { ...KEYLESS, subject: "https://github.com/shop/*" } } },
                /imageVerification.keyless.subject: .* is not an exact signer identity; fix: give the signer's exact identity/,
            ],
            [
                "a public key that is not PEM",
                { imageVerification: { publicKeys: ["ssh-ed25519 AAAA"] } },
                /imageVerification.publicKeys\[0\]: is not a PEM public key/,
            ],
            [
                "an exception that expired yesterday",
                { exceptions: [exceptionArgs({ expires: yesterday })] },
                new RegExp(
                    `exceptions\\[0\\]\\.expires: ${yesterday} has passed \\(today is ${today}\\); fix: remove the exception, or renew it with a new expiry date`,
                ),
            ],
            [
                "an exception that expires today",
                { exceptions: [exceptionArgs({ expires: today })] },
                new RegExp(`exceptions\\[0\\]\\.expires: ${today} has passed`),
            ],
            [
                "an exception that outlives the prod lifetime",
                { exceptions: [exceptionArgs({ expires: daysFromToday(31) })] },
                /exceptions\[0\]\.expires: .* is more than 30 days away \(the longest an exception lives in prod\)/,
            ],
            [
                "an exception dated on a day that does not exist",
                { exceptions: [exceptionArgs({ expires: "2030-02-30" })] },
                /exceptions\[0\]\.expires: "2030-02-30" is not a date; fix: give the day the exception ends, as "YYYY-MM-DD"/,
            ],
            [
                "an exception without an owner",
                { exceptions: [exceptionArgs({ owner: "" })] },
                /exceptions\[0\]\.owner: "" does not name an owner; fix: name the team accountable/,
            ],
            [
                "an exception without a reason",
                { exceptions: [exceptionArgs({ reason: "  " })] },
                /exceptions\[0\]\.reason: is required; fix: say why the workload cannot comply yet/,
            ],
            [
                "an exception for the whole cluster",
                { exceptions: [exceptionArgs({ namespaces: [] })] },
                /exceptions\[0\]\.namespaces: is empty; fix: list the namespaces .* never covers the whole cluster/,
            ],
            [
                "an exception of a policy that does not exist",
                { exceptions: [exceptionArgs({ policies: ["require-probes"] })] },
                /exceptions\[0\]\.policies\[0\]: "require-probes" is not a policy of this baseline; fix: use one of baseline-/,
            ],
            [
                "an exception of image verification when none is configured",
                { exceptions: [exceptionArgs({ policies: ["baseline-verify-image-signatures"] })] },
                /exceptions\[0\]\.policies\[0\]: "baseline-verify-image-signatures" is not a policy of this baseline/,
            ],
            [
                "an exception with a bad label value",
                { exceptions: [exceptionArgs({ matchLabels: { app: "payments api" } })] },
                /exceptions\[0\]\.matchLabels\.app: "payments api" is not a label value/,
            ],
            [
                "two exceptions with one name",
                { exceptions: [exceptionArgs(), exceptionArgs()] },
                /exceptions\[1\]\.name: kyverno\/legacy-reports-probes is declared twice/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new BaselinePolicies("cluster", policiesArgs(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^BaselinePolicies "cluster": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }

        it("reports every problem at once", () => {
            assert.throws(
                () =>
                    new BaselinePolicies("cluster", {
                        env: "prod",
                        registries: ["shop/"],
                        exceptions: [exceptionArgs({ owner: "", expires: yesterday })],
                    }),
                (e: Error) => {
                    assert.match(e.message, /registries\[0\]/);
                    assert.match(e.message, /exceptions\[0\]\.owner/);
                    assert.match(e.message, /exceptions\[0\]\.expires/);
                    return true;
                },
            );
        });

        it("compares expiry with the date it is given", () => {
            const args = policiesArgs({ exceptions: [exceptionArgs({ expires: "2026-06-01" })] });
            assert.doesNotThrow(() => resolveBaselinePoliciesArgs("cluster", args, new Date("2026-05-31T23:59:59Z")));
            assert.throws(
                () => resolveBaselinePoliciesArgs("cluster", args, new Date("2026-06-01T00:00:00Z")),
                /has passed/,
            );
        });
    });

    describe("on a cluster several envs share", () => {
        const topology = sharedTopology();
        const shared = (overrides: Partial<BaselinePoliciesArgs> = {}) =>
            policiesArgs({
                env: "dev",
                topology,
                apiAccessServiceAccounts: [{ namespace: "payments-dev", name: "payments-operator" }],
                ...overrides,
            });

        it("keeps the dedicated names and selectors when no topology is given", () => {
            const dedicated = baselinePolicyManifests(resolveBaselinePoliciesArgs("cluster", policiesArgs()));
            const explicit = baselinePolicyManifests(
                resolveBaselinePoliciesArgs("cluster", policiesArgs({ topology: dedicatedTopology("prod") })),
            );
            assert.deepEqual(explicit, dedicated);
            assert.deepEqual(
                dedicated.validatingPolicies.map((p) => p.metadata.name),
                RULE_POLICIES,
            );
            for (const p of dedicated.validatingPolicies) {
                assert.deepEqual(p.spec.matchConstraints.namespaceSelector, {
                    matchExpressions: [
                        {
                            key: "kubernetes.io/metadata.name",
                            operator: "NotIn",
                            values: [...ADMISSION_EXCLUDED_NAMESPACES],
                        },
                    ],
                });
            }
        });

        it("names every policy and exception after the env and judges only the env's labelled namespaces", async () => {
            const policies = new BaselinePolicies(
                "dev",
                shared({
                    imageVerification: { keyless: KEYLESS },
                    exceptions: [
                        exceptionArgs({
                            namespaces: ["payments-dev"],
                            policies: [
                                BaselinePolicyName.RequireProbes,
                                `${BaselinePolicyName.DisallowLatestTag}-ephemeral`,
                            ],
                        }),
                    ],
                }),
            );
            const names = await valueOf(policies.policyNames);
            assert.ok(names.length > 0);
            for (const name of names) assert.match(name, /^baseline-.*-dev$/, name);
            assert.ok(names.includes(`${BaselinePolicyName.VerifyImageSignatures}-dev`));
            assert.ok(names.includes(`${BaselinePolicyName.DisallowLatestTag}-ephemeral-dev`));
            await settled();
            for (const p of [...ofType(VALIDATING), ...ofType(IMAGE_VALIDATING)]) {
                assert.deepEqual(p.inputs.spec.matchConstraints.namespaceSelector.matchExpressions, [
                    {
                        key: "kubernetes.io/metadata.name",
                        operator: "NotIn",
                        values: [...ADMISSION_EXCLUDED_NAMESPACES],
                    },
                    { key: "env", operator: "In", values: ["dev"] },
                ]);
                assert.deepEqual(p.inputs.spec.validationActions, ["Audit", "Warn"]);
            }
            const [exception] = ofType(EXCEPTION);
            assert.equal(exception.inputs.metadata.name, "legacy-reports-probes-dev");
            assert.deepEqual(exception.inputs.spec.policyRefs, [
                { name: `${BaselinePolicyName.RequireProbes}-dev`, kind: "ValidatingPolicy" },
                { name: `${BaselinePolicyName.DisallowLatestTag}-ephemeral-dev`, kind: "ValidatingPolicy" },
            ]);
            // Every policy an exception names exists under that name.
            for (const ref of exception.inputs.spec.policyRefs) assert.ok(names.includes(ref.name), ref.name);
        });

        it("lets every env's policies and exceptions live side by side", () => {
            const all = ENVIRONMENTS.flatMap((env) => {
                const m = baselinePolicyManifests(
                    resolveBaselinePoliciesArgs(
                        env,
                        policiesArgs({
                            env,
                            topology,
                            apiAccessServiceAccounts: [],
                            exceptions: [
                                exceptionArgs({ namespaces: [`payments-${env}`], expires: daysFromToday(20) }),
                            ],
                        }),
                    ),
                );
                return [...m.validatingPolicies, ...m.exceptions].map((o) => `${o.kind}/${o.metadata.name}`);
            });
            assert.equal(new Set(all).size, all.length);
        });

        it("judges the namespaces no env claims at prod's profile, under -unclaimed names", () => {
            const m = baselinePolicyManifests(
                resolveBaselinePoliciesArgs(
                    "cluster",
                    policiesArgs({
                        env: "dev",
                        topology,
                        coverage: PolicyCoverage.Unclaimed,
                        apiAccessServiceAccounts: [],
                        exceptions: [exceptionArgs({ namespaces: ["scratch"], expires: daysFromToday(20) })],
                    }),
                ),
            );
            for (const p of m.validatingPolicies) {
                assert.match(p.metadata.name, /-unclaimed$/);
                assert.deepEqual(p.spec.validationActions, ["Deny"]);
                assert.deepEqual(p.spec.matchConstraints.namespaceSelector.matchExpressions[1], {
                    key: "env",
                    operator: "NotIn",
                    values: [...ENVIRONMENTS],
                });
            }
            // Prod's rules, every Service rule included, although the env given is dev.
            assert.ok(
                m.validatingPolicies.some(
                    (p) => p.metadata.name === `${BaselinePolicyName.RestrictNodePortServices}-unclaimed`,
                ),
            );
            assert.equal(m.exceptions[0].metadata.name, "legacy-reports-probes-unclaimed");
        });

        const cases: [string, Partial<BaselinePoliciesArgs>, RegExp][] = [
            [
                "the unclaimed coverage on a cluster of the env's own",
                { topology: dedicatedTopology("dev"), coverage: PolicyCoverage.Unclaimed },
                /coverage: is unclaimed, but the cluster is the env's own/,
            ],
            ["an unknown coverage", { coverage: "everything" as never }, /coverage: "everything" is not a coverage/],
            [
                "a topology that leaves the env out",
                { topology: sharedTopology(["stage", "prod"]) },
                /topology\.environments: does not list dev/,
            ],
            [
                "an exception for another env's namespace",
                { exceptions: [exceptionArgs({ namespaces: ["payments-prod"] })] },
                /exceptions\[0\]\.namespaces\[0\]: payments-prod is not one of dev's namespaces on the shared cluster/,
            ],
            [
                "an API ServiceAccount of another env",
                { apiAccessServiceAccounts: [{ namespace: "payments-stage", name: "payments-operator" }] },
                /apiAccessServiceAccounts\[0\]\.namespace: payments-stage is not one of dev's namespaces/,
            ],
            [
                "an unclaimed exception for an env's namespace",
                {
                    coverage: PolicyCoverage.Unclaimed,
                    apiAccessServiceAccounts: [],
                    exceptions: [exceptionArgs({ namespaces: ["payments-dev"], expires: daysFromToday(20) })],
                },
                /exceptions\[0\]\.namespaces\[0\]: payments-dev is an env's namespace on the shared cluster/,
            ],
        ];
        for (const [title, overrides, message] of cases) {
            it(`refuses ${title}, before registering anything`, () => {
                resetResources();
                assert.throws(() => new BaselinePolicies("dev", shared(overrides)), message);
                assert.equal(resources().length, 0);
            });
        }
    });
});
