/**
 * The RBAC isolation matrix: builds what a platform would (SecureNamespaces, WorkloadIdentities and the
 * teams' ClusterAccess for every env), collects every RBAC object and EKS access entry registered, and checks
 * each ServiceAccount, and each team's IAM role, against each declared Secret.
 * dev, stage and prod are on ONE cluster (one API server, one OIDC issuer), laid out as the shared layout
 * names them (components/baseline/topology.ts), so every env's objects meet every other env's.
 */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, resources, settled } from "../../mocks";
installMocks();
import { SecureNamespace, GroupAccessArgs } from "../../../components/kubernetes/secure-namespace";
import { WorkloadIdentity } from "../../../components/aws/workload-identity";
import { ClusterAccess, TeamAccessArgs } from "../../../components/aws/cluster-access";
import { clusterRoleFor } from "../../../components/kubernetes/rbac";
import { SecureEnvironment } from "../../../components/environment";
import { stackArgs } from "../../stacks/stack-config";
import {
    accessRoleOfEksPolicy,
    ClusterLayout,
    ClusterTopology,
    Environment,
    environmentGroupName,
    environmentNamespace,
    ENVIRONMENTS,
    NamespaceLayout,
    profileFor,
} from "../../../components/baseline";
import {
    ClusterRoleBindingObject,
    ClusterRoleObject,
    RbacEvaluator,
    RbacObject,
    Request,
    RoleBindingObject,
    RoleObject,
} from "./rbac-evaluator";

const PROJECT = "shop";
const ACCOUNT_ID = "123456789012";
const REGION = "eu-west-1";
const OIDC_ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const OIDC_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${OIDC_ISSUER}`;
const ENVIRONMENT_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const DEPLOYER = "ci-deployer";
/** dev, stage and prod on one cluster, a namespace per app and env. */
const ONE_CLUSTER: ClusterTopology = {
    layout: ClusterLayout.Shared,
    namespaceLayout: NamespaceLayout.PerApp,
    environments: [...ENVIRONMENTS],
    allowProdWithLowerEnvironments: true,
};
const RBAC = "rbac.authorization.k8s.io";
const RBAC_TYPES = new Map(
    ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"].map((kind) => [`kubernetes:${RBAC}/v1:${kind}`, kind]),
);

interface AppSpec {
    app: string;
    serviceAccountName?: string;
    secrets: string[];
}

interface NamespaceSpec {
    namespace: string;
    owner: string;
    access: GroupAccessArgs[];
    /** Secrets the namespace's CI deployer may read; no deployer when undefined. */
    deployerReads?: string[];
    apps: AppSpec[];
}

/** A team's group in `env`: `<team>-<env>`, as SecureNamespace binds it and the team's access entry sets it. */
const group = (team: string, env: Environment) => environmentGroupName(team, env, ONE_CLUSTER);

/** What the platform declares in one env. `pay` and `payments` share a namespace and differ by their Secrets. */
function platform(env: Environment): NamespaceSpec[] {
    const human = profileFor(env).maxHumanAccess;
    return [
        {
            namespace: environmentNamespace("payments", env, ONE_CLUSTER),
            owner: "team-payments",
            access: [
                { group: group("payments-devs", env), role: human },
                { group: group("auditors", env), role: "view" },
            ],
            deployerReads: ["payments-db"],
            apps: [
                { app: "pay", secrets: ["pay-api-key", "pay-webhook-signing"] },
                { app: "payments", secrets: ["payments-db", "payments-stripe", "db-credentials"] },
            ],
        },
        {
            namespace: environmentNamespace("orders", env, ONE_CLUSTER),
            owner: "team-orders",
            access: [{ group: group("orders-devs", env), role: "view" }],
            deployerReads: [],
            apps: [{ app: "orders", serviceAccountName: "orders-api", secrets: ["orders-db", "db-credentials"] }],
        },
    ];
}

interface ServiceAccountRef {
    namespace: string;
    name: string;
}

interface SecretRef {
    namespace: string;
    name: string;
}

const key = (ref: { namespace: string; name: string }) => `${ref.namespace}/${ref.name}`;

/** Every declared Secret, and for each declared ServiceAccount (`ns/name`) the Secrets it must be able to get. */
function declared(specs: NamespaceSpec[]): { secrets: SecretRef[]; own: Map<string, Set<string>> } {
    const secrets = new Map<string, SecretRef>();
    const own = new Map<string, Set<string>>();
    const give = (namespace: string, serviceAccount: string, names: string[]) => {
        const id = key({ namespace, name: serviceAccount });
        const set = own.get(id) ?? new Set<string>();
        for (const name of names) {
            set.add(name);
            secrets.set(key({ namespace, name }), { namespace, name });
        }
        own.set(id, set);
    };
    for (const spec of specs) {
        if (spec.deployerReads) give(spec.namespace, DEPLOYER, spec.deployerReads);
        for (const app of spec.apps) give(spec.namespace, app.serviceAccountName ?? app.app, app.secrets);
    }
    return { secrets: [...secrets.values()], own };
}

/** The IAM Identity Center role of `group`'s permission set. */
const ssoRole = (group: string) =>
    `arn:aws:iam::${ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/${REGION}/AWSReservedSSO_${group}_0123456789abcdef`;

/** The env's teams as ClusterAccess takes them: each group a namespace binds, in the namespaces it binds it. */
function teams(specs: NamespaceSpec[]): TeamAccessArgs[] {
    const byGroup = new Map<string, TeamAccessArgs>();
    for (const spec of specs) {
        for (const grant of spec.access) {
            const team = byGroup.get(grant.group) ?? {
                group: grant.group,
                principalArn: ssoRole(grant.group),
                namespaces: [],
                role: grant.role,
            };
            assert.equal(team.role, grant.role, `${grant.group} has one role in the env`);
            team.namespaces.push(spec.namespace);
            byGroup.set(grant.group, team);
        }
    }
    return [...byGroup.values()];
}

/** Creates the components, as a platform's stack would for every env. */
function build(specs: NamespaceSpec[], env: Environment): void {
    new ClusterAccess(`access-${env}`, {
        project: PROJECT,
        env,
        clusterName: "shop",
        accountId: ACCOUNT_ID,
        topology: ONE_CLUSTER,
        teams: teams(specs),
    });
    for (const spec of specs) {
        new SecureNamespace(spec.namespace, {
            project: PROJECT,
            env,
            namespace: spec.namespace,
            owner: spec.owner,
            access: spec.access,
            deployer: spec.deployerReads ? { readableSecrets: spec.deployerReads } : undefined,
        });
        for (const app of spec.apps) {
            new WorkloadIdentity(`${app.app}-${env}`, {
                project: PROJECT,
                env,
                app: app.app,
                namespace: spec.namespace,
                serviceAccountName: app.serviceAccountName,
                accountId: ACCOUNT_ID,
                region: REGION,
                oidcProviderArn: OIDC_PROVIDER_ARN,
                oidcIssuer: OIDC_ISSUER,
                environmentKeyArn: ENVIRONMENT_KEY_ARN,
                kubernetesSecretNames: app.secrets,
            });
        }
    }
}

const COLLECTION_READS = ["list", "watch"];
const WRITES_BY_NAME = ["update", "patch", "delete"];
const WRITES_OF_COLLECTION = ["create", "deletecollection"];

/**
 * The isolation matrix. For every ServiceAccount and every declared Secret: `get` is allowed exactly when the
 * Secret is in the ServiceAccount's namespace and is one of its own. For every ServiceAccount: no `list` or
 * `watch` of Secrets in any namespace or cluster-wide, and no Secret writes anywhere. Returns the violations.
 */
function isolationViolations(
    objects: readonly RbacObject[],
    serviceAccounts: readonly ServiceAccountRef[],
    secrets: readonly SecretRef[],
    own: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
    const evaluator = new RbacEvaluator(objects);
    const violations: string[] = [];
    const via = (request: Request) =>
        evaluator
            .grants(request, true)
            .map((g) => `${g.binding} -> ${g.role}`)
            .join(", ");
    const namespaces = [...new Set([...secrets, ...serviceAccounts].map((r) => r.namespace))].sort();
    for (const sa of serviceAccounts) {
        const who = `ServiceAccount ${key(sa)}`;
        const user = { kind: "ServiceAccount" as const, namespace: sa.namespace, name: sa.name };
        const request = (verb: string, namespace?: string, name?: string): Request => ({
            user,
            verb,
            apiGroup: "",
            resource: "secrets",
            namespace,
            name,
        });
        const mine = own.get(key(sa)) ?? new Set<string>();
        for (const secret of secrets) {
            const expected = secret.namespace === sa.namespace && mine.has(secret.name);
            const get = request("get", secret.namespace, secret.name);
            const actual = evaluator.allowed(get);
            if (actual && !expected) {
                const whose = secret.namespace === sa.namespace ? "not its own" : "in another namespace";
                violations.push(`${who} can get Secret ${key(secret)}, ${whose} (${via(get)})`);
            } else if (!actual && expected) {
                violations.push(`${who} cannot get its own Secret ${key(secret)}`);
            }
            for (const verb of WRITES_BY_NAME) {
                const write = request(verb, secret.namespace, secret.name);
                if (evaluator.allowed(write))
                    violations.push(`${who} can ${verb} Secret ${key(secret)} (${via(write)})`);
            }
        }
        for (const namespace of [...namespaces, undefined]) {
            const where = namespace ? `in ${namespace}` : "cluster-wide";
            for (const verb of [...COLLECTION_READS, ...WRITES_OF_COLLECTION]) {
                const collection = request(verb, namespace);
                if (evaluator.allowed(collection))
                    violations.push(`${who} can ${verb} Secrets ${where} (${via(collection)})`);
            }
        }
    }
    return violations;
}

/** A person signed in through a team's access entry: the role's user, in the entry's Kubernetes groups. */
interface AccessEntryUser {
    env: Environment;
    principalArn: string;
    groups: string[];
}

/**
 * The EKS authorizer's grants, as RBAC objects: an access policy association of AmazonEKS<Role>Policy scoped
 * to namespaces grants the principal what the built-in `<role>` ClusterRole grants in each (the view policy,
 * like `view`, no Secrets). An association of a policy no access role maps to is modelled as an undefined
 * ClusterRole, which the evaluator treats as granting everything.
 */
function accessPolicyBindings(associations: readonly Record<string, any>[]): RbacObject[] {
    return associations.flatMap((association, i) => {
        const role = accessRoleOfEksPolicy(association.policyArn);
        const roleName = role ? clusterRoleFor(role) : `eks-access-policy-${i}`;
        const subjects = [{ kind: "User", apiGroup: RBAC, name: association.principalArn }];
        const roleRef = { apiGroup: RBAC, kind: "ClusterRole", name: roleName };
        if (association.accessScope.type === "cluster") {
            return [
                { kind: "ClusterRoleBinding", metadata: { name: `eks-access-${i}` }, roleRef, subjects } as RbacObject,
            ];
        }
        return (association.accessScope.namespaces as string[]).map(
            (namespace) =>
                ({
                    kind: "RoleBinding",
                    metadata: { name: `eks-access-${i}`, namespace },
                    roleRef,
                    subjects,
                }) as RbacObject,
        );
    });
}

/** The env a namespace of ONE_CLUSTER belongs to. */
const envOfNamespace = (namespace: string) => ENVIRONMENTS.find((env) => namespace.endsWith(`-${env}`))!;

/**
 * For every access entry and every declared Secret of another env: no get, and no list, watch or write of
 * Secrets in any namespace of another env or cluster-wide. Returns the violations.
 */
function accessEntryViolations(
    objects: readonly RbacObject[],
    users: readonly AccessEntryUser[],
    secrets: readonly SecretRef[],
): string[] {
    const evaluator = new RbacEvaluator(objects);
    const violations: string[] = [];
    const namespaces = [...new Set(secrets.map((s) => s.namespace))].sort();
    for (const entry of users) {
        const user = { kind: "User" as const, name: entry.principalArn, groups: entry.groups };
        const who = `the ${entry.env} access entry of ${entry.groups.join(", ")}`;
        const request = (verb: string, namespace?: string, name?: string): Request => ({
            user,
            verb,
            apiGroup: "",
            resource: "secrets",
            namespace,
            name,
        });
        for (const secret of secrets.filter((s) => envOfNamespace(s.namespace) !== entry.env)) {
            for (const verb of ["get", ...WRITES_BY_NAME]) {
                if (evaluator.allowed(request(verb, secret.namespace, secret.name)))
                    violations.push(`${who} can ${verb} Secret ${key(secret)} of ${envOfNamespace(secret.namespace)}`);
            }
        }
        for (const namespace of [...namespaces.filter((ns) => envOfNamespace(ns) !== entry.env), undefined]) {
            for (const verb of [...COLLECTION_READS, ...WRITES_OF_COLLECTION]) {
                if (evaluator.allowed(request(verb, namespace)))
                    violations.push(`${who} can ${verb} Secrets ${namespace ? `in ${namespace}` : "cluster-wide"}`);
            }
        }
    }
    return violations;
}

interface Platform {
    objects: RbacObject[];
    /** The RBAC objects and the EKS access policies' grants, as one authorizer sees them. */
    withAccessPolicies: RbacObject[];
    accessEntries: AccessEntryUser[];
    serviceAccounts: ServiceAccountRef[];
    secrets: SecretRef[];
    own: Map<string, Set<string>>;
}

/** The matrix over a platform, with its objects replaced or extended. */
function violationsOf(platform: Platform, objects: RbacObject[] = platform.objects): string[] {
    return isolationViolations(objects, platform.serviceAccounts, platform.secrets, platform.own);
}

/** A copy of the platform's objects to widen, and the one object of `kind` named `name` in `namespace`. */
function copyWith<K extends RbacObject["kind"]>(
    platform: Platform,
    kind: K,
    namespace: string | undefined,
    name: string,
): { objects: RbacObject[]; target: Extract<RbacObject, { kind: K }> } {
    const objects = structuredClone(platform.objects);
    const found = objects.filter(
        (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
    );
    assert.equal(found.length, 1, `one ${kind} ${namespace}/${name}`);
    return { objects, target: found[0] as Extract<RbacObject, { kind: K }> };
}

/** The RBAC objects, ServiceAccounts and access entries registered since the last reset. */
function registered(): Omit<Platform, "secrets" | "own"> {
    const objects = resources()
        .filter((r) => RBAC_TYPES.has(r.type))
        .map((r) => {
            assert.equal(r.inputs.kind, RBAC_TYPES.get(r.type), r.name);
            return structuredClone(r.inputs) as RbacObject;
        });
    const serviceAccounts = ofType("kubernetes:core/v1:ServiceAccount").map((r) => ({
        namespace: r.inputs.metadata.namespace as string,
        name: r.inputs.metadata.name as string,
    }));
    const associations = ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((r) => r.inputs);
    const accessEntries = ofType("aws:eks/accessEntry:AccessEntry").map((r) => ({
        env: r.inputs.tags.env as Environment,
        principalArn: r.inputs.principalArn as string,
        groups: r.inputs.kubernetesGroups as string[],
    }));
    const withAccessPolicies = [...objects, ...accessPolicyBindings(associations)];
    return { objects, withAccessPolicies, accessEntries, serviceAccounts };
}

describe("RBAC isolation matrix", () => {
    let real: Platform;

    before(async () => {
        resetResources();
        const specs = ENVIRONMENTS.map((env) => ({ env, specs: platform(env) }));
        for (const { env, specs: envSpecs } of specs) build(envSpecs, env);
        await settled();
        const { objects, withAccessPolicies, accessEntries, serviceAccounts } = registered();
        const { secrets, own } = declared(specs.flatMap((s) => s.specs));
        real = { objects, withAccessPolicies, accessEntries, serviceAccounts, secrets, own };
        resetResources();
    });

    it("covers every env, every declared ServiceAccount and every declared Secret", () => {
        assert.deepEqual(ENVIRONMENTS, ["dev", "stage", "prod"]);
        const registered = real.serviceAccounts.map(key).sort();
        assert.deepEqual(
            registered,
            [...real.own.keys()].sort(),
            "the registered ServiceAccounts are the declared ones",
        );
        assert.equal(registered.length, 3 * 5);
        assert.equal(real.secrets.length, 3 * 7);
        const kinds = (kind: string) => real.objects.filter((o) => o.kind === kind).length;
        // Per env: 2 deployer Roles + 3 app Roles, their 5 RoleBindings and 3 human RoleBindings.
        assert.equal(kinds("Role"), 3 * 5);
        assert.equal(kinds("RoleBinding"), 3 * 8);
        assert.equal(kinds("ClusterRole") + kinds("ClusterRoleBinding"), 0);
    });

    it("finds no violation in what the components create", () => {
        assert.deepEqual(violationsOf(real), []);
    });

    it("lets pay and payments, in one namespace, each get only their own Secrets", () => {
        const evaluator = new RbacEvaluator(real.objects);
        const get = (sa: string, secret: string) =>
            evaluator.allowed({
                user: { kind: "ServiceAccount", namespace: "payments-prod", name: sa },
                verb: "get",
                apiGroup: "",
                resource: "secrets",
                namespace: "payments-prod",
                name: secret,
            });
        assert.ok(get("pay", "pay-api-key"));
        assert.ok(!get("pay", "payments-db"));
        assert.ok(get("payments", "payments-db"));
        assert.ok(!get("payments", "pay-api-key"));
        assert.ok(get(DEPLOYER, "payments-db"));
        assert.ok(!get(DEPLOYER, "payments-stripe"));
    });

    it("gives people Secrets only as far as the env's profile allows, in their own namespace", () => {
        const evaluator = new RbacEvaluator(real.objects);
        const canList = (group: string, namespace: string) =>
            evaluator.allowed({
                user: { kind: "User", name: "someone", groups: [group] },
                verb: "list",
                apiGroup: "",
                resource: "secrets",
                namespace,
            });
        assert.ok(canList("payments-devs-dev", "payments-dev"), "dev: admin");
        assert.ok(canList("payments-devs-stage", "payments-stage"), "stage: edit");
        assert.ok(!canList("payments-devs-prod", "payments-prod"), "prod: view");
        assert.ok(!canList("payments-devs-dev", "payments-stage"), "one env's group is not another's");
        assert.ok(!canList("payments-devs-dev", "orders-dev"));
        assert.ok(!canList("orders-devs-dev", "orders-dev"));
        assert.ok(!canList("auditors-dev", "payments-dev"));
    });

    describe("access entries", () => {
        it("gives every team of every env an access entry in the groups its namespaces bind", () => {
            assert.equal(real.accessEntries.length, 3 * 3);
            const bound = new Set(
                real.objects.flatMap((o) =>
                    o.kind === "RoleBinding"
                        ? (o.subjects ?? []).filter((s) => s.kind === "Group").map((s) => s.name)
                        : [],
                ),
            );
            for (const entry of real.accessEntries) {
                assert.equal(entry.groups.length, 1);
                assert.ok(bound.has(entry.groups[0]), `${entry.groups[0]} is bound by a SecureNamespace`);
                assert.ok(entry.groups[0].endsWith(`-${entry.env}`), `${entry.groups[0]} names ${entry.env}`);
            }
        });

        it("lets no team of one env read or write Secrets of another env on the shared cluster", () => {
            assert.deepEqual(accessEntryViolations(real.withAccessPolicies, real.accessEntries, real.secrets), []);
        });

        it("gives a team Secrets in its own namespace only as the profile allows", () => {
            const evaluator = new RbacEvaluator(real.withAccessPolicies);
            const canList = (team: string, env: Environment, namespace: string) => {
                const entry = real.accessEntries.find((e) => e.groups[0] === group(team, env))!;
                return evaluator.allowed({
                    user: { kind: "User", name: entry.principalArn, groups: entry.groups },
                    verb: "list",
                    apiGroup: "",
                    resource: "secrets",
                    namespace,
                });
            };
            assert.ok(canList("payments-devs", "dev", "payments-dev"), "dev: admin");
            assert.ok(canList("payments-devs", "stage", "payments-stage"), "stage: edit");
            assert.ok(!canList("payments-devs", "prod", "payments-prod"), "prod: view, which excludes Secrets");
            assert.ok(!canList("auditors", "dev", "payments-dev"));
        });

        it("reports a team whose group is the same in two envs", () => {
            const users = real.accessEntries.map((e) =>
                e.env === "dev" && e.groups[0] === group("payments-devs", "dev")
                    ? { ...e, groups: [group("payments-devs", "stage")] }
                    : e,
            );
            const violations = accessEntryViolations(real.withAccessPolicies, users, real.secrets);
            assert.ok(violations.length > 0);
            assert.ok(
                violations.includes(
                    "the dev access entry of payments-devs-stage can get Secret payments-stage/payments-db of stage",
                ),
                violations.join("\n"),
            );
        });

        it("reports an access policy with cluster scope, or scoped to another env's namespace", () => {
            const entry = real.accessEntries.find((e) => e.groups[0] === group("payments-devs", "dev"))!;
            const widened = (accessScope: Record<string, unknown>) => [
                ...real.withAccessPolicies,
                ...accessPolicyBindings([
                    {
                        principalArn: entry.principalArn,
                        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
                        accessScope,
                    },
                ]),
            ];
            const cluster = accessEntryViolations(widened({ type: "cluster" }), [entry], real.secrets);
            assert.ok(
                cluster.includes("the dev access entry of payments-devs-dev can list Secrets cluster-wide"),
                cluster.join("\n"),
            );
            const other = accessEntryViolations(
                widened({ type: "namespace", namespaces: ["payments-prod"] }),
                [entry],
                real.secrets,
            );
            assert.ok(
                other.includes("the dev access entry of payments-devs-dev can list Secrets in payments-prod"),
                other.join("\n"),
            );
        });
    });

    describe("reports violations when the objects are widened", () => {
        it("a secret reader Role without resourceNames", () => {
            const { objects, target } = copyWith(real, "Role", "payments-prod", "pay-secrets");
            delete target.rules![0].resourceNames;
            const violations = violationsOf(real, objects);
            assert.ok(violations.length > 0);
            assert.ok(
                violations.includes(
                    "ServiceAccount payments-prod/pay can get Secret payments-prod/payments-db, not its own " +
                        "(RoleBinding/payments-prod/pay-secrets -> Role/payments-prod/pay-secrets)",
                ),
                violations.join("\n"),
            );
            assert.ok(
                violations.every((v) => v.startsWith("ServiceAccount payments-prod/pay can get Secret payments-prod/")),
            );
        });

        it("a secret reader Role with every verb", () => {
            const { objects, target } = copyWith(real, "Role", "payments-stage", "payments-secrets");
            target.rules![0].verbs = ["*"];
            const violations = violationsOf(real, objects);
            for (const verb of ["update", "patch", "delete"]) {
                assert.ok(
                    violations.some((v) =>
                        v.startsWith(
                            `ServiceAccount payments-stage/payments can ${verb} Secret payments-stage/payments-db `,
                        ),
                    ),
                    verb,
                );
            }
            // With resourceNames kept, collection verbs still do not match: only the named writes leak.
            assert.ok(
                !violations.some((v) => / can (list|watch|create|deletecollection) /.test(v)),
                violations.join("\n"),
            );
        });

        it("a secret reader Role with every verb and no resourceNames", () => {
            const { objects, target } = copyWith(real, "Role", "orders-dev", "orders-api-secrets");
            target.rules![0] = { apiGroups: [""], resources: ["secrets"], verbs: ["*"] };
            const violations = violationsOf(real, objects);
            for (const verb of ["list", "watch", "create", "deletecollection"]) {
                assert.ok(
                    violations.some((v) =>
                        v.startsWith(`ServiceAccount orders-dev/orders-api can ${verb} Secrets in orders-dev `),
                    ),
                    verb,
                );
            }
            assert.ok(!violations.some((v) => v.includes("cluster-wide")), "a RoleBinding never grants cluster-wide");
        });

        it("the deployer's Role with list on Secrets", () => {
            const { objects, target } = copyWith(real, "Role", "orders-prod", DEPLOYER);
            target.rules!.push({ apiGroups: [""], resources: ["secrets"], verbs: ["list"] });
            assert.ok(
                violationsOf(real, objects).some((v) =>
                    v.startsWith("ServiceAccount orders-prod/ci-deployer can list Secrets in orders-prod "),
                ),
            );
        });

        it("a ClusterRoleBinding of a ServiceAccount to a view-like ClusterRole that reads Secrets", () => {
            const viewer: ClusterRoleObject = {
                kind: "ClusterRole",
                metadata: { name: "viewer-plus" },
                rules: [
                    { apiGroups: [""], resources: ["pods", "services", "configmaps"], verbs: ["get", "list", "watch"] },
                    { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
                ],
            };
            const binding: ClusterRoleBindingObject = {
                kind: "ClusterRoleBinding",
                metadata: { name: "orders-viewer-plus" },
                roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "viewer-plus" },
                subjects: [{ kind: "ServiceAccount", name: "orders-api", namespace: "orders-dev" }],
            };
            const violations = violationsOf(real, [...real.objects, viewer, binding]);
            assert.ok(
                violations.includes(
                    "ServiceAccount orders-dev/orders-api can get Secret payments-prod/payments-db, in another namespace " +
                        "(ClusterRoleBinding/orders-viewer-plus -> ClusterRole/viewer-plus)",
                ),
                violations.join("\n"),
            );
            assert.ok(
                !violations.some((v) => v.includes("get Secret orders-dev/")),
                "its own namespace's Secrets it already reads",
            );
            assert.ok(!violations.some((v) => / can (list|watch|create|update|patch|delete)/.test(v)), "get only");
        });

        it("a ClusterRole aggregated into view, once view is bound to ServiceAccounts", () => {
            const viewBinding: RoleBindingObject = {
                kind: "RoleBinding",
                metadata: { name: "sa-view", namespace: "payments-dev" },
                roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
                subjects: [{ kind: "Group", apiGroup: RBAC, name: "system:serviceaccounts:payments-dev" }],
            };
            assert.deepEqual(
                violationsOf(real, [...real.objects, viewBinding]),
                [],
                "the built-in view reads no Secrets",
            );
            const aggregated: ClusterRoleObject = {
                kind: "ClusterRole",
                metadata: {
                    name: "secrets-to-view",
                    labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" },
                },
                rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
            };
            const violations = violationsOf(real, [...real.objects, viewBinding, aggregated]);
            assert.ok(
                violations.some((v) =>
                    v.startsWith("ServiceAccount payments-dev/pay can list Secrets in payments-dev "),
                ),
            );
            assert.ok(
                violations.some((v) =>
                    v.startsWith(
                        "ServiceAccount payments-dev/pay can get Secret payments-dev/payments-db, not its own",
                    ),
                ),
            );
            assert.ok(
                !violations.some((v) => v.includes("payments-stage") || v.includes("orders-dev/")),
                "only payments-dev",
            );
        });

        it("a secret reader RoleBinding whose subject is every ServiceAccount", () => {
            const { objects, target } = copyWith(real, "RoleBinding", "payments-prod", "payments-secrets");
            target.subjects = [{ kind: "Group", apiGroup: RBAC, name: "system:serviceaccounts" }];
            const violations = violationsOf(real, objects);
            assert.ok(
                violations.some((v) =>
                    v.startsWith(
                        "ServiceAccount orders-dev/orders-api can get Secret payments-prod/payments-stripe, in another namespace",
                    ),
                ),
            );
            assert.ok(
                violations.some((v) =>
                    v.startsWith(
                        "ServiceAccount payments-prod/pay can get Secret payments-prod/payments-stripe, not its own",
                    ),
                ),
            );
        });

        it("a secret reader bound cluster-wide instead of in its namespace", () => {
            const { objects, target } = copyWith(real, "RoleBinding", "payments-dev", "payments-secrets");
            const role = objects.find(
                (o) =>
                    o.kind === "Role" &&
                    o.metadata.namespace === "payments-dev" &&
                    o.metadata.name === "payments-secrets",
            ) as RoleObject;
            const widened: RbacObject[] = [
                ...objects.filter((o) => o !== target && o !== role),
                { kind: "ClusterRole", metadata: { name: "payments-secrets" }, rules: role.rules },
                {
                    kind: "ClusterRoleBinding",
                    metadata: { name: "payments-secrets" },
                    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "payments-secrets" },
                    subjects: target.subjects,
                },
            ];
            const violations = violationsOf(real, widened);
            assert.ok(
                violations.some((v) =>
                    v.startsWith(
                        "ServiceAccount payments-dev/payments can get Secret payments-prod/payments-db, in another namespace",
                    ),
                ),
                violations.join("\n"),
            );
            assert.ok(
                violations.some((v) =>
                    v.startsWith(
                        "ServiceAccount payments-dev/payments can get Secret orders-stage/db-credentials, in another namespace",
                    ),
                ),
            );
        });

        it("a binding to a ClusterRole nothing defines", () => {
            const { objects, target } = copyWith(real, "RoleBinding", "orders-stage", DEPLOYER);
            target.roleRef = { apiGroup: RBAC, kind: "ClusterRole", name: "ci-deployer-extended" };
            const violations = violationsOf(real, objects);
            assert.ok(
                violations.some((v) =>
                    v.startsWith("ServiceAccount orders-stage/ci-deployer can create Secrets in orders-stage "),
                ),
            );
            assert.ok(violations.some((v) => v.includes("ClusterRole/ci-deployer-extended (undefined)")));
        });

        it("an app that lost its binding: it can no longer get its own Secrets", () => {
            const objects = real.objects.filter(
                (o) =>
                    !(
                        o.kind === "RoleBinding" &&
                        o.metadata.namespace === "payments-prod" &&
                        o.metadata.name === "pay-secrets"
                    ),
            );
            assert.equal(objects.length, real.objects.length - 1);
            assert.deepEqual(violationsOf(real, objects), [
                "ServiceAccount payments-prod/pay cannot get its own Secret payments-prod/pay-api-key",
                "ServiceAccount payments-prod/pay cannot get its own Secret payments-prod/pay-webhook-signing",
            ]);
        });
    });
});

/**
 * The shared layout's env stacks (stacks/Pulumi.shared-dev.yaml, Pulumi.shared-stage.yaml) on their one cluster:
 * each built as its stack plans it, their RBAC objects and access entries put together as the one API server
 * sees them, and every human group of each env checked against every Secret of the other.
 */
describe("RBAC isolation matrix of the shared-dev and shared-stage stacks", () => {
    const STACKS = { "shared-dev": Environment.Dev, "shared-stage": Environment.Stage } as const;
    let shared: Platform;

    before(async () => {
        const parts: Omit<Platform, "own">[] = [];
        for (const [stack, env] of Object.entries(STACKS)) {
            resetResources();
            const args = stackArgs(stack);
            assert.equal(args.env, env);
            new SecureEnvironment(stack, args);
            await settled();
            const secrets = ofType("kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => ({
                namespace: r.inputs.metadata.namespace as string,
                name: r.inputs.spec.target.name as string,
            }));
            parts.push({ ...registered(), secrets });
        }
        resetResources();
        shared = {
            objects: parts.flatMap((p) => p.objects),
            withAccessPolicies: parts.flatMap((p) => p.withAccessPolicies),
            accessEntries: parts.flatMap((p) => p.accessEntries),
            serviceAccounts: parts.flatMap((p) => p.serviceAccounts),
            secrets: parts.flatMap((p) => p.secrets),
            own: new Map(),
        };
    });

    it("covers every team role and every synced Secret of both stacks", () => {
        const entries = shared.accessEntries.map((e) => `${e.env}:${e.groups.join(",")}`).sort();
        assert.deepEqual(entries, [
            "dev:team-orders-dev",
            "dev:team-payments-dev",
            "stage:team-orders-stage",
            "stage:team-payments-stage",
        ]);
        const secrets = shared.secrets.map(key).sort();
        assert.deepEqual(secrets, [
            "orders-dev/orders-db-url",
            "orders-stage/orders-db-url",
            // dev's payments takes dynamic database credentials from Vault (VaultDynamicSecret)
            "payments-dev/payments-database",
            "payments-dev/payments-db-password",
            "payments-dev/payments-psp-api-key",
            "payments-stage/payments-db-password",
            "payments-stage/payments-psp-api-key",
        ]);
        const bound = new Set(
            shared.objects.flatMap((o) =>
                o.kind === "RoleBinding" ? (o.subjects ?? []).filter((s) => s.kind === "Group").map((s) => s.name) : [],
            ),
        );
        for (const entry of shared.accessEntries) {
            assert.ok(bound.has(entry.groups[0]), `${entry.groups[0]} is bound by a SecureNamespace of its env`);
        }
    });

    it("lets no human group of shared-dev read Secrets of shared-stage, nor the other way round", () => {
        assert.deepEqual(accessEntryViolations(shared.withAccessPolicies, shared.accessEntries, shared.secrets), []);
    });

    it("lets each team read the Secrets of its own env's namespaces (edit in dev and stage)", () => {
        const evaluator = new RbacEvaluator(shared.withAccessPolicies);
        const entry = (group: string) => shared.accessEntries.find((e) => e.groups[0] === group)!;
        const canGet = (group: string, namespace: string, name: string) =>
            evaluator.allowed({
                user: { kind: "User", name: entry(group).principalArn, groups: entry(group).groups },
                verb: "get",
                apiGroup: "",
                resource: "secrets",
                namespace,
                name,
            });
        assert.ok(canGet("team-payments-dev", "payments-dev", "payments-db-password"));
        assert.ok(canGet("team-payments-stage", "payments-stage", "payments-db-password"));
        assert.ok(!canGet("team-payments-dev", "payments-stage", "payments-db-password"));
        assert.ok(!canGet("team-payments-stage", "payments-dev", "payments-db-password"));
        assert.ok(!canGet("team-orders-dev", "payments-dev", "payments-db-password"), "another team's namespace");
    });

    it("reports the stacks' old layout, one group name for a team in both envs", () => {
        // Before the groups carried the env, both stacks bound team-payments: a dev role in it is a stage reader.
        const unscoped = (name: string) => name.replace(/-(dev|stage)$/, "");
        const objects = structuredClone(shared.withAccessPolicies).map((o) =>
            o.kind === "RoleBinding"
                ? {
                      ...o,
                      subjects: o.subjects?.map((s) => (s.kind === "Group" ? { ...s, name: unscoped(s.name) } : s)),
                  }
                : o,
        );
        const users = shared.accessEntries.map((e) => ({ ...e, groups: e.groups.map(unscoped) }));
        const violations = accessEntryViolations(objects, users, shared.secrets);
        assert.ok(
            violations.includes(
                "the dev access entry of team-payments can get Secret payments-stage/payments-db-password of stage",
            ),
            violations.join("\n"),
        );
        assert.ok(
            violations.includes("the stage access entry of team-orders can get Secret orders-dev/orders-db-url of dev"),
            violations.join("\n"),
        );
    });
});
