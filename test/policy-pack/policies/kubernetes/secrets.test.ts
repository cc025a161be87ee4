/**
 * secrets-no-plaintext, and the fact it rests on: a secret value reaches a policy as plain data.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { plainProps } from "../../../../policy-pack/adapter";
import { SECRET, SECRET_PATCH, secretsNoPlaintext } from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { resource, run, unknowns, violations } from "./check";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: unknown, proxySecrets: boolean): Record<string, any>;
};

/** How the engine marshals a secret to the analyzer (KeepSecrets: true) and how Pulumi's mocks record one. */
function wireSecret(value: unknown): Record<string, unknown> {
    return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

function tlsSecret(): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "payments-tls", namespace: "payments" },
        type: "kubernetes.io/tls",
    };
}

const MESSAGE = (field: string, keys: string) =>
    `Secret payments/payments-tls carries ${field} ${keys}: the value is in the program and the stack's state, ` +
    "whether or not it is a Pulumi secret";

describe("policy secrets-no-plaintext", () => {
    it("passes a Secret without values (what an ExternalSecret or the token controller fills in)", () => {
        assert.deepEqual(run(secretsNoPlaintext, resource(SECRET, tlsSecret())), []);
        assert.deepEqual(run(secretsNoPlaintext, resource(SECRET, { ...tlsSecret(), data: {}, stringData: {} })), []);
        assert.deepEqual(
            run(secretsNoPlaintext, resource(SECRET, { ...tlsSecret(), stringData: { "tls.crt": "" } })),
            [],
        );
    });

    it("reports values in data and in stringData, naming the keys and never the values", () => {
        const secret = { ...tlsSecret(), data: { "tls.key": "c2VjcmV0", "tls.crt": "Y2VydA==" } };
        const reported = violations(run(secretsNoPlaintext, resource(SECRET, secret)));
        assert.deepEqual(reported, [MESSAGE("data", "tls.crt, tls.key")]);
        assert.ok(!reported[0].includes("c2VjcmV0"));
        const strings = { ...tlsSecret(), stringData: { password: "hunter2" } };
        assert.deepEqual(violations(run(secretsNoPlaintext, resource(SECRET, strings))), [
            MESSAGE("stringData", "password"),
        ]);
    });

    it("judges a value marked secret like any value", () => {
        const perValue = { ...tlsSecret(), stringData: { password: wireSecret("hunter2") } };
        assert.deepEqual(violations(run(secretsNoPlaintext, resource(SECRET, perValue))), [
            MESSAGE("stringData", "password"),
        ]);
        const wholeMap = { ...tlsSecret(), stringData: wireSecret({ password: "hunter2" }) };
        assert.deepEqual(violations(run(secretsNoPlaintext, resource(SECRET, wholeMap))), [
            MESSAGE("stringData", "password"),
        ]);
    });

    it("reaches the policy as plaintext through @pulumi/policy: the secret mark is gone before any policy runs", () => {
        const props = { ...tlsSecret(), stringData: wireSecret({ password: "hunter2" }) };
        // What the Analyze handler does with the engine's properties (server.js: deserializeProperties(..., false)).
        const analyzed = plainProps(deserializeProperties(Struct.fromJavaScript(props), false));
        assert.deepEqual(analyzed.stringData, { password: "hunter2" });
        assert.deepEqual(violations(run(secretsNoPlaintext, resource(SECRET, analyzed))), [
            MESSAGE("stringData", "password"),
        ]);
    });

    it("covers SecretPatch", () => {
        const patch = { ...tlsSecret(), stringData: { password: "hunter2" } };
        assert.equal(violations(run(secretsNoPlaintext, resource(SECRET_PATCH, patch))).length, 1);
    });

    it("counts a key whose value is unknown, and reports an unknown map as unknown", () => {
        const key = { ...tlsSecret(), data: { "tls.key": UNKNOWN } };
        assert.deepEqual(violations(run(secretsNoPlaintext, resource(SECRET, key))), [MESSAGE("data", "tls.key")]);
        const map = { ...tlsSecret(), data: UNKNOWN };
        const reported = run(secretsNoPlaintext, resource(SECRET, map));
        assert.deepEqual(violations(reported), []);
        assert.deepEqual(unknowns(reported), ["data"]);
    });
});
