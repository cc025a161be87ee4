/**
 * The compliance report as one self-contained HTML page: inline CSS, no script, nothing fetched. Links
 * inside the page go to a framework's section, a control's row, a policy's entry or a finding; links out go
 * only to the sources of the frameworks, prices and policies, as plain links.
 */
import { describeQuantity, formatUsd } from "../cost/estimate";
import { admissionText, deployText } from "./markdown";
import {
    ComplianceReport,
    controlAnchor,
    ControlRow,
    ControlStatus,
    findingAnchor,
    frameworkAnchor,
    policyAnchor,
} from "./report";

export function escapeHtml(value: string): string {
    return value
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

const e = escapeHtml;

/** Only http(s) links leave the page; anything else a source says is shown as text. */
function outLink(url: string, label = url): string {
    return /^https:\/\//.test(url) ? `<a href="${e(url)}" rel="noreferrer">${e(label)}</a>` : e(label);
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1b1f24; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 6px; }
.meta { color: #57606a; margin: 0 0 16px; }
nav a { margin-right: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card .n { font-size: 22px; font-weight: 600; display: block; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr:target { outline: 2px solid #0969da; }
.status { font-weight: 600; white-space: nowrap; }
.status-fail { color: #cf222e; } .status-advisory { color: #9a6700; } .status-pass { color: #1a7f37; }
.status-not-covered, .status-not-exercised { color: #57606a; } .status-provided { color: #0969da; }
code { font-size: 12px; }
`;

function statusClass(status: ControlStatus): string {
    return `status status-${status.replace(/ /g, "-")}`;
}

function policyLinks(policies: readonly string[]): string {
    if (policies.length === 0) return "none";
    return policies.map((p) => `<a href="#${e(policyAnchor(p))}">${e(p)}</a>`).join(", ");
}

function findingLinks(row: ControlRow): string {
    return row.findings.map((i) => `<a href="#${e(findingAnchor(i))}">#${i + 1}</a>`).join(" ");
}

function controlRow(row: ControlRow): string {
    const counts =
        row.status === ControlStatus.NotCovered || row.status === ControlStatus.Provided
            ? ""
            : ` <span class="counts"><span class="mandatory">${row.mandatory}</span> mandatory, <span class="advisory">${row.advisory}</span> advisory</span>`;
    return (
        `<tr class="control" id="${e(controlAnchor(row.control.id))}" data-status="${e(row.status)}">` +
        `<td><code>${e(row.control.id)}</code></td>` +
        `<td>${e(row.control.title)}</td>` +
        `<td>${e(deployText(row))}</td>` +
        `<td>${policyLinks(row.policies)}</td>` +
        `<td>${e(admissionText(row))}</td>` +
        `<td><span class="${statusClass(row.status)}">${e(row.status)}</span>${counts} ${findingLinks(row)}` +
        (row.control.notCovered ? `<br>by ${e(row.control.notCovered.providedBy)}` : "") +
        `</td></tr>`
    );
}

export function reportHtml(report: ComplianceReport): string {
    const { summary } = report;
    const title = `Compliance evidence: stack ${report.stack} (${report.env})`;
    const parts: string[] = [
        "<!DOCTYPE html>",
        `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
        `<title>${e(title)}</title><style>${STYLE}</style></head><body>`,
        `<h1>${e(title)}</h1>`,
        `<p class="meta">Source: ${e(report.source)}. Generated ${e(report.generatedAt)}.</p>`,
        "<nav>",
        ...report.frameworks.map((f) => `<a href="#${e(frameworkAnchor(f.id))}">${e(f.name)}</a>`),
        `<a href="#not-covered">Not covered</a><a href="#findings">Findings</a><a href="#cost">Cost</a><a href="#policies">Policies</a>`,
        "</nav>",
        `<section id="summary"><h2>Summary</h2><div class="cards">`,
        `<div class="card" id="summary-controls"><span class="n">${summary.controls}</span>controls</div>`,
        ...Object.entries(summary.byStatus).map(
            ([status, count]) =>
                `<div class="card" id="summary-${e(status.replace(/ /g, "-"))}"><span class="n">${count}</span>${e(status)}</div>`,
        ),
        `<div class="card" id="summary-mandatory"><span class="n">${summary.mandatory}</span>mandatory findings</div>`,
        `<div class="card" id="summary-advisory"><span class="n">${summary.advisory}</span>advisory findings</div>`,
        `<div class="card" id="summary-cost"><span class="n">${e(formatUsd(report.cost.totalUsd))}</span>a month for secrets (budget ${e(formatUsd(report.costBudgetUsd))})</div>`,
        `</div><p>${summary.policies} policies over ${summary.resources} resources.</p></section>`,
    ];
    for (const framework of report.frameworks) {
        const rows = report.rows.filter((row) => row.control.framework === framework.id);
        parts.push(
            `<section id="${e(frameworkAnchor(framework.id))}" class="framework">`,
            `<h2>${e(framework.name)} ${e(framework.version)}</h2>`,
            `<p class="meta">Source: ${outLink(framework.source)} (checked ${e(framework.checked)}).</p>`,
            "<table><thead><tr><th>Control</th><th>Title</th><th>Deploy time</th><th>Preview (policies)</th><th>Admission</th><th>Result</th></tr></thead><tbody>",
            ...rows.map(controlRow),
            "</tbody></table></section>",
        );
    }
    const notCovered = report.rows.filter((row) => row.status === ControlStatus.NotCovered);
    parts.push(
        `<section id="not-covered"><h2>Not covered by the package (${notCovered.length})</h2>`,
        "<p>Nothing the package deploys or checks provides these; who does, and what to check instead:</p>",
        "<table><thead><tr><th>Control</th><th>Title</th><th>Provided by</th><th>What to check instead</th></tr></thead><tbody>",
        ...notCovered.map(
            (row) =>
                `<tr class="not-covered"><td><a href="#${e(controlAnchor(row.control.id))}"><code>${e(row.control.id)}</code></a></td>` +
                `<td>${e(row.control.title)}</td><td>${e(row.control.notCovered!.providedBy)}</td><td>${e(row.control.notCovered!.check)}</td></tr>`,
        ),
        "</tbody></table></section>",
        `<section id="findings"><h2>Findings (${report.findings.length})</h2>`,
    );
    if (report.findings.length === 0) parts.push("<p>None: every policy passed this stack.</p>");
    else {
        parts.push("<ol>");
        report.findings.forEach((finding, index) => {
            parts.push(
                `<li id="${e(findingAnchor(index))}" class="finding" data-level="${e(finding.level)}"><strong>${e(finding.level)}</strong> ` +
                    `<a href="#${e(policyAnchor(finding.policy))}">${e(finding.policy)}</a>: ${e(finding.message)}` +
                    (finding.urn ? ` <code>${e(finding.urn)}</code>` : "") +
                    "</li>",
            );
        });
        parts.push("</ol>");
    }
    parts.push(
        "</section>",
        `<section id="cost"><h2>Cost of the secrets plumbing</h2>`,
        "<table><thead><tr><th>Item</th><th>Quantity</th><th>Monthly</th></tr></thead><tbody>",
        ...report.cost.lines.map(
            (line) =>
                `<tr><td>${e(line.item)}</td><td>${e(describeQuantity(line))}</td><td>${e(formatUsd(line.monthlyUsd))}</td></tr>`,
        ),
        `<tr><th>Total</th><td></td><th id="cost-total">${e(formatUsd(report.cost.totalUsd))}</th></tr></tbody></table>`,
    );
    if (report.cost.externalSecrets.length > 0) {
        parts.push(
            "<table><thead><tr><th>ExternalSecret</th><th>Store</th><th>Refresh</th><th>Calls a month</th><th>KMS requests a month</th><th>Monthly</th></tr></thead><tbody>",
            ...report.cost.externalSecrets.map(
                (x) =>
                    `<tr><td>${e(x.name)}</td><td>${e(x.backend)}</td><td>${e(x.intervalSeconds === 0 ? "never" : x.refreshInterval)}</td>` +
                    `<td>${Math.round(x.apiCallsPerMonth)}</td><td>${Math.round(x.kmsRequestsPerMonth)}</td><td>${e(formatUsd(x.monthlyUsd))}</td></tr>`,
            ),
            "</tbody></table>",
        );
    }
    const prices = report.cost.prices;
    parts.push(
        `<p>Prices of ${e(prices.checked)}, ${e(prices.region)}: ${outLink(prices.secretsManager.source, "Secrets Manager")}, ` +
            `${outLink(prices.parameterStore.source, "Parameter Store")}, ${outLink(prices.kms.source, "KMS")}. Assumptions:</p><ul>`,
        ...report.cost.assumptions.map((a) => `<li>${e(a)}</li>`),
        "</ul></section>",
        `<section id="policies"><h2>Policies (${report.policies.length})</h2><dl>`,
        ...report.policies.map(
            (policy) =>
                `<dt id="${e(policyAnchor(policy.name))}"><code>${e(policy.name)}</code> (${e(policy.group)}, ${e(policy.severity)}, ${e(policy.enforcementLevel)})</dt>` +
                `<dd>${e(policy.description)} <em>Fix:</em> ${e(policy.remediationSteps)} ${outLink(policy.url, "reference")}</dd>`,
        ),
        "</dl></section></body></html>",
    );
    return `${parts.join("\n")}\n`;
}
