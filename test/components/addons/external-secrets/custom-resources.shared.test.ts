/**
 * The custom resources AppExternalSecrets emits, checked against the External Secrets CRD schemas of the
 * operator release the chart installs (../shared/crds/schemas): what the API server would accept, not what the
 * builders' own tests expect.
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { AppExternalSecrets } from "../../../../components/addons/external-secrets";
import { customResourceErrors, Manifest, manifestOf } from "../../../k8s-schemas";
import { awsArgs, CA_BUNDLE, parameterStoreArgs, vaultArgs, vaultStore } from "./fixtures";

/** Every Kubernetes object registered, as a manifest. */
function emitted(): Manifest[] {
    return resources()
        .filter((r) => r.type.startsWith("kubernetes:external-secrets.io/"))
        .map((r) => manifestOf(r.type, r.inputs));
}

function copyOf(manifest: Manifest): Manifest {
    return JSON.parse(JSON.stringify(manifest)) as Manifest;
}

describe("External Secrets custom resources, against the upstream CRD schemas", () => {
    const built = new Map<string, Manifest[]>();

    before(async () => {
        resetResources();
        new AppExternalSecrets(
            "payments",
            awsArgs({
                secrets: [
                    { name: "db-password" },
                    { name: "shop-prod/payments/stripe", keys: ["api-key", "webhook-secret"], refreshInterval: "30m" },
                    { name: "tls.key", targetName: "payments-tls" },
                ],
            }),
        );
        await settled();
        built.set("aws-secrets-manager", emitted());

        resetResources();
        new AppExternalSecrets(
            "payments",
            vaultArgs({
                vault: vaultStore({ caBundle: CA_BUNDLE }),
                secrets: [
                    { name: "db-password" },
                    { name: "prod/payments/stripe", keys: ["api-key"], refreshInterval: "1h30m" },
                ],
            }),
        );
        await settled();
        built.set("vault", emitted());

        resetResources();
        new AppExternalSecrets("payments", parameterStoreArgs());
        await settled();
        built.set("aws-parameter-store", emitted());
    });

    for (const backend of ["aws-secrets-manager", "vault", "aws-parameter-store"]) {
        it(`${backend}: every custom resource validates against its external-secrets.io/v1 schema`, () => {
            const manifests = built.get(backend)!;
            assert.deepEqual(manifests.map((m) => m.kind).sort(), [
                "ExternalSecret",
                "ExternalSecret",
                ...(backend === "aws-secrets-manager" ? ["ExternalSecret"] : []),
                "SecretStore",
            ]);
            for (const manifest of manifests) {
                assert.equal(manifest.apiVersion, "external-secrets.io/v1", manifest.kind);
                assert.deepEqual(customResourceErrors(manifest), [], `${manifest.kind} ${manifest.metadata?.name}`);
            }
        });
    }

    it("reports a manifest of external-secrets.io/v1beta1 as no longer served", () => {
        for (const manifest of built.get("aws-secrets-manager")!) {
            const old = { ...copyOf(manifest), apiVersion: "external-secrets.io/v1beta1" };
            assert.deepEqual(customResourceErrors(old), [
                `external-secrets.io/v1beta1 ${manifest.kind} is no longer served by the upstream operator`,
            ]);
        }
    });

    it("reports misspelled fields and values", () => {
        const [awsStore] = built.get("aws-secrets-manager")!.filter((m) => m.kind === "SecretStore");
        const misspelled = copyOf(awsStore);
        misspelled.spec.provider.aws.regoin = misspelled.spec.provider.aws.region;
        delete misspelled.spec.provider.aws.region;
        assert.ok(
            customResourceErrors(misspelled).some((e) => e.includes("/spec/provider/aws") && e.includes("region")),
            customResourceErrors(misspelled).join("\n"),
        );

        const wrongService = copyOf(awsStore);
        wrongService.spec.provider.aws.service = "SecretManager";
        assert.ok(
            customResourceErrors(wrongService).some((e) => e.startsWith("/spec/provider/aws/service")),
            customResourceErrors(wrongService).join("\n"),
        );

        const [vaultStoreManifest] = built.get("vault")!.filter((m) => m.kind === "SecretStore");
        const noName = copyOf(vaultStoreManifest);
        const ref = noName.spec.provider.vault.auth.kubernetes.serviceAccountRef;
        ref.nmae = ref.name;
        delete ref.name;
        assert.ok(
            customResourceErrors(noName).some((e) => e.includes("serviceAccountRef") && e.includes("name")),
            customResourceErrors(noName).join("\n"),
        );

        const pemNotBase64 = copyOf(vaultStoreManifest);
        pemNotBase64.spec.provider.vault.caBundle = "-----BEGIN CERTIFICATE-----";
        assert.ok(
            customResourceErrors(pemNotBase64).some((e) => e.startsWith("/spec/provider/vault/caBundle")),
            customResourceErrors(pemNotBase64).join("\n"),
        );

        const [externalSecret] = built.get("aws-secrets-manager")!.filter((m) => m.kind === "ExternalSecret");
        const owned = copyOf(externalSecret);
        owned.spec.target.creationPolicy = "Owned";
        assert.ok(
            customResourceErrors(owned).some((e) => e.startsWith("/spec/target/creationPolicy")),
            customResourceErrors(owned).join("\n"),
        );

        // A misspelled optional field would be pruned by the API server, silently: it is reported.
        const retained = copyOf(externalSecret);
        retained.spec.target.deletionPolcy = retained.spec.target.deletionPolicy;
        delete retained.spec.target.deletionPolicy;
        assert.deepEqual(customResourceErrors(retained), [
            "/spec/target has a field the schema does not declare: deletionPolcy",
        ]);

        const clusterStore = copyOf(externalSecret);
        clusterStore.spec.secretStoreRef.kind = "Secretstore";
        assert.ok(
            customResourceErrors(clusterStore).some((e) => e.startsWith("/spec/secretStoreRef/kind")),
            customResourceErrors(clusterStore).join("\n"),
        );
    });
});
