/**
 * The HTML report in a real browser: headless Chromium (Debian's package, /usr/bin/chromium, which .ci/run
 * installs) loads the pages `k8s-baseline report` writes for the prod stack's offline plan and for a stack
 * export, and the test reads what a reader sees: a row for every control, the finding counts of the plan,
 * every in-page link landing on an element, nothing fetched, no console error. It takes a screenshot (see
 * SCREENSHOT; the README's is docs/report.png).
 * Without Chromium it fails, naming how to install it: a browser check that skips checks nothing.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { CONTROLS } from "../../../policy-pack/compliance/catalogue";
import { buildReport } from "../../../policy-pack/compliance/report";
import { evidenceOf } from "../../../policy-pack/cli/report";
import { REPO_ROOT } from "../../shared";

const CHROMIUM = process.env.K8S_BASELINE_CHROMIUM ?? "/usr/bin/chromium";
const CLI = path.join(REPO_ROOT, "dist", "policy-pack", "cli", "index.js");
const PLAN = path.join(REPO_ROOT, "dist", "policy-pack", "harness", "plan.js");
const EXPORT = path.join(REPO_ROOT, "test", "policy-pack", "cli", "fixtures", "stack-export-prod.json");
/**
 * Where the screenshot goes: the file K8S_BASELINE_SCREENSHOT names (`docs/report.png` to refresh the README's),
 * else a temporary file, so that a test run leaves the working tree as it found it.
 */
const SCREENSHOT = process.env.K8S_BASELINE_SCREENSHOT
    ? path.resolve(REPO_ROOT, process.env.K8S_BASELINE_SCREENSHOT)
    : path.join(os.tmpdir(), `k8s-baseline-report-${process.pid}.png`);

interface Seen {
    rows: { id: string; status: string; mandatory: number | null; advisory: number | null }[];
    summaryMandatory: number;
    summaryAdvisory: number;
    brokenLinks: string[];
    findings: number;
}

/**
 * What the page shows, read from its rendered text (innerText) in the page. A string, evaluated by the
 * browser: this program is compiled without the DOM's types.
 */
const READ_PAGE = `(() => {
    const number = (text) => (text == null ? null : Number(text.trim()));
    const rows = [...document.querySelectorAll("tr.control")].map((tr) => ({
        id: tr.id.replace(/^control-/, ""),
        status: tr.querySelector(".status").innerText.trim(),
        mandatory: number(tr.querySelector(".counts .mandatory")?.innerText),
        advisory: number(tr.querySelector(".counts .advisory")?.innerText),
    }));
    const card = (id) => Number(document.querySelector("#" + id + " .n").innerText);
    const brokenLinks = [...document.querySelectorAll('a[href^="#"]')]
        .map((a) => a.getAttribute("href").slice(1))
        .filter((id) => document.getElementById(decodeURIComponent(id)) === null);
    return {
        rows,
        summaryMandatory: card("summary-mandatory"),
        summaryAdvisory: card("summary-advisory"),
        brokenLinks,
        findings: document.querySelectorAll("li.finding").length,
    };
})()`;

async function read(page: Page): Promise<Seen> {
    return page.evaluate<Seen>(READ_PAGE);
}

describe("the HTML report in headless Chromium", function () {
    this.timeout(180_000);
    let dir: string;
    let browser: Browser;
    const problems: string[] = [];
    const requests: string[] = [];

    before(async () => {
        assert.ok(
            fs.existsSync(CHROMIUM),
            `${CHROMIUM} is missing: the report's browser test needs Debian's Chromium (apt-get install -y chromium, as .ci/run does), or K8S_BASELINE_CHROMIUM naming another build`,
        );
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-report-browser-"));
        const { chromium } = await import("playwright-core");
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    });
    after(async () => {
        await browser?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function open(file: string): Promise<Page> {
        const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
        page.on("console", (message) => {
            if (message.type() === "error") problems.push(`console: ${message.text()}`);
        });
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        page.on("request", (request) => requests.push(request.url()));
        await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
        return page;
    }

    it("shows every control of the prod plan, with the plan's finding counts, and writes the screenshot", async () => {
        const plan = spawnSync(process.execPath, [PLAN, "prod"], { encoding: "utf8", cwd: REPO_ROOT });
        const summary = /Summary: stack prod: .*: (\d+) mandatory, (\d+) advisory[.;]/.exec(plan.stdout);
        assert.ok(summary, `the plan printed its summary:\n${plan.stdout}\n${plan.stderr}`);
        const report = spawnSync(process.execPath, [CLI, "report", "--stack", "prod", "--out", dir], {
            encoding: "utf8",
            cwd: REPO_ROOT,
        });
        assert.equal(report.status, 0, report.stderr);

        requests.length = 0;
        const page = await open(path.join(dir, "compliance-prod.html"));
        const seen = await read(page);
        assert.deepEqual(
            seen.rows.map((row) => row.id),
            CONTROLS.map((control) => control.id),
        );
        assert.equal(seen.summaryMandatory, Number(summary[1]));
        assert.equal(seen.summaryAdvisory, Number(summary[2]));
        assert.equal(seen.findings, Number(summary[1]) + Number(summary[2]));
        assert.deepEqual(seen.brokenLinks, []);
        assert.ok(seen.rows.some((row) => row.status === "not covered"));
        assert.ok(seen.rows.some((row) => row.status === "pass"));
        assert.deepEqual(
            requests.filter((url) => !url.startsWith("file://")),
            [],
            "the page fetches nothing",
        );
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
        assert.ok(fs.statSync(SCREENSHOT).size > 10_000);
        // A reader who follows a control link lands on its row.
        await page.click('#not-covered a[href="#control-cis-eks-3.2.1"]');
        assert.equal(await page.evaluate<string>("location.hash"), "#control-cis-eks-3.2.1");
        assert.ok(await page.isVisible("#control-cis-eks-3\\.2\\.1"));
        assert.deepEqual(problems, []);
        await page.close();
    });

    it("shows each control's mandatory and advisory counts as the report computes them, for a failing export", async () => {
        const result = spawnSync(process.execPath, [CLI, "report", "--resources", EXPORT, "--out", dir], {
            encoding: "utf8",
        });
        assert.equal(result.status, 0, result.stderr);
        const expected = buildReport(await evidenceOf({ resources: EXPORT, out: dir }));
        const page = await open(path.join(dir, "compliance-prod.html"));
        const seen = await read(page);
        assert.equal(seen.summaryMandatory, expected.summary.mandatory);
        assert.ok(seen.summaryMandatory > 0);
        assert.equal(seen.findings, expected.findings.length);
        assert.deepEqual(seen.brokenLinks, []);
        for (const row of expected.rows) {
            const shown = seen.rows.find((r) => r.id === row.control.id);
            assert.ok(shown, `${row.control.id} has a row`);
            assert.equal(shown.status, row.status, row.control.id);
            if (row.status !== "not covered" && row.status !== "provided") {
                assert.equal(shown.mandatory, row.mandatory, `${row.control.id} mandatory`);
                assert.equal(shown.advisory, row.advisory, `${row.control.id} advisory`);
            }
        }
        assert.ok(seen.rows.filter((r) => r.status === "fail").length > 10);
        assert.deepEqual(problems, []);
        await page.close();
    });
});
