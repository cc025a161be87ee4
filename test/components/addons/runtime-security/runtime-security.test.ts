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
    RuntimeSecurity,
    RuntimeSecurityArgs,
    RuntimeSecurityEngine,
    SERVICE_ACCOUNT_TOKEN_DIR,
    TETRAGON_CHART_VERSION,
    tracingPolicies,
} from "../../../../components/addons/runtime-security";
import { exceptionMatchExpression } from "../../../../components/addons/kyverno/exceptions";
import { BaselinePolicyName } from "../../../../components/addons/kyverno/policies";
import {
    EKS_DEFAULT_KUBERNETES_SERVICE_IPS,
    ENVIRONMENTS,
    PLATFORM_NAMESPACES,
    RUNTIME_SECURITY_EXEMPT_POLICIES,
    RUNTIME_SECURITY_PROFILES,
} from "../../../../components/baseline";

const RUNTIME_SENSOR_RESOURCES = Object.fromEntries(
    ENVIRONMENTS.map((env) => [env, RUNTIME_SECURITY_PROFILES[env].resources]),
);
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const POLICY_EXCEPTION = "kubernetes:policies.kyverno.io/v1:PolicyException";
const CONTROL_PLANE = ["10.0.0.0/24"];

const CHART = "kubernetes:helm.sh/v4:Chart";
const TRACING_POLICY = "kubernetes:cilium.io/v1alpha1:TracingPolicyNamespaced";

function args(overrides: Partial<RuntimeSecurityArgs> = {}): RuntimeSecurityArgs {
    return { env: "prod", namespaces: ["prod-payments", "prod-operator"], apiServerCidrs: CONTROL_PLANE, ...overrides };
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
    const policies = tracingPolicies({ ...FACTS, apiServerCidrs: ["10.0.0.0/24", "10.100.0.1/32"], labels: {} });

    it("watches token reads in every namespace and API connections only where not declared", () => {
        assert.deepEqual(
            policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
            ["prod-operator/token-read", "prod-payments/token-read", "prod-payments/kubernetes-api-connect"],
        );
        const read = JSON.stringify(policies[0].spec);
        assert.ok(read.includes(SERVICE_ACCOUNT_TOKEN_DIR) && read.includes(EKS_WEB_IDENTITY_TOKEN_DIR));
    });

    it("matches API connections by port and by the API server's addresses, not any HTTPS connection", () => {
        const connect = policies.find((p) => p.metadata.name === "kubernetes-api-connect")!;
        const kprobes = connect.spec.kprobes as { selectors: { matchArgs: Record<string, unknown>[] }[] }[];
        assert.deepEqual(kprobes[0].selectors[0].matchArgs, [
            { index: 0, operator: "DPort", values: ["443", "6443"] },
            { index: 0, operator: "DAddr", values: ["10.0.0.0/24", "10.100.0.1/32"] },
        ]);
        const anyAddress = tracingPolicies({ ...FACTS, apiServerCidrs: [], labels: {} }).find(
            (p) => p.metadata.name === "kubernetes-api-connect",
        )!;
        assert.ok(!JSON.stringify(anyAddress.spec).includes("DAddr"));
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
        assert.deepEqual(chart.values.falcoctl, {
            artifact: { install: { enabled: false }, follow: { enabled: false } },
        });
        assert.equal(await valueOf(component.engine), "falco");
        assert.deepEqual(ofType(TRACING_POLICY), []);
    });

    it("creates its namespace privileged, labelled as the platform's, closed but for DNS and the API server", async () => {
        new RuntimeSecurity("rs", args());
        await settled();
        const namespaces = ofType(NAMESPACE);
        assert.equal(namespaces.length, 1);
        const labels = namespaces[0].inputs.metadata.labels as Record<string, string>;
        assert.equal(namespaces[0].inputs.metadata.name, RUNTIME_SECURITY_NAMESPACE);
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.equal(labels["pod-security.kubernetes.io/enforce-version"], "v1.37");
        assert.equal(labels.owner, "platform");
        assert.equal(labels.env, "prod");
        assert.equal(labels.tier, "platform");
        const policies = ofType(NETWORK_POLICY).map((r) => r.inputs);
        assert.ok(policies.every((p) => p.metadata.namespace === RUNTIME_SECURITY_NAMESPACE));
        assert.deepEqual(policies.map((p) => p.metadata.name).sort(), [
            "allow-declared-egress",
            "allow-dns-egress",
            "default-deny-egress",
            "default-deny-ingress",
        ]);
        const egress = policies.find((p) => p.metadata.name === "allow-declared-egress")!;
        assert.deepEqual(egress.spec.egress, [
            { to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
    });

    it("writes one PolicyException: the sensor's namespace only, the listed policies only, owner and reason", async () => {
        new RuntimeSecurity("rs", args());
        await settled();
        const exceptions = ofType(POLICY_EXCEPTION);
        assert.equal(exceptions.length, 1);
        const exception = exceptions[0].inputs;
        assert.equal(exception.metadata.namespace, PLATFORM_NAMESPACES.kyverno);
        assert.equal(exception.metadata.annotations["k8s-baseline/exception-owner"], "platform");
        assert.ok(exception.metadata.annotations["k8s-baseline/exception-reason"].length > 40);
        assert.deepEqual(
            exception.spec.policyRefs.map((ref: { name: string }) => ref.name),
            [...RUNTIME_SECURITY_EXEMPT_POLICIES],
        );
        assert.equal(exception.spec.expiresAt, undefined);
        assert.deepEqual(exception.spec.matchConditions, [
            {
                name: "runtime-security-sensor",
                expression: exceptionMatchExpression({ namespaces: [RUNTIME_SECURITY_NAMESPACE], matchLabels: {} }),
            },
        ]);
        assert.equal(exceptions[0].parentType, "k8s-baseline:index:RuntimeSecurity");
    });

    it("exempts the sensor from no policy the baseline does not have, and never from the tag or namespace rules", () => {
        const names: readonly string[] = Object.values(BaselinePolicyName);
        for (const policy of RUNTIME_SECURITY_EXEMPT_POLICIES) assert.ok(names.includes(policy), policy);
        for (const kept of [
            BaselinePolicyName.DisallowLatestTag,
            BaselinePolicyName.RequireNamespaceLabels,
            BaselinePolicyName.RestrictBindingSubjects,
            BaselinePolicyName.RestrictOpenNetworkRules,
        ]) {
            assert.ok(!RUNTIME_SECURITY_EXEMPT_POLICIES.includes(kept), kept);
        }
    });

    it("on a shared cluster names the policies and the exception as the env's BaselinePolicies do", async () => {
        new RuntimeSecurity(
            "rs",
            args({
                topology: {
                    layout: "shared",
                    namespaceLayout: "per-app",
                    environments: ["stage", "prod"],
                    allowProdWithLowerEnvironments: true,
                },
            }),
        );
        await settled();
        const exception = ofType(POLICY_EXCEPTION)[0].inputs;
        assert.equal(exception.metadata.name, "runtime-security-sensor-prod");
        assert.deepEqual(
            exception.spec.policyRefs.map((ref: { name: string }) => ref.name),
            RUNTIME_SECURITY_EXEMPT_POLICIES.map((policy) => `${policy}-prod`),
        );
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
        const connect = ofType(TRACING_POLICY).find((r) => r.inputs.metadata.name === "kubernetes-api-connect")!;
        const addresses = connect.inputs.spec.kprobes[0].selectors[0].matchArgs[1].values;
        assert.deepEqual(addresses, [...CONTROL_PLANE, ...EKS_DEFAULT_KUBERNETES_SERVICE_IPS]);
    });

    it("refuses an unknown engine, no namespaces, its own namespace as an app's, and undeclared subsets", () => {
        assert.throws(() => resolveRuntimeSecurityArgs("rs", args({ engine: "sysdig" as never })), /engine/);
        assert.throws(() => resolveRuntimeSecurityArgs("rs", args({ namespaces: "a" as never })), /namespaces/);
        assert.throws(
            () => resolveRuntimeSecurityArgs("rs", args({ namespaces: [RUNTIME_SECURITY_NAMESPACE] })),
            /engine's own namespace/,
        );
        assert.throws(
            () => resolveRuntimeSecurityArgs("rs", args({ kubernetesApiNamespaces: ["other"] })),
            /kubernetesApiNamespaces/,
        );
        assert.throws(() => resolveRuntimeSecurityArgs("rs", args({ apiServerCidrs: [] })), /apiServerCidrs: is empty/);
        assert.throws(
            () => resolveRuntimeSecurityArgs("rs", args({ apiServerCidrs: ["0.0.0.0/0"] })),
            /apiServerCidrs/,
        );
    });

    it("watches shells in every namespace of a prod env by default, in none elsewhere", () => {
        assert.deepEqual(resolveRuntimeSecurityArgs("rs", args()).prodNamespaces, args().namespaces);
        assert.deepEqual(resolveRuntimeSecurityArgs("rs", args({ env: "stage" })).prodNamespaces, []);
    });
});
