/**
 * Which resources belong to the platform's own charts. Pure; no Pulumi SDK.
 *
 * The platform's add-ons (External Secrets, Kyverno, cert-manager) need more than an app: operators that
 * read Secrets cluster-wide, controllers that run in their own namespaces. The pack leaves exactly those
 * children alone, and recognises them the way the engine registers Helm children: a resource whose URN's
 * type chain is `<add-on component>$kubernetes:helm.sh/v{3,4}:Chart$<type>` was rendered by the chart that
 * add-on installed. The chain is built by the engine from the real parents, so a resource cannot claim it
 * by its name, namespace or labels. A namespaced child must also sit in the namespace its add-on installs
 * into (components/baseline PLATFORM_CHART_COMPONENTS).
 *
 * URNs are evidence only when the engine wrote them: `settings.trustedUrns` is true in the pack and false in
 * `k8s-baseline check`, whose input files may carry any URN, so nothing there is the platform's by URN.
 */
import { runtimeSecurityMatchExpression } from "../../components/addons/kyverno/exceptions";
import { KYVERNO_POLICIES_API_VERSION } from "../../components/addons/kyverno/manifests";
import {
    ENVIRONMENTS,
    PLATFORM_ADMISSION_COMPONENTS,
    PLATFORM_CHART_COMPONENTS,
    RUNTIME_SECURITY_COMPONENT,
    RUNTIME_SECURITY_EXEMPT_POLICIES,
    RUNTIME_SECURITY_NAMESPACE,
} from "../../components/baseline";
import { isUnknown } from "./resource";
import { PolicyResource, PolicySettings } from "./types";

/** The Helm resources whose children a chart renders. */
export const HELM_CHART_TYPES: ReadonlySet<string> = new Set([
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:helm.sh/v3:Chart",
]);

/**
 * The type chain of a URN, outermost parent first, the resource's own type last:
 * `urn:pulumi:<stack>::<project>::<parent type>$...$<type>::<name>`. Undefined for anything else.
 */
export function typeChainOfUrn(urn: string | undefined): string[] | undefined {
    if (urn === undefined || !urn.startsWith("urn:pulumi:")) return undefined;
    const parts = urn.slice("urn:pulumi:".length).split("::");
    if (parts.length < 4) return undefined;
    return parts[2].split("$");
}

/**
 * The add-on component type whose chart rendered `resource`, when its URN (trusted) shows it and, for a
 * namespaced object, it sits in that add-on's namespace; else undefined.
 */
export function platformChartOf(resource: PolicyResource, settings: PolicySettings): string | undefined {
    if (!settings.trustedUrns) return undefined;
    const chain = typeChainOfUrn(resource.urn);
    if (!chain || chain.length < 3) return undefined;
    const owner = chain[chain.length - 3];
    if (!HELM_CHART_TYPES.has(chain[chain.length - 2])) return undefined;
    const namespace = PLATFORM_CHART_COMPONENTS[owner];
    if (namespace === undefined) return undefined;
    const metadata = resource.props?.metadata;
    if (isUnknown(metadata)) return undefined;
    const own = metadata?.namespace;
    // A chart's namespaced children carry the release namespace; a cluster-scoped one has none.
    if (own !== undefined && own !== namespace) return undefined;
    return owner;
}

/** True when `resource` was rendered by one of the platform's own charts (see platformChartOf). */
export function isPlatformChartResource(resource: PolicyResource, settings: PolicySettings): boolean {
    return platformChartOf(resource, settings) !== undefined;
}

/**
 * True when `resource` is an admission policy the platform registers itself: its URN (trusted) shows one of
 * PLATFORM_ADMISSION_COMPONENTS as its parent. Such objects are still judged by every other policy (a
 * binding that only audits in prod is refused whoever wrote it); this only says who wrote them.
 */
export function isPlatformAdmissionResource(resource: PolicyResource, settings: PolicySettings): boolean {
    if (!settings.trustedUrns) return false;
    const chain = typeChainOfUrn(resource.urn);
    return chain !== undefined && chain.length >= 2 && PLATFORM_ADMISSION_COMPONENTS.includes(chain[chain.length - 2]);
}

const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const RUNTIME_EXCEPTION_TYPE = `kubernetes:${KYVERNO_POLICIES_API_VERSION}:PolicyException`;

/** True when the engine's URN (trusted) shows RuntimeSecurity as `resource`'s own parent. */
function registeredByRuntimeSecurity(resource: PolicyResource, settings: PolicySettings): boolean {
    if (!settings.trustedUrns) return false;
    const chain = typeChainOfUrn(resource.urn);
    return chain !== undefined && chain.length >= 2 && chain[chain.length - 2] === RUNTIME_SECURITY_COMPONENT;
}

/**
 * True when `resource` is the runtime security sensor's namespace: a Namespace named
 * RUNTIME_SECURITY_NAMESPACE that RuntimeSecurity registered (URN, trusted). Its Pod Security level is the
 * sensor's (`privileged`); the same name created by anything else, or any other namespace labelled
 * privileged, is judged like every namespace. Never in `check`, whose URNs are the input's.
 */
export function isRuntimeSecurityNamespace(resource: PolicyResource, settings: PolicySettings): boolean {
    if (resource.type !== NAMESPACE_TYPE || !registeredByRuntimeSecurity(resource, settings)) return false;
    const metadata = resource.props?.metadata;
    return !isUnknown(metadata) && metadata?.name === RUNTIME_SECURITY_NAMESPACE;
}

/** The names the sensor's exception may waive: each policy, as any env's BaselinePolicies name it. */
const RUNTIME_EXEMPT_NAMES: ReadonlySet<string> = new Set(
    RUNTIME_SECURITY_EXEMPT_POLICIES.flatMap((policy) => [policy, ...ENVIRONMENTS.map((env) => `${policy}-${env}`)]),
);

/**
 * True when `resource` is the runtime security sensor's standing PolicyException, as RuntimeSecurity writes
 * it and registered by it (URN, trusted): one condition, exactly the match of the sensor's namespace
 * (components/addons/kyverno runtimeSecurityMatchExpression), and only ValidatingPolicies of
 * RUNTIME_SECURITY_EXEMPT_POLICIES. Such an exception needs no expiry; one that names another namespace,
 * another policy, or was registered by anything else, is an exception like any other and must end.
 */
export function isRuntimeSecurityException(resource: PolicyResource, settings: PolicySettings): boolean {
    if (resource.type !== RUNTIME_EXCEPTION_TYPE || !registeredByRuntimeSecurity(resource, settings)) return false;
    const spec = resource.props?.spec;
    if (isUnknown(spec) || typeof spec !== "object" || spec === null) return false;
    const conditions: unknown = spec.matchConditions;
    const refs: unknown = spec.policyRefs;
    if (!Array.isArray(conditions) || conditions.length !== 1 || !Array.isArray(refs) || refs.length === 0) {
        return false;
    }
    const condition: unknown = conditions[0];
    if (
        typeof condition !== "object" ||
        condition === null ||
        (condition as { expression?: unknown }).expression !== runtimeSecurityMatchExpression()
    ) {
        return false;
    }
    return refs.every(
        (ref: unknown) =>
            typeof ref === "object" &&
            ref !== null &&
            (ref as { kind?: unknown }).kind === "ValidatingPolicy" &&
            RUNTIME_EXEMPT_NAMES.has((ref as { name?: unknown }).name as string),
    );
}
