/** The YAML readers of `check` compared: helpers of yaml-documents.test.ts and its shared-data twin. */
import * as assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { CheckedResource, readYamlWith } from "../../../policy-pack/cli/inputs";
import { fastDocuments, TO_JS_OPTIONS, YAML_OPTIONS } from "../../../policy-pack/cli/yaml-documents";

/** What the reference reader gives: each document's value (null when empty), or the first error. */
export function referenceDocuments(text: string): unknown[] | { error: string } {
    const values: unknown[] = [];
    // Warnings off: the collection-key case warns that its key is stringified.
    for (const document of parseAllDocuments(text, { ...YAML_OPTIONS, logLevel: "error" })) {
        if (document.errors.length > 0) return { error: document.errors[0].message.split("\n")[0] };
        try {
            values.push(document.toJS(TO_JS_OPTIONS) ?? null);
        } catch (error) {
            return { error: (error as Error).message };
        }
    }
    return values;
}

/** Trailing empty documents hold no resource and shift no document's number: the readers may differ there. */
export function withoutTrailingEmpty(documents: readonly unknown[]): unknown[] {
    const values = documents.map((value) => value ?? null);
    while (values.length > 0 && values[values.length - 1] === null) values.pop();
    return values;
}

/** Asserts that the fast reader either defers `text` or reads exactly what the reference reader reads. */
export function assertSameAsReference(text: string, label: string): "fast" | "deferred" {
    const fast = fastDocuments(text);
    if (fast === undefined) return "deferred";
    const reference = referenceDocuments(text);
    assert.ok(Array.isArray(reference), `${label}: the fast reader read what the reference reader refuses`);
    assert.deepEqual(withoutTrailingEmpty(fast), withoutTrailingEmpty(reference), label);
    return "fast";
}

/** The resources, sources and lines `check` reads from `text` with `reader`, and its problems. */
export function checkedResources(reader: "fast" | "reference", text: string, file = "input.yaml") {
    const out: CheckedResource[] = [];
    const errors: string[] = [];
    readYamlWith(reader, file, text, out, errors);
    return { resources: out.map((r) => ({ source: r.source, line: r.line, urn: r.resource.urn })), errors };
}

/** Asserts that both readers give `check` the same resources at the same lines. */
export function assertSameResources(text: string, label: string): void {
    assert.deepEqual(checkedResources("fast", text), checkedResources("reference", text), label);
}
