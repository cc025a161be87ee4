/**
 * The app repository's Pulumi program. In an app repository the import reads `from "k8s-baseline"`;
 * here it reads the package's source so the example builds and is tested with it.
 *
 *   pulumi config set platformStack acme/k8s-baseline/prod
 *   pulumi config set image 333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/payments@sha256:<digest>
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { PlatformReference } from "../../components";
import { deployApp } from "./app";

const config = new pulumi.Config();
const platform = new PlatformReference("platform", { stack: config.require("platformStack") });
const deployment = deployApp(platform, {
    app: config.get("app") ?? "payments",
    image: config.require("image"),
    port: config.getNumber("port") ?? 8080,
});

export const namespace = deployment.metadata.namespace;
export const deploymentName = deployment.metadata.name;
