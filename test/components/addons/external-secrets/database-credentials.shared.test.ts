/**
 * The VaultDynamicSecret generator and ExternalSecret AppExternalSecrets emits for dynamic database
 * credentials, against the upstream CRD schemas (the generator's extracted into test/crds/schemas), and a
 * misspelled field or a wrong kind refused.
 */
import * as assert from "node:assert/strict";
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { AppExternalSecrets } from "../../../../components/addons/external-secrets";
import { customResourceErrors, Manifest, manifestOf } from "../../../k8s-schemas";
import { CA_BUNDLE, vaultArgs, vaultStore } from "./fixtures";

describe("database credentials custom resources, against the upstream CRD schemas", () => {
    let emitted: Manifest[] = [];

    before(async () => {
        resetResources();
        new AppExternalSecrets(
            "payments",
            vaultArgs({ vault: vaultStore({ caBundle: CA_BUNDLE }), secrets: [], databaseCredentials: {} }),
        );
        await settled();
        emitted = resources()
            .filter((r) => /^kubernetes:(generators\.)?external-secrets\.io\//.test(r.type))
            .map((r) => manifestOf(r.type, r.inputs));
    });

    it("emits a generator and an ExternalSecret that the schemas accept", () => {
        const generator = emitted.find((m) => m.kind === "VaultDynamicSecret");
        const externalSecret = emitted.find(
            (m) => m.kind === "ExternalSecret" && m.metadata?.name === "payments-database",
        );
        assert.ok(generator && externalSecret);
        assert.equal(generator.apiVersion, "generators.external-secrets.io/v1alpha1");
        for (const manifest of emitted) assert.deepEqual(customResourceErrors(manifest), [], manifest.kind);
    });

    it("is checked for real: a misspelled field and an unknown generator kind are refused", () => {
        const generator = JSON.parse(JSON.stringify(emitted.find((m) => m.kind === "VaultDynamicSecret")));
        generator.spec.pathh = generator.spec.path;
        delete generator.spec.path;
        assert.notDeepEqual(customResourceErrors(generator), []);
        const es = JSON.parse(JSON.stringify(emitted.find((m) => m.kind === "ExternalSecret")));
        es.spec.dataFrom[0].sourceRef.generatorRef.kind = "VaultDynamicSecrets";
        assert.notDeepEqual(customResourceErrors(es), []);
    });
});
