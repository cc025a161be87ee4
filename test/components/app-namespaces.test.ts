/**
 * Every component that takes an app's namespace refuses the cluster's own namespaces and the add-ons', and
 * `default` as the app's ServiceAccount, from the one baseline fact, before registering anything.
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../mocks";
installMocks();
import { AppExternalSecrets } from "../../components/addons/external-secrets";
import { WorkloadIdentity } from "../../components/aws/workload-identity";
import {
    ADDON_NAMESPACES,
    appNamespaceProblem,
    CLUSTER_NAMESPACES,
    nameCollisions,
    NameSystem,
    RenderedName,
} from "../../components/baseline";
import { SecureNamespace } from "../../components/kubernetes/secure-namespace";
import { VaultAppAccess } from "../../components/vault";
import { awsArgs, vaultArgs } from "./addons/external-secrets/fixtures";
import { identityArgs } from "./aws/fixtures";

const vaultAccessArgs = (namespace: string, serviceAccountName = "payments") => ({
    project: "shop",
    env: "prod" as const,
    app: "payments",
    namespace,
    serviceAccountName,
    mountPath: "shop-prod-kv",
    authPath: "kubernetes-shop-prod",
});

/** Each app component, built with `namespace` and `serviceAccountName`. */
const COMPONENTS: [string, (namespace: string, serviceAccountName?: string) => unknown][] = [
    [
        "WorkloadIdentity",
        (namespace, sa) => new WorkloadIdentity("x", identityArgs({ namespace, serviceAccountName: sa })),
    ],
    ["VaultAppAccess", (namespace, sa) => new VaultAppAccess("x", vaultAccessArgs(namespace, sa))],
    [
        "AppExternalSecrets (aws-secrets-manager)",
        (namespace, sa) => new AppExternalSecrets("x", awsArgs({ namespace, serviceAccountName: sa ?? "payments" })),
    ],
    [
        "AppExternalSecrets (vault)",
        (namespace, sa) => new AppExternalSecrets("x", vaultArgs({ namespace, serviceAccountName: sa ?? "payments" })),
    ],
];

async function refused(build: () => unknown, message: RegExp): Promise<void> {
    assert.throws(build, (e: Error) => {
        assert.match(e.message, message);
        for (const line of e.message.split("\n").slice(1)) assert.match(line, /^ {2}- \S.*; fix: \S/);
        return true;
    });
    await settled();
    assert.equal(resources().length, 0);
}

describe("app namespaces", () => {
    beforeEach(resetResources);

    it("one baseline fact: the cluster's namespaces, any kube-* namespace, and the add-ons'", () => {
        assert.deepEqual([...CLUSTER_NAMESPACES].sort(), ["default", "kube-node-lease", "kube-public", "kube-system"]);
        for (const namespace of [...CLUSTER_NAMESPACES, "kube-anything", ...ADDON_NAMESPACES]) {
            assert.ok(appNamespaceProblem(namespace), namespace);
        }
        for (const namespace of ["payments", "kubernetes-dashboard-x", "my-kube-system", "defaults"]) {
            assert.equal(appNamespaceProblem(namespace), undefined, namespace);
        }
    });

    for (const [component, build] of COMPONENTS) {
        describe(component, () => {
            for (const namespace of [...CLUSTER_NAMESPACES, "kube-flannel"]) {
                it(`refuses ${namespace}`, () =>
                    refused(
                        () => build(namespace),
                        new RegExp(
                            `namespace: ${namespace} is a namespace of the cluster itself, not an app namespace`,
                        ),
                    ));
            }
            for (const namespace of ADDON_NAMESPACES) {
                it(`refuses ${namespace}`, () =>
                    refused(
                        () => build(namespace),
                        new RegExp(
                            `namespace: ${namespace} is the namespace of a platform add-on, not an app namespace`,
                        ),
                    ));
            }
            it("refuses default as the app's ServiceAccount", () =>
                refused(
                    () => build("payments", "default"),
                    /serviceAccountName: default is the ServiceAccount every pod that names none runs as/,
                ));
            it("accepts an app namespace", async () => {
                build("payments");
                await settled();
                assert.ok(resources().length > 0);
            });
        });
    }

    it("SecureNamespace refuses the cluster's namespaces from the same fact", () =>
        refused(
            () => new SecureNamespace("x", { project: "shop", env: "prod", namespace: "kube-system", owner: "p" }),
            /namespace: kube-system is a namespace of the cluster itself/,
        ));
});

describe("nameCollisions", () => {
    const name = (system: NameSystem, kind: string, value: string, source: string, scope?: string): RenderedName => ({
        system,
        kind,
        scope,
        name: value,
        source,
    });

    it("folds IAM, Vault and Secrets Manager names regardless of case, and Kubernetes names not at all", () => {
        const pairs = (names: RenderedName[]) =>
            nameCollisions(names).map((c) => `${c.first.source}+${c.second.source}`);
        assert.deepEqual(
            pairs([
                name(NameSystem.Iam, "role", "shop-prod-Pay", "a"),
                name(NameSystem.Iam, "role", "shop-prod-pay", "b"),
            ]),
            ["a+b"],
        );
        assert.deepEqual(
            pairs([name(NameSystem.Vault, "policy", "Shop", "a"), name(NameSystem.Vault, "policy", "shop", "b")]),
            ["a+b"],
        );
        assert.deepEqual(
            pairs([
                name(NameSystem.SecretsManager, "secret", "shop-prod/Pay/db", "a"),
                name(NameSystem.SecretsManager, "secret", "shop-prod/pay/db", "b"),
            ]),
            ["a+b"],
        );
        assert.deepEqual(
            pairs([
                name(NameSystem.Kubernetes, "Secret", "Pay", "a", "ns"),
                name(NameSystem.Kubernetes, "Secret", "pay", "b", "ns"),
            ]),
            [],
        );
    });

    it("compares within a kind and a scope only", () => {
        assert.deepEqual(
            nameCollisions([
                name(NameSystem.Kubernetes, "Role", "x", "a", "ns1"),
                name(NameSystem.Kubernetes, "Role", "x", "b", "ns2"),
                name(NameSystem.Kubernetes, "RoleBinding", "x", "c", "ns1"),
                name(NameSystem.Vault, "role", "x", "d", "kubernetes-a"),
                name(NameSystem.Vault, "role", "x", "e", "kubernetes-b"),
            ]),
            [],
        );
    });

    it("pairs every later duplicate with the first", () => {
        const found = nameCollisions([
            name(NameSystem.SecretsManager, "secret", "s", "a"),
            name(NameSystem.SecretsManager, "secret", "s", "b"),
            name(NameSystem.SecretsManager, "secret", "s", "c"),
        ]);
        assert.deepEqual(
            found.map((c) => `${c.first.source}+${c.second.source}`),
            ["a+b", "a+c"],
        );
    });
});

describe("AppExternalSecrets operatorNamespace", () => {
    beforeEach(resetResources);

    it("refuses the app's own namespace", async () => {
        assert.throws(
            () => new AppExternalSecrets("x", awsArgs({ operatorNamespace: "payments" })),
            /operatorNamespace: payments is the app's own namespace, where the operator's ServiceAccount name could be taken; fix: /,
        );
        await settled();
        assert.equal(resources().length, 0);
    });
});
