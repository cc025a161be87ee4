/**
 * Defaults Kyverno writes at admission (a MutatingPolicy), generated from the same baseline facts as the
 * validating rules they agree with.
 */
import {
    CelMatchCondition,
    KYVERNO_POLICIES_API_VERSION,
    managedLabels,
    MatchConstraints,
    ObjectMetadata,
} from "./manifests";
import { PolicyScope, runsAsOneOf, scopedPolicyName, scopeNamespaceSelector, ServiceAccountRef } from "./policies";

/** The name of the MutatingPolicy that defaults Pods to mounting no API token. */
export const DEFAULT_NO_TOKEN_AUTOMOUNT = "baseline-default-no-token-automount";

export interface ApplyConfigurationMutation {
    patchType: "ApplyConfiguration";
    applyConfiguration: { expression: string };
}

export interface MutatingPolicySpec {
    failurePolicy: string;
    matchConstraints: MatchConstraints;
    matchConditions: CelMatchCondition[];
    reinvocationPolicy: string;
    mutations: ApplyConfigurationMutation[];
}

export interface MutatingPolicyManifest {
    apiVersion: string;
    kind: "MutatingPolicy";
    metadata: ObjectMetadata;
    spec: MutatingPolicySpec;
}

/**
 * The MutatingPolicy that sets `automountServiceAccountToken: false` on a Pod that leaves the field unset
 * and whose ServiceAccount is not one of `apiAccessServiceAccounts` (those declared to call the Kubernetes
 * API). It agrees with baseline-restrict-service-account-token: the Pod it writes is one that rule admits
 * (unless the Pod also projects an API token, which the rule still refuses), and a Pod that says either value
 * itself, or runs as a declared ServiceAccount, is left as written. Only Pods at CREATE: the field cannot change
 * afterwards, and Pulumi declares the controllers, whose templates are left as the program wrote them.
 * It fails open (Ignore): a default not written is one the validating rule still reports.
 */
export function tokenAutomountDefaultPolicy(
    apiAccessServiceAccounts: readonly ServiceAccountRef[],
    scope: PolicyScope,
): MutatingPolicyManifest {
    const matchConditions: CelMatchCondition[] = [
        { name: "field-unset", expression: "!has(object.spec.automountServiceAccountToken)" },
    ];
    if (apiAccessServiceAccounts.length > 0) {
        matchConditions.push({
            name: "not-api-service-account",
            expression: `!(${runsAsOneOf(apiAccessServiceAccounts)})`,
        });
    }
    return {
        apiVersion: KYVERNO_POLICIES_API_VERSION,
        kind: "MutatingPolicy",
        metadata: {
            name: scopedPolicyName(DEFAULT_NO_TOKEN_AUTOMOUNT, scope),
            labels: managedLabels(),
            annotations: {
                "policies.kyverno.io/title": "Default No ServiceAccount Token Automount",
                "policies.kyverno.io/description":
                    "Pods that leave automountServiceAccountToken unset and do not run as a ServiceAccount " +
                    "declared to call the Kubernetes API are given automountServiceAccountToken: false.",
            },
        },
        spec: {
            failurePolicy: "Ignore",
            matchConstraints: {
                resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                namespaceSelector: scopeNamespaceSelector(scope),
            },
            matchConditions,
            reinvocationPolicy: "Never",
            mutations: [
                {
                    patchType: "ApplyConfiguration",
                    applyConfiguration: {
                        expression: "Object{spec: Object.spec{automountServiceAccountToken: false}}",
                    },
                },
            ],
        },
    };
}
