import * as assert from "node:assert/strict";
import { installMocks, mockStackOutputs, resetResources, settle } from "../mocks";
installMocks();
import { CONTRACT_VERSION, contractVersionProblem, PlatformContract } from "../../components/contract";
import { PlatformReference } from "../../components/platform-reference";

const STACK = "acme/k8s-baseline/prod";

function contract(overrides: Partial<PlatformContract> = {}): PlatformContract {
    return {
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
        ...overrides,
    };
}

describe("PlatformReference", () => {
    beforeEach(resetResources);

    it("reads an app's contract and the env's outputs", async () => {
        mockStackOutputs(STACK, { ...contract() });
        const platform = new PlatformReference("platform", { stack: STACK });
        const app = await settle(platform.app("payments"));
        assert.equal(app.serviceAccountName, "payments");
        assert.deepEqual(app.secretNames, ["payments-db-password"]);
        assert.equal(await settle(platform.clusterIssuerName), "shop-prod-acme");
        assert.match(await settle(platform.kmsKeyArn), /^arn:aws:kms:/);
        assert.equal(await settle(platform.env), "prod");
    });

    it("names the missing app and the ones the platform has", async () => {
        mockStackOutputs(STACK, { ...contract() });
        const platform = new PlatformReference("platform", { stack: STACK });
        await assert.rejects(
            settle(platform.app("billing")),
            /stack acme\/k8s-baseline\/prod has no app "billing" \(it has payments\); fix: declare the app/,
        );
    });

    it("names a missing output", async () => {
        const { clusterIssuerName: _omitted, ...rest } = contract();
        mockStackOutputs(STACK, rest);
        const platform = new PlatformReference("platform", { stack: STACK });
        await assert.rejects(
            settle(platform.clusterIssuerName),
            /has no output "clusterIssuerName"; fix: run pulumi up/,
        );
    });

    it("refuses a platform of another contract major version", async () => {
        mockStackOutputs(STACK, { ...contract({ contractVersion: "2.0" }) });
        const platform = new PlatformReference("platform", { stack: STACK });
        await assert.rejects(settle(platform.app("payments")), /major versions differ/);
        await assert.rejects(settle(platform.kmsKeyArn), /major versions differ/);
    });

    it("refuses a stack name that is not fully qualified", () => {
        assert.throws(
            () => new PlatformReference("platform", { stack: "prod" }),
            /stack "prod" is not a fully qualified stack name/,
        );
    });

    it("judges contract versions by major and minor", () => {
        assert.equal(contractVersionProblem("1.0", "1.0"), undefined);
        assert.equal(contractVersionProblem("1.3", "1.2"), undefined);
        assert.match(contractVersionProblem("1.1", "1.2")!, /older than the 1.2/);
        assert.match(contractVersionProblem("2.0", "1.0")!, /major versions differ/);
        assert.match(contractVersionProblem(undefined, "1.0")!, /not <major>.<minor>/);
    });
});
