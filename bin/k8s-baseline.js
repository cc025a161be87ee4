#!/usr/bin/env node
/**
 * The `k8s-baseline` command (the package's bin). The command is TypeScript compiled to dist/: this entry is
 * committed as it runs, with its run bit, so a rebuild cannot leave the command unrunnable, and before any
 * build it says what to do rather than failing with "not found".
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const cli = path.join(root, "dist", "policy-pack", "cli", "index.js");
if (!fs.existsSync(cli)) {
    process.stderr.write(
        `k8s-baseline: ${path.relative(root, cli)} is missing: the command is compiled from TypeScript; ` +
            `run \`npm run build\` in ${root} first (see "Build and test" in the README)\n`,
    );
    // Neither a verdict (0, 1) nor the input's fault (2): the command itself cannot run.
    process.exit(3);
}
require(cli).runCommandLine();
