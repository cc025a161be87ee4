/**
 * The k8s-baseline CrossGuard pack: `pulumi preview --policy-pack policy-pack`. Constructing the PolicyPack
 * starts the analyzer server, so this file does nothing else; the policies live in ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { dispatchedPolicies } from "./adapter";
import { ALL_POLICIES } from "./policies";

const PACK_NAME = "k8s-baseline";

new PolicyPack(PACK_NAME, { policies: dispatchedPolicies(ALL_POLICIES, PACK_NAME) });
