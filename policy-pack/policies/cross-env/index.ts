/** The `cross-env` group: nothing of one environment points at another's, or meets it on a shared cluster. */
import { Policy } from "../types";
import { crossEnvReferences } from "./references";
import {
    crossEnvClusterObjects,
    crossEnvNamespaces,
    crossEnvNetworkPeers,
    crossEnvProdShared,
    crossEnvTopology,
    crossEnvTrustSubjects,
} from "./topology";

export * from "./references";
export * from "./topology";

export const crossEnvPolicies: readonly Policy[] = [
    crossEnvReferences,
    crossEnvNamespaces,
    crossEnvTrustSubjects,
    crossEnvClusterObjects,
    crossEnvNetworkPeers,
    crossEnvTopology,
    crossEnvProdShared,
];
