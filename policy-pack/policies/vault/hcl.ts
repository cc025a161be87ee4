/**
 * A strict reader of Vault ACL policies in the one shape the components render (components/vault/policy.ts
 * renderPolicy): a list of `path "<path>" { capabilities = ["<capability>", ...] }` blocks, with blank lines
 * and `#` or `//` line comments between them. Anything else (another attribute such as
 * `allowed_parameters`, interpolation, a heredoc, a block in another form) is refused with the reason, so the
 * policies report "cannot verify" instead of judging a policy they did not fully read.
 */
import { VAULT_CAPABILITIES } from "../../../components/vault/policy";

/** One `path` block. */
export interface AclRule {
    readonly path: string;
    readonly capabilities: readonly string[];
}

export type AclRead =
    { readonly ok: true; readonly rules: readonly AclRule[] } | { readonly ok: false; readonly problem: string };

const CAPABILITIES: ReadonlySet<string> = new Set(VAULT_CAPABILITIES);

// Sticky tokens, matched at the reader's position.
const SPACE = /(?:\s+|#[^\n]*|\/\/[^\n]*)*/y;
const PATH_KEYWORD = /path\b/y;
const STRING = /"(?:[^"\\\n]|\\.)*"/y;
const CAPABILITIES_KEYWORD = /capabilities\b/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;

class Reader {
    private at = 0;

    constructor(private readonly text: string) {}

    private skip(): void {
        SPACE.lastIndex = this.at;
        SPACE.exec(this.text);
        this.at = SPACE.lastIndex;
    }

    /** Line of the current position, for messages. */
    private line(): number {
        return this.text.slice(0, this.at).split("\n").length;
    }

    fail(expected: string): never {
        IDENTIFIER.lastIndex = this.at;
        const found = IDENTIFIER.exec(this.text)?.[0] ?? this.text.slice(this.at, this.at + 12);
        throw new Error(
            `line ${this.line()}: expected ${expected}, found ${found ? JSON.stringify(found) : "the end"}`,
        );
    }

    done(): boolean {
        this.skip();
        return this.at >= this.text.length;
    }

    token(regex: RegExp, expected: string): string {
        this.skip();
        regex.lastIndex = this.at;
        const match = regex.exec(this.text);
        if (!match) this.fail(expected);
        this.at = regex.lastIndex;
        return match[0];
    }

    literal(char: string): void {
        this.skip();
        if (this.text[this.at] !== char) this.fail(`'${char}'`);
        this.at++;
    }

    peek(char: string): boolean {
        this.skip();
        return this.text[this.at] === char;
    }

    string(expected: string): string {
        const raw = this.token(STRING, expected);
        if (raw.includes("${")) throw new Error(`line ${this.line()}: ${raw} uses interpolation`);
        return JSON.parse(raw) as string;
    }
}

/** The rules of a policy in the rendered shape, or the first reason it is not in that shape. */
export function readAclPolicy(text: string): AclRead {
    const reader = new Reader(text);
    const rules: AclRule[] = [];
    const seen = new Set<string>();
    try {
        while (!reader.done()) {
            reader.token(PATH_KEYWORD, "a path block");
            const path = reader.string("a quoted path");
            if (seen.has(path)) throw new Error(`path ${JSON.stringify(path)} has two blocks`);
            seen.add(path);
            reader.literal("{");
            reader.token(CAPABILITIES_KEYWORD, "capabilities, the only attribute this reader accepts");
            reader.literal("=");
            reader.literal("[");
            const capabilities: string[] = [];
            while (!reader.peek("]")) {
                const capability = reader.string("a quoted capability");
                if (!CAPABILITIES.has(capability)) {
                    throw new Error(
                        `${JSON.stringify(capability)} on ${JSON.stringify(path)} is not a Vault capability`,
                    );
                }
                capabilities.push(capability);
                if (!reader.peek(",")) break;
                reader.literal(",");
            }
            reader.literal("]");
            reader.literal("}");
            rules.push({ path, capabilities });
        }
    } catch (e) {
        return { ok: false, problem: (e as Error).message };
    }
    if (rules.length === 0) return { ok: false, problem: "it has no path block" };
    return { ok: true, rules };
}
