/**
 * Lines of the objects the fast reader read (yaml-documents.ts), found in the text without a syntax tree: the
 * line of each document's top-level `kind` key, as the reference reader's nodes give it (inputs.ts objectLine).
 *
 * A document marker is a `---` at the start of a line followed by a blank or the line's end: YAML forbids that
 * text inside any scalar, so splitting there splits documents. The split is trusted only when it gives as many
 * documents as the reader did; otherwise, or for a document whose top-level node is not a block mapping (a flow
 * mapping, a scalar), the lines are undefined and the file is read again by the reference reader.
 */

const MARKER = /^---(?:[ \t]|$)/;
const DOCUMENT_END = /^\.\.\.(?:[ \t]|$)/m;
/** A line with no content: blank, or a comment. */
const EMPTY_LINE = /^[ \t]*(?:#.*)?$/;
/** A `kind` key, bare or quoted, and its indentation. */
const KIND_KEY = /^( *)(?:kind|"kind"|'kind')[ \t]*:(?:[ \t]|$)/;

/** A document marker line, of either kind. */
const ANY_MARKER = /^(?:---|\.\.\.)(?:[ \t]|$)/m;
/** Line ends other than `\n`, where a multiline pattern's lines differ from the text's split at `\n`. */
const OTHER_LINE_ENDS = /[\r\u2028\u2029]/;
/** The first line with content (EMPTY_LINE's complement), in a text whose lines end only at `\n`. */
const CONTENT_LINE = /^(?![ \t]*(?:#.*)?$).*$/m;
/** Every `kind` key, as KIND_KEY finds it on a line. */
const KIND_KEYS = /^( *)(?:kind|"kind"|'kind')[ \t]*:(?:[ \t]|$)/gm;

/** The 1-based line of `offset` in `text`. */
function lineAt(text: string, offset: number): number {
    let line = 1;
    for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) line++;
    return line;
}

/**
 * documentKindLines of a text of one document with no marker: the same answer found by searching the text
 * rather than splitting it into lines (most files hold one manifest). Null when the text is not such a one.
 */
function singleDocumentKindLine(text: string): (number | undefined)[] | undefined | null {
    if (ANY_MARKER.test(text) || OTHER_LINE_ENDS.test(text)) return null;
    const first = CONTENT_LINE.exec(text);
    if (first === null) return undefined;
    const line = first[0];
    if (/^[ ]*[{["'|>]/.test(line) && !KIND_KEY.test(line)) return undefined;
    const indent = line.length - line.trimStart().length;
    KIND_KEYS.lastIndex = first.index;
    for (let match = KIND_KEYS.exec(text); match !== null; match = KIND_KEYS.exec(text)) {
        if (match[1].length === indent) return [lineAt(text, match.index)];
    }
    return [lineAt(text, first.index)];
}

/**
 * The 1-based line of the `kind` key of each of `count` documents of `text` (the first content line when a
 * block mapping has none), or undefined when the text cannot be split into exactly `count` documents so.
 */
export function documentKindLines(text: string, count: number): (number | undefined)[] | undefined {
    if (count === 1) {
        const single = singleDocumentKindLine(text);
        if (single !== null) return single;
    }
    if (DOCUMENT_END.test(text)) return undefined;
    const lines = text.split("\n");
    const documents: { start: number; indent?: number; firstContent?: number; kind?: number }[] = [];
    // The text before the first marker is a document only when it has content.
    let current: { start: number; indent?: number; firstContent?: number; kind?: number } = { start: 0 };
    let implicit = true;
    for (let index = 0; index < lines.length; index++) {
        const line = lines[index];
        if (MARKER.test(line)) {
            if (!implicit || current.firstContent !== undefined) documents.push(current);
            current = { start: index };
            implicit = false;
            continue;
        }
        if (EMPTY_LINE.test(line)) continue;
        if (current.firstContent === undefined) {
            current.firstContent = index;
            const indent = line.length - line.trimStart().length;
            // A top-level block mapping starts with a key; a flow collection or a scalar is left to the
            // reference reader.
            if (/^[ ]*[{["'|>]/.test(line) && !KIND_KEY.test(line)) return undefined;
            current.indent = indent;
        }
        if (current.kind === undefined) {
            const match = KIND_KEY.exec(line);
            if (match !== null && match[1].length === current.indent) current.kind = index;
        }
    }
    if (!implicit || current.firstContent !== undefined) documents.push(current);
    // A last `---` with nothing after it is an empty document to one reader and none to the other.
    while (documents.length > count && documents[documents.length - 1].firstContent === undefined) documents.pop();
    if (documents.length !== count) return undefined;
    return documents.map((document) => {
        const index = document.kind ?? document.firstContent;
        return index === undefined ? undefined : index + 1;
    });
}
