/**
 * The DNS-01 policy of every env's cert-manager role, as the component registers it, judged by simulation: it
 * may write ACME challenge records in its own env's zones and nothing else in Route 53.
 */
import * as assert from "node:assert/strict";
import { ACCOUNT, installMocks, named, resetResources, settled } from "../../../mocks";
installMocks();
import { certManagerDnsPolicy, EnvironmentIssuer, hostedZoneArn } from "../../../../components/addons/cert-manager";
import { PolicyDocument } from "../../../../components/aws/iam";
import { Environment, ENVIRONMENTS } from "../../../../components/baseline";
import { Decision, simulate } from "../../aws/iam-simulation";
import { issuerArgs, zonesOf } from "./fixtures";

const RECORD_TYPES = "route53:ChangeResourceRecordSetsRecordTypes";
const RECORD_NAMES = "route53:ChangeResourceRecordSetsNormalizedRecordNames";
const CHANGE = "arn:aws:route53:::change/C2682N5HXP0BZ4";

const principalOf = (env: Environment) => `arn:aws:iam::${ACCOUNT}:role/shop-${env}-cert-manager`;
const zoneArn = (zoneId: string) => hostedZoneArn("aws", zoneId);

/** A ChangeResourceRecordSets request as Route 53 describes it to IAM. */
function change(env: Environment, zoneId: string, types: string[], names: string[]) {
    return {
        principal: principalOf(env),
        action: "route53:ChangeResourceRecordSets",
        resource: zoneArn(zoneId),
        accountId: ACCOUNT,
        context: { [RECORD_TYPES]: types, [RECORD_NAMES]: names },
    };
}

function call(env: Environment, action: string, resource: string) {
    return { principal: principalOf(env), action, resource, accountId: ACCOUNT };
}

const challenge = (domain: string) => `_acme-challenge.app.${domain}`;

/** Every way `policy`, the policy of `env`'s role, differs from "challenge records in its own zones". */
async function violations(env: Environment, policy: PolicyDocument): Promise<string[]> {
    const found: string[] = [];
    const expect = async (what: string, request: Parameters<typeof simulate>[0], decision: Decision) => {
        const actual = await simulate(request, [policy]);
        if (actual !== decision) found.push(`${env}: ${what}: ${actual}, expected ${decision}`);
    };
    for (const other of ENVIRONMENTS) {
        for (const zone of zonesOf(other)) {
            const own = other === env;
            const allowed = own ? "Allowed" : "ImplicitlyDenied";
            await expect(
                `TXT challenge in ${zone.domain}`,
                change(env, zone.zoneId, ["TXT"], [challenge(zone.domain)]),
                allowed,
            );
            await expect(
                `wildcard certificate's challenge in ${zone.domain}`,
                change(env, zone.zoneId, ["TXT"], [`_acme-challenge.${zone.domain}`]),
                allowed,
            );
            await expect(
                `list records of ${zone.domain}`,
                call(env, "route53:ListResourceRecordSets", zoneArn(zone.zoneId)),
                allowed,
            );
            // Never anything but a challenge record, even in its own zones.
            await expect(
                `A record in ${zone.domain}`,
                change(env, zone.zoneId, ["A"], [`www.${zone.domain}`]),
                "ImplicitlyDenied",
            );
            await expect(
                `TXT record that is no challenge in ${zone.domain}`,
                change(env, zone.zoneId, ["TXT"], [zone.domain]),
                "ImplicitlyDenied",
            );
            await expect(
                `CNAME named like a challenge in ${zone.domain}`,
                change(env, zone.zoneId, ["CNAME"], [challenge(zone.domain)]),
                "ImplicitlyDenied",
            );
            await expect(
                `a challenge batched with an NS change in ${zone.domain}`,
                change(env, zone.zoneId, ["TXT", "NS"], [challenge(zone.domain), zone.domain]),
                "ImplicitlyDenied",
            );
            await expect(
                `a change that names no record in ${zone.domain}`,
                { ...change(env, zone.zoneId, [], []), context: {} },
                "ImplicitlyDenied",
            );
            for (const action of [
                "route53:DeleteHostedZone",
                "route53:AssociateVPCWithHostedZone",
                "route53:ChangeTagsForResource",
                "route53:UpdateHostedZoneComment",
            ]) {
                await expect(
                    `${action} on ${zone.domain}`,
                    call(env, action, zoneArn(zone.zoneId)),
                    "ImplicitlyDenied",
                );
            }
        }
    }
    await expect("GetChange", call(env, "route53:GetChange", CHANGE), "Allowed");
    await expect("ListHostedZonesByName", call(env, "route53:ListHostedZonesByName", "*"), "Allowed");
    for (const action of ["route53:CreateHostedZone", "route53:ListHostedZones", "route53:CreateKeySigningKey"]) {
        await expect(action, call(env, action, "*"), "ImplicitlyDenied");
    }
    await expect(
        "DeleteKeySigningKey",
        call(env, "route53:DeleteKeySigningKey", `arn:aws:route53:::hostedzone/${zonesOf(env)[0].zoneId}`),
        "ImplicitlyDenied",
    );
    await expect(
        "GetSecretValue",
        call(env, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:x`),
        "ImplicitlyDenied",
    );
    return found;
}

describe("cert-manager DNS-01 policy, by simulation", function () {
    this.timeout(120_000);
    const policies = new Map<Environment, PolicyDocument>();

    before(async () => {
        resetResources();
        for (const env of ENVIRONMENTS) new EnvironmentIssuer(`${env}-cert-manager`, issuerArgs({ env }));
        await settled();
        for (const env of ENVIRONMENTS) {
            policies.set(
                env,
                JSON.parse(named("aws:iam/rolePolicy:RolePolicy", `${env}-cert-manager-dns01`).inputs.policy),
            );
        }
    });

    for (const env of ENVIRONMENTS) {
        it(`lets ${env} write challenge records in its own zones and nothing else`, async () => {
            assert.deepEqual(await violations(env, policies.get(env)!), []);
        });
    }

    it("is the policy the builder returns for the env's zones", () => {
        assert.deepEqual(
            policies.get("prod"),
            certManagerDnsPolicy(
                "aws",
                zonesOf("prod").map((z) => z.zoneId),
            ),
        );
    });

    it("names the partition of the region", () => {
        const policy = certManagerDnsPolicy("aws-cn", ["Z0123456789ABCDEFGHIJ"]);
        const resources = policy.Statement.flatMap((s) => [s.Resource ?? []].flat());
        assert.ok(
            resources.filter((r) => r !== "*").every((r) => r.startsWith("arn:aws-cn:route53:::")),
            resources.join(),
        );
    });

    describe("fails when the policy is widened", () => {
        const widen = (policy: PolicyDocument, change: (statement: any) => void): PolicyDocument => {
            const copy = structuredClone(policy);
            copy.Statement.forEach(change);
            return copy;
        };
        const cases: [string, (statement: any) => void, RegExp][] = [
            [
                "every hosted zone",
                (s) => s.Sid === "WriteChallengeRecords" && (s.Resource = "arn:aws:route53:::hostedzone/*"),
                /TXT challenge in stage.example.com: Allowed, expected ImplicitlyDenied/,
            ],
            [
                "no record type condition",
                (s) => s.Condition && delete s.Condition["ForAllValues:StringEquals"],
                /CNAME named like a challenge in dev.example.com: Allowed/,
            ],
            [
                "no record name condition",
                (s) => s.Condition && delete s.Condition["ForAllValues:StringLike"],
                /TXT record that is no challenge in dev.example.com: Allowed/,
            ],
            [
                "no Null guard, so an absent key passes ForAllValues",
                (s) => s.Condition && delete s.Condition.Null,
                /a change that names no record in dev.example.com: Allowed/,
            ],
            [
                "route53:* on the env's zones",
                (s) => s.Sid === "ReadEnvironmentZones" && (s.Action = "route53:*"),
                /route53:DeleteHostedZone on dev.example.com: Allowed/,
            ],
            [
                "Route 53 everywhere",
                (s) => s.Sid === "FindHostedZones" && (s.Action = "route53:*"),
                /CreateHostedZone: Allowed/,
            ],
        ];
        for (const [what, change, message] of cases) {
            it(what, async () => {
                const found = await violations("dev", widen(policies.get("dev")!, change));
                assert.ok(found.length > 0, "the widened policy went unnoticed");
                assert.ok(
                    found.some((v) => message.test(v)),
                    found.join("\n"),
                );
            });
        }
    });
});
