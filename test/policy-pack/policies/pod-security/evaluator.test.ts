/**
 * The evaluator's interface: which objects it finds a pod in, how levels and versions resolve, the check
 * lists per level and version, and `only`.
 */
import * as assert from "node:assert/strict";
import { POD_CONTROLLERS } from "../../../../components/baseline/workloads";
import { CHECKS } from "../../../../policy-pack/policies/pod-security/checks";
import {
    ALL_CHECK_IDS,
    checksFor,
    enforcingCheck,
    evaluatePodSecurity,
    evaluatePodTemplate,
    isPodSecurityLevel,
    isPodSecurityVersion,
    LATEST_MINOR,
    LATEST_VERSION,
    PodSecurityLevel,
    podTemplateOf,
} from "../../../../policy-pack/policies/pod-security";

type Manifest = Record<string, any>;

const B = PodSecurityLevel.Baseline;
const R = PodSecurityLevel.Restricted;
const P = PodSecurityLevel.Privileged;

/** A pod template whose only container is privileged: fails baseline (and restricted). */
function privilegedTemplate(): Manifest {
    return {
        metadata: { labels: { app: "x" } },
        spec: { containers: [{ name: "app", image: "app", securityContext: { privileged: true } }] },
    };
}

/** A pod template restricted allows. */
function restrictedTemplate(): Manifest {
    return {
        metadata: { labels: { app: "x" } },
        spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "app",
                    image: "app",
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
}

/** A `kind` object with `template` placed at its pod template path. */
function controller(kind: string, template: Manifest): Manifest {
    const object: Manifest = { apiVersion: "apps/v1", kind, metadata: { name: "x" } };
    const path = POD_CONTROLLERS[kind];
    let node = object;
    for (const key of path.slice(0, -1)) node = node[key] ??= {};
    node[path[path.length - 1]] = template;
    return object;
}

function ids(object: unknown, level: PodSecurityLevel, version = "latest"): string[] {
    return evaluatePodSecurity(object, level, version).violations.map((violation) => violation.check);
}

describe("Pod Security evaluator", () => {
    describe("objects", () => {
        for (const kind of Object.keys(POD_CONTROLLERS)) {
            it(`evaluates the pod template of a ${kind}`, () => {
                assert.deepEqual(ids(controller(kind, privilegedTemplate()), B), ["privileged"]);
                assert.deepEqual(ids(controller(kind, restrictedTemplate()), R), []);
            });
        }

        it("reads a CronJob's template under spec.jobTemplate.spec.template, not spec.template", () => {
            const cronJob = controller("CronJob", privilegedTemplate());
            assert.ok(cronJob.spec.jobTemplate.spec.template);
            assert.deepEqual(ids(cronJob, B), ["privileged"]);
            const misplaced = { kind: "CronJob", spec: { template: privilegedTemplate() } };
            assert.deepEqual(ids(misplaced, B), []);
        });

        it("reads template annotations (pre-v1.19 seccomp) from a controller's template metadata", () => {
            const template = restrictedTemplate();
            template.metadata.annotations = { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" };
            assert.deepEqual(ids(controller("Deployment", template), B, "v1.18"), ["seccompProfile_baseline"]);
            assert.deepEqual(ids(controller("Deployment", template), B, "v1.19"), []);
        });

        it("evaluates a Pod and a PodTemplate", () => {
            const pod = { apiVersion: "v1", kind: "Pod", ...privilegedTemplate() };
            assert.deepEqual(ids(pod, B), ["privileged"]);
            const podTemplate = { apiVersion: "v1", kind: "PodTemplate", template: privilegedTemplate() };
            assert.deepEqual(ids(podTemplate, B), ["privileged"]);
        });

        it("takes a manifest without kind whose spec lists containers as a pod", () => {
            assert.deepEqual(ids(privilegedTemplate(), B), ["privileged"]);
        });

        it("allows objects that carry no pod", () => {
            assert.deepEqual(evaluatePodSecurity({ kind: "ConfigMap", data: { a: "b" } }, R, "latest"), {
                allowed: true,
                violations: [],
            });
            assert.equal(evaluatePodSecurity({ kind: "Deployment", spec: {} }, R, "latest").allowed, true);
            assert.equal(evaluatePodSecurity(null, R, "latest").allowed, true);
            assert.equal(evaluatePodSecurity("Pod", R, "latest").allowed, true);
            assert.equal(podTemplateOf({ kind: "Service", spec: { containers: [] } }), undefined);
        });

        it("tolerates null and missing fields as unset", () => {
            const pod = {
                kind: "Pod",
                metadata: null,
                spec: {
                    securityContext: null,
                    volumes: null,
                    containers: [{ name: "app", securityContext: null, ports: null }, null],
                    initContainers: null,
                },
            };
            assert.deepEqual(ids(pod, B), []);
            assert.deepEqual(ids(pod, R), [
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "runAsNonRoot",
                "seccompProfile_restricted",
            ]);
        });

        it("evaluatePodTemplate takes the metadata and spec directly", () => {
            const { metadata, spec } = privilegedTemplate();
            assert.equal(evaluatePodTemplate({ metadata, spec }, B, "v1.33").allowed, false);
            assert.equal(evaluatePodTemplate({ metadata, spec }, P, "v1.33").allowed, true);
        });

        it("does not modify the object", () => {
            const object = controller("Deployment", privilegedTemplate());
            const before = JSON.stringify(object);
            evaluatePodSecurity(object, R, "latest");
            assert.equal(JSON.stringify(object), before);
        });
    });

    describe("levels and versions", () => {
        it("privileged allows everything", () => {
            const pod = privilegedTemplate();
            pod.spec.hostNetwork = true;
            assert.deepEqual(evaluatePodSecurity(pod, P, "latest"), { allowed: true, violations: [] });
        });

        it("restricted includes baseline", () => {
            assert.deepEqual(ids(privilegedTemplate(), R), [
                "privileged",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "runAsNonRoot",
                "seccompProfile_restricted",
            ]);
        });

        it("the newest known version is the newest at which a check changed", () => {
            const newest = Math.max(...CHECKS.flatMap((check) => check.versions.map((version) => version.since)));
            assert.equal(LATEST_MINOR, newest);
        });

        it("latest is v1.37, and later versions evaluate as it", () => {
            assert.equal(LATEST_VERSION, "v1.37");
            for (const level of [B, R]) {
                assert.deepEqual(checksFor(level, "latest"), checksFor(level, "v1.37"));
                assert.deepEqual(checksFor(level, "v1.99"), checksFor(level, "v1.37"));
            }
            const pod = {
                kind: "Pod",
                spec: { securityContext: { sysctls: [{ name: "net.ipv4.tcp_notsent_lowat" }] }, containers: [] },
            };
            assert.equal(evaluatePodSecurity(pod, B, "latest").allowed, true);
            assert.equal(evaluatePodSecurity(pod, B, "v1.36").allowed, false);
        });

        it("rejects malformed versions and unknown levels", () => {
            for (const version of ["1.30", "v1.030", "v2.0", "v1.", "v1.x", "Latest", ""]) {
                assert.equal(isPodSecurityVersion(version), false, version);
                assert.throws(
                    () => evaluatePodSecurity(privilegedTemplate(), B, version),
                    /invalid Pod Security version/,
                );
            }
            assert.throws(() => checksFor("strict" as PodSecurityLevel, "latest"), /invalid Pod Security level/);
            assert.equal(isPodSecurityLevel("strict"), false);
            assert.equal(isPodSecurityLevel("restricted"), true);
            assert.equal(isPodSecurityVersion("v1.0"), true);
            assert.equal(isPodSecurityVersion("latest"), true);
        });
    });

    describe("checksFor", () => {
        it("lists the baseline checks by version", () => {
            const v10 = [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
            ];
            assert.deepEqual(checksFor(B, "v1.0"), v10);
            assert.deepEqual(checksFor(B, "v1.33"), v10);
            const v34 = [...v10.slice(0, 5), "hostProbesAndHostLifecycle", ...v10.slice(5)];
            assert.deepEqual(checksFor(B, "v1.34"), v34);
            assert.deepEqual(checksFor(B, "latest"), v34);
        });

        it("lists the restricted checks by version, replacing the baseline checks they override", () => {
            const at = (version: string) => checksFor(R, version);
            assert.ok(at("v1.0").includes("restrictedVolumes"));
            assert.ok(!at("v1.0").includes("hostPathVolumes"));
            assert.ok(!at("v1.7").includes("allowPrivilegeEscalation"));
            assert.ok(at("v1.8").includes("allowPrivilegeEscalation"));
            assert.ok(at("v1.18").includes("seccompProfile_baseline"));
            assert.ok(!at("v1.18").includes("seccompProfile_restricted"));
            assert.ok(at("v1.19").includes("seccompProfile_restricted"));
            assert.ok(!at("v1.19").includes("seccompProfile_baseline"));
            assert.ok(at("v1.21").includes("capabilities_baseline"));
            assert.ok(!at("v1.21").includes("capabilities_restricted"));
            assert.ok(at("v1.22").includes("capabilities_restricted"));
            assert.ok(!at("v1.22").includes("capabilities_baseline"));
            assert.ok(!at("v1.22").includes("runAsUser"));
            assert.ok(at("v1.23").includes("runAsUser"));
            assert.ok(at("v1.34").includes("procMount"));
            assert.ok(!at("v1.34").includes("procMount_restricted"));
            assert.ok(at("v1.35").includes("procMount_restricted"));
            assert.ok(!at("v1.35").includes("procMount"));
            assert.deepEqual(at("latest"), [
                "appArmorProfile",
                "hostNamespaces",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "seLinuxOptions",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]);
        });

        it("privileged runs no checks", () => {
            assert.deepEqual(checksFor(P, "latest"), []);
        });

        it("ALL_CHECK_IDS are the 19 upstream checks", () => {
            assert.equal(ALL_CHECK_IDS.length, 19);
            assert.deepEqual(new Set(ALL_CHECK_IDS), new Set([...checksFor(B, "latest"), ...checksFor(R, "latest")]));
        });

        it("enforcingCheck resolves a check to the one that enforces it", () => {
            assert.equal(enforcingCheck(R, "latest", "hostPathVolumes"), "restrictedVolumes");
            assert.equal(enforcingCheck(R, "v1.21", "capabilities_baseline"), "capabilities_baseline");
            assert.equal(enforcingCheck(R, "v1.22", "capabilities_baseline"), "capabilities_restricted");
            assert.equal(enforcingCheck(R, "v1.18", "seccompProfile_baseline"), "seccompProfile_baseline");
            assert.equal(enforcingCheck(R, "v1.19", "seccompProfile_baseline"), "seccompProfile_restricted");
            assert.equal(enforcingCheck(R, "v1.35", "procMount"), "procMount_restricted");
            assert.equal(enforcingCheck(B, "latest", "hostPathVolumes"), "hostPathVolumes");
            assert.equal(enforcingCheck(B, "latest", "runAsNonRoot"), undefined);
            assert.equal(enforcingCheck(R, "v1.22", "runAsUser"), undefined);
            assert.equal(enforcingCheck(B, "v1.33", "hostProbesAndHostLifecycle"), undefined);
        });
    });

    describe("only", () => {
        it("runs only the named checks", () => {
            const pod = privilegedTemplate();
            pod.spec.hostPID = true;
            const result = evaluatePodSecurity(pod, R, "latest", { only: ["hostNamespaces", "runAsNonRoot"] });
            assert.deepEqual(
                result.violations.map((violation) => violation.check),
                ["hostNamespaces", "runAsNonRoot"],
            );
            assert.equal(evaluatePodSecurity(pod, R, "latest", { only: new Set(["sysctls"]) }).allowed, true);
            // A check the level replaces runs as its replacement.
            const hostPath = {
                kind: "Pod",
                spec: { containers: [], volumes: [{ name: "h", hostPath: { path: "/" } }] },
            };
            assert.deepEqual(
                evaluatePodSecurity(hostPath, R, "latest", { only: ["hostPathVolumes"] }).violations.map(
                    (v) => v.check,
                ),
                ["restrictedVolumes"],
            );
            assert.deepEqual(
                evaluatePodSecurity(hostPath, B, "latest", { only: ["hostPathVolumes"] }).violations.map(
                    (v) => v.check,
                ),
                ["hostPathVolumes"],
            );
            // A check not in effect runs nothing.
            assert.equal(evaluatePodSecurity(pod, B, "latest", { only: ["runAsNonRoot"] }).allowed, true);
        });
    });
});
