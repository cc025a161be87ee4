/**
 * What the plugin serves is what TypeScript consumers import: the entry the host's analyzer reads (the root
 * index.ts, sources) and the one Node loads (package.json `main`, the compiled dist/components) export the
 * same components, every component the package defines is among them, and the analyzer runs with the
 * package's own TypeScript, not the one bundled inside @pulumi/pulumi.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    componentClassNames,
    loadEntryExports,
    PROMISED_COMPONENTS,
    readGoldenSchema,
    readPackageJSON,
    REPO_ROOT,
} from "./infer-schema";

function compiledModules(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return compiledModules(full);
        return entry.name.endsWith(".js") ? [full] : [];
    });
}

describe("the plugin's entry points", () => {
    it("is a Node.js plugin: PulumiPlugin.yaml at the root says runtime nodejs", () => {
        const plugin = parse(fs.readFileSync(path.join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8"));
        const runtime = typeof plugin.runtime === "string" ? plugin.runtime : plugin.runtime?.name;
        assert.equal(runtime, "nodejs");
    });

    it("main is the compiled entry TypeScript consumers use; the sources the host reads ship too", () => {
        const manifest = readPackageJSON();
        assert.equal(manifest.main, "dist/components/index.js");
        assert.equal(manifest.types, "dist/components/index.d.ts");
        // The analyzer maps `main` to a .ts next to it; there is none in dist, so it must find index.ts.
        assert.ok(!fs.existsSync(path.join(REPO_ROOT, "dist/components/index.ts")));
        assert.match(fs.readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8"), /^export \* from "\.\/components";$/m);
        const tsconfig = parse(fs.readFileSync(path.join(REPO_ROOT, "tsconfig.json"), "utf8"));
        assert.ok(tsconfig.include.includes("index.ts"), "index.ts must be in the program the analyzer builds");
        for (const shipped of ["index.ts", "components", "tsconfig.json", "PulumiPlugin.yaml", "schema.json"]) {
            assert.ok(manifest.files.includes(shipped), `package.json files must ship ${shipped}`);
        }
    });

    it("exports from the compiled entry exactly the components the host infers from the sources", () => {
        const compiled = componentClassNames(loadEntryExports());
        const inferred = Object.keys(readGoldenSchema().resources)
            .map((token) => token.split(":")[2])
            .sort();
        assert.deepEqual(
            compiled,
            inferred,
            "dist/components/index.js and the sources disagree: rebuild, and run `npm run schema`",
        );
    });

    it("exports every component the package defines, and every promised one", () => {
        const entry = loadEntryExports();
        const exported = new Set<unknown>();
        const visit = (value: unknown, seen = new Set<unknown>()) => {
            if (value === null || typeof value !== "object" || seen.has(value)) return;
            seen.add(value);
            for (const v of Object.values(value)) {
                exported.add(v);
                visit(v, seen);
            }
        };
        visit(entry);
        const defined: string[] = [];
        const missing: string[] = [];
        for (const file of compiledModules(path.join(REPO_ROOT, "dist", "components"))) {
            // Every compiled module of the package, as Node would load it: a component defined anywhere counts.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const mod = require(file) as Record<string, unknown>;
            for (const name of componentClassNames(mod)) {
                const cls = Object.values(mod).find((v) => typeof v === "function" && v.name === name);
                defined.push(name);
                if (cls && !exported.has(cls)) missing.push(`${name} (${path.relative(REPO_ROOT, file)})`);
            }
        }
        assert.deepEqual(missing, [], "components not exported from components/index.ts");
        for (const name of PROMISED_COMPONENTS) {
            assert.ok(componentClassNames(entry).includes(name), `${name} is not exported`);
            assert.ok(defined.includes(name));
        }
    });

    it("resolves the package's own TypeScript for the analyzer, a dependency consumers install too", () => {
        const manifest = readPackageJSON();
        // `pulumi package add` of the repository runs `npm install` there (devDependencies too), but a
        // consumer who installs the package as a dependency gets only its dependencies: without TypeScript
        // among them the host would fall back to the TypeScript 3.8 bundled in @pulumi/pulumi, which cannot
        // read these sources.
        assert.match(manifest.dependencies.typescript ?? "", /^\d+\.\d+\.\d+$/, "typescript, pinned, in dependencies");
        assert.equal(manifest.devDependencies?.typescript, undefined);
        const shim = require.resolve("@pulumi/pulumi/typescript-shim", { paths: [REPO_ROOT] });
        const resolved = require.resolve("typescript", { paths: [path.dirname(shim)] });
        assert.equal(resolved, require.resolve("typescript", { paths: [REPO_ROOT] }));
        assert.ok(resolved.startsWith(path.join(REPO_ROOT, "node_modules") + path.sep), resolved);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require(shim) as { version: string };
        assert.equal(ts.version, manifest.dependencies.typescript, "the analyzer's TypeScript is the pinned one");
    });
});
