/**
 * IAM and KMS policy documents as the policies read them. Documents arrive as the JSON strings AWS takes
 * (`assumeRolePolicy`, `policy`); they are parsed once per string and normalized, so that every policy sees
 * the single-value-or-array forms IAM accepts as arrays. Pure; no AWS SDK, no network.
 */
import { containsUnknown, isUnknown } from "../resource";
import { Reporter } from "../types";

/** One statement, every single-or-array field as an array. */
export interface Statement {
    /** Position in the document, for messages when there is no Sid. */
    readonly index: number;
    readonly sid?: string;
    readonly effect: string;
    /** Principal type (`AWS`, `Service`, `Federated`, `CanonicalUser`) to values; `"*"` is `{ AWS: ["*"] }`. */
    readonly principal?: Readonly<Record<string, readonly string[]>>;
    readonly notPrincipal?: Readonly<Record<string, readonly string[]>>;
    readonly action?: readonly string[];
    readonly notAction?: readonly string[];
    readonly resource?: readonly string[];
    readonly notResource?: readonly string[];
    /** Operator (`StringEquals`, `ForAnyValue:StringLike`, ...) to condition key to values, as written. */
    readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** What reading a document gives. */
export type DocumentRead =
    | { readonly kind: "document"; readonly statements: readonly Statement[] }
    | { readonly kind: "unknown" }
    | { readonly kind: "invalid"; readonly reason: string };

const UNKNOWN_DOCUMENT: DocumentRead = { kind: "unknown" };

/** Last documents read: several policies read the same resource's document one after the other. */
const recent = new Map<string, DocumentRead>();
const RECENT_LIMIT = 32;

/** A JSON string or a document object, parsed and normalized. */
export function readDocument(value: unknown): DocumentRead {
    if (isUnknown(value)) return UNKNOWN_DOCUMENT;
    if (typeof value === "string") {
        const cached = recent.get(value);
        if (cached) return cached;
        let parsed: unknown;
        let read: DocumentRead;
        try {
            parsed = JSON.parse(value);
            read = normalize(parsed);
        } catch {
            read = { kind: "invalid", reason: "is not JSON" };
        }
        if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
        recent.set(value, read);
        return read;
    }
    if (value !== null && typeof value === "object") {
        return containsUnknown(value) ? UNKNOWN_DOCUMENT : normalize(value);
    }
    return { kind: "invalid", reason: value === undefined ? "is not set" : "is not a policy document" };
}

/**
 * The document at `path` of a resource, or undefined after telling `report` why it cannot be read: an
 * unknown or non-JSON document is reported as unknown (advisory), a missing one is skipped silently.
 */
export function documentAt(value: unknown, path: string, report: Reporter): readonly Statement[] | undefined {
    if (value === undefined || value === null || value === "") return undefined;
    const read = readDocument(value);
    if (read.kind === "document") return read.statements;
    report.unknown(read.kind === "unknown" ? path : `${path} (${read.reason}, so not a policy document)`);
    return undefined;
}

function strings(value: unknown, field: string): string[] | undefined {
    if (value === undefined) return undefined;
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => {
        if (typeof item === "string") return item;
        if (typeof item === "number" || typeof item === "boolean") return String(item);
        throw new Error(`${field} holds a ${item === null ? "null" : typeof item}`);
    });
}

function principals(value: unknown, field: string): Record<string, string[]> | undefined {
    if (value === undefined) return undefined;
    if (value === "*") return { AWS: ["*"] };
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${field} is malformed`);
    const out: Record<string, string[]> = {};
    for (const [type, values] of Object.entries(value)) out[type] = strings(values, `${field}.${type}`) ?? [];
    return out;
}

function conditions(value: unknown): Record<string, Record<string, string[]>> {
    if (value === undefined) return {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("Condition is malformed");
    const out: Record<string, Record<string, string[]>> = {};
    for (const [operator, block] of Object.entries(value)) {
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
            throw new Error(`Condition.${operator} is malformed`);
        }
        out[operator] = {};
        for (const [key, values] of Object.entries(block)) {
            out[operator][key] = strings(values, `Condition.${operator}.${key}`) ?? [];
        }
    }
    return out;
}

function normalize(document: unknown): DocumentRead {
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
        return { kind: "invalid", reason: "is not a JSON object" };
    }
    const raw = (document as Record<string, unknown>).Statement;
    if (raw === undefined) return { kind: "invalid", reason: "has no Statement" };
    const list = Array.isArray(raw) ? raw : [raw];
    try {
        const statements = list.map((s: any, index): Statement => {
            if (s === null || typeof s !== "object" || Array.isArray(s))
                throw new Error(`Statement ${index} is not an object`);
            return {
                index,
                sid: typeof s.Sid === "string" ? s.Sid : undefined,
                effect: String(s.Effect),
                principal: principals(s.Principal, "Principal"),
                notPrincipal: principals(s.NotPrincipal, "NotPrincipal"),
                action: strings(s.Action, "Action"),
                notAction: strings(s.NotAction, "NotAction"),
                resource: strings(s.Resource, "Resource"),
                notResource: strings(s.NotResource, "NotResource"),
                condition: conditions(s.Condition),
            };
        });
        return { kind: "document", statements };
    } catch (e) {
        return { kind: "invalid", reason: (e as Error).message };
    }
}

/** `statement "ReadOwnSecrets"` or `statement 2`: how messages name a statement. */
export function statementName(statement: Statement): string {
    return statement.sid ? `statement ${JSON.stringify(statement.sid)}` : `statement ${statement.index}`;
}

const globs = new Map<string, RegExp>();

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as action names are. */
export function wildcardMatches(pattern: string, value: string): boolean {
    if (!pattern.includes("*") && !pattern.includes("?")) return pattern.toLowerCase() === value.toLowerCase();
    let regex = globs.get(pattern);
    if (!regex) {
        const source = pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".");
        regex = new RegExp(`^${source}$`, "is");
        if (globs.size < 256) globs.set(pattern, regex);
    }
    return regex.test(value);
}

/** True when the statement's Action (or NotAction) lets it apply to `action`. */
export function coversAction(statement: Statement, action: string): boolean {
    if (statement.action) return statement.action.some((pattern) => wildcardMatches(pattern, action));
    if (statement.notAction) return !statement.notAction.some((pattern) => wildcardMatches(pattern, action));
    return false;
}

/** True for `*`, `?*` and the like: a pattern that matches any name at all. */
export function matchesAnything(pattern: string): boolean {
    return /^[*?]*\*[*?]*$/.test(pattern);
}

/** An action pattern split into its service and action name (`*` alone is both). */
export function splitAction(pattern: string): { service: string; name: string } {
    const colon = pattern.indexOf(":");
    return colon < 0
        ? { service: pattern, name: pattern }
        : { service: pattern.slice(0, colon), name: pattern.slice(colon + 1) };
}

/** The condition values of `key` (compared case-insensitively, as IAM does) under exactly `operator`. */
export function conditionValues(statement: Statement, operator: string, key: string): readonly string[] | undefined {
    const block = statement.condition[operator];
    if (!block) return undefined;
    const wanted = key.toLowerCase();
    for (const [k, values] of Object.entries(block)) if (k.toLowerCase() === wanted) return values;
    return undefined;
}

/** The operators under which `key` appears in the statement's Condition. */
export function operatorsOf(statement: Statement, key: string): string[] {
    const wanted = key.toLowerCase();
    return Object.entries(statement.condition)
        .filter(([, block]) => Object.keys(block).some((k) => k.toLowerCase() === wanted))
        .map(([operator]) => operator);
}

/** Every string a statement names: principals, resources and condition values (not its actions). */
export function* namedStrings(statement: Statement): Generator<string> {
    for (const group of [statement.principal, statement.notPrincipal]) {
        if (group) for (const values of Object.values(group)) yield* values;
    }
    if (statement.resource) yield* statement.resource;
    if (statement.notResource) yield* statement.notResource;
    for (const block of Object.values(statement.condition)) for (const values of Object.values(block)) yield* values;
}
