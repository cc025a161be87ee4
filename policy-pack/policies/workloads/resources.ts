/**
 * CPU and memory requests and limits: the preview-time twin of Kyverno's baseline-require-requests-limits
 * (components/addons/kyverno/policies.ts). Containers and init containers are judged; ephemeral containers
 * cannot declare resources, so neither rule reads them.
 *
 * Unknowns: an unknown pod template, container list, container, `resources`, `requests`, `limits` or one of
 * their cpu/memory values is reported unknown (an unknown value may resolve to nothing); known containers are
 * judged all the same. No namespace is exempt (pod-template.ts scopedReporter).
 */
import { describeResource } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { WORKLOADS_GROUP } from "./images";
import { ContainerList, containerField, isSet, judgeContainers, POD_TYPES } from "./pod-template";

/** The resources every container must both request and be limited in. */
const REQUIRED_RESOURCES: readonly string[] = ["cpu", "memory"];
const BOUNDS: readonly string[] = ["requests", "limits"];
const LISTS: readonly ContainerList[] = [ContainerList.InitContainers, ContainerList.Containers];

export const workloadsRequestsLimits: ResourcePolicy = {
    kind: "resource",
    name: "workloads-requests-limits",
    group: WORKLOADS_GROUP,
    description:
        "Every container and init container requests and is limited in CPU and memory, so that the scheduler can " +
        "place it and one workload cannot starve its neighbours.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and resources.limits.memory " +
        "on every container and init container, sized from the workload's measured use.",
    url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(resource, settings, report, LISTS, (container, scoped) => {
            const resources = containerField(container, ["resources"], scoped);
            if (!resources.known) return;
            const missing: string[] = [];
            for (const bound of BOUNDS) {
                const quantities = containerField(container, ["resources", bound], scoped);
                if (!quantities.known) continue;
                for (const name of REQUIRED_RESOURCES) {
                    const quantity = containerField(container, ["resources", bound, name], scoped);
                    if (quantity.known && !isSet(quantity.value)) missing.push(`resources.${bound}.${name}`);
                }
            }
            // What is certainly missing is reported even when another value is unknown: it is missing either way.
            if (missing.length > 0) {
                scoped.violation(
                    `${describeResource(resource)}: ${container.label} does not set ${missing.join(", ")}`,
                );
            }
        });
    },
};
