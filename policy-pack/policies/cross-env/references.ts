/**
 * Cross-environment references: a resource of one env that names another env's prefix, key, namespace, role
 * or Vault path. Only the fields that name such things are read, per type (a table built at module load), so
 * the cost per resource is a few string splits; free text such as descriptions is not read.
 */
import {
    ClusterTopology,
    Environment,
    isEnvironment,
    isEnvironmentScopedName,
    otherEnvironmentsNamedIn,
} from "../../../components/baseline";
import { documentAt, namedStrings } from "../aws/documents";
import { describeResource, envOf, isUnknown, kubernetesKindOf, topologyOf } from "../resource";
import { EnforcementLevel, PolicyResource, Reporter, ResourcePolicy, Severity } from "../types";

/**
 * How a field is read: `name` splits an identifier, ARN, path or URL into words; `document` reads an IAM or
 * key policy's principals, resources and condition values; `text` reads the quoted strings of a Vault
 * policy (its paths); `env` is an
 * env label or tag, which must be the resource's env; `clusterIssuer` names a ClusterIssuer, read as `name`
 * and, on a shared cluster, env-scoped (the env's own issuer).
 */
type FieldKind = "name" | "document" | "text" | "env" | "clusterIssuer";

interface Field {
    readonly kind: FieldKind;
    /** Property names from the resource's inputs; arrays on the way are walked element by element. */
    readonly segments: readonly string[];
    /** Read only when this holds of the inputs (a Certificate's issuerRef names a ClusterIssuer). */
    readonly when?: (props: Record<string, any>) => boolean;
}

function name(...segments: string[]): Field {
    return { kind: "name", segments };
}
function document(...segments: string[]): Field {
    return { kind: "document", segments };
}
const ENV_TAG: Field = { kind: "env", segments: ["tags", "env"] };
const ENV_LABEL: Field = { kind: "env", segments: ["metadata", "labels", "env"] };

/** Fields of the AWS and Vault resources that name env-scoped things. */
const FIELDS_BY_TYPE: ReadonlyMap<string, readonly Field[]> = new Map<string, Field[]>([
    [
        "aws:iam/role:Role",
        [
            name("name"),
            name("namePrefix"),
            name("permissionsBoundary"),
            name("managedPolicyArns"),
            document("assumeRolePolicy"),
            document("inlinePolicies", "policy"),
            ENV_TAG,
        ],
    ],
    ["aws:iam/rolePolicy:RolePolicy", [name("name"), name("role"), document("policy")]],
    ["aws:iam/policy:Policy", [name("name"), name("namePrefix"), document("policy"), ENV_TAG]],
    ["aws:iam/userPolicy:UserPolicy", [name("name"), document("policy")]],
    ["aws:iam/groupPolicy:GroupPolicy", [name("name"), document("policy")]],
    ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", [name("role"), name("policyArn")]],
    ["aws:kms/key:Key", [document("policy"), ENV_TAG]],
    ["aws:kms/keyPolicy:KeyPolicy", [name("keyId"), document("policy")]],
    ["aws:kms/replicaKey:ReplicaKey", [name("primaryKeyArn"), document("policy"), ENV_TAG]],
    ["aws:kms/alias:Alias", [name("name"), name("namePrefix"), name("targetKeyId")]],
    ["aws:kms/grant:Grant", [name("keyId"), name("granteePrincipal"), name("retiringPrincipal")]],
    [
        "aws:secretsmanager/secret:Secret",
        [name("name"), name("namePrefix"), name("kmsKeyId"), name("replicas", "kmsKeyId"), document("policy"), ENV_TAG],
    ],
    ["aws:secretsmanager/secretPolicy:SecretPolicy", [name("secretArn"), document("policy")]],
    ["aws:secretsmanager/secretVersion:SecretVersion", [name("secretId")]],
    ["aws:secretsmanager/secretRotation:SecretRotation", [name("secretId"), name("rotationLambdaArn")]],
    [
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        [name("clusterName"), name("namespace"), name("roleArn"), name("targetRoleArn"), ENV_TAG],
    ],
    [
        "aws:eks/cluster:Cluster",
        [name("name"), name("roleArn"), name("encryptionConfig", "provider", "keyArn"), ENV_TAG],
    ],
    ["vault:index/policy:Policy", [name("name"), { kind: "text", segments: ["policy"] }]],
    [
        "vault:kubernetes/authBackendRole:AuthBackendRole",
        [name("backend"), name("roleName"), name("boundServiceAccountNamespaces"), name("tokenPolicies")],
    ],
    ["vault:index/mount:Mount", [name("path")]],
    ["vault:index/authBackend:AuthBackend", [name("path")]],
    ["vault:kubernetes/authBackendConfig:AuthBackendConfig", [name("backend"), name("kubernetesHost")]],
    ["vault:kv/secretV2:SecretV2", [name("mount"), name("name")]],
    ["kubernetes:helm.sh/v4:Chart", [name("namespace")]],
    ["kubernetes:helm.sh/v3:Release", [name("namespace")]],
]);

/** Every Kubernetes object: its namespace and its env label. */
const KUBERNETES_FIELDS: readonly Field[] = [name("metadata", "namespace"), ENV_LABEL];

const SECRET_STORE_FIELDS: readonly Field[] = [
    name("spec", "provider", "aws", "role"),
    name("spec", "provider", "aws", "auth", "jwt", "serviceAccountRef", "namespace"),
    name("spec", "provider", "vault", "server"),
    name("spec", "provider", "vault", "path"),
    name("spec", "provider", "vault", "namespace"),
    name("spec", "provider", "vault", "auth", "kubernetes", "mountPath"),
    name("spec", "provider", "vault", "auth", "kubernetes", "role"),
    name("spec", "provider", "vault", "auth", "kubernetes", "serviceAccountRef", "namespace"),
];

/** The cert-manager annotations of an Ingress or a Gateway (ingress-shim and gateway-shim read the same). */
const ISSUER_ANNOTATION_FIELDS: readonly Field[] = [
    { kind: "clusterIssuer", segments: ["metadata", "annotations", "cert-manager.io/cluster-issuer"] },
    name("metadata", "annotations", "cert-manager.io/issuer"),
];

/** A Certificate's issuerRef: its name, and, when its kind is ClusterIssuer, a ClusterIssuer it names. */
const CERTIFICATE_FIELDS: readonly Field[] = [
    name("spec", "issuerRef", "name"),
    {
        kind: "clusterIssuer",
        segments: ["spec", "issuerRef", "name"],
        when: (props) => props.spec?.issuerRef?.kind === "ClusterIssuer",
    },
];

const ISSUER_FIELDS: readonly Field[] = [
    name("spec", "acme", "server"),
    name("spec", "acme", "privateKeySecretRef", "name"),
    name("spec", "acme", "solvers", "dns01", "route53", "role"),
];

/** Namespace selectors of a NetworkPolicy: the namespaces (or env labels) its traffic may come from or go to. */
const NETWORK_POLICY_FIELDS: readonly Field[] = ["ingress", "egress"].flatMap((direction) => {
    const peers = direction === "ingress" ? "from" : "to";
    return [
        name("spec", direction, peers, "namespaceSelector", "matchLabels"),
        name("spec", direction, peers, "namespaceSelector", "matchExpressions", "values"),
    ];
});

/** Fields of Kubernetes kinds, beyond KUBERNETES_FIELDS. */
const EXTRA_FIELDS_BY_KIND: ReadonlyMap<string, readonly Field[]> = new Map<string, readonly Field[]>([
    ["Namespace", [name("metadata", "name")]],
    ["ServiceAccount", [name("metadata", "annotations", "eks.amazonaws.com/role-arn")]],
    [
        "ExternalSecret",
        [
            name("spec", "data", "remoteRef", "key"),
            name("spec", "dataFrom", "extract", "key"),
            name("spec", "dataFrom", "find", "path"),
        ],
    ],
    ["SecretStore", SECRET_STORE_FIELDS],
    ["ClusterSecretStore", SECRET_STORE_FIELDS],
    ["RoleBinding", [name("subjects", "namespace")]],
    ["ClusterRoleBinding", [name("subjects", "namespace")]],
    ["NetworkPolicy", NETWORK_POLICY_FIELDS],
    ["ClusterIssuer", [name("metadata", "name"), ...ISSUER_FIELDS]],
    ["Issuer", ISSUER_FIELDS],
    ["Certificate", CERTIFICATE_FIELDS],
    ["Ingress", ISSUER_ANNOTATION_FIELDS],
    ["Gateway", ISSUER_ANNOTATION_FIELDS],
]);

/** Every field of each Kubernetes kind with fields of its own. */
const FIELDS_BY_KIND: ReadonlyMap<string, readonly Field[]> = new Map(
    [...EXTRA_FIELDS_BY_KIND].map(([kind, extra]) => [kind, [...KUBERNETES_FIELDS, ...extra]]),
);

/** The fields `resource` is read at, or undefined for a type that names nothing env-scoped. */
function fieldsOf(resource: PolicyResource): readonly Field[] | undefined {
    const fields = FIELDS_BY_TYPE.get(resource.type);
    if (fields) return fields;
    const kind = kubernetesKindOf(resource.type)?.kind;
    if (kind === undefined) return undefined;
    return FIELDS_BY_KIND.get(kind) ?? KUBERNETES_FIELDS;
}

/** Calls `visit` with every value at `segments`, walking arrays, with the path it was found at. */
function walk(
    value: unknown,
    segments: readonly string[],
    at: number,
    path: string,
    visit: (path: string, value: unknown) => void,
): void {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
        value.forEach((item, i) => walk(item, segments, at, `${path}[${i}]`, visit));
        return;
    }
    if (at === segments.length || isUnknown(value)) {
        visit(path, value);
        return;
    }
    if (typeof value !== "object") return;
    const key = segments[at];
    const child = (value as Record<string, unknown>)[key];
    walk(
        child,
        segments,
        at + 1,
        /^[A-Za-z0-9_]+$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`,
        visit,
    );
}

/** Envs other than `env` that `value` names as a whole word; case and punctuation do not hide one. */
export function otherEnvironmentsIn(value: string, env: Environment): Environment[] {
    return otherEnvironmentsNamedIn(value.toLowerCase().replace(/[^a-z0-9]+/g, "-"), env);
}

const QUOTED = /"((?:[^"\\\n]|\\.)*)"/g;

class Scan {
    private readonly reported = new Set<string>();

    constructor(
        private readonly resource: PolicyResource,
        private readonly env: Environment,
        private readonly topology: ClusterTopology,
        private readonly report: Reporter,
    ) {}

    field(field: Field): void {
        if (field.when && !field.when(this.resource.props)) return;
        walk(this.resource.props, field.segments, 0, "", (path, value) => {
            if (isUnknown(value)) return this.report.unknown(path);
            switch (field.kind) {
                case "document": {
                    const statements = documentAt(value, path, this.report);
                    for (const statement of statements ?? []) {
                        for (const named of namedStrings(statement)) this.name(path, named);
                    }
                    return;
                }
                case "text":
                    // The quoted strings of a Vault policy: its paths (and capabilities, which name no env).
                    if (typeof value === "string") {
                        for (const match of value.matchAll(QUOTED)) this.name(path, match[1]);
                    }
                    return;
                case "clusterIssuer":
                    if (typeof value === "string") this.name(path, value);
                    if (typeof value === "string" && !isEnvironmentScopedName(value, this.env, this.topology)) {
                        this.violation(
                            `${path} ${JSON.stringify(value)} is not ${this.env}'s ClusterIssuer: on a cluster ${this.env} shares, its issuers carry ${this.env} in their name (environmentScopedName), and any other is another env's or the cluster's`,
                        );
                    }
                    return;
                case "env":
                    if (isEnvironment(value) && value !== this.env) {
                        this.violation(`${path} is ${value}, but the resource belongs to ${this.env}`);
                    }
                    return;
                default:
                    if (typeof value === "string") this.name(path, value);
                    else if (typeof value === "object") {
                        // A label map (matchLabels): its values name namespaces or envs.
                        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
                            if (isUnknown(item)) this.report.unknown(`${path}[${JSON.stringify(key)}]`);
                            else if (typeof item === "string") this.name(`${path}[${JSON.stringify(key)}]`, item);
                        }
                    }
            }
        });
    }

    private name(path: string, value: string): void {
        const others = otherEnvironmentsIn(value, this.env);
        if (others.length > 0) {
            this.violation(
                `${path} ${JSON.stringify(value)} names ${others.join(", ")} from the ${this.env} environment`,
            );
        }
    }

    private violation(message: string): void {
        if (this.reported.has(message)) return;
        this.reported.add(message);
        this.report.violation(`${describeResource(this.resource)}: ${message}`);
    }
}

/**
 * `cross-env-references`: a resource of one env names nothing of another: no `<project>-prod/` prefix in a
 * dev IAM policy, no other env's KMS alias, key policy principal, secret name, role ARN, namespace (of the
 * object, a binding subject or a NetworkPolicy peer), ExternalSecret remote key, SecretStore or Vault path or
 * role, ClusterIssuer, and no `env` label or tag of another env. On a shared cluster, a ClusterIssuer an
 * object refers to (a Certificate's issuerRef of kind ClusterIssuer, an Ingress's or a Gateway's
 * `cert-manager.io/cluster-issuer` annotation) is the env's own, env-scoped one (environmentScopedName). A name names an env when the env is one of
 * its words (split on anything but letters and digits, case-insensitively, as otherEnvironmentsNamedIn
 * splits): `shop-prod-payments` names prod, `acme-staging-v02` names no env (`staging` is not `stage`).
 * Runs only when the resource's env is known (pack config or stack name; never the resource's own labels). NetworkPolicy
 * namespace selectors are read whatever their key: `kubernetes.io/metadata.name` names a namespace, `env`
 * names an env. Unknowns: a field the check reads that is
 * unknown is reported as unknown; a policy document that is not JSON too.
 */
export const crossEnvReferences: ResourcePolicy = {
    kind: "resource",
    name: "cross-env-references",
    group: "cross-env",
    description:
        "Resources of one environment name no other environment's prefixes, keys, namespaces, roles or Vault paths.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Build every env-scoped name with the baseline naming helpers (secretPathPrefix, appResourceName, vaultSecretPrefix...) from this stack's env, and keep each env's stack to its own resources.",
    url: "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_securely_operate_multi_accounts.html",
    validate(resource, settings, report) {
        const fields = fieldsOf(resource);
        if (!fields) return;
        const env = envOf(resource, settings);
        if (env === undefined) return;
        const scan = new Scan(resource, env, topologyOf(settings, env), report);
        for (const field of fields) scan.field(field);
    },
};
