/** The part of js-yaml 4 (which ships no types) that the YAML reader uses. */
declare module "js-yaml" {
    export interface LoaderState {
        /** The anchor of the node being closed, or null. */
        readonly anchor: string | null;
        /** Its tag: `!` when given the non-specific tag, null when untagged (set once resolved). */
        readonly tag: string | null;
    }
    export interface LoadOptions {
        schema?: Schema;
        /** Called as each node is opened and closed. */
        listener?: (event: "open" | "close", state: LoaderState) => void;
        maxDepth?: number;
    }
    export interface TypeOptions {
        kind: "scalar" | "sequence" | "mapping";
        resolve?: (data: string) => boolean;
        construct?: (data: string) => unknown;
    }
    export class Type {
        constructor(tag: string, options: TypeOptions);
    }
    export class Schema {
        constructor(definition: { implicit?: Type[]; explicit?: Type[] });
    }
    export class YAMLException extends Error {}
    export function loadAll(input: string, iterator?: null, options?: LoadOptions): unknown[];
}
