/**
 * Reads examples/python/__main__.py far enough to check it against the schema: the keyword arguments of
 * each `k8s_baseline.<Component>(...)` call, as a value tree of Python literals (strings, numbers, booleans,
 * lists, dicts with string keys); anything else (a call such as `config.require_secret(...)`) is kept as
 * its source text. Also the attributes read off the component (`stage.kms_key_arn`). Not a Python parser:
 * the example keeps to this subset, and anything outside it fails the reading.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../schema/infer-schema";

export const PYTHON_EXAMPLE = path.join(REPO_ROOT, "examples", "python", "__main__.py");

/** An expression the reader does not interpret, by its source text. */
export class PythonExpression {
    constructor(readonly source: string) {}
}

export type PythonValue =
    string | number | boolean | null | PythonValue[] | { [key: string]: PythonValue } | PythonExpression;

export interface PythonCall {
    /** `SecureEnvironment` in `k8s_baseline.SecureEnvironment(...)`. */
    readonly component: string;
    /** The variable the result is assigned to. */
    readonly variable?: string;
    readonly args: PythonValue[];
    readonly kwargs: Record<string, PythonValue>;
}

type Token = { kind: "str" | "num" | "name" | "op"; text: string };

function tokenize(source: string): Token[] {
    const tokens: Token[] = [];
    const re =
        /\s+|#[^\n]*|"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[()[\]{},:=.]|(.)/gy;
    for (let m = re.exec(source); m && m.index < source.length; m = re.exec(source)) {
        const text = m[0];
        if (m[1] !== undefined) throw new Error(`unexpected ${JSON.stringify(m[1])} at offset ${m.index}`);
        if (/^\s/.test(text) || text.startsWith("#")) continue;
        if (text.startsWith('"""')) continue; // docstrings
        if (text.startsWith('"') || text.startsWith("'"))
            tokens.push({ kind: "str", text: JSON.parse(`"${text.slice(1, -1)}"`) });
        else if (/^\d/.test(text)) tokens.push({ kind: "num", text });
        else if (/^[A-Za-z_]/.test(text)) tokens.push({ kind: "name", text });
        else tokens.push({ kind: "op", text });
    }
    return tokens;
}

/** The component calls of the Python example, and the attributes read off each variable. */
export function readPythonProgram(file = PYTHON_EXAMPLE): { calls: PythonCall[]; attributes: Map<string, string[]> } {
    const tokens = tokenize(fs.readFileSync(file, "utf8"));
    let pos = 0;
    const peek = (offset = 0) => tokens[pos + offset];
    const expect = (text: string) => {
        if (peek()?.text !== text) throw new Error(`expected ${text}, got ${peek()?.text}`);
        pos++;
    };
    const value = (): PythonValue => {
        const t = tokens[pos++];
        if (t.kind === "str") return t.text;
        if (t.kind === "num") return Number(t.text);
        if (t.text === "True" || t.text === "False") return t.text === "True";
        if (t.text === "None") return null;
        if (t.text === "[") {
            const items: PythonValue[] = [];
            while (peek().text !== "]") {
                items.push(value());
                if (peek().text === ",") pos++;
            }
            pos++;
            return items;
        }
        if (t.text === "{") {
            const dict: Record<string, PythonValue> = {};
            while (peek().text !== "}") {
                const key = tokens[pos++];
                if (key.kind !== "str") throw new Error(`dict key ${key.text} is not a string literal`);
                expect(":");
                dict[key.text] = value();
                if (peek().text === ",") pos++;
            }
            pos++;
            return dict;
        }
        if (t.kind === "name") {
            // A dotted name, optionally called: kept as source text.
            let source = t.text;
            while (peek()?.text === "." && peek(1)?.kind === "name") {
                source += `.${peek(1).text}`;
                pos += 2;
            }
            if (peek()?.text === "(") {
                let depth = 0;
                do {
                    const u = tokens[pos++];
                    if (u.text === "(") depth++;
                    if (u.text === ")") depth--;
                    source += u.kind === "str" ? JSON.stringify(u.text) : u.text;
                } while (depth > 0);
            }
            return new PythonExpression(source);
        }
        throw new Error(`unexpected ${t.text}`);
    };
    const calls: PythonCall[] = [];
    const attributes = new Map<string, string[]>();
    const variables = new Set<string>();
    while (pos < tokens.length) {
        const t = peek();
        const assigned = t.kind === "name" && peek(1)?.text === "=" ? t.text : undefined;
        const at = assigned ? pos + 2 : pos;
        if (tokens[at]?.text === "k8s_baseline" && tokens[at + 1]?.text === "." && tokens[at + 3]?.text === "(") {
            pos = at + 4;
            const call: PythonCall = { component: tokens[at + 2].text, variable: assigned, args: [], kwargs: {} };
            while (peek().text !== ")") {
                if (peek().kind === "name" && peek(1).text === "=") {
                    const key = peek().text;
                    pos += 2;
                    call.kwargs[key] = value();
                } else {
                    call.args.push(value());
                }
                if (peek().text === ",") pos++;
            }
            pos++;
            calls.push(call);
            if (assigned) variables.add(assigned);
            continue;
        }
        if (t.kind === "name" && variables.has(t.text) && peek(1)?.text === "." && peek(2)?.kind === "name") {
            attributes.set(t.text, [...(attributes.get(t.text) ?? []), peek(2).text]);
            pos += 3;
            continue;
        }
        pos++;
    }
    return { calls, attributes };
}

/**
 * A schema property name as the Python SDK generator names it (pkg/codegen/python `PyName`): camelCase to
 * snake_case, an acronym kept as one word (`HTTPServer` → `http_server`), digits and an `s` right after an
 * acronym folded into it (`ARNs` → `arns`).
 */
export function pyName(name: string): string {
    const components: string[] = [];
    let current = "";
    let state: "first" | "upper" | "acronym" | "lower" = "first";
    const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
    const isDigit = (c: string) => /[0-9]/.test(c);
    for (let char of name) {
        if (!/[A-Za-z0-9_]/.test(char)) char = "_";
        switch (state) {
            case "first":
                if (/[0-9]/.test(char)) current += "_";
                state = isUpper(char) ? "upper" : "lower";
                current += char.toLowerCase();
                break;
            case "upper":
                state = isUpper(char) ? "acronym" : "lower";
                current += char.toLowerCase();
                break;
            case "acronym":
                if (isUpper(char)) {
                    current += char.toLowerCase();
                } else if (isDigit(char) || char === "s") {
                    state = "lower";
                    current += char;
                } else {
                    components.push(current.slice(0, -1));
                    current = current.slice(-1) + char;
                    state = "lower";
                }
                break;
            case "lower":
                if (isUpper(char)) {
                    components.push(current);
                    current = char.toLowerCase();
                    state = "upper";
                } else {
                    current += char;
                }
                break;
        }
    }
    components.push(current);
    return components.filter((c) => c.length > 0).join("_");
}
