/**
 * The dev, stage and prod platform stacks, run under mocks from their Pulumi.<stack>.yaml, pass every
 * Kubernetes platform policy: the components build what the pack enforces.
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { kubernetesPolicies, NETWORK_POLICY } from "../../../../policy-pack/policies/kubernetes";
import { checkResource, checkStack } from "../../../../policy-pack/engine";
import { EnforcementLevel, PolicyResource, Violation } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import { platformProgram } from "../../../../stacks/program";
import { STACKS, stackArgs, stackValues } from "../../../stacks/stack-config";

/** Every resource of a stack, as the pack receives it: with the URN the engine gives it (its parent's type). */
async function stackResources(stack: string): Promise<PolicyResource[]> {
    resetResources();
    platformProgram(stackArgs(stack));
    await settled();
    return resources().map((r) => ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:${stack}::k8s-baseline::${r.parentType ? `${r.parentType}$` : ""}${r.type}::${r.name}`,
        props: r.inputs,
    }));
}

const format = (violations: readonly Violation[]) => violations.map((v) => `${v.policy}: ${v.message}`);

for (const stack of STACKS) {
    describe(`the ${stack} stack under the Kubernetes platform policies`, function () {
        this.timeout(60_000);
        let registered: PolicyResource[];
        let reported: Violation[];

        before(async () => {
            registered = await stackResources(stack);
            const registries = (stackValues(stack).registries ?? []) as string[];
            const settings = settingsFrom({ env: stack, registries });
            reported = [
                ...registered.flatMap((r) => checkResource(r, kubernetesPolicies, settings)),
                ...checkStack(registered, kubernetesPolicies, settings),
            ];
        });

        it("registers what the policies judge", () => {
            const types = new Set(registered.map((r) => r.type));
            for (const type of [
                "kubernetes:core/v1:Namespace",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "kubernetes:rbac.authorization.k8s.io/v1:Role",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                "kubernetes:external-secrets.io/v1:SecretStore",
                "kubernetes:external-secrets.io/v1:ExternalSecret",
                "kubernetes:policies.kyverno.io/v1:ValidatingPolicy",
                "kubernetes:cert-manager.io/v1:ClusterIssuer",
                "kubernetes:helm.sh/v4:Chart",
            ]) {
                assert.ok(types.has(type), type);
            }
        });

        it("has no mandatory violation", () => {
            assert.deepEqual(format(reported.filter((v) => v.level === EnforcementLevel.Mandatory)), []);
        });

        it("has nothing to report at all: no advice, nothing unknown", () => {
            assert.deepEqual(format(reported), []);
        });

        it("is judged, not skipped: the same stack with one change per group fails", () => {
            const settings = settingsFrom({ env: stack });
            const changed = structuredClone(registered).filter(
                (r) => !(r.type === NETWORK_POLICY && r.props.metadata.name === "default-deny-egress"),
            );
            const role = changed.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role")!;
            role.props.rules[0].verbs = ["*"];
            const externalSecret = changed.find((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")!;
            const source =
                externalSecret.props.spec.dataFrom?.[0]?.extract ?? externalSecret.props.spec.data[0].remoteRef;
            // The env in the key's first segment, `shop-stage/...` (Secrets Manager) or `/shop-stage/...` (Parameter Store).
            const moved = source.key.replace(/^(\/?)([^/]*)/, (_: string, slash: string, first: string) =>
                slash.concat(first.replace(stack, "other")),
            );
            assert.notEqual(moved, source.key);
            source.key = moved;
            const chart = changed.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
            chart.props.version = "^1.0.0";
            const failed = new Set(
                [
                    ...changed.flatMap((r) => checkResource(r, kubernetesPolicies, settings)),
                    ...checkStack(changed, kubernetesPolicies, settings),
                ]
                    .filter((v) => v.level === EnforcementLevel.Mandatory)
                    .map((v) => v.policy),
            );
            assert.deepEqual([...failed].sort(), [
                "external-secrets-remote-key-prefix",
                "helm-chart-pinned",
                "namespaces-default-deny",
                "rbac-no-wildcards",
            ]);
        });
    });
}
