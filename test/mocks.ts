/**
 * Pulumi mocks for component tests: every registered resource is recorded with its type, name, inputs and
 * parent, and the mock engine answers with the ids and ARNs AWS, Kubernetes and Vault would.
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** The inputs the resource was registered with, Outputs resolved. */
    readonly inputs: Record<string, any>;
    /** The type of the parent resource, from the URN's type chain (`parent$type`). */
    readonly parentType?: string;
    readonly custom: boolean;
}

let recorded: { type: string; name: string; inputs: Record<string, any>; custom: boolean }[] = [];

function hex(seed: string, length: number): string {
    let h = 0x811c9dc5;
    let out = "";
    while (out.length < length) {
        for (const c of seed + out.length) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

let providerAccount: string | undefined;

/** Makes the mocked AWS provider create everything in `account` (its credentials' account), or undo that. */
export function mockProviderAccount(account: string | undefined): void {
    providerAccount = account;
}

/**
 * The account a resource is created in, as the provider would know it from its credentials: here, read off
 * the account its inputs name (a trust policy's provider, a key policy's root, a key ARN), else ACCOUNT.
 */
function accountOf(inputs: Record<string, any>): string {
    if (providerAccount !== undefined) return providerAccount;
    return /arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(JSON.stringify(inputs))?.[1] ?? ACCOUNT;
}

/** What the provider would report for a new resource: realistic ids and ARNs. */
function stateOf(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, any> } {
    const account = accountOf(inputs);
    const arnBase = (service: string, region = REGION) => `arn:aws:${service}:${region}:${account}`;
    switch (type) {
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return {
                id: roleName,
                state: { ...inputs, name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}` },
            };
        }
        case "aws:iam/policy:Policy": {
            const policyName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const arn = `arn:aws:iam::${account}:policy/${policyName}`;
            return { id: arn, state: { ...inputs, name: policyName, arn } };
        }
        case "aws:kms/key:Key": {
            const h = hex(name, 32);
            const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
            return { id: keyId, state: { ...inputs, keyId, arn: `${arnBase("kms")}:key/${keyId}` } };
        }
        case "aws:kms/alias:Alias":
            return { id: inputs.name, state: { ...inputs, arn: `${arnBase("kms")}:${inputs.name}` } };
        case "aws:secretsmanager/secret:Secret": {
            const arn = `${arnBase("secretsmanager")}:secret:${inputs.name}-${hex(name, 6)}`;
            return { id: arn, state: { ...inputs, arn } };
        }
        case "aws:ssm/parameter:Parameter": {
            // A parameter ARN drops the leading `/` of a path name.
            const arn = `${arnBase("ssm")}:parameter/${String(inputs.name).replace(/^\//, "")}`;
            return { id: inputs.name, state: { ...inputs, arn } };
        }
        case "pulumi:pulumi:StackReference": {
            const outputs = stackOutputs.get(inputs.name);
            if (!outputs) throw new Error(`no outputs mocked for stack ${inputs.name}`);
            return { id: inputs.name, state: { name: inputs.name, outputs, secretOutputNames: [] } };
        }
        default:
            if (type.startsWith("kubernetes:")) {
                const metadata = { ...(inputs.metadata ?? {}) };
                metadata.name ??= `${name}-${hex(name, 8)}`;
                const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
                return { id, state: { ...inputs, metadata } };
            }
            return { id: `${name}-id`, state: { ...inputs } };
    }
}

const stackOutputs = new Map<string, Record<string, unknown>>();

/** Sets what a StackReference to `stack` reads. */
export function mockStackOutputs(stack: string, outputs: Record<string, unknown>): void {
    stackOutputs.set(stack, outputs);
}

let installed = false;

/** Installs the mocks once per process; call before importing components that create resources. */
export function installMocks(): void {
    if (installed) return;
    installed = true;
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false });
                if (!args.custom) return { id: undefined, state: {} };
                return stateOf(args.type, args.name, args.inputs);
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        "k8s-baseline",
        "test",
        false,
    );
}

/** Resolves an Output in a test. */
export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T> {
    return new Promise((resolve) => pulumi.output(output as pulumi.Input<T>).apply(resolve as (v: unknown) => void));
}

/** Resolves an Output, rejecting when it fails (unlike `valueOf`, which waits on success only). */
export function settle<T>(output: pulumi.Output<T>): Promise<T> {
    // Output.promise() is the SDK's own way of awaiting an Output; it is internal, hence the cast.
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** The serialized form the engine receives for a secret value. */
export function isSerializedSecret(value: unknown, plaintext: string): boolean {
    const secret = value as Record<string, unknown> | undefined;
    return secret?.[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig && secret?.value === plaintext;
}

/** Waits until every registration started so far has finished. */
export async function settled(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

interface MockMonitor {
    resources: Map<string, { urn: string }>;
}

function monitor(): MockMonitor {
    return pulumi.runtime.getMonitor() as unknown as MockMonitor;
}

/** Every resource registered since the last reset, with its parent's type. */
export function resources(): RecordedResource[] {
    const parents = new Map<string, string | undefined>();
    for (const { urn } of monitor().resources.values()) {
        const [, , typeChain, name] = urn.split("::");
        const types = typeChain.split("$");
        parents.set(`${types[types.length - 1]}::${name}`, types.length > 1 ? types[types.length - 2] : undefined);
    }
    return recorded.map((r) => ({ ...r, parentType: parents.get(`${r.type}::${r.name}`) }));
}

/** Resources of one type. */
export function ofType(type: string): RecordedResource[] {
    return resources().filter((r) => r.type === type);
}

/** The one resource of `type` whose logical name is `name`. */
export function named(type: string, name: string): RecordedResource {
    const found = resources().filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

/** Forgets what was registered, so each test sees only its own resources. */
export function resetResources(): void {
    recorded = [];
    monitor().resources.clear();
}
