/** `check` over Pulumi stack files: the env's awskms provider, and no plaintext under secret-looking keys. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configKeyWords, looksSecretConfigKey } from "../../../components/baseline";
import { main } from "../../../policy-pack/cli";
import {
    secretsProviderProblem,
    stackFileEnvironment,
    stackFileFindings,
    stackFileName,
} from "../../../policy-pack/cli/stack-files";

const STACKS = path.resolve(__dirname, "..", "..", "..", "..", "stacks");

async function check(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(["check", ...argv], {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
}

function findings(name: string, text: string) {
    return stackFileFindings(name, text).map((f) => ({ policy: f.policy.name, message: f.message, line: f.line }));
}

describe("check over stack files", () => {
    it("recognises stack files by name only", () => {
        assert.equal(stackFileName("stacks/Pulumi.shared-dev.yaml"), "shared-dev");
        assert.equal(stackFileName("Pulumi.prod.yml"), "prod");
        assert.equal(stackFileName("stacks/Pulumi.yaml.bak"), undefined);
        assert.equal(stackFileName("deploy/pulumi-prod.yaml"), undefined);
    });

    it("judges a file as its config's env, else its name's, else its cluster's strictest, else prod", () => {
        assert.equal(stackFileEnvironment("dev", { "k8s-baseline:env": "prod" }), "prod");
        assert.equal(stackFileEnvironment("shared-stage", {}), "stage");
        assert.equal(
            stackFileEnvironment("shared-cluster", { "k8s-baseline:cluster": { environments: ["dev", "stage"] } }),
            "stage",
        );
        assert.equal(stackFileEnvironment("sandbox", {}), "prod");
        assert.equal(stackFileEnvironment("sandbox", { "k8s-baseline:env": "qa" }), "prod");
    });

    describe("stack-secrets-provider", () => {
        const PROD_ACCOUNT = { accountId: "333333333333", region: "eu-west-1" };
        it("refuses an alias ARN when the stack file names no account", () => {
            assert.match(
                secretsProviderProblem(
                    "awskms:///arn:aws:kms:eu-west-1:333333333333:alias/shop-prod-stack-config",
                    "prod",
                    "shop",
                )!,
                /k8s-baseline:accountId unset/,
            );
        });
        const ok = [
            "awskms://alias/shop-prod-stack-config?region=eu-west-1",
            "awskms://alias/shop-prod-stack-config",
            "awskms:///arn:aws:kms:eu-west-1:333333333333:alias/shop-prod-stack-config",
        ];
        for (const provider of ok) {
            it(`admits ${provider}`, () =>
                assert.equal(secretsProviderProblem(provider, "prod", "shop", PROD_ACCOUNT), undefined));
        }
        const bad: [unknown, RegExp][] = [
            [undefined, /sets no secretsprovider/],
            ["", /sets no secretsprovider/],
            ["passphrase", /"passphrase" is not an awskms:\/\/ key/],
            ["default", /"default" is not an awskms:\/\/ key/],
            ["gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", /is not an awskms/],
            ["awskms://alias/shop-dev-stack-config?region=eu-west-1", /is the dev env's key, not the prod env's/],
            ["awskms:///arn:aws:kms:eu-west-1:111111111111:alias/shop-stage-stack-config", /stage env's key/],
            ["awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=eu-west-1", /by id or ARN/],
            ["awskms:///arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab", /by id or ARN/],
            ["awskms://alias/cart-prod-stack-config", /is not the prod env's stack secrets key/],
            ["awskms://alias/shop-prod", /is not the prod env's stack secrets key/],
            // The env's alias name in another account or region is another key, which anyone may hold.
            [
                "awskms:///arn:aws:kms:eu-west-1:999999999999:alias/shop-prod-stack-config",
                /an alias of account 999999999999, not the stack's account 333333333333/,
            ],
            ["awskms://alias/shop-prod-stack-config?region=us-east-1", /region us-east-1, not the stack's region/],
            [
                "awskms:///arn:aws:kms:us-east-1:333333333333:alias/shop-prod-stack-config",
                /region us-east-1, not the stack's region eu-west-1/,
            ],
        ];
        for (const [provider, problem] of bad) {
            it(`refuses ${JSON.stringify(provider)} for prod`, () => {
                const found = secretsProviderProblem(provider, "prod", "shop", PROD_ACCOUNT);
                assert.ok(found, "a problem");
                assert.match(found, problem);
                assert.match(found, /awskms:\/\/alias\/shop-prod-stack-config\?region=<region>/);
            });
        }

        it("names the file and the provider's line", () => {
            const text = "# a comment\nconfig:\n  k8s-baseline:project: shop\nsecretsprovider: passphrase\n";
            assert.deepEqual(findings("x/Pulumi.stage.yaml", text), [
                {
                    policy: "stack-secrets-provider",
                    message:
                        'x/Pulumi.stage.yaml (judged as stage): secretsprovider "passphrase" is not an awskms:// key, which the stage profile demands; use awskms://alias/shop-stage-stack-config?region=<region>, the env\'s stack secrets key',
                    line: 4,
                },
            ]);
        });
    });

    describe("stack-config-plaintext-secrets", () => {
        const PROVIDER = "secretsprovider: awskms://alias/shop-dev-stack-config?region=eu-west-1\n";

        it("declares secret-looking keys by their last words", () => {
            assert.deepEqual(configKeyWords("dbPassword"), ["db", "password"]);
            assert.deepEqual(configKeyWords("API_KEY"), ["api", "key"]);
            assert.deepEqual(configKeyWords("tls.privateKey"), ["tls", "private", "key"]);
            for (const key of ["password", "dbPassword", "api-key", "apiKey", "apikey", "github_token", "clientSecret"])
                assert.ok(looksSecretConfigKey(key), key);
            for (const key of ["private_key", "credentials", "awsSecretAccessKey", "passwd"])
                assert.ok(looksSecretConfigKey(key), key);
            for (const key of ["secretBackend", "tokenTtl", "keys", "name", "description", "readableSecrets", "monkey"])
                assert.ok(!looksSecretConfigKey(key), key);
        });

        it("names the key and line of plaintext at any depth, and passes secure:, empty and boolean values", () => {
            const text = [
                PROVIDER.trimEnd(),
                "config:",
                "  app:password:",
                "    secure: v1:abc",
                "  app:apiToken: plain", // line 5
                "  app:db:",
                "    user: payments",
                "    password: hunter2", // line 8
                "    privateKey:",
                "      secure: v1:def",
                "  app:hooks:",
                "    - name: a",
                "      token: t0k3n", // line 13
                "    - token: ''",
                "  app:requireToken: true",
                "  app:passwords: [one, two]", // line 16: a list of plaintext under a secret-looking key
                "  secrets:payments-db-url: postgres://x", // line 17
                "  secrets:empty:",
                "  app:readableSecrets: [payments-db-password]",
                "",
            ].join("\n");
            const found = findings("Pulumi.dev.yaml", text);
            assert.deepEqual(
                found.map((f) => [f.policy, f.line, f.message.split(" (line")[0]]),
                [
                    ["stack-config-plaintext-secrets", 5, "Pulumi.dev.yaml: app:apiToken"],
                    ["stack-config-plaintext-secrets", 8, "Pulumi.dev.yaml: app:db.password"],
                    ["stack-config-plaintext-secrets", 13, "Pulumi.dev.yaml: app:hooks[0].token"],
                    ["stack-config-plaintext-secrets", 16, "Pulumi.dev.yaml: app:passwords[0]"],
                    ["stack-config-plaintext-secrets", 16, "Pulumi.dev.yaml: app:passwords[1]"],
                    ["stack-config-plaintext-secrets", 17, "Pulumi.dev.yaml: secrets:payments-db-url"],
                ],
            );
            assert.match(found[5].message, /in the secrets: namespace/);
        });
    });

    it("passes the example stacks folder, whose schema and programs it does not read", async () => {
        const run = await check("--format", "json", STACKS);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const report = JSON.parse(run.stdout);
        assert.equal(report.summary.mandatory, 0);
        const stackFiles = fs.readdirSync(STACKS).filter((f) => stackFileName(f) !== undefined);
        assert.ok(stackFiles.length >= 6);
        assert.equal(report.summary.resources, stackFiles.length);
    });

    it("carries the findings in every format, with exit status 1, and 2 for a file that is not YAML", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
        try {
            const file = path.join(dir, "Pulumi.prod.yaml");
            fs.writeFileSync(file, "secretsprovider: passphrase\nconfig:\n  app:dbPassword: hunter2\n");
            const json = await check("--format", "json", file);
            assert.equal(json.code, 1);
            const results = JSON.parse(json.stdout).results;
            assert.deepEqual(
                results.map((r: { violations: { policy: string }[] }) => r.violations[0].policy),
                ["stack-secrets-provider", "stack-config-plaintext-secrets"],
            );
            const text = await check(file);
            assert.equal(text.code, 1);
            assert.match(text.stdout, /app:dbPassword \(line 3\) holds a plaintext value/);
            const sarif = await check("--format", "sarif", "--sarif-root", dir, file);
            assert.equal(sarif.code, 1);
            const run = JSON.parse(sarif.stdout).runs[0];
            const rules = run.tool.driver.rules.map((r: { id: string }) => r.id);
            assert.ok(rules.includes("stack-secrets-provider") && rules.includes("stack-config-plaintext-secrets"));
            const located = run.results.map(
                (r: {
                    ruleId: string;
                    locations: {
                        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
                    }[];
                }) => [
                    r.ruleId,
                    r.locations[0].physicalLocation.artifactLocation.uri,
                    r.locations[0].physicalLocation.region.startLine,
                ],
            );
            assert.deepEqual(located, [
                ["stack-secrets-provider", "Pulumi.prod.yaml", 1],
                ["stack-config-plaintext-secrets", "Pulumi.prod.yaml", 3],
            ]);
            fs.writeFileSync(file, "config: [unclosed\n");
            const broken = await check(file);
            assert.equal(broken.code, 2);
            assert.match(broken.stderr, /cannot parse .*Pulumi\.prod\.yaml/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
