/**
 * The workload policies: what every app pod must look like beyond Pod Security, each the preview-time twin of
 * one of the Kyverno rules that enforce it at admission (components/addons/kyverno/policies.ts). Every
 * namespace is judged, kube-system and the add-ons' included; only resources of the platform's own charts
 * (policies/platform.ts, by URN parentage) are left to their charts.
 */
import { Policy } from "../types";
import { workloadsApprovedRegistries, workloadsImageDigest, workloadsNoLatestTag } from "./images";
import { workloadsProbes } from "./probes";
import { workloadsRequestsLimits } from "./resources";
import { workloadsReadonlyRootfs } from "./security-context";
import { workloadsNoLegacyTokenSecret, workloadsSaTokenAutomount } from "./service-account-token";

export { imageFromApprovedRegistry, mutableImageProblem, WORKLOADS_GROUP } from "./images";
export { POD_TYPES } from "./pod-template";
export { SECRET_TYPE, SERVICE_ACCOUNT_TYPE } from "./service-account-token";
export {
    workloadsApprovedRegistries,
    workloadsImageDigest,
    workloadsNoLatestTag,
    workloadsNoLegacyTokenSecret,
    workloadsProbes,
    workloadsReadonlyRootfs,
    workloadsRequestsLimits,
    workloadsSaTokenAutomount,
};

export const workloadsPolicies: readonly Policy[] = [
    workloadsImageDigest,
    workloadsApprovedRegistries,
    workloadsNoLatestTag,
    workloadsRequestsLimits,
    workloadsProbes,
    workloadsReadonlyRootfs,
    workloadsSaTokenAutomount,
    workloadsNoLegacyTokenSecret,
];
