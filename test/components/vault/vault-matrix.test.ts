/**
 * The Vault isolation matrix on ONE cluster shared by dev, stage and prod, all reading one Vault: each env has
 * its own Kubernetes auth backend and KV mount, and every backend reviews tokens against the same API server,
 * so a ServiceAccount token of any env is valid at every env's backend. Only the roles' bound namespaces and
 * ServiceAccounts, and the policies' paths, keep one env's pods from another env's secrets.
 */
import * as assert from "node:assert/strict";
import { installMocks, ofType, resetResources, settled } from "../../mocks";
installMocks();
import {
    AccessRole,
    ClusterLayout,
    ClusterTopology,
    Environment,
    environmentGroupName,
    ENVIRONMENTS,
    NamespaceLayout,
    vaultDatabaseCredsPath,
    vaultDatabaseMountPath,
    vaultDatabaseRoleName,
} from "../../../components/baseline";
import { planSecureEnvironment, SecureEnvironmentArgs } from "../../../components/environment";
import { VaultAppAccess } from "../../../components/vault";
import { stackArgs } from "../../stacks/stack-config";

const KEY_ARN = "arn:aws:kms:eu-west-1:444444444444:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole";
const POLICY = "vault:index/policy:Policy";

/** The shared-dev stack's env (Vault backend), moved to `env` on a cluster of all three envs. */
function envOnOneCluster(env: Environment, namespaceLayout: NamespaceLayout): SecureEnvironmentArgs {
    const args = stackArgs("shared-dev");
    const cluster = {
        ...args.cluster,
        layout: ClusterLayout.Shared,
        namespaceLayout,
        environments: [...ENVIRONMENTS],
        allowProdWithLowerEnvironments: true,
    };
    // The stack's groups are dev's (`<team>-dev`); each env's teams are its own.
    const topology: ClusterTopology = cluster;
    const group = (name: string) => environmentGroupName(name.replace(/-dev$/, ""), env, topology);
    return {
        ...args,
        env,
        registries: [`444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop-${env}/`],
        hostedZones: args.hostedZones.map((zone) => ({
            ...zone,
            domain: zone.domain.replace(/^dev\./, `${env}.`),
            zoneId: zone.zoneId.replace(/DEV/, env.toUpperCase()),
        })),
        cluster,
        teamRoles: args.teamRoles?.map((team) => ({ ...team, group: group(team.group) })),
        // People get view, which every env's profile allows. The per-env layout puts every app of the env in
        // one namespace, with one owner and tier.
        apps: args.apps.map((app) => ({
            ...app,
            access: app.access?.map((grant) => ({ ...grant, group: group(grant.group), role: AccessRole.View })),
            ...(namespaceLayout === NamespaceLayout.PerEnv
                ? { owner: "team-shop", tier: "backend", deployer: undefined }
                : {}),
        })),
    };
}

interface Identity {
    env: Environment;
    app: string;
    namespace: string;
    serviceAccount: string;
    secretPath: string;
    /** `<mount>/creds/<role>` of the app's database role, when it has dynamic database credentials. */
    credsPath?: string;
}

interface Role {
    backend: string;
    boundServiceAccountNames: string[];
    boundServiceAccountNamespaces: string[];
    tokenPolicies: string[];
}

/** The paths `hcl` grants `read` on: Vault's glob, a trailing `*` matching any suffix. */
function readablePaths(hcl: string): RegExp[] {
    const paths: RegExp[] = [];
    for (const match of hcl.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]/g)) {
        if (!match[2].includes('"read"')) continue;
        const glob = match[1].replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*$/, ".*");
        paths.push(new RegExp(`^${glob}$`));
    }
    return paths;
}

async function buildOneCluster(namespaceLayout: NamespaceLayout): Promise<{
    identities: Identity[];
    roles: Role[];
    policies: Map<string, string>;
}> {
    resetResources();
    const identities: Identity[] = [];
    for (const env of ENVIRONMENTS) {
        const plan = planSecureEnvironment(env, envOnOneCluster(env, namespaceLayout), KEY_ARN);
        for (const planned of plan.apps) {
            if (!planned.vaultAccess) continue;
            new VaultAppAccess(`${env}-${planned.app.name}`, planned.vaultAccess);
            identities.push({
                env,
                app: planned.app.name,
                namespace: planned.namespace,
                serviceAccount: planned.serviceAccountName,
                secretPath: `${planned.vaultAccess.mountPath}/data/${env}/${planned.app.name}/db-password`,
                credsPath: planned.vaultAccess.database
                    ? vaultDatabaseCredsPath(
                          planned.vaultAccess.database.mountPath ?? vaultDatabaseMountPath("shop", env),
                          vaultDatabaseRoleName("shop", env, planned.app.name),
                      )
                    : undefined,
            });
        }
    }
    await settled();
    const roles = ofType(ROLE).map((r) => r.inputs as Role);
    const policies = new Map(ofType(POLICY).map((p) => [p.inputs.name as string, p.inputs.policy as string]));
    return { identities, roles, policies };
}

/** Every way a pod's reach differs from "its own secrets through its own role, nothing else". */
function violations(identities: readonly Identity[], roles: readonly Role[], policies: Map<string, string>): string[] {
    const found: string[] = [];
    for (const who of identities) {
        // Every backend accepts the token (one cluster); a role admits it by namespace and ServiceAccount.
        const admitted = roles.filter(
            (role) =>
                role.boundServiceAccountNamespaces.includes(who.namespace) &&
                role.boundServiceAccountNames.includes(who.serviceAccount),
        );
        const readable = admitted.flatMap((role) =>
            role.tokenPolicies.flatMap((name) => readablePaths(policies.get(name) ?? "")),
        );
        for (const target of identities) {
            const own = target.env === who.env && target.app === who.app;
            for (const targetPath of [target.secretPath, ...(target.credsPath ? [target.credsPath] : [])]) {
                const reads = readable.some((path) => path.test(targetPath));
                if (reads !== own) {
                    found.push(
                        `${who.env}/${who.app} (${who.namespace}/${who.serviceAccount}) ${reads ? "reads" : "cannot read"} ${targetPath}`,
                    );
                }
            }
        }
    }
    return found;
}

describe("Vault isolation matrix on one cluster shared by dev, stage and prod", function () {
    this.timeout(60_000);
    for (const namespaceLayout of Object.values(NamespaceLayout)) {
        it(`${namespaceLayout} namespaces: each pod logs in to its own role only and reads its own secrets only`, async () => {
            const { identities, roles, policies } = await buildOneCluster(namespaceLayout);
            assert.equal(new Set(identities.map((i) => i.env)).size, ENVIRONMENTS.length);
            assert.equal(new Set(roles.map((r) => r.backend)).size, ENVIRONMENTS.length, "an auth backend per env");
            // payments gets database credentials in every env: the matrix covers the creds paths too.
            assert.equal(identities.filter((i) => i.credsPath !== undefined).length, ENVIRONMENTS.length);
            assert.deepEqual(violations(identities, roles, policies), []);
        });
    }

    it("fails when a role binds a namespace of another env", async () => {
        const { identities, roles, policies } = await buildOneCluster(NamespaceLayout.PerApp);
        const widened = roles.map((role) =>
            role.tokenPolicies.includes("shop-prod-payments")
                ? { ...role, boundServiceAccountNamespaces: [...role.boundServiceAccountNamespaces, "payments-dev"] }
                : role,
        );
        assert.ok(
            violations(identities, widened, policies).includes(
                "dev/payments (payments-dev/payments) reads shop-prod-kv/data/prod/payments/db-password",
            ),
        );
    });

    it("fails when the namespaces carry no env: every env's payments pod reads every env's payments secrets", async () => {
        const { identities, roles, policies } = await buildOneCluster(NamespaceLayout.PerApp);
        const strip = (ns: string) => ns.replace(/-(dev|stage|prod)$/, "");
        const unscoped = roles.map((role) => ({
            ...role,
            boundServiceAccountNamespaces: role.boundServiceAccountNamespaces.map(strip),
        }));
        const found = violations(
            identities.map((i) => ({ ...i, namespace: strip(i.namespace) })),
            unscoped,
            policies,
        );
        assert.ok(
            found.includes("dev/payments (payments/payments) reads shop-stage-kv/data/stage/payments/db-password"),
        );
    });

    it("fails when a policy reads every database role's credentials of its mount", async () => {
        const { identities, roles, policies } = await buildOneCluster(NamespaceLayout.PerApp);
        const widened = new Map(policies);
        widened.set(
            "shop-dev-orders",
            `${policies.get("shop-dev-orders")}\npath "shop-dev-database/creds/*" {\n  capabilities = ["read"]\n}\n`,
        );
        assert.ok(
            violations(identities, roles, widened).includes(
                "dev/orders (orders-dev/orders) reads shop-dev-database/creds/shop-dev-payments",
            ),
        );
    });
});
