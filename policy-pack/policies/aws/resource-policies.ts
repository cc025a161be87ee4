/**
 * Resource policies: who a secret's or a key's own policy admits, what a key policy lets its principals do
 * outside Secrets Manager, and KMS grants, which bypass the key policy's conditions.
 */
import { KEY_ADMIN_ACTIONS } from "../../../components/aws/iam";
import {
    parseAppResourceName,
    STACK_SECRETS_DEPLOYER_ACTIONS,
    STACK_SECRETS_KEY_TAG,
} from "../../../components/baseline";
import { describeResource, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, PolicySettings, ResourcePolicy, Severity, StackPolicy } from "../types";
import { conditionValues, coversAction, documentAt, Statement, statementName, wildcardMatches } from "./documents";
import { KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY } from "./kms";
import { accountOfArn, admittedBy, configuredAccount, pinnedAccounts, singleAccount } from "./principals";
import { SECRETS_MANAGER_SECRET } from "./secrets-manager";
import { admissionProblems } from "./trust";

export const SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy";
export const KMS_GRANT = "aws:kms/grant:Grant";

const KEY_TYPES = [KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY] as const;

/** The account a secret or key lives in: the config's, else its own ARNs' (key, secret, pinned callers). */
function resourceAccount(resource: PolicyResource, statements: readonly Statement[], settings: PolicySettings) {
    const configured = configuredAccount(settings);
    if (configured) return configured;
    const { kmsKeyId, secretArn, keyId, primaryKeyArn } = resource.props;
    const own = [kmsKeyId, secretArn, keyId, primaryKeyArn].map((v) =>
        typeof v === "string" ? accountOfArn(v) : undefined,
    );
    if (own.some((account) => account !== undefined)) return singleAccount(own);
    return singleAccount(pinnedAccounts(statements));
}

/** `<seg1>/<app>/` of a secret, from its name or its ARN. */
function secretOwner(resource: PolicyResource): { seg1: string; app: string } | undefined {
    const { name, secretArn } = resource.props;
    const full =
        typeof name === "string" ? name : typeof secretArn === "string" ? secretArn.split(":secret:")[1] : undefined;
    const match = full ? /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)\//.exec(full) : null;
    return match ? { seg1: match[1], app: match[2] } : undefined;
}

/**
 * `aws-resource-policy-principals`: the policy of a Secrets Manager secret (Secret `policy`, SecretPolicy)
 * or of a KMS key (Key, KeyPolicy, ReplicaKey `policy`) admits only principals of the env's account:
 * - no `*` (or wildcard) principal without a condition pinning the caller to an account
 *   (aws:PrincipalAccount, kms:CallerAccount, aws:PrincipalArn...), the env's where it is known; an
 *   organization pin (aws:PrincipalOrgID) alone admits every account of the organization and is refused;
 * - no AWS principal of another account; with the account not established, no two accounts at once;
 * - no NotPrincipal with Allow;
 * - on a secret: no role of another app or env (`<project>-<env>-<app>` other than the secret's own
 *   `<project>-<env>/<app>/`), which would read a secret its own identity policy does not reach.
 * The env's account: the config's, else the secret's key, the SecretPolicy's secretArn, the key policy's
 * pinned callers (principals.ts). Unknowns: an unknown policy is reported as unknown.
 */
export const resourcePolicyPrincipals: ResourcePolicy = {
    kind: "resource",
    name: "aws-resource-policy-principals",
    group: "aws",
    description:
        "Secret and KMS key policies admit no one outside the env's account, and a secret no other app's role.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Leave secret policies out (the app's role policy grants access), and give key policies the env account's root and roles only, as EnvironmentKey does.",
    url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
    types: [SECRETS_MANAGER_SECRET, SECRET_POLICY, ...KEY_TYPES],
    validate(resource, settings, report) {
        const statements = documentAt(resource.props.policy, "policy", report);
        if (!statements) return;
        const home = resourceAccount(resource, statements, settings);
        const owner =
            resource.type === SECRETS_MANAGER_SECRET || resource.type === SECRET_POLICY
                ? secretOwner(resource)
                : undefined;
        for (const statement of statements) {
            if (statement.effect !== "Allow") continue;
            const where = `${describeResource(resource)}: ${statementName(statement)}`;
            for (const problem of admissionProblems(statement, home, "resource"))
                report.violation(`${where} ${problem}`);
            if (!owner) continue;
            for (const principal of admittedBy(statement)) {
                const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(principal.value)?.[1];
                const named = roleName ? parseAppResourceName(roleName) : undefined;
                if (!named) continue;
                if (`${named.project}-${named.env}` !== owner.seg1 || named.app !== owner.app) {
                    report.violation(
                        `${where} admits role ${roleName} of app ${named.app} in ${named.env} to a secret of ${owner.seg1}/${owner.app}/`,
                    );
                }
            }
        }
    },
};

/** Key-policy actions that read or hand out what the key protects. */
const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom", "kms:CreateGrant"] as const;
const PUT_KEY_POLICY = "kms:PutKeyPolicy";
const ADMIN_ACTIONS: readonly string[] = KEY_ADMIN_ACTIONS;

/** True when kms:ViaService is pinned to concrete services (the request must come through them). */
function viaServicePinned(statement: Statement): boolean {
    for (const operator of ["StringEquals", "StringLike", "ForAnyValue:StringEquals"]) {
        const values = conditionValues(statement, operator, "kms:ViaService");
        if (values && values.length > 0 && values.every((v) => !/[*?]/.test(v))) return true;
    }
    return false;
}

/**
 * True for a statement of key administrators as EnvironmentKey writes one: named principals of the key's
 * account (its root, roles), no wildcard, no NotAction, and only the administration actions
 * (KEY_ADMIN_ACTIONS), none of them cryptographic.
 */
function isAdministration(statement: Statement, home: string | undefined): boolean {
    if (!statement.action || statement.notPrincipal) return false;
    const admitted = admittedBy(statement);
    if (admitted.length === 0 || admitted.some((p) => p.type !== "AWS" || p.everyone || p.account === undefined)) {
        return false;
    }
    if (home !== undefined && admitted.some((p) => p.account !== home)) return false;
    if (singleAccount(admitted.map((p) => p.account)) === undefined) return false;
    return statement.action.every((pattern) => ADMIN_ACTIONS.some((a) => a.toLowerCase() === pattern.toLowerCase()));
}

/** True for a KMS Key tagged as an env's stack secrets key (StackSecretsKey). */
function isStackSecretsKey(resource: PolicyResource): boolean {
    const tags = resource.props.tags;
    return (
        resource.type === KMS_KEY &&
        typeof tags === "object" &&
        tags !== null &&
        (tags as Record<string, unknown>)[STACK_SECRETS_KEY_TAG.key] === STACK_SECRETS_KEY_TAG.value
    );
}

/**
 * True for the deployer's statement of a stack secrets key as StackSecretsKey writes it: one role of the key's
 * account (not its root, which would delegate use to every identity policy of the account; no wildcard), no
 * condition lifted by NotAction or NotPrincipal, and nothing but the deployer's actions
 * (STACK_SECRETS_DEPLOYER_ACTIONS: kms:Decrypt and kms:Encrypt, no wildcard).
 */
function isStackSecretsDeployerUse(statement: Statement, home: string | undefined): boolean {
    if (!statement.action || statement.notAction || statement.notPrincipal) return false;
    const admitted = admittedBy(statement);
    if (admitted.length !== 1) return false;
    const [deployer] = admitted;
    if (deployer.type !== "AWS" || deployer.everyone || deployer.account === undefined) return false;
    if (home !== undefined && deployer.account !== home) return false;
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(deployer.value)) return false;
    return statement.action.every((pattern) =>
        STACK_SECRETS_DEPLOYER_ACTIONS.some((a) => a.toLowerCase() === pattern.toLowerCase()),
    );
}

/**
 * `aws-kms-key-use-via-service`: a key policy lets no one use the key directly. kms:Decrypt,
 * kms:ReEncryptFrom (decrypts, to re-encrypt under a key the caller chooses) and kms:CreateGrant (hands out
 * uses a grant exempts from conditions), however granted (`kms:*`, `kms:De*`, NotAction), need a
 * kms:ViaService condition naming concrete services, for every principal: the components give the key
 * administrators no cryptographic use at all. kms:PutKeyPolicy goes only to the key administrators: a
 * statement of named principals of the key's account granting administration actions only, as
 * EnvironmentKey writes it. `bypassPolicyLockoutSafetyCheck: true` is refused: it lets a policy lock the
 * account out of its own key. One direct use is admitted: on a Key tagged as an env's stack secrets key
 * (STACK_SECRETS_KEY_TAG), which the Pulumi CLI and sops call directly, a statement giving one role of the
 * key's account kms:Decrypt and kms:Encrypt, nothing else (the env's deployer; StackSecretsKey). A KeyPolicy
 * resource carries no tags, so it is never admitted that way. Unknowns: an unknown policy is reported as unknown.
 */
export const kmsKeyUseViaService: ResourcePolicy = {
    kind: "resource",
    name: "aws-kms-key-use-via-service",
    group: "aws",
    description:
        "Key policies give Decrypt, ReEncryptFrom and CreateGrant only through kms:ViaService, and PutKeyPolicy only to the key administrators.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Condition cryptographic statements with StringEquals kms:ViaService = secretsmanager.<region>.amazonaws.com, and give PutKeyPolicy only in the administrators' statement (EnvironmentKey's policy does both).",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
    types: [...KEY_TYPES],
    validate(resource, settings, report) {
        if (resource.props.bypassPolicyLockoutSafetyCheck === true) {
            report.violation(
                `${describeResource(resource)} sets bypassPolicyLockoutSafetyCheck, so its policy may lock the account out of the key`,
            );
        }
        const statements = documentAt(resource.props.policy, "policy", report);
        if (!statements) return;
        const home = resourceAccount(resource, statements, settings);
        const stackSecretsKey = isStackSecretsKey(resource);
        for (const statement of statements) {
            if (statement.effect !== "Allow") continue;
            const where = `${describeResource(resource)}: ${statementName(statement)}`;
            const use = KEY_USE_ACTIONS.filter((action) => coversAction(statement, action));
            const deployerUse = stackSecretsKey && isStackSecretsDeployerUse(statement, home);
            if (use.length > 0 && !viaServicePinned(statement) && !deployerUse) {
                report.violation(`${where} allows ${use.join(", ")} directly, without a kms:ViaService condition`);
            }
            if (coversAction(statement, PUT_KEY_POLICY) && !isAdministration(statement, home)) {
                report.violation(
                    `${where} allows kms:PutKeyPolicy outside an administrators' statement (named principals of the key's account, administration actions only)`,
                );
            }
        }
    },
};

/**
 * Grant operations that read what the key protects or pass that on: Decrypt, ReEncryptFrom (the caller
 * re-encrypts the plaintext under a key it controls), CreateGrant. GenerateDataKey* return fresh data keys,
 * not existing plaintext, and Encrypt/ReEncryptTo only write: they are not refused here.
 */
const DECRYPTING_GRANT_OPERATIONS: readonly string[] = ["Decrypt", "ReEncryptFrom", "CreateGrant"];

/**
 * `aws-kms-no-decrypting-grants`: no KMS grant gives Decrypt, ReEncryptFrom or CreateGrant to anyone. A
 * grant is honoured without the key policy's conditions (kms:ViaService included), so it would let its
 * grantee decrypt the env's secrets directly. Unknowns: an unknown operation list is reported as unknown.
 */
export const kmsNoDecryptingGrants: ResourcePolicy = {
    kind: "resource",
    name: "aws-kms-no-decrypting-grants",
    group: "aws",
    description:
        "No KMS grant gives Decrypt, ReEncryptFrom or CreateGrant: a grant bypasses the key policy's conditions.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Remove the grant; give the principal access through the key policy with a kms:ViaService condition, or read the secret through Secrets Manager.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html",
    types: [KMS_GRANT],
    validate(resource, _settings, report) {
        const operations = resource.props.operations;
        if (isUnknown(operations) || (Array.isArray(operations) && operations.some(isUnknown))) {
            return report.unknown("operations");
        }
        const list: string[] = Array.isArray(operations) ? operations.filter((o) => typeof o === "string") : [];
        const bad = list.filter((op) => DECRYPTING_GRANT_OPERATIONS.some((d) => wildcardMatches(d, op)));
        if (bad.length > 0) {
            const grantee =
                typeof resource.props.granteePrincipal === "string" ? resource.props.granteePrincipal : "its grantee";
            report.violation(
                `${describeResource(resource)} grants ${bad.join(", ")} to ${grantee}, bypassing the key policy's conditions`,
            );
        }
    },
};

/**
 * `aws-kms-key-has-policy`: a KMS key sets its own policy (`policy`), or the stack sets one with a KeyPolicy.
 * A key created without either gets AWS's default key policy: `kms:*` to the account root, which lets every
 * principal of the account whose IAM policy allows kms:Decrypt decrypt directly, outside Secrets Manager.
 * A KeyPolicy's keyId is often unknown at preview (the key's id), so any KeyPolicy in the stack is taken to
 * be the key's; it is then judged by aws-kms-key-use-via-service.
 */
export const kmsKeyHasPolicy: StackPolicy = {
    kind: "stack",
    name: "aws-kms-key-has-policy",
    group: "aws",
    description: "KMS keys set their own key policy: AWS's default one gives kms:* to the whole account.",
    severity: Severity.High,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Create the key through EnvironmentKey, which sets a policy that allows use only through Secrets Manager, or give it a KeyPolicy.",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    validateStack(resources, _settings, report) {
        if (resources.some((r) => r.type === KMS_KEY_POLICY)) return;
        for (const key of resources) {
            if (key.type !== KMS_KEY && key.type !== KMS_REPLICA_KEY) continue;
            const policy = key.props.policy;
            if (isUnknown(policy)) report.unknown(`${describeResource(key)} policy`, { urn: key.urn });
            else if (policy === undefined || policy === null || policy === "") {
                report.violation(
                    `${describeResource(key)} sets no key policy, so AWS's default gives kms:* to every principal of the account`,
                    { urn: key.urn },
                );
            }
        }
    },
};
