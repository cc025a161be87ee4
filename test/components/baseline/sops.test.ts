/**
 * `.sops.yaml`'s rules: one per env, mutually exclusive over any path, each env's files to exactly its own key
 * with an encryption context naming the env.
 */
import * as assert from "node:assert/strict";
import { Environment, ENVIRONMENTS } from "../../../components/baseline/environments";
import { sopsConfig, SopsConfig } from "../../../components/baseline/sops";

const ARNS: Record<Environment, string> = {
    dev: "arn:aws:kms:eu-west-1:111111111111:key/11111111-1111-4111-8111-111111111111",
    stage: "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-4222-8222-222222222222",
    prod: "arn:aws:kms:eu-west-1:333333333333:key/33333333-3333-4333-8333-333333333333",
};

const config = (): SopsConfig =>
    sopsConfig(
        "shop",
        ENVIRONMENTS.map((env) => ({ env, kmsKeyArn: ARNS[env] })),
    );

const PATHS = [
    "dev/app/values.yaml",
    "./dev/secrets.enc.yaml",
    "stage/app/values.yaml",
    "prod/app/values.yaml",
    "./prod/x.yaml",
    "dev/prod/x.yaml",
    "prod/dev/x.yaml",
    "stage/prod-copy/x.yaml",
    "apps/prod/x.yaml",
    "production/x.yaml",
    "prod.yaml",
    "devprod/x.yaml",
    "x/dev/y/stage/z.yaml",
];

function matching(cfg: SopsConfig, path: string) {
    return cfg.creation_rules.filter((rule) => new RegExp(rule.path_regex).test(path));
}

describe("sopsConfig", () => {
    it("gives each env one rule with exactly its own key and a context naming it", () => {
        const cfg = config();
        assert.equal(cfg.creation_rules.length, ENVIRONMENTS.length);
        for (const env of ENVIRONMENTS) {
            const rules = matching(cfg, `${env}/app/values.yaml`);
            assert.equal(rules.length, 1, env);
            const keys = rules[0].key_groups.flatMap((group) => group.kms);
            assert.deepEqual(keys, [{ arn: ARNS[env], context: { project: "shop", env } }]);
        }
    });

    it("never lets two rules match one path, and matches only env folders at the root", () => {
        const cfg = config();
        for (const path of PATHS) {
            const rules = matching(cfg, path);
            assert.ok(rules.length <= 1, `${path}: ${rules.length} rules`);
            const first = path.replace(/^\.\//, "").split("/")[0];
            const expected = (ENVIRONMENTS as readonly string[]).includes(first) && path.includes("/") ? 1 : 0;
            assert.equal(rules.length, expected, path);
            if (expected === 1) {
                assert.equal(rules[0].key_groups[0].kms[0].arn, ARNS[first as Environment], path);
            }
        }
    });

    it("keeps the envs given, in env order", () => {
        const cfg = sopsConfig("shop", [
            { env: "prod", kmsKeyArn: ARNS.prod },
            { env: "dev", kmsKeyArn: ARNS.dev },
        ]);
        assert.deepEqual(
            cfg.creation_rules.map((rule) => rule.path_regex),
            ["^(\\./)?dev/", "^(\\./)?prod/"],
        );
    });

    it("refuses a shared key, a repeated env, an unknown env and an alias ARN", () => {
        assert.throws(
            () =>
                sopsConfig("shop", [
                    { env: "dev", kmsKeyArn: ARNS.dev },
                    { env: "prod", kmsKeyArn: ARNS.dev },
                ]),
            /share a KMS key/,
        );
        assert.throws(
            () =>
                sopsConfig("shop", [
                    { env: "dev", kmsKeyArn: ARNS.dev },
                    { env: "dev", kmsKeyArn: ARNS.stage },
                ]),
            /dev is given twice/,
        );
        assert.throws(() => sopsConfig("shop", [{ env: "qa" as Environment, kmsKeyArn: ARNS.dev }]), /"qa"/);
        assert.throws(
            () => sopsConfig("shop", [{ env: "dev", kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:alias/shop-dev" }]),
            /not a KMS key ARN/,
        );
        assert.throws(() => sopsConfig("shop", []), /no env given/);
    });
});
