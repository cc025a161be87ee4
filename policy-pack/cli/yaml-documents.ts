/**
 * The documents of a Kubernetes YAML file, read as the API server reads them (see inputs.ts), two ways:
 *
 * - the reference reader, `yaml`'s parseAllDocuments with YAML_OPTIONS: exact, with positions for every error,
 *   the alias limit, and merge keys, but it builds a full syntax tree of every document first;
 * - a fast reader, js-yaml building plain values directly (several times faster, a fraction of the memory),
 *   used only where it gives exactly the reference reader's values: its plain scalars are resolved by the
 *   reference schema's own tags, and it gives up (fastDocuments returns undefined) on anything else it might
 *   read differently: a syntax error or duplicate key (the reference reader then reports it, with its line),
 *   an explicit tag, an anchor (and so any alias: the alias limit stays the reference reader's), a merge key,
 *   a directive, a `null` or `~` key.
 *
 * A file the fast reader gives up on is read again by the reference reader, whole: the outcome is always the
 * reference reader's.
 */
import { loadAll, LoaderState, Schema as FastSchema, Type as FastType } from "js-yaml";
import { Document, DocumentOptions, isScalar, ParseOptions, ScalarTag, SchemaOptions, ToJSOptions } from "yaml";

const UNSUPPORTED_TAGS: ReadonlySet<string> = new Set(["tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"]);

/** How the reference reader parses: YAML 1.1 as the API server's decoder reads it. */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
    version: "1.1",
    // Drop the YAML 1.1 types the API server's decoder leaves as strings: timestamps, sexagesimal numbers and
    // binary (which would also arrive as a Buffer no policy expects).
    customTags: (tags) =>
        tags.filter((tag) => typeof tag === "string" || (!UNSUPPORTED_TAGS.has(tag.tag) && tag.format !== "TIME")),
};
/** At most this many aliases per document: more is a "billion laughs" document. */
export const TO_JS_OPTIONS: ToJSOptions = { maxAliasCount: 100 };

const reference = new Document(null, YAML_OPTIONS);
/**
 * The tags a plain scalar can resolve to, in the reference schema's order (the first whose test matches
 * wins, as in the reference reader); a plain scalar no tag matches is a string.
 */
const PLAIN_TAGS: readonly ScalarTag[] = reference.schema.tags.filter(
    (tag): tag is ScalarTag => tag.default === true && "test" in tag && tag.test instanceof RegExp,
);
const RESOLVE_OPTIONS = reference.options;
/** The reference reader's merge key; a plain `<<` anywhere sends the file to it. */
const MERGE_KEY = "<<";
/**
 * Texts the fast reader would read differently: a directive (`%YAML 1.2` changes the schema); an explicit key
 * (`? `) or a collection as a key (`[a, b]: c`), which the two readers turn into different strings; content on
 * a `---` line (`--- a: 1`, refused by the reference reader); a line of 1024 characters without a `:`, which may
 * be an implicit key longer than the reference reader allows.
 */
const DEFERRED_TEXT = [
    /^%/m,
    /^[ \t-]*\?(?:[ \t]|$)/m,
    /[\]}][ \t]*:(?:[ \t]|$)/m,
    /^---[ \t]+[^\s#]/m,
    /^[^\n:]{1024}/m,
];

/** What the fast reader met in the file being read. */
let deferred = false;
let sawNull = false;
let resolved: unknown;

/**
 * Plain scalars already resolved: manifests repeat the same keys and many of the same values, and each
 * resolves to a primitive (a string, number, boolean or null), safe to share.
 */
const resolvedPlain = new Map<string, unknown>();
const CACHED_LENGTH = 64;
const CACHED_SCALARS = 50_000;

function resolvePlain(source: string): unknown {
    const cached = resolvedPlain.get(source);
    if (cached !== undefined || resolvedPlain.has(source)) {
        if (cached === null) sawNull = true;
        return cached;
    }
    if (source === MERGE_KEY) {
        deferred = true;
        return source;
    }
    let result: unknown = source;
    for (const tag of PLAIN_TAGS) {
        if (!tag.test!.test(source)) continue;
        let failed = false;
        const value = tag.resolve(source, () => (failed = true), RESOLVE_OPTIONS);
        // A tag that cannot resolve its scalar is left to the reference reader, which reports it.
        if (failed) {
            deferred = true;
            return source;
        }
        result = isScalar(value) ? value.value : value;
        if (result === null) sawNull = true;
        break;
    }
    if (source.length <= CACHED_LENGTH && resolvedPlain.size < CACHED_SCALARS) resolvedPlain.set(source, result);
    return result;
}

const PLAIN = new FastType("tag:k8s-baseline,2026:plain", {
    kind: "scalar",
    resolve: (data) => {
        resolved = resolvePlain(data);
        return true;
    },
    construct: () => resolved,
});
const FAST_SCHEMA = new FastSchema({ implicit: [PLAIN] });

/** An anchor, or the non-specific tag `!` (a string to the reference reader, even when empty). */
const noteProperties = (event: "open" | "close", state: LoaderState): void => {
    if (event === "close" && (state.anchor !== null || state.tag === "!")) deferred = true;
};

/**
 * A `null` or `~` key is the string "null" to js-yaml and "" to the reference reader: with a null among the
 * plain scalars, a key "null" anywhere means the file must be read by the reference reader.
 */
function hasNullKey(value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    if (Array.isArray(value)) return value.some((item) => hasNullKey(item));
    if (Object.prototype.hasOwnProperty.call(value, "null")) return true;
    return Object.values(value).some((item) => hasNullKey(item));
}

/**
 * The documents of `text` as the reference reader's `toJS` gives them (null for an empty document), or
 * undefined when the file must be read by the reference reader.
 */
export function fastDocuments(text: string): unknown[] | undefined {
    if (DEFERRED_TEXT.some((pattern) => pattern.test(text))) return undefined;
    deferred = false;
    sawNull = false;
    try {
        // Without a `&` there is no anchor, so any alias is an error; without a `!`, no tag: the listener that
        // watches for them is only needed with one of those characters.
        const documents = loadAll(text, null, {
            schema: FAST_SCHEMA,
            listener: text.includes("&") || text.includes("!") ? noteProperties : undefined,
        });
        if (deferred || (sawNull && documents.some((document) => hasNullKey(document)))) return undefined;
        return documents;
    } catch {
        return undefined;
    } finally {
        resolved = undefined;
    }
}
