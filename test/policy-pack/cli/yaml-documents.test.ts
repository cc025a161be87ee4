/**
 * The two YAML readers of `check` (yaml-documents.ts): on every text the fast reader reads it gives exactly
 * the reference reader's values, and each YAML quirk the API server reads its own way is read that way, by
 * one reader or the other.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fastDocuments } from "../../../policy-pack/cli/yaml-documents";
import { REPO_ROOT } from "../../shared";
import { assertSameAsReference, referenceDocuments } from "./yaml-readers";

interface Quirk {
    readonly name: string;
    readonly text: string;
    /** The values the API server reads (sigs.k8s.io/yaml, YAML 1.1 scalars), or the error it refuses with. */
    readonly expected: unknown[] | RegExp;
    /** Which reader gives them. */
    readonly reader: "fast" | "deferred";
}

const QUIRKS: readonly Quirk[] = [
    {
        name: "YAML 1.1 booleans, unquoted; quoted and mixed-case spellings stay strings",
        text: "a: yes\nb: on\nc: off\nd: y\ne: N\nf: 'yes'\ng: True\nh: yEs\n",
        expected: [{ a: true, b: true, c: false, d: true, e: false, f: "yes", g: true, h: "yEs" }],
        reader: "fast",
    },
    {
        name: "YAML 1.1 numbers: octal 0755, hex, binary, underscores, infinities",
        text: "a: 0755\nb: 0x1F\nc: 0b101\nd: 1_000\ne: .inf\nf: -.Inf\ng: 1e3\nh: +12\ni: 08\n",
        expected: [{ a: 493, b: 31, c: 5, d: 1000, e: Infinity, f: -Infinity, g: 1000, h: 12, i: 8 }],
        reader: "fast",
    },
    {
        name: "dates, times and sexagesimal numbers stay strings",
        text: "a: 2001-12-14\nb: 1:20\nc: 2001-12-14T21:59:43.10-05:00\n",
        expected: [{ a: "2001-12-14", b: "1:20", c: "2001-12-14T21:59:43.10-05:00" }],
        reader: "fast",
    },
    {
        name: "null spellings, and a mixed-case one that stays a string",
        text: "a: ~\nb: null\nc: Null\nd:\ne: nULL\n",
        expected: [{ a: null, b: null, c: null, d: null, e: "nULL" }],
        reader: "fast",
    },
    {
        name: "a null value, as kubectl writes creationTimestamp",
        text: "metadata:\n  creationTimestamp: null\n",
        expected: [{ metadata: { creationTimestamp: null } }],
        reader: "fast",
    },
    { name: "a null key", text: "~: a\nb: 1\n", expected: [{ "": "a", b: 1 }], reader: "deferred" },
    {
        name: "a duplicate key",
        text: "a: 1\na: 2\n",
        expected: /Map keys must be unique at line 2/,
        reader: "deferred",
    },
    {
        name: "a duplicate key spelled two ways (0x10 and 16)",
        text: "0x10: a\n16: b\n",
        expected: /Map keys must be unique/,
        reader: "deferred",
    },
    {
        name: "a duplicate boolean key (yes and true)",
        text: "yes: 1\ntrue: 2\n",
        expected: /Map keys must be unique/,
        reader: "deferred",
    },
    {
        name: "an anchor and its alias, expanded",
        text: "base: &b {privileged: true}\nc: *b\n",
        expected: [{ base: { privileged: true }, c: { privileged: true } }],
        reader: "deferred",
    },
    {
        name: "a merge key",
        text: "base: &b {privileged: true}\nc:\n  <<: *b\n  name: x\n",
        expected: [{ base: { privileged: true }, c: { privileged: true, name: "x" } }],
        reader: "deferred",
    },
    {
        name: "a merge key of an inline mapping",
        text: "c:\n  <<: {privileged: true}\n  name: x\n",
        expected: [{ c: { privileged: true, name: "x" } }],
        reader: "deferred",
    },
    {
        name: "an alias bomb",
        text:
            "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        expected: /Excessive alias count/,
        reader: "deferred",
    },
    {
        name: "!!binary stays a string",
        text: "a: !!binary aGVsbG8=\n",
        expected: [{ a: "aGVsbG8=" }],
        reader: "deferred",
    },
    { name: "an explicit !!str", text: "a: !!str 123\n", expected: [{ a: "123" }], reader: "deferred" },
    { name: "the non-specific tag on nothing", text: "a: !\n", expected: [{ a: "" }], reader: "deferred" },
    { name: "a %YAML 1.2 directive", text: "%YAML 1.2\n---\na: yes\n", expected: [{ a: "yes" }], reader: "deferred" },
    {
        name: "empty documents keep their numbers",
        text: "---\n---\na: 1\n",
        expected: [null, { a: 1 }],
        reader: "fast",
    },
    { name: "a comment before the first marker", text: "# c\n---\na: 1\n", expected: [{ a: 1 }], reader: "fast" },
    {
        name: "document end markers",
        text: "a: 1\n...\n---\nb: 2\n...\n",
        expected: [{ a: 1 }, { b: 2 }],
        reader: "fast",
    },
    {
        name: "a byte order mark and CRLF",
        text: "\ufeffa: 1\r\nb:\r\n  - x\r\n",
        expected: [{ a: 1, b: ["x"] }],
        reader: "fast",
    },
    { name: "a tab as indentation", text: "a:\n\tb: 1\n", expected: /Tabs are not allowed/, reader: "deferred" },
    {
        name: "folded, literal and quoted scalars",
        text: "a: this is\n  folded\nb: |-\n  keep\n  lines\nc: \"t\\u00e9\"\nd: 'it''s'\n",
        expected: [{ a: "this is folded", b: "keep\nlines", c: "t\u00e9", d: "it's" }],
        reader: "fast",
    },
    {
        name: "a __proto__ key is data",
        text: "__proto__: {a: 1}\nb: 2\n",
        expected: [JSON.parse('{"__proto__": {"a": 1}, "b": 2}')],
        reader: "fast",
    },
    { name: "a collection as a key", text: "? [a, b]\n: c\n", expected: [{ "[ a, b ]": "c" }], reader: "deferred" },
    {
        name: "content on the document start line",
        text: "--- a: 1\n",
        expected: /Block collection cannot start on same line/,
        reader: "deferred",
    },
    {
        name: "an implicit key longer than 1024 characters",
        text: `${"k".repeat(1100)}: 1\n`,
        expected: /must be at most 1024 chars/,
        reader: "deferred",
    },
    {
        name: "wildcards, URLs and hashes in values",
        text: "verbs: ['*']\nurl: http://x/?a=1&b=2\nc: b#c\n",
        expected: [{ verbs: ["*"], url: "http://x/?a=1&b=2", c: "b#c" }],
        reader: "fast",
    },
    {
        name: "a nesting deeper than the fast reader's limit",
        text: `a: ${"[".repeat(120)}${"]".repeat(120)}\n`,
        expected: [{ a: JSON.parse(`${"[".repeat(120)}${"]".repeat(120)}`) }],
        reader: "deferred",
    },
];

describe("check: reading YAML as the API server does, fast where exact", () => {
    for (const quirk of QUIRKS) {
        it(`${quirk.name}: ${quirk.reader === "fast" ? "read fast" : "left to the reference reader"}`, () => {
            const reference = referenceDocuments(quirk.text);
            if (quirk.expected instanceof RegExp) {
                assert.ok(!Array.isArray(reference), `expected an error, read ${JSON.stringify(reference)}`);
                assert.match(reference.error, quirk.expected);
            } else {
                assert.deepEqual(reference, quirk.expected);
            }
            assert.equal(assertSameAsReference(quirk.text, quirk.name), quirk.reader);
        });
    }

    it("reads the same plain scalar the same way each time (the resolved scalars are cached)", () => {
        const text = "a: yes\nb: 0755\nc: nginx\n";
        const first = fastDocuments(text);
        assert.deepEqual(fastDocuments(text), first);
        assert.deepEqual(first, [{ a: true, b: 493, c: "nginx" }]);
    });

    it("gives exactly the reference reader's values on the repository's manifests and corpus", () => {
        const files: string[] = [];
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else if (/\.ya?ml$/.test(entry.name)) files.push(full);
            }
        };
        for (const dir of ["test", "examples", "policy-pack"]) walk(path.join(REPO_ROOT, dir));
        assert.ok(files.length > 100, `only ${files.length} YAML files found`);
        const readers = files.map((file) => assertSameAsReference(fs.readFileSync(file, "utf8"), file));
        const fast = readers.filter((reader) => reader === "fast").length;
        assert.ok(fast >= files.length * 0.9, `the fast reader read only ${fast} of ${files.length} files`);
    });
});
