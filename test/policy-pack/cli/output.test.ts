/**
 * The JSON report written in pieces: the same text as one JSON.stringify of the report, whatever its size
 * and whatever the strings hold.
 */
import * as assert from "node:assert/strict";
import { CheckReport, ResourceResult } from "../../../policy-pack/cli/check";
import { checkJson, checkJsonTo } from "../../../policy-pack/cli/output";
import { EnforcementLevel } from "../../../policy-pack/policies/types";

/** The report as a single JSON.stringify lays it out: what checkJson printed before it wrote in pieces. */
function wholeJson(report: CheckReport): string {
    const results = report.results.map((result) => ({
        source: result.source,
        line: result.line,
        kind: result.kind,
        name: result.name,
        namespace: result.namespace,
        violations: result.violations.map((violation) => ({
            policy: violation.policy,
            level: violation.level,
            message: violation.message,
            check: violation.check,
        })),
    }));
    return `${JSON.stringify({ results, notices: report.notices, summary: report.summary }, null, 2)}\n`;
}

function result(index: number, violations: number): ResourceResult {
    return {
        source: `dir/m${index}.yaml#0`,
        line: 3,
        kind: "Pod",
        name: `pod-"${index}"\u00e9\u2028`,
        namespace: index % 2 === 0 ? null : "team\\a",
        violations: Array.from({ length: violations }, (_, at) => ({
            policy: "pod-security-restricted",
            level: at % 2 === 0 ? EnforcementLevel.Mandatory : EnforcementLevel.Advisory,
            message: `Pod p${index}: breaks check ${at}\n\t"quoted" \ud83d\ude00 \u0001`,
            check: at % 3 === 0 ? null : `check${at}`,
        })),
    };
}

function report(results: ResourceResult[], notices: string[]): CheckReport {
    return { results, notices, summary: { resources: results.length + 1, notJudged: 1, mandatory: 2, advisory: 3 } };
}

describe("check --format json: the report in pieces", () => {
    it("is JSON.stringify's text for an empty report", () => {
        const empty = report([], []);
        assert.equal(checkJson(empty), wholeJson(empty));
    });

    it("is JSON.stringify's text with results, notices, escapes and a result without violations", () => {
        const some = report([result(0, 1), result(1, 4), result(2, 0)], ["a notice", 'with "quotes"\n']);
        assert.equal(checkJson(some), wholeJson(some));
    });

    it("hands a large report on in pieces of about a megabyte that join to the same text", () => {
        const large = report(
            Array.from({ length: 3000 }, (_, index) => result(index, 5)),
            [],
        );
        const pieces: string[] = [];
        checkJsonTo(large, (text) => pieces.push(text));
        assert.ok(pieces.length > 1, `${pieces.length} pieces`);
        assert.ok(pieces.slice(0, -1).every((piece) => piece.length >= 1 << 20 && piece.length < 2 << 20));
        assert.equal(pieces.join(""), wholeJson(large));
    });
});
