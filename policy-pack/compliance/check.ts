/**
 * Whether the mapping (./mapping.ts) and the catalogue (./catalogue.ts) fit the pack: every policy provides
 * at least one control of the catalogue, nothing names a control or a policy that does not exist, a control
 * marked not covered is provided by nothing, and every item of the seeds' checklist is either provided or
 * said plainly not to be. Pure, so a test can show it catches each of those with a broken mapping.
 */
import { Control, FrameworkId } from "./catalogue";

/** What the check needs of a policy. */
export interface MappedPolicy {
    readonly name: string;
    readonly kind: "resource" | "stack";
    readonly types?: readonly string[];
}

export interface MappingInput {
    readonly policies: readonly MappedPolicy[];
    readonly controls: readonly Control[];
    readonly policyControls: Readonly<Record<string, readonly string[]>>;
    readonly componentControls: Readonly<Record<string, readonly string[]>>;
    readonly policySubjects: Readonly<Record<string, readonly string[]>>;
    /** The component type tokens the package registers. */
    readonly componentTypes: readonly string[];
}

/** Every problem, one sentence each; empty when the mapping fits. */
export function mappingProblems(input: MappingInput): string[] {
    const problems: string[] = [];
    const controls = new Map(input.controls.map((control) => [control.id, control]));
    const seen = new Set<string>();
    for (const control of input.controls) {
        if (seen.has(control.id)) problems.push(`control ${control.id} is in the catalogue twice`);
        seen.add(control.id);
    }
    const policyNames = new Set(input.policies.map((policy) => policy.name));
    const provided = new Set<string>();
    for (const policy of input.policies) {
        const named = input.policyControls[policy.name] ?? [];
        if (named.length === 0) problems.push(`policy ${policy.name} provides no control`);
        if (
            (policy.kind === "stack" || policy.types === undefined) &&
            input.policySubjects[policy.name] === undefined
        ) {
            problems.push(`policy ${policy.name} has no types, and the mapping names none it reads`);
        }
    }
    const checkNamed = (owner: string, named: readonly string[]) => {
        for (const id of named) {
            const control = controls.get(id);
            if (control === undefined) problems.push(`${owner} names ${id}, which the catalogue does not have`);
            else if (control.notCovered !== undefined) {
                problems.push(`${owner} provides ${id}, which the catalogue says the package does not cover`);
            } else provided.add(id);
        }
    };
    for (const [policy, named] of Object.entries(input.policyControls)) {
        if (!policyNames.has(policy)) problems.push(`the mapping names policy ${policy}, which the pack does not have`);
        checkNamed(`policy ${policy}`, named);
    }
    for (const [component, named] of Object.entries(input.componentControls)) {
        if (!input.componentTypes.includes(component)) {
            problems.push(`the mapping names component ${component}, which the package does not register`);
        }
        checkNamed(`component ${component}`, named);
    }
    for (const policy of Object.keys(input.policySubjects)) {
        if (!policyNames.has(policy)) problems.push(`the subjects name policy ${policy}, which the pack does not have`);
    }
    for (const control of input.controls) {
        const covered =
            provided.has(control.id) || control.notCovered !== undefined || control.providedByCommand !== undefined;
        if (!covered) {
            problems.push(
                control.framework === FrameworkId.SeedChecklist
                    ? `checklist item ${control.id} ("${control.title}") is neither provided nor listed as not covered`
                    : `control ${control.id} is neither provided nor listed as not covered`,
            );
        }
    }
    return problems;
}
