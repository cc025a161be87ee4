/**
 * Liveness and readiness probes on long-running workloads: the preview-time twin of Kyverno's
 * baseline-require-probes (components/addons/kyverno/policies.ts). It judges the LONG_RUNNING_KINDS
 * controllers, and Pods owned by one of them (ownerReferences); Jobs, CronJobs and their Pods run to completion
 * and are exempt, as are bare Pods. Only regular containers are judged: init and ephemeral containers cannot
 * take these probes.
 *
 * Unknowns: an unknown pod template, container list, container or probe is reported unknown; so are a Pod's
 * unknown metadata or owner references, unless a known owner already makes it long-running. An unknown
 * namespace changes nothing: no namespace is exempt (pod-template.ts scopedReporter).
 */
import { LONG_RUNNING_KINDS } from "../../../components/baseline";
import { describeResource, isUnknown, kubernetesKindOf } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity } from "../types";
import { WORKLOADS_GROUP } from "./images";
import {
    asJson,
    ContainerList,
    containerField,
    formatPath,
    isSet,
    judgeContainers,
    POD_TYPES,
    readPath,
} from "./pod-template";

const LONG_RUNNING: ReadonlySet<string> = new Set(LONG_RUNNING_KINDS);
const PROBES: readonly string[] = ["livenessProbe", "readinessProbe"];
const LISTS: readonly ContainerList[] = [ContainerList.Containers];

/** Whether `resource` runs long: yes, no, or unknown (reported). */
function longRunning(resource: PolicyResource, report: Reporter): boolean {
    const kind = kubernetesKindOf(resource.type)?.kind ?? "";
    if (kind !== "Pod") return LONG_RUNNING.has(kind);
    const owners = readPath(resource.props, ["metadata", "ownerReferences"]);
    if (owners.unknownAt) {
        report.unknown(formatPath(owners.unknownAt));
        return false;
    }
    if (!Array.isArray(owners.value)) return false;
    const unknownOwners: string[] = [];
    for (const [index, owner] of owners.value.entries()) {
        const ownerKind = isUnknown(owner) ? owner : asJson(owner)?.kind;
        if (isUnknown(ownerKind)) unknownOwners.push(formatPath(["metadata", "ownerReferences", index]));
        else if (typeof ownerKind === "string" && LONG_RUNNING.has(ownerKind)) return true;
    }
    for (const path of unknownOwners) report.unknown(path);
    return false;
}

export const workloadsProbes: ResourcePolicy = {
    kind: "resource",
    name: "workloads-probes",
    group: WORKLOADS_GROUP,
    description:
        `Long-running workloads (${LONG_RUNNING_KINDS.join(", ")}, and the Pods they own) declare a liveness and a ` +
        "readiness probe on every container, so that a hung container is restarted and no traffic reaches one " +
        "that is not ready. Jobs and CronJobs run to completion and are exempt.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Add livenessProbe and readinessProbe to every container of the pod template (httpGet, tcpSocket, grpc " +
        "or exec), pointing at endpoints that reflect the process's health and readiness.",
    url: "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(
            resource,
            settings,
            report,
            LISTS,
            (container, scoped) => {
                const missing: string[] = [];
                for (const probe of PROBES) {
                    const value = containerField(container, [probe], scoped);
                    if (value.known && !isSet(value.value)) missing.push(probe);
                }
                if (missing.length > 0) {
                    scoped.violation(
                        `${describeResource(resource)}: ${container.label} declares no ${missing.join(" or ")}`,
                    );
                }
            },
            (scoped) => longRunning(resource, scoped),
        );
    },
};
