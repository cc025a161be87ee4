/**
 * Each env stack's secrets key: the key its own stack file names as `secretsprovider`, used by the deployer its
 * config names, its ARN a stack output; and `k8s-baseline sops-config` over those outputs as `pulumi stack
 * output --json` gives them.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { installMocks, named, resetResources, settle, settled } from "../mocks";
installMocks();
import { ENVIRONMENTS, sopsPathRegex } from "../../components/baseline";
import { CONTRACT_OUTPUTS } from "../../components/contract";
import { runSopsConfig } from "../../policy-pack/cli/sops-config";
import { STACKS_DIR } from "../../policy-pack/harness/paths";
import { ConfigError, parseStackConfig } from "../../stacks/config";
import { platformProgram } from "../../stacks/program";
import { stackArgs, stackValues } from "./stack-config";

/** The stack's outputs, as `pulumi stack output --json` prints them. */
async function outputsOf(stack: string): Promise<Record<string, unknown>> {
    const outputs = platformProgram(stackArgs(stack));
    const values: Record<string, unknown> = {};
    for (const [key, output] of Object.entries(outputs)) values[key] = await settle(output as pulumi.Output<unknown>);
    await settled();
    return values;
}

function stackFile(stack: string): Record<string, unknown> {
    return parse(fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8")) as Record<string, unknown>;
}

describe("stack secrets keys of the env stacks", function () {
    this.timeout(120_000);
    const outputs = new Map<string, Record<string, unknown>>();

    before(async () => {
        for (const env of ENVIRONMENTS) {
            resetResources();
            outputs.set(env, await outputsOf(env));
            const config = stackValues(env) as { stackSecrets: { deployerRoleArn: string } };
            // The stack file's provider is the key this stack creates, for the deployer its config names.
            const key = named("k8s-baseline:index:StackSecretsKey", `${env}-stack-secrets`);
            assert.ok(key);
            const alias = named("aws:kms/alias:Alias", `${env}-stack-secrets-alias`).inputs.name;
            assert.equal(stackFile(env).secretsprovider, `awskms://${alias}?region=${stackValues(env).region}`);
            const policy = JSON.parse(named("aws:kms/key:Key", `${env}-stack-secrets-key`).inputs.policy);
            const users = policy.Statement.filter((s: { Sid: string }) => s.Sid !== "AdministerKey");
            assert.deepEqual(
                users.map((s: { Principal: unknown }) => s.Principal),
                [{ AWS: config.stackSecrets.deployerRoleArn }],
            );
        }
    });

    it("output stackSecretsKeyArn, a key of the env's account and region other than the env key", () => {
        const arns = new Set<unknown>();
        for (const env of ENVIRONMENTS) {
            const out = outputs.get(env)!;
            const { accountId, region } = stackValues(env) as { accountId: string; region: string };
            assert.deepEqual(Object.keys(out).sort(), [...CONTRACT_OUTPUTS].sort(), env);
            assert.match(
                String(out.stackSecretsKeyArn),
                new RegExp(`^arn:aws:kms:${region}:${accountId}:key/[0-9a-f-]{36}$`),
                env,
            );
            assert.notEqual(out.stackSecretsKeyArn, out.kmsKeyArn, env);
            arns.add(out.stackSecretsKeyArn);
        }
        assert.equal(arns.size, ENVIRONMENTS.length, "one key per env");
    });

    it("give sops-config what it reads: one rule per env, each to that env's key", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-outputs-"));
        try {
            const files = ENVIRONMENTS.map((env) => {
                const file = path.join(dir, `${env}.json`);
                fs.writeFileSync(file, JSON.stringify(outputs.get(env)));
                return `${env}=${file}`;
            });
            let stdout = "";
            let stderr = "";
            const code = runSopsConfig(["--out", "-", ...files], {
                stdout: (text) => (stdout += text),
                stderr: (text) => (stderr += text),
            });
            assert.equal(code, 0, stderr);
            const config = parse(stdout) as {
                creation_rules: { path_regex: string; key_groups: { kms: { arn: string; context: unknown }[] }[] }[];
            };
            assert.deepEqual(
                config.creation_rules.map((rule) => rule.path_regex),
                ENVIRONMENTS.map(sopsPathRegex),
            );
            ENVIRONMENTS.forEach((env, i) => {
                assert.deepEqual(config.creation_rules[i].key_groups, [
                    { kms: [{ arn: outputs.get(env)!.stackSecretsKeyArn, context: { project: "shop", env } }] },
                ]);
            });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("are required of an env stack's config", () => {
        const { stackSecrets: _none, ...values } = stackValues("prod");
        assert.throws(
            () => parseStackConfig("prod", values, () => pulumi.output("")),
            (e: unknown) =>
                e instanceof ConfigError &&
                /k8s-baseline:stackSecrets: is required; fix: set it in Pulumi.<stack>.yaml/.test(e.message),
        );
    });

    it("refuse a deployer of another env's account through the component", () => {
        const values = stackValues("stage");
        const args = stackArgs("stage", {
            ...values,
            stackSecrets: { deployerRoleArn: "arn:aws:iam::333333333333:role/ci/shop-prod-deployer" },
        });
        assert.throws(() => platformProgram(args), /stackSecrets: .*deployerRoleArn: .* is in another account/s);
    });
});
