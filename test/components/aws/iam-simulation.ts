/**
 * Judges IAM and KMS policies by simulation with @cloud-copilot/iam-simulate (a test-only dependency), and
 * IRSA trust policies by evaluating their conditions against web identity tokens.
 */
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { PolicyDocument } from "../../../components/aws/iam";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface Request {
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly accountId: string;
    readonly context?: Record<string, string | string[]>;
}

/** The simulator's decision for `request` given the principal's identity policies and a resource policy. */
export async function simulate(
    request: Request,
    identityPolicies: readonly PolicyDocument[],
    resourcePolicy?: PolicyDocument,
): Promise<Decision> {
    const simulation: Simulation = {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: request.accountId },
            contextVariables: request.context ?? {},
        },
        identityPolicies: identityPolicies.map((policy, i) => ({ name: `policy-${i}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy,
    };
    const result = await runSimulation(simulation, { simulationMode: "Strict" });
    if (result.resultType === "error") {
        throw new Error(
            `simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(result.errors)}`,
        );
    }
    return result.overallResult as Decision;
}

/** The claims of a projected ServiceAccount token that matter to an IRSA trust policy. */
export interface WebIdentityToken {
    /** The OIDC provider the token is presented through (its issuer's IAM provider ARN). */
    readonly provider: string;
    readonly issuer: string;
    readonly sub: string;
    readonly aud: string;
}

function globMatch(pattern: string, value: string): boolean {
    const regex = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${regex}$`).test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
    StringEquals: (expected, actual) => expected === actual,
    StringLike: (expected, actual) => globMatch(expected, actual),
    StringNotEquals: (expected, actual) => expected !== actual,
};

/**
 * Whether `policy` lets `token` assume the role with sts:AssumeRoleWithWebIdentity. The simulator's Strict
 * mode has no data for `<issuer>:sub` and `<issuer>:aud` (they are per-cluster keys), so they are evaluated
 * here with IAM's semantics: every condition key must be present and match, StringLike globs, any unknown
 * operator denies.
 */
export function trustAllows(policy: PolicyDocument, token: WebIdentityToken): boolean {
    const claims: Record<string, string> = { [`${token.issuer}:sub`]: token.sub, [`${token.issuer}:aud`]: token.aud };
    return policy.Statement.some((statement) => {
        if (statement.Effect !== "Allow") return false;
        const actions = [statement.Action].flat();
        if (!actions.some((a) => a === "sts:AssumeRoleWithWebIdentity" || a === "sts:*" || a === "*")) return false;
        const federated = [statement.Principal?.Federated ?? []].flat();
        if (!federated.includes(token.provider)) return false;
        return Object.entries(statement.Condition ?? {}).every(([operator, conditions]) => {
            const test = OPERATORS[operator];
            if (!test) return false;
            return Object.entries(conditions).every(([key, expected]) => {
                const actual = claims[key];
                if (actual === undefined) return false;
                return [expected].flat().some((value) => test(value, actual));
            });
        });
    });
}
