/** Every policy of the pack, by group. The pack, the check command and the tests read this list. */
import { costPolicies } from "../cost/policy";
import { awsPolicies } from "./aws";
import { crossEnvPolicies } from "./cross-env";
import { exemptionsPolicies } from "./exemptions";
import { kubernetesPolicies } from "./kubernetes";
import { podSecurityPolicies } from "./pod-security";
import { Policy } from "./types";
import { vaultPolicies } from "./vault";
import { workloadsPolicies } from "./workloads";

export const ALL_POLICIES: readonly Policy[] = [
    ...podSecurityPolicies,
    ...workloadsPolicies,
    ...kubernetesPolicies,
    ...awsPolicies,
    ...vaultPolicies,
    ...crossEnvPolicies,
    ...costPolicies,
    ...exemptionsPolicies,
];
