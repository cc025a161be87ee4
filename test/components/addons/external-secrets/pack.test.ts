/**
 * What AppExternalSecrets writes passes every External Secrets policy of the pack, in every env and with
 * both backends, next to the ServiceAccount a WorkloadIdentity creates for the app.
 */
import * as assert from "node:assert/strict";
import {
    appExternalSecretsManifests,
    resolveAppExternalSecretsArgs,
} from "../../../../components/addons/external-secrets";
import { ENVIRONMENTS, Environment } from "../../../../components/baseline";
import { externalSecretsPolicies } from "../../../../policy-pack/policies/kubernetes";
import { kubernetesTypeOf } from "../../../../policy-pack/policies/resource";
import { resource, run, settingsOf } from "../../../policy-pack/policies/kubernetes/check";
import { awsArgs, vaultArgs, vaultStore } from "./fixtures";

function stackOf(env: Environment, backend: "aws" | "vault") {
    const args =
        backend === "aws"
            ? awsArgs({ env, namespace: "payments", secrets: [{ name: "db-password" }] })
            : vaultArgs({
                  env,
                  vault: vaultStore({
                      mountPath: `shop-${env}-kv`,
                      authPath: `kubernetes-shop-${env}`,
                      role: `shop-${env}-payments`,
                  }),
                  secrets: [{ name: "db-password" }],
              });
    const resolved = resolveAppExternalSecretsArgs("payments", args);
    const { store, externalSecrets } = appExternalSecretsManifests(resolved);
    const serviceAccount = {
        metadata: {
            name: resolved.serviceAccountName,
            namespace: resolved.namespace,
            labels: { "app.kubernetes.io/name": resolved.app },
        },
    };
    return [
        resource("kubernetes:core/v1:ServiceAccount", serviceAccount),
        ...[store, ...externalSecrets].map((m) =>
            resource(kubernetesTypeOf(m.apiVersion, m.kind), m as unknown as Record<string, any>),
        ),
    ];
}

describe("AppExternalSecrets through the pack", () => {
    for (const env of ENVIRONMENTS) {
        for (const backend of ["aws", "vault"] as const) {
            it(`passes every External Secrets policy in ${env} with ${backend}`, () => {
                const stack = stackOf(env, backend);
                for (const policy of externalSecretsPolicies) {
                    assert.deepEqual(run(policy, stack, settingsOf(env)), [], policy.name);
                }
            });
        }
    }

    it("would be caught naming a ServiceAccount that is not the app's", () => {
        const stack = stackOf(Environment.Prod, "aws").slice(1);
        const policy = externalSecretsPolicies.find((p) => p.name === "external-secrets-store-app-service-account")!;
        assert.equal(run(policy, stack, settingsOf("prod")).length, 1);
    });
});
