/** Lines of the objects the fast YAML reader reads, against the reference reader's syntax tree. */
import * as assert from "node:assert/strict";
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
});
