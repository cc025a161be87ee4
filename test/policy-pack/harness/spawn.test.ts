/**
 * launchPack: the pack process starts at once and its port comes later, so that a caller (the offline plan)
 * can run the program while the pack loads; a pack that fails is reported, with its stderr, when awaited.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../policy-pack/harness/paths";
import { launchPack } from "../../../policy-pack/harness/spawn";

function packFolder(indexJs: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-spawn-"));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: spawn test\n");
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "spawn-test", version: "0.1.0", main: "index.js" }),
    );
    fs.writeFileSync(path.join(dir, "index.js"), indexJs);
    return dir;
}

describe("launchPack", function () {
    this.timeout(60_000);
    const dirs: string[] = [];
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it("returns while the pack is still loading, then gives its port", async () => {
        const dir = packFolder(
            `const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("empty", { policies: [] });\n`,
        );
        dirs.push(dir);
        let ready = false;
        const launched = await launchPack({ packDir: dir });
        launched.ready.then(
            () => (ready = true),
            () => undefined,
        );
        assert.equal(ready, false, "the pack cannot have printed its port yet: loading the SDK takes a second");
        try {
            const pack = await launched.ready;
            assert.match(pack.portLine, /^\d+$/);
            assert.equal(pack.address, `127.0.0.1:${pack.port}`);
        } finally {
            await launched.stop();
        }
    });

    it("rejects ready with the pack's stderr when it fails while the caller is busy", async () => {
        const dir = packFolder(`throw new Error("broken pack");\n`);
        dirs.push(dir);
        const launched = await launchPack({ packDir: dir });
        // Busy for longer than the pack takes to fail: no unhandled rejection may surface meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await assert.rejects(launched.ready, /exited .*before printing its port[\s\S]*broken pack/);
    });
});
