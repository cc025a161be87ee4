/**
 * `k8s-baseline sops-config`: `.sops.yaml` from each env's stack outputs, one rule per env folder, each env's
 * files to its own key only; bad outputs refused with exit 2 and nothing written.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { main } from "../../../policy-pack/cli";

const ARN = {
    dev: "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-4111-8111-111111111111",
    stage: "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222",
    prod: "arn:aws:kms:eu-west-1:333333333333:key/33333333-3333-4333-8333-333333333333",
};

function capture() {
    const out = { stdout: "", stderr: "" };
    return {
        out,
        io: { stdout: (text: string) => (out.stdout += text), stderr: (text: string) => (out.stderr += text) },
    };
}

interface Rule {
    path_regex: string;
    key_groups: { kms: { arn: string; context: Record<string, string> }[] }[];
}

describe("k8s-baseline sops-config", () => {
    let dir: string;
    let written = 0;
    const outputs = (env: string, values: Record<string, unknown>) => {
        const file = path.join(dir, `out-${env}-${++written}.json`);
        fs.writeFileSync(file, JSON.stringify(values));
        return `${env}=${file}`;
    };
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-baseline-sops-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes one rule per env, each to exactly its own key with the env in the context", async () => {
        const target = path.join(dir, ".sops.yaml");
        const args = (["dev", "stage", "prod"] as const).map((env) =>
            outputs(env, { project: "shop", env, stackSecretsKeyArn: ARN[env], cluster: { name: "x" } }),
        );
        const { out, io } = capture();
        assert.equal(await main(["sops-config", "--out", target, ...args.reverse()], io), 0, out.stderr);
        const rules = (parse(fs.readFileSync(target, "utf8")) as { creation_rules: Rule[] }).creation_rules;
        assert.equal(rules.length, 3);
        for (const env of ["dev", "stage", "prod"] as const) {
            const matched = rules.filter((rule) => new RegExp(rule.path_regex).test(`${env}/app/secrets.yaml`));
            assert.equal(matched.length, 1, env);
            assert.deepEqual(matched[0].key_groups, [{ kms: [{ arn: ARN[env], context: { project: "shop", env } }] }]);
        }
        for (const stray of ["apps/prod/x.yaml", "dev/prod/x.yaml", "production/x.yaml"]) {
            const matched = rules.filter((rule) => new RegExp(rule.path_regex).test(stray));
            assert.ok(matched.length <= 1, stray);
            assert.ok(!matched.some((rule) => rule.key_groups[0].kms[0].arn === ARN.prod), stray);
        }
    });

    it("prints to standard output with --out -, the project from --project", async () => {
        const { out, io } = capture();
        const code = await main(
            ["sops-config", "--project", "shop", "--out", "-", outputs("dev", { stackSecretsKeyArn: ARN.dev })],
            io,
        );
        assert.equal(code, 0, out.stderr);
        assert.deepEqual(parse(out.stdout), {
            creation_rules: [
                {
                    path_regex: "^(\\./)?dev/",
                    key_groups: [{ kms: [{ arn: ARN.dev, context: { project: "shop", env: "dev" } }] }],
                },
            ],
        });
    });

    it("refuses bad usage and bad outputs with exit 2, writing nothing", async () => {
        const target = path.join(dir, ".sops.yaml");
        const cases: [string[], RegExp][] = [
            [[], /at least one/],
            [["qa=x.json"], /not ENV=FILE/],
            [[outputs("dev", { project: "shop" })], /no string output stackSecretsKeyArn/],
            [[outputs("prod", { project: "shop", env: "dev", stackSecretsKeyArn: ARN.prod })], /given for prod/],
            [[outputs("dev", { stackSecretsKeyArn: ARN.dev })], /give --project/],
            [
                [
                    outputs("dev", { project: "shop", stackSecretsKeyArn: ARN.dev }),
                    outputs("prod", { project: "shop", stackSecretsKeyArn: ARN.dev }),
                ],
                /share a KMS key/,
            ],
            [
                [
                    outputs("dev", { project: "shop", stackSecretsKeyArn: ARN.dev }),
                    outputs("prod", { project: "cart", stackSecretsKeyArn: ARN.prod }),
                ],
                /several projects/,
            ],
            [[`dev=${path.join(dir, "missing.json")}`], /cannot read/],
        ];
        for (const [args, message] of cases) {
            const { out, io } = capture();
            assert.equal(await main(["sops-config", "--out", target, ...args], io), 2, args.join(" "));
            assert.match(out.stderr, message);
            assert.equal(fs.existsSync(target), false);
        }
    });
});
