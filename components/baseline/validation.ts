/**
 * Argument validation shared by every component: each component checks its whole input before it
 * registers anything, and reports every problem at once, each naming the component, the field and the fix.
 */
import { Environment, ENVIRONMENTS, isEnvironment } from "./environments";
import {
    appNamespaceProblem,
    AWS_ACCOUNT_ID,
    AWS_REGION,
    DEFAULT_SERVICE_ACCOUNT,
    describeRenderedName,
    isDns1123Label,
    nameCollisions,
    otherEnvironmentsNamedIn,
    RenderedName,
} from "./naming";

/** Thrown when a component's arguments are invalid. The message lists every problem found. */
export class ArgumentError extends Error {
    readonly problems: readonly string[];

    constructor(component: string, name: string, problems: readonly string[]) {
        super(`${component} "${name}": invalid arguments:\n` + problems.map((problem) => `  - ${problem}`).join("\n"));
        this.name = "ArgumentError";
        this.problems = problems;
    }
}

/** Collects the problems found in one component's arguments. */
export class ArgsChecker {
    private readonly problems: string[] = [];

    constructor(
        private readonly component: string,
        private readonly name: string,
    ) {}

    /** Records a problem with `field` unless `ok`. */
    check(ok: boolean, field: string, problem: string, fix: string): boolean {
        if (!ok) this.problems.push(`${field}: ${problem}; fix: ${fix}`);
        return ok;
    }

    /** Records a problem with `field` unconditionally. */
    fail(field: string, problem: string, fix: string): void {
        this.problems.push(`${field}: ${problem}; fix: ${fix}`);
    }

    /** A non-empty string. */
    required(value: unknown, field: string, fix: string): value is string {
        return this.check(typeof value === "string" && value.length > 0, field, "is required", fix);
    }

    /** One of dev, stage, prod. */
    environment(value: unknown, field = "env"): value is Environment {
        return this.check(
            isEnvironment(value),
            field,
            `${JSON.stringify(value)} is not a known environment`,
            `use one of ${ENVIRONMENTS.join(", ")}`,
        );
    }

    /** A DNS-1123 label such as a namespace, ServiceAccount, project or app name. */
    dnsLabel(value: unknown, field: string, maxLength = 63): value is string {
        return this.check(
            isDns1123Label(value) && value.length <= maxLength,
            field,
            `${JSON.stringify(value)} is not a DNS-1123 label of at most ${maxLength} characters`,
            "use lower-case letters, digits and '-', starting and ending with a letter or digit",
        );
    }

    /** A 12-digit AWS account id. */
    accountId(value: unknown, field = "accountId"): value is string {
        return this.check(
            typeof value === "string" && AWS_ACCOUNT_ID.test(value),
            field,
            `${JSON.stringify(value)} is not an AWS account id`,
            'give the 12-digit account number, e.g. "123456789012"',
        );
    }

    /** An AWS region name. */
    region(value: unknown, field = "region"): value is string {
        return this.check(
            typeof value === "string" && AWS_REGION.test(value),
            field,
            `${JSON.stringify(value)} is not an AWS region`,
            'give a region name such as "eu-west-1"',
        );
    }

    /** A name that must not point into another environment. */
    sameEnvironment(value: string, env: Environment, field: string): boolean {
        const others = otherEnvironmentsNamedIn(value, env);
        return this.check(
            others.length === 0,
            field,
            `${JSON.stringify(value)} names environment ${others.join(", ")} from the ${env} environment`,
            `use a name of the ${env} environment`,
        );
    }

    /**
     * A namespace apps may run in: a DNS-1123 label that is neither one of the cluster's own namespaces
     * (`default`, `kube-*`) nor a platform add-on's.
     */
    appNamespace(value: unknown, field = "namespace"): value is string {
        if (!this.dnsLabel(value, field)) return false;
        const problem = appNamespaceProblem(value);
        return this.check(
            problem === undefined,
            field,
            `${problem}: pods deployed there could run as its ServiceAccounts`,
            "give the app a namespace of its own",
        );
    }

    /** A ServiceAccount the component creates and grants rights to: a DNS-1123 label, never `default`. */
    ownServiceAccount(value: unknown, field: string): value is string {
        if (!this.dnsLabel(value, field)) return false;
        return this.check(
            value !== DEFAULT_SERVICE_ACCOUNT,
            field,
            `${DEFAULT_SERVICE_ACCOUNT} is the ServiceAccount every pod that names none runs as, so its rights would go to all of them`,
            "name a ServiceAccount of its own",
        );
    }

    /** Records every pair of declarations that would render the same object, filed under the later one. */
    distinctNames(names: readonly RenderedName[]): boolean {
        const collisions = nameCollisions(names);
        for (const { first, second } of collisions) {
            this.fail(
                second.source,
                `renders ${describeRenderedName(second)}, which ${first.source} renders too: one would take over or overwrite the other`,
                `rename one of them (${second.source}, or ${first.source}) so that each object has one owner`,
            );
        }
        return collisions.length === 0;
    }

    /** Throws an ArgumentError listing every recorded problem, if any. */
    throwIfInvalid(): void {
        if (this.problems.length > 0) throw new ArgumentError(this.component, this.name, this.problems);
    }
}
