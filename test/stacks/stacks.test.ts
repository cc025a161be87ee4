/**
 * The dev, stage and prod programs, each run under mocks from its own Pulumi.<stack>.yaml: what `pulumi up
 * --stack <env>` would create, and the contract its outputs give app repositories.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { CONTRACT_OUTPUTS, CONTRACT_VERSION, PlatformContract } from "../../components/contract";
import { PROFILES } from "../../components/baseline";
import { platformProgram } from "../../stacks/program";
import { coreObjectErrors, isCoreObject, manifestOf } from "../k8s-schemas";
import { STACKS, stackArgs, stackValues } from "./stack-config";

async function contractOf(stack: string): Promise<PlatformContract> {
    const outputs = platformProgram(stackArgs(stack));
    const contract: Record<string, unknown> = {};
    for (const [key, output] of Object.entries(outputs)) contract[key] = await settle(output as pulumi.Output<unknown>);
    await settled();
    return contract as unknown as PlatformContract;
}

const COMPONENT = (name: string) => `k8s-baseline:index:${name}`;

for (const stack of STACKS) {
    describe(`stack ${stack}`, function () {
        this.timeout(60_000);
        let contract: PlatformContract;
        const config = stackValues(stack) as any;

        before(async () => {
            resetResources();
            contract = await contractOf(stack);
        });

        it("outputs the contract", () => {
            assert.deepEqual(Object.keys(contract).sort(), [...CONTRACT_OUTPUTS].sort());
            assert.equal(contract.contractVersion, CONTRACT_VERSION);
            assert.equal(contract.env, stack);
            assert.equal(contract.project, config.project);
            assert.match(contract.kmsKeyArn, new RegExp(`^arn:aws:kms:${config.region}:${config.accountId}:key/`));
            assert.equal(contract.clusterIssuerName, `${config.project}-${stack}-acme`);
            assert.deepEqual(Object.keys(contract.apps).sort(), config.apps.map((a: any) => a.name).sort());
            for (const app of config.apps) {
                const out = contract.apps[app.name];
                assert.equal(out.namespace, app.namespace ?? app.name);
                assert.equal(out.serviceAccountName, app.serviceAccountName ?? app.name);
                assert.equal(
                    out.roleArn,
                    `arn:aws:iam::${config.accountId}:role/${config.project}-${stack}-${app.name}`,
                );
                const secrets: string[] = (app.secrets ?? []).map((s: any) => `${app.name}-${s.name}`);
                assert.deepEqual(out.secretNames, secrets);
                assert.equal(out.secretStoreName, secrets.length > 0 ? `${app.name}-store` : "");
            }
        });

        it("creates every piece of the environment, each parented to it", () => {
            const count = (type: string) => ofType(type).length;
            const namespaces = new Set(config.apps.map((a: any) => a.namespace ?? a.name));
            assert.equal(count(COMPONENT("SecureEnvironment")), 1);
            assert.equal(count(COMPONENT("SecureNamespace")), namespaces.size + 3);
            assert.equal(count(COMPONENT("EnvironmentKey")), 1);
            assert.equal(count(COMPONENT("WorkloadIdentity")), config.apps.length);
            const withSecrets = config.apps.filter((a: any) => (a.secrets ?? []).length > 0).length;
            assert.equal(count(COMPONENT("AppExternalSecrets")), withSecrets);
            if (config.secretBackend === "vault") {
                assert.equal(count(COMPONENT("VaultEnvironment")), 1);
                assert.equal(count(COMPONENT("VaultAppAccess")), withSecrets);
                assert.equal(count(COMPONENT("AppSecrets")), 0);
            } else {
                assert.equal(count(COMPONENT("AppSecrets")), withSecrets);
                assert.equal(count(COMPONENT("VaultAppAccess")), 0);
            }
            for (const addon of [
                "ExternalSecretsOperator",
                "Kyverno",
                "BaselinePolicies",
                "CertManager",
                "RuntimeSecurity",
            ]) {
                assert.equal(count(COMPONENT(addon)), 1, addon);
            }
            assert.equal(count("kubernetes:helm.sh/v4:Chart"), 4);
            for (const r of resources()) {
                if (r.type === COMPONENT("SecureEnvironment")) continue;
                assert.ok(r.parentType !== undefined, `${r.type} ${r.name} has a parent`);
            }
            for (const type of ["SecureNamespace", "EnvironmentKey", "WorkloadIdentity", "CertManager"]) {
                for (const r of ofType(COMPONENT(type))) assert.equal(r.parentType, COMPONENT("SecureEnvironment"));
            }
        });

        it("labels every namespace with the env's Pod Security levels and gives each default-deny", () => {
            const namespaces = ofType("kubernetes:core/v1:Namespace");
            const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
            for (const ns of namespaces) {
                const labels = ns.inputs.metadata.labels;
                // The one exception: the runtime security sensor's own namespace, created by RuntimeSecurity.
                const sensor = ns.parentType === COMPONENT("RuntimeSecurity");
                assert.equal(sensor, ns.inputs.metadata.name === "runtime-security", ns.name);
                assert.equal(
                    labels["pod-security.kubernetes.io/enforce"],
                    sensor ? "privileged" : PROFILES[stack].podSecurity.enforce,
                );
                assert.equal(labels.env, stack);
                const own = policies.filter((p) => p.inputs.metadata.namespace === ns.inputs.metadata.name);
                const names = own.map((p) => p.inputs.metadata.name);
                assert.ok(names.includes("default-deny-ingress") && names.includes("default-deny-egress"), ns.name);
            }
        });

        it("lets each app namespace's pods run only as its apps' ServiceAccounts, never a deployer's", () => {
            const expected = new Map<string, string[]>();
            for (const app of config.apps) {
                const namespace = app.namespace ?? app.name;
                expected.set(namespace, [...(expected.get(namespace) ?? []), app.serviceAccountName ?? app.name]);
            }
            const pinned = new Map<string, string>(
                ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((r) => [
                    r.inputs.spec.matchConstraints.namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
                    r.inputs.spec.validations[0].expression,
                ]),
            );
            assert.deepEqual([...pinned.keys()].sort(), [...expected.keys()].sort());
            const bindings = ofType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
            assert.equal(bindings.length, pinned.size);
            for (const binding of bindings) assert.deepEqual(binding.inputs.spec.validationActions, ["Deny"]);
            for (const [namespace, serviceAccounts] of expected) {
                const list = [...serviceAccounts]
                    .sort()
                    .map((sa) => `'${sa}'`)
                    .join(", ");
                assert.ok(pinned.get(namespace)!.includes(`in [${list}]`), `${namespace}: ${pinned.get(namespace)}`);
                assert.doesNotMatch(pinned.get(namespace)!, /ci-deployer/);
            }
        });

        it("pins every Helm chart", () => {
            for (const chart of ofType("kubernetes:helm.sh/v4:Chart")) {
                assert.match(chart.inputs.version, /^v?\d+\.\d+\.\d+$/, chart.inputs.chart);
                assert.match(chart.inputs.repositoryOpts.repo, /^https:\/\//);
            }
        });

        it("emits core Kubernetes objects that validate against the OpenAPI schema", async () => {
            const core = resources()
                .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"))
                .map((r) => manifestOf(r.type, r.inputs))
                .filter(isCoreObject);
            assert.ok(core.length > 20, `${core.length} objects`);
            for (const manifest of core) {
                assert.deepEqual(await coreObjectErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    });
}
