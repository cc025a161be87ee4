import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, named, ofType, resetResources, resources, settled, valueOf } from "../../mocks";
installMocks();
import { VaultEnvironment, VaultEnvironmentArgs } from "../../../components/vault";

const MOUNT = "vault:index/mount:Mount";
const AUTH = "vault:index/authBackend:AuthBackend";
const AUTH_CONFIG = "vault:kubernetes/authBackendConfig:AuthBackendConfig";
const HOST = "https://api.prod.example.internal:443";
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function args(overrides: Partial<VaultEnvironmentArgs> = {}): VaultEnvironmentArgs {
    return { project: "shop", env: "prod", kubernetesHost: HOST, kubernetesCaCert: CA, ...overrides };
}

describe("VaultEnvironment", () => {
    beforeEach(resetResources);

    it("creates a KV v2 mount at the env's default path", async () => {
        const env = new VaultEnvironment("prod", args());
        assert.equal(await valueOf(env.mountPath), "shop-prod-kv");
        await settled();
        const mount = named(MOUNT, "prod-kv").inputs;
        assert.equal(mount.path, "shop-prod-kv");
        assert.equal(mount.type, "kv");
        assert.deepEqual(mount.options, { version: "2" });
    });

    it("creates a Kubernetes auth backend at the env's default path, configured for the cluster", async () => {
        const env = new VaultEnvironment("prod", args());
        assert.equal(await valueOf(env.authPath), "kubernetes-shop-prod");
        await settled();
        const auth = named(AUTH, "prod-kubernetes").inputs;
        assert.equal(auth.type, "kubernetes");
        assert.equal(auth.path, "kubernetes-shop-prod");
        const config = named(AUTH_CONFIG, "prod-kubernetes-config").inputs;
        assert.equal(config.backend, "kubernetes-shop-prod");
        assert.equal(config.kubernetesHost, HOST);
        assert.equal(config.kubernetesCaCert, CA);
        assert.equal(config.disableIssValidation, undefined, "issuer validation keeps Vault's default");
    });

    it("uses given paths", async () => {
        const env = new VaultEnvironment(
            "dev",
            args({ env: "dev", mountPath: "secret/shop-dev", authPath: "k8s-dev" }),
        );
        assert.equal(await valueOf(env.mountPath), "secret/shop-dev");
        assert.equal(await valueOf(env.authPath), "k8s-dev");
        await settled();
        assert.equal(named(MOUNT, "dev-kv").inputs.path, "secret/shop-dev");
        assert.equal(named(AUTH, "dev-kubernetes").inputs.path, "k8s-dev");
    });

    it("creates no mount when told to use an existing one, and reports its path", async () => {
        const env = new VaultEnvironment(
            "stage",
            args({ env: "stage", useExistingMount: true, mountPath: "kv-stage" }),
        );
        assert.equal(await valueOf(env.mountPath), "kv-stage");
        await settled();
        assert.equal(ofType(MOUNT).length, 0);
        assert.equal(ofType(AUTH).length, 1);
        assert.equal(ofType(AUTH_CONFIG).length, 1);
    });

    it("accepts a host known only at deploy time", async () => {
        new VaultEnvironment("prod", args({ kubernetesHost: pulumi.output(HOST), kubernetesCaCert: undefined }));
        await settled();
        const config = named(AUTH_CONFIG, "prod-kubernetes-config").inputs;
        assert.equal(config.kubernetesHost, HOST);
        assert.equal(config.kubernetesCaCert, undefined);
    });

    it("parents every child to the component", async () => {
        new VaultEnvironment("prod", args());
        await settled();
        const children = resources().filter((r) => r.custom);
        assert.equal(children.length, 3);
        for (const child of children) assert.equal(child.parentType, "k8s-baseline:index:VaultEnvironment", child.name);
    });

    describe("rejects bad input before registering anything", () => {
        const cases: [string, Partial<VaultEnvironmentArgs>, RegExp][] = [
            [
                "an unknown env",
                { env: "qa" as never },
                /env: "qa" is not a known environment; fix: use one of dev, stage, prod/,
            ],
            [
                "a project that is not DNS-1123",
                { project: "Shop" },
                /project: "Shop" is not a DNS-1123 label of at most 30 characters; fix:/,
            ],
            [
                "a plain http host",
                { kubernetesHost: "http://api.example.internal" },
                /kubernetesHost: "http:\/\/api\.example\.internal" is not an https:\/\/ URL; fix: give the API server URL with https:\/\//,
            ],
            [
                "a host that is not a URL",
                { kubernetesHost: "api.example.internal" },
                /kubernetesHost: "api\.example\.internal" is not an https:\/\/ URL/,
            ],
            ["a missing host", { kubernetesHost: "" }, /kubernetesHost: is required; fix: give the API server URL/],
            ["a CA that is not PEM", { kubernetesCaCert: "MIIB" }, /kubernetesCaCert: is not a PEM certificate; fix:/],
            [
                "a mount path with a leading slash",
                { mountPath: "/shop-prod-kv" },
                /mountPath: "\/shop-prod-kv" starts or ends with '\/'; fix: give the KV v2 mount path without slashes/,
            ],
            [
                "a mount path with a trailing slash",
                { mountPath: "shop-prod-kv/" },
                /mountPath: "shop-prod-kv\/" starts or ends with '\/'/,
            ],
            ["a mount path with a glob", { mountPath: "shop-*" }, /mountPath: "shop-\*" contains '\*'; fix:/],
            [
                "a mount path of another env",
                { mountPath: "shop-dev-kv" },
                /mountPath: "shop-dev-kv" names environment dev from the prod environment; fix: use a name of the prod environment/,
            ],
            [
                "an existing mount of another env",
                { mountPath: "stage/kv", useExistingMount: true },
                /mountPath: "stage\/kv" names environment stage from the prod environment/,
            ],
            [
                "an auth path with a glob",
                { authPath: "kubernetes-*" },
                /authPath: "kubernetes-\*" contains '\*'; fix: give the auth backend path/,
            ],
            [
                "an auth path with a trailing slash",
                { authPath: "kubernetes/" },
                /authPath: "kubernetes\/" starts or ends with '\/'/,
            ],
            [
                "an auth path of another env",
                { authPath: "kubernetes-shop-stage" },
                /authPath: "kubernetes-shop-stage" names environment stage from the prod environment/,
            ],
            [
                "useExistingMount that is not a boolean",
                { useExistingMount: "yes" as never },
                /useExistingMount: "yes" is not a boolean; fix: give true or false/,
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new VaultEnvironment("prod", args(overrides)),
                    (e: Error) => {
                        assert.match(e.message, /^VaultEnvironment "prod": invalid arguments:/);
                        assert.match(e.message, message);
                        return true;
                    },
                );
                await settled();
                assert.equal(resources().length, 0);
            });
        }
    });
});
