/**
 * Exemptions by object and older API versions in the pack itself, over the analyzer protocol as a preview
 * runs it: the same config file `check --config` reads, with the same effect.
 */
import * as assert from "node:assert/strict";
import { ResourceRecord } from "../../policy-pack/harness/resources";
import { checkMandatory, everyPolicy, mandatory, usePack } from "./protocol-setup";

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api@sha256:" + "3f".repeat(32);

function privilegedDaemonSet(type: string): ResourceRecord {
    const apiVersion = type.split(":")[1];
    return {
        type,
        name: "agent",
        custom: true,
        properties: {
            apiVersion,
            kind: "DaemonSet",
            metadata: { name: "agent", namespace: "payments" },
            spec: {
                selector: { matchLabels: { app: "agent" } },
                template: {
                    metadata: { labels: { app: "agent" } },
                    spec: { containers: [{ name: "c", image: IMAGE, securityContext: { privileged: true } }] },
                },
            },
        },
    };
}

const ADMIN_BINDING: ResourceRecord = {
    type: "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRoleBinding",
    name: "break-glass",
    custom: true,
    properties: {
        apiVersion: "rbac.authorization.k8s.io/v1beta1",
        kind: "ClusterRoleBinding",
        metadata: { name: "break-glass" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" }],
    },
};

describe("the pack over the analyzer protocol: exemptions and older API versions", function () {
    this.timeout(120_000);
    const run = usePack("corpus");

    it("refuses a privileged DaemonSet and cluster-admin for everyone in their removed API versions", async () => {
        const records = [privilegedDaemonSet("kubernetes:extensions/v1beta1:DaemonSet"), ADMIN_BINDING];
        const verdict = await run(records, {});
        const found = mandatory(verdict.diagnostics);
        for (const name of ["pod-security-baseline", "rbac-no-cluster-admin"])
            assert.ok(found.includes(name), found.join(" "));
        const current = await run([privilegedDaemonSet("kubernetes:apps/v1:DaemonSet")], {});
        const old = await run([privilegedDaemonSet("kubernetes:extensions/v1beta1:DaemonSet")], {});
        assert.deepEqual(mandatory(old.diagnostics), mandatory(current.diagnostics));
        assert.deepEqual(await checkMandatory({}, records), found, "check agrees");
    });

    it("honours an exemption by object in force, resource and stack policies alike, as check does", async () => {
        const records = [privilegedDaemonSet("kubernetes:apps/v1beta2:DaemonSet"), ADMIN_BINDING];
        const exemption = { owner: "team-platform", reason: "node agent, reviewed", expires: "2999-01-01" };
        const config = everyPolicy({
            exemptions: [
                { kind: "DaemonSet", namespace: "payments", name: "agent", ...exemption },
                {
                    kind: "ClusterRoleBinding",
                    name: "break-glass",
                    policies: [
                        "rbac-no-cluster-admin",
                        "rbac-no-cluster-secret-read",
                        "rbac-bound-subjects",
                        "rbac-escalation-verbs",
                    ],
                    ...exemption,
                },
            ],
        });
        const verdict = await run(records, config);
        assert.deepEqual(mandatory(verdict.diagnostics), []);
        assert.deepEqual(await checkMandatory(config, records), []);
    });

    it("an expired exemption exempts nothing and is itself a mandatory finding, in the pack as in check", async () => {
        const records = [privilegedDaemonSet("kubernetes:apps/v1:DaemonSet")];
        const config = everyPolicy({
            exemptions: [
                {
                    kind: "DaemonSet",
                    namespace: "payments",
                    name: "agent",
                    owner: "o",
                    reason: "r",
                    expires: "2020-01-01",
                },
            ],
        });
        const found = mandatory((await run(records, config)).diagnostics);
        assert.ok(found.includes("exemptions-in-force"), found.join(" "));
        assert.ok(found.includes("pod-security-baseline"), found.join(" "));
        assert.deepEqual(await checkMandatory(config, records), found);
    });

    it("refuses an exemption without an owner at configuration, as the Pulumi CLI validates the file", async () => {
        const config = everyPolicy({
            exemptions: [{ kind: "DaemonSet", name: "agent", reason: "r", expires: "2999-01-01" }],
        });
        await assert.rejects(run([ADMIN_BINDING], config), /owner/);
    });
});
