/**
 * The secrets-cost estimate against a stack computed by hand, and the cost-secrets-budget policy on both
 * sides of a budget.
 */
import * as assert from "node:assert/strict";
import { PROFILES } from "../../../components/baseline";
import {
    Backend,
    CALLS_PER_ROTATION,
    CostResource,
    estimateSecretsCost,
    formatEstimate,
    shortestIntervals,
} from "../../../policy-pack/cost/estimate";
import { costSecretsBudget } from "../../../policy-pack/cost/policy";
import { PRICES } from "../../../policy-pack/cost/prices";
import { PolicyResource, PolicySettings } from "../../../policy-pack/policies/types";
import { UNKNOWN } from "../../../policy-pack/policies/resource";

const KEY_ARN = "arn:aws:kms:eu-west-1:333333333333:key/0b7e8a54-1111-2222-3333-444455556666";
const URN = (type: string, name: string) => `urn:pulumi:prod::shop::${type}::${name}`;

function resource(type: string, name: string, props: Record<string, any>): CostResource {
    return { type, name, urn: URN(type, name), props };
}

const store = (namespace: string, service: string) =>
    resource("kubernetes:external-secrets.io/v1:SecretStore", `${namespace}-store`, {
        metadata: { name: `${namespace}-store`, namespace },
        spec: { provider: { aws: { service, region: "eu-west-1" } } },
    });

const externalSecret = (namespace: string, name: string, spec: Record<string, any>) =>
    resource("kubernetes:external-secrets.io/v1:ExternalSecret", `${namespace}-${name}`, {
        metadata: { name, namespace },
        spec: { secretStoreRef: { name: `${namespace}-store`, kind: "SecretStore" }, ...spec },
    });

/** Three secrets under the env's key, one AWS-managed parameter, one rotation and four ExternalSecrets. */
const STACK: CostResource[] = [
    resource("aws:kms/key:Key", "prod-key", {}),
    resource("aws:secretsmanager/secret:Secret", "db-password", {
        name: "shop-prod/payments/db-password",
        kmsKeyId: KEY_ARN,
    }),
    resource("aws:secretsmanager/secret:Secret", "psp-api-key", {
        name: "shop-prod/payments/psp-api-key",
        kmsKeyId: KEY_ARN,
    }),
    // Under the AWS managed key: its reads cost no Decrypt on a customer managed key.
    resource("aws:secretsmanager/secret:Secret", "db-url", {
        name: "shop-prod/orders/db-url",
        kmsKeyId: "alias/aws/secretsmanager",
    }),
    resource("aws:ssm/parameter:Parameter", "flags", { name: "/shop/prod/flags", type: "String", tier: "Advanced" }),
    resource("aws:secretsmanager/secretRotation:SecretRotation", "db-password-rotation", {
        secretId: "shop-prod/payments/db-password",
        rotationRules: { automaticallyAfterDays: 30 },
    }),
    store("payments", "SecretsManager"),
    store("orders", "SecretsManager"),
    // dataFrom extract: one call a refresh, every hour.
    externalSecret("payments", "db-password", {
        refreshInterval: "1h",
        dataFrom: [{ extract: { key: "shop-prod/payments/db-password" } }],
    }),
    // Two properties of one key: one call a refresh, every 15 minutes.
    externalSecret("payments", "psp-api-key", {
        refreshInterval: "15m",
        data: [
            { secretKey: "apiKey", remoteRef: { key: "shop-prod/payments/psp-api-key", property: "apiKey" } },
            { secretKey: "apiSecret", remoteRef: { key: "shop-prod/payments/psp-api-key", property: "apiSecret" } },
        ],
    }),
    // No interval: the CRD's default, 1h0m0s. The AWS managed key: no KMS request counted.
    externalSecret("orders", "db-url", { data: [{ secretKey: "url", remoteRef: { key: "shop-prod/orders/db-url" } }] }),
    // Created once: no monthly reads.
    externalSecret("orders", "bootstrap", {
        refreshInterval: "0s",
        dataFrom: [{ extract: { key: "shop-prod/orders/db-url" } }],
    }),
];

function close(actual: number, expected: number, what: string) {
    assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

describe("secrets cost estimate", () => {
    it("matches the hand-computed figures", () => {
        const estimate = estimateSecretsCost(STACK);
        // A month is 730 hours.
        // payments/db-password:  730 refreshes x 1 call = 730 calls, 730 Decrypt (customer key).
        // payments/psp-api-key:  730 x 4 = 2920 refreshes x 1 distinct key = 2920 calls, 2920 Decrypt.
        // orders/db-url:         default 1h: 730 calls, 0 Decrypt (alias/aws/secretsmanager).
        // orders/bootstrap:      0s: 0 calls.
        // Secrets Manager refresh calls: 730 + 2920 + 730 = 4380 -> 4380 / 10,000 x $0.05 = $0.0219
        // Rotation every 30 days: 730 / 720 = 1.013888... rotations x 10 calls = 10.13888... calls
        //   -> 10.13888... / 10,000 x $0.05 = $0.0000506944...
        // Secrets: 3 x $0.40 = $1.20. Advanced parameter: 1 x $0.05 = $0.05. Key: 1 x $1.00 = $1.00.
        // KMS requests: 730 + 2920 = 3650 -> 3650 / 10,000 x $0.03 = $0.01095
        // Total: 1.20 + 0.0219 + 0.0000506944 + 0.05 + 1.00 + 0.01095 = $2.2829006944...
        const byName = new Map(estimate.externalSecrets.map((e) => [e.name, e]));
        close(byName.get("payments/db-password")!.apiCallsPerMonth, 730, "db-password calls");
        close(byName.get("payments/psp-api-key")!.apiCallsPerMonth, 2920, "psp-api-key calls");
        close(byName.get("payments/psp-api-key")!.kmsRequestsPerMonth, 2920, "psp-api-key KMS");
        assert.equal(byName.get("payments/psp-api-key")!.callsPerRefresh, 1);
        close(byName.get("orders/db-url")!.apiCallsPerMonth, 730, "db-url calls");
        assert.equal(byName.get("orders/db-url")!.refreshInterval, "1h0m0s");
        assert.equal(byName.get("orders/db-url")!.kmsRequestsPerMonth, 0);
        assert.equal(byName.get("orders/bootstrap")!.apiCallsPerMonth, 0);
        assert.equal(byName.get("orders/bootstrap")!.backend, Backend.SecretsManager);

        const line = (item: string) => estimate.lines.find((l) => l.item.startsWith(item))!;
        close(line("Secrets Manager secrets").monthlyUsd, 1.2, "secrets");
        close(line("Secrets Manager API calls (External").monthlyUsd, 0.0219, "refresh calls");
        close(
            line("Secrets Manager API calls (rotations)").monthlyUsd,
            ((730 / 720) * CALLS_PER_ROTATION * 0.05) / 10_000,
            "rotation calls",
        );
        close(line("Parameter Store advanced").monthlyUsd, 0.05, "advanced parameter");
        close(line("KMS customer managed keys").monthlyUsd, 1, "key");
        close(line("KMS requests").monthlyUsd, 0.01095, "KMS requests");
        close(estimate.totalUsd, 1.2 + 0.0219 + (10 * 730 * 0.05) / 720 / 10_000 + 0.05 + 1 + 0.01095, "total");
        assert.ok(Math.abs(estimate.totalUsd - 2.2829006944) < 1e-9);
        // Standard-throughput Parameter Store calls are free and there are none: no line for them.
        assert.equal(
            estimate.lines.some((l) => l.item.startsWith("Parameter Store API calls")),
            false,
        );
    });

    it("prices Parameter Store calls once higher throughput is on, and says what it assumed", () => {
        const stack: CostResource[] = [
            resource("aws:ssm/parameter:Parameter", "db", {
                name: "/shop/prod/db",
                type: "SecureString",
                keyId: KEY_ARN,
            }),
            resource("aws:ssm/serviceSetting:ServiceSetting", "throughput", {
                settingId:
                    "arn:aws:ssm:eu-west-1:333333333333:servicesetting/ssm/parameter-store/high-throughput-enabled",
                settingValue: "true",
            }),
            store("orders", "ParameterStore"),
            externalSecret("orders", "db", {
                refreshInterval: "30m",
                data: [{ secretKey: "db", remoteRef: { key: "/shop/prod/db" } }],
            }),
            // A store the stack does not have: listed, not priced.
            resource("kubernetes:external-secrets.io/v1:ExternalSecret", "stray", {
                metadata: { name: "stray", namespace: "other" },
                spec: {
                    secretStoreRef: { name: "elsewhere" },
                    refreshInterval: "1m",
                    dataFrom: [{ extract: { key: "x" } }],
                },
            }),
        ];
        const estimate = estimateSecretsCost(stack);
        // 730 x 2 = 1460 calls at $0.05 per 10,000 = $0.0073; 1460 Decrypt at $0.03 per 10,000 = $0.00438.
        close(estimate.lines.find((l) => l.item.includes("higher throughput"))!.monthlyUsd, 0.0073, "parameter calls");
        close(estimate.lines.find((l) => l.item.startsWith("KMS requests"))!.monthlyUsd, 0.00438, "KMS");
        const stray = estimate.externalSecrets.find((e) => e.name === "other/stray")!;
        assert.equal(stray.backend, Backend.Unknown);
        assert.equal(stray.monthlyUsd, 0);
        assert.ok(estimate.assumptions.some((a) => a.includes("not priced")));
        assert.deepEqual(
            shortestIntervals(estimate).map((e) => e.name),
            ["other/stray", "orders/db"],
        );
    });

    it("reads unknown values as the env's defaults, and prints the figures with their prices' date", () => {
        const estimate = estimateSecretsCost([
            resource("aws:secretsmanager/secret:Secret", "s", { name: "shop-prod/a/s", kmsKeyId: UNKNOWN }),
            store("a", "SecretsManager"),
            externalSecret("a", "s", { refreshInterval: UNKNOWN, dataFrom: [{ extract: { key: "shop-prod/a/s" } }] }),
        ]);
        // Unknown interval: the CRD default (730 calls); unknown key: the env's customer managed key.
        close(estimate.externalSecrets[0].kmsRequestsPerMonth, 730, "KMS requests");
        const text = formatEstimate(estimate, 0.1).join("\n");
        // $0.40 + 730 x $0.05 / 10,000 + 730 x $0.03 / 10,000 = $0.40584
        assert.match(text, /total: \$0\.41 a month \(budget \$0\.10, EXCEEDED\)/);
        assert.ok(text.includes(PRICES.checked));
    });
});

describe("cost-secrets-budget", () => {
    const settings = (env: "dev" | "prod") => ({ env }) as unknown as PolicySettings;

    function run(resources: readonly PolicyResource[], env: "dev" | "prod") {
        const found: { message: string; urn?: string }[] = [];
        costSecretsBudget.validateStack(resources, settings(env), {
            violation: (message, options) => found.push({ message, urn: options?.urn }),
            unknown: () => undefined,
        });
        return found;
    }

    it("passes a stack within its env's budget", () => {
        assert.ok(PROFILES.prod.secretsMonthlyBudgetUsd > 2.29);
        assert.deepEqual(run(STACK, "prod"), []);
    });

    it("names the ExternalSecrets refreshed most often when the estimate exceeds the budget", () => {
        // Dev's budget is $5: 20 more secrets ($8.00) exceed it.
        const many = Array.from({ length: 20 }, (_, i) =>
            resource("aws:secretsmanager/secret:Secret", `extra-${i}`, {
                name: `shop-dev/a/extra-${i}`,
                kmsKeyId: KEY_ARN,
            }),
        );
        const found = run([...STACK, ...many], "dev");
        assert.equal(found.length, 1);
        assert.match(found[0].message, /estimated at \$10\.28 a month, over its budget of \$5\.00/);
        assert.match(found[0].message, /payments\/psp-api-key \(every 15m, .*\), payments\/db-password \(every 1h/);
        assert.equal(found[0].urn, URN("kubernetes:external-secrets.io/v1:ExternalSecret", "payments-psp-api-key"));
        assert.equal(costSecretsBudget.enforcementLevel, "advisory");
        assert.equal(costSecretsBudget.group, "cost");
    });
});
