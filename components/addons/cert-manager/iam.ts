/**
 * What cert-manager's controller may do in Route 53 to answer ACME DNS-01 challenges, built as data.
 */
import { PolicyDocument } from "../../aws/iam";

/** The record type DNS-01 answers with (RFC 8555 section 8.4). */
export const ACME_CHALLENGE_RECORD_TYPE = "TXT";

/**
 * The names DNS-01 challenge records carry, as Route 53 normalizes them (lower case, no trailing dot). A
 * certificate for `app.dev.example.com` or `*.dev.example.com` is proved with `_acme-challenge.<name>`.
 */
export const ACME_CHALLENGE_RECORD_NAMES = "_acme-challenge.*";

/** `arn:<partition>:route53:::hostedzone/<id>`: a hosted zone's ARN (Route 53 is global: no region, no account). */
export function hostedZoneArn(partition: string, zoneId: string): string {
    return `arn:${partition}:route53:::hostedzone/${zoneId}`;
}

/**
 * The DNS-01 permissions of an environment's cert-manager: write TXT records named `_acme-challenge.*` in
 * the env's own hosted zones and nothing else.
 *
 * The record conditions use ForAllValues, which is true of an empty or absent key; the Null test makes the
 * keys mandatory, so a request that carries no record names or types cannot pass by default.
 */
export function certManagerDnsPolicy(partition: string, hostedZoneIds: readonly string[]): PolicyDocument {
    const zones = hostedZoneIds.map((id) => hostedZoneArn(partition, id));
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // cert-manager polls the change it submitted until Route 53 reports it INSYNC. Change ids are
                // random and not tied to a zone in the ARN, so the ARN cannot be narrower than change/*.
                Sid: "WatchChallengeChanges",
                Effect: "Allow",
                Action: "route53:GetChange",
                Resource: `arn:${partition}:route53:::change/*`,
            },
            {
                Sid: "WriteChallengeRecords",
                Effect: "Allow",
                Action: "route53:ChangeResourceRecordSets",
                Resource: zones,
                Condition: {
                    "ForAllValues:StringEquals": {
                        "route53:ChangeResourceRecordSetsRecordTypes": [ACME_CHALLENGE_RECORD_TYPE],
                    },
                    "ForAllValues:StringLike": {
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [ACME_CHALLENGE_RECORD_NAMES],
                    },
                    Null: {
                        "route53:ChangeResourceRecordSetsRecordTypes": "false",
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": "false",
                    },
                },
            },
            {
                // Listed in the policy cert-manager documents for its Route 53 solver, although the v1.21 solver
                // never calls it (it upserts and deletes the one record it knows). A read of the env's own
                // zones only, kept so that a solver that checks before it writes keeps working.
                Sid: "ReadEnvironmentZones",
                Effect: "Allow",
                Action: "route53:ListResourceRecordSets",
                Resource: zones,
            },
            {
                // The solver finds the zone of a name with ListHostedZonesByName. The action supports no
                // resource-level permissions: IAM accepts only "*" for it. It reveals zone names and ids, and
                // the statement above still confines writes to the env's zones.
                Sid: "FindHostedZones",
                Effect: "Allow",
                Action: "route53:ListHostedZonesByName",
                Resource: "*",
            },
        ],
    };
}
