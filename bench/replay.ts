/**
 * The typed floor of the plan: the very resources a platform run registered (its dump), registered again with
 * their SDK classes and recorded inputs, under their recorded parents, with no component logic: components
 * become bare ComponentResources of the same type. What remains between the platform program and this is
 * the components' own cost; what lies between this and the plain floor is the SDK's cost for these resource
 * types and payloads, which any program registering them pays.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EngineResource } from "../policy-pack/harness/resources";

type Constructor = new (name: string, args: object, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

const KUBERNETES_GROUPS: Record<string, string> = {
    core: "core",
    apps: "apps",
    batch: "batch",
    policy: "policy",
    "networking.k8s.io": "networking",
    "rbac.authorization.k8s.io": "rbac",
};

/** The SDK class of a type token: `aws:iam/role:Role` is aws.iam.Role; unknown Kubernetes kinds are CRDs. */
function classOf(type: string): Constructor {
    const [pkg, module, kind] = type.split(":");
    const lookup = (root: unknown, ...path: string[]) =>
        path.reduce<unknown>(
            (at, key) => (at === undefined ? undefined : (at as Record<string, unknown>)[key]),
            root,
        ) as Constructor | undefined;
    if (pkg === "aws") {
        const found = lookup(aws, module.split("/")[0], kind);
        if (found) return found;
    } else if (pkg === "kubernetes") {
        const [group, version] = module.split("/");
        if (group === "helm.sh") {
            const found = lookup(k8s, "helm", version, kind);
            if (found) return found;
        } else {
            const builtIn = KUBERNETES_GROUPS[group];
            const found = builtIn ? lookup(k8s, builtIn, version, kind) : undefined;
            if (found) return found;
            if (!builtIn) return k8s.apiextensions.CustomResource as unknown as Constructor;
        }
    }
    throw new Error(`replay: no SDK class for ${type}`);
}

class Bare extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

/** Registers the dump's resources (not the engine's own: Stack, default providers); returns every URN. */
export function replay(resources: readonly EngineResource[]): pulumi.Output<string>[] {
    const made = new Map<string, pulumi.Resource>();
    const urns: pulumi.Output<string>[] = [];
    for (const resource of resources) {
        if (resource.synthetic) continue;
        const parent = resource.parent ? made.get(resource.parent) : undefined;
        const again =
            resource.custom || resource.remote
                ? new (classOf(resource.type))(resource.name, resource.properties, { parent })
                : new Bare(resource.type, resource.name, { parent });
        made.set(resource.urn, again);
        urns.push(again.urn);
    }
    return urns;
}
