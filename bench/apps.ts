/**
 * Stack values for the benchmark: the prod stack's configuration with its apps repeated, each copy renamed,
 * so the platform program builds N apps of the shapes prod declares.
 */
import { stackValues } from "../policy-pack/harness/stack-config";

interface AppConfig {
    name: string;
    namespace?: string;
    serviceAccountName?: string;
    [key: string]: unknown;
}

/** The prod stack's `k8s-baseline:*` values with `count` apps, cycling through prod's own. */
export function valuesWithApps(stack: string, count: number): Record<string, unknown> {
    const values = stackValues(stack);
    const base = values.apps as AppConfig[];
    const apps: AppConfig[] = [];
    for (let i = 0; i < count; i++) {
        const template = structuredClone(base[i % base.length]);
        const suffix = `-${Math.floor(i / base.length)}`;
        template.name = `${template.name}${suffix}`;
        if (template.namespace) template.namespace = `${template.namespace}${suffix}`;
        if (template.serviceAccountName) template.serviceAccountName = `${template.serviceAccountName}${suffix}`;
        apps.push(template);
    }
    return { ...values, apps };
}
