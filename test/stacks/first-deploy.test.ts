/**
 * The README's first deploy of an env's stack secrets key, read as data: the stack starts on another secrets
 * provider, `pulumi up` creates the env's StackSecretsKey, and `pulumi stack change-secrets-provider` moves the
 * stack onto it. Every `awskms://` provider the commands name is the alias the stack's StackSecretsKey creates,
 * in the stack's region, and the one its stack file records; so the README cannot drift from the code.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { installMocks, ofType, resetResources, settled } from "../mocks";
installMocks();
import {
    Environment,
    ENVIRONMENTS,
    parseStackSecretsAlias,
    stackSecretsAliasName,
    stackSecretsProvider,
} from "../../components/baseline";
import { secretsProviderProblem, stackFileEnvironment } from "../../policy-pack/cli/stack-files";
import { stackNames, STACKS_DIR } from "../../policy-pack/harness/paths";
import { platformProgram } from "../../stacks/program";
import { REPO_ROOT } from "../shared";
import { stackArgs, stackFileConfig, stackValues } from "./stack-config";
import { parse } from "yaml";

const README = path.join(REPO_ROOT, "README.md");

/** The shell block of the README's StackSecretsKey section that runs `change-secrets-provider`. */
function firstDeployBlock(readme: string): string {
    const start = readme.search(/^### StackSecretsKey\b.*$/m);
    if (start < 0) throw new Error("README.md has no StackSecretsKey section");
    const rest = readme.slice(start);
    const body = rest.indexOf("\n") + 1;
    const end = rest.slice(body).search(/^#{2,3} /m);
    const section = end < 0 ? rest : rest.slice(0, body + end);
    const block = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
        .map((match) => match[1])
        .find((text) => /pulumi stack change-secrets-provider/.test(text));
    if (block === undefined) throw new Error("the StackSecretsKey section has no change-secrets-provider command");
    return block;
}

/** One command line of the block: its words, quotes removed, and its trailing comment. */
interface Command {
    readonly words: readonly string[];
    readonly comment: string;
}

/** The commands of a shell block (one a line; `#` lines are comments of no command). */
function commandsOf(block: string): Command[] {
    return block
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map((line) => {
            const words: string[] = [];
            let comment = "";
            for (const match of line.matchAll(/#.*$|(?:[^\s"'#]+|"[^"]*"|'[^']*')+/g)) {
                if (match[0].startsWith("#")) {
                    comment = match[0].slice(1).trim();
                    break;
                }
                words.push(match[0].replace(/"([^"]*)"|'([^']*)'/g, "$1$2"));
            }
            return { words, comment };
        });
}

/** The value of `--flag X` or `--flag=X` (or the short form), when given. */
function flag(words: readonly string[], long: string, short?: string): string | undefined {
    for (let i = 0; i < words.length; i++) {
        if (words[i] === long || (short !== undefined && words[i] === short)) return words[i + 1];
        if (words[i].startsWith(`${long}=`)) return words[i].slice(long.length + 1);
    }
    return undefined;
}

/** What one command does to a stack, for the first-deploy order. */
interface Step {
    readonly action: "init" | "up" | "change-secrets-provider";
    readonly stack: string;
    /** The secrets provider it sets (init's --secrets-provider, change-secrets-provider's argument). */
    readonly provider?: string;
    readonly comment: string;
}

function stepOf(command: Command): Step | undefined {
    const [tool, verb, sub, ...rest] = command.words;
    if (tool !== "pulumi") return undefined;
    const { comment } = command;
    if (verb === "stack" && sub === "init") {
        const stack = rest.find((word) => !word.startsWith("-"));
        return stack ? { action: "init", stack, provider: flag(rest, "--secrets-provider"), comment } : undefined;
    }
    if (verb === "up") {
        const stack = flag([sub, ...rest], "--stack", "-s");
        return stack ? { action: "up", stack, comment } : undefined;
    }
    if (verb === "stack" && sub === "change-secrets-provider") {
        const stack = flag(rest, "--stack", "-s");
        const provider = rest.filter((word, i) => !word.startsWith("-") && !/^(--stack|-s)$/.test(rest[i - 1] ?? ""));
        return stack ? { action: "change-secrets-provider", stack, provider: provider[0], comment } : undefined;
    }
    return undefined;
}

/** A stack's facts the commands must agree with. */
interface StackFacts {
    readonly env: Environment;
    /** The alias the stack's StackSecretsKey creates. */
    readonly alias: string;
    /** The stack file's `secretsprovider`. */
    readonly recorded: unknown;
    readonly project: string;
    readonly accountId?: string;
    readonly region?: string;
}

/**
 * What is wrong with the README's first deploy (empty: nothing): the order (init on another provider, up,
 * change-secrets-provider) and every awskms:// provider it names, against `factsOf` each stack it names.
 */
function firstDeployProblems(readme: string, factsOf: (stack: string) => StackFacts): string[] {
    const steps = commandsOf(firstDeployBlock(readme))
        .map(stepOf)
        .filter((step): step is Step => step !== undefined);
    const problems: string[] = [];
    const stacks = [...new Set(steps.map((step) => step.stack))];
    if (stacks.length === 0) problems.push("the block names no stack");
    for (const stack of stacks) {
        const facts = factsOf(stack);
        const own = steps.filter((step) => step.stack === stack);
        const at = (action: Step["action"], test: (step: Step) => boolean = () => true) =>
            own.findIndex((step) => step.action === action && test(step));
        const init = at("init", (step) => !step.provider?.startsWith("awskms://"));
        const up = at("up");
        const change = at("change-secrets-provider");
        if (!(init >= 0 && up > init && change > up)) {
            problems.push(
                `${stack}: the first deploy is not stack init on another provider, then up, then change-secrets-provider`,
            );
        }
        if (facts.alias !== stackSecretsAliasName(facts.project, facts.env)) {
            problems.push(`${stack}: StackSecretsKey creates ${facts.alias}, not the baseline's name`);
        }
        const wanted = stackSecretsProvider(facts.project, facts.env, facts.region ?? "<region>");
        if (facts.recorded !== wanted) {
            problems.push(`${stack}: the stack file records ${String(facts.recorded)}, not ${wanted}`);
        }
        for (const step of own) {
            for (const alias of step.comment.match(/alias\/[\w/-]+/g) ?? []) {
                if (alias !== facts.alias)
                    problems.push(`${stack}: "${step.comment}" names ${alias}, not ${facts.alias}`);
            }
            if (step.provider === undefined || !step.provider.startsWith("awskms://")) {
                if (step.action === "change-secrets-provider") problems.push(`${stack}: moves to no awskms:// key`);
                continue;
            }
            if (step.provider !== wanted)
                problems.push(`${stack}: ${step.action} names ${step.provider}, not ${wanted}`);
            const problem = secretsProviderProblem(step.provider, facts.env, facts.project, facts);
            if (problem !== undefined) problems.push(`${stack}: ${step.action}: check would say ${problem}`);
        }
    }
    return problems;
}

/** The stack file's own record of a stack: env, project, account, region, `secretsprovider`. */
function recordOf(stack: string): Omit<StackFacts, "alias"> {
    const file = parse(fs.readFileSync(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
        secretsprovider?: unknown;
    };
    const values = stackValues(stack) as { project: string; accountId?: string; region?: string };
    return {
        env: stackFileEnvironment(stack, stackFileConfig(stack)),
        recorded: file.secretsprovider,
        project: values.project,
        accountId: values.accountId,
        region: values.region,
    };
}

describe("the README's first deploy of a stack secrets key", function () {
    this.timeout(120_000);
    const facts = new Map<string, StackFacts>();

    /** The stack's program run under mocks: the alias its StackSecretsKey registers. */
    async function createdAlias(stack: string): Promise<string> {
        resetResources();
        platformProgram(stackArgs(stack));
        await settled();
        const aliases = ofType("aws:kms/alias:Alias").filter(
            (alias) => alias.parentType === "k8s-baseline:index:StackSecretsKey",
        );
        assert.equal(aliases.length, 1, `${stack}: one StackSecretsKey alias`);
        return aliases[0].inputs.name as string;
    }

    before(async () => {
        const readme = fs.readFileSync(README, "utf8");
        const named = new Set(
            commandsOf(firstDeployBlock(readme))
                .map(stepOf)
                .flatMap((step) => (step ? [step.stack] : [])),
        );
        for (const stack of named) facts.set(stack, { ...recordOf(stack), alias: await createdAlias(stack) });
    });

    const factsOf = (stack: string): StackFacts => {
        const found = facts.get(stack);
        if (found === undefined) throw new Error(`the README names stack ${stack}, which has no stack file`);
        return found;
    };

    it("moves each stack it names onto the alias its StackSecretsKey creates, the one its stack file records", () => {
        assert.ok(facts.size > 0, "the README names a stack");
        assert.deepEqual(firstDeployProblems(fs.readFileSync(README, "utf8"), factsOf), []);
    });

    it("would notice a README naming another env's key, another region, or moving before the key exists", () => {
        const readme = fs.readFileSync(README, "utf8");
        const block = firstDeployBlock(readme);
        const [stack] = [...facts.keys()];
        const { alias, region } = factsOf(stack);
        const named = parseStackSecretsAlias(alias)!;
        const otherEnv = stackSecretsAliasName(
            named.project,
            ENVIRONMENTS.find((env) => env !== named.env)!,
        );
        const drifted = (text: string) => readme.replace(block, text);
        const problems = (text: string) => firstDeployProblems(drifted(text), factsOf);
        const envDrift = problems(block.split(alias).join(otherEnv));
        assert.ok(
            envDrift.some((p) => p.includes(`change-secrets-provider names awskms://${otherEnv}?`)),
            envDrift.join("\n"),
        );
        assert.ok(
            envDrift.some((p) => p.includes(`names ${otherEnv}, not ${alias}`)),
            envDrift.join("\n"),
        );
        const regionDrift = problems(block.split(`region=${region}`).join("region=us-east-1"));
        assert.ok(
            regionDrift.some((p) =>
                /change-secrets-provider: check would say .*region us-east-1, not the stack's region/.test(p),
            ),
            regionDrift.join("\n"),
        );
        const lines = block.split("\n");
        const upLine = lines.findIndex((line) => line.startsWith("pulumi up"));
        const moveLine = lines.findIndex((line) => line.startsWith("pulumi stack change-secrets-provider"));
        [lines[upLine], lines[moveLine]] = [lines[moveLine], lines[upLine]];
        assert.match(problems(lines.join("\n")).join("\n"), /is not stack init on another provider, then up/);
    });

    it("records in every stack file the provider of the env it is judged as, in the stack's region", () => {
        for (const stack of stackNames()) {
            const { env, project, region, recorded } = recordOf(stack);
            assert.equal(recorded, stackSecretsProvider(project, env, region!), stack);
        }
    });
});
