/**
 * The agreement between the Kyverno CEL policies and the pack: every generated ValidatingPolicy of every env
 * against its pack counterpart on the same fixtures, and proof that the runner catches a disagreement on
 * either side. Also the `npm run conformance` command's report, on an empty fixture tree.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BaselinePolicyName, ValidatingPolicyManifest } from "../../components/addons/kyverno";
import { ENVIRONMENTS } from "../../components/baseline";
import {
    AgreementResult,
    autogenExpression,
    BINDING_FIXTURES,
    EXPOSURE_FIXTURES,
    FIXTURE_KINDS,
    KNOWN_DIFFERENCES,
    KYVERNO_TO_PACK,
    NAMESPACE_FIXTURES,
    NETWORK_POLICY_FIXTURES,
    runCelAgreement,
    SECRET_STORE_FIXTURES,
} from "../../policy-pack/conformance/cel-agreement";
import { main } from "../../policy-pack/conformance/index";
import { externalSecretsPolicies } from "../../policy-pack/policies/kubernetes/external-secrets";
import { namespacesPolicies, namespacesRequiredLabels } from "../../policy-pack/policies/kubernetes/namespaces";
import { networkOpenRules, networkPolicies } from "../../policy-pack/policies/kubernetes/network";
import { rbacBoundSubjects, rbacPolicies } from "../../policy-pack/policies/kubernetes/rbac";
import { servicesPolicies } from "../../policy-pack/policies/kubernetes/services";
import { podSecurityPolicies } from "../../policy-pack/policies/pod-security";
import { Policy, ResourcePolicy } from "../../policy-pack/policies/types";
import { workloadsPolicies, workloadsReadonlyRootfs } from "../../policy-pack/policies/workloads";
import { BINDING_RULES, EXPOSURE_RULES, NETWORK_POLICY_RULES } from "../components/addons/kyverno/fixtures";

const PACK: readonly Policy[] = [
    ...podSecurityPolicies,
    ...workloadsPolicies,
    ...namespacesPolicies,
    ...servicesPolicies,
    ...rbacPolicies,
    ...networkPolicies,
    ...externalSecretsPolicies,
];

/** A pair whose Kyverno rule is a binding rule: the pack's stack policy finds nothing on other kinds. */
const bindingPair = (name: string): boolean => BINDING_RULES.some((rule) => name.includes(`: ${rule} vs `));

/** What a pack policy says of a kind it does not judge: not its type, or (a stack policy) nothing found. */
const packSkips = (name: string): string => (bindingPair(name) ? "no violation" : "not a .* type");

function failures(results: readonly AgreementResult[]): string[] {
    return results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.detail}`);
}

/** The generated policies with `policy`'s validations (or whole spec) changed by `change`. */
function altering(name: string, change: (policy: ValidatingPolicyManifest) => void) {
    return (policies: ValidatingPolicyManifest[]) =>
        policies.map((policy) => {
            if (policy.metadata.name !== name) return policy;
            const copy = structuredClone(policy);
            change(copy);
            return copy;
        });
}

describe("CEL agreement: Kyverno's policies and the pack", () => {
    let results: AgreementResult[];
    let notCompared: readonly string[];
    let differences: readonly string[];

    before(() => {
        ({ results, notCompared, differences } = runCelAgreement());
    });

    it("agree on every fixture, in every env", () => {
        assert.deepEqual(failures(results), []);
    });

    it("map every Kyverno policy, to pack policies that exist", () => {
        assert.deepEqual(Object.keys(KYVERNO_TO_PACK).sort(), Object.values(BaselinePolicyName).sort());
        const names = new Set(PACK.map((p) => p.name));
        for (const counterpart of Object.values(KYVERNO_TO_PACK)) {
            if (counterpart) assert.ok(names.has(counterpart.policy), counterpart.policy);
        }
        // The ImageValidatingPolicy is not a ValidatingPolicy, so it never reaches the comparison.
        assert.deepEqual(notCompared, []);
        assert.deepEqual(KYVERNO_TO_PACK[BaselinePolicyName.RequireNamespaceLabels], {
            policy: namespacesRequiredLabels.name,
        });
    });

    it("compare every mapped policy on Pods, Deployments and CronJobs, in every env", () => {
        for (const env of ENVIRONMENTS) {
            for (const [kyverno, counterpart] of Object.entries(KYVERNO_TO_PACK)) {
                if (!counterpart || kyverno === BaselinePolicyName.VerifyImageSignatures) continue;
                if (kyverno === BaselinePolicyName.RequireNamespaceLabels) continue;
                if (EXPOSURE_RULES.includes(kyverno)) continue;
                if (kyverno === BaselinePolicyName.RestrictLegacyTokenSecrets) continue;
                if (BINDING_RULES.includes(kyverno) || NETWORK_POLICY_RULES.includes(kyverno)) continue;
                if (kyverno === BaselinePolicyName.RestrictSecretStoreCredentials) continue;
                for (const kind of FIXTURE_KINDS) {
                    const compared = results.filter(
                        (r) => r.name.startsWith(`${env} ${kind} "`) && r.name.includes(`: ${kyverno} vs `),
                    );
                    assert.ok(compared.length >= 10, `${env} ${kind} ${kyverno}: ${compared.length}`);
                    assert.ok(
                        compared.some((r) => r.detail.startsWith("CEL allows")),
                        `${env} ${kind} ${kyverno}`,
                    );
                    if (kyverno === BaselinePolicyName.RequireProbes && kind === "CronJob") continue;
                    assert.ok(
                        compared.some((r) => r.detail.startsWith("CEL refuses")),
                        `${env} ${kind} ${kyverno}`,
                    );
                }
            }
        }
    });

    it("compare the Service and Ingress rules on every Service and Ingress fixture, where the profile has them", () => {
        for (const env of ENVIRONMENTS) {
            for (const kyverno of EXPOSURE_RULES) {
                const compared = results.filter(
                    (r) =>
                        /^\w+ (Service|Ingress) "/.test(r.name) &&
                        r.name.startsWith(`${env} `) &&
                        r.name.includes(`: ${kyverno} vs `),
                );
                const generated = env !== "dev" || kyverno === BaselinePolicyName.RestrictExternalIPs;
                const fixtures = EXPOSURE_FIXTURES.filter((f) => /^(Service|Ingress)$/.test(String(f.manifest().kind)));
                assert.equal(compared.length, generated ? fixtures.length : 0, `${env} ${kyverno}`);
                if (!generated) continue;
                assert.ok(
                    compared.some((r) => r.detail.startsWith("CEL allows (every validation true)")),
                    kyverno,
                );
                assert.ok(
                    compared.some((r) => r.detail.startsWith("CEL refuses")),
                    kyverno,
                );
            }
        }
        const prod = (fixture: string, rule: string) =>
            results.find((r) => r.name.startsWith(`prod `) && r.name.includes(`"${fixture}": ${rule} vs `))?.detail ??
            "";
        const lb = BaselinePolicyName.RequireInternalLoadBalancers;
        assert.match(prod("internal LB by the controller", lb), /^CEL allows .*; pack allows/);
        assert.match(prod("internal LB, legacy annotation", lb), /^CEL allows .*; pack allows/);
        assert.match(prod("LB with scheme internal for the in-tree provider", lb), /^CEL refuses .*; pack refuses/);
        assert.match(prod("LB internal annotation overridden by scheme", lb), /^CEL refuses .*; pack refuses/);
        const tls = BaselinePolicyName.RequireIngressTls;
        assert.match(prod("ingress under a wildcard certificate", tls), /^CEL allows .*; pack allows/);
        assert.match(prod("ingress two labels below a wildcard", tls), /^CEL refuses .*; pack refuses/);
        assert.match(prod("NodePort service in default", BaselinePolicyName.RestrictNodePortServices), /^CEL refuses/);
    });

    it("compare the legacy token Secret rule on the Secret fixtures", () => {
        const pair = `: ${BaselinePolicyName.RestrictLegacyTokenSecrets} vs workloads-no-legacy-token-secret`;
        for (const env of ENVIRONMENTS) {
            const verdict = (fixture: string) =>
                results.find((r) => r.name === `${env} Secret "${fixture}"${pair}`)?.detail ?? "";
            assert.match(verdict("opaque secret"), /^CEL allows \(every validation true\); pack allows/);
            assert.match(verdict("legacy token secret"), /^CEL refuses .*; pack refuses/);
        }
    });

    it("compare the binding rules on every RoleBinding and ClusterRoleBinding fixture, in every env", () => {
        for (const env of ENVIRONMENTS) {
            for (const kyverno of BINDING_RULES) {
                const compared = results.filter(
                    (r) =>
                        /^\w+ (RoleBinding|ClusterRoleBinding) "/.test(r.name) &&
                        r.name.startsWith(`${env} `) &&
                        r.name.includes(`: ${kyverno} vs `),
                );
                assert.equal(compared.length, BINDING_FIXTURES.length, `${env} ${kyverno}`);
            }
            const verdict = (fixture: string, rule: string) =>
                results.find((r) => r.name.startsWith(`${env} `) && r.name.includes(`"${fixture}": ${rule} vs `))
                    ?.detail ?? "";
            const subjects = BaselinePolicyName.RestrictBindingSubjects;
            const admin = BaselinePolicyName.RestrictClusterAdminBindings;
            for (const fixture of [
                "RoleBinding of a Role to a ServiceAccount",
                "RoleBinding of view to a team's group",
                "RoleBinding to a ServiceAccount by its user name",
                "ClusterRoleBinding to a ServiceAccount",
                "ClusterRoleBinding of cluster-admin to a ServiceAccount",
            ]) {
                assert.match(verdict(fixture, subjects), /^CEL allows \(every validation true\); pack allows/, fixture);
            }
            for (const fixture of [
                "ClusterRoleBinding to system:authenticated",
                "ClusterRoleBinding to system:masters",
                "ClusterRoleBinding to a control-plane user",
                "RoleBinding to every ServiceAccount of the namespace",
                "RoleBinding to system:serviceaccounts",
                "RoleBinding to the anonymous user",
                "RoleBinding to the nodes",
                "ClusterRoleBinding of cluster-admin to system:masters",
            ]) {
                assert.match(verdict(fixture, subjects), /^CEL refuses .*; pack refuses/, fixture);
            }
            for (const fixture of [
                "ClusterRoleBinding of cluster-admin to a ServiceAccount",
                "RoleBinding of cluster-admin to a team's group",
                "ClusterRoleBinding of cluster-admin to system:unauthenticated",
            ]) {
                assert.match(verdict(fixture, admin), /^CEL refuses .*; pack refuses/, fixture);
            }
            assert.match(
                verdict("ClusterRoleBinding of cluster-admin to system:masters", admin),
                /^CEL allows .*; pack allows/,
            );
            assert.match(
                verdict("ClusterRoleBinding of cluster-admin to no subject", admin),
                /^CEL allows .*; pack allows/,
            );
        }
    });

    it("judge every ClusterRoleBinding, whatever the namespaces excluded", () => {
        const report = runCelAgreement({
            envs: ["prod"],
            only: [BaselinePolicyName.RestrictBindingSubjects],
            alterValidatingPolicies: altering(BaselinePolicyName.RestrictBindingSubjects, (policy) => {
                // A selector no namespace satisfies: it still never skips a cluster-scoped object.
                policy.spec.matchConstraints.namespaceSelector.matchExpressions = [
                    { key: "kubernetes.io/metadata.name", operator: "In", values: [] },
                ];
            }),
        });
        const crb = report.results.filter((r) => r.name.startsWith('prod ClusterRoleBinding "'));
        assert.ok(crb.length > 0);
        for (const r of crb) assert.ok(r.passed, `${r.name}: ${r.detail}`);
        assert.ok(crb.some((r) => r.detail.startsWith("CEL refuses")));
        const rb = report.results.filter((r) => r.name.startsWith('prod RoleBinding "'));
        assert.ok(rb.every((r) => r.detail.includes("CEL allows (namespace excluded)")));
    });

    it("compare the NetworkPolicy rules on every NetworkPolicy fixture, in every env", () => {
        for (const env of ENVIRONMENTS) {
            for (const kyverno of NETWORK_POLICY_RULES) {
                const compared = results.filter(
                    (r) => r.name.startsWith(`${env} NetworkPolicy "`) && r.name.includes(`: ${kyverno} vs `),
                );
                assert.equal(compared.length, NETWORK_POLICY_FIXTURES.length, `${env} ${kyverno}`);
                assert.ok(
                    compared.some((r) => r.detail.startsWith("CEL allows (every validation true)")),
                    kyverno,
                );
                assert.ok(
                    compared.some((r) => r.detail.startsWith("CEL refuses")),
                    kyverno,
                );
            }
            const verdict = (fixture: string, rule: string) =>
                results.find((r) => r.name.startsWith(`${env} `) && r.name.includes(`"${fixture}": ${rule} vs `))
                    ?.detail ?? "";
            const open = BaselinePolicyName.RestrictOpenNetworkRules;
            const all = BaselinePolicyName.RestrictAllNamespacesPeers;
            const space = BaselinePolicyName.RestrictWholeAddressSpace;
            const metadata = BaselinePolicyName.RestrictMetadataEgress;
            const refused: [string, string][] = [
                ["ingress rule without from", open],
                ["ingress rule with an empty from", open],
                ["egress rule with an empty to", open],
                ["egress rule with an empty to", metadata],
                ["empty egress peer", open],
                ["empty egress peer", metadata],
                ["egress rule without to, policyTypes unset", metadata],
                ["namespaceSelector {}", all],
                ["namespaceSelector {} beside a podSelector", all],
                ["namespaceSelector by the env label", all],
                ["namespaceSelector NotIn kube-system", all],
                ["namespaceSelector Exists owner", all],
                ["egress to 0.0.0.0/0", space],
                ["egress to 0.0.0.0/0", metadata],
                ["ingress from ::/0", space],
            ];
            for (const [fixture, rule] of refused) {
                assert.match(verdict(fixture, rule), /^CEL refuses .*; pack refuses/, `${fixture} ${rule}`);
            }
            const allowed: [string, string][] = [
                ["egress rule without to under policyTypes Ingress", open],
                ["egress rule without to under policyTypes Ingress", metadata],
                ["namespaceSelector In a team label", all],
                ["ingress rule without from", metadata],
                ["egress to 0.0.0.0/0 except the metadata address", metadata],
            ];
            for (const [fixture, rule] of allowed) {
                assert.match(verdict(fixture, rule), /^CEL allows .*; pack allows/, `${fixture} ${rule}`);
            }
        }
    });

    it("compare the SecretStore rule on every SecretStore fixture, in every env", () => {
        const pair = `: ${BaselinePolicyName.RestrictSecretStoreCredentials} vs external-secrets-store-identity`;
        for (const env of ENVIRONMENTS) {
            const compared = results.filter((r) => r.name.startsWith(`${env} SecretStore "`) && r.name.endsWith(pair));
            assert.equal(compared.length, SECRET_STORE_FIXTURES.length, env);
            const verdict = (fixture: string) => compared.find((r) => r.name.includes(`"${fixture}"`))?.detail ?? "";
            for (const fixture of ["aws store with IRSA", "vault store with Kubernetes auth"]) {
                assert.match(verdict(fixture), /^CEL allows \(every validation true\); pack allows/, fixture);
            }
            for (const fixture of [
                "aws store without auth",
                "aws store with an empty auth",
                "aws store with static keys",
                "vault store with a token",
            ]) {
                assert.match(verdict(fixture), /^CEL refuses .*; pack refuses/, fixture);
            }
        }
    });

    it("fail when a binding or NetworkPolicy rule stops reading a subject kind or a peer", () => {
        const noGroups = runCelAgreement({
            envs: ["prod"],
            only: [BaselinePolicyName.RestrictBindingSubjects],
            alterValidatingPolicies: altering(BaselinePolicyName.RestrictBindingSubjects, (policy) => {
                const v = policy.spec.validations[0];
                v.expression = v.expression.replace("['User', 'Group']", "['User']");
            }),
        });
        const failed = failures(noGroups.results);
        assert.ok(
            failed.some((f) => f.includes('"ClusterRoleBinding to system:authenticated"')),
            failed.join("\n"),
        );
        for (const f of failed) assert.match(f, /CEL allows .*; pack refuses/);

        const emptyPeers = runCelAgreement({
            envs: ["prod"],
            only: [BaselinePolicyName.RestrictOpenNetworkRules],
            alterValidatingPolicies: altering(BaselinePolicyName.RestrictOpenNetworkRules, (policy) => {
                const v = policy.spec.validations[0];
                v.expression = v.expression.replace(/has\(p\.podSelector\) \|\| /g, "true || ");
            }),
        });
        const peerFailures = failures(emptyPeers.results);
        assert.ok(
            peerFailures.some((f) => f.includes('"empty egress peer"')),
            peerFailures.join("\n"),
        );

        const blind: ResourcePolicy = { ...networkOpenRules, validate: () => undefined };
        const report = runCelAgreement({
            envs: ["prod"],
            only: [BaselinePolicyName.RestrictOpenNetworkRules],
            policies: PACK.map((p) => (p.name === blind.name ? blind : p)),
        });
        assert.ok(failures(report.results).some((f) => f.includes('"ingress rule without from"')));
        assert.equal(KYVERNO_TO_PACK[BaselinePolicyName.RestrictBindingSubjects]?.policy, rbacBoundSubjects.name);
    });

    it("compare the ephemeral-container twins on Pods only", () => {
        const twins = results.filter((r) => / vs /.test(r.name) && /-ephemeral vs /.test(r.name));
        assert.ok(twins.length > 0);
        for (const r of twins) assert.match(r.name, /^\w+ Pod "/, r.name);
        assert.ok(
            twins.some(
                (r) =>
                    r.name.includes('"public debug image"') && r.detail.startsWith("CEL refuses (validation #0 false)"),
            ),
        );
    });

    it("compare the namespace labels rule on every Namespace fixture, in every env", () => {
        const pair = `: ${BaselinePolicyName.RequireNamespaceLabels} vs ${namespacesRequiredLabels.name}`;
        for (const env of ENVIRONMENTS) {
            const compared = results.filter((r) => r.name.startsWith(`${env} Namespace "`) && r.name.endsWith(pair));
            assert.equal(compared.length, NAMESPACE_FIXTURES.length, env);
            const verdict = (fixture: string) => compared.find((r) => r.name.includes(`"${fixture}"`))?.detail ?? "";
            assert.match(verdict("compliant namespace"), /^CEL allows \(every validation true\); pack allows/);
            assert.match(verdict(`namespace labelled env=${env}`), /^CEL allows .*; pack allows/);
            for (const key of ["owner", "env", "tier"]) {
                assert.match(verdict(`namespace without the ${key} label`), /^CEL refuses .*; pack refuses/);
                assert.match(verdict(`namespace with an empty ${key} label`), /^CEL refuses .*; pack refuses/);
            }
            for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
                assert.match(
                    verdict(`namespace labelled env=${other}`),
                    new RegExp(
                        `^CEL refuses \\(validation #1 false\\); pack refuses .*labelled env=${other} in ${env}`,
                    ),
                );
            }
            assert.match(verdict("namespace with its env label in capitals"), /^CEL refuses .*; pack refuses/);
            assert.match(verdict("namespace without labels"), /^CEL refuses .*; pack refuses/);
            assert.match(verdict("platform namespace with the required labels"), /^CEL allows \(namespace excluded\)/);
        }
    });

    it("leave Namespaces to the namespace rule, and Pods to the pod rules", () => {
        const namespaceRule = `: ${BaselinePolicyName.RequireNamespaceLabels} vs `;
        for (const r of results.filter((r) => / Namespace "/.test(r.name) && !r.name.includes(namespaceRule))) {
            assert.match(
                r.detail,
                new RegExp(`^CEL allows \\(not a rule on Namespaces\\); pack allows \\(${packSkips(r.name)}\\)$`),
                r.name,
            );
        }
        for (const r of results.filter((r) => / (Service|Ingress) "/.test(r.name))) {
            const rule = EXPOSURE_RULES.find((name) => r.name.includes(`: ${name} vs `));
            if (rule && (rule === BaselinePolicyName.RequireIngressTls) === / Ingress "/.test(r.name)) continue;
            assert.match(
                r.detail,
                new RegExp(
                    `^CEL allows \\(not a rule on (Services|Ingresss)\\); pack allows \\(${packSkips(r.name)}\\)$`,
                ),
                r.name,
            );
        }
        for (const r of results.filter(
            (r) => / (Pod|Deployment|CronJob) "/.test(r.name) && r.name.includes(namespaceRule),
        )) {
            assert.match(
                r.detail,
                /^CEL allows \(not (a rule on Pods|derived for \w+ by autogen)\); pack allows/,
                r.name,
            );
        }
    });

    it("report the documented differences, and only those, as passed", () => {
        const documented = KNOWN_DIFFERENCES.flatMap((d) => d.fixtures.map((f) => ({ ...d, fixture: f })));
        for (const line of differences) {
            assert.ok(
                documented.some(
                    (d) =>
                        new RegExp(`^\\w+ \\w+ "${d.fixture}": ${d.kyverno}(-ephemeral)? vs `).test(line) &&
                        line.includes(`CEL ${d.cel}, pack ${d.pack}: ${d.why}`),
                ),
                line,
            );
        }
        for (const env of ENVIRONMENTS) {
            for (const d of documented) {
                // The Service rules a profile does not ask for are not generated (dev: NodePorts allowed).
                if (env === "dev" && d.kyverno === BaselinePolicyName.RestrictNodePortServices) continue;
                const line = differences.find(
                    (l) => l.startsWith(`${env} `) && l.includes(`"${d.fixture}": ${d.kyverno} vs `),
                );
                assert.ok(line, `${env} ${d.fixture} ${d.kyverno}`);
            }
        }
        // No documented difference is one where admission refuses what the preview passes.
        for (const d of KNOWN_DIFFERENCES) assert.deepEqual([d.cel, d.pack], ["allows", "refuses"]);
    });

    it("require each validation to be both true and false on some fixture of each kind it judges", () => {
        const coverage = results.filter((r) => r.name.includes(" coverage: "));
        // 8 pod rules, 9 validations; probes are not derived for CronJobs: (9 * 3 - 1) per env; the 5
        // ephemeral twins' 6 validations on Pods; the namespace rule's 2 validations on Namespaces; and one
        // validation per Service or Ingress rule the profile has (dev: externalIPs only; stage, prod: 4).
        // The legacy token Secret rule's one validation on Secrets, in every env. The two binding rules' one
        // validation each on RoleBindings and on ClusterRoleBindings, the four NetworkPolicy rules' one, and the
        // SecretStore rule's one.
        assert.equal(coverage.length, ENVIRONMENTS.length * (9 * 3 - 1 + 6 + 2 + 1 + 2 * 2 + 4 + 1) + 1 + 4 + 4);
        assert.equal(coverage.filter((r) => r.name.includes(" Namespace coverage: ")).length, ENVIRONMENTS.length * 2);
    });

    it("rewrite expressions as Kyverno's autogen does, keeping the controller's namespace", () => {
        const expression = "object.metadata.namespace + object.spec.serviceAccountName + object.metadata.name";
        assert.equal(
            autogenExpression(expression, "Deployment"),
            "object.metadata.namespace + object.spec.template.spec.serviceAccountName + object.spec.template.metadata.name",
        );
        assert.equal(
            autogenExpression("has(object.spec.containers)", "CronJob"),
            "has(object.spec.jobTemplate.spec.template.spec.containers)",
        );
    });

    describe("fail on a disagreement", () => {
        const prodOnly = { envs: ["prod"] as const };

        it("a weakened CEL expression: a truncated digest admitted", () => {
            const report = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireImageDigest, (policy) => {
                    for (const v of policy.spec.validations) v.expression = v.expression.replace("{64}", "+");
                    // Only the first container list's: the fixtures must catch a change to any one list.
                }),
            });
            const failed = failures(report.results);
            assert.ok(failed.length > 0);
            assert.ok(
                failed.every(
                    (f) => f.includes("truncated digest") && f.includes("CEL allows") && f.includes("pack refuses"),
                ),
                failed.join("\n"),
            );
        });

        it("any one container list left unchecked, in any validation", () => {
            let mutants = 0;
            const lists = ["containers", "initContainers", "ephemeralContainers"];
            for (const name of Object.values(BaselinePolicyName)) {
                const generated = runCelAgreement({ ...prodOnly, only: [name] });
                if (generated.results.length === 0) continue;
                for (const index of [0, 1]) {
                    for (const list of lists) {
                        const marker = `object.spec.${list}.all(c, `;
                        let applies = false;
                        const report = runCelAgreement({
                            ...prodOnly,
                            only: [name],
                            alterValidatingPolicies: altering(name, (policy) => {
                                const validation = policy.spec.validations[index];
                                if (!validation?.expression.includes(marker)) return;
                                applies = true;
                                validation.expression = validation.expression.replace(marker, `${marker}true || `);
                            }),
                        });
                        if (!applies) continue;
                        mutants++;
                        assert.ok(
                            failures(report.results).length > 0,
                            `${name} #${index} ${list} unchecked went unnoticed`,
                        );
                    }
                }
            }
            // latest, digest, registries, rootfs: 3 lists; requests: 2; probes: 1; capabilities: 2 x 3.
            assert.equal(mutants, 3 * 4 + 2 + 1 + 6);
        });

        it("a pack policy that misses a rule", () => {
            const blind: ResourcePolicy = { ...workloadsReadonlyRootfs, validate: () => undefined };
            const report = runCelAgreement({
                ...prodOnly,
                policies: PACK.map((p) => (p.name === blind.name ? blind : p)),
            });
            const failed = failures(report.results);
            assert.ok(failed.length >= 3, failed.join("\n"));
            for (const f of failed)
                assert.match(
                    f,
                    /baseline-require-ro-rootfs(-ephemeral)? vs workloads-readonly-rootfs: CEL (refuses .* pack allows|allows .* pack allows .*documented as CEL allows, pack refuses)/,
                );
        });

        it("a CEL policy that loses its match condition or its namespace exclusions", () => {
            const probes = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireProbes, (policy) => {
                    delete policy.spec.matchConditions;
                }),
            });
            const probeFailures = failures(probes.results);
            assert.ok(
                probeFailures.some((f) => f.includes('"Job pod without probes"')),
                probeFailures.join("\n"),
            );
            assert.ok(probeFailures.some((f) => f.includes('"bare pod without probes"')));

            const everywhere = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.DisallowLatestTag, (policy) => {
                    policy.spec.matchConstraints.namespaceSelector.matchExpressions = [];
                }),
            });
            const failed = failures(everywhere.results);
            assert.ok(failed.length > 0);
            assert.ok(
                failed.every((f) => /everything broken, in (kube-system|an add-on's namespace)/.test(f)),
                failed.join("\n"),
            );
        });

        it("an expression that judges nothing fails coverage as well as agreement", () => {
            const report = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireRequestsLimits, (policy) => {
                    for (const v of policy.spec.validations) v.expression = "true";
                }),
            });
            const failed = failures(report.results);
            assert.ok(failed.some((f) => f.includes("coverage: baseline-require-requests-limits validation #0")));
            assert.ok(failed.some((f) => f.includes('"no cpu limit"')));
        });

        it("a namespace rule that no longer checks the env label, on either side", () => {
            const celBlind = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireNamespaceLabels, (policy) => {
                    policy.spec.validations[1].expression = "true";
                }),
            });
            const celFailures = failures(celBlind.results);
            assert.deepEqual(celFailures.sort(), [
                'prod Namespace "namespace labelled env=dev": baseline-require-namespace-labels vs namespaces-required-labels: CEL allows (every validation true); pack refuses (Namespace payments is labelled env=dev in prod)',
                'prod Namespace "namespace labelled env=stage": baseline-require-namespace-labels vs namespaces-required-labels: CEL allows (every validation true); pack refuses (Namespace payments is labelled env=stage in prod)',
                'prod Namespace "namespace with its env label in capitals": baseline-require-namespace-labels vs namespaces-required-labels: CEL allows (every validation true); pack refuses (Namespace payments is labelled env=PROD in prod)',
                "prod Namespace coverage: baseline-require-namespace-labels validation #1: true on 13 fixture(s), false on 0; both are needed",
            ]);

            const packBlind: ResourcePolicy = {
                ...namespacesRequiredLabels,
                validate: (resource, settings, report) =>
                    namespacesRequiredLabels.validate(resource, { ...settings, env: undefined }, report),
            };
            const report = runCelAgreement({
                ...prodOnly,
                policies: PACK.map((p) => (p.name === packBlind.name ? packBlind : p)),
            });
            const failed = failures(report.results);
            assert.ok(failed.length >= 3, failed.join("\n"));
            for (const f of failed) {
                assert.match(
                    f,
                    /^prod Namespace "(namespace labelled env=\w+|.* in capitals|platform .* another env)": /,
                );
                assert.match(f, /CEL (refuses|allows) .*; pack allows/);
            }
        });

        it("a namespace rule that drops a required label, or its exclusions", () => {
            const noTier = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireNamespaceLabels, (policy) => {
                    const v = policy.spec.validations[0];
                    v.expression = v.expression.replace(/, *'tier'|'tier', */, "");
                }),
            });
            assert.deepEqual(
                failures(noTier.results).map((f) => f.split(":")[0]),
                [
                    'prod Namespace "namespace without the tier label"',
                    'prod Namespace "namespace with an empty tier label"',
                ],
            );

            const everywhere = runCelAgreement({
                ...prodOnly,
                alterValidatingPolicies: altering(BaselinePolicyName.RequireNamespaceLabels, (policy) => {
                    policy.spec.matchConstraints.namespaceSelector.matchExpressions = [];
                }),
            });
            const failed = failures(everywhere.results);
            assert.deepEqual(failed.map((f) => f.split(":")[0]).sort(), [
                'prod Namespace "platform namespace labelled for another env"',
                'prod Namespace "platform namespace without labels"',
            ]);
            for (const f of failed)
                assert.match(f, /CEL refuses .*; pack refuses .*; documented as CEL allows, pack refuses$/);
        });

        it("a counterpart the pack lacks, and a policy the table does not map", () => {
            const report = runCelAgreement({
                ...prodOnly,
                policies: PACK.filter((p) => p.name !== "workloads-probes"),
                alterValidatingPolicies: (policies) => [
                    ...policies,
                    { ...policies[0], metadata: { ...policies[0].metadata, name: "baseline-something-new" } },
                ],
            });
            assert.deepEqual(failures(report.results).sort(), [
                "prod baseline-require-probes: the pack has no policy workloads-probes",
                "prod baseline-something-new: KYVERNO_TO_PACK does not map this policy",
            ]);
        });
    });
});

describe("npm run conformance", () => {
    let root: string;

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-conformance-"));
    });

    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("exits 2 with a clear message when the fixtures are missing", () => {
        const out: string[] = [];
        const errors: string[] = [];
        const code = main(
            { K8S_BASELINE_SHARED: path.join(root, "nowhere") },
            (l) => out.push(l),
            (l) => errors.push(l),
        );
        assert.equal(code, 2);
        assert.deepEqual(out, []);
        assert.match(errors[0], /conformance\/psa is missing: .*K8S_BASELINE_SHARED/);
    });

    it("ends with one summary line per suite, then `N passed, M failed`", () => {
        fs.mkdirSync(path.join(root, "conformance", "psa"), { recursive: true });
        const out: string[] = [];
        const code = main(
            { K8S_BASELINE_SHARED: root },
            (l) => out.push(l),
            () => undefined,
        );
        assert.equal(code, 0);
        const agreement = runCelAgreement().results.length;
        assert.match(out[out.length - 3], /^PSA conformance \(.*\): 0 passed, 0 failed$/);
        assert.match(
            out[out.length - 2],
            new RegExp(`^CEL agreement \\(Kyverno vs pack\\): ${agreement} passed, 0 failed`),
        );
        assert.equal(out[out.length - 1], `${agreement} passed, 0 failed`);
    });

    it("prints failures and exits 1 when a fixture disagrees", () => {
        const fixture = path.join(root, "conformance", "psa", "baseline", "v1.0", "pass");
        fs.mkdirSync(fixture, { recursive: true });
        fs.writeFileSync(
            path.join(fixture, "privileged.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContext:\n      privileged: true\n",
        );
        const out: string[] = [];
        const code = main(
            { K8S_BASELINE_SHARED: root },
            (l) => out.push(l),
            () => undefined,
        );
        assert.equal(code, 1);
        assert.match(out[0], /^FAIL psa: baseline\/v1.0\/pass\/privileged.yaml: rejected, expected allowed/);
        assert.match(out[out.length - 1], /^\d+ passed, 1 failed$/);
    });
});
