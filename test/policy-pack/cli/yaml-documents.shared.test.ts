/**
 * The fast YAML reader of `check` against the reference reader on the shared conformance manifests (the Pod
 * Security fixtures and the rest): identical values on every file it reads, and it reads nearly all of them.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SHARED_DIR } from "../../shared";
import { assertSameAsReference, assertSameResources } from "./yaml-readers";

describe("check: the fast YAML reader on the shared conformance manifests", () => {
    it("reads exactly what the reference reader reads", () => {
        const files: string[] = [];
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else if (/\.ya?ml$/.test(entry.name)) files.push(full);
            }
        };
        walk(path.join(SHARED_DIR, "conformance"));
        assert.ok(files.length > 1000, `only ${files.length} YAML files under ${SHARED_DIR}/conformance`);
        const readers = files.map((file) => assertSameAsReference(fs.readFileSync(file, "utf8"), file));
        const fast = readers.filter((reader) => reader === "fast").length;
        assert.ok(fast >= files.length * 0.95, `the fast reader read only ${fast} of ${files.length} files`);
    });

    it("gives check the same resources at the same lines as the reference reader", () => {
        let files = 0;
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(full);
                else if (/\.ya?ml$/.test(entry.name)) {
                    assertSameResources(fs.readFileSync(full, "utf8"), full);
                    files++;
                }
            }
        };
        walk(path.join(SHARED_DIR, "conformance"));
        assert.ok(files > 1000, `only ${files} YAML files under ${SHARED_DIR}/conformance`);
    });
});
