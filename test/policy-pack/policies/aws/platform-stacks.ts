/**
 * Every resource the dev, stage and prod platform programs register under mocks, as policies see them, and
 * a runner of policies over all of them, as `pulumi preview --policy-pack` would.
 */
import { installMocks, resetResources, resources, settled } from "../../../mocks";
installMocks();
import { platformProgram } from "../../../../stacks/program";
import { checkResource, checkStack } from "../../../../policy-pack/engine";
import { Policy, PolicyResource, PolicySettings, Violation } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import { STACKS, stackArgs, stackValues } from "../../../stacks/stack-config";

export { STACKS, stackValues };

const registered = new Map<string, PolicyResource[]>();

/** The resources of `stack`'s program, each with the URN the engine would give it (registered once). */
export async function platformResources(stack: string): Promise<readonly PolicyResource[]> {
    const cached = registered.get(stack);
    if (cached) return cached;
    resetResources();
    platformProgram(stackArgs(stack));
    await settled();
    const found = resources().map((r) => ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:${stack}::k8s-baseline::${r.parentType ? `${r.parentType}$` : ""}${r.type}::${r.name}`,
        props: r.inputs,
    }));
    resetResources();
    registered.set(stack, found);
    return found;
}

/** The settings the pack runs with for `stack`: its env and its registries. */
export function stackSettings(stack: string): PolicySettings {
    return settingsFrom({ env: stack, registries: stackValues(stack).registries as string[] });
}

/** Every violation `policies` report over `stack`'s resources with `settings`. */
export async function stackViolations(
    stack: string,
    policies: readonly Policy[],
    settings: PolicySettings = stackSettings(stack),
): Promise<Violation[]> {
    const all = await platformResources(stack);
    return [
        ...all.flatMap((resource) => checkResource(resource, policies, settings)),
        ...checkStack(all, policies, settings),
    ];
}
