/**
 * Stack files as the offline plan reads them: a missing, empty or malformed stacks/Pulumi.<stack>.yaml is
 * reported by its file (and line), with the stacks there are, never as a TypeError or a bare parser message.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    StackFileError,
    stackArgumentProblem,
    stackConfigText,
    stackFileConfig,
} from "../../../policy-pack/harness/stack-file";
import { stackNames } from "../../../policy-pack/harness/paths";

describe("stack files", () => {
    let dir: string;
    const write = (stack: string, text: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    const problem = (stack: string): string => {
        let message = "";
        assert.throws(
            () => stackFileConfig(stack, dir),
            (e: Error) => {
                assert.ok(e instanceof StackFileError, `${e.name}: ${e.message}`);
                message = e.message;
                return true;
            },
        );
        return message;
    };

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        write("dev", "config:\n  k8s-baseline:env: dev\n  k8s-baseline:cluster:\n    name: shop-dev\n");
        write("prod", "config:\n  k8s-baseline:env: prod\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads a stack file's keys, and gives them as the engine's text", () => {
        assert.deepEqual(stackFileConfig("dev", dir), {
            "k8s-baseline:env": "dev",
            "k8s-baseline:cluster": { name: "shop-dev" },
        });
        assert.deepEqual(stackConfigText("dev", dir), {
            "k8s-baseline:env": "dev",
            "k8s-baseline:cluster": '{"name":"shop-dev"}',
        });
    });

    it("names a missing stack file and lists the stacks there are", () => {
        const message = problem("qa");
        assert.ok(message.startsWith("no stack file "), message);
        assert.ok(message.endsWith(`Pulumi.qa.yaml; stacks: dev, prod`), message);
    });

    it("names an empty stack file, or one with only comments", () => {
        for (const text of ["", "   \n", "# nothing yet\n"]) {
            write("dev", text);
            assert.match(problem("dev"), /Pulumi\.dev\.yaml is empty; fix: give it a config: map/);
        }
    });

    it("names the file, line and column of malformed YAML", () => {
        write("dev", "config:\n  k8s-baseline:env: dev\n  k8s-baseline:apps: [payments\n");
        assert.match(problem("dev"), /Pulumi\.dev\.yaml:4:1: not valid YAML: .+; fix: correct the file at that line$/);
        write("dev", "config:\n  k8s-baseline:env: dev\n  k8s-baseline:env: prod\n");
        assert.match(problem("dev"), /Pulumi\.dev\.yaml:3:3: not valid YAML: Map keys must be unique;/);
    });

    it("refuses a stack file that is not a map, or whose config is not one", () => {
        write("dev", "- k8s-baseline:env\n");
        assert.match(problem("dev"), /Pulumi\.dev\.yaml: must be a map with a config: key, not a list$/);
        write("dev", "config: dev\n");
        assert.match(
            problem("dev"),
            /Pulumi\.dev\.yaml: config must be a map of namespace:key to value, not the text "dev"$/,
        );
    });

    it("reads a stack file without config as no keys, which the stack's config check then reports", () => {
        write("dev", "secretsprovider: passphrase\n");
        assert.deepEqual(stackFileConfig("dev", dir), {});
    });

    it("judges a command line that names one stack", () => {
        assert.equal(stackArgumentProblem(["dev"], dir), undefined);
        assert.equal(stackArgumentProblem([], dir), "no stack given; stacks: dev, prod");
        assert.match(stackArgumentProblem(["qa"], dir)!, /^no stack file .*Pulumi\.qa\.yaml; stacks: dev, prod$/);
        assert.equal(
            stackArgumentProblem(["dev", "prod"], dir),
            "one stack at a time, not 2 arguments (dev prod); stacks: dev, prod",
        );
        assert.equal(stackArgumentProblem(["--stack"], dir), "unknown option --stack; stacks: dev, prod");
        assert.deepEqual(stackNames(path.join(dir, "none")), []);
    });

    it("shows a stack file of the repository by its path in it", () => {
        assert.throws(() => stackFileConfig("qa"), {
            name: "StackFileError",
            message: /^no stack file stacks\/Pulumi\.qa\.yaml; stacks: .*\bdev\b.*\bprod\b/,
        });
    });
});
