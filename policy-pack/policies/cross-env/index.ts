/** The `cross-env` group: nothing of one environment points at another's. */
import { Policy } from "../types";
import { crossEnvReferences } from "./references";

export * from "./references";

export const crossEnvPolicies: readonly Policy[] = [crossEnvReferences];
