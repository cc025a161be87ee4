/** `check` over Pulumi stack files: the env's awskms provider, and no plaintext under secret-looking keys. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    configKeyWords,
    ENVIRONMENTS,
    looksSecretConfigKey,
    parseStackSecretsAlias,
    stackSecretsAliasName,
} from "../../../components/baseline";
import { EnforcementLevel } from "../../../policy-pack/policies/types";
import { main } from "../../../policy-pack/cli";
import {
    secretsProviderProblem,
    STACK_FILE_RULES,
    STACK_PLAINTEXT_SECRETS,
    STACK_SECRETS_PROVIDER,
    stackFileEnvironment,
    stackFileFindings,
    stackFileLevel,
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

    it("judges a file as the strictest of its config's env, its name's and its cluster's, else prod", () => {
        assert.equal(stackFileEnvironment("dev", { "k8s-baseline:env": "prod" }), "prod");
        assert.equal(stackFileEnvironment("prod", { "k8s-baseline:env": "dev" }), "prod", "no lower env by config");
        assert.equal(
            stackFileEnvironment("cluster-dev", { "k8s-baseline:cluster": { environments: ["dev", "prod"] } }),
            "prod",
            "a cluster hosting prod is prod's, whatever its name",
        );
        assert.equal(stackFileEnvironment("shared-dev", { "k8s-baseline:env": "dev" }), "dev");
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
                        'x/Pulumi.stage.yaml (line 4) (judged as stage): secretsprovider "passphrase" is not an awskms:// key, which the stage profile demands; use awskms://alias/shop-stage-stack-config?region=<region>, the env\'s stack secrets key',
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

        it("judges an alias as the value it stands for, as Pulumi reads it, and ends a self-naming one", () => {
            const text = [
                PROVIDER.trimEnd(),
                "config:",
                "  app:note: &pw hunter2",
                "  app:dbPassword: *pw", // line 4
                "  secrets:apiKey: *pw", // line 5
                "  app:nested: &tree",
                "    token: *pw", // line 7
                "  app:copy: *tree", // line 8
                "  app:loop: &self {next: *self}",
                "",
            ].join("\n");
            const found = findings("Pulumi.dev.yaml", text);
            assert.deepEqual(
                found.map((f) => [f.line, f.message.split(" (line")[0]]),
                [
                    [4, "Pulumi.dev.yaml: app:dbPassword"],
                    [5, "Pulumi.dev.yaml: secrets:apiKey"],
                    [7, "Pulumi.dev.yaml: app:nested.token"],
                    [7, "Pulumi.dev.yaml: app:copy.token"],
                ],
            );
            const whole = [PROVIDER.trimEnd(), "base: &config", "  app:password: hunter2", "config: *config", ""];
            assert.deepEqual(
                findings("Pulumi.dev.yaml", whole.join("\n")).map((f) => f.message.split(" (line")[0]),
                ["Pulumi.dev.yaml: app:password"],
            );
        });
    });

    it("reads an alias back to the project and env the baseline named it for, and only those envs", () => {
        for (const env of ENVIRONMENTS) {
            assert.deepEqual(parseStackSecretsAlias(stackSecretsAliasName("shop-eu", env)), {
                project: "shop-eu",
                env,
            });
        }
        assert.equal(parseStackSecretsAlias("alias/shop-qa-stack-config"), undefined);
        assert.equal(parseStackSecretsAlias("alias/shop-prod"), undefined);
        assert.equal(parseStackSecretsAlias("alias/-prod-stack-config"), undefined);
    });

    describe("lines", () => {
        it("places each finding at the line of the key it names, or of the list item", () => {
            const text = [
                "# header", // 1
                "config:", // 2
                "  k8s-baseline:project: shop", // 3
                "  app:dbPassword:", // 4: the key; its plaintext value is on the next line
                "    hunter2", // 5
                "  app:passwords:", // 6
                "    - first", // 7
                "    - second", // 8
                "  app:service:", // 9
                "    name: api", // 10
                "    apiKey: |", // 11
                "      multi", // 12
                "      line", // 13
                "secretsprovider: default", // 14
                "",
            ].join("\n");
            assert.deepEqual(
                findings("Pulumi.prod.yaml", text).map((f) => [f.policy, f.line]),
                [
                    ["stack-secrets-provider", 14],
                    ["stack-config-plaintext-secrets", 4],
                    ["stack-config-plaintext-secrets", 7],
                    ["stack-config-plaintext-secrets", 8],
                    ["stack-config-plaintext-secrets", 11],
                ],
            );
        });

        it("gives a missing secretsprovider no line, rather than one it is not on", () => {
            const [finding] = findings("Pulumi.dev.yaml", "config:\n  k8s-baseline:project: shop\n");
            assert.equal(finding.policy, "stack-secrets-provider");
            assert.equal(finding.line, null);
            assert.doesNotMatch(finding.message, /\(line/);
        });

        it("carries the line in JSON, SARIF and text", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
            try {
                const file = path.join(dir, "Pulumi.stage.yaml");
                const text =
                    "config:\n  k8s-baseline:project: shop\n  app:db:\n    password: x\nsecretsprovider: passphrase\n";
                fs.writeFileSync(file, text);
                const json = JSON.parse((await check("--format", "json", file)).stdout);
                assert.deepEqual(
                    json.results.map((r: { line: number; violations: { policy: string }[] }) => [
                        r.violations[0].policy,
                        r.line,
                    ]),
                    [
                        ["stack-secrets-provider", 5],
                        ["stack-config-plaintext-secrets", 4],
                    ],
                );
                const sarif = JSON.parse((await check("--format", "sarif", "--sarif-root", dir, file)).stdout);
                assert.deepEqual(
                    sarif.runs[0].results.map(
                        (r: { locations: { physicalLocation: { region: { startLine: number } } }[] }) =>
                            r.locations[0].physicalLocation.region.startLine,
                    ),
                    [5, 4],
                );
                const out = (await check(file)).stdout;
                assert.match(out, /Pulumi\.stage\.yaml \(line 5\) \(judged as stage\): secretsprovider "passphrase"/);
                assert.match(out, /app:db\.password \(line 4\) holds a plaintext value/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("--only and the pack config", () => {
        let dir: string;
        /** Pulumi.<stack>.yaml with a passphrase and a plaintext password, and a privileged Pod beside it. */
        const write = (stack: string, extra = "") => {
            const file = path.join(dir, `Pulumi.${stack}.yaml`);
            fs.writeFileSync(
                file,
                `secretsprovider: passphrase\nconfig:\n  k8s-baseline:project: shop\n${extra}  app:dbPassword: hunter2\n`,
            );
            return file;
        };
        const config = (document: unknown) => {
            const file = path.join(dir, "config.json");
            fs.writeFileSync(file, JSON.stringify(document));
            return file;
        };
        const policiesOf = (stdout: string) =>
            JSON.parse(stdout).results.map((r: { violations: { policy: string; level: string }[] }) => [
                r.violations[0].policy,
                r.violations[0].level,
            ]);
        beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-only-"))));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("--only a stack-file rule judges the stack files by that rule alone", async () => {
            write("prod");
            const run = await check("--format", "json", "--only", "stack-secrets-provider", dir);
            assert.equal(run.code, 1, run.stderr);
            assert.deepEqual(policiesOf(run.stdout), [["stack-secrets-provider", "mandatory"]]);
            const group = await check("--format", "json", "--only", "stack-files", dir);
            assert.deepEqual(policiesOf(group.stdout), [
                ["stack-secrets-provider", "mandatory"],
                ["stack-config-plaintext-secrets", "mandatory"],
            ]);
        });

        it("--only without a stack-file rule reports nothing of the stack files and says they were not judged", async () => {
            write("prod");
            const run = await check("--format", "json", "--only", "pod-security-baseline", dir);
            assert.equal(run.code, 0, run.stdout + run.stderr);
            const report = JSON.parse(run.stdout);
            assert.deepEqual(report.results, []);
            assert.deepEqual(report.summary, { resources: 1, notJudged: 1, mandatory: 0, advisory: 0 });
            assert.ok(
                report.notices.includes(
                    "not judged: 1 Pulumi stack file, --only selects no stack-file rule " +
                        "(stack-secrets-provider, stack-config-plaintext-secrets)",
                ),
                report.notices.join("\n"),
            );
            const sarif = JSON.parse((await check("--format", "sarif", "--only", "pod-security", dir)).stdout);
            const rules = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
            assert.ok(!rules.some((id: string) => id.startsWith("stack-")), rules.join(", "));
        });

        it("refuses an unknown --only name, listing the stack-file rules and their group with the rest", async () => {
            const run = await check("--only", "stack-secret-provider", dir);
            assert.equal(run.code, 2);
            assert.match(run.stderr, /unknown group or policy "stack-secret-provider"/);
            assert.match(run.stderr, /groups: .*\bstack-files\b/);
            assert.match(run.stderr, /policies: .*\bstack-secrets-provider, stack-config-plaintext-secrets\b/);
        });

        it("takes each rule's level from the config: advisory passes, disabled reports nothing, all applies", async () => {
            write("prod", "  k8s-baseline:env: prod\n");
            const advisory = await check(
                "--format",
                "json",
                "--env",
                "prod",
                "--config",
                config({ "stack-config-plaintext-secrets": "advisory" }),
                dir,
            );
            assert.equal(advisory.code, 1, "the provider is still mandatory");
            assert.deepEqual(policiesOf(advisory.stdout), [
                ["stack-secrets-provider", "mandatory"],
                ["stack-config-plaintext-secrets", "advisory"],
            ]);
            assert.deepEqual(JSON.parse(advisory.stdout).summary, {
                resources: 1,
                notJudged: 0,
                mandatory: 1,
                advisory: 1,
            });
            const off = await check(
                "--format",
                "json",
                "--env",
                "prod",
                "--config",
                config({ "stack-secrets-provider": { enforcementLevel: "disabled" }, all: "advisory" }),
                dir,
            );
            assert.equal(off.code, 0, off.stdout);
            assert.deepEqual(policiesOf(off.stdout), [["stack-config-plaintext-secrets", "advisory"]]);
        });

        it("never lets a config lower the verdict on a file judged as a stricter env than its own", async () => {
            write("prod");
            write("sandbox"); // no env anywhere: judged as prod
            write("dev");
            const lenient = config({
                "stack-secrets-provider": "advisory",
                "stack-config-plaintext-secrets": "advisory",
            });
            const run = await check("--format", "json", "--env", "dev", "--config", lenient, dir);
            assert.equal(run.code, 1);
            const results = JSON.parse(run.stdout).results as {
                name: string;
                violations: { policy: string; level: string; message: string }[];
            }[];
            const levels = results.map((r) => [r.name, r.violations[0].policy, r.violations[0].level]);
            assert.deepEqual(levels, [
                ["dev", "stack-secrets-provider", "advisory"],
                ["dev", "stack-config-plaintext-secrets", "advisory"],
                ["prod", "stack-secrets-provider", "mandatory"],
                ["prod", "stack-config-plaintext-secrets", "mandatory"],
                ["sandbox", "stack-secrets-provider", "mandatory"],
                ["sandbox", "stack-config-plaintext-secrets", "mandatory"],
            ]);
            assert.match(
                results[2].violations[0].message,
                /\(mandatory here: the file is judged as prod, stricter than the config's dev\)$/,
            );
            // The same config said to be prod's: it applies to every file.
            const asProd = await check("--format", "json", "--env", "prod", "--config", lenient, dir);
            assert.equal(asProd.code, 0, asProd.stdout);
            // A config that names no env speaks for none: it lowers no file's verdict below its profile's.
            const none = await check("--format", "json", "--config", config({ all: "disabled" }), dir);
            assert.equal(none.code, 1, none.stdout);
            const unnamed = JSON.parse(none.stdout).results as typeof results;
            assert.deepEqual(
                unnamed.map((r) => [r.name, r.violations[0].level]),
                [
                    ["dev", "mandatory"],
                    ["dev", "mandatory"],
                    ["prod", "mandatory"],
                    ["prod", "mandatory"],
                    ["sandbox", "mandatory"],
                    ["sandbox", "mandatory"],
                ],
            );
            assert.match(unnamed[2].violations[0].message, /the config names no env to speak for\)$/);
        });

        it("takes a level only: a setting in a stack-file rule's entry is refused", async () => {
            write("prod");
            const run = await check(
                "--config",
                config({ "stack-secrets-provider": { enforcementLevel: "advisory", env: "dev" } }),
                dir,
            );
            assert.equal(run.code, 2);
            assert.match(
                run.stderr,
                /"stack-secrets-provider": a stack-file rule takes only an enforcementLevel, not env/,
            );
        });

        it("lists the stack-file rules with policies, at the config's level, saying where they apply", async () => {
            let stdout = "";
            const listing = async (...argv: string[]) => {
                stdout = "";
                await main(["policies", ...argv], { stdout: (text) => (stdout += text), stderr: () => undefined });
                return stdout;
            };
            const json = JSON.parse(await listing("--format", "json", "--only", "stack-files"));
            assert.deepEqual(
                json.policies.map((p: { name: string; kind: string; enforcementLevel: string }) => [
                    p.name,
                    p.kind,
                    p.enforcementLevel,
                ]),
                STACK_FILE_RULES.map((rule) => [rule.name, "stack-file", "mandatory"]),
            );
            const advisory = JSON.parse(
                await listing("--format", "json", "--config", config({ "stack-secrets-provider": "advisory" })),
            );
            const provider = advisory.policies.find((p: { name: string }) => p.name === "stack-secrets-provider");
            assert.equal(provider.enforcementLevel, "advisory");
            const text = await listing();
            assert.match(text, /^stack-files:\n {2}stack-secrets-provider \(mandatory, high\): /m);
            assert.match(text, /^ {4}applies to Pulumi stack files \(Pulumi\.<stack>\.yaml\), in check only/m);
            assert.match(text, /^\d+ policies, 2 stack-file rules$/m);
        });
    });

    describe("levels", () => {
        const levels = { [STACK_SECRETS_PROVIDER.name]: EnforcementLevel.Advisory };
        it("is the config's where the file's env is the config's or a lower one", () => {
            assert.equal(stackFileLevel(STACK_SECRETS_PROVIDER, levels, "prod", "dev"), "advisory");
            assert.equal(stackFileLevel(STACK_SECRETS_PROVIDER, levels, "stage", "stage"), "advisory");
            assert.equal(stackFileLevel(STACK_PLAINTEXT_SECRETS, levels, "dev", "dev"), "mandatory");
        });
        it("is at least the profile's where the file's env is stricter", () => {
            assert.equal(stackFileLevel(STACK_SECRETS_PROVIDER, levels, "dev", "stage"), "mandatory");
            assert.equal(stackFileLevel(STACK_SECRETS_PROVIDER, levels, "stage", "prod"), "mandatory");
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
