import * as assert from "node:assert/strict";
import {
    isPlatformAdmissionResource,
    isPlatformChartResource,
    platformChartOf,
    typeChainOfUrn,
} from "../../../policy-pack/policies/platform";
import { PolicyResource } from "../../../policy-pack/policies/types";
import { settingsFrom } from "../../../policy-pack/settings";

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CHART = "kubernetes:helm.sh/v4:Chart";

function urn(chain: string[], name = "x"): string {
    return `urn:pulumi:prod::platform::${chain.join("$")}::${name}`;
}

function child(chain: string[], namespace?: string, type = DEPLOYMENT): PolicyResource {
    return {
        type,
        name: "x",
        urn: urn([...chain, type]),
        props: { metadata: { name: "x", ...(namespace === undefined ? {} : { namespace }) } },
    };
}

describe("platform chart resources", () => {
    const engine = settingsFrom({ env: "prod" });
    const files = settingsFrom({ env: "prod" }, new Date(), false);
    const certManager = ["k8s-baseline:index:SecureEnvironment", "k8s-baseline:index:CertManager", CHART];

    it("reads the type chain of a URN, names with :: included", () => {
        assert.deepEqual(typeChainOfUrn("urn:pulumi:prod::p::a$b$c::n::m"), ["a", "b", "c"]);
        assert.equal(typeChainOfUrn("urn:other"), undefined);
        assert.equal(typeChainOfUrn(undefined), undefined);
    });

    it("recognises a child of an add-on's chart in the add-on's namespace, and its cluster-scoped children", () => {
        assert.equal(platformChartOf(child(certManager, "cert-manager"), engine), "k8s-baseline:index:CertManager");
        assert.ok(isPlatformChartResource(child(certManager, undefined, CLUSTER_ROLE), engine));
    });

    it("does not recognise the same chart's child in another namespace", () => {
        assert.equal(isPlatformChartResource(child(certManager, "payments"), engine), false);
        assert.equal(isPlatformChartResource(child(certManager, "kube-system"), engine), false);
    });

    it("does not recognise a resource that is not a chart's child, whatever its namespace or labels", () => {
        const direct = child(["k8s-baseline:index:CertManager"], "cert-manager");
        assert.equal(isPlatformChartResource(direct, engine), false);
        const appChart = child(["my:index:App", CHART], "cert-manager");
        assert.equal(isPlatformChartResource(appChart, engine), false);
        const labelled: PolicyResource = {
            type: DEPLOYMENT,
            name: "x",
            props: {
                metadata: {
                    namespace: "cert-manager",
                    labels: { "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "cert-manager-v1.21.1" },
                },
            },
        };
        assert.equal(isPlatformChartResource(labelled, engine), false);
    });

    it("trusts no URN read from a file", () => {
        assert.equal(isPlatformChartResource(child(certManager, "cert-manager"), files), false);
    });
});

describe("platform admission policies", () => {
    const engine = settingsFrom({ env: "prod" });
    const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
    const vap = (chain: string[]): PolicyResource => ({
        type: VAP,
        name: "x",
        urn: urn([...chain, VAP]),
        props: { metadata: { name: "x" } },
    });

    it("recognises the ServiceAccount pin SecureNamespace registers, by its URN parent", () => {
        const pin = vap(["k8s-baseline:index:SecureEnvironment", "k8s-baseline:index:SecureNamespace"]);
        assert.ok(isPlatformAdmissionResource(pin, engine));
        assert.equal(isPlatformAdmissionResource(pin, settingsFrom({ env: "prod" }, new Date(), false)), false);
    });

    it("does not recognise one registered by anything else, or nested deeper", () => {
        assert.equal(isPlatformAdmissionResource(vap(["my:index:App"]), engine), false);
        assert.equal(
            isPlatformAdmissionResource(vap(["k8s-baseline:index:SecureNamespace", "my:index:X"]), engine),
            false,
        );
        assert.equal(isPlatformAdmissionResource(vap([]), engine), false);
    });
});
