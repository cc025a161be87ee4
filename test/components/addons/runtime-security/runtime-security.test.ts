import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { installMocks, named, ofType, resetResources, settled, valueOf } from "../../../mocks";
installMocks();
import {
    EKS_WEB_IDENTITY_TOKEN_DIR,
    FALCO_CHART_VERSION,
    FALCO_RULES_FILE,
    falcoRuleEntries,
    falcoRulesYaml,
    resolveRuntimeSecurityArgs,
    RUNTIME_SECURITY_NAMESPACE,
    RUNTIME_SENSOR_RESOURCES,
    RuntimeSecurity,
    RuntimeSecurityArgs,
    RuntimeSecurityEngine,
    SERVICE_ACCOUNT_TOKEN_DIR,
    TETRAGON_CHART_VERSION,
    tracingPolicies,
} from "../../../../components/addons/runtime-security";

const CHART = "kubernetes:helm.sh/v4:Chart";
const TRACING_POLICY = "kubernetes:cilium.io/v1alpha1:TracingPolicyNamespaced";

function args(overrides: Partial<RuntimeSecurityArgs> = {}): RuntimeSecurityArgs {
    return { env: "prod", namespaces: ["prod-payments", "prod-operator"], ...overrides };
}

const FACTS = {
    namespaces: ["prod-payments", "prod-operator"],
    prodNamespaces: ["prod-payments", "prod-operator"],
    kubernetesApiNamespaces: ["prod-operator"],
};

describe("Falco rules generated from the baseline, as data", () => {
    const entries = falcoRuleEntries(FACTS);
    const rule = (name: string) => entries.find((e) => e.rule === name) as Record<string, string>;
    const list = (name: string) => entries.find((e) => e.list === name)?.items as string[];

    it("lists the env's namespaces, its prod namespaces and those declared to need the API, quoted", () => {
        assert.deepEqual(list("k8s_baseline_env_namespaces"), ['"prod-operator"', '"prod-payments"']);
        assert.deepEqual(list("k8s_baseline_prod_namespaces"), ['"prod-operator"', '"prod-payments"']);
        assert.deepEqual(list("k8s_baseline_kubernetes_api_namespaces"), ['"prod-operator"']);
    });

    it("alerts on a token read (ServiceAccount or EKS web identity) by a process other than the app's own", () => {
        const r = rule("Service account token read by another process");
        assert.match(r.condition, /evt\.is_open_read = true/);
        assert.ok(r.condition.includes(`fd.name startswith ${SERVICE_ACCOUNT_TOKEN_DIR}`));
        assert.ok(r.condition.includes(`fd.name startswith ${EKS_WEB_IDENTITY_TOKEN_DIR}`));
        assert.match(r.condition, /k8s\.ns\.name in \(k8s_baseline_env_namespaces\)/);
        assert.match(r.condition, /proc\.vpid != 1$/);
        assert.equal(r.priority, "WARNING");
    });

    it("alerts on a terminal shell only in prod namespaces", () => {
        const r = rule("Terminal shell in a prod container");
        assert.match(r.condition, /k8s\.ns\.name in \(k8s_baseline_prod_namespaces\)/);
        assert.match(r.condition, /proc\.tty != 0/);
        assert.match(r.condition, /proc\.name in \(k8s_baseline_shells\)/);
        assert.equal(r.priority, "CRITICAL");
    });

    it("alerts on a connection to the API server from a namespace not declared to need it", () => {
        const r = rule("Kubernetes API contacted from an undeclared namespace");
        assert.match(r.condition, /not k8s\.ns\.name in \(k8s_baseline_kubernetes_api_namespaces\)/);
        assert.match(r.condition, /fd\.sip\.name = "kubernetes\.default\.svc\.cluster\.local"/);
    });

    it("every rule has the fields Falco requires, and the YAML text parses back to the same entries", () => {
        for (const e of entries.filter((x) => "rule" in x)) {
            for (const field of ["desc", "condition", "output", "priority"]) assert.ok(e[field], `${e.rule}.${field}`);
        }
        assert.deepEqual(parse(falcoRulesYaml(FACTS)), entries);
    });

    it("keeps empty lists, so that the rules still compile when no prod namespace is watched", () => {
        const none = falcoRuleEntries({ ...FACTS, prodNamespaces: [], kubernetesApiNamespaces: [] });
        assert.deepEqual(none.find((e) => e.list === "k8s_baseline_prod_namespaces")?.items, []);
    });
});

describe("Tetragon TracingPolicyNamespaced objects generated from the same facts", () => {
    const policies = tracingPolicies({ ...FACTS, labels: {} });

    it("watches token reads in every namespace and API connections only where not declared", () => {
        assert.deepEqual(
            policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
            ["prod-operator/token-read", "prod-payments/token-read", "prod-payments/kubernetes-api-connect"],
        );
        const read = JSON.stringify(policies[0].spec);
        assert.ok(read.includes(SERVICE_ACCOUNT_TOKEN_DIR) && read.includes(EKS_WEB_IDENTITY_TOKEN_DIR));
    });
});

describe("RuntimeSecurity", () => {
    beforeEach(resetResources);

    it("defaults to Falco in the platform namespace, modern eBPF least privileged, the env's resources and the rules", async () => {
        const component = new RuntimeSecurity("rs", args());
        await settled();
        const chart = named(CHART, "rs-chart").inputs;
        assert.equal(chart.chart, "falco");
        assert.equal(chart.version, FALCO_CHART_VERSION);
        assert.equal(chart.namespace, RUNTIME_SECURITY_NAMESPACE);
        assert.deepEqual(chart.values.driver, {
            enabled: true,
            kind: "modern_ebpf",
            modernEbpf: { leastPrivileged: true },
        });
        assert.deepEqual(chart.values.resources, RUNTIME_SENSOR_RESOURCES.prod);
        const rules = parse(chart.values.customRules[FALCO_RULES_FILE]) as Record<string, unknown>[];
        assert.equal(rules.filter((e) => "rule" in e).length, 3);
        assert.equal(await valueOf(component.engine), "falco");
        assert.deepEqual(ofType(TRACING_POLICY), []);
    });

    it("with Tetragon, installs its chart and a TracingPolicyNamespaced per namespace and concern", async () => {
        new RuntimeSecurity("rs", args({ env: "dev", engine: RuntimeSecurityEngine.Tetragon, namespaces: ["dev-a"] }));
        await settled();
        const chart = named(CHART, "rs-chart").inputs;
        assert.equal(chart.chart, "tetragon");
        assert.equal(chart.version, TETRAGON_CHART_VERSION);
        assert.deepEqual(chart.values.tetragon.resources, RUNTIME_SENSOR_RESOURCES.dev);
        assert.deepEqual(
            ofType(TRACING_POLICY)
                .map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`)
                .sort(),
            ["dev-a/kubernetes-api-connect", "dev-a/token-read"],
        );
    });

    it("refuses an unknown engine, no namespaces, its own namespace as an app's, and undeclared subsets", () => {
        assert.throws(() => resolveRuntimeSecurityArgs("rs", args({ engine: "sysdig" as never })), /engine/);
        assert.throws(() => resolveRuntimeSecurityArgs("rs", args({ namespaces: [] })), /namespaces/);
        assert.throws(
            () => resolveRuntimeSecurityArgs("rs", args({ namespaces: [RUNTIME_SECURITY_NAMESPACE] })),
            /engine's own namespace/,
        );
        assert.throws(
            () => resolveRuntimeSecurityArgs("rs", args({ kubernetesApiNamespaces: ["other"] })),
            /kubernetesApiNamespaces/,
        );
    });

    it("watches shells in every namespace of a prod env by default, in none elsewhere", () => {
        assert.deepEqual(resolveRuntimeSecurityArgs("rs", args()).prodNamespaces, args().namespaces);
        assert.deepEqual(resolveRuntimeSecurityArgs("rs", args({ env: "stage" })).prodNamespaces, []);
    });
});
