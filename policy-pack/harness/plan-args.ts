/** The offline plan's command line: a stack, an output format and where the document goes. Loads no SDK. */
import { STACKS_DIR } from "./paths";
import { stackArgumentProblem } from "./stack-file";

/** Output formats of the plan. */
export const PlanFormat = {
    Text: "text",
    Json: "json",
    Sarif: "sarif",
} as const;
export type PlanFormat = (typeof PlanFormat)[keyof typeof PlanFormat];
const PLAN_FORMATS: readonly string[] = Object.values(PlanFormat);

export interface PlanOptions {
    readonly stack: string;
    readonly format: PlanFormat;
    /** Where the json or sarif document goes; the text is then printed as well. */
    readonly output?: string;
}

export const PLAN_USAGE = "usage: npm run plan -- <stack> [--format text|json|sarif] [--output FILE]";

/** Parses the plan's arguments; returns an error message for anything it does not accept. */
export function parsePlanArgs(argv: readonly string[], dir: string = STACKS_DIR): PlanOptions | { error: string } {
    const positional: string[] = [];
    let format: PlanFormat = PlanFormat.Text;
    let output: string | undefined;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
        if (flag === "--format" || flag === "--output") {
            const value = inline ?? argv[++index];
            if (value === undefined || value === "") return { error: `${flag} needs a value` };
            if (flag === "--output") output = value;
            else if (PLAN_FORMATS.includes(value)) format = value as PlanFormat;
            else return { error: `--format must be one of ${PLAN_FORMATS.join(", ")}, not "${value}"` };
        } else if (arg.startsWith("-")) {
            return { error: `unknown option ${arg}` };
        } else {
            positional.push(arg);
        }
    }
    const stackProblem = stackArgumentProblem(positional, dir);
    if (stackProblem !== undefined) return { error: stackProblem };
    if (output !== undefined && format === PlanFormat.Text) return { error: "--output is for --format json or sarif" };
    return { stack: positional[0], format, output };
}
