/**
 * The k8s-baseline CrossGuard pack: `pulumi preview --policy-pack policy-pack`. Constructing the PolicyPack
 * starts the analyzer server, so this file does nothing else; the policies live in ./policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { toPulumiPolicies } from "./adapter";
import { ALL_POLICIES } from "./policies";

new PolicyPack("k8s-baseline", { policies: toPulumiPolicies(ALL_POLICIES) });
