/**
 * Validation of the Kubernetes objects the components emit: custom resources against the upstream CRD
 * schemas in ../shared/crds/schemas, core objects against the Kubernetes OpenAPI schema as the
 * kubernetes-models package ships it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { REPO_ROOT, sharedPath } from "./shared";

/** A manifest: what a Pulumi Kubernetes resource's inputs hold, with apiVersion and kind. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata?: Record<string, any>;
    [field: string]: any;
}

/** Rebuilds the manifest of a registered Kubernetes resource from its type token and inputs. */
export function manifestOf(type: string, inputs: Record<string, any>): Manifest {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!match) throw new Error(`${type} is not a Kubernetes resource type`);
    const [, groupVersion, kind] = match;
    const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
    return { ...inputs, apiVersion: inputs.apiVersion ?? apiVersion, kind: inputs.kind ?? kind };
}

const CORE_GROUPS = new Set([
    "v1",
    "apps/v1",
    "batch/v1",
    "policy/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
    "rbac.authorization.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "scheduling.k8s.io/v1",
]);

/** True when the manifest is a built-in Kubernetes kind (validated by the OpenAPI schema, not a CRD). */
export function isCoreObject(manifest: Manifest): boolean {
    return CORE_GROUPS.has(manifest.apiVersion);
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
const crdValidators = new Map<string, ValidateFunction>();

function crdFileName(manifest: Manifest): { group: string; version: string; base: string } {
    const [group, version] = manifest.apiVersion.split("/");
    if (!version) throw new Error(`${manifest.apiVersion} has no group: ${manifest.kind} is not a custom resource`);
    return { group, version, base: `${group}_${manifest.kind.toLowerCase()}_${version}` };
}

/**
 * The API server prunes fields a structural schema does not declare, silently: a misspelled field is
 * accepted and dropped. To report it instead, every object schema that lists its properties, does not
 * declare additionalProperties and does not preserve unknown fields is closed.
 */
function closeStructuralSchema(schema: any): any {
    if (Array.isArray(schema)) return schema.map(closeStructuralSchema);
    if (schema === null || typeof schema !== "object") return schema;
    const closed: any = {};
    for (const [key, value] of Object.entries(schema)) {
        closed[key] =
            key === "properties"
                ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, closeStructuralSchema(v)]))
                : closeStructuralSchema(value);
    }
    if (
        closed.properties !== undefined &&
        closed.additionalProperties === undefined &&
        closed["x-kubernetes-preserve-unknown-fields"] !== true
    ) {
        closed.additionalProperties = false;
    }
    return closed;
}

/** Errors of `manifest` against its CRD's upstream schema; an unknown or no-longer-served version is an error. */
export function customResourceErrors(manifest: Manifest): string[] {
    const { base } = crdFileName(manifest);
    const dir = sharedPath("crds", "schemas");
    let validate = crdValidators.get(base);
    if (!validate) {
        // Upstream schemas the shared data does not carry yet are extracted into test/crds/schemas (README there).
        const local = path.join(REPO_ROOT, "test", "crds", "schemas", `${base}.json`);
        const file = fs.existsSync(local) ? local : path.join(dir, `${base}.json`);
        if (!fs.existsSync(file)) {
            if (fs.existsSync(path.join(dir, `${base}.notserved.json`))) {
                return [`${manifest.apiVersion} ${manifest.kind} is no longer served by the upstream operator`];
            }
            return [`no upstream schema for ${manifest.apiVersion} ${manifest.kind} (expected ${file})`];
        }
        validate = ajv.compile(closeStructuralSchema(JSON.parse(fs.readFileSync(file, "utf8"))));
        crdValidators.set(base, validate);
    }
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((e) =>
        e.keyword === "additionalProperties"
            ? `${e.instancePath || "/"} has a field the schema does not declare: ${e.params.additionalProperty}`
            : `${e.instancePath || "/"} ${e.message}`,
    );
}

type ModelClass = new (data: unknown) => { validate(): void };
const modelModules = new Map<string, Record<string, ModelClass>>();
// kubernetes-models is ESM-only; a real dynamic import (not one TypeScript rewrites to require) loads it.
const importEsm = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

/** Errors of a core object against the Kubernetes OpenAPI schema of its kind. */
export async function coreObjectErrors(manifest: Manifest): Promise<string[]> {
    const modulePath = `kubernetes-models/${manifest.apiVersion}`;
    let models = modelModules.get(modulePath);
    if (!models) {
        models = (await importEsm(modulePath)) as Record<string, ModelClass>;
        modelModules.set(modulePath, models);
    }
    const Model = models[manifest.kind];
    if (!Model) return [`no Kubernetes schema for ${manifest.apiVersion} ${manifest.kind}`];
    try {
        new Model(manifest).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}
