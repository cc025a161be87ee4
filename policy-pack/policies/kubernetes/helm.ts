/**
 * Helm: charts are pinned, and what a chart installs is visible to the pack.
 *
 * A `kubernetes:helm.sh/v4:Chart` renders its templates at preview and registers every object as a Pulumi
 * resource, parented to the chart: each is checked like any other resource, by every policy of the pack. Only
 * the children of the platform's own add-on charts, recognised by their URN parentage (policies/platform.ts),
 * are left alone where their operators need more than an app; no namespace name exempts anything, so a chart
 * an app installs, into any namespace, is judged like the app. A `kubernetes:helm.sh/v3:Release` installs through Helm inside the
 * provider: its objects never reach the pack.
 */
import { describeResource, isUnknown } from "../resource";
import { EnforcementLevel, PolicyResource, ResourcePolicy, Severity } from "../types";
import { show } from "./common";

export const HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart";
export const HELM_RELEASE_V3 = "kubernetes:helm.sh/v3:Release";

/** One exact version, as Helm resolves it without a constraint: semver with an optional `v` (`v1.21.1`). */
const EXACT_VERSION =
    /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** A chart that pins itself: a local path in the program's repository, or a chart archive by URL. */
const SELF_PINNED_CHART = /^(\.{1,2}\/|\/)|\.tgz$/;

/** True when the resource arrived without its inputs: a v4 Chart as the provider registers it. */
function withoutInputs(resource: PolicyResource): boolean {
    return resource.props === undefined || resource.props === null || Object.keys(resource.props).length === 0;
}

/**
 * A v4 Chart or a v3 Release names one exact chart `version`, not a range (`^1.2`, `~1.2.0`, `>=1`, `1.x`,
 * `1.2`) nor nothing (the newest, on every deployment). A chart given as a local path or a `.tgz` URL pins
 * itself. An unknown version (or chart) is reported as unknown.
 *
 * Through the engine a v4 Chart arrives without its inputs: the Kubernetes provider constructs it and
 * registers the component with `ctx.RegisterComponentResource(typ, name, comp, options)`, which sends no
 * properties. Such a Chart is reported as unknown ("inputs"), not as unpinned; the platform's charts are pinned
 * by their components' own argument checks, and the check command and the tests (which see the program's
 * inputs) judge it in full. A v3 Release is a custom resource and always arrives with its inputs.
 */
export const helmChartPinned: ResourcePolicy = {
    kind: "resource",
    name: "helm-chart-pinned",
    group: "helm",
    description: "Helm charts are installed at one exact version, never a range or the newest.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        'Set `version` to the exact chart version reviewed, such as "3.9.0", and change it in a reviewed commit.',
    url: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v4/chart/#version_nodejs",
    types: [HELM_CHART_V4, HELM_RELEASE_V3],
    validate(resource, _settings, report) {
        if (resource.type === HELM_CHART_V4 && withoutInputs(resource)) {
            report.unknown("inputs (the Kubernetes provider registers a v4 Chart without them)");
            return;
        }
        const { chart, version } = resource.props;
        if (isUnknown(version)) {
            report.unknown("version");
            return;
        }
        if (typeof version === "string" && EXACT_VERSION.test(version)) return;
        if (isUnknown(chart)) {
            report.unknown("chart");
            return;
        }
        if (typeof chart === "string" && SELF_PINNED_CHART.test(chart)) return;
        const what = describeResource(resource);
        report.violation(
            version === undefined || version === ""
                ? `${what} has no version: every deployment installs the newest ${show(chart)}`
                : `${what}: version ${show(version)} is not one exact version`,
        );
    },
};

/**
 * Every v3 Release, as advice: Helm renders and installs its objects inside the provider, so they are never
 * registered with Pulumi and no policy of this pack (Pod Security, RBAC, Secrets, ...) sees them. Nothing is
 * unknown: the type alone decides.
 */
export const helmReleaseOpaque: ResourcePolicy = {
    kind: "resource",
    name: "helm-release-opaque",
    group: "helm",
    description: "A Helm v3 Release hides what it installs from the policy pack; a v4 Chart does not.",
    severity: Severity.Low,
    enforcementLevel: EnforcementLevel.Advisory,
    remediationSteps:
        "Install the chart with kubernetes:helm.sh/v4:Chart, which registers every rendered object so the pack " +
        "checks it; until then, review the chart's rendered manifests (helm template) by hand.",
    url: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/",
    types: [HELM_RELEASE_V3],
    validate(resource, _settings, report) {
        report.violation(
            `${describeResource(resource)}: the objects this release installs are invisible to the policy pack, so ` +
                "none of them is checked",
        );
    },
};

export const helmPolicies = [helmChartPinned, helmReleaseOpaque] as const;
