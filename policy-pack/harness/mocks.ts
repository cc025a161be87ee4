/**
 * The offline plan's engine: Pulumi mocks that answer each registration with the ids and ARNs AWS,
 * Kubernetes and Vault would give, in the stack's account and region, so values derived from them (an ARN
 * in a policy document, a namespace in a binding) reach the policies as they would after `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where the stack's AWS resources live. */
export interface MockTarget {
    readonly project: string;
    readonly stack: string;
    readonly accountId: string;
    readonly region: string;
}

/** A stable hex string of `length` digits derived from `seed` (FNV-1a), like the random parts AWS adds. */
function stableHex(seed: string, length: number): string {
    let out = "";
    let hash = 0x811c9dc5;
    for (let round = 0; out.length < length; round++) {
        for (const char of `${seed}#${round}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
        out += hash.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

function uuid(seed: string): string {
    const h = stableHex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The account a resource is created in: the one its inputs name (a trust policy, a key ARN), else the stack's. */
function accountOf(inputs: Record<string, any>, target: MockTarget): string {
    return /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(JSON.stringify(inputs))?.[1] ?? target.accountId;
}

/** What the provider would answer for a new resource: its id and its state (inputs plus computed outputs). */
export function mockState(
    type: string,
    name: string,
    inputs: Record<string, any>,
    target: MockTarget,
): { id: string; state: Record<string, any> } {
    const account = accountOf(inputs, target);
    const arn = (service: string, resource: string, region: string = target.region) =>
        `arn:aws:${service}:${region}:${account}:${resource}`;
    const physicalName = inputs.name ?? `${name}-${stableHex(name, 7)}`;
    switch (type) {
        case "aws:iam/role:Role":
            return {
                id: physicalName,
                state: {
                    ...inputs,
                    name: physicalName,
                    arn: arn("iam", `role/${physicalName}`, ""),
                    uniqueId: `AROA${stableHex(name, 17).toUpperCase()}`,
                },
            };
        case "aws:iam/policy:Policy": {
            const policyArn = arn("iam", `policy/${physicalName}`, "");
            return { id: policyArn, state: { ...inputs, name: physicalName, arn: policyArn } };
        }
        case "aws:iam/rolePolicy:RolePolicy":
            return { id: `${inputs.role}:${physicalName}`, state: { ...inputs, name: physicalName } };
        case "aws:kms/key:Key": {
            const keyId = uuid(name);
            return { id: keyId, state: { ...inputs, keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:kms/alias:Alias":
            return { id: inputs.name, state: { ...inputs, arn: arn("kms", inputs.name) } };
        case "aws:secretsmanager/secret:Secret": {
            const secretArn = arn("secretsmanager", `secret:${physicalName}-${stableHex(name, 6)}`);
            return { id: secretArn, state: { ...inputs, name: physicalName, arn: secretArn } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion": {
            const versionId = uuid(name);
            return { id: `${inputs.secretId}|${versionId}`, state: { ...inputs, versionId, arn: inputs.secretId } };
        }
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const associationId = `a-${stableHex(name, 17)}`;
            const associationArn = arn("eks", `podidentityassociation/${inputs.clusterName}/${associationId}`);
            return { id: associationId, state: { ...inputs, associationId, associationArn } };
        }
        default:
            if (type.startsWith("kubernetes:")) {
                const metadata = { ...(inputs.metadata ?? {}) };
                metadata.name ??= `${name}-${stableHex(name, 8)}`;
                metadata.uid ??= uuid(`${type}/${name}`);
                const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
                return { id, state: { ...inputs, metadata } };
            }
            if (type.startsWith("vault:")) {
                return { id: inputs.path ?? inputs.name ?? inputs.roleName ?? name, state: { ...inputs } };
            }
            return { id: `${name}-${stableHex(name, 8)}`, state: { ...inputs } };
    }
}

/** The outputs of another stack, by its full name, as a StackReference to it reads them. */
export type StackOutputs = (name: string) => Record<string, unknown>;

/**
 * Installs the plan's mocks: not a preview, so every value the mocks know reaches the policies. A
 * StackReference reads `stackOutputs` of the stack it names.
 */
export function installPlanMocks(target: MockTarget, stackOutputs?: StackOutputs): void {
    void pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                if (!args.custom) return { id: undefined, state: {} };
                if (args.type === "pulumi:pulumi:StackReference" && stackOutputs) {
                    const name = String(args.inputs.name);
                    return { id: name, state: { name, outputs: stackOutputs(name), secretOutputNames: [] } };
                }
                return mockState(args.type, args.name, args.inputs, target);
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        target.project,
        target.stack,
        false,
    );
}
