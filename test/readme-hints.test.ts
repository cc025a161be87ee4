/**
 * Error messages and hints that send the reader to a README section name one that exists: a hint pointing
 * at a missing section leaves the reader with nothing.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./shared";

const SOURCES = ["bin", "components", "policy-pack", "stacks"];

function files(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : files(full);
        return /\.(ts|js)$/.test(entry.name) ? [full] : [];
    });
}

/** Every README section a source names: `"<heading>" in the README` or `the README's <heading> section`. */
function hints(): { file: string; section: string }[] {
    return SOURCES.flatMap((dir) => files(path.join(REPO_ROOT, dir))).flatMap((file) => {
        const text = fs.readFileSync(file, "utf8");
        const found = [
            ...[...text.matchAll(/\\?"([^"\\]+)\\?" in the README/g)].map((m) => m[1]),
            ...[...text.matchAll(/the README's ([^"`)]+?) section/g)].map((m) => m[1]),
        ];
        return found.map((section) => ({ file: path.relative(REPO_ROOT, file), section }));
    });
}

describe("README hints", () => {
    const headings = new Set(
        fs
            .readFileSync(path.join(REPO_ROOT, "README.md"), "utf8")
            .split("\n")
            .filter((line) => /^#{2,4} /.test(line))
            .map((line) => line.replace(/^#+ /, "").trim().toLowerCase()),
    );

    it("name sections the README has", () => {
        const found = hints();
        // The stack config's and the binary's hints at least: a scan that finds none checks nothing.
        assert.ok(found.length >= 2, JSON.stringify(found));
        const missing = found.filter((h) => !headings.has(h.section.toLowerCase()));
        assert.deepEqual(missing, []);
    });

    it("would notice a hint to a section the README does not have", () => {
        assert.equal(headings.has("configuration"), false);
        assert.ok(headings.has("the stacks") && headings.has("build and test"));
    });
});
