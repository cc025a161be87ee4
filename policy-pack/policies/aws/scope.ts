/**
 * Whether a resource pattern of an IAM policy can match a secret or parameter of another app or env.
 *
 * The question is about names, not about how many wildcards a pattern has: `...:secret:shop-prod/pay/*` is
 * one app's, `...:secret:shop-prod/pay*` also matches `shop-prod/payments/...`, `...:secret:shop-?rod/pay/*`
 * only the prod app `pay` of project `shop` and of no other env (`?` is one character, and `-?rod` cannot
 * spell `-dev` or `-stage`). A pattern is judged by intersecting the language IAM matches it against (`*`
 * any run, `?` one character, everything else literal and case-sensitive, as ARNs compare) with the
 * language of the names the baseline gives other apps: `<project>-<env>/<app>/<name>` (secretPath,
 * ssmParameterPrefix), in ARNs of any partition, region and account. The intersection is searched state by
 * state over a small alphabet (every literal the pattern and the owner's names use, plus one fresh
 * character per class), which decides it exactly. A witness name is returned for the message.
 *
 * Pure; results are cached per (pattern, service, owner), so a stack's repeated patterns cost one search.
 */
import { AppIdentity, Environment, ENVIRONMENTS } from "../../../components/baseline";

/** The services whose resources the baseline names per app. */
export type NamedService = "secretsmanager" | "ssm";

/** What the resource part of an ARN starts with, per service: `secret:<name>`, `parameter/<name without />`. */
const TYPE_PREFIX: Readonly<Record<NamedService, string>> = { secretsmanager: "secret:", ssm: "parameter/" };

const ENV_WORDS: readonly string[] = ENVIRONMENTS.map((env) => `-${env}`);
const LONGEST_ENV_WORD = Math.max(...ENV_WORDS.map((w) => w.length));

type Token = -1 | -2 | string; // -1: `*`, -2: `?`, else a literal character
const STAR = -1;
const ONE = -2;

function tokensOf(pattern: string): Token[] {
    const out: Token[] = [];
    for (const c of pattern) {
        if (c === "*") {
            if (out[out.length - 1] !== STAR) out.push(STAR);
        } else out.push(c === "?" ? ONE : c);
    }
    return out;
}

// Phases of a name's ARN: arn:<partition>:<service>:<region>:<account>:<type prefix><seg1>/<app>/<rest>.
const LIT_ARN = 0;
const PARTITION = 1;
const LIT_SERVICE = 2;
const REGION = 3;
const ACCOUNT = 4;
const LIT_TYPE = 5;
const SEG1 = 6;
const APP = 7;
const REST = 8;

/** What an accepted name must differ from the owner in (each undefined: not judged). */
interface Criterion {
    readonly seg1?: string;
    readonly env?: Environment;
    readonly app?: string;
}

/**
 * A state of the names machine: phase, index into the current literal, characters in the current field,
 * index into the owner's seg1 (-1 once different), the env-word suffix seen so far, the env the seg1 ended
 * with, index into the owner's app (-1 once different), whether the last app char was `-`, and whether the
 * seg1 / app ended different from the owner's.
 */
interface State {
    readonly ph: number;
    readonly i: number;
    readonly n: number;
    readonly o: number;
    readonly suffix: string;
    readonly env: string;
    readonly a: number;
    readonly dash: boolean;
    readonly segDiff: boolean;
    readonly appDiff: boolean;
}

const SEG_CHAR = /^[a-z0-9-]$/;
const ALNUM = /^[a-z0-9]$/;
const REST_CHAR = /^[A-Za-z0-9_.+=@/-]$/;

/** The longest suffix of `text` that starts one of the env words. */
function envSuffix(text: string): string {
    for (let start = 0; start < text.length; start++) {
        const tail = text.slice(start);
        if (ENV_WORDS.some((word) => word.startsWith(tail))) return tail;
    }
    return "";
}

class NamesMachine {
    private readonly literals: readonly string[];
    constructor(
        service: NamedService,
        private readonly criterion: Criterion,
    ) {
        this.literals = ["arn:", "", `${service}:`, "", "", TYPE_PREFIX[service]];
    }

    start(): State {
        return {
            ph: LIT_ARN,
            i: 0,
            n: 0,
            o: 0,
            suffix: "",
            env: "",
            a: 0,
            dash: false,
            segDiff: false,
            appDiff: false,
        };
    }

    step(s: State, c: string): State | undefined {
        switch (s.ph) {
            case LIT_ARN:
            case LIT_SERVICE:
            case LIT_TYPE: {
                const literal = this.literals[s.ph];
                if (literal[s.i] !== c) return undefined;
                return s.i + 1 === literal.length ? { ...s, ph: s.ph + 1, i: 0, n: 0 } : { ...s, i: s.i + 1 };
            }
            case PARTITION:
            case REGION:
            case ACCOUNT:
                return c === ":" ? { ...s, ph: s.ph + 1, i: 0, n: 0 } : s;
            case SEG1: {
                const own = this.criterion.seg1;
                if (c === "/") {
                    const word = ENV_WORDS.find((w) => w === s.suffix);
                    if (!word || s.n <= word.length) return undefined;
                    const segDiff = own !== undefined && s.o !== own.length;
                    return { ...s, ph: APP, n: 0, env: word.slice(1), segDiff };
                }
                if (!SEG_CHAR.test(c) || (s.n === 0 && !ALNUM.test(c))) return undefined;
                const o = own === undefined || s.o < 0 || own[s.o] !== c ? -1 : s.o + 1;
                return { ...s, n: Math.min(s.n + 1, LONGEST_ENV_WORD + 1), o, suffix: envSuffix(s.suffix + c) };
            }
            case APP: {
                const own = this.criterion.app;
                if (c === "/") {
                    if (s.n === 0 || s.dash) return undefined;
                    return { ...s, ph: REST, n: 0, appDiff: own !== undefined && s.a !== own.length };
                }
                if (!SEG_CHAR.test(c) || (s.n === 0 && !ALNUM.test(c))) return undefined;
                const a = own === undefined || s.a < 0 || own[s.a] !== c ? -1 : s.a + 1;
                return { ...s, n: 1, a, dash: c === "-" };
            }
            case REST:
                return REST_CHAR.test(c) ? { ...s, n: 1 } : undefined;
            default:
                return undefined;
        }
    }

    accepts(s: State): boolean {
        if (s.ph !== REST || s.n === 0) return false;
        const { seg1, env, app } = this.criterion;
        if (seg1 === undefined && env === undefined && app === undefined) return true;
        return s.segDiff || (env !== undefined && s.env !== env) || s.appDiff;
    }

    /** Characters that behave differently in this machine, plus one of each class that is no literal. */
    alphabet(pattern: string): string[] {
        const chars = new Set<string>([
            ...pattern.replace(/[*?]/g, ""),
            ...this.literals.join(""),
            ...ENV_WORDS.join(""),
        ]);
        for (const value of [this.criterion.seg1, this.criterion.app]) if (value) for (const c of value) chars.add(c);
        for (const c of "/:-_.") chars.add(c);
        for (const range of ["abcdefghijklmnopqrstuvwxyz", "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]) {
            const fresh = [...range].find((c) => !chars.has(c));
            if (fresh) chars.add(fresh);
        }
        return [...chars];
    }
}

/** Beyond this many states the search gives up and the pattern is taken to reach other names. */
const STATE_LIMIT = 50_000;

const keyOf = (g: number, s: State) =>
    `${g}|${s.ph}|${s.i}|${s.n}|${s.o}|${s.suffix}|${s.env}|${s.a}|${s.dash ? 1 : 0}|${s.segDiff ? 1 : 0}|${s.appDiff ? 1 : 0}`;

/** A name the pattern matches and the machine accepts, or undefined; `"*"` when the search gave up. */
function search(pattern: string, service: NamedService, criterion: Criterion): string | undefined {
    const machine = new NamesMachine(service, criterion);
    const tokens = tokensOf(pattern);
    const alphabet = machine.alphabet(pattern);
    const closure = (g: number) => (tokens[g] === STAR ? [g, g + 1] : [g]);
    const seen = new Set<string>();
    const stack: { g: number; s: State; text: string }[] = [];
    const push = (g: number, s: State, text: string) => {
        for (const h of closure(g)) {
            const key = keyOf(h, s);
            if (seen.has(key)) continue;
            seen.add(key);
            stack.push({ g: h, s, text });
        }
    };
    push(0, machine.start(), "");
    while (stack.length > 0) {
        if (seen.size > STATE_LIMIT) return "*";
        const { g, s, text } = stack.pop()!;
        if (g === tokens.length) {
            if (machine.accepts(s)) return text;
            continue;
        }
        const token = tokens[g];
        for (const c of alphabet) {
            if (typeof token === "string" && token !== c) continue;
            const next = machine.step(s, c);
            if (!next) continue;
            push(token === STAR ? g : g + 1, next, text + c);
        }
    }
    return undefined;
}

/** The `<seg1>/<app>/` of a name's ARN the machine accepted. */
function ownerOfWitness(arn: string, service: NamedService): Criterion {
    const resource = arn.split(":").slice(5).join(":").slice(TYPE_PREFIX[service].length);
    const [seg1, app] = resource.split("/");
    return { seg1, app };
}

/** The name part of an ARN, for messages. */
function nameOf(arn: string, service: NamedService): string {
    if (arn === "*") return "names the search could not bound";
    const name = arn.split(":").slice(5).join(":").slice(TYPE_PREFIX[service].length);
    return service === "ssm" ? `/${name}` : name;
}

const cache = new Map<string, string | null>();
const CACHE_LIMIT = 4096;

/**
 * A name of another app or env (than `owner`'s) that `pattern` matches, or undefined when it matches none.
 * With the owner fully known, "another" is any other `<project>-<env>/<app>/`; with parts of it unknown, it
 * is a name that differs in a known part, or, when the pattern matches two apps' names, the second one (at
 * most one of them can be the owner's).
 */
export function otherNameReached(pattern: string, service: NamedService, owner: AppIdentity): string | undefined {
    const key = `${service}\u0000${owner.project ?? ""}\u0000${owner.env ?? ""}\u0000${owner.app ?? ""}\u0000${pattern}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const found = reached(pattern, service, owner);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, found ?? null);
    return found;
}

const SEG1_SHAPE = new RegExp(`^[a-z0-9][a-z0-9-]*-(${ENVIRONMENTS.join("|")})$`);
const APP_SHAPE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const REST_LITERAL = /^[A-Za-z0-9_.+=@/-]*$/;

/**
 * The common case decided without a search: a pattern whose colons are exactly those of the service's ARNs
 * (names have none, so each literal colon of the pattern stands for the same colon of every name it
 * matches) and whose name part starts with a literal `<seg1>/<app>/`: every name it matches is that one
 * app's. `null` when the shortcut does not apply.
 */
function shortcut(pattern: string, service: NamedService, criterion: Criterion): string | undefined | null {
    const parts = pattern.split(":");
    const prefix = TYPE_PREFIX[service];
    let name: string;
    if (service === "secretsmanager") {
        if (parts.length !== 7 || parts[5] !== "secret") return null;
        name = parts[6];
    } else {
        if (parts.length !== 6 || !parts[5].startsWith(prefix)) return null;
        name = parts[5].slice(prefix.length);
    }
    const wild = name.search(/[*?]/);
    const literal = wild < 0 ? name : name.slice(0, wild);
    const [seg1, app, ...rest] = literal.split("/");
    if (rest.length === 0) return null;
    const tail = rest.join("/");
    if (!REST_LITERAL.test(tail) || (tail.length === 0 && wild < 0)) return null;
    const envWord = SEG1_SHAPE.exec(seg1);
    if (!envWord || !APP_SHAPE.test(app)) return undefined;
    const differs =
        (criterion.seg1 !== undefined && seg1 !== criterion.seg1) ||
        (criterion.env !== undefined && envWord[1] !== criterion.env) ||
        (criterion.app !== undefined && app !== criterion.app);
    if (!differs) return undefined;
    const witness = `${seg1}/${app}/${tail.length > 0 ? tail : "x"}`;
    return service === "ssm" ? `/${witness}` : witness;
}

function reached(pattern: string, service: NamedService, owner: AppIdentity): string | undefined {
    const { project, env, app } = owner;
    const seg1 = project !== undefined && env !== undefined ? `${project}-${env}` : undefined;
    // A literal `<seg1>/<app>/` names one app: it differs from the owner in a known part, or it is the only
    // app the pattern reaches.
    const quick = shortcut(pattern, service, { seg1, env, app });
    if (quick !== null) return quick;
    if (seg1 !== undefined || env !== undefined || app !== undefined) {
        const found = search(pattern, service, { seg1, env, app });
        if (found !== undefined) return nameOf(found, service);
        if (seg1 !== undefined && app !== undefined) return undefined;
    }
    const any = search(pattern, service, {});
    if (any === undefined) return undefined;
    if (any === "*") return nameOf(any, service);
    const second = search(pattern, service, ownerOfWitness(any, service));
    return second === undefined ? undefined : nameOf(second, service);
}

/** True when a KMS resource pattern can match more than one key: a wildcard where the key id goes. */
export function keyPatternIsWild(pattern: string): boolean {
    const parts = pattern.split(":");
    if (parts.length < 6) return /[*?]/.test(pattern);
    return /[*?]/.test(parts.slice(5).join(":")) && !/^alias\//.test(parts.slice(5).join(":"));
}

/** `<project>-<env>/<app>` of some baseline name `pattern` matches, or undefined when it matches none. */
export function someOwnerMatched(pattern: string, service: NamedService): string | undefined {
    const found = search(pattern, service, {});
    if (found === undefined || found === "*") return found;
    const { seg1, app } = ownerOfWitness(found, service);
    return `${seg1}/${app}`;
}
