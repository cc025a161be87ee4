/**
 * The hostile corpus (README.md in this folder): reading its cases, and judging each one through
 * `k8s-baseline check` (the CLI's own code path, in this process) and, for the JSON cases, through the pack
 * over the analyzer protocol, spawned as the Pulumi CLI spawns it. The mocha suite (corpus.test.ts) and
 * `npm run corpus` (run.ts) both run it from here, so a case means the same thing to both.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { ENVIRONMENTS, Environment, isEnvironment } from "../../components/baseline";
import { main } from "../../policy-pack/cli";
import { CONFIG_DIR } from "../../policy-pack/config/generate";
import { ALL_POLICIES } from "../../policy-pack/policies";
import { STACK_FILE_RULES } from "../../policy-pack/cli/stack-files";
import { Diagnostic, PolicyPackConfig } from "../../policy-pack/harness/analyzer-client";
import { analyzeRecords, Pack, ResourceRecord } from "../../policy-pack/harness/resources";
import { ExemptionConfig, SETTINGS_CONFIG_SCHEMA, TopologyConfig } from "../../policy-pack/settings";

export const CORPUS_DIR = path.resolve(__dirname, "..", "..", "..", "test", "corpus");

/** The verdict a case expects. */
export type Expect = "deny" | "allow";

/** One case, read and validated. */
export interface CorpusCase {
    /** The file, as found. */
    readonly file: string;
    readonly format: "yaml" | "json";
    readonly expect: Expect;
    /** With deny: every one of them must report a mandatory violation. */
    readonly policies: readonly string[];
    readonly env?: Environment;
    /** The cluster layout the env runs in (the pack config's `topology`); with it, `env` is required. */
    readonly topology?: TopologyConfig;
    /** The pack config's `exemptions`, in every policy's block; with them, `env` is required. */
    readonly exemptions?: readonly ExemptionConfig[];
    /** Entries laid over the env's generated pack config (over none without an env): a config a team could give. */
    readonly config?: CaseConfig;
    readonly why?: string;
    /** JSON cases: the resources, as the file gives them. */
    readonly resources?: readonly CaseResource[];
}

/** A resource of a JSON case: what `check` reads as a Pulumi resource. */
export interface CaseResource {
    readonly type: string;
    readonly name: string;
    readonly props?: Record<string, unknown>;
    readonly urn?: string;
    /** Another resource of the case, by its URN or its name. */
    readonly parent?: string;
}

/** A case's `config`: policy (or `all`) to a level or a block, as a `--policy-pack-config` file has them. */
export type CaseConfig = Readonly<Record<string, string | Readonly<Record<string, unknown>>>>;

/** A case file that cannot be judged as written: a corpus error, never a pass. */
export class MalformedCase extends Error {}

const POLICY_NAMES: ReadonlySet<string> = new Set([...ALL_POLICIES, ...STACK_FILE_RULES].map((policy) => policy.name));

const CASE_FILE = /\.(ya?ml|json)$/i;

/** Every case file under `dirs` (files or folders, searched recursively), in name order; README and code aside. */
export function caseFiles(dirs: readonly string[]): string[] {
    const found: string[] = [];
    const walk = (entry: string): void => {
        const stat = fs.statSync(entry);
        if (stat.isFile()) {
            if (CASE_FILE.test(entry)) found.push(entry);
            return;
        }
        const children = fs.readdirSync(entry).sort();
        for (const child of children) {
            if (child.startsWith(".")) continue;
            walk(path.join(entry, child));
        }
    };
    for (const dir of dirs) walk(dir);
    return found;
}

function validated(
    file: string,
    format: CorpusCase["format"],
    fields: {
        expect?: unknown;
        policies?: unknown;
        env?: unknown;
        topology?: unknown;
        exemptions?: unknown;
        config?: unknown;
        why?: unknown;
    },
): Omit<CorpusCase, "resources"> {
    const { expect, env, topology, exemptions, config, why } = fields;
    if (expect === undefined) throw new MalformedCase(`${file}: no "expect" (deny or allow)`);
    if (expect !== "deny" && expect !== "allow") {
        throw new MalformedCase(`${file}: "expect" is ${JSON.stringify(expect)}, not deny or allow`);
    }
    let policies: string[] = [];
    if (fields.policies !== undefined) {
        if (!Array.isArray(fields.policies) || fields.policies.some((p) => typeof p !== "string" || p === "")) {
            throw new MalformedCase(`${file}: "policies" must be a list of policy names`);
        }
        policies = fields.policies as string[];
    }
    if (expect === "deny" && policies.length === 0) {
        throw new MalformedCase(`${file}: a deny case names the policies that must refuse it ("policies")`);
    }
    const unknown = policies.filter((name) => !POLICY_NAMES.has(name));
    if (unknown.length > 0) {
        throw new MalformedCase(
            `${file}: unknown ${unknown.length === 1 ? "policy" : "policies"} ${unknown.join(", ")}`,
        );
    }
    if (env !== undefined && (typeof env !== "string" || !isEnvironment(env))) {
        throw new MalformedCase(`${file}: "env" is ${JSON.stringify(env)}, not one of ${ENVIRONMENTS.join(", ")}`);
    }
    if (why !== undefined && typeof why !== "string")
        throw new MalformedCase(`${file}: "why" must be one line of text`);
    if (topology !== undefined) {
        if (env === undefined) throw new MalformedCase(`${file}: a case with a "topology" names its "env"`);
        if (!validTopology(topology)) {
            throw new MalformedCase(
                `${file}: "topology" is not one the pack config takes: ${JSON.stringify(topology)}`,
            );
        }
    }
    if (exemptions !== undefined) {
        if (env === undefined) throw new MalformedCase(`${file}: a case with "exemptions" names its "env"`);
        if (!validExemptions(exemptions)) {
            throw new MalformedCase(
                `${file}: "exemptions" are not ones the pack config takes: ${JSON.stringify(exemptions)}`,
            );
        }
    }
    if (config !== undefined) {
        const entries = typeof config === "object" && config !== null && !Array.isArray(config) ? config : undefined;
        if (entries === undefined) throw new MalformedCase(`${file}: "config" is an object of policy names`);
        const named = Object.entries(entries).filter(([name]) => name !== "all" && !POLICY_NAMES.has(name));
        if (named.length > 0) {
            throw new MalformedCase(`${file}: "config" names no policy: ${named.map(([name]) => name).join(", ")}`);
        }
        for (const [name, value] of Object.entries(entries)) {
            if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
                throw new MalformedCase(`${file}: "config" of ${name} is neither a level nor an object`);
            }
        }
    }
    return {
        file,
        format,
        expect,
        policies,
        env: env as Environment | undefined,
        topology: topology as TopologyConfig | undefined,
        exemptions: exemptions as ExemptionConfig[] | undefined,
        config: config as CaseConfig | undefined,
        why: why as string | undefined,
    };
}

/** The pack config's own schema of `topology`, so a case declares only what a config could. */
const validTopology = new Ajv({ strict: false }).compile(SETTINGS_CONFIG_SCHEMA.properties.topology);
const validExemptions = new Ajv({ strict: false }).compile(SETTINGS_CONFIG_SCHEMA.properties.exemptions);

/** Header fields given as JSON. */
const JSON_FIELDS: ReadonlySet<string> = new Set(["topology", "exemptions", "config"]);

/** The leading `# key: value` comments of a YAML case (`topology`, `exemptions` and `config` as JSON). */
function yamlHeader(file: string, text: string): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line === "---") continue;
        if (!line.startsWith("#")) break;
        const match = /^#\s*([a-z]+)\s*:\s*(.*)$/.exec(line);
        if (!match) continue;
        const [, key, value] = match;
        if (!["expect", "policies", "env", "topology", "exemptions", "config", "why"].includes(key)) continue;
        if (key in fields) throw new MalformedCase(`${file}: "${key}" given twice`);
        if (JSON_FIELDS.has(key)) {
            try {
                fields[key] = JSON.parse(value);
            } catch {
                throw new MalformedCase(`${file}: "${key}" is not JSON`);
            }
            continue;
        }
        fields[key] =
            key === "policies"
                ? value
                      .split(",")
                      .map((name) => name.trim())
                      .filter((name) => name !== "")
                : value.trim();
    }
    return fields;
}

/** Reads one case file; throws MalformedCase when it is not a case as README.md describes it. */
export function readCase(file: string): CorpusCase {
    const text = fs.readFileSync(file, "utf8");
    if (/\.json$/i.test(file)) {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch (error) {
            throw new MalformedCase(`${file}: not JSON: ${(error as Error).message}`);
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            throw new MalformedCase(`${file}: a JSON case is an object with expect, policies, env, why, resources`);
        }
        const object = value as Record<string, unknown>;
        const header = validated(file, "json", object);
        const resources = object.resources;
        if (!Array.isArray(resources) || resources.length === 0) {
            throw new MalformedCase(`${file}: "resources" must be a non-empty list`);
        }
        for (const [index, resource] of resources.entries()) {
            if (
                resource === null ||
                typeof resource !== "object" ||
                typeof resource.type !== "string" ||
                typeof resource.name !== "string"
            ) {
                throw new MalformedCase(`${file}: resources[${index}] needs a "type" and a "name"`);
            }
        }
        return { ...header, resources: resources as CaseResource[] };
    }
    return validated(file, "yaml", yamlHeader(file, text));
}

/** A policy's finding, as either path reports it. */
export interface Finding {
    readonly policy: string;
    readonly level: string;
    readonly message: string;
}

/** What one path concluded about a case. */
export interface Outcome {
    readonly findings: readonly Finding[];
    /** Policies with at least one mandatory finding. */
    readonly mandatory: ReadonlySet<string>;
}

function outcomeOf(findings: readonly Finding[]): Outcome {
    return { findings, mandatory: new Set(findings.filter((f) => f.level === "mandatory").map((f) => f.policy)) };
}

/** Why `outcome` is not what `corpusCase` expects; undefined when it is. */
export function verdictProblem(corpusCase: CorpusCase, outcome: Outcome): string | undefined {
    const mandatory = [...outcome.mandatory].sort();
    if (corpusCase.expect === "allow") {
        if (mandatory.length === 0) return undefined;
        const first = outcome.findings.find((f) => f.level === "mandatory")!;
        return `expected allow, refused by ${mandatory.join(", ")} (${first.policy}: ${first.message})`;
    }
    const missing = corpusCase.policies.filter((name) => !outcome.mandatory.has(name));
    if (mandatory.length > 0 && missing.length === 0) return undefined;
    const got = mandatory.length === 0 ? "no mandatory violation" : `mandatory from ${mandatory.join(", ")} only`;
    return `expected deny by ${corpusCase.policies.join(", ")}, got ${got}`;
}

/** The deny/allow verdict an outcome amounts to. */
export function verdictOf(outcome: Outcome): Expect {
    return outcome.mandatory.size > 0 ? "deny" : "allow";
}

interface CheckJson {
    results: { violations: { policy: string; level: string; message: string }[] }[];
    summary: { mandatory: number };
}

/** The command line `check` judges a case with; `config`: the file packConfigOf was written to, if any. */
export function checkArgs(
    corpusCase: CorpusCase,
    files: readonly string[] = [corpusCase.file],
    config?: string,
): string[] {
    return [
        "check",
        "--format",
        "json",
        ...(corpusCase.env ? ["--env", corpusCase.env] : []),
        ...(config ? ["--config", config] : []),
        ...files,
    ];
}

/** Runs `k8s-baseline check` in this process, as its binary runs it; returns its exit status and output. */
export async function runCli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
}

/** The case through `check --format json [--env ENV] FILE`. Throws when check cannot read it (exit 2). */
export async function checkCase(corpusCase: CorpusCase): Promise<Outcome> {
    // A case with a topology or exemptions is judged with the env's config and them in every policy's block;
    // one with a config, with the env's config and the case's laid over it.
    let dir: string | undefined;
    let config: string | undefined;
    if (corpusCase.topology || corpusCase.exemptions || corpusCase.config) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-config-"));
        config = path.join(dir, "config.json");
        fs.writeFileSync(config, JSON.stringify(packConfigOf(corpusCase)));
    }
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
        run = await runCli(checkArgs(corpusCase, [corpusCase.file], config));
    } finally {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
    if (run.code !== 0 && run.code !== 1) {
        throw new Error(`check exited ${run.code}: ${run.stderr.trim()}`);
    }
    const report = JSON.parse(run.stdout) as CheckJson;
    const findings = report.results.flatMap((result) => result.violations);
    const outcome = outcomeOf(findings);
    if ((run.code === 1) !== outcome.mandatory.size > 0) {
        throw new Error(`check exited ${run.code} with ${report.summary.mandatory} mandatory violations`);
    }
    return outcome;
}

/** The stack a case's resources are previewed in: the env it names, else a stack named after no env. */
export const NO_ENV_STACK = "corpus";
const PROJECT = "k8s-baseline";

/**
 * The pack config a preview of the case's env is given: policy-pack/config/<env>.json; none without an env.
 * With a topology, every policy's block carries it (and the env), as a stack's configuration gives it. The
 * case's `config` is laid over that: a level replaces the entry's level, a block is merged into the entry.
 */
export function packConfigOf(corpusCase: CorpusCase): PolicyPackConfig {
    const generated = generatedConfigOf(corpusCase);
    const given = corpusCase.config;
    if (given === undefined) return generated;
    const config: Record<string, PolicyPackConfig[string]> = { ...generated };
    for (const [name, value] of Object.entries(given)) {
        const current = config[name];
        const block = typeof current === "string" ? { enforcementLevel: current } : (current ?? {});
        config[name] = typeof value === "string" ? { ...block, enforcementLevel: value } : { ...block, ...value };
    }
    return config;
}

function generatedConfigOf(corpusCase: CorpusCase): PolicyPackConfig {
    if (!corpusCase.env) return {};
    const generated = JSON.parse(
        fs.readFileSync(path.join(CONFIG_DIR, `${corpusCase.env}.json`), "utf8"),
    ) as PolicyPackConfig;
    const { topology, exemptions } = corpusCase;
    if (!topology && !exemptions) return generated;
    const config: Record<string, Record<string, unknown>> = {};
    for (const policy of ALL_POLICIES) {
        const block = generated[policy.name];
        config[policy.name] = {
            ...(typeof block === "string" ? { enforcementLevel: block } : block),
            env: corpusCase.env,
            ...(topology ? { topology } : {}),
            ...(exemptions ? { exemptions } : {}),
        };
    }
    return config;
}

/** Types the engine registers as components (no provider): the project's own and Pulumi's. */
function isComponentType(type: string): boolean {
    return type.startsWith("k8s-baseline:") || type.startsWith("pulumi:");
}

/**
 * A JSON case's resources as a program would register them: in file order, each under the resource its
 * `parent` names (by URN or name) or at the top. The URNs the engine would give them are built by the harness
 * (engineResources), not taken from the file.
 */
export function caseRecords(corpusCase: CorpusCase): ResourceRecord[] {
    const resources = corpusCase.resources ?? [];
    const monitorUrn = (index: number) => `urn:corpus:${index}`;
    const byReference = new Map<string, number>();
    resources.forEach((resource, index) => {
        if (resource.urn !== undefined) byReference.set(resource.urn, index);
        if (!byReference.has(resource.name)) byReference.set(resource.name, index);
    });
    return resources.map((resource, index): ResourceRecord => {
        let parent: string | undefined;
        if (resource.parent !== undefined) {
            const parentIndex = byReference.get(resource.parent);
            if (parentIndex === undefined || parentIndex >= index) {
                throw new MalformedCase(
                    `${corpusCase.file}: resources[${index}] has parent ${resource.parent}, not a resource before it`,
                );
            }
            parent = monitorUrn(parentIndex);
        }
        const component = isComponentType(resource.type);
        return {
            type: resource.type,
            name: resource.name,
            custom: !component,
            urn: monitorUrn(index),
            parent,
            properties: (resource.props ?? {}) as Record<string, unknown>,
        };
    });
}

/** The case through a running pack: each resource Analyzed, then one AnalyzeStack, as a preview does. */
export async function packCase(pack: Pack, corpusCase: CorpusCase): Promise<Outcome> {
    const verdict = await analyzeRecords(pack.session, caseRecords(corpusCase), {
        stack: corpusCase.env ?? NO_ENV_STACK,
        project: PROJECT,
        config: packConfigOf(corpusCase),
    });
    const findings = verdict.diagnostics.map((d: Diagnostic) => ({
        policy: d.policyName,
        level: d.enforcementLevel,
        message: d.message,
    }));
    return outcomeOf(findings);
}

/** The class of a case: its folder under the corpus (`rbac`), or the folder it sits in. */
export function classOf(file: string, root: string = CORPUS_DIR): string {
    const relative = path.relative(root, file);
    return relative.startsWith("..") ? path.basename(path.dirname(file)) : relative.split(path.sep)[0];
}

/** One case's result over every path it runs through. */
export interface CaseResult {
    readonly file: string;
    /** Empty when the case passed. */
    readonly problems: readonly string[];
}

/**
 * Judges one case: through `check`, and for a JSON case through `pack` too, whose verdict must also equal
 * check's. Never throws: a malformed case or a failing path is a problem of the case.
 */
export async function judgeCase(file: string, pack: Pack | undefined): Promise<CaseResult> {
    let corpusCase: CorpusCase;
    try {
        corpusCase = readCase(file);
    } catch (error) {
        return { file, problems: [(error as Error).message.replace(`${file}: `, "malformed: ")] };
    }
    const problems: string[] = [];
    let checked: Outcome | undefined;
    try {
        checked = await checkCase(corpusCase);
        const problem = verdictProblem(corpusCase, checked);
        if (problem) problems.push(`check: ${problem}`);
    } catch (error) {
        problems.push(`check: ${(error as Error).message}`);
    }
    if (corpusCase.format === "json") {
        if (!pack) {
            problems.push("pack: no pack to run the case through");
        } else {
            try {
                const packed = await packCase(pack, corpusCase);
                const problem = verdictProblem(corpusCase, packed);
                if (problem) problems.push(`pack: ${problem}`);
                if (checked && verdictOf(checked) !== verdictOf(packed)) {
                    problems.push(
                        `pack and check disagree: pack ${verdictOf(packed)} ([${[...packed.mandatory].sort()}]), ` +
                            `check ${verdictOf(checked)} ([${[...checked.mandatory].sort()}])`,
                    );
                }
            } catch (error) {
                problems.push(`pack: ${(error as Error).message}`);
            }
        }
    }
    return { file, problems };
}
