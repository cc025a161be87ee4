/**
 * The catalogue's checklist items against the design documents themselves (../shared/seeds): every item of
 * the Production Checklist, in order and with its text, so that none is left out of the report.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { CONTROLS, FrameworkId } from "../../../policy-pack/compliance/catalogue";
import { sharedPath } from "../../shared";

/** The checklist items of a seed: the `- <mark> item` lines under `## Production Checklist`, by section. */
function checklistItems(text: string): { section: string; item: string }[] {
    const start = text.indexOf("## Production Checklist");
    assert.ok(start >= 0, "the seed has a Production Checklist");
    const end = text.indexOf("\n---", start);
    const items: { section: string; item: string }[] = [];
    let section = "";
    for (const line of text.slice(start, end).split("\n")) {
        const heading = /^### \*\*(.+)\*\*/.exec(line);
        if (heading) section = heading[1];
        // The check mark is garbled by a double encoding: the item is what follows it.
        const item = /^- \S+ (.+)$/.exec(line);
        if (item) items.push({ section, item: item[1].trim() });
    }
    return items;
}

describe("production checklist of the seeds", () => {
    it("every item is in the catalogue, in order, with its text and section", () => {
        const text = fs.readFileSync(sharedPath("seeds", "004_dfc5826031c2ad80.txt"), "utf8");
        const items = checklistItems(text);
        assert.equal(items.length, 51);
        const catalogue = CONTROLS.filter((c) => c.framework === FrameworkId.SeedChecklist);
        assert.deepEqual(
            catalogue.map((c) => ({ section: c.section, item: c.title })),
            items,
        );
    });
});
