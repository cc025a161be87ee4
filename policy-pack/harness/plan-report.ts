/**
 * The offline plan's verdict for tools: `npm run plan -- <stack> --format json|sarif [--output FILE]`.
 *
 * Each diagnostic is about the resource the engine attributes it to: its URN (SARIF logical location, fully
 * qualified name; kind = the resource's type token) and, where the SDK reported the position in the program
 * that constructed it, or its nearest parent's (a file of this repository: the TypeScript file and line, through the build's source
 * map, where the position is in compiled JavaScript), that file and line; otherwise the stack's file, `stacks/Pulumi.<stack>.yaml`, which is what the preview is run for.
 * The fingerprint hashes the policy and the URN: a resource keeps its findings when the program is edited
 * around it.
 */
import * as fs from "node:fs";
import { SourceMap } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_POLICIES } from "../policies";
import { EnforcementLevel, PolicyInfo, Severity } from "../policies/types";
import { ArtifactPosition, relativeArtifact, SarifFinding, sarifText } from "../report/sarif";
import type { Diagnostic, PolicyDescription } from "./analyzer-client";
import type { EngineResource, PackVerdict, SourcePosition } from "./resources";

/** What the plan documents besides the verdict. */
export interface PlanContext {
    readonly stack: string;
    /** The repository root: SARIF locations are relative to it. */
    readonly root: string;
    /** Where the pack config came from, as the text output says. */
    readonly configSource: string;
    readonly exitCode: number;
}

/** `stacks/Pulumi.<stack>.yaml`, relative to the root. */
export function stackFile(stack: string): string {
    return `stacks/Pulumi.${stack}.yaml`;
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
    if (!sourceMaps.has(file)) {
        const mapFile = `${file}.map`;
        let map: SourceMap | undefined;
        try {
            map = new SourceMap(JSON.parse(fs.readFileSync(mapFile, "utf8")));
        } catch {
            map = undefined;
        }
        sourceMaps.set(file, map);
    }
    return sourceMaps.get(file);
}

/** A position in compiled JavaScript as the position in its TypeScript source, when the build left a map. */
export function originalPosition(file: string, line: number, column: number): { file: string; line: number } {
    if (!file.endsWith(".js")) return { file, line };
    const entry = sourceMapOf(file)?.findEntry(line - 1, Math.max(column - 1, 0));
    if (entry === undefined || !("originalSource" in entry) || entry.originalSource === undefined) {
        return { file, line };
    }
    const source = entry.originalSource.startsWith("file:")
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(file), entry.originalSource);
    return { file: source, line: entry.originalLine + 1 };
}

/** A source position as a file relative to the root, when it is one of the repository's own files. */
export function programPosition(position: SourcePosition | undefined, root: string): ArtifactPosition | undefined {
    if (position === undefined || !position.uri.startsWith("file:")) return undefined;
    const original = originalPosition(fileURLToPath(position.uri), position.line, position.column);
    const relative = relativeArtifact(root, original.file);
    if (relative.startsWith("../") || path.isAbsolute(relative) || relative.split("/").includes("node_modules")) {
        return undefined;
    }
    return { path: relative, line: original.line };
}

function levelOf(diagnostic: Diagnostic): EnforcementLevel {
    return diagnostic.enforcementLevel === EnforcementLevel.Mandatory
        ? EnforcementLevel.Mandatory
        : EnforcementLevel.Advisory;
}

function severityOf(value: string | undefined): Severity {
    const severities: readonly string[] = Object.values(Severity);
    return value !== undefined && severities.includes(value) ? (value as Severity) : Severity.Medium;
}

/** The pack's policies as it described them, with the group and facts the policy code declares. */
function packPolicies(described: readonly PolicyDescription[]): PolicyInfo[] {
    const byName = new Map<string, PolicyInfo>(ALL_POLICIES.map((policy) => [policy.name, policy]));
    return described.map(
        (policy): PolicyInfo =>
            byName.get(policy.name) ?? {
                name: policy.name,
                group: "policy-pack",
                description: policy.description,
                severity: severityOf(policy.severity),
                enforcementLevel: policy.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
                remediationSteps: policy.remediationSteps,
                url: policy.url,
            },
    );
}

/** The level Configure gave each policy, where it is one SARIF can say. */
function configuredLevels(verdict: PackVerdict): Record<string, EnforcementLevel> {
    const levels: Record<string, EnforcementLevel> = {};
    for (const [name, config] of Object.entries(verdict.config)) {
        const level = config.enforcementLevel;
        if (level === "mandatory" || level === "advisory" || level === "disabled") levels[name] = level;
        else levels[name] = EnforcementLevel.Advisory;
    }
    return levels;
}

/**
 * Where the program declared a resource: its own source position when that is in the repository, else the
 * nearest parent's (a resource a library constructs for a component is the component's doing).
 */
function declaredAt(
    resource: EngineResource | undefined,
    byUrn: ReadonlyMap<string, EngineResource>,
    root: string,
): ArtifactPosition | undefined {
    for (let at = resource; at !== undefined; at = at.parent === undefined ? undefined : byUrn.get(at.parent)) {
        const position = programPosition(at.sourcePosition, root);
        if (position !== undefined) return position;
    }
    return undefined;
}

function finding(
    diagnostic: Diagnostic,
    byUrn: ReadonlyMap<string, EngineResource>,
    context: PlanContext,
): SarifFinding {
    const resource = byUrn.get(diagnostic.urn);
    const artifact = declaredAt(resource, byUrn, context.root) ?? { path: stackFile(context.stack) };
    return {
        policy: diagnostic.policyName,
        level: levelOf(diagnostic),
        message: diagnostic.message,
        artifact,
        subject: {
            kind: resource?.type ?? "pulumi:pulumi:Stack",
            name: resource?.name ?? context.stack,
            fullyQualifiedName: diagnostic.urn,
        },
        identity: diagnostic.urn,
    };
}

/** The verdict as a SARIF log. */
export function planSarif(verdict: PackVerdict, context: PlanContext): string {
    const byUrn = new Map(verdict.resources.map((resource) => [resource.urn, resource]));
    return sarifText({
        policies: packPolicies(verdict.info.policies),
        levels: configuredLevels(verdict),
        findings: verdict.diagnostics.map((d) => finding(d, byUrn, context)),
        root: context.root,
        exitCode: context.exitCode,
        executionSuccessful: true,
        automationId: `k8s-baseline/plan/${context.stack}/`,
        properties: { stack: context.stack, packConfig: context.configSource },
    });
}

/** The verdict as JSON: the pack, the config, each diagnostic with its resource and position, the counts. */
export function planJson(verdict: PackVerdict, context: PlanContext): string {
    const byUrn = new Map(verdict.resources.map((resource) => [resource.urn, resource]));
    const diagnostics = verdict.diagnostics.map((diagnostic) => {
        const resource = byUrn.get(diagnostic.urn);
        const position = declaredAt(resource, byUrn, context.root);
        return {
            policy: diagnostic.policyName,
            level: diagnostic.enforcementLevel,
            message: diagnostic.message,
            urn: diagnostic.urn,
            type: resource?.type ?? null,
            name: resource?.name ?? null,
            source: position === undefined ? null : { file: position.path, line: position.line },
        };
    });
    const count = (level: string) => verdict.diagnostics.filter((d) => d.enforcementLevel === level).length;
    const document = {
        stack: context.stack,
        pack: { name: verdict.info.name, version: verdict.info.version, policies: verdict.info.policies.length },
        packConfig: context.configSource,
        resources: verdict.resources.filter((resource) => !resource.synthetic).length,
        diagnostics,
        summary: { mandatory: count("mandatory"), advisory: count("advisory") },
    };
    return `${JSON.stringify(document, null, 2)}\n`;
}
