/** KMS keys: rotated, and never usable by principals outside the account. */
import { describeResource, isUnknown } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { documentAt, Statement, statementName } from "./documents";

export const KMS_KEY = "aws:kms/key:Key";
export const KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
export const KMS_REPLICA_KEY = "aws:kms/replicaKey:ReplicaKey";

/** The key spec of symmetric encryption keys, the only keys AWS KMS rotates automatically. */
const SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";

/**
 * `aws-kms-key-rotation`: a KMS key rotates its key material yearly or sooner (`enableKeyRotation: true`).
 * Asymmetric and HMAC keys (a `customerMasterKeySpec` other than SYMMETRIC_DEFAULT) are skipped: AWS cannot
 * rotate them, and they cannot encrypt secrets anyway. Unknowns: an unknown `enableKeyRotation` or key spec
 * is reported as unknown.
 */
export const kmsKeyRotation: ResourcePolicy = {
    kind: "resource",
    name: "aws-kms-key-rotation",
    group: "aws",
    description: "KMS keys rotate their key material automatically.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set enableKeyRotation: true on the key (the EnvironmentKey component does), with rotationPeriodInDays 365 or less.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    types: [KMS_KEY],
    validate(resource, _settings, report) {
        const spec = resource.props.customerMasterKeySpec;
        if (isUnknown(spec)) return report.unknown("customerMasterKeySpec");
        if (spec !== undefined && spec !== SYMMETRIC_DEFAULT) return;
        const rotation = resource.props.enableKeyRotation;
        if (isUnknown(rotation)) return report.unknown("enableKeyRotation");
        if (rotation !== true) {
            report.violation(
                `${describeResource(resource)} does not rotate its key material: enableKeyRotation is ${JSON.stringify(rotation ?? null)}`,
            );
        }
    },
};

/**
 * Condition keys that confine who may use a key: the caller's account, organization or ARN, or the source
 * the request comes through. Compared lower-case, as IAM compares condition keys.
 */
const CALLER_CONDITION_KEYS: ReadonlySet<string> = new Set(
    [
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:userid",
        "kms:CallerAccount",
    ].map((key) => key.toLowerCase()),
);

/**
 * True when one condition confines the caller: a caller key tested with a positive operator (not a `Not`
 * operator, which matches every other caller, and not `IfExists`, which matches requests without the key)
 * against values that are not wildcards alone.
 */
function confinesCaller(statement: Statement): boolean {
    return Object.entries(statement.condition).some(
        ([operator, block]) =>
            !/Not|IfExists$|^Null$/.test(operator) &&
            Object.entries(block).some(
                ([key, values]) =>
                    CALLER_CONDITION_KEYS.has(key.toLowerCase()) &&
                    values.length > 0 &&
                    values.every((value) => !/^[*?]*$/.test(value)),
            ),
    );
}

/** The principals of an Allow statement that name everyone: `*`, `{AWS: "*"}`, or any wildcard ARN. */
function publicPrincipals(statement: Statement): string[] {
    return Object.entries(statement.principal ?? {}).flatMap(([type, values]) =>
        values.filter((value) => value.includes("*")).map((value) => (type === "AWS" ? value : `${type}:${value}`)),
    );
}

/**
 * `aws-kms-no-public-access`: no key policy statement allows anything to everyone. An Allow to Principal `*`
 * (or `{AWS: "*"}`, or a wildcard ARN) must carry a condition that confines the caller to an account,
 * organization, principal or network source (`kms:CallerAccount`, `aws:PrincipalOrgID`, `aws:SourceVpce`...);
 * `kms:ViaService` alone does not, since any account's principal can call the service. An Allow with
 * NotPrincipal grants everyone but the listed principals, and is refused. Unknowns: an unknown policy is
 * reported as unknown; so is one that is not JSON (AWS would refuse it).
 */
export const kmsNoPublicAccess: ResourcePolicy = {
    kind: "resource",
    name: "aws-kms-no-public-access",
    group: "aws",
    description: 'KMS key policies allow nothing to everyone (Principal "*") without a condition confining the caller.',
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Name the principals (account root or roles), or confine a "*" principal with kms:CallerAccount or aws:PrincipalOrgID.',
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    types: [KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY],
    validate(resource, _settings, report) {
        const statements = documentAt(resource.props.policy, "policy", report);
        if (!statements) return;
        for (const statement of statements) {
            if (statement.effect !== "Allow") continue;
            if (statement.notPrincipal) {
                report.violation(
                    `${describeResource(resource)}: ${statementName(statement)} allows every principal but those in NotPrincipal`,
                );
                continue;
            }
            const everyone = publicPrincipals(statement);
            if (everyone.length > 0 && !confinesCaller(statement)) {
                report.violation(
                    `${describeResource(resource)}: ${statementName(statement)} allows ${(statement.action ?? ["every action but NotAction"]).join(", ")} ` +
                        `to ${everyone.join(", ")} without a condition confining the caller`,
                );
            }
        }
    },
};
