/**
 * Pod Security Standards, evaluated without a cluster: the same verdict the Pod Security admission plugin
 * gives a pod (or a controller's pod template) in a namespace enforcing a level at a version.
 * Pure and dependency-free, so the policy pack, the CLI and the tests share it. The pack's policies
 * (policy.ts) judge Pods and pod templates with it at the version each env pins.
 */
import { Policy } from "../types";
import { podSecurityBaseline, podSecurityRestricted } from "./policy";

export { ALL_CHECK_IDS, checksFor, enforcingCheck, evaluatePodSecurity, evaluatePodTemplate } from "./evaluator";
export type { PodSecurityOptions, PodSecurityResult, PodSecurityViolation } from "./evaluator";
export type { EnforcedPodSecurityLevel } from "./levels";
export { isPodSecurityLevel, isPodSecurityVersion, LATEST_MINOR, LATEST_VERSION, PodSecurityLevel } from "./levels";
export { podTemplateOf } from "./pod";
export type { PodTemplate } from "./pod";
export { CHECK_READS, POD_SECURITY_GROUP, podSecurityBaseline, podSecurityRestricted } from "./policy";

/** The Pod Security policies of the pack. */
export const podSecurityPolicies: readonly Policy[] = [podSecurityBaseline, podSecurityRestricted];
