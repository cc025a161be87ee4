/**
 * The pack's "can this pattern reach another app's or env's secret" decisions (policy-pack aws/scope.ts),
 * confirmed by simulation: for a pattern it says reaches another name, IAM allows GetSecretValue on that
 * name's ARN; for a pattern it says keeps to the owner's names, IAM denies every other app's and env's
 * secret of a matrix that includes the prefix-sharing apps `pay`/`payments` and look-alike envs.
 */
import * as assert from "node:assert/strict";
import { PolicyDocument } from "../../../components/aws/iam";
import { Environment, ENVIRONMENTS } from "../../../components/baseline";
import { otherNameReached } from "../../../policy-pack/policies/aws/scope";
import { simulate } from "./iam-simulation";

const ACCOUNT = "333333333333";
const REGION = "eu-west-1";
const PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const OWNER = { project: "shop", env: "prod" as Environment, app: "pay" };
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/shop-prod-pay`;

const policyFor = (resource: string): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: resource }],
});

const reads = (resource: string, secretArn: string) =>
    simulate(
        { principal: PRINCIPAL, action: "secretsmanager:GetSecretValue", resource: secretArn, accountId: ACCOUNT },
        [policyFor(resource)],
    );

/** Other apps' and envs' secrets, the apps chosen to share prefixes with the owner `pay`. */
const OTHERS: string[] = [];
for (const env of ENVIRONMENTS) {
    for (const app of ["pay", "payments", "pa", "pax", "orders", "p"]) {
        if (env === OWNER.env && app === OWNER.app) continue;
        OTHERS.push(`${PREFIX}shop-${env}/${app}/db-password-Ab12Cd`);
    }
}
OTHERS.push(`${PREFIX}shop-x-prod/pay/db-password-Ab12Cd`, `${PREFIX}other-prod/pay/db-password-Ab12Cd`);
const OWN = `${PREFIX}shop-prod/pay/db-password-Ab12Cd`;

const REACHING = [
    "shop-prod/*",
    "shop-*",
    "shop-prod/pay*",
    "shop-prod/pa?/*",
    "*/pay/*",
    "shop-*/pay/*",
    "shop-prod/p*/*",
    "shop-prod/*/db-password-*",
    "shop-dev/pay/*",
    "*-prod/pay/*",
];
const CONFINED = ["shop-prod/pay/*", "shop-prod/pay/db-*", "shop-?rod/pay/*", "shop-prod/pay/*/x", "legacy/db"];

describe("the aws-iam-secret-scope decisions, by simulation", function () {
    this.timeout(60_000);

    for (const pattern of REACHING) {
        it(`${pattern} reaches another app's or env's secret, and IAM allows reading it`, async () => {
            const witness = otherNameReached(PREFIX + pattern, "secretsmanager", OWNER);
            assert.ok(witness, `the pack finds no other name for ${pattern}`);
            const arn = `${PREFIX}${witness}`;
            assert.equal(await reads(PREFIX + pattern, arn), "Allowed", arn);
            assert.notEqual(witness.startsWith("shop-prod/pay/"), true, witness);
        });
    }

    for (const pattern of CONFINED) {
        it(`${pattern} keeps to app pay in prod, and IAM denies every other secret of the matrix`, async () => {
            assert.equal(otherNameReached(PREFIX + pattern, "secretsmanager", OWNER), undefined);
            for (const other of OTHERS) {
                assert.equal(await reads(PREFIX + pattern, other), "ImplicitlyDenied", `${pattern} on ${other}`);
            }
        });
    }

    it("the matrix's own secret is readable through the app's own pattern", async () => {
        assert.equal(await reads(`${PREFIX}shop-prod/pay/*`, OWN), "Allowed");
    });

    it("a pattern the pack lets through for one app reaches at most that app, whoever holds it", async () => {
        for (const pattern of REACHING.concat(CONFINED)) {
            const reached = otherNameReached(PREFIX + pattern, "secretsmanager", {});
            const allowed: string[] = [];
            for (const other of [...OTHERS, OWN])
                if ((await reads(PREFIX + pattern, other)) === "Allowed") allowed.push(other);
            const apps = new Set(allowed.map((arn) => arn.slice(PREFIX.length).split("/").slice(0, 2).join("/")));
            // Reaching two apps' names in the simulation implies the pack finds a second one.
            if (apps.size > 1) assert.ok(reached, `${pattern} reaches ${[...apps].join(", ")}`);
        }
    });
});
