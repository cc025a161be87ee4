/**
 * The compliance evidence of one stack, per control of the catalogue: what provides it at deploy time (the
 * components and the resources its policies judge), what enforces it at preview (the pack's policies) and at
 * admission (the Kyverno policies that mirror them, and Pod Security admission), the stack's result, and,
 * plainly, the controls the package does not cover. Pure: built from resources and findings, rendered by
 * ./markdown.ts and ./html.ts.
 */
import { KYVERNO_TO_PACK } from "../conformance/counterparts";
import { Environment, podSecurityLabel, PodSecurityLevel, profileFor } from "../../components/baseline";
import { estimateSecretsCost, SecretsCostEstimate } from "../cost/estimate";
import { isUnknown } from "../policies/resource";
import { Policy, PolicyResource } from "../policies/types";
import { Control, CONTROLS, Framework, FrameworkId, FRAMEWORKS } from "./catalogue";
import { componentsOf, EVERY_TYPE, POLICY_SUBJECTS, policiesOf } from "./mapping";

/** A finding of a policy about the stack (a preview diagnostic, or a violation `check`-style). */
export interface Finding {
    readonly policy: string;
    /** `mandatory` or `advisory` (a preview's `remediate` and `disabled` count as neither). */
    readonly level: string;
    readonly message: string;
    readonly urn?: string;
}

/** What a report is built from. */
export interface EvidenceInput {
    readonly stack: string;
    readonly env: Environment;
    /** Where the resources and findings came from, in words. */
    readonly source: string;
    readonly resources: readonly PolicyResource[];
    readonly findings: readonly Finding[];
    /** The pack's policies. */
    readonly policies: readonly Policy[];
    readonly generatedAt: Date;
}

export const ControlStatus = {
    Fail: "fail",
    Advisory: "advisory",
    Pass: "pass",
    /** The control's policies judge nothing in this stack, and no component of it provides the control. */
    NotExercised: "not exercised",
    /** A command of the package provides it (the report itself). */
    Provided: "provided",
    NotCovered: "not covered",
} as const;
export type ControlStatus = (typeof ControlStatus)[keyof typeof ControlStatus];

/** A count of the stack's resources of one type. */
export interface TypeCount {
    readonly type: string;
    readonly count: number;
}

/** A Kyverno policy that enforces a control at admission. */
export interface AdmissionRule {
    readonly kyvernoPolicy: string;
    /** The pack policy it mirrors. */
    readonly mirrors: string;
    /** Whether the stack deploys it. */
    readonly deployed: boolean;
    /** Its `validationActions` in the stack (Deny, Audit, Warn), when deployed and known. */
    readonly actions: readonly string[];
}

export interface ControlRow {
    readonly control: Control;
    readonly status: ControlStatus;
    /** The stack's components that provide the control, by type. */
    readonly components: readonly TypeCount[];
    /** The stack's resources its policies judge, by type. */
    readonly resources: readonly TypeCount[];
    /** Its policies (at preview). */
    readonly policies: readonly string[];
    readonly admission: readonly AdmissionRule[];
    /** Pod Security admission: namespaces of the stack that enforce the control's level, for PSS controls. */
    readonly podSecurityAdmission?: { readonly level: PodSecurityLevel; readonly namespaces: number };
    readonly mandatory: number;
    readonly advisory: number;
    /** Indexes into ComplianceReport.findings. */
    readonly findings: readonly number[];
}

export interface ReportSummary {
    readonly controls: number;
    readonly byStatus: Readonly<Record<ControlStatus, number>>;
    /** Findings of the stack, as the preview counts them. */
    readonly mandatory: number;
    readonly advisory: number;
    readonly resources: number;
    readonly policies: number;
}

export interface ComplianceReport {
    readonly stack: string;
    readonly env: Environment;
    readonly source: string;
    readonly generatedAt: string;
    readonly frameworks: readonly Framework[];
    readonly rows: readonly ControlRow[];
    readonly findings: readonly Finding[];
    readonly policies: readonly Policy[];
    readonly summary: ReportSummary;
    readonly cost: SecretsCostEstimate;
    readonly costBudgetUsd: number;
}

const COMPONENT_PREFIX = "k8s-baseline:index:";

/** The type tokens of a URN's parent chain: `urn:pulumi:s::p::a$b$c::name` → [a, b, c]. */
function typeChainOf(urn: string | undefined): string[] {
    return urn === undefined ? [] : (urn.split("::")[2] ?? "").split("$");
}

function counted(types: readonly string[]): TypeCount[] {
    const counts = new Map<string, number>();
    for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
    return [...counts].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type));
}

function metadataName(resource: PolicyResource): string | undefined {
    const name = resource.props?.metadata?.name;
    return typeof name === "string" ? name : undefined;
}

/** The Kyverno policies of the baseline that mirror `policy`, by name. */
function kyvernoMirrors(policy: string): string[] {
    return Object.entries(KYVERNO_TO_PACK)
        .filter(([, counterpart]) => counterpart?.policy === policy)
        .map(([kyverno]) => kyverno);
}

const KYVERNO_POLICY = /^kubernetes:policies\.kyverno\.io\/[^:]+:(ValidatingPolicy|ImageValidatingPolicy)$/;

/** Builds the report: one row per control of the catalogue, in catalogue order. */
export function buildReport(input: EvidenceInput): ComplianceReport {
    const { resources, findings, policies } = input;
    const byName = new Map(policies.map((policy) => [policy.name, policy]));
    const componentTypes = resources.filter((r) => r.type.startsWith(COMPONENT_PREFIX)).map((r) => r.type);
    const kyvernoDeployed = new Map<string, PolicyResource>();
    for (const resource of resources) {
        const name = metadataName(resource);
        if (KYVERNO_POLICY.test(resource.type) && name !== undefined) kyvernoDeployed.set(name, resource);
    }
    const findingsOf = new Map<string, number[]>();
    findings.forEach((finding, index) => {
        findingsOf.set(finding.policy, [...(findingsOf.get(finding.policy) ?? []), index]);
    });

    const judgedTypes = (policyName: string): readonly string[] | undefined => {
        const policy = byName.get(policyName);
        if (policy === undefined) return [];
        if (policy.kind === "resource" && policy.types !== undefined) return policy.types;
        const subjects = POLICY_SUBJECTS[policyName] ?? [];
        return subjects.includes(EVERY_TYPE) ? undefined : subjects;
    };

    const namespaceLevels = resources
        .filter((r) => r.type === "kubernetes:core/v1:Namespace")
        .map((r) => r.props?.metadata?.labels?.[podSecurityLabel("enforce")])
        .filter((level): level is string => typeof level === "string" && !isUnknown(level));

    const rows: ControlRow[] = CONTROLS.map((control) => {
        const controlPolicies = policiesOf(control.id);
        const types = new Set<string>();
        let everyType = false;
        for (const name of controlPolicies) {
            const judged = judgedTypes(name);
            if (judged === undefined) everyType = true;
            else for (const type of judged) types.add(type);
        }
        const judgedResources = resources.filter(
            (r) => !r.type.startsWith(COMPONENT_PREFIX) && (everyType || types.has(r.type)),
        );
        const providers = componentsOf(control.id);
        const components = counted(componentTypes.filter((type) => providers.includes(type)));
        // The components a judged resource was registered by count as providing it too.
        const owners = counted(
            judgedResources.flatMap((r) =>
                typeChainOf(r.urn)
                    .filter((type) => type.startsWith(COMPONENT_PREFIX))
                    .slice(-1),
            ),
        );
        const allComponents = counted([
            ...components.flatMap((c) => Array<string>(c.count).fill(c.type)),
            ...owners.filter((o) => !providers.includes(o.type)).flatMap((o) => Array<string>(o.count).fill(o.type)),
        ]);
        const admission: AdmissionRule[] = controlPolicies.flatMap((policy) =>
            kyvernoMirrors(policy).map((kyvernoPolicy) => {
                const deployed = kyvernoDeployed.get(kyvernoPolicy);
                const actions = deployed?.props?.spec?.validationActions;
                return {
                    kyvernoPolicy,
                    mirrors: policy,
                    deployed: deployed !== undefined,
                    actions: Array.isArray(actions) ? actions.filter((a): a is string => typeof a === "string") : [],
                };
            }),
        );
        const level =
            control.framework === FrameworkId.PodSecurityStandards
                ? control.section === "Baseline"
                    ? PodSecurityLevel.Baseline
                    : PodSecurityLevel.Restricted
                : undefined;
        const podSecurityAdmission =
            level === undefined
                ? undefined
                : {
                      level,
                      namespaces: namespaceLevels.filter((l) =>
                          level === PodSecurityLevel.Baseline
                              ? l === PodSecurityLevel.Baseline || l === PodSecurityLevel.Restricted
                              : l === PodSecurityLevel.Restricted,
                      ).length,
                  };
        const indexes = controlPolicies.flatMap((policy) => findingsOf.get(policy) ?? []);
        const mandatory = indexes.filter((i) => findings[i].level === "mandatory").length;
        const advisory = indexes.filter((i) => findings[i].level === "advisory").length;
        let status: ControlStatus;
        if (control.notCovered !== undefined) status = ControlStatus.NotCovered;
        else if (mandatory > 0) status = ControlStatus.Fail;
        else if (advisory > 0) status = ControlStatus.Advisory;
        // Provided by what the stack deploys: a component, resources its policies judge (and found nothing
        // in), an admission rule that enforces it, or namespaces whose Pod Security admission does.
        else if (
            judgedResources.length > 0 ||
            components.length > 0 ||
            admission.some((rule) => rule.deployed) ||
            (podSecurityAdmission?.namespaces ?? 0) > 0
        )
            status = ControlStatus.Pass;
        else if (control.providedByCommand !== undefined) status = ControlStatus.Provided;
        else status = ControlStatus.NotExercised;
        return {
            control,
            status,
            components: allComponents,
            resources: counted(judgedResources.map((r) => r.type)),
            policies: controlPolicies,
            admission,
            podSecurityAdmission,
            mandatory,
            advisory,
            findings: indexes,
        };
    });

    const byStatus = Object.fromEntries(Object.values(ControlStatus).map((status) => [status, 0])) as Record<
        ControlStatus,
        number
    >;
    for (const row of rows) byStatus[row.status]++;
    return {
        stack: input.stack,
        env: input.env,
        source: input.source,
        generatedAt: input.generatedAt.toISOString(),
        frameworks: Object.values(FRAMEWORKS),
        rows,
        findings,
        policies,
        summary: {
            controls: rows.length,
            byStatus,
            mandatory: findings.filter((f) => f.level === "mandatory").length,
            advisory: findings.filter((f) => f.level === "advisory").length,
            resources: resources.filter((r) => !r.type.startsWith("pulumi:")).length,
            policies: policies.length,
        },
        cost: estimateSecretsCost(resources),
        costBudgetUsd: profileFor(input.env).secretsMonthlyBudgetUsd,
    };
}

/** The id of a control's row in the HTML page, and its anchor. */
export function controlAnchor(controlId: string): string {
    return `control-${controlId}`;
}

/** The anchor of a policy in the page's list of policies. */
export function policyAnchor(policyName: string): string {
    return `policy-${policyName}`;
}

/** The anchor of a framework's section. */
export function frameworkAnchor(framework: FrameworkId): string {
    return `framework-${framework}`;
}

/** The anchor of the n-th finding (from 0). */
export function findingAnchor(index: number): string {
    return `finding-${index + 1}`;
}
