/**
 * The packs measured against the real one, made at run time in a temporary folder: an empty compiled pack
 * (no policies) started through the same entry point, and the real pack's TypeScript sources as the CLI
 * runs an uncompiled pack (run-policy-pack registers ts-node with type checking). Each folder links this
 * repository's node_modules, so they resolve the very @pulumi/pulumi and @pulumi/policy the pack does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../policy-pack/harness/paths";

export interface BenchPacks {
    readonly root: string;
    readonly emptyDir: string;
    readonly typeScriptDir: string;
    remove(): void;
}

function packFolder(dir: string, name: string, main: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), `runtime: nodejs\ndescription: ${name} (benchmark)\n`);
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name, version: "0.1.0", private: true, main }, null, 2),
    );
}

export function createBenchPacks(): BenchPacks {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-bench-"));
    const emptyDir = path.join(root, "empty");
    packFolder(emptyDir, "empty", "index.js");
    fs.writeFileSync(
        path.join(emptyDir, "index.js"),
        `"use strict";\nconst { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("empty", { policies: [] });\n`,
    );
    // The real pack's entry point, uncompiled: ts-node compiles it and everything it imports from the sources.
    const typeScriptDir = path.join(root, "typescript");
    packFolder(typeScriptDir, "k8s-baseline-ts", path.join(REPO_ROOT, "policy-pack", "index.ts"));
    // The compiler options the sources are written for (the CLI reads a tsconfig.json in the pack folder).
    const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.json"), "utf8")) as {
        compilerOptions: Record<string, unknown>;
    };
    const { rootDir: _rootDir, outDir: _outDir, declaration: _declaration, ...options } = compilerOptions;
    fs.writeFileSync(
        path.join(typeScriptDir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { ...options, types: ["node"] } }, null, 2),
    );
    return {
        root,
        emptyDir,
        typeScriptDir,
        remove: () => fs.rmSync(root, { recursive: true, force: true }),
    };
}
