/** Lines of the objects the fast YAML reader reads, against the reference reader's syntax tree. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { documentKindLines } from "../../../policy-pack/cli/yaml-lines";
import { assertSameResources, checkedResources } from "./yaml-readers";

const POD = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers: []\n`;

describe("check: object lines without a syntax tree", () => {
    it("points at each document's kind, not at line 1", () => {
        const text = `# header\n${POD("a")}---\n${POD("b")}---\n\n# comment\n${POD("c")}`;
        assert.deepEqual(documentKindLines(text, 3), [3, 10, 19]);
        const { resources } = checkedResources("fast", text);
        assert.deepEqual(
            resources.map((r) => r.line),
            [3, 10, 19],
        );
    });

    it("counts empty documents as the readers do, and a last bare marker as nothing", () => {
        assert.deepEqual(documentKindLines(`---\n---\n${POD("a")}`, 2), [undefined, 4]);
        assert.deepEqual(documentKindLines(`---\n${POD("a")}---\n`, 1), [3]);
        assert.deepEqual(documentKindLines(`${POD("a")}---\n`, 2), [2, undefined]);
    });

    it("finds kind among the top-level keys only, at their indentation, quoted or not", () => {
        const nested = `apiVersion: v1\nmetadata:\n  kind: decoy\n"kind": Pod\n`;
        assert.deepEqual(documentKindLines(nested, 1), [4]);
        const indented = `  apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n`;
        assert.deepEqual(documentKindLines(indented, 1), [2]);
    });

    it("gives up where the text alone cannot place the objects", () => {
        assert.equal(documentKindLines(`{apiVersion: v1, kind: Pod}\n`, 1), undefined);
        assert.equal(documentKindLines(`${POD("a")}...\n---\n${POD("b")}`, 2), undefined);
        assert.equal(documentKindLines(`${POD("a")}---\n${POD("b")}`, 3), undefined);
    });

    it("gives check the same resources and lines by either reader", () => {
        const list = `apiVersion: v1\nkind: List\nitems:\n  - ${POD("a").trimEnd().split("\n").join("\n    ")}\n`;
        for (const text of [
            `${POD("a")}---\n${POD("b")}`,
            `---\n# only a comment\n---\n${POD("a")}---\n`,
            `{apiVersion: v1, kind: Pod, metadata: {name: a}}\n---\n${POD("b")}`,
            list,
            `kind: Pod\napiVersion: v1\nmetadata:\n  name: first-key-is-kind\n`,
        ]) {
            assertSameResources(text, text);
        }
    });

    it("finds a single document's line by search exactly as by splitting the text into documents", () => {
        // A trailing bare marker adds no document but sends the text down the splitting path: the two must agree.
        const bySplitting = (text: string) => documentKindLines(`${text}---\n`, 1);
        const texts = [
            POD("a"),
            `# header\n\n${POD("a")}`,
            `kind: Pod\napiVersion: v1\n`,
            `apiVersion: v1\nmetadata:\n  kind: decoy\n"kind": Pod\n`,
            `  apiVersion: v1\n  kind: Pod\n`,
            `\tapiVersion: v1\nkind: Pod\n`,
            `apiVersion: v1\nmetadata: {}\n`,
            `'kind': Pod\n`,
            `{apiVersion: v1, kind: Pod}\n`,
            `[a, b]\n`,
            `|\n  text\n`,
            `# only a comment\n`,
            `   \n\t\n`,
            `apiVersion: v1\n  kind: Pod\nkind: Service\n`,
            `apiVersion: v1\nkinds: 2\nkind:Pod\nkind: Pod\n`,
        ];
        const corpus = path.resolve(__dirname, "../../../../test/corpus");
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else if (/\.ya?ml$/.test(entry.name)) texts.push(fs.readFileSync(full, "utf8"));
            }
        };
        walk(corpus);
        let single = 0;
        for (const text of texts) {
            if (!text.endsWith("\n") || /^(?:---|\.\.\.)(?:[ \t]|$)/m.test(text) || /[\r\u2028\u2029]/.test(text))
                continue;
            single++;
            // Without content the text is no document (the marker's would be one): no lines either way.
            const expected = text.split("\n").every((line) => /^[ \t]*(?:#.*)?$/.test(line))
                ? undefined
                : bySplitting(text);
            assert.deepEqual(documentKindLines(text, 1), expected, JSON.stringify(text.slice(0, 80)));
        }
        assert.ok(single > 100, `${single} single-document texts compared`);
    });
});
