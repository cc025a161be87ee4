/**
 * `k8s-baseline report --resources`: a real stack's export (fixtures/stack-export-prod.json, as
 * `pulumi stack export` writes it) judged by the pack's policies, reported per control as Markdown and HTML.
 * The findings are those `check` finds in the same resources, and every control of the catalogue has a row.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTROLS } from "../../../policy-pack/compliance/catalogue";
import { buildReport, ControlStatus } from "../../../policy-pack/compliance/report";
import { main } from "../../../policy-pack/cli";
import { evidenceOf, parseReportArgs, ReportUsageError, resourcesOfExport } from "../../../policy-pack/cli/report";
import { REPO_ROOT } from "../../shared";

const EXPORT = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures", "stack-export-prod.json");

function capture() {
    const out = { stdout: "", stderr: "" };
    return {
        out,
        io: { stdout: (text: string) => (out.stdout += text), stderr: (text: string) => (out.stderr += text) },
    };
}

describe("k8s-baseline report", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-report-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("refuses bad usage with exit 2, before reading anything", async () => {
        for (const argv of [
            ["report"],
            ["report", "--stack", "prod", "--resources", EXPORT],
            ["report", "--resources", EXPORT, "--env", "qa"],
            ["report", "--stack", "prod", "--env", "prod"],
            ["report", "--resources", path.join(dir, "missing.json")],
            ["report", "--stack", "qa"],
            ["report", "--bogus"],
        ]) {
            const { out, io } = capture();
            assert.equal(await main(argv, io), 2, argv.join(" "));
            assert.match(out.stderr, /k8s-baseline: .*\n\nUsage:\n {2}k8s-baseline report/, argv.join(" "));
        }
        assert.equal(parseReportArgs(["--help"]), "help");
    });

    it("refuses a file that is not a stack export, naming the shape it expects", () => {
        assert.throws(() => resourcesOfExport("[]", "x.json"), ReportUsageError);
        assert.throws(() => resourcesOfExport("{", "x.json"), /not JSON/);
        assert.throws(
            () => resourcesOfExport(JSON.stringify({ deployment: { resources: [{ type: "a" }] } }), "x.json"),
            /resource 0 has no urn or type/,
        );
    });

    it("reads an export: inputs as props, without the Stack and providers, encrypted secrets opaque", () => {
        const resources = resourcesOfExport(fs.readFileSync(EXPORT, "utf8"), EXPORT);
        assert.equal(resources.length, 7);
        assert.ok(!resources.some((r) => r.type.startsWith("pulumi:")));
        const secret = resources.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        assert.equal(secret.props.description, "[secret]");
        assert.equal(secret.name, "web-api-key");
    });

    it("writes Markdown and HTML with a row per control, and the findings check gives the same resources", async () => {
        const { out, io } = capture();
        assert.equal(await main(["report", "--resources", EXPORT, "--out", dir], io), 0);
        assert.match(
            out.stdout,
            /wrote .*compliance-prod\.md\nwrote .*compliance-prod\.html\nstack prod: 141 controls/,
        );
        const markdown = fs.readFileSync(path.join(dir, "compliance-prod.md"), "utf8");
        const html = fs.readFileSync(path.join(dir, "compliance-prod.html"), "utf8");
        for (const control of CONTROLS) {
            assert.ok(markdown.includes(`| ${control.id} |`), `${control.id} in the Markdown`);
            assert.ok(html.includes(`id="control-${control.id}"`), `${control.id} in the HTML`);
        }
        // Self-contained: nothing loaded from anywhere.
        assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|@import|url\(/i);

        // The same resources through `check`, as a JSON array of {type, name, props}: the same findings.
        const evidence = await evidenceOf({ resources: EXPORT, out: dir });
        const asCheckInput = path.join(dir, "resources.json");
        fs.writeFileSync(
            asCheckInput,
            JSON.stringify(evidence.resources.map(({ type, name, props }) => ({ type, name, props }))),
        );
        const checked = capture();
        await main(["check", "--env", "prod", "--format", "json", asCheckInput], checked.io);
        const summary = (JSON.parse(checked.out.stdout) as { summary: { mandatory: number; advisory: number } })
            .summary;
        const report = buildReport(evidence);
        assert.equal(report.summary.mandatory, summary.mandatory);
        assert.equal(report.summary.advisory, summary.advisory);
        // 25: among them the Namespace `web`, which carries no env label (cross-env-namespaces).
        assert.equal(report.summary.mandatory, 25);
        // 1: the export's prod secret has no rotation (aws-secret-prod-rotation).
        assert.equal(report.summary.advisory, 1);
        assert.match(markdown, /25 mandatory, 1 advisory/);
    });

    it("judges each control by its policies' findings, and says plainly what the package does not cover", async () => {
        const report = buildReport(await evidenceOf({ resources: EXPORT, out: dir }));
        const row = (id: string) => report.rows.find((r) => r.control.id === id)!;
        // A user bound to cluster-admin: CIS 4.1.1 fails with both findings of its policies.
        assert.equal(row("cis-eks-4.1.1").status, ControlStatus.Fail);
        assert.equal(row("cis-eks-4.1.1").mandatory, 1);
        // The privileged container: baseline and the PSS control fail.
        assert.equal(row("pss-baseline-privileged").status, ControlStatus.Fail);
        // No EKS cluster in the export: the audit-log control has nothing to judge.
        assert.equal(row("cis-eks-2.1.1").status, ControlStatus.NotExercised);
        // Node hardening is not the package's.
        assert.equal(row("cis-eks-3.2.1").status, ControlStatus.NotCovered);
        assert.equal(row("cis-eks-3.2.1").control.notCovered!.providedBy, "node hardening");
        assert.equal(row("seed-checklist-46").status, ControlStatus.Provided);
        // Cost: one secret, one key, one ExternalSecret every 5 minutes (8760 reads a month).
        // $0.40 + $1.00 + 8760 x $0.05 / 10,000 + 8760 x $0.03 / 10,000 = $1.47008
        assert.ok(Math.abs(report.cost.totalUsd - 1.47008) < 1e-9);
        const statuses = Object.values(report.summary.byStatus).reduce((a, b) => a + b, 0);
        assert.equal(statuses, CONTROLS.length);
    });
});
