/**
 * What each container declares: requests and limits, probes on long-running workloads, a read-only root
 * filesystem. In a Pod and in the pod template of every controller.
 */
import * as assert from "node:assert/strict";
import { LONG_RUNNING_KINDS } from "../../../../components/baseline";
import {
    workloadsProbes,
    workloadsReadonlyRootfs,
    workloadsRequestsLimits,
} from "../../../../policy-pack/policies/workloads";
import {
    compliantController,
    compliantPod,
    CONTROLLER_KINDS,
    judge,
    judgeResource,
    Manifest,
    platformChartResource,
    podSpecOf,
    specPathOf,
    UNKNOWN,
} from "./fixtures";
import { settingsFrom } from "../../../../policy-pack/settings";
import { APP_REGISTRY } from "./fixtures";

/** The settings of `check`: the same config, URNs not trusted. */
const UNTRUSTED = settingsFrom(
    { env: "prod", registries: [APP_REGISTRY], apiAccessServiceAccounts: ["reports/reports-operator"] },
    undefined,
    false,
);

const POD = "Pod payments/payments-api-7d4b9c6f5-x2k8q";
const api = (m: Manifest) => podSpecOf(m).containers[0];
const init = (m: Manifest) => podSpecOf(m).initContainers[0];
const debug = (m: Manifest) => podSpecOf(m).ephemeralContainers[0];

describe("workloads container policies", () => {
    for (const policy of [workloadsRequestsLimits, workloadsProbes, workloadsReadonlyRootfs]) {
        it(`${policy.name} admits the compliant Pod and every controller's compliant template`, () => {
            assert.deepEqual(judge(policy, compliantPod()).violations, []);
            for (const kind of CONTROLLER_KINDS) {
                assert.deepEqual(judge(policy, compliantController(kind)).violations, [], kind);
            }
            assert.equal(policy.enforcementLevel, "mandatory");
        });
    }

    describe("workloads-requests-limits", () => {
        const check = (m: Manifest) => judge(workloadsRequestsLimits, m);

        it("refuses a container without resources, naming every missing value", () => {
            const pod = compliantPod();
            delete api(pod).resources;
            assert.deepEqual(check(pod).messages, [
                `${POD}: container "api" does not set resources.requests.cpu, resources.requests.memory, ` +
                    "resources.limits.cpu, resources.limits.memory",
            ]);
        });

        it("refuses a missing cpu limit, and an init container without a memory request or limits", () => {
            const pod = compliantPod();
            delete api(pod).resources.limits.cpu;
            assert.deepEqual(check(pod).messages, [`${POD}: container "api" does not set resources.limits.cpu`]);
            const initPod = compliantPod();
            delete init(initPod).resources.requests.memory;
            delete init(initPod).resources.limits;
            assert.deepEqual(check(initPod).messages, [
                `${POD}: init container "migrate" does not set resources.requests.memory, resources.limits.cpu, resources.limits.memory`,
            ]);
        });

        it("does not judge ephemeral containers, which cannot declare resources", () => {
            const pod = compliantPod();
            assert.equal(debug(pod).resources, undefined);
            assert.deepEqual(check(pod).violations, []);
        });

        for (const kind of ["Deployment", "CronJob", "DaemonSet"]) {
            it(`refuses a ${kind} whose template sets no memory limit`, () => {
                const controller = compliantController(kind);
                delete api(controller).resources.limits.memory;
                assert.equal(check(controller).violations.length, 1);
            });
        }

        it("reports unknown values, and what is certainly missing beside them", () => {
            const pod = compliantPod();
            api(pod).resources.requests = UNKNOWN;
            delete api(pod).resources.limits.cpu;
            const result = check(pod);
            assert.deepEqual(result.unknowns, ["spec.containers[0].resources.requests"]);
            assert.deepEqual(result.messages, [`${POD}: container "api" does not set resources.limits.cpu`]);
            const deployment = compliantController("Deployment");
            init(deployment).resources.limits.memory = UNKNOWN;
            assert.deepEqual(check(deployment), {
                violations: [],
                unknowns: ["spec.template.spec.initContainers[0].resources.limits.memory"],
                messages: [],
            });
        });

        it("judges an add-on's namespace like any other, and leaves the add-on chart's own pods alone", () => {
            const pod = compliantPod();
            pod.metadata.namespace = "external-secrets";
            delete api(pod).resources;
            assert.equal(check(pod).violations.length, 1);
            const chart = platformChartResource(pod, "ExternalSecretsOperator");
            assert.deepEqual(judgeResource(workloadsRequestsLimits, chart).violations, []);
            // In `check`, no URN is evidence.
            assert.equal(judgeResource(workloadsRequestsLimits, chart, UNTRUSTED).violations.length, 1);
        });
    });

    describe("workloads-probes", () => {
        const check = (m: Manifest) => judge(workloadsProbes, m);

        it("refuses a long-running Pod's container without a liveness or readiness probe", () => {
            const pod = compliantPod();
            delete api(pod).livenessProbe;
            assert.deepEqual(check(pod).messages, [`${POD}: container "api" declares no livenessProbe`]);
            delete api(pod).readinessProbe;
            assert.deepEqual(check(pod).messages, [
                `${POD}: container "api" declares no livenessProbe or readinessProbe`,
            ]);
        });

        for (const kind of LONG_RUNNING_KINDS) {
            it(`refuses a ${kind} without a readiness probe, and a Pod it owns`, () => {
                const controller = compliantController(kind);
                delete api(controller).readinessProbe;
                assert.equal(check(controller).violations.length, 1);
                const pod = compliantPod();
                pod.metadata.ownerReferences[0].kind = kind;
                delete api(pod).readinessProbe;
                assert.equal(check(pod).violations.length, 1);
            });
        }

        it("exempts Jobs, CronJobs, their Pods and bare Pods", () => {
            for (const kind of ["Job", "CronJob"]) {
                const controller = compliantController(kind);
                delete api(controller).livenessProbe;
                delete api(controller).readinessProbe;
                assert.deepEqual(check(controller).violations, [], kind);
            }
            const jobPod = compliantPod();
            jobPod.metadata.ownerReferences = [{ apiVersion: "batch/v1", kind: "Job", name: "reconcile", uid: "9e" }];
            delete api(jobPod).livenessProbe;
            assert.deepEqual(check(jobPod).violations, []);
            delete jobPod.metadata.ownerReferences;
            assert.deepEqual(check(jobPod).violations, []);
        });

        it("judges regular containers only: init and ephemeral containers take no such probes", () => {
            const pod = compliantPod();
            assert.equal(init(pod).livenessProbe, undefined);
            assert.equal(debug(pod).readinessProbe, undefined);
            assert.deepEqual(check(pod).violations, []);
        });

        it("reports unknown owners, unless a known one makes the Pod long-running", () => {
            const pod = compliantPod();
            delete api(pod).livenessProbe;
            pod.metadata.ownerReferences = UNKNOWN;
            assert.deepEqual(check(pod), { violations: [], unknowns: ["metadata.ownerReferences"], messages: [] });
            pod.metadata.ownerReferences = [UNKNOWN];
            assert.deepEqual(check(pod).unknowns, ["metadata.ownerReferences[0]"]);
            pod.metadata.ownerReferences = [
                UNKNOWN,
                { apiVersion: "apps/v1", kind: "ReplicaSet", name: "r", uid: "1" },
            ];
            assert.deepEqual(check(pod).unknowns, []);
            assert.equal(check(pod).violations.length, 1);
        });

        it("reports an unknown probe", () => {
            const deployment = compliantController("Deployment");
            api(deployment).livenessProbe = UNKNOWN;
            assert.deepEqual(check(deployment).unknowns, ["spec.template.spec.containers[0].livenessProbe"]);
            assert.deepEqual(check(deployment).violations, []);
        });
    });

    describe("workloads-readonly-rootfs", () => {
        const check = (m: Manifest) => judge(workloadsReadonlyRootfs, m);

        it("refuses a writable or unset root filesystem, in each container list", () => {
            const pod = compliantPod();
            api(pod).securityContext.readOnlyRootFilesystem = false;
            assert.deepEqual(check(pod).messages, [
                `${POD}: container "api" does not set securityContext.readOnlyRootFilesystem: true`,
            ]);
            const initPod = compliantPod();
            delete init(initPod).securityContext.readOnlyRootFilesystem;
            assert.match(check(initPod).messages[0], /init container "migrate" does not set/);
            const debugPod = compliantPod();
            delete debug(debugPod).securityContext;
            assert.match(check(debugPod).messages[0], /ephemeral container "debug" does not set/);
        });

        for (const kind of CONTROLLER_KINDS) {
            it(`refuses a ${kind} template with a writable root filesystem`, () => {
                const controller = compliantController(kind);
                api(controller).securityContext.readOnlyRootFilesystem = false;
                assert.equal(check(controller).violations.length, 1);
            });
        }

        it("reports an unknown securityContext or field", () => {
            const cronJob = compliantController("CronJob");
            api(cronJob).securityContext = UNKNOWN;
            init(cronJob).securityContext.readOnlyRootFilesystem = UNKNOWN;
            assert.deepEqual(check(cronJob).unknowns, [
                `${specPathOf("CronJob")}.initContainers[0].securityContext.readOnlyRootFilesystem`,
                `${specPathOf("CronJob")}.containers[0].securityContext`,
            ]);
            assert.deepEqual(check(cronJob).violations, []);
        });
    });
});
