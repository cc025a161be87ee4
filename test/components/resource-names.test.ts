/**
 * What each component says it renders is what it registers: the Kubernetes object names and the Pulumi
 * logical names SecureEnvironment compares are exactly those of the resources the component creates, so
 * the collision pass cannot drift from the components. And SecureEnvironment refuses declarations whose
 * resources would share a URN, which Pulumi would otherwise refuse halfway through a deployment.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, installMocks, REGION, resetResources, resources, settled } from "../mocks";
installMocks();
import {
    AppExternalSecrets,
    appExternalSecretsNames,
    appExternalSecretsResourceNames,
    resolveAppExternalSecretsArgs,
} from "../../components/addons/external-secrets";
import {
    AppSecrets,
    AppSecretsArgs,
    appSecretsResourceNames,
    resolveAppSecretsArgs,
} from "../../components/aws/app-secrets";
import {
    AppParameters,
    AppParametersArgs,
    appParametersNames,
    appParametersResourceNames,
    resolveAppParametersArgs,
} from "../../components/aws/parameter-store";
import {
    resolveWorkloadIdentityArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
    workloadIdentityNames,
    workloadIdentityResourceNames,
} from "../../components/aws/workload-identity";
import { RenderedName } from "../../components/baseline";
import { SecureEnvironment, SecureEnvironmentArgs } from "../../components/environment";
import {
    resolveSecureNamespaceArgs,
    SecureNamespace,
    SecureNamespaceArgs,
    secureNamespaceResourceNames,
} from "../../components/kubernetes/secure-namespace";
import {
    resolveVaultAppAccessArgs,
    VaultAppAccess,
    vaultAppAccessNames,
    vaultAppAccessResourceNames,
} from "../../components/vault";
import { stackArgs } from "../stacks/stack-config";
import { awsArgs, vaultArgs } from "./addons/external-secrets/fixtures";
import { identityArgs, KEY_ARN } from "./aws/fixtures";

const CLUSTER_SCOPED = ["Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"];

/** `<type> <logical name>` of every custom resource registered, sorted. */
function registered(): string[] {
    return resources()
        .filter((r) => r.custom)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

/** `<kind> <namespace>/<name>` of every Kubernetes object registered, sorted. */
function kubernetesObjects(): string[] {
    return resources()
        .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
        .map((r) => {
            const kind = r.type.split(":").pop()!;
            const meta = r.inputs.metadata;
            const namespaced = !CLUSTER_SCOPED.includes(kind) && meta.namespace;
            return `${kind} ${namespaced ? `${meta.namespace}/` : ""}${meta.name}`;
        })
        .sort();
}

const listed = (names: RenderedName[]) => names.map((n) => `${n.kind} ${n.name}`).sort();
const listedObjects = (names: RenderedName[]) =>
    names
        .filter((n) => n.system === "Kubernetes")
        .map((n) => `${n.kind} ${n.scope ? `${n.scope}/` : ""}${n.name}`)
        .sort();

describe("rendered names match what the components register", () => {
    beforeEach(resetResources);

    it("SecureNamespace", async () => {
        const input: SecureNamespaceArgs = {
            project: "shop",
            env: "dev",
            namespace: "payments",
            owner: "team-payments",
            egress: [{ cidrs: ["10.0.0.0/24"], ports: [{ port: 5432 }] }],
            ingress: [{ namespaces: ["ingress-nginx"], ports: [{ port: 8080 }] }],
            access: [
                { group: "auditors", role: "view" },
                { group: "payments-devs", role: "edit" },
            ],
            deployer: { readableSecrets: ["payments-db"] },
            podServiceAccounts: ["payments"],
        };
        new SecureNamespace("dev-payments", input);
        await settled();
        assert.deepEqual(
            listed(secureNamespaceResourceNames("dev-payments", resolveSecureNamespaceArgs("dev-payments", input))),
            registered(),
        );
    });

    for (const [mode, overrides] of [
        ["irsa", {}],
        [
            "pod-identity",
            {
                identityMode: "pod-identity",
                oidcIssuer: undefined,
                oidcProviderArn: undefined,
                clusterName: "shop-prod",
            },
        ],
    ] as [string, Partial<WorkloadIdentityArgs>][]) {
        it(`WorkloadIdentity (${mode})`, async () => {
            const input = identityArgs({ ...overrides, kubernetesSecretNames: ["payments-db"] });
            new WorkloadIdentity("prod-payments", input);
            await settled();
            const resolved = resolveWorkloadIdentityArgs("prod-payments", input);
            assert.deepEqual(listed(workloadIdentityResourceNames("prod-payments", resolved)), registered());
            assert.deepEqual(listedObjects(workloadIdentityNames(resolved)), kubernetesObjects());
        });
    }

    it("AppSecrets, with a value and a rotation", async () => {
        const input: AppSecretsArgs = {
            project: "shop",
            env: "prod",
            app: "payments",
            kmsKeyArn: KEY_ARN,
            secrets: [
                { name: "db-password", value: pulumi.secret("x") },
                {
                    name: "api-key",
                    rotation: {
                        lambdaArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rotate`,
                        automaticallyAfterDays: 30,
                    },
                },
                { name: "plain" },
            ],
        };
        new AppSecrets("prod-payments", input);
        await settled();
        assert.deepEqual(
            listed(appSecretsResourceNames("prod-payments", resolveAppSecretsArgs("prod-payments", input))),
            registered(),
        );
    });

    it("AppParameters, with a value and without", async () => {
        const input: AppParametersArgs = {
            project: "shop",
            env: "stage",
            app: "payments",
            kmsKeyArn: KEY_ARN,
            parameters: [{ name: "db-password", value: pulumi.secret("x"), valueVersion: 2 }, { name: "api-key" }],
        };
        new AppParameters("stage-payments", input);
        await settled();
        const resolved = resolveAppParametersArgs("stage-payments", input);
        assert.deepEqual(listed(appParametersResourceNames("stage-payments", resolved)), registered());
        assert.deepEqual(
            appParametersNames(resolved)
                .map((n) => `${n.system} ${n.kind} ${n.name}`)
                .sort(),
            resources()
                .filter((r) => r.type === "aws:ssm/parameter:Parameter")
                .map((r) => `Parameter Store parameter ${r.inputs.name}`)
                .sort(),
        );
    });

    for (const [backend, input] of [
        ["aws-secrets-manager", awsArgs()],
        ["vault", vaultArgs()],
    ] as const) {
        it(`AppExternalSecrets (${backend})`, async () => {
            new AppExternalSecrets("prod-payments", input);
            await settled();
            const resolved = resolveAppExternalSecretsArgs("prod-payments", input);
            assert.deepEqual(listed(appExternalSecretsResourceNames("prod-payments", resolved)), registered());
            // The operator, not Pulumi, writes each target Secret: listed, never registered.
            const objects = listedObjects(appExternalSecretsNames(resolved));
            assert.deepEqual(
                objects.filter((o) => o.startsWith("Secret ")),
                resolved.secrets.map((secret) => `Secret payments/${secret.targetName}`).sort(),
            );
            assert.deepEqual(
                objects.filter((o) => !o.startsWith("Secret ")),
                kubernetesObjects(),
            );
        });
    }

    it("VaultAppAccess", async () => {
        const input = {
            project: "shop",
            env: "prod" as const,
            app: "payments",
            namespace: "payments",
            serviceAccountName: "payments",
            mountPath: "shop-prod-kv",
            authPath: "kubernetes-shop-prod",
        };
        new VaultAppAccess("prod-payments", input);
        await settled();
        assert.deepEqual(listed(vaultAppAccessResourceNames("prod-payments")), registered());
        const vaultNames = vaultAppAccessNames(resolveVaultAppAccessArgs("prod-payments", input));
        assert.deepEqual(
            vaultNames.map((n) => `${n.kind} ${n.name}`),
            ["policy shop-prod-payments", "role shop-prod-payments"],
        );
    });
});

describe("SecureEnvironment refuses resources that would share a URN", function () {
    this.timeout(60_000);
    beforeEach(resetResources);

    function refused(
        change: (args: SecureEnvironmentArgs) => void,
        fragments: string[],
        stack: "prod" | "stage" = "prod",
    ): Promise<void> {
        const args = stackArgs(stack);
        change(args);
        assert.throws(
            () => new SecureEnvironment(stack, args),
            (e: Error) => {
                for (const fragment of fragments)
                    assert.ok(e.message.includes(fragment), `${fragment}\nin\n${e.message}`);
                return true;
            },
        );
        return settled().then(() => assert.equal(resources().length, 0));
    }

    it("apps pay and pay-ments, in their own namespaces, with secrets ments-db and db", () =>
        refused(
            (a) => {
                Object.assign(a.apps[0], { name: "pay", namespace: "payments", secrets: [{ name: "ments-db" }] });
                Object.assign(a.apps[1], { name: "pay-ments", namespace: "orders", secrets: [{ name: "db" }] });
            },
            [
                "apps[1] (pay-ments): secrets[0].name: renders Pulumi resource aws:secretsmanager/secret:Secret prod-pay-ments-db (a child of k8s-baseline:index:AppSecrets), which apps[0] (pay): secrets[0].name renders too",
            ],
        ));

    it("on Parameter Store, apps pay and pay-ments with parameters ments-db and db", () =>
        refused(
            (a) => {
                a.secretBackend = "aws-parameter-store";
                Object.assign(a.apps[0], { name: "pay", namespace: "payments", secrets: [{ name: "ments-db" }] });
                Object.assign(a.apps[1], { name: "pay-ments", namespace: "orders", secrets: [{ name: "db" }] });
            },
            [
                "apps[1] (pay-ments): parameters[0].name: renders Pulumi resource aws:ssm/parameter:Parameter stage-pay-ments-db (a child of k8s-baseline:index:AppParameters), which apps[0] (pay): parameters[0].name renders too",
            ],
            "stage",
        ));

    it("namespaces payments and payments-x whose deployers are x-ci and ci", () =>
        refused(
            (a) => {
                a.apps[0].deployer = { serviceAccountName: "x-ci" };
                Object.assign(a.apps[1], { namespace: "payments-x", deployer: { serviceAccountName: "ci" } });
            },
            [
                "namespace payments-x: deployer.serviceAccountName: renders Pulumi resource kubernetes:core/v1:ServiceAccount prod-payments-x-ci (a child of k8s-baseline:index:SecureNamespace), which namespace payments: deployer.serviceAccountName renders too",
            ],
        ));
});
