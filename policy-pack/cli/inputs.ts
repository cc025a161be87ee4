/**
 * Reading what `k8s-baseline check` is given into the resources the policies judge.
 *
 * - Kubernetes YAML: a `.yaml`/`.yml` file (or any file named on the command line that is not `.json`), every
 *   document of it; a `kind: List` (or any `*List` kind with `items`) is expanded into its items. An object
 *   becomes a resource with type `kubernetes:<apiVersion>:<kind>` and props = the object less apiVersion and
 *   kind: the same shape a Pulumi program registers a Kubernetes resource's inputs in.
 * - JSON: an array of Pulumi resources `{"type", "name", "props"}` (optionally `urn`, `parent`), as a program's
 *   resources are dumped, or an object whose `resources` holds that array (other keys, such as a description,
 *   are ignored); any other JSON object is read as one Kubernetes manifest (`kubectl get -o json` output).
 * - Folders are searched recursively for `.yaml`/`.yml` files, in name order; entries whose name starts with
 *   a dot (`.git`, `.github`) are skipped. JSON files are read only when named, since a folder of manifests
 *   often holds JSON that is not resources (package.json, schemas).
 *
 * YAML is read as the API server reads it (YAML 1.1: `yes`/`on` are booleans, `0755` is octal), except that
 * dates, `1:20` and `!!binary` stay strings, as they do in the API server's decoding. A key given twice in a
 * mapping is an error: which value would win depends on the parser, and a manifest must not be judged by one
 * value and applied with the other. Two readers give these values (yaml-documents.ts): a fast one for the
 * files it reads exactly, the `yaml` library's for the rest (anchors, merge keys, tags, errors).
 *
 * Every document is numbered from 0 in its file, empty documents included, so `deploy.yaml#2` is the third
 * document whatever precedes it; items of a List share their List's document number. JSON resources are
 * numbered by their array index. Anything that cannot be read is reported naming the file and document
 * (`cannot parse deploy.yaml#2: ...`), and every such error is collected rather than the first only.
 */
import { readdirSync, readFileSync, realpathSync, Stats, statSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { kubernetesTypeOf } from "../policies/resource";
import { PolicyResource } from "../policies/types";
import { fastDocuments, TO_JS_OPTIONS, YAML_OPTIONS } from "./yaml-documents";
import { documentKindLines } from "./yaml-lines";
import type { ResourceVerdict } from "./check";

/** A resource to check and where it was read from. */
export interface CheckedResource {
    /** `path#<document>` for YAML, `path#<index>` for a JSON array of resources. */
    readonly source: string;
    /** YAML: the 1-based line of the object's `kind` key (else of its first key) in the file. */
    readonly line?: number;
    readonly resource: PolicyResource;
}

/** An input that cannot be read: collected, printed, and the run ends with exit status 2 before any check. */
class InputError extends Error {}

/**
 * Stack name of the URNs given to resources that have none. Stack policies attribute a violation to a
 * resource by its URN; this name is deliberately not an environment, so a URN never decides a resource's
 * env (envOf then reads --env, else judges as prod).
 */
const CHECK_STACK = "k8s-baseline-check";
const CHECK_PROJECT = "k8s-baseline";

const YAML_FILE = /\.ya?ml$/i;
const JSON_FILE = /\.json$/i;

function plainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    return `a ${typeof value}`;
}

function syntheticUrn(type: string, source: string): string {
    return `urn:pulumi:${CHECK_STACK}::${CHECK_PROJECT}::${type}::${source}`;
}

/** Where a YAML object's node is, to give its resource a line: the node, and the file's line counter. */
interface YamlPlace {
    readonly node: unknown;
    readonly lineOf: (offset: number) => number;
}

/** The line of an object's `kind` key, else of the node's start. */
function objectLine(place: YamlPlace): number | undefined {
    const { node } = place;
    if (!isMap(node)) return undefined;
    const kind = node.items.find((pair) => isScalar(pair.key) && pair.key.value === "kind");
    const offset = (isScalar(kind?.key) ? kind.key.range?.[0] : undefined) ?? node.range?.[0];
    return offset === undefined ? undefined : place.lineOf(offset);
}

/** The node of a List's item `index`, when the List's node is at hand. */
function itemPlace(place: YamlPlace | undefined, index: number): YamlPlace | undefined {
    if (place === undefined || !isMap(place.node)) return undefined;
    const items = place.node.get("items", true);
    return isSeq(items) ? { node: items.items[index], lineOf: place.lineOf } : undefined;
}

/**
 * 1-based lines of offsets asked in increasing order, counted in one pass over `text` (an offset before the
 * last one asked restarts the count).
 */
function lineCounter(text: string): (offset: number) => number {
    let counted = 0;
    let line = 1;
    return (offset) => {
        if (offset < counted) {
            counted = 0;
            line = 1;
        }
        for (
            let index = text.indexOf("\n", counted);
            index >= 0 && index < offset;
            index = text.indexOf("\n", index + 1)
        ) {
            line++;
            counted = index + 1;
        }
        return line;
    };
}

/**
 * Adds the resource of one Kubernetes object, or those of a List's items, to `out`. `item` locates the object
 * inside its document: empty for the document itself, ` items[2]` for a List's third item; `place`, for YAML,
 * its node.
 */
function addManifest(
    value: unknown,
    source: string,
    item: string,
    out: CheckedResource[],
    place?: YamlPlace | number,
): void {
    const where = `cannot parse ${source}${item}`;
    if (!plainObject(value)) {
        throw new InputError(`${where}: expected a Kubernetes object, found ${describeValue(value)}`);
    }
    const { apiVersion, kind, ...props } = value;
    if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
        throw new InputError(`${where}: not a Kubernetes object: apiVersion and kind must be non-empty strings`);
    }
    if (kind.endsWith("List") && Array.isArray(props.items)) {
        props.items.forEach((child, index) =>
            addManifest(
                child,
                source,
                `${item} items[${index}]`,
                out,
                typeof place === "number" ? undefined : itemPlace(place, index),
            ),
        );
        return;
    }
    const type = kubernetesTypeOf(apiVersion, kind);
    const metadata = plainObject(props.metadata) ? props.metadata : undefined;
    const name =
        typeof metadata?.name === "string"
            ? metadata.name
            : typeof metadata?.generateName === "string"
              ? metadata.generateName
              : source;
    // List items share their List's source; the URN tells them apart.
    const resource: PolicyResource = { type, name, urn: syntheticUrn(type, `${source}${item}`), props };
    const line = place === undefined || typeof place === "number" ? place : objectLine(place);
    out.push(line === undefined ? { source, resource } : { source, line, resource });
}

/** A `*List` object with items, whose items are each a resource. */
function isList(value: unknown): boolean {
    return (
        plainObject(value) &&
        typeof value.kind === "string" &&
        value.kind.endsWith("List") &&
        Array.isArray(value.items)
    );
}

/** The 1-based line of `offset` in `text`: only computed for an error. */
function lineAt(text: string, offset: number): number {
    let line = 1;
    for (let index = text.indexOf("\n"); index >= 0 && index < offset; index = text.indexOf("\n", index + 1)) line++;
    return line;
}

/**
 * The resources of a YAML file, by the fast reader where it reads the file exactly (yaml-documents.ts), else by
 * the reference reader, which also names the line of every problem.
 */
function readYaml(file: string, text: string, out: CheckedResource[], errors: string[]): void {
    readYamlWith("fast", file, text, out, errors);
}

/**
 * The resources of a YAML file by the fast reader where it can (`fast`), or by the reference reader alone
 * (`reference`): the two give the same resources, sources and lines, which the tests compare.
 */
export function readYamlWith(
    reader: "fast" | "reference",
    file: string,
    text: string,
    out: CheckedResource[],
    errors: string[],
): void {
    if (reader === "reference") {
        readYamlExactly(file, text, out, errors);
        return;
    }
    const documents = fastDocuments(text);
    // Each object's line, from the text; a List's items, whose lines need the syntax tree, go to the reference
    // reader, as does a file the text alone cannot place.
    const lines =
        documents === undefined || documents.some(isList) ? undefined : documentKindLines(text, documents.length);
    if (documents !== undefined && lines !== undefined) {
        const before = out.length;
        try {
            for (let index = 0; index < documents.length; index++) {
                const value = documents[index];
                if (value !== null && value !== undefined)
                    addManifest(value, `${file}#${index}`, "", out, lines[index]);
            }
            return;
        } catch (error) {
            if (!(error instanceof InputError)) throw error;
            // Not a Kubernetes object: the reference reader reports it with its line.
            out.length = before;
        }
    }
    readYamlExactly(file, text, out, errors);
}

function readYamlExactly(file: string, text: string, out: CheckedResource[], errors: string[]): void {
    const documents = parseAllDocuments(text, YAML_OPTIONS);
    const lineOf = lineCounter(text);
    for (let index = 0; index < documents.length; index++) {
        const document = documents[index];
        const source = `${file}#${index}`;
        if (document.errors.length > 0) {
            // The first line names the problem and its line and column in the file; a code frame follows.
            const problem = document.errors[0].message.split("\n")[0].replace(/:$/, "");
            errors.push(`cannot parse ${source}: ${problem}`);
            continue;
        }
        try {
            const value: unknown = document.toJS(TO_JS_OPTIONS);
            if (value === null || value === undefined) continue;
            addManifest(value, source, "", out, { node: document.contents, lineOf });
        } catch (error) {
            // toJS throws on too many aliases (a "billion laughs" document).
            const at = ` (line ${lineAt(text, document.contents?.range?.[0] ?? document.range[0])})`;
            errors.push(
                error instanceof InputError
                    ? `${error.message}${at}`
                    : `cannot parse ${source}: ${(error as Error).message}${at}`,
            );
        }
    }
}

function addPulumiResource(value: unknown, source: string, out: CheckedResource[]): void {
    const where = `cannot parse ${source}`;
    if (!plainObject(value)) {
        throw new InputError(
            `${where}: expected a Pulumi resource {"type", "name", "props"}, found ${describeValue(value)}`,
        );
    }
    const { type, name, props, urn, parent } = value;
    if (typeof type !== "string" || type === "") throw new InputError(`${where}: "type" must be a non-empty string`);
    if (typeof name !== "string") throw new InputError(`${where}: "name" must be a string`);
    if (props !== undefined && !plainObject(props)) throw new InputError(`${where}: "props" must be an object`);
    if (urn !== undefined && typeof urn !== "string") throw new InputError(`${where}: "urn" must be a string`);
    if (parent !== undefined && typeof parent !== "string") {
        throw new InputError(`${where}: "parent" must be a string (the parent's URN)`);
    }
    out.push({
        source,
        resource: { type, name, urn: urn ?? syntheticUrn(type, source), props: props ?? {}, parent },
    });
}

function readJson(file: string, text: string, out: CheckedResource[], errors: string[]): void {
    let value: unknown;
    try {
        // JSON.parse refuses the byte order mark some Windows editors write; YAML's parser skips it itself.
        value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
        errors.push(`cannot parse ${file}: ${(error as Error).message}`);
        return;
    }
    const collect = (add: () => void): void => {
        try {
            add();
        } catch (error) {
            if (!(error instanceof InputError)) throw error;
            errors.push(error.message);
        }
    };
    // An object with a `resources` list and no `kind` is a wrapped resource list, never a manifest.
    const list = Array.isArray(value)
        ? value
        : plainObject(value) && value.kind === undefined && Array.isArray(value.resources)
          ? value.resources
          : undefined;
    if (list) {
        list.forEach((item, index) => collect(() => addPulumiResource(item, `${file}#${index}`, out)));
    } else {
        collect(() => addManifest(value, `${file}#0`, "", out));
    }
}

/** A file found, and its real path where the search already knows it (a file that is not a symbolic link). */
interface Found {
    readonly file: string;
    readonly real?: string;
}

function walk(folder: string, found: Found[], visited: Set<string> = new Set()): void {
    // A link back to a folder already being searched would recurse for ever.
    const real = realpathSync(folder);
    if (visited.has(real)) return;
    visited.add(real);
    const entries = readdirSync(folder, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        const child = path.join(folder, entry.name);
        let isDirectory = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
            const target = statSync(child, { throwIfNoEntry: false });
            isDirectory = target?.isDirectory() ?? false;
            isFile = target?.isFile() ?? false;
        }
        if (isDirectory) walk(child, found, visited);
        else if (isFile && YAML_FILE.test(entry.name)) {
            // In a folder whose real path is known, a file that is not a link is at that path: no lookup.
            found.push({ file: child, real: entry.isSymbolicLink() ? undefined : path.join(real, entry.name) });
        }
    }
}

function reason(error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file or directory";
    if (code === "EACCES") return "permission denied";
    return (error as Error).message;
}

/**
 * The files to read for `paths`: files as given, folders' YAML files in name order; each file once, even when
 * named twice or also found in a named folder. A path that does not exist is an error, as is a folder without
 * YAML (a check that checks nothing must not pass).
 */
export function inputFiles(paths: readonly string[]): { files: string[]; errors: string[]; notices: string[] } {
    const files: string[] = [];
    const errors: string[] = [];
    const notices: string[] = [];
    // By real path: a file reached again through a symbolic link is the same file, judged once.
    const seen = new Map<string, string>();
    for (const given of paths) {
        let stat: Stats;
        try {
            stat = statSync(given);
        } catch (error) {
            errors.push(`cannot read ${given}: ${reason(error)}`);
            continue;
        }
        const found: Found[] = [];
        if (stat.isDirectory()) {
            try {
                walk(given, found);
            } catch (error) {
                errors.push(`cannot read ${(error as NodeJS.ErrnoException).path ?? given}: ${reason(error)}`);
                continue;
            }
            if (found.length === 0) errors.push(`cannot read ${given}: no .yaml or .yml files in it`);
        } else {
            found.push({ file: given });
        }
        for (const { file, real } of found) {
            let key: string;
            try {
                key = real ?? realpathSync(file);
            } catch {
                key = path.resolve(file);
            }
            const first = seen.get(key);
            if (first !== undefined) {
                if (path.resolve(first) !== path.resolve(file)) {
                    notices.push(`${file}: the same file as ${first} (through a symbolic link), checked once`);
                }
                continue;
            }
            seen.set(key, file);
            files.push(file);
        }
    }
    return { files, errors, notices };
}

/** What reading the inputs gave: the resources, every error, and what is worth saying about the files. */
export interface ReadInputs {
    resources: CheckedResource[];
    errors: string[];
    /** Files that held nothing to check (empty, comments only, an empty list): named, never silently passed. */
    notices: string[];
}

/**
 * The resources of `files`, in file and document order, and every error met reading them. `progress` is told
 * before each file how many files are done and how many resources they held.
 */
export function readInputs(
    files: readonly string[],
    progress?: (filesDone: number, objects: number) => void,
): ReadInputs {
    const resources: CheckedResource[] = [];
    const errors: string[] = [];
    const notices: string[] = [];
    for (const [done, file] of files.entries()) {
        progress?.(done, resources.length);
        let text: string;
        try {
            text = readFileSync(file, "utf8");
        } catch (error) {
            errors.push(`cannot read ${file}: ${reason(error)}`);
            continue;
        }
        const before = resources.length;
        const errorsBefore = errors.length;
        if (JSON_FILE.test(file)) readJson(file, text, resources, errors);
        else readYaml(file, text, resources, errors);
        if (resources.length === before && errors.length === errorsBefore) {
            notices.push(
                text.trim() === ""
                    ? `${file}: empty, nothing in it to check`
                    : `${file}: no Kubernetes object or Pulumi resource in it, nothing to check`,
            );
        }
    }
    return { resources, errors, notices };
}

/** Files per batch a judging thread takes at a time: small enough to balance, large enough to amortise. */
export const BATCH_FILES = 64;

/** What a judging thread is sent, and answers (parallel.ts). */
export interface ParseBatch {
    readonly id: number;
    readonly files: readonly string[];
}
export interface ParsedBatch {
    readonly id: number;
    /** The batch's resources (ResourcesSent), as sent between threads. */
    readonly resources: ResourcesSent;
    readonly errors: string[];
    readonly notices: string[];
    /** check.ts judgeEach's verdicts of the resources, from a thread that judges (parallel.ts). */
    readonly verdicts: ResourceVerdict[];
}

/**
 * Resources sent from one thread to another: as JSON text where that text gives them back exactly, else as
 * they are. A thread's message is copied by structured clone, which costs several times JSON's parse for
 * objects as small and many as manifests; a string costs little more than its bytes.
 */
export type ResourcesSent = { readonly json: string } | { readonly objects: CheckedResource[] };

/**
 * Whether JSON.parse(JSON.stringify(value)) gives `value` back exactly: only strings, booleans, null, finite
 * numbers other than -0, arrays without holes and plain objects, all the way down (YAML's `.inf`, `.nan` and
 * `-0`, or a field left undefined, are not).
 */
function jsonExact(value: unknown): boolean {
    switch (typeof value) {
        case "string":
        case "boolean":
            return true;
        case "number":
            return Number.isFinite(value) && !Object.is(value, -0);
        case "object": {
            if (value === null) return true;
            if (Array.isArray(value)) {
                for (let index = 0; index < value.length; index++) {
                    if (!(index in value) || !jsonExact(value[index])) return false;
                }
                return true;
            }
            if (Object.getPrototypeOf(value) !== Object.prototype) return false;
            for (const key of Object.keys(value)) {
                if (!jsonExact((value as Record<string, unknown>)[key])) return false;
            }
            return true;
        }
        default:
            return false;
    }
}

/** `resources` as a thread sends them: JSON text when it gives them back exactly. */
export function sentResources(resources: CheckedResource[]): ResourcesSent {
    return jsonExact(resources) ? { json: JSON.stringify(resources) } : { objects: resources };
}

/** The resources a thread sent. */
export function receivedResources(sent: ResourcesSent): CheckedResource[] {
    return "json" in sent ? (JSON.parse(sent.json) as CheckedResource[]) : sent.objects;
}
