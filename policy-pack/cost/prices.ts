/**
 * The AWS list prices the secrets-cost estimate uses, as data: dated, with the page each was read from.
 * Prices are the US East (N. Virginia) list prices, which are also those of eu-west-1, the platform's
 * region, for these three services; other regions may differ by a few per cent. Free tiers (KMS's 20,000
 * requests a month, Secrets Manager's 30-day trial) are account-wide and left out: the estimate is what the
 * env adds, not the bill.
 */

/** The day the prices were last compared with the pages below (`YYYY-MM-DD`). */
export const PRICES_CHECKED = "2026-12-02";

/** Where the prices apply. */
export const PRICES_REGION = "us-east-1 and eu-west-1 list prices, USD, before tax and free tiers";

/** Hours in a month, as AWS's pricing pages count them. */
export const HOURS_PER_MONTH = 730;

export interface SecretsManagerPrices {
    /** Per secret stored, per month (replicas count as secrets). */
    readonly secretMonthUsd: number;
    /** Per 10,000 API calls (GetSecretValue, DescribeSecret, PutSecretValue, ...). */
    readonly apiCallsPer10kUsd: number;
    readonly source: string;
}

export interface ParameterStorePrices {
    readonly standardParameterMonthUsd: number;
    readonly advancedParameterMonthUsd: number;
    /** API interactions at the default (standard) throughput. */
    readonly standardThroughputPer10kUsd: number;
    /** API interactions once higher throughput is enabled for the account and region. */
    readonly higherThroughputPer10kUsd: number;
    readonly source: string;
}

export interface KmsPrices {
    /** Per customer managed key, per month (AWS managed keys are free to keep). */
    readonly customerKeyMonthUsd: number;
    /** Per 10,000 symmetric requests (Decrypt, GenerateDataKey, ...). */
    readonly requestsPer10kUsd: number;
    readonly source: string;
}

export interface PriceTable {
    readonly checked: string;
    readonly region: string;
    readonly secretsManager: SecretsManagerPrices;
    readonly parameterStore: ParameterStorePrices;
    readonly kms: KmsPrices;
}

export const PRICES: PriceTable = {
    checked: PRICES_CHECKED,
    region: PRICES_REGION,
    secretsManager: {
        secretMonthUsd: 0.4,
        apiCallsPer10kUsd: 0.05,
        source: "https://aws.amazon.com/secrets-manager/pricing/",
    },
    parameterStore: {
        standardParameterMonthUsd: 0,
        advancedParameterMonthUsd: 0.05,
        standardThroughputPer10kUsd: 0,
        higherThroughputPer10kUsd: 0.05,
        source: "https://aws.amazon.com/systems-manager/pricing/#Parameter_Store",
    },
    kms: {
        customerKeyMonthUsd: 1,
        requestsPer10kUsd: 0.03,
        source: "https://aws.amazon.com/kms/pricing/",
    },
};
