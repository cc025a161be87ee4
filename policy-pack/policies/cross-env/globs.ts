/**
 * Whether two name patterns can match one string: a trust subject or a Vault role's wildcard against the
 * names another env owns. Pure; the patterns are short, so a table over both patterns' positions is cheap.
 */

/** One position of a pattern: a character, `?` (any one), `*` (any run), or their within-one-name forms. */
type Token =
    | { readonly kind: "char"; readonly char: string }
    | { readonly kind: "one"; readonly colon: boolean }
    | { readonly kind: "run"; readonly colon: boolean };

/** A pattern, as tokens. */
export interface Pattern {
    readonly tokens: readonly Token[];
}

/**
 * An IAM (StringLike) or Vault glob: `*` is any run of characters, `?` (IAM only) any one, colons included,
 * as IAM and Vault match them. Matching is case-sensitive, as both compare values.
 */
export function globPattern(text: string, wildcards: "*?" | "*" = "*?"): Pattern {
    const tokens: Token[] = [];
    for (const char of text) {
        if (char === "*") tokens.push({ kind: "run", colon: true });
        else if (char === "?" && wildcards === "*?") tokens.push({ kind: "one", colon: true });
        else tokens.push({ kind: "char", char });
    }
    return { tokens };
}

/**
 * A pattern of names in which `*` stands for one or more characters of one name (no colon), as
 * environmentNamespacePattern writes another env's namespaces.
 */
export function namePattern(pattern: string): Pattern {
    const tokens: Token[] = [];
    for (const char of pattern) {
        if (char === "*") tokens.push({ kind: "one", colon: false }, { kind: "run", colon: false });
        else tokens.push({ kind: "char", char });
    }
    return { tokens };
}

/** True when some character can stand at both positions. */
function compatible(a: Token, b: Token): boolean {
    if (a.kind === "char") return b.kind === "char" ? a.char === b.char : b.colon || a.char !== ":";
    if (b.kind === "char") return a.colon || b.char !== ":";
    return true;
}

/** True when one string matches both `a` and `b`. */
export function patternsOverlap(a: Pattern, b: Pattern): boolean {
    const n = a.tokens.length;
    const m = b.tokens.length;
    const seen = new Set<number>();
    const stack: [number, number][] = [[0, 0]];
    while (stack.length > 0) {
        const [i, j] = stack.pop()!;
        const key = i * (m + 1) + j;
        if (seen.has(key)) continue;
        seen.add(key);
        if (i === n && j === m) return true;
        const x = a.tokens[i];
        const y = b.tokens[j];
        // A run may match nothing.
        if (x?.kind === "run") stack.push([i + 1, j]);
        if (y?.kind === "run") stack.push([i, j + 1]);
        // Both take one character; a run stays where it is.
        if (x !== undefined && y !== undefined && compatible(x, y)) {
            stack.push([x.kind === "run" ? i : i + 1, y.kind === "run" ? j : j + 1]);
        }
    }
    return false;
}

/** True when `text` holds a wildcard of the glob syntax. */
export function hasWildcard(text: string, wildcards: "*?" | "*" = "*?"): boolean {
    return wildcards === "*?" ? /[*?]/.test(text) : text.includes("*");
}
