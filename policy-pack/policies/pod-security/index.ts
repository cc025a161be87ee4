/**
 * Pod Security Standards, evaluated without a cluster: the same verdict the Pod Security admission plugin
 * gives a pod (or a controller's pod template) in a namespace enforcing a level at a version.
 * Pure and dependency-free, so the policy pack, the CLI and the tests share it.
 */
export { ALL_CHECK_IDS, checksFor, enforcingCheck, evaluatePodSecurity, evaluatePodTemplate } from "./evaluator";
export type { PodSecurityOptions, PodSecurityResult, PodSecurityViolation } from "./evaluator";
export type { EnforcedPodSecurityLevel } from "./levels";
export { isPodSecurityLevel, isPodSecurityVersion, LATEST_MINOR, LATEST_VERSION, PodSecurityLevel } from "./levels";
export { podTemplateOf } from "./pod";
export type { PodTemplate } from "./pod";
