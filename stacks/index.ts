/**
 * Entry point of the platform stacks: `pulumi up --stack <stack>`. Configuration comes from
 * stacks/Pulumi.<stack>.yaml: an env stack's outputs are the contract (components/contract.ts), a cluster
 * stack's the facts its env stacks read.
 */
import { loadStack } from "./config";
import { stackProgram } from "./program";

export = stackProgram(loadStack());
