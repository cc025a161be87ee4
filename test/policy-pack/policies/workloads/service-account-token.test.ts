/**
 * Kubernetes API tokens: a pod (or pod template) opts out of the automounted token unless its ServiceAccount
 * is declared to call the API, and so does every ServiceAccount.
 */
import * as assert from "node:assert/strict";
import {
    SERVICE_ACCOUNT_TYPE,
    workloadsNoLegacyTokenSecret,
    workloadsSaTokenAutomount,
} from "../../../../policy-pack/policies/workloads";
import { settingsFrom } from "../../../../policy-pack/settings";
import {
    compliantController,
    compliantPod,
    CONTROLLER_KINDS,
    judge,
    judgeResource,
    Manifest,
    platformChartResource,
    podSpecOf,
    UNKNOWN,
} from "./fixtures";

const POD = "Pod payments/payments-api-7d4b9c6f5-x2k8q";
const policy = workloadsSaTokenAutomount;
const check = (m: Manifest, settings?: Parameters<typeof judge>[2]) => judge(policy, m, settings);

/** The Pod of the reports operator, which is declared to call the API. */
function apiClientPod(): Manifest {
    const pod = compliantPod();
    pod.metadata.namespace = "reports";
    pod.spec.serviceAccountName = "reports-operator";
    pod.spec.automountServiceAccountToken = true;
    return pod;
}

function serviceAccount(namespace: string, name: string | undefined, automount: unknown): Manifest {
    const manifest: Manifest = { apiVersion: "v1", kind: "ServiceAccount", metadata: { namespace } };
    if (name !== undefined) manifest.metadata.name = name;
    if (automount !== undefined) manifest.automountServiceAccountToken = automount;
    return manifest;
}

describe("workloads-sa-token-automount", () => {
    it("judges pods, their controllers and ServiceAccounts", () => {
        assert.ok(policy.types?.includes(SERVICE_ACCOUNT_TYPE));
        assert.equal(SERVICE_ACCOUNT_TYPE, "kubernetes:core/v1:ServiceAccount");
        assert.equal(policy.enforcementLevel, "mandatory");
    });

    describe("pods", () => {
        it("admits a pod that opts out, in a Pod and every controller", () => {
            assert.deepEqual(check(compliantPod()).violations, []);
            for (const kind of CONTROLLER_KINDS) assert.deepEqual(check(compliantController(kind)).violations, []);
        });

        it("refuses a pod that mounts the token, or leaves it to the ServiceAccount", () => {
            const pod = compliantPod();
            pod.spec.automountServiceAccountToken = true;
            assert.deepEqual(check(pod).messages, [
                `${POD}: the pod mounts a Kubernetes API token (set spec.automountServiceAccountToken: false): ` +
                    "payments/payments-api is not one of the ServiceAccounts that may call the API (reports/reports-operator)",
            ]);
            delete pod.spec.automountServiceAccountToken;
            assert.equal(check(pod).violations.length, 1);
        });

        it("names the default ServiceAccount when the pod names none", () => {
            const pod = compliantPod();
            delete pod.spec.serviceAccountName;
            delete pod.spec.automountServiceAccountToken;
            assert.match(check(pod).messages[0], /payments\/default is not one of/);
        });

        it("admits the declared ServiceAccount, in its own namespace only", () => {
            assert.deepEqual(check(apiClientPod()).violations, []);
            const namesake = apiClientPod();
            namesake.metadata.namespace = "payments";
            assert.match(check(namesake).messages[0], /payments\/reports-operator is not one of/);
        });

        it("declares nobody by default", () => {
            const settings = settingsFrom({ env: "prod" });
            assert.deepEqual(check(apiClientPod(), settings).messages, [
                "Pod reports/payments-api-7d4b9c6f5-x2k8q: the pod mounts a Kubernetes API token (set " +
                    "spec.automountServiceAccountToken: false): no ServiceAccount is declared to call the API",
            ]);
        });

        for (const kind of ["Deployment", "CronJob", "Job"]) {
            it(`judges a ${kind}'s template, in the controller's namespace`, () => {
                const controller = compliantController(kind);
                podSpecOf(controller).automountServiceAccountToken = true;
                const [message] = check(controller).messages;
                assert.match(
                    message,
                    /set spec\.(template|jobTemplate\.spec\.template)\.spec\.automountServiceAccountToken: false/,
                );
                podSpecOf(controller).serviceAccountName = "reports-operator";
                controller.metadata.namespace = "reports";
                assert.deepEqual(check(controller).violations, []);
            });
        }

        it("judges an add-on's namespace like any other, and leaves the add-on chart's pods alone", () => {
            const pod = compliantPod();
            pod.metadata.namespace = "cert-manager";
            pod.spec.automountServiceAccountToken = true;
            assert.equal(check(pod).violations.length, 1);
            const chart = platformChartResource(pod, "CertManager");
            assert.deepEqual(judgeResource(workloadsSaTokenAutomount, chart).violations, []);
        });

        it("reads the deprecated serviceAccount field when serviceAccountName is empty, as the API server does", () => {
            const pod = compliantPod();
            pod.metadata.namespace = "reports";
            delete pod.spec.serviceAccountName;
            pod.spec.serviceAccount = "reports-operator";
            pod.spec.automountServiceAccountToken = true;
            assert.deepEqual(check(pod).violations, []);
            const borrowed = compliantPod();
            borrowed.metadata.namespace = "reports";
            borrowed.spec.serviceAccountName = "";
            borrowed.spec.serviceAccount = "reports-admin";
            borrowed.spec.automountServiceAccountToken = true;
            const allowDefault = settingsFrom({ env: "prod", apiAccessServiceAccounts: ["reports/default"] });
            assert.equal(check(borrowed, allowDefault).violations.length, 1, "not the default account's token");
        });

        describe("projected ServiceAccount tokens", () => {
            const projected = (audience?: string, extra: Manifest[] = []): Manifest => ({
                name: "token",
                projected: {
                    sources: [
                        ...extra,
                        { serviceAccountToken: { path: "token", ...(audience !== undefined ? { audience } : {}) } },
                    ],
                },
            });

            it("refuses an API token projected beside automount false", () => {
                const pod = compliantPod();
                pod.spec.volumes = [projected()];
                assert.deepEqual(check(pod).messages, [
                    "Pod payments/payments-api-7d4b9c6f5-x2k8q: projects a Kubernetes API token into volume " +
                        '"token" (spec.volumes[0].projected.sources[0]), which any container may mount whatever ' +
                        "automountServiceAccountToken says: payments/payments-api is not one of the ServiceAccounts that may " +
                        "call the API (reports/reports-operator)",
                ]);
            });

            it("refuses one beside other sources, for the API server's audience, or any audience it may accept", () => {
                for (const volume of [
                    projected(undefined, [{ configMap: { name: "kube-root-ca.crt" } }]),
                    projected("https://kubernetes.default.svc"),
                    projected("vault"),
                    projected(""),
                ]) {
                    const pod = compliantPod();
                    pod.spec.volumes = [{ name: "data", emptyDir: {} }, volume];
                    assert.equal(check(pod).violations.length, 1, JSON.stringify(volume));
                }
            });

            it("admits one for AWS STS, which the API server rejects", () => {
                const pod = compliantPod();
                pod.spec.volumes = [projected("sts.amazonaws.com")];
                assert.deepEqual(check(pod).violations, []);
            });

            for (const kind of CONTROLLER_KINDS) {
                it(`refuses a ${kind} whose template projects one`, () => {
                    const controller = compliantController(kind);
                    podSpecOf(controller).volumes = [projected()];
                    assert.equal(check(controller).violations.length, 1);
                });
            }

            it("admits one for a declared API client", () => {
                const pod = apiClientPod();
                pod.spec.volumes = [projected()];
                assert.deepEqual(check(pod).violations, []);
            });

            it("reports an unknown volume list, source or audience", () => {
                const pod = compliantPod();
                pod.spec.volumes = UNKNOWN;
                assert.deepEqual(check(pod).unknowns, ["spec.volumes"]);
                pod.spec.volumes = [projected(UNKNOWN as never)];
                assert.deepEqual(check(pod).unknowns, [
                    "spec.volumes[0].projected.sources[0].serviceAccountToken.audience",
                ]);
                pod.spec.volumes = [{ name: "x", projected: { sources: [UNKNOWN] } }];
                assert.deepEqual(check(pod).unknowns, ["spec.volumes[0].projected.sources[0]"]);
            });
        });

        it("reports an unknown automount, unless the ServiceAccount is declared", () => {
            const pod = compliantPod();
            pod.spec.automountServiceAccountToken = UNKNOWN;
            assert.deepEqual(check(pod), {
                violations: [],
                unknowns: ["spec.automountServiceAccountToken"],
                messages: [],
            });
            const client = apiClientPod();
            client.spec.automountServiceAccountToken = UNKNOWN;
            assert.deepEqual(check(client).unknowns, []);
        });

        it("reports an unknown ServiceAccount or namespace when it decides the verdict", () => {
            const pod = apiClientPod();
            pod.spec.serviceAccountName = UNKNOWN;
            assert.deepEqual(check(pod).unknowns, ["spec.serviceAccountName"]);
            // With nobody declared, the name cannot matter.
            assert.equal(check(pod, settingsFrom({ env: "prod" })).violations.length, 1);
            const elsewhere = apiClientPod();
            elsewhere.metadata.namespace = UNKNOWN;
            assert.deepEqual(check(elsewhere).unknowns, ["metadata.namespace"]);
            assert.deepEqual(check(elsewhere).violations, []);
        });

        it("reports an unknown pod template", () => {
            const deployment = compliantController("Deployment");
            deployment.spec.template.spec = UNKNOWN;
            assert.deepEqual(check(deployment).unknowns, ["spec.template.spec"]);
        });
    });

    describe("ServiceAccounts", () => {
        it("admits one that opts out", () => {
            assert.deepEqual(check(serviceAccount("payments", "payments", false)).violations, []);
        });

        it("refuses one that mounts its token, or leaves the default (true)", () => {
            assert.deepEqual(check(serviceAccount("payments", "payments", true)).messages, [
                "ServiceAccount payments/payments: mounts its token into every pod that does not opt out (set " +
                    "automountServiceAccountToken: false): payments/payments is not one of the ServiceAccounts that " +
                    "may call the API (reports/reports-operator)",
            ]);
            assert.equal(check(serviceAccount("payments", "payments", undefined)).violations.length, 1);
        });

        it("admits the declared one, and only in its namespace", () => {
            assert.deepEqual(check(serviceAccount("reports", "reports-operator", true)).violations, []);
            assert.equal(check(serviceAccount("payments", "reports-operator", true)).violations.length, 1);
        });

        it("cannot list one Pulumi names itself", () => {
            assert.equal(check(serviceAccount("reports", undefined, true)).violations.length, 1);
        });

        it("judges an add-on's namespace like any other, and leaves the add-on chart's own alone", () => {
            const account = serviceAccount("kyverno", "kyverno-admission-controller", true);
            assert.equal(check(account).violations.length, 1);
            assert.deepEqual(
                judgeResource(workloadsSaTokenAutomount, platformChartResource(account, "Kyverno")).violations,
                [],
            );
        });

        it("reports unknowns", () => {
            assert.deepEqual(check(serviceAccount("payments", "payments", UNKNOWN)).unknowns, [
                "automountServiceAccountToken",
            ]);
            assert.deepEqual(check(serviceAccount("reports", UNKNOWN as never, true)).unknowns, ["metadata.name"]);
        });
    });

    describe("workloads-no-legacy-token-secret", () => {
        const secret = (type: unknown, account: unknown = "reports-operator"): Manifest => ({
            apiVersion: "v1",
            kind: "Secret",
            metadata: {
                name: "token",
                namespace: "reports",
                annotations: { "kubernetes.io/service-account.name": account },
            },
            type,
        });
        const run = (m: Manifest) => judge(workloadsNoLegacyTokenSecret, m);

        it("refuses a long-lived token Secret, for any account, the declared API clients' included", () => {
            assert.deepEqual(run(secret("kubernetes.io/service-account-token")).messages, [
                "Secret reports/token is a kubernetes.io/service-account-token Secret: a long-lived API token of " +
                    "ServiceAccount reports-operator that any pod of the namespace can mount",
            ]);
            assert.equal(run(secret("kubernetes.io/service-account-token", "admin")).violations.length, 1);
        });

        it("refuses one whose type sits behind Pulumi's secret wrapper, as a file may write it", () => {
            const wrapped = {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                value: "kubernetes.io/service-account-token",
            };
            assert.equal(run(secret(wrapped)).violations.length, 1);
        });

        it("allows other Secrets", () => {
            assert.deepEqual(run(secret("Opaque")).violations, []);
            assert.deepEqual(run(secret(undefined)).violations, []);
        });

        it("reports an unknown type", () => {
            assert.deepEqual(run(secret(UNKNOWN)).unknowns, ["type"]);
        });
    });
});
