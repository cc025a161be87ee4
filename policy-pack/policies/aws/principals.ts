/**
 * Who a statement admits: the principals it names, the accounts they belong to, and whether a condition
 * confines the caller to one account, organization or principal. Shared by the trust-policy and the
 * resource-policy checks. Pure.
 *
 * The env's account: the pack's config `accountId` when it carries one; otherwise the account the resource's
 * own ARNs establish (accountEvidence): its OIDC provider (IAM only accepts a provider of the role's own
 * account), the accounts its conditions pin (aws:SourceAccount, kms:CallerAccount...), the ARNs of the
 * secrets, keys and parameters its permissions name, its key or secret ARN. A resource whose evidence
 * names more than one account establishes none.
 */
import { AWS_ACCOUNT_ID } from "../../../components/baseline";
import { PolicySettings } from "../types";
import { Statement } from "./documents";

/** The account of an ARN (`arn:<partition>:<service>:<region>:<account>:...`), when it names one. */
export function accountOfArn(arn: string): string | undefined {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") return undefined;
    return AWS_ACCOUNT_ID.test(parts[4]) ? parts[4] : undefined;
}

/** The account an `AWS` principal belongs to: a bare account id, or an IAM/STS ARN's account. */
export function accountOfPrincipal(value: string): string | undefined {
    if (AWS_ACCOUNT_ID.test(value)) return value;
    return /^arn:aws[a-z-]*:(iam|sts)::/.test(value) ? accountOfArn(value) : undefined;
}

/** The account the pack's config gives, when it gives one (`accountId`, beside `env`). */
export function configuredAccount(settings: PolicySettings): string | undefined {
    const value = settings.accountId;
    return value !== undefined && AWS_ACCOUNT_ID.test(value) ? value : undefined;
}

/** The one account a set of evidence names, or undefined when it names none or several. */
export function singleAccount(evidence: Iterable<string | undefined>): string | undefined {
    const accounts = new Set<string>();
    for (const account of evidence) if (account !== undefined) accounts.add(account);
    return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** Condition keys that pin who the caller is, lower case (IAM compares condition keys case-insensitively). */
const CALLER_KEYS: ReadonlySet<string> = new Set(
    [
        "aws:PrincipalAccount",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "kms:CallerAccount",
        "aws:PrincipalArn",
        "aws:SourceArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    ].map((key) => key.toLowerCase()),
);
const ORG_KEYS: ReadonlySet<string> = new Set(
    ["aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID", "aws:SourceOrgPaths"].map((k) =>
        k.toLowerCase(),
    ),
);
const ARN_KEYS: ReadonlySet<string> = new Set(["aws:principalarn", "aws:sourcearn"]);

/**
 * True for an operator under which a key's values must match for the statement to apply: not a `Not`
 * operator (matches every other value), not `...IfExists` (matches requests without the key), not
 * `ForAllValues:` (matches a request without the key), not `Null`.
 */
export function isPositiveOperator(operator: string): boolean {
    return !/Not|IfExists$|^Null$|^ForAllValues:/i.test(operator);
}

/** How a statement's conditions confine the caller. */
export interface CallerPin {
    /** A positive condition pins the caller to concrete values. */
    readonly pinned: boolean;
    /** The accounts the pinning values name (account ids, and the accounts of pinned ARNs). */
    readonly accounts: readonly string[];
    /** Only an organization pins it: the baseline cannot tell which accounts that admits. */
    readonly byOrganization: boolean;
}

/** The caller pins of a statement (see CALLER_KEYS); values with a wildcard pin nothing. */
export function callerPin(statement: Statement): CallerPin {
    let pinned = false;
    let byAccount = false;
    let byOrganization = false;
    const accounts: string[] = [];
    for (const [operator, block] of Object.entries(statement.condition)) {
        if (!isPositiveOperator(operator)) continue;
        for (const [rawKey, values] of Object.entries(block)) {
            const key = rawKey.toLowerCase();
            if (!CALLER_KEYS.has(key) || values.length === 0 || values.some((v) => /[*?]/.test(v))) continue;
            pinned = true;
            if (ORG_KEYS.has(key)) {
                byOrganization = true;
                continue;
            }
            byAccount = true;
            for (const value of values) {
                const account = ARN_KEYS.has(key)
                    ? accountOfArn(value)
                    : AWS_ACCOUNT_ID.test(value)
                      ? value
                      : undefined;
                if (account) accounts.push(account);
            }
        }
    }
    return { pinned, accounts, byOrganization: byOrganization && !byAccount };
}

/** A principal of a statement, with what it stands for. */
export interface Admitted {
    readonly type: string;
    readonly value: string;
    /** `*` or a wildcard: everyone of that type. */
    readonly everyone: boolean;
    /** For `AWS` principals: the account. */
    readonly account?: string;
}

/** The principals an Allow statement names. */
export function admittedBy(statement: Statement): Admitted[] {
    return Object.entries(statement.principal ?? {}).flatMap(([type, values]) =>
        values.map((value) => ({
            type,
            value,
            everyone: /[*?]/.test(value),
            account: type === "AWS" ? accountOfPrincipal(value) : undefined,
        })),
    );
}

/** The accounts a statement's caller pins and AWS principals name, as evidence of the resource's account. */
export function* pinnedAccounts(statements: readonly Statement[]): Generator<string> {
    for (const statement of statements) yield* callerPin(statement).accounts;
}

/** Every account named by the ARNs of a statement's Resource. */
export function* resourceAccounts(statements: readonly Statement[]): Generator<string | undefined> {
    for (const statement of statements) for (const resource of statement.resource ?? []) yield accountOfArn(resource);
}

/** `<type> <value>`, as messages name a principal. */
export function describePrincipal(admitted: Admitted): string {
    return admitted.type === "AWS"
        ? JSON.stringify(admitted.value)
        : `${admitted.type} ${JSON.stringify(admitted.value)}`;
}
