/**
 * What an env's secrets plumbing costs a month, from the stack's own resources: Secrets Manager secrets and
 * the calls External Secrets makes to read them, Parameter Store parameters and calls, KMS keys and the
 * Decrypt requests each read of a secret under a customer managed key causes, and rotation schedules.
 * Pure: the plan, the report and the cost-secrets-budget policy all call estimateSecretsCost.
 */
import { refreshIntervalSeconds } from "../../components/addons/external-secrets/manifests";
import { isUnknown, unwrapSecret } from "../policies/resource";
import { HOURS_PER_MONTH, PRICES, PriceTable } from "./prices";

/** A resource as the estimate reads it: a type token and plain inputs (what a policy sees). */
export interface CostResource {
    readonly type: string;
    readonly name: string;
    readonly urn?: string;
    readonly props: Record<string, any>;
}

/**
 * The refresh interval of an ExternalSecret that sets none: the CRD's default (external-secrets.io/v1
 * ExternalSecret `spec.refreshInterval`, `default: 1h0m0s`).
 */
export const EXTERNAL_SECRET_DEFAULT_REFRESH = "1h0m0s";

/**
 * Secrets Manager calls one scheduled rotation makes: the four steps of a rotation function (createSecret,
 * setSecret, testSecret, finishSecret) read the secret's versions, put the new one and move its staging
 * labels, about ten calls in all (AWS's rotation function templates). The Lambda's own cost is not counted.
 */
export const CALLS_PER_ROTATION = 10;

const SECRETS_MANAGER_SECRET = "aws:secretsmanager/secret:Secret";
const SECRETS_MANAGER_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
const SSM_SERVICE_SETTING = "aws:ssm/serviceSetting:ServiceSetting";
const KMS_KEY_TYPES: ReadonlySet<string> = new Set([
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
]);
const EXTERNAL_SECRET = /^kubernetes:external-secrets\.io\/[^:]+:ExternalSecret$/;
const SECRET_STORE = /^kubernetes:external-secrets\.io\/[^:]+:(Cluster)?SecretStore$/;
/** The account setting that turns on Parameter Store's higher (paid) throughput. */
const HIGH_THROUGHPUT_SETTING = /\/ssm\/parameter-store\/high-throughput-enabled$/;

/** Where an ExternalSecret reads from. */
export const Backend = {
    SecretsManager: "Secrets Manager",
    ParameterStore: "Parameter Store",
    Vault: "Vault",
    Unknown: "unknown store",
} as const;
export type Backend = (typeof Backend)[keyof typeof Backend];

/** One ExternalSecret's share of the bill. */
export interface ExternalSecretCost {
    /** `namespace/name`. */
    readonly name: string;
    readonly urn?: string;
    readonly backend: Backend;
    /** As written (or the CRD's default), e.g. `1h`. */
    readonly refreshInterval: string;
    /** Seconds between refreshes; 0 when it never refreshes (refreshInterval 0, or refreshPolicy not Periodic). */
    readonly intervalSeconds: number;
    /** Refreshes a month (the read when the Secret is first created is a one-off, not counted). */
    readonly refreshesPerMonth: number;
    /** Provider calls per refresh: one per distinct remote key of `data`, one per `dataFrom` entry. */
    readonly callsPerRefresh: number;
    readonly apiCallsPerMonth: number;
    /** KMS Decrypt requests a month: one per read of a secret under a customer managed key. */
    readonly kmsRequestsPerMonth: number;
    readonly monthlyUsd: number;
}

/** One line of the estimate. */
export interface CostLine {
    readonly item: string;
    readonly quantity: number;
    /** What quantity counts (`secret-month`, `10,000 calls`). */
    readonly unit: string;
    readonly unitPriceUsd: number;
    readonly monthlyUsd: number;
}

export interface SecretsCostEstimate {
    readonly lines: readonly CostLine[];
    readonly externalSecrets: readonly ExternalSecretCost[];
    readonly totalUsd: number;
    /** What the figures assume, in words, for whoever reads them. */
    readonly assumptions: readonly string[];
    readonly prices: PriceTable;
}

function plain(value: unknown): unknown {
    const unwrapped = unwrapSecret(value);
    return isUnknown(unwrapped) ? undefined : unwrapped;
}

function text(value: unknown): string | undefined {
    const v = plain(value);
    return typeof v === "string" ? v : undefined;
}

function record(value: unknown): Record<string, any> | undefined {
    const v = plain(value);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
}

function list(value: unknown): unknown[] {
    const v = plain(value);
    return Array.isArray(v) ? v : [];
}

/** `metadata.namespace/metadata.name` of a Kubernetes resource, else its Pulumi name. */
function objectName(resource: CostResource): { namespace: string; name: string } {
    const metadata = record(resource.props.metadata);
    return { namespace: text(metadata?.namespace) ?? "default", name: text(metadata?.name) ?? resource.name };
}

function storeBackend(store: CostResource | undefined): Backend {
    if (store === undefined) return Backend.Unknown;
    const provider = record(record(store.props.spec)?.provider);
    if (provider === undefined) return Backend.Unknown;
    if (provider.vault !== undefined) return Backend.Vault;
    const service = text(record(provider.aws)?.service);
    if (service === "SecretsManager") return Backend.SecretsManager;
    if (service === "ParameterStore") return Backend.ParameterStore;
    return Backend.Unknown;
}

/** The remote keys an ExternalSecret reads each refresh: distinct `data` keys (with version), then `dataFrom`. */
function remoteReads(spec: Record<string, any>): { keys: string[]; calls: number } {
    const distinct = new Map<string, string>();
    for (const entry of list(spec.data)) {
        const ref = record(record(entry)?.remoteRef);
        const key = text(ref?.key);
        if (key !== undefined) distinct.set(JSON.stringify([key, text(ref?.version) ?? null]), key);
    }
    const keys = [...distinct.values()];
    for (const entry of list(spec.dataFrom)) keys.push(text(record(record(entry)?.extract)?.key) ?? "");
    return { keys, calls: keys.length };
}

/** Rotations a month of a SecretRotation: `automaticallyAfterDays`, or a `rate(...)` schedule; cron counts once. */
function rotationsPerMonth(rotation: CostResource, assumptions: Set<string>): number {
    const rules = record(rotation.props.rotationRules);
    const days = plain(rules?.automaticallyAfterDays);
    if (typeof days === "number" && days > 0) return HOURS_PER_MONTH / (days * 24);
    const schedule = text(rules?.scheduleExpression);
    const rate = schedule === undefined ? null : /^rate\((\d+) (hour|hours|day|days)\)$/.exec(schedule);
    if (rate) {
        const hours = Number(rate[1]) * (rate[2].startsWith("day") ? 24 : 1);
        return HOURS_PER_MONTH / hours;
    }
    assumptions.add(
        "A rotation schedule given as a cron expression (or not known before the update) counts as one rotation a month.",
    );
    return 1;
}

/** A KMS key id of an AWS managed key (`alias/aws/...`), which costs nothing to keep. */
function awsManagedKey(keyId: string | undefined): boolean {
    return keyId !== undefined && /(^|:)alias\/aws\//.test(keyId);
}

/**
 * The monthly estimate for `resources` (one env's stack). Every figure is derived from the resources and
 * the price table; what the resources cannot say is an assumption, listed in the result.
 */
export function estimateSecretsCost(
    resources: readonly CostResource[],
    prices: PriceTable = PRICES,
): SecretsCostEstimate {
    const assumptions = new Set<string>([
        `A month is ${HOURS_PER_MONTH} hours; each ExternalSecret reads its store once per refresh interval (the first read, when the Secret is created, is a one-off).`,
        "External Secrets reads each distinct remote key of `data` once per refresh, and each `dataFrom` entry with one call.",
        "Each Secrets Manager or Parameter Store SecureString read under a customer managed key is one KMS Decrypt request.",
        "Free tiers, data transfer, replicas in other regions, the rotation function's Lambda and the KMS cost of rotated key material are left out.",
    ]);
    const secrets = resources.filter((r) => r.type === SECRETS_MANAGER_SECRET);
    const parameters = resources.filter((r) => r.type === SSM_PARAMETER);
    const keys = resources.filter((r) => KMS_KEY_TYPES.has(r.type));
    const rotations = resources.filter((r) => r.type === SECRETS_MANAGER_ROTATION);
    const stores = resources.filter((r) => SECRET_STORE.test(r.type));
    const highThroughput = resources.some(
        (r) =>
            r.type === SSM_SERVICE_SETTING &&
            HIGH_THROUGHPUT_SETTING.test(text(r.props.settingId) ?? "") &&
            text(r.props.settingValue) === "true",
    );

    // A key not known before the update is the env's key, which EnvironmentKey creates customer managed.
    const secretKeyByName = new Map<string, string | undefined>();
    for (const secret of secrets) {
        const name = text(secret.props.name) ?? secret.name;
        const keyId = unwrapSecret(secret.props.kmsKeyId);
        secretKeyByName.set(name, isUnknown(keyId) ? "unknown customer managed key" : text(keyId));
    }
    const parameterByName = new Map<string, CostResource>();
    for (const parameter of parameters) parameterByName.set(text(parameter.props.name) ?? parameter.name, parameter);

    /** Whether a read of `key` from `backend` costs a KMS Decrypt under a customer managed key. */
    const decrypts = (backend: Backend, key: string): boolean => {
        if (backend === Backend.SecretsManager) {
            if (!secretKeyByName.has(key)) {
                assumptions.add(
                    "A remote key that is no secret of this stack is taken to be encrypted with a customer managed key, as aws-secret-customer-key requires.",
                );
                return true;
            }
            const keyId = secretKeyByName.get(key);
            return keyId !== undefined && !awsManagedKey(keyId);
        }
        if (backend === Backend.ParameterStore) {
            const parameter = parameterByName.get(key);
            if (parameter === undefined) return false;
            return text(parameter.props.type) === "SecureString" && !awsManagedKey(text(parameter.props.keyId));
        }
        return false;
    };

    const externalSecrets: ExternalSecretCost[] = [];
    let secretsManagerCalls = 0;
    let parameterStoreCalls = 0;
    let kmsRequests = 0;
    const callPrice = (backend: Backend): number =>
        backend === Backend.SecretsManager
            ? prices.secretsManager.apiCallsPer10kUsd / 10_000
            : backend === Backend.ParameterStore
              ? (highThroughput
                    ? prices.parameterStore.higherThroughputPer10kUsd
                    : prices.parameterStore.standardThroughputPer10kUsd) / 10_000
              : 0;
    const kmsPrice = prices.kms.requestsPer10kUsd / 10_000;

    for (const resource of resources.filter((r) => EXTERNAL_SECRET.test(r.type))) {
        const { namespace, name } = objectName(resource);
        const spec = record(resource.props.spec) ?? {};
        const storeRef = record(spec.secretStoreRef);
        const storeKind = text(storeRef?.kind) ?? "SecretStore";
        const storeName = text(storeRef?.name);
        const store = stores.find((candidate) => {
            const id = objectName(candidate);
            const cluster = candidate.type.endsWith(":ClusterSecretStore");
            return (
                id.name === storeName &&
                (storeKind === "ClusterSecretStore" ? cluster : !cluster && id.namespace === namespace)
            );
        });
        const backend = storeBackend(store);
        if (backend === Backend.Unknown) {
            assumptions.add(
                "An ExternalSecret whose store is not in the stack (or reads another provider) is listed but not priced.",
            );
        }
        const written = text(spec.refreshInterval);
        const refreshInterval = written ?? EXTERNAL_SECRET_DEFAULT_REFRESH;
        let intervalSeconds = refreshIntervalSeconds(refreshInterval);
        if (intervalSeconds === undefined) {
            assumptions.add(
                `A refresh interval the estimate cannot read (sub-second units) counts as the CRD's default, ${EXTERNAL_SECRET_DEFAULT_REFRESH}.`,
            );
            intervalSeconds = refreshIntervalSeconds(EXTERNAL_SECRET_DEFAULT_REFRESH)!;
        }
        const policy = text(spec.refreshPolicy);
        if (policy !== undefined && policy !== "Periodic") intervalSeconds = 0;
        const refreshesPerMonth = intervalSeconds > 0 ? (HOURS_PER_MONTH * 3600) / intervalSeconds : 0;
        const reads = remoteReads(spec);
        const apiCallsPerMonth = refreshesPerMonth * reads.calls;
        const decrypting = reads.keys.filter((key) => decrypts(backend, key)).length;
        const kmsRequestsPerMonth = refreshesPerMonth * decrypting;
        if (backend === Backend.SecretsManager) secretsManagerCalls += apiCallsPerMonth;
        if (backend === Backend.ParameterStore) parameterStoreCalls += apiCallsPerMonth;
        kmsRequests += kmsRequestsPerMonth;
        externalSecrets.push({
            name: `${namespace}/${name}`,
            urn: resource.urn,
            backend,
            refreshInterval,
            intervalSeconds,
            refreshesPerMonth,
            callsPerRefresh: reads.calls,
            apiCallsPerMonth,
            kmsRequestsPerMonth,
            monthlyUsd: apiCallsPerMonth * callPrice(backend) + kmsRequestsPerMonth * kmsPrice,
        });
    }

    let rotationCalls = 0;
    for (const rotation of rotations) rotationCalls += rotationsPerMonth(rotation, assumptions) * CALLS_PER_ROTATION;
    if (rotations.length > 0) {
        assumptions.add(`Each scheduled rotation makes ${CALLS_PER_ROTATION} Secrets Manager calls.`);
    }

    const advanced = parameters.filter((p) => text(p.props.tier) === "Advanced").length;
    const lines: CostLine[] = [];
    const line = (item: string, quantity: number, unit: string, unitPriceUsd: number) => {
        if (quantity > 0) lines.push({ item, quantity, unit, unitPriceUsd, monthlyUsd: quantity * unitPriceUsd });
    };
    line("Secrets Manager secrets", secrets.length, "secret-month", prices.secretsManager.secretMonthUsd);
    line(
        "Secrets Manager API calls (External Secrets refreshes)",
        secretsManagerCalls / 10_000,
        "10,000 calls",
        prices.secretsManager.apiCallsPer10kUsd,
    );
    line(
        "Secrets Manager API calls (rotations)",
        rotationCalls / 10_000,
        "10,000 calls",
        prices.secretsManager.apiCallsPer10kUsd,
    );
    line(
        "Parameter Store standard parameters",
        parameters.length - advanced,
        "parameter-month",
        prices.parameterStore.standardParameterMonthUsd,
    );
    line(
        "Parameter Store advanced parameters",
        advanced,
        "parameter-month",
        prices.parameterStore.advancedParameterMonthUsd,
    );
    line(
        `Parameter Store API calls (${highThroughput ? "higher" : "standard"} throughput)`,
        parameterStoreCalls / 10_000,
        "10,000 calls",
        highThroughput
            ? prices.parameterStore.higherThroughputPer10kUsd
            : prices.parameterStore.standardThroughputPer10kUsd,
    );
    line("KMS customer managed keys", keys.length, "key-month", prices.kms.customerKeyMonthUsd);
    line("KMS requests (Decrypt on each read)", kmsRequests / 10_000, "10,000 requests", prices.kms.requestsPer10kUsd);

    return {
        lines,
        externalSecrets,
        totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
        assumptions: [...assumptions],
        prices,
    };
}

/** `$1.23`, or `$0.0042` below a cent, so that a small line does not read as free. */
export function formatUsd(amount: number): string {
    if (amount === 0) return "$0.00";
    return amount < 0.01 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

/** The ExternalSecrets that refresh most often, shortest interval first (never-refreshing ones last). */
export function shortestIntervals(estimate: SecretsCostEstimate, count = 3): ExternalSecretCost[] {
    const order = (e: ExternalSecretCost) => (e.intervalSeconds === 0 ? Number.POSITIVE_INFINITY : e.intervalSeconds);
    return [...estimate.externalSecrets]
        .sort((a, b) => order(a) - order(b) || b.monthlyUsd - a.monthlyUsd)
        .slice(0, count);
}

/** `3 secret-month x $0.40`, or `2190 calls at $0.05 per 10,000`. */
export function describeQuantity(line: CostLine): string {
    const per = "10,000 ";
    if (line.unit.startsWith(per)) {
        return `${Math.round(line.quantity * 10_000)} ${line.unit.slice(per.length)} at ${formatUsd(line.unitPriceUsd)} per 10,000`;
    }
    return `${+line.quantity.toFixed(4)} ${line.unit} x ${formatUsd(line.unitPriceUsd)}`;
}

/** The estimate as text lines, for the plan's output. */
export function formatEstimate(estimate: SecretsCostEstimate, budgetUsd?: number): string[] {
    const out: string[] = [];
    for (const l of estimate.lines) out.push(`  ${l.item}: ${describeQuantity(l)} = ${formatUsd(l.monthlyUsd)}`);
    if (estimate.lines.length === 0) out.push("  nothing priced: no secrets, parameters, keys or ExternalSecrets");
    const budget =
        budgetUsd === undefined
            ? ""
            : ` (budget ${formatUsd(budgetUsd)}${estimate.totalUsd > budgetUsd ? ", EXCEEDED" : ""})`;
    out.push(`  total: ${formatUsd(estimate.totalUsd)} a month${budget}`);
    for (const e of estimate.externalSecrets) {
        out.push(
            `    ExternalSecret ${e.name}: ${e.backend}, every ${e.intervalSeconds === 0 ? "never (created once)" : e.refreshInterval}, ` +
                `${Math.round(e.apiCallsPerMonth)} calls and ${Math.round(e.kmsRequestsPerMonth)} KMS requests a month = ${formatUsd(e.monthlyUsd)}`,
        );
    }
    out.push(`  prices of ${estimate.prices.checked} (${estimate.prices.region}); assumptions:`);
    for (const assumption of estimate.assumptions) out.push(`    - ${assumption}`);
    return out;
}
