/**
 * A stack file, stacks/Pulumi.<stack>.yaml, as text the engine passes on: no SDK, no components, so that a
 * pack can be spawned with the stack's config before either is loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { STACKS_DIR } from "./paths";

/** Every key of a stack file, namespaced as written. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    const file = path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
    return (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
}

/** The stack config as text, as the engine passes it on: strings as they are, the rest as JSON. */
export function stackConfigText(stack: string): Record<string, string> {
    return Object.fromEntries(
        Object.entries(stackFileConfig(stack)).map(([key, value]) => [
            key,
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );
}
