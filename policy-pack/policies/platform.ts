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
import { PLATFORM_ADMISSION_COMPONENTS, PLATFORM_CHART_COMPONENTS } from "../../components/baseline";
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
