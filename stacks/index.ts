/**
 * Entry point of the platform stacks: `pulumi up --stack dev|stage|prod`. Configuration comes from
 * stacks/Pulumi.<stack>.yaml; the outputs are the contract (components/contract.ts).
 */
import { loadStackConfig } from "./config";
import { platformProgram } from "./program";

const outputs = platformProgram(loadStackConfig());

export const contractVersion = outputs.contractVersion;
export const project = outputs.project;
export const env = outputs.env;
export const kmsKeyArn = outputs.kmsKeyArn;
export const clusterIssuerName = outputs.clusterIssuerName;
export const apps = outputs.apps;
