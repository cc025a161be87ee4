/**
 * Inputs a component checks when it is constructed must be plain in the schema. A Python, Go, .NET or YAML
 * program may hand any non-plain input over as an Output (it always does when the value comes from another
 * resource or is unknown in a preview); a component that checks the value at construction (a name that
 * decides isolation: project, env, app, namespace, account, region, ...) then sees an Output object instead
 * of the string it checks. The inputs are found by behaviour, not listed: every input of every component's
 * fixture is replaced, one at a time, by an Output of the same value, and the component constructed; when it
 * throws (its validation refuses the Output, or it renders the Output into a name), the input is checked at
 * construction and the schema must mark it `plain: true`.
 */
import { SecretBackend } from "../../components/addons/external-secrets";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { ACCOUNT, installMocks, resetResources, settled } from "../mocks";
installMocks();
import { AccessRole, ClusterLayout, dedicatedTopology, Environment, NamespaceLayout } from "../../components/baseline";
import { ClusterAccessArgs } from "../../components/aws/cluster-access";
import { RuntimeSecurityEngine } from "../../components/addons/runtime-security";
import { SecureClusterArgs } from "../../components/cluster";
import { planSecureEnvironment, SecureEnvironmentArgs } from "../../components/environment";
import { constructInputs, readYamlProgram } from "../provider/yaml-program";
import { stackArgs } from "../stacks/stack-config";
import { componentClassNames, loadEntryExports, readGoldenSchema, SchemaProperty } from "./infer-schema";

// The flag output.js reads on every toString: an Output rendered into a string (a resource name) then throws.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pulumiUtils = require("@pulumi/pulumi/utils") as { errorOutputString: boolean };

const TOKEN = (name: string) => `k8s-baseline:index:${name}`;
const KEY_ARN = "arn:aws:kms:eu-west-1:222222222222:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";

type Path = (string | number)[];

interface Fixture {
    readonly component: string;
    readonly label: string;
    readonly args: Record<string, unknown>;
}

/** The dev stack's arguments, with the optional Vault inputs it leaves out set too, so that they are probed. */
function devArgs(): SecureEnvironmentArgs {
    const args = stackArgs("dev");
    args.vault = {
        ...args.vault!,
        kubernetesCaCert: "-----BEGIN CERTIFICATE-----\nMIIBprobe\n-----END CERTIFICATE-----\n",
        useExistingMount: false,
    };
    return args;
}

/** Valid arguments for every component: two environments, and what each plans for its components. */
function fixtures(): Fixture[] {
    const yamlArgs = constructInputs(readYamlProgram(), "stage", { paymentsDbPassword: "s3cret" }, (v) =>
        pulumi.secret(v),
    );
    const dev = devArgs();
    // The shared-dev stack's cluster (IRSA: on a shared cluster each env's issuer needs a role of its own).
    const sharedDev = stackArgs("shared-dev");
    // The cluster's engine is what the cluster stack exports to its envs, never one of its own arguments.
    const { runtimeSecurityEngine: _engine, ...sharedFacts } = sharedDev.cluster;
    const sharedCluster = {
        ...sharedFacts,
        layout: ClusterLayout.Shared,
        namespaceLayout: NamespaceLayout.PerApp,
        environments: [Environment.Dev, Environment.Stage],
        allowProdWithLowerEnvironments: false,
    };
    const environments: [string, SecureEnvironmentArgs][] = [
        ["examples/yaml stage (Secrets Manager, IRSA)", yamlArgs as unknown as SecureEnvironmentArgs],
        ["dev stack (Vault, Pod Identity)", dev],
        [
            "examples/yaml stage on Parameter Store",
            { ...(yamlArgs as unknown as SecureEnvironmentArgs), secretBackend: SecretBackend.AwsParameterStore },
        ],
        ["dev on a shared cluster", { ...sharedDev, cluster: sharedCluster }],
        [
            "dev on a shared cluster whose sensor is Tetragon",
            { ...sharedDev, cluster: { ...sharedCluster, runtimeSecurityEngine: RuntimeSecurityEngine.Tetragon } },
        ],
    ];
    const out: Fixture[] = [];
    const add = (component: string, label: string, args: object | undefined) => {
        if (args) out.push({ component, label, args: args as Record<string, unknown> });
    };
    add("SecureCluster", "a cluster for dev and stage", {
        project: sharedDev.project,
        cluster: sharedCluster,
        registries: sharedDev.registries,
        vaultCidrs: sharedDev.vault?.cidrs ?? dev.vault!.cidrs,
        runtimeSecurity: { engine: RuntimeSecurityEngine.Falco },
        kubernetesApiClients: [{ env: Environment.Dev, namespaces: ["reports-dev"] }],
    } satisfies SecureClusterArgs);
    add("ClusterAccess", "a dev team on the shared cluster", {
        project: sharedDev.project,
        env: Environment.Dev,
        clusterName: "shop-shared",
        accountId: ACCOUNT,
        topology: sharedCluster,
        teams: [
            {
                group: "payments-devs-dev",
                principalArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PaymentsDevs_0123456789abcdef`,
                namespaces: ["payments-dev"],
                role: AccessRole.Edit,
            },
        ],
        tags: { owner: "payments" },
    } satisfies ClusterAccessArgs);
    add("RuntimeSecurity", "Falco on a prod cluster", {
        env: "prod",
        namespaces: ["prod-a"],
        apiServerCidrs: ["10.0.0.0/24"],
    });
    add("RuntimeSecurity", "Tetragon on a dev cluster", {
        env: "dev",
        engine: "tetragon",
        namespaces: ["dev-a", "dev-b"],
        kubernetesApiNamespaces: ["dev-b"],
        apiServerCidrs: ["10.0.0.0/24"],
    });
    add("EnvironmentTracingPolicies", "dev's namespaces on a shared Tetragon cluster", {
        env: Environment.Dev,
        namespaces: ["payments-dev", "reports-dev"],
        kubernetesApiNamespaces: ["reports-dev"],
        apiServerCidrs: ["10.40.0.0/24"],
        kubernetesServiceCidrs: ["10.100.0.1/32"],
        topology: sharedCluster,
    });
    for (const [label, args] of environments) {
        add("SecureEnvironment", label, args);
        const plan = planSecureEnvironment("probe", args, KEY_ARN);
        for (const ns of [...plan.platformNamespaces, ...plan.appNamespaces]) add("SecureNamespace", label, ns);
        add("EnvironmentTracingPolicies", label, plan.tracingPolicies);
        add("EnvironmentKey", label, plan.key);
        add("StackSecretsKey", label, {
            project: args.project,
            env: args.env,
            accountId: args.accountId,
            region: args.region,
            deployerRoleArn: `arn:aws:iam::${args.accountId}:role/${args.project}-${args.env}-deployer`,
        });
        add("VaultEnvironment", label, plan.vault);
        for (const app of plan.apps) {
            add("WorkloadIdentity", label, app.identity);
            add("AppSecrets", label, app.secrets);
            add("AppParameters", label, app.parameters);
            add("VaultAppAccess", label, app.vaultAccess);
            add("AppExternalSecrets", label, app.externalSecrets);
        }
        add("ExternalSecretsOperator", label, plan.externalSecretsOperator);
        add("Kyverno", label, plan.kyverno);
        add("BaselinePolicies", label, plan.policies);
        add("CertManager", label, plan.certManager);
        add("EnvironmentIssuer", label, plan.certIssuer);
        add("ClusterAccess", label, plan.clusterAccess);
        add("EnvironmentIsolationPolicies", label, {
            project: args.project,
            topology: dedicatedTopology(args.env),
        });
    }
    return out;
}

/** Every path to a defined value in `value`: object properties and array elements, at every depth. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
    }
    if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
        return Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
    }
    return [];
}

function clone<T>(value: T): T {
    if (Array.isArray(value)) return value.map(clone) as T;
    if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
    }
    return value;
}

function withOutputAt(args: Record<string, unknown>, path: Path): Record<string, unknown> {
    const copy = clone(args);
    let node: any = copy;
    for (const segment of path.slice(0, -1)) node = node[segment];
    const last = path[path.length - 1];
    node[last] = pulumi.output(node[last]);
    return copy;
}

const show = (path: Path) => path.map((s, i) => (typeof s === "number" ? `[${s}]` : i ? `.${s}` : s)).join("");

/** The schema node an args path lands on: input property, then type properties, array items, map values. */
function schemaAt(schema: PackageSpec, component: string, path: Path): SchemaProperty | undefined {
    let node = (schema.resources[TOKEN(component)]?.inputProperties ?? {})[path[0] as string] as
        SchemaProperty | undefined;
    for (const segment of path.slice(1)) {
        if (!node) return undefined;
        if (typeof segment === "number") {
            node = node.items;
        } else if (node.$ref) {
            const type = schema.types[decodeURIComponent(node.$ref.replace(/^#\/types\//, ""))];
            node = (type?.properties ?? {})[segment] as SchemaProperty | undefined;
        } else {
            node = node.additionalProperties;
        }
    }
    return node;
}

type Ctor = new (name: string, args: unknown, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

describe("inputs a component checks at construction are plain in the schema", function () {
    this.timeout(60_000);

    const schema = readGoldenSchema();
    const entry = loadEntryExports();
    const classes = new Map<string, Ctor>();
    for (const name of componentClassNames(entry)) classes.set(name, entry[name] as Ctor);
    let all: Fixture[] = [];
    /** component -> paths whose Output the component refused at construction */
    const checked = new Map<string, Map<string, Path>>();
    const accepted = new Map<string, Set<string>>();
    const baselineFailures: string[] = [];

    before(async () => {
        all = fixtures();
        pulumiUtils.errorOutputString = true;
        try {
            all.forEach((fixture, i) => {
                const Component = classes.get(fixture.component)!;
                try {
                    new Component(`baseline-${i}`, clone(fixture.args));
                } catch (err) {
                    baselineFailures.push(`${fixture.component} (${fixture.label}): ${(err as Error).message}`);
                    return;
                }
                for (const path of pathsOf(fixture.args)) {
                    const key = show(path);
                    try {
                        new Component(`probe-${i}-${key}`, withOutputAt(fixture.args, path));
                        if (!accepted.has(fixture.component)) accepted.set(fixture.component, new Set());
                        accepted.get(fixture.component)!.add(key);
                    } catch {
                        if (!checked.has(fixture.component)) checked.set(fixture.component, new Map());
                        checked.get(fixture.component)!.set(key, path);
                    }
                }
            });
        } finally {
            pulumiUtils.errorOutputString = false;
        }
        // Let the probes' registrations finish before other tests share the mocks.
        await settled();
        resetResources();
    });

    it("has valid arguments for every exported component, which construct without error", () => {
        const covered = new Set(all.map((f) => f.component));
        const missing = [...classes.keys()].filter((name) => !covered.has(name));
        assert.deepEqual(missing, [], `no fixture for ${missing.join(", ")}: add one to fixtures()`);
        assert.deepEqual(baselineFailures, []);
    });

    it("sets every input of every component in some fixture, so that each is probed", () => {
        const set = new Map<string, Set<string>>();
        for (const fixture of all) {
            for (const [key, value] of Object.entries(fixture.args)) {
                if (value === undefined) continue;
                if (!set.has(fixture.component)) set.set(fixture.component, new Set());
                set.get(fixture.component)!.add(key);
            }
        }
        const unprobed: string[] = [];
        for (const name of classes.keys()) {
            for (const input of Object.keys(schema.resources[TOKEN(name)]?.inputProperties ?? {})) {
                if (!set.get(name)?.has(input)) unprobed.push(`${name}.${input}`);
            }
        }
        // Inputs no environment sets (defaults the environment relies on, or for standalone use) are not probed;
        // that is safe only for those already plain. One that accepts an Output needs a fixture value to tell
        // whether the component checks it at construction.
        console.log(`      inputs no fixture sets (plain, so not probed): ${unprobed.join(", ") || "none"}`);
        const unprobedNotPlain = unprobed.filter((input) => {
            const [name, property] = input.split(".");
            return (schema.resources[TOKEN(name)].inputProperties ?? {})[property]?.plain !== true;
        });
        assert.deepEqual(unprobedNotPlain, [], "inputs that accept an Output but no fixture sets: add a value");
    });

    it("finds the isolation names among the checked inputs (the probe works)", () => {
        for (const name of ["SecureEnvironment", "SecureNamespace", "WorkloadIdentity", "AppExternalSecrets"]) {
            const found = checked.get(name) ?? new Map();
            for (const input of ["project", "env", "namespace", "app", "accountId", "region"]) {
                const present = all.some((f) => f.component === name && f.args[input] !== undefined);
                if (present) assert.ok(found.has(input), `${name}.${input} should be refused as an Output`);
            }
        }
        assert.ok(checked.get("SecureEnvironment")?.has("apps[0].name"), "SecureEnvironment.apps[0].name");
    });

    /** The checked inputs `against` does not mark plain. */
    function notPlainIn(against: PackageSpec): string[] {
        const notPlain: string[] = [];
        for (const [component, paths] of checked) {
            for (const [key, path] of paths) {
                const node = schemaAt(against, component, path);
                if (!node) notPlain.push(`${component}.${key}: not in the schema`);
                else if (node.plain !== true) notPlain.push(`${component}.${key}`);
            }
        }
        return notPlain;
    }

    it("marks every input checked at construction plain: true, at every depth", () => {
        const count = [...checked.values()].reduce((n, paths) => n + paths.size, 0);
        console.log(`      ${count} inputs (at any depth) are checked at construction; all must be plain`);
        assert.deepEqual(
            notPlainIn(schema),
            [],
            "checked at construction but not plain in the schema: type these Args fields as plain values " +
                "(not pulumi.Input) so that other languages cannot pass an Output",
        );
        // The check catches an isolation name typed as an Input.
        const widened = JSON.parse(JSON.stringify(schema)) as PackageSpec;
        delete (widened.resources[TOKEN("SecureNamespace")].inputProperties!.namespace as SchemaProperty).plain;
        assert.deepEqual(notPlainIn(widened), ["SecureNamespace.namespace"]);
    });

    it("accepts an Output wherever the schema does not say plain", () => {
        const refused: string[] = [];
        for (const fixture of all) {
            for (const path of pathsOf(fixture.args)) {
                const node = schemaAt(schema, fixture.component, path);
                if (node && node.plain !== true && checked.get(fixture.component)?.has(show(path))) {
                    refused.push(`${fixture.component}.${show(path)}`);
                }
            }
        }
        assert.deepEqual(refused, []);
        assert.ok(accepted.get("AppSecrets")?.has("kmsKeyArn"), "AppSecrets.kmsKeyArn takes EnvironmentKey.keyArn");
    });
});
