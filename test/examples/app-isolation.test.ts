/**
 * The example app's pods mount no Kubernetes API token by any route (neither the automounted one nor a
 * projected serviceAccountToken volume, which mounts one whatever automountServiceAccountToken says), and run
 * as the ServiceAccount the platform declared, which the namespace's admission policy admits.
 */
import * as assert from "node:assert/strict";
import { isCelError, run } from "@bufbuild/cel";
import { installMocks, mockStackOutputs, named, resetResources, settled } from "../mocks";
installMocks();
import { CONTRACT_VERSION, PlatformReference } from "../../components";
import { serviceAccountPolicy } from "../../components/kubernetes/service-account-policy";
import { deployApp } from "../../examples/app/app";

const STACK = "acme/k8s-baseline/isolation";
const IMAGE = `333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments@sha256:${"ab".repeat(32)}`;

/** Every volume source of `pod` that mounts a ServiceAccount token, by volume name. */
function tokenVolumes(pod: any): string[] {
    return (pod.volumes ?? [])
        .filter(
            (volume: any) =>
                (volume.projected?.sources ?? []).some((source: any) => source.serviceAccountToken !== undefined) ||
                volume.serviceAccountToken !== undefined,
        )
        .map((volume: any) => volume.name);
}

describe("examples/app isolation", () => {
    before(() =>
        mockStackOutputs(STACK, {
            contractVersion: CONTRACT_VERSION,
            project: "shop",
            env: "prod",
            kmsKeyArn: "arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            clusterIssuerName: "shop-prod-acme",
            apps: {
                payments: {
                    namespace: "payments",
                    serviceAccountName: "payments",
                    roleArn: "arn:aws:iam::333333333333:role/shop-prod-payments",
                    secretStoreName: "payments-store",
                    secretNames: ["payments-db-password"],
                },
            },
        }),
    );
    beforeEach(resetResources);

    async function pod(): Promise<any> {
        deployApp(new PlatformReference("platform", { stack: STACK }), { app: "payments", image: IMAGE, port: 8080 });
        await settled();
        return named("kubernetes:apps/v1:Deployment", "payments").inputs;
    }

    it("mounts no API token: automount off and no projected serviceAccountToken volume", async () => {
        const spec = (await pod()).spec.template.spec;
        assert.equal(spec.automountServiceAccountToken, false);
        assert.deepEqual(tokenVolumes(spec), []);
        for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
            for (const mount of container.volumeMounts ?? []) {
                assert.doesNotMatch(mount.mountPath, /serviceaccount/, `${container.name} mounts ${mount.mountPath}`);
            }
        }
    });

    it("the token check finds a projected token, so the assertion above can fail", () => {
        const withToken = {
            volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }],
        };
        assert.deepEqual(tokenVolumes(withToken), ["t"]);
    });

    it("runs as the declared ServiceAccount, which the namespace's policy admits", async () => {
        const deployment = { kind: "Deployment", ...(await pod()) };
        const { spec } = serviceAccountPolicy("payments", ["payments"]).policy as any;
        const variables: Record<string, unknown> = {};
        for (const v of spec.variables)
            variables[v.name] = run(v.expression, { object: deployment, variables } as never);
        const verdict = run(spec.validations[0].expression, { object: deployment, variables } as never);
        assert.ok(!isCelError(verdict), String(verdict));
        assert.equal(verdict, true);
    });
});
