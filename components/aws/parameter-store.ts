import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsChecker,
    childResourceName,
    componentType,
    Environment,
    NameSystem,
    ParameterTier,
    profileFor,
    RenderedName,
    ssmParameterPrefix,
} from "../baseline";
import { shortNameUnder } from "./app-secrets";

/** One SecureString parameter of an app. */
export interface AppParameterArgs {
    /** Parameter name inside the app's path, e.g. `db-password`; or the full `/<project>-<env>/<app>/<name>`. */
    name: string;
    /** What the parameter holds. */
    description?: string;
    /**
     * Value, from Pulumi secret config (`config.requireSecret(...)`); written write-only (`valueWo`), so it
     * never reaches the state. A plain string is refused: a value written in code ends up in the repository.
     * Default: none (the parameter is created with a placeholder and filled out of band; later changes to
     * its value are left alone).
     */
    value?: pulumi.Input<string>;
    /** Version of `value`: raise it to write a new value. Default: 1. Only with `value`. */
    valueVersion?: number;
}

/** Arguments of an AppParameters. */
export interface AppParametersArgs {
    /** Project name, a DNS-1123 label. */
    project: string;
    /** Environment: dev, stage or prod. Sets the tier and the tags. */
    env: Environment;
    /** App name, a DNS-1123 label: the parameters are named `/<project>-<env>/<app>/<name>`. */
    app: string;
    /** ARN of the env's KMS key (an EnvironmentKey's `keyArn`, made with `parameterStore: true`). */
    kmsKeyArn: pulumi.Input<string>;
    /** The app's parameters. */
    parameters: AppParameterArgs[];
    /** Extra tags for every parameter (the profile's and project/env/app are always set). */
    tags?: Record<string, string>;
}

const COMPONENT = "AppParameters";

/**
 * What a parameter created without a value holds until it is filled out of band: no secret, and the value is
 * ignored from then on, so the one written out of band is never overwritten.
 */
export const PARAMETER_PLACEHOLDER = "unset";

/** One validated parameter. */
export interface ResolvedParameter {
    readonly shortName: string;
    readonly fullName: string;
    readonly description?: string;
    readonly value?: pulumi.Input<string>;
    readonly valueVersion: number;
}

/** The validated, defaulted input of an AppParameters. */
export interface ResolvedAppParameters {
    readonly project: string;
    readonly env: Environment;
    readonly app: string;
    readonly prefix: string;
    readonly tier: ParameterTier;
    readonly tags: Record<string, string>;
    readonly parameters: ResolvedParameter[];
}

/** Checks and defaults an AppParameters' arguments; throws an ArgumentError listing every problem. */
export function resolveAppParametersArgs(name: string, args: AppParametersArgs): ResolvedAppParameters {
    const check = new ArgsChecker(COMPONENT, name);
    const projectOk = check.dnsLabel(args.project, "project", 30);
    const envOk = check.environment(args.env);
    const appOk = check.dnsLabel(args.app, "app", 30);
    const prefix = projectOk && envOk && appOk ? ssmParameterPrefix(args.project, args.env, args.app) : "";

    check.check(args.kmsKeyArn !== undefined, "kmsKeyArn", "is required", "pass the env's EnvironmentKey keyArn");
    if (typeof args.kmsKeyArn === "string") {
        check.check(
            /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]+$/.test(args.kmsKeyArn),
            "kmsKeyArn",
            `${JSON.stringify(args.kmsKeyArn)} is not a KMS key ARN`,
            "pass the env key's ARN; the AWS managed aws/ssm key cannot be scoped per env",
        );
    }
    for (const key of Object.keys(args.tags ?? {})) {
        check.check(
            !["project", "env", "app"].includes(key),
            `tags.${key}`,
            "would replace the tag the pack and the cost report read",
            "remove it; project, env and app are set from the arguments",
        );
    }

    const parameters: ResolvedParameter[] = [];
    const seen = new Set<string>();
    if (
        check.check(
            Array.isArray(args.parameters),
            "parameters",
            "is required",
            "list the app's parameters (it may be empty)",
        )
    ) {
        args.parameters.forEach((parameter, i) => {
            const field = `parameters[${i}]`;
            const shortName = shortNameUnder(check, field, parameter.name, prefix, "parameter", "path");
            if (shortName === undefined) return;
            check.check(
                !seen.has(shortName),
                `${field}.name`,
                `${shortName} is declared twice`,
                "declare each parameter once",
            );
            seen.add(shortName);
            check.check(
                typeof parameter.value !== "string",
                `${field}.value`,
                "is a plain string written in the program",
                "read it with config.requireSecret(...) (pulumi config set --secret), or omit it and fill the parameter out of band",
            );
            if (parameter.valueVersion !== undefined) {
                check.check(
                    parameter.value !== undefined,
                    `${field}.valueVersion`,
                    "is set without a value",
                    "remove it, or give the value from secret config",
                );
                check.check(
                    Number.isInteger(parameter.valueVersion) && parameter.valueVersion >= 1,
                    `${field}.valueVersion`,
                    `${parameter.valueVersion} is not a version`,
                    "give a whole number from 1, raised whenever the value changes",
                );
            }
            parameters.push({
                shortName,
                fullName: `${prefix}${shortName}`,
                description: parameter.description,
                value: parameter.value,
                valueVersion: parameter.valueVersion ?? 1,
            });
        });
    }
    check.throwIfInvalid();
    const profile = profileFor(args.env);
    return {
        project: args.project,
        env: args.env,
        app: args.app,
        prefix,
        tier: profile.parameterTier,
        tags: { ...args.tags, ...profile.parameterTags, project: args.project, env: args.env, app: args.app },
        parameters,
    };
}

/** Every parameter an AppParameters creates, by its Parameter Store name, with the field it comes from. */
export function appParametersNames(resolved: ResolvedAppParameters): RenderedName[] {
    return resolved.parameters.map((parameter, i) => ({
        system: NameSystem.ParameterStore,
        kind: "parameter",
        name: parameter.fullName,
        source: `parameters[${i}].name`,
    }));
}

/**
 * The Pulumi logical name of every resource an AppParameters called `name` registers: `<name>-<parameter>`,
 * which app `pay` with parameter `ments-db` shares with app `pay-ments` with parameter `db`.
 */
export function appParametersResourceNames(name: string, resolved: ResolvedAppParameters): RenderedName[] {
    const parent = componentType(COMPONENT);
    return resolved.parameters.map((parameter, i) =>
        childResourceName(
            parent,
            "aws:ssm/parameter:Parameter",
            `${name}-${parameter.shortName}`,
            `parameters[${i}].name`,
        ),
    );
}

/**
 * An app's Parameter Store parameters: SecureStrings named `/<project>-<env>/<app>/<name>`, encrypted with the
 * env key, in the env profile's tier and with its tags. No value is ever written in code: a parameter is
 * created with a placeholder and filled out of band, or written write-only from Pulumi secret config.
 */
export class AppParameters extends pulumi.ComponentResource {
    /** Full names of the parameters, in declaration order. */
    public readonly parameterNames: pulumi.Output<string[]>;
    /** ARN of each parameter, by its short name. */
    public readonly parameterArns: pulumi.Output<Record<string, string>>;
    /** The path the app owns, `/<project>-<env>/<app>/`. */
    public readonly path: pulumi.Output<string>;

    constructor(name: string, args: AppParametersArgs, opts?: pulumi.ComponentResourceOptions) {
        const resolved = resolveAppParametersArgs(name, args);
        super("k8s-baseline:index:AppParameters", name, {}, opts);
        const arns: Record<string, pulumi.Output<string>> = {};
        for (const p of resolved.parameters) {
            const written = p.value !== undefined;
            const parameter = new aws.ssm.Parameter(
                `${name}-${p.shortName}`,
                {
                    name: p.fullName,
                    description: p.description,
                    type: "SecureString",
                    keyId: args.kmsKeyArn,
                    tier: resolved.tier,
                    dataType: "text",
                    tags: resolved.tags,
                    ...(written
                        ? // Write-only: the value is sent to AWS and never stored in the state.
                          { valueWo: pulumi.secret(p.value!), valueWoVersion: p.valueVersion }
                        : { value: pulumi.secret(PARAMETER_PLACEHOLDER) }),
                },
                { parent: this, ...(written ? {} : { ignoreChanges: ["value"] }) },
            );
            arns[p.shortName] = parameter.arn;
        }
        this.parameterNames = pulumi.output(resolved.parameters.map((p) => p.fullName));
        this.parameterArns = pulumi.all(arns);
        this.path = pulumi.output(resolved.prefix);
        this.registerOutputs({
            parameterNames: this.parameterNames,
            parameterArns: this.parameterArns,
            path: this.path,
        });
    }
}
