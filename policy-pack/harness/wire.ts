/**
 * Pulumi's wire encoding of resource properties, as the engine hands them to an analyzer: plain JSON in a
 * google.protobuf.Struct, with unknowns as a sentinel string and secrets as a signed object. The engine
 * marshals with "keep unknowns, keep secrets, skip internal keys" and without resource references, so
 * references arrive as the referenced resource's id (custom) or URN (component).
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";

/** The sentinel a preview sends for a value not known until the update. */
export const UNKNOWN_WIRE: string = rpc.unknownValue;

/** A secret as the engine sends it: `{ <sig>: <secret sig>, value }`. */
export function secretWire(value: unknown): Record<string, unknown> {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

/** How the engine names what a resource reference points at, once references are downgraded. */
export type ReferenceResolver = (urn: string) => string;

/**
 * A property value as the engine sends it to an analyzer, from what the SDK registered: resource references
 * and output values downgraded, `__`-prefixed keys dropped, undefined removed (a Struct has no undefined).
 * `resolveUrn` maps a URN the program saw to the URN the engine reports (same stack and project).
 */
export function toAnalyzerWire(value: unknown, resolveUrn: ReferenceResolver = (urn) => urn): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
        return value.filter((v) => v !== undefined).map((v) => toAnalyzerWire(v, resolveUrn));
    }
    const object = value as Record<string, unknown>;
    switch (object[rpc.specialSigKey]) {
        case rpc.specialSecretSig:
            return secretWire(toAnalyzerWire(object.value, resolveUrn));
        case rpc.specialResourceSig: {
            // A custom resource's reference becomes its id (unknown while it has none), a component's its URN.
            if ("id" in object) {
                return object.id === "" || object.id === undefined ? UNKNOWN_WIRE : toAnalyzerWire(object.id);
            }
            return resolveUrn(String(object.urn));
        }
        case rpc.specialOutputValueSig: {
            const inner = "value" in object ? toAnalyzerWire(object.value, resolveUrn) : UNKNOWN_WIRE;
            return object.secret === true ? secretWire(inner) : inner;
        }
        case undefined:
            break;
        default:
            // Assets and archives keep their signed form: the policy SDK turns them into its own classes.
            return object;
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(object)) {
        if (key.startsWith("__") || child === undefined) continue;
        out[key] = toAnalyzerWire(child, resolveUrn);
    }
    return out;
}
