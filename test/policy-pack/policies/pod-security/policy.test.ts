/**
 * The Pod Security policies: baseline and the checks restricted adds, on Pods and on the pod templates of
 * every controller, at the version the env pins, with exempt namespaces and unknowns.
 */
import * as assert from "node:assert/strict";
import { ENVIRONMENTS, POD_SECURITY_VERSION, PROFILES } from "../../../../components/baseline";
import {
    ALL_CHECK_IDS,
    CHECK_READS,
    checksFor,
    evaluatePodSecurity,
    PodSecurityLevel,
    podSecurityBaseline,
    podSecurityPolicies,
    podSecurityRestricted,
} from "../../../../policy-pack/policies/pod-security";
import { Policy } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import {
    compliantController,
    compliantPod,
    CONTROLLER_KINDS,
    judge,
    Manifest,
    platformChartResource,
    podSpecOf,
    resourceOf,
    SETTINGS,
    specPathOf,
    UNKNOWN,
} from "../workloads/fixtures";
import { checkResource } from "../../../../policy-pack/engine";

const POD = "Pod payments/payments-api-7d4b9c6f5-x2k8q";
const VERSION = PROFILES.prod.podSecurity.version;
const api = (m: Manifest) => podSpecOf(m).containers[0];
const init = (m: Manifest) => podSpecOf(m).initContainers[0];
const debug = (m: Manifest) => podSpecOf(m).ephemeralContainers[0];

/** The check ids `policy` reports for `manifest`. */
function checks(policy: Policy, manifest: Manifest, settings = SETTINGS): (string | undefined)[] {
    return judge(policy, manifest, settings).violations.map((v) => v.check);
}

describe("Pod Security policies", () => {
    it("are the group's two mandatory policies", () => {
        assert.deepEqual(
            podSecurityPolicies.map((p) => [p.name, p.group, p.enforcementLevel]),
            [
                ["pod-security-baseline", "pod-security", "mandatory"],
                ["pod-security-restricted", "pod-security", "mandatory"],
            ],
        );
    });

    it("admit the compliant Pod and every controller's compliant template", () => {
        for (const policy of podSecurityPolicies) {
            assert.deepEqual(judge(policy, compliantPod()).violations, [], policy.name);
            for (const kind of CONTROLLER_KINDS) {
                assert.deepEqual(judge(policy, compliantController(kind)).violations, [], `${policy.name} ${kind}`);
            }
        }
    });

    describe("pod-security-baseline", () => {
        it("refuses a privileged container, naming the upstream check", () => {
            const pod = compliantPod();
            api(pod).securityContext.privileged = true;
            const { violations } = judge(podSecurityBaseline, pod);
            assert.deepEqual(
                violations.map((v) => [v.check, v.message]),
                [
                    [
                        "privileged",
                        `${POD}: breaks Pod Security baseline (${VERSION}) check privileged: privileged ` +
                            `(container "api" must not set securityContext.privileged=true)`,
                    ],
                ],
            );
            // Restricted reports only what it adds: privileged is baseline's.
            assert.deepEqual(checks(podSecurityRestricted, pod), []);
        });

        for (const kind of CONTROLLER_KINDS) {
            it(`refuses a ${kind} template that shares the host's network`, () => {
                const controller = compliantController(kind);
                podSpecOf(controller).hostNetwork = true;
                const [violation, ...rest] = judge(podSecurityBaseline, controller).violations;
                assert.deepEqual(rest, []);
                assert.equal(violation.check, "hostNamespaces");
                assert.match(violation.message, new RegExp(`^${kind} payments/\\S+: pod template breaks Pod Security`));
                assert.match(violation.message, /host namespaces \(hostNetwork=true\)$/);
            });
        }

        it("refuses every baseline problem in each container list, all at once", () => {
            const pod = compliantPod();
            init(pod).securityContext.capabilities.add = ["SYS_ADMIN"];
            debug(pod).securityContext.procMount = "Unmasked";
            pod.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } });
            pod.spec.securityContext.sysctls = [{ name: "kernel.msgmax", value: "65536" }];
            assert.deepEqual(checks(podSecurityBaseline, pod), [
                "capabilities_baseline",
                "hostPathVolumes",
                "procMount",
                "sysctls",
            ]);
        });

        it("refuses a hostPort in a CronJob's template", () => {
            const cronJob = compliantController("CronJob");
            api(cronJob).ports[0].hostPort = 8080;
            assert.deepEqual(checks(podSecurityBaseline, cronJob), ["hostPorts"]);
        });
    });

    describe("pod-security-restricted", () => {
        it("refuses privilege escalation, naming the upstream check", () => {
            const pod = compliantPod();
            delete api(pod).securityContext.allowPrivilegeEscalation;
            assert.deepEqual(
                judge(podSecurityRestricted, pod).violations.map((v) => [v.check, v.message]),
                [
                    [
                        "allowPrivilegeEscalation",
                        `${POD}: breaks Pod Security restricted (${VERSION}) check allowPrivilegeEscalation: ` +
                            `allowPrivilegeEscalation != false (container "api" must set ` +
                            `securityContext.allowPrivilegeEscalation=false)`,
                    ],
                ],
            );
            assert.deepEqual(checks(podSecurityBaseline, pod), []);
        });

        it("refuses root, missing seccomp, undropped capabilities and restricted volumes", () => {
            const pod = compliantPod();
            pod.spec.securityContext = {};
            delete api(pod).securityContext.runAsNonRoot;
            delete init(pod).securityContext.seccompProfile;
            delete init(pod).securityContext.runAsNonRoot;
            debug(pod).securityContext.runAsUser = 0;
            delete debug(pod).securityContext.capabilities;
            pod.spec.volumes.push({ name: "share", nfs: { server: "nfs.internal", path: "/share" } });
            assert.deepEqual(checks(podSecurityRestricted, pod), [
                "capabilities_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]);
        });

        it("reports an added capability at both levels, each by its own check", () => {
            const deployment = compliantController("Deployment");
            api(deployment).securityContext.capabilities.add.push("NET_ADMIN");
            assert.deepEqual(checks(podSecurityBaseline, deployment), ["capabilities_baseline"]);
            assert.deepEqual(checks(podSecurityRestricted, deployment), ["capabilities_restricted"]);
            const bindOnly = compliantController("Deployment");
            api(bindOnly).securityContext.capabilities.add = ["CHOWN"];
            assert.deepEqual(checks(podSecurityBaseline, bindOnly), []);
            assert.deepEqual(checks(podSecurityRestricted, bindOnly), ["capabilities_restricted"]);
        });

        it("runs exactly the checks restricted adds to baseline", () => {
            const restrictedOnly = checksFor(PodSecurityLevel.Restricted, VERSION).filter(
                (id) => !checksFor(PodSecurityLevel.Baseline, VERSION).includes(id),
            );
            assert.deepEqual(restrictedOnly, [
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                // From v1.35 restricted forbids an unmasked /proc even to pods in their own user namespace.
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]);
            // A pod failing everything the standard checks is reported by restricted on exactly these.
            const pod = compliantPod();
            pod.spec.securityContext = { runAsUser: 0 };
            pod.spec.hostPID = true;
            api(pod).securityContext = {
                privileged: true,
                capabilities: { add: ["SYS_ADMIN"] },
                procMount: "Unmasked",
            };
            pod.spec.volumes.push({ name: "root", hostPath: { path: "/" } });
            assert.deepEqual(checks(podSecurityRestricted, pod), restrictedOnly);
        });

        it("still reports in dev, where the env's config makes it advisory", () => {
            const pod = compliantPod();
            delete api(pod).securityContext.allowPrivilegeEscalation;
            assert.deepEqual(checks(podSecurityRestricted, pod, settingsFrom({ env: "dev" })), [
                "allowPrivilegeEscalation",
            ]);
        });
    });

    describe("the version of the standard", () => {
        /** A pod whose probe targets another host: forbidden from v1.34 only. */
        function hostProbe(): Manifest {
            const pod = compliantPod();
            api(pod).livenessProbe.httpGet.host = "10.0.0.1";
            return pod;
        }

        it("is the one the env pins", () => {
            for (const env of ENVIRONMENTS) {
                const pod = compliantPod();
                api(pod).securityContext.privileged = true;
                const [violation] = judge(podSecurityBaseline, pod, settingsFrom({ env })).violations;
                assert.ok(violation.message.includes(`(${PROFILES[env].podSecurity.version})`), env);
            }
            // The pinned version has the host probe check (v1.34 on): a version before it would admit the pod.
            assert.equal(VERSION, POD_SECURITY_VERSION);
            assert.deepEqual(checks(podSecurityBaseline, hostProbe()), ["hostProbesAndHostLifecycle"]);
            assert.equal(evaluatePodSecurity(hostProbe(), PodSecurityLevel.Baseline, "v1.33").allowed, true);
            assert.equal(evaluatePodSecurity(hostProbe(), PodSecurityLevel.Baseline, VERSION).allowed, false);
        });

        it("is prod's when the env is not known", () => {
            const pod = compliantPod();
            api(pod).securityContext.privileged = true;
            const [violation] = checkResource(resourceOf(pod), [podSecurityBaseline], settingsFrom({}));
            assert.ok(violation.message.includes(`(${PROFILES.prod.podSecurity.version})`));
        });
    });

    it("judge every namespace, the cluster's and the add-ons' included: no namespace is exempt by its name", () => {
        for (const namespace of [
            "kube-system",
            "kube-public",
            "kube-node-lease",
            "default",
            "kyverno",
            "external-secrets",
            "cert-manager",
        ]) {
            const pod = compliantPod();
            pod.metadata.namespace = namespace;
            api(pod).securityContext = { privileged: true };
            assert.deepEqual(checks(podSecurityBaseline, pod), ["privileged"], namespace);
        }
    });

    it("leave the platform charts' own pods to their charts, where the engine wrote the URN", () => {
        const pod = compliantPod();
        pod.metadata.namespace = "kyverno";
        api(pod).securityContext = { privileged: true };
        const chart = platformChartResource(pod, "Kyverno");
        for (const policy of podSecurityPolicies) {
            assert.deepEqual(checkResource(chart, [policy], SETTINGS), [], policy.name);
        }
        const untrusted = settingsFrom({ env: "prod" }, undefined, false);
        assert.equal(checkResource(chart, [podSecurityBaseline], untrusted).length, 1);
    });

    describe("unknowns", () => {
        it("declare what every check reads", () => {
            assert.deepEqual(Object.keys(CHECK_READS).sort(), [...ALL_CHECK_IDS].sort());
        });

        it("report a container's unknown securityContext once, for the checks that read it", () => {
            const pod = compliantPod();
            api(pod).securityContext = UNKNOWN;
            for (const policy of podSecurityPolicies) {
                assert.deepEqual(judge(policy, pod), {
                    violations: [],
                    unknowns: ["spec.containers[0].securityContext"],
                    messages: [],
                });
            }
        });

        it("still report what the known containers break beside an unknown one", () => {
            const deployment = compliantController("Deployment");
            api(deployment).securityContext = UNKNOWN;
            init(deployment).securityContext.allowPrivilegeEscalation = true;
            const result = judge(podSecurityRestricted, deployment);
            assert.deepEqual(
                result.violations.map((v) => v.check),
                ["allowPrivilegeEscalation"],
            );
            assert.match(result.messages[0], /container "migrate" must set/);
            assert.deepEqual(result.unknowns, ["spec.template.spec.containers[0].securityContext"]);
        });

        it("report an unknown container list", () => {
            const cronJob = compliantController("CronJob");
            podSpecOf(cronJob).initContainers = UNKNOWN;
            assert.deepEqual(judge(podSecurityBaseline, cronJob).unknowns, [`${specPathOf("CronJob")}.initContainers`]);
        });

        it("ignore unknowns no check reads", () => {
            const pod = compliantPod();
            api(pod).image = UNKNOWN;
            api(pod).env = [{ name: "DB_URL", value: UNKNOWN }];
            pod.metadata.annotations = { "checksum/config": UNKNOWN };
            for (const policy of podSecurityPolicies) {
                assert.deepEqual(judge(policy, pod), { violations: [], unknowns: [], messages: [] });
            }
            api(pod).securityContext.privileged = true;
            assert.deepEqual(checks(podSecurityBaseline, pod), ["privileged"]);
        });

        it("report unknown pod-level fields for the checks that read them", () => {
            const pod = compliantPod();
            pod.spec.securityContext = UNKNOWN;
            assert.deepEqual(judge(podSecurityRestricted, pod).unknowns, ["spec.securityContext"]);
            const sysctls = compliantPod();
            sysctls.spec.securityContext.sysctls = [{ name: UNKNOWN, value: "1" }];
            assert.deepEqual(judge(podSecurityBaseline, sysctls).unknowns, ["spec.securityContext.sysctls[0].name"]);
            assert.deepEqual(judge(podSecurityRestricted, sysctls).unknowns, []);
        });

        it("report an unknown volume, or leave it out when another volume already fails", () => {
            const pod = compliantPod();
            pod.spec.volumes.push(UNKNOWN);
            assert.deepEqual(judge(podSecurityBaseline, pod).unknowns, ["spec.volumes[1]"]);
            assert.deepEqual(judge(podSecurityRestricted, pod).unknowns, ["spec.volumes[1]"]);
            pod.spec.volumes.push({ name: "root", hostPath: { path: "/" } });
            assert.deepEqual(checks(podSecurityBaseline, pod), ["hostPathVolumes"]);
            assert.deepEqual(judge(podSecurityBaseline, pod).unknowns, []);
        });

        it("report an unknown OS only when the Windows exemption could lift a failure", () => {
            const pod = compliantPod();
            pod.spec.os = { name: UNKNOWN };
            assert.deepEqual(judge(podSecurityRestricted, pod), { violations: [], unknowns: [], messages: [] });
            delete api(pod).securityContext.allowPrivilegeEscalation;
            assert.deepEqual(judge(podSecurityRestricted, pod), {
                violations: [],
                unknowns: ["spec.os.name"],
                messages: [],
            });
        });

        it("report an unknown template, and judge a pod whose namespace is unknown", () => {
            const statefulSet = compliantController("StatefulSet");
            statefulSet.spec.template = UNKNOWN;
            assert.deepEqual(judge(podSecurityBaseline, statefulSet).unknowns, ["spec.template"]);
            const pod = compliantPod();
            pod.metadata.namespace = UNKNOWN;
            api(pod).securityContext.privileged = true;
            assert.deepEqual(checks(podSecurityBaseline, pod), ["privileged"]);
            assert.deepEqual(judge(podSecurityBaseline, pod).unknowns, []);
        });
    });
});
