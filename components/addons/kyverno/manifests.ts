/**
 * The shapes of the Kyverno objects this package emits, as plain data (what a Pulumi CustomResource takes
 * and what the CrossGuard pack and the tests read). Field names follow the upstream CRDs of Kyverno v1.19.0
 * (`policies.kyverno.io/v1`).
 */
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, NAMESPACE_NAME_LABEL } from "../../baseline";

/** The API version of Kyverno's CEL policy types and their exceptions. */
export const KYVERNO_POLICIES_API_VERSION = "policies.kyverno.io/v1";

export interface ObjectMetadata {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
    key: string;
    operator: string;
    values: string[];
}

export interface NamespaceSelector {
    matchExpressions: LabelSelectorRequirement[];
}

/** An admission rule: which API resources and operations a policy sees. */
export interface ResourceRule {
    apiGroups: string[];
    apiVersions: string[];
    operations: string[];
    resources: string[];
}

export interface MatchConstraints {
    resourceRules: ResourceRule[];
    namespaceSelector: NamespaceSelector;
}

/** A named CEL condition that must hold for a policy (or an exception) to apply. */
export interface CelMatchCondition {
    name: string;
    expression: string;
}

/** A CEL expression that must evaluate to true, and what to tell the user when it does not. */
export interface CelValidation {
    expression: string;
    message: string;
}

export interface AutogenConfiguration {
    /** Kyverno's names of the pod controllers to derive the rule for (`deployments`, `cronjobs`, ...). */
    podControllers?: { controllers: string[] };
    validatingAdmissionPolicy: { enabled: boolean };
}

export interface ValidatingPolicySpec {
    validationActions: string[];
    failurePolicy: string;
    matchConstraints: MatchConstraints;
    matchConditions?: CelMatchCondition[];
    autogen: AutogenConfiguration;
    validations: CelValidation[];
}

export interface ValidatingPolicyManifest {
    apiVersion: string;
    kind: "ValidatingPolicy";
    metadata: ObjectMetadata;
    spec: ValidatingPolicySpec;
}

export interface CosignAttestor {
    name: string;
    cosign: {
        keyless?: { identities: { issuer: string; subject: string }[] };
        key?: { data: string };
    };
}

export interface ImageValidatingPolicySpec {
    validationActions: string[];
    failurePolicy: string;
    webhookConfiguration: { timeoutSeconds: number };
    matchConstraints: MatchConstraints;
    autogen: { podControllers: { controllers: string[] } };
    matchImageReferences: { glob: string }[];
    validationConfigurations: { mutateDigest: boolean; verifyDigest: boolean; required: boolean };
    attestors: CosignAttestor[];
    validations: CelValidation[];
}

export interface ImageValidatingPolicyManifest {
    apiVersion: string;
    kind: "ImageValidatingPolicy";
    metadata: ObjectMetadata;
    spec: ImageValidatingPolicySpec;
}

export interface PolicyRef {
    name: string;
    kind: string;
}

export interface PolicyExceptionSpec {
    policyRefs: PolicyRef[];
    matchConditions: CelMatchCondition[];
    /** When the exception stops applying; absent only on the runtime security sensor's standing exception. */
    expiresAt?: string;
    properties: Record<string, string>;
}

export interface PolicyExceptionManifest {
    apiVersion: string;
    kind: "PolicyException";
    metadata: ObjectMetadata;
    spec: PolicyExceptionSpec;
}

/** Any Kyverno object this package emits. */
export type KyvernoManifest = ValidatingPolicyManifest | ImageValidatingPolicyManifest | PolicyExceptionManifest;

/** The label every object this package manages carries. */
export function managedLabels(): Record<string, string> {
    return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
}

/**
 * Selects every namespace but `excluded`. `kubernetes.io/metadata.name` is set by the API server on every
 * namespace and cannot be changed by its users, unlike a hand-set `name` label, so a team cannot opt its
 * namespace out by relabelling it. For a Namespace object itself the selector reads the object's own labels,
 * so the excluded namespaces are also spared the namespace rules.
 */
export function namespacesExcept(excluded: readonly string[]): NamespaceSelector {
    return { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: [...excluded] }] };
}
