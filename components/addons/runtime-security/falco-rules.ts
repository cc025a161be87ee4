/**
 * The Falco rules the baseline adds to the chart's defaults, generated from the env's facts as data: one
 * `customRules` file of lists and rules. Upstream ships no rule for a read of a ServiceAccount token.
 */
import { stringify } from "yaml";
import { EKS_WEB_IDENTITY_TOKEN_DIR, SERVICE_ACCOUNT_TOKEN_DIR } from "../../baseline";

export { EKS_WEB_IDENTITY_TOKEN_DIR, SERVICE_ACCOUNT_TOKEN_DIR } from "../../baseline";

/** The API server's in-cluster name, as Falco resolves a connection's server address. */
export const KUBERNETES_API_HOST = "kubernetes.default.svc.cluster.local";
/** The shells whose interactive use in a prod container is an alert. */
export const SHELLS: readonly string[] = ["ash", "bash", "csh", "dash", "ksh", "sh", "tcsh", "zsh"];

/** The name of the `customRules` file the chart mounts in /etc/falco/rules.d. */
export const FALCO_RULES_FILE = "k8s-baseline-rules.yaml";

/** The facts the rules are generated from. */
export interface FalcoRuleFacts {
    /** The envs' app namespaces, where a token read by another process is an alert. */
    readonly namespaces: readonly string[];
    /** The prod namespaces, where any terminal shell in a container is an alert. */
    readonly prodNamespaces: readonly string[];
    /** The namespaces whose apps are declared to need the Kubernetes API. */
    readonly kubernetesApiNamespaces: readonly string[];
    /**
     * Globs of env namespaces besides `namespaces` (`*-dev`): on a shared cluster, whose app namespaces the
     * env stacks create, the cluster's sensor watches the envs' namespaces by the names the layout gives them.
     */
    readonly namespacePatterns?: readonly string[];
    /** Globs of prod namespaces besides `prodNamespaces` (`*-prod`). */
    readonly prodNamespacePatterns?: readonly string[];
}

/** A glob as Falco's `glob` operator reads it: the namespace name layouts of components/baseline. */
const NAMESPACE_GLOB = /^(\*-)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when `pattern` is a namespace glob the rules accept: a DNS label, optionally after `*-`. */
export function isNamespaceGlob(pattern: unknown): pattern is string {
    return typeof pattern === "string" && NAMESPACE_GLOB.test(pattern);
}

/** True when `namespace` matches `pattern` (isNamespaceGlob) as Falco's `glob` reads it. */
export function matchesNamespaceGlob(namespace: string, pattern: string): boolean {
    return pattern.startsWith("*") ? namespace.endsWith(pattern.slice(1)) : namespace === pattern;
}

/** `k8s.ns.name in (<list>)`, or also one of the globs. */
function inNamespaces(list: string, patterns: readonly string[] = []): string {
    const inList = `k8s.ns.name in (${list})`;
    if (patterns.length === 0) return inList;
    const globs = [...new Set(patterns)].sort().map((p) => `k8s.ns.name glob "${p}"`);
    return `(${[inList, ...globs].join(" or ")})`;
}

/** One entry of a Falco rules file. */
export type FalcoRuleEntry = Record<string, unknown>;

/** A Falco list item: names are quoted so that no item is read as a field or an operator. */
function items(values: readonly string[]): string[] {
    return [...new Set(values)].sort().map((v) => `"${v}"`);
}

/**
 * The rule entries: lists of the namespaces, then three rules. A list with no item is kept (Falco accepts
 * `items: []`) so that the rules always compile; a rule over an empty list never fires.
 */
export function falcoRuleEntries(facts: FalcoRuleFacts): FalcoRuleEntry[] {
    const inContainer = "container.id != host";
    const inEnv = inNamespaces("k8s_baseline_env_namespaces", facts.namespacePatterns);
    const inProd = inNamespaces("k8s_baseline_prod_namespaces", facts.prodNamespacePatterns);
    return [
        { list: "k8s_baseline_env_namespaces", items: items(facts.namespaces) },
        { list: "k8s_baseline_prod_namespaces", items: items(facts.prodNamespaces) },
        { list: "k8s_baseline_kubernetes_api_namespaces", items: items(facts.kubernetesApiNamespaces) },
        { list: "k8s_baseline_shells", items: [...SHELLS] },
        {
            rule: "Service account token read by another process",
            desc:
                "A process other than the container's own (PID 1 in the container) opened the mounted " +
                "ServiceAccount token or the EKS web-identity token in an env namespace.",
            condition:
                "evt.type in (open, openat, openat2) and evt.is_open_read = true and " +
                `${inContainer} and ${inEnv} and ` +
                `(fd.name startswith ${SERVICE_ACCOUNT_TOKEN_DIR} or fd.name startswith ${EKS_WEB_IDENTITY_TOKEN_DIR}) and ` +
                "proc.vpid != 1",
            output:
                "Token read by a process other than the app's own (file=%fd.name proc=%proc.name " +
                "cmdline=%proc.cmdline ns=%k8s.ns.name pod=%k8s.pod.name container=%container.id)",
            priority: "WARNING",
            tags: ["k8s-baseline", "credential_access", "T1528"],
        },
        {
            rule: "Terminal shell in a prod container",
            desc: "A shell attached to a terminal started in a container of a prod namespace.",
            condition:
                "evt.type in (execve, execveat) and evt.dir = < and " +
                `${inContainer} and ${inProd} and ` +
                "proc.name in (k8s_baseline_shells) and proc.tty != 0",
            output:
                "Terminal shell in a prod container (proc=%proc.name cmdline=%proc.cmdline user=%user.name " +
                "ns=%k8s.ns.name pod=%k8s.pod.name container=%container.id)",
            priority: "CRITICAL",
            tags: ["k8s-baseline", "execution", "T1059"],
        },
        {
            rule: "Kubernetes API contacted from an undeclared namespace",
            desc:
                "A container of an env namespace whose apps are not declared to need the Kubernetes API " +
                "connected to the API server.",
            condition:
                "evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6) and " +
                `${inContainer} and ${inEnv} and ` +
                "not k8s.ns.name in (k8s_baseline_kubernetes_api_namespaces) and " +
                `fd.sip.name = "${KUBERNETES_API_HOST}"`,
            output:
                "Kubernetes API contacted from an undeclared namespace (connection=%fd.name proc=%proc.name " +
                "ns=%k8s.ns.name pod=%k8s.pod.name container=%container.id)",
            priority: "NOTICE",
            tags: ["k8s-baseline", "discovery", "T1613"],
        },
    ];
}

/** The rules file's text, as the chart's `customRules` takes it. */
export function falcoRulesYaml(facts: FalcoRuleFacts): string {
    return stringify(falcoRuleEntries(facts), { lineWidth: 0 });
}
