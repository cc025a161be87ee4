/**
 * The dev, stage and prod platform programs, run under mocks from their own Pulumi.<stack>.yaml: every
 * resource they register passes the workload and Pod Security policies, with the settings the env's pack
 * config gives (its registries, and the ServiceAccounts of the apps that call the Kubernetes API).
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { platformProgram } from "../../../../stacks/program";
import { checkResource, checkStack } from "../../../../policy-pack/engine";
import { podSecurityPolicies } from "../../../../policy-pack/policies/pod-security";
import { Policy, PolicyResource, Violation } from "../../../../policy-pack/policies/types";
import { SERVICE_ACCOUNT_TYPE, workloadsPolicies } from "../../../../policy-pack/policies/workloads";
import { settingsFrom } from "../../../../policy-pack/settings";
import { STACKS, stackArgs, stackValues } from "../../../stacks/stack-config";

const POLICIES: readonly Policy[] = [...podSecurityPolicies, ...workloadsPolicies];

/** `namespace/name` of the ServiceAccount of every app the stack declares to call the Kubernetes API. */
function apiAccessServiceAccounts(values: Record<string, any>): string[] {
    return (values.apps as any[])
        .filter((app) => app.callsKubernetesApi)
        .map((app) => `${app.namespace ?? app.name}/${app.serviceAccountName ?? app.name}`);
}

for (const stack of STACKS) {
    describe(`stack ${stack} under the workload and Pod Security policies`, function () {
        this.timeout(60_000);
        const values = stackValues(stack) as Record<string, any>;
        let registered: PolicyResource[];

        before(async () => {
            resetResources();
            platformProgram(stackArgs(stack));
            await settled();
            registered = resources().map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
        });

        it("has no mandatory violation", () => {
            const settings = settingsFrom({
                env: stack,
                registries: values.registries,
                apiAccessServiceAccounts: apiAccessServiceAccounts(values),
            });
            const violations: Violation[] = [
                ...registered.flatMap((resource) => checkResource(resource, POLICIES, settings)),
                ...checkStack(registered, POLICIES, settings),
            ];
            assert.deepEqual(
                violations.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`),
                [],
            );
            assert.deepEqual(violations, [], "no advisory report either: nothing is unknown under mocks");
        });

        it("judges its ServiceAccounts, and flags an API client the pack's config does not declare", () => {
            const accounts = registered.filter((r) => r.type === SERVICE_ACCOUNT_TYPE);
            assert.ok(accounts.length > 0);
            const undeclared = settingsFrom({ env: stack, registries: values.registries });
            const flagged = accounts.flatMap((resource) => checkResource(resource, workloadsPolicies, undeclared));
            const clients = apiAccessServiceAccounts(values);
            assert.equal(flagged.length, clients.length);
            for (const client of clients)
                assert.ok(
                    flagged.some((v) => v.message.includes(client)),
                    client,
                );
        });
    });
}
