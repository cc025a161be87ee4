/**
 * Images: pinned by digest, from an approved registry, never a mutable tag; in every container list, in a Pod
 * and in the pod template of every controller.
 */
import * as assert from "node:assert/strict";
import { CUSTOM_POD_TEMPLATES, PLATFORM_REGISTRIES, POD_CONTROLLERS } from "../../../../components/baseline";
import {
    POD_TYPES,
    workloadsApprovedRegistries,
    workloadsImageDigest,
    workloadsNoLatestTag,
} from "../../../../policy-pack/policies/workloads";
import { settingsFrom } from "../../../../policy-pack/settings";
import {
    API_IMAGE,
    APP_REGISTRY,
    compliantController,
    compliantPod,
    CONTROLLER_KINDS,
    DIGEST,
    judge,
    judgeResource,
    Manifest,
    platformChartResource,
    podSpecOf,
    SETTINGS,
    specPathOf,
    UNKNOWN,
} from "./fixtures";

const POD = "Pod payments/payments-api-7d4b9c6f5-x2k8q";
const api = (m: Manifest) => podSpecOf(m).containers[0];
const init = (m: Manifest) => podSpecOf(m).initContainers[0];
const debug = (m: Manifest) => podSpecOf(m).ephemeralContainers[0];

const POLICIES = [workloadsImageDigest, workloadsApprovedRegistries, workloadsNoLatestTag];

describe("workloads image policies", () => {
    for (const policy of POLICIES) {
        describe(policy.name, () => {
            it("admits the compliant Pod and every controller's compliant template", () => {
                assert.deepEqual(judge(policy, compliantPod()).violations, []);
                for (const kind of CONTROLLER_KINDS) {
                    assert.deepEqual(judge(policy, compliantController(kind)).violations, [], kind);
                }
            });

            it("is mandatory, in the workloads group, and judges only pods and their controllers", () => {
                assert.equal(policy.enforcementLevel, "mandatory");
                assert.equal(policy.group, "workloads");
                const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: {} };
                assert.deepEqual(judge(policy, configMap).violations, []);
            });

            it("refuses a container without an image", () => {
                const pod = compliantPod();
                delete api(pod).image;
                assert.deepEqual(judge(policy, pod).messages, [`${POD}: container "api" names no image`]);
            });

            it("judges kube-system like any namespace, and leaves the platform charts' pods alone", () => {
                const pod = compliantPod();
                pod.metadata.namespace = "kube-system";
                api(pod).image = "nginx";
                assert.equal(judge(policy, pod).violations.length, 1);
                const chart = compliantPod();
                chart.metadata.namespace = "kyverno";
                api(chart).image = "nginx";
                assert.deepEqual(judgeResource(policy, platformChartResource(chart, "Kyverno")).violations, []);
                // A chart's child outside its add-on's namespace is not the platform's.
                assert.equal(judgeResource(policy, platformChartResource(pod, "Kyverno")).violations.length, 1);
            });

            it("reports an unknown image, and still judges the known ones", () => {
                const pod = compliantPod();
                api(pod).image = UNKNOWN;
                init(pod).image = "nginx";
                const result = judge(policy, pod);
                assert.deepEqual(result.unknowns, ["spec.containers[0].image"]);
                assert.equal(result.violations.length, 1);
                assert.match(result.messages[0], /init container "migrate" image "nginx"/);
            });

            it("reports unknown container lists and templates", () => {
                const deployment = compliantController("Deployment");
                deployment.spec.template.spec.containers = UNKNOWN;
                assert.deepEqual(judge(policy, deployment).unknowns, ["spec.template.spec.containers"]);
                const cronJob = compliantController("CronJob");
                cronJob.spec.jobTemplate = UNKNOWN;
                assert.deepEqual(judge(policy, cronJob).unknowns, ["spec.jobTemplate"]);
                const pod = compliantPod();
                pod.spec.initContainers[0] = UNKNOWN;
                assert.deepEqual(judge(policy, pod).unknowns, ["spec.initContainers[0]"]);
            });

            it("judges a pod whose namespace is unknown all the same: no namespace is exempt", () => {
                const pod = compliantPod();
                pod.metadata.namespace = UNKNOWN;
                assert.deepEqual(judge(policy, pod), { violations: [], unknowns: [], messages: [] });
                api(pod).image = "nginx";
                const result = judge(policy, pod);
                assert.equal(result.violations.length, 1);
                assert.deepEqual(result.unknowns, []);
            });
        });
    }

    describe("workloads-image-digest", () => {
        const check = (m: Manifest) => judge(workloadsImageDigest, m).messages;

        it("refuses a tag without a digest, in each container list", () => {
            const pod = compliantPod();
            api(pod).image = `${APP_REGISTRY}payments-api:1.4.2`;
            assert.deepEqual(check(pod), [
                `${POD}: container "api" image "${APP_REGISTRY}payments-api:1.4.2" is not pinned by digest (name@sha256:<64 hex characters>)`,
            ]);
            const truncated = compliantPod();
            init(truncated).image = `${APP_REGISTRY}payments-migrate@sha256:9f86d08`;
            assert.match(check(truncated)[0], /init container "migrate" image .* is not pinned by digest/);
            const debugging = compliantPod();
            debug(debugging).image = `${APP_REGISTRY}debug-tools:2.1.0`;
            assert.match(check(debugging)[0], /ephemeral container "debug" image .* is not pinned by digest/);
        });

        it("admits a digest without a tag", () => {
            const pod = compliantPod();
            api(pod).image = `${APP_REGISTRY}payments-api@${DIGEST}`;
            assert.deepEqual(check(pod), []);
        });

        for (const kind of CONTROLLER_KINDS) {
            it(`refuses a ${kind} whose template runs a tag`, () => {
                const controller = compliantController(kind);
                api(controller).image = `${APP_REGISTRY}payments-api:1.4.2`;
                const [message, ...rest] = check(controller);
                assert.deepEqual(rest, []);
                assert.match(message, new RegExp(`^${kind} payments/payments-[a-z]+: container "api" image`));
            });
        }
    });

    describe("workloads-approved-registries", () => {
        const check = (m: Manifest, settings = SETTINGS) => judge(workloadsApprovedRegistries, m, settings).messages;

        it("refuses Docker Hub, naming the approved registries", () => {
            const pod = compliantPod();
            api(pod).image = `docker.io/library/nginx:1.27@${DIGEST}`;
            assert.deepEqual(check(pod), [
                `${POD}: container "api" image "docker.io/library/nginx:1.27@${DIGEST}" is not from an approved ` +
                    `registry: ${APP_REGISTRY}`,
            ]);
        });

        it("refuses a look-alike host and another repository of the same registry", () => {
            const lookAlike = compliantPod();
            api(lookAlike).image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/shop/api@${DIGEST}`;
            assert.equal(check(lookAlike).length, 1);
            const other = compliantPod();
            init(other).image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/x@${DIGEST}`;
            assert.match(check(other)[0], /init container "migrate"/);
            const debugging = compliantPod();
            debug(debugging).image = `busybox:1.36@${DIGEST}`;
            assert.match(check(debugging)[0], /ephemeral container "debug"/);
        });

        it("refuses the platform's registries to an app, in any namespace, and leaves them to the platform's charts", () => {
            for (const registry of PLATFORM_REGISTRIES) {
                for (const namespace of ["payments", "kube-system", "kyverno"]) {
                    const pod = compliantPod();
                    pod.metadata.namespace = namespace;
                    api(pod).image = `${registry}pause:3.10@${DIGEST}`;
                    assert.equal(check(pod).length, 1, `${registry} in ${namespace}`);
                }
            }
            const chart = compliantPod();
            chart.metadata.namespace = "kyverno";
            api(chart).image = `reg.kyverno.io/kyverno/kyverno:v1.19.0@${DIGEST}`;
            assert.deepEqual(
                judgeResource(workloadsApprovedRegistries, platformChartResource(chart, "Kyverno")).violations,
                [],
            );
        });

        it("without configured registries, admits any private ECR registry and nothing public", () => {
            const unconfigured = settingsFrom({ env: "prod" });
            const pod = compliantPod();
            api(pod).image = `210987654321.dkr.ecr.us-east-1.amazonaws.com/anything/app:1.0@${DIGEST}`;
            assert.deepEqual(check(pod, unconfigured), []);
            assert.equal(check(pod).length, 1, "the configured registries narrow it to the env's own");
            const ghcr = compliantPod();
            api(ghcr).image = `ghcr.io/someone/app:1.0@${DIGEST}`;
            assert.match(check(ghcr, unconfigured)[0], /a private Amazon ECR registry/);
        });

        it("refuses a Deployment's and a CronJob's template from Docker Hub", () => {
            for (const kind of ["Deployment", "CronJob"]) {
                const controller = compliantController(kind);
                init(controller).image = `nginx:1.27@${DIGEST}`;
                assert.equal(check(controller).length, 1, kind);
            }
        });
    });

    describe("workloads-no-latest-tag", () => {
        const check = (m: Manifest) => judge(workloadsNoLatestTag, m).messages;
        const withImage = (image: string, kind = "Pod") => {
            const manifest = kind === "Pod" ? compliantPod() : compliantController(kind);
            api(manifest).image = image;
            return manifest;
        };

        it("refuses latest, also beside a digest", () => {
            assert.deepEqual(check(withImage(`${APP_REGISTRY}payments-api:latest`)), [
                `${POD}: container "api" image "${APP_REGISTRY}payments-api:latest" uses the mutable tag "latest"`,
            ]);
            assert.equal(check(withImage(`${APP_REGISTRY}payments-api:latest@${DIGEST}`)).length, 1);
        });

        it("refuses an image with no tag, whose registry port is no tag", () => {
            assert.deepEqual(check(withImage("localhost:5000/payments-api")), [
                `${POD}: container "api" image "localhost:5000/payments-api" names no tag or digest, so it runs latest`,
            ]);
            const pod = compliantPod();
            init(pod).image = `${APP_REGISTRY}payments-migrate`;
            debug(pod).image = `${APP_REGISTRY}debug-tools`;
            assert.equal(check(pod).length, 2);
        });

        it("admits a fixed tag, a digest, and both", () => {
            assert.deepEqual(check(withImage("localhost:5000/payments-api:1.0")), []);
            assert.deepEqual(check(withImage(`${APP_REGISTRY}payments-api@${DIGEST}`)), []);
            assert.deepEqual(check(withImage(API_IMAGE)), []);
        });

        it("refuses latest in a CronJob's and a StatefulSet's template", () => {
            for (const kind of ["CronJob", "StatefulSet"]) {
                assert.equal(check(withImage(`${APP_REGISTRY}x:latest`, kind)).length, 1, kind);
            }
        });
    });

    it("judge Pods, every pod controller and the custom resources with a pod template, by their type tokens", () => {
        assert.deepEqual([...POD_TYPES].sort(), [
            "kubernetes:apps.kruise.io/v1alpha1:CloneSet",
            "kubernetes:apps.kruise.io/v1beta1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:ReplicaSet",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:argoproj.io/v1alpha1:Rollout",
            "kubernetes:batch/v1:CronJob",
            "kubernetes:batch/v1:Job",
            "kubernetes:core/v1:Pod",
            "kubernetes:core/v1:ReplicationController",
            "kubernetes:keda.sh/v1alpha1:ScaledJob",
            "kubernetes:serving.knative.dev/v1:Configuration",
            "kubernetes:serving.knative.dev/v1:Service",
        ]);
        assert.equal(
            POD_TYPES.length,
            1 + Object.keys(POD_CONTROLLERS).length + Object.keys(CUSTOM_POD_TEMPLATES).length,
        );
        for (const policy of POLICIES) assert.deepEqual(policy.types, POD_TYPES);
    });

    it("reports unknowns at the template path of each controller", () => {
        for (const kind of CONTROLLER_KINDS) {
            const controller = compliantController(kind);
            api(controller).image = UNKNOWN;
            assert.deepEqual(judge(workloadsImageDigest, controller).unknowns, [
                `${specPathOf(kind)}.containers[0].image`,
            ]);
        }
    });
});
