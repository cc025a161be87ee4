/**
 * A read-only root filesystem: the preview-time twin of Kyverno's baseline-require-ro-rootfs
 * (components/addons/kyverno/policies.ts). Pod Security Standards do not require it; the baseline does
 * (RESTRICTED_CONTAINER_SECURITY_CONTEXT). Every container list is judged: containers, init containers and
 * ephemeral containers.
 *
 * Unknowns: an unknown pod template, container list, container, securityContext or readOnlyRootFilesystem is
 * reported unknown; known containers are judged all the same. No namespace is exempt (pod-template.ts
 * scopedReporter).
 */
import { describeResource } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";
import { WORKLOADS_GROUP } from "./images";
import { ALL_CONTAINER_LISTS, containerField, judgeContainers, POD_TYPES } from "./pod-template";

export const workloadsReadonlyRootfs: ResourcePolicy = {
    kind: "resource",
    name: "workloads-readonly-rootfs",
    group: WORKLOADS_GROUP,
    description:
        "Every container runs with a read-only root filesystem, so that an intruder cannot install tools or alter " +
        "binaries. Pod Security Standards do not require it; the baseline does.",
    severity: Severity.Medium,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Set securityContext.readOnlyRootFilesystem: true on every container, init container and ephemeral " +
        "container; mount an emptyDir where the process must write (e.g. /tmp).",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    types: POD_TYPES,
    validate(resource, settings, report) {
        judgeContainers(resource, settings, report, ALL_CONTAINER_LISTS, (container, scoped) => {
            const value = containerField(container, ["securityContext", "readOnlyRootFilesystem"], scoped);
            if (value.known && value.value !== true) {
                scoped.violation(
                    `${describeResource(resource)}: ${container.label} does not set securityContext.readOnlyRootFilesystem: true`,
                );
            }
        });
    },
};
