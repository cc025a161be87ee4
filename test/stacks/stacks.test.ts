/**
 * The dev, stage and prod programs, each run under mocks from its own Pulumi.<stack>.yaml: what `pulumi up
 * --stack <env>` would create, and the contract its outputs give app repositories.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, resetResources, resources, settle, settled } from "../mocks";
installMocks();
import { CONTRACT_OUTPUTS, CONTRACT_VERSION, PlatformContract } from "../../components/contract";
import {
    Environment,
    PROFILES,
    secretPathPrefix,
    vaultDatabaseCredsPath,
    vaultDatabaseMountPath,
    vaultDatabaseRoleName,
    ssmParameterPrefix,
    vaultSecretPrefix,
} from "../../components/baseline";
import { AWS_STORE_SERVICES, SecretBackend } from "../../components/addons/external-secrets";
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
                // Dynamic database credentials come last, in the Secret <app>-database.
                const database = app.database && config.secretBackend === "vault" ? [`${app.name}-database`] : [];
                assert.deepEqual(out.secretNames, [...secrets, ...database]);
                assert.equal(out.secretStoreName, secrets.length > 0 ? `${app.name}-store` : "");
            }
        });

        it("names in each app's contract the store of the env's backend and the Secrets synced from it", () => {
            const backend = config.secretBackend as SecretBackend;
            const stores = ofType("kubernetes:external-secrets.io/v1:SecretStore");
            const externalSecrets = ofType("kubernetes:external-secrets.io/v1:ExternalSecret");
            for (const app of config.apps) {
                const out = contract.apps[app.name];
                const inNamespace = (r: { inputs: any }) => r.inputs.metadata.namespace === out.namespace;
                const own = stores.filter((r) => inNamespace(r) && r.inputs.metadata.name === out.secretStoreName);
                if (out.secretNames.length === 0) {
                    assert.equal(own.length, 0, app.name);
                    continue;
                }
                assert.equal(own.length, 1, `${app.name}: its SecretStore ${out.secretStoreName}`);
                const provider = own[0].inputs.spec.provider;
                // The store reads the env's backend as the ServiceAccount the contract names, never another.
                if (backend === SecretBackend.Vault) {
                    assert.equal(provider.aws, undefined);
                    assert.equal(provider.vault.auth.kubernetes.serviceAccountRef.name, out.serviceAccountName);
                } else {
                    assert.equal(provider.vault, undefined);
                    assert.equal(provider.aws.service, AWS_STORE_SERVICES[backend]);
                    assert.equal(provider.aws.region, config.region);
                    assert.equal(provider.aws.auth.jwt.serviceAccountRef.name, out.serviceAccountName);
                }
                const synced = externalSecrets.filter(
                    (r) => inNamespace(r) && r.inputs.spec.secretStoreRef?.name === out.secretStoreName,
                );
                // A Secret of dynamic database credentials comes from the app's own generator, which reads the
                // app's own role on the env's database mount.
                const generated = externalSecrets.filter(
                    (r) => inNamespace(r) && r.inputs.spec.secretStoreRef === undefined,
                );
                const generators = ofType("kubernetes:generators.external-secrets.io/v1alpha1:VaultDynamicSecret");
                for (const r of generated) {
                    const refs = r.inputs.spec.dataFrom.map((d: any) => d.sourceRef.generatorRef);
                    assert.equal(refs.length, 1, r.name);
                    assert.equal(refs[0].kind, "VaultDynamicSecret");
                    const generator = generators.filter(
                        (g) => inNamespace(g) && g.inputs.metadata.name === refs[0].name,
                    );
                    assert.equal(generator.length, 1, `${r.name}: its generator ${refs[0].name}`);
                    const role = vaultDatabaseRoleName(config.project, stack as Environment, app.name);
                    assert.equal(
                        generator[0].inputs.spec.path,
                        vaultDatabaseCredsPath(vaultDatabaseMountPath(config.project, stack as Environment), role),
                    );
                    assert.equal(
                        generator[0].inputs.spec.provider.auth.kubernetes.serviceAccountRef.name,
                        out.serviceAccountName,
                    );
                }
                assert.deepEqual(
                    [...synced, ...generated].map((r) => r.inputs.spec.target.name),
                    out.secretNames,
                );
                // Every Secret comes from a key below the app's own prefix in that backend.
                const prefix =
                    backend === SecretBackend.Vault
                        ? vaultSecretPrefix(stack as Environment, app.name)
                        : backend === SecretBackend.AwsParameterStore
                          ? ssmParameterPrefix(config.project, stack as Environment, app.name)
                          : secretPathPrefix(config.project, stack as Environment, app.name);
                for (const r of synced) {
                    const keys = [
                        ...(r.inputs.spec.data ?? []).map((d: any) => d.remoteRef.key),
                        ...(r.inputs.spec.dataFrom ?? []).map((d: any) => d.extract.key),
                    ];
                    assert.ok(keys.length > 0, r.name);
                    for (const key of keys) assert.ok(key.startsWith(prefix), `${r.name}: ${key} under ${prefix}`);
                }
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
            // Each app with secrets gets its store of the env's backend, and no other.
            const stores: Record<string, string> = {
                vault: "VaultAppAccess",
                "aws-secrets-manager": "AppSecrets",
                "aws-parameter-store": "AppParameters",
            };
            assert.ok(config.secretBackend in stores, config.secretBackend);
            for (const [backend, store] of Object.entries(stores)) {
                assert.equal(count(COMPONENT(store)), backend === config.secretBackend ? withSecrets : 0, store);
            }
            assert.equal(count(COMPONENT("VaultEnvironment")), config.secretBackend === "vault" ? 1 : 0);
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

        it("lets the env key be used through the service of the env's backend", () => {
            const key = ofType("aws:kms/key:Key").filter((r) => r.name === `${stack}-key-key`);
            assert.equal(key.length, 1);
            const services = new Set<string>(
                JSON.parse(key[0].inputs.policy).Statement.flatMap((statement: any) =>
                    [statement.Condition?.StringEquals?.["kms:ViaService"] ?? []].flat(),
                ),
            );
            const ssm = `ssm.${config.region}.amazonaws.com`;
            assert.equal(services.has(`secretsmanager.${config.region}.amazonaws.com`), true);
            assert.equal(services.has(ssm), config.secretBackend === SecretBackend.AwsParameterStore, ssm);
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
