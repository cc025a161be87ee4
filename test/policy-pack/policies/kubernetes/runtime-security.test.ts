/**
 * The runtime security sensor's namespace (Pod Security `privileged`) and its standing PolicyException, as
 * RuntimeSecurity writes them: the pack accepts them only when the engine's URN shows RuntimeSecurity as
 * their parent, and never anything else that looks like them.
 */
import * as assert from "node:assert/strict";
import { runtimeSecurityException } from "../../../../components/addons/kyverno/exceptions";
import { runtimeSecurityNamespaceLabels } from "../../../../components/addons/runtime-security";
import {
    dedicatedTopology,
    RUNTIME_SECURITY_COMPONENT,
    RUNTIME_SECURITY_NAMESPACE,
} from "../../../../components/baseline";
import { kyvernoExceptionExpiry, kyvernoExceptionScope } from "../../../../policy-pack/policies/kubernetes/kyverno";
import { NAMESPACE, namespacesPodSecurityLabels } from "../../../../policy-pack/policies/kubernetes";
import { isRuntimeSecurityException, isRuntimeSecurityNamespace } from "../../../../policy-pack/policies/platform";
import { PolicyResource } from "../../../../policy-pack/policies/types";
import { copy, resource, run, settingsOf, violations } from "./check";

const EXCEPTION = "kubernetes:policies.kyverno.io/v1:PolicyException";

function urn(parent: string, type: string, name: string): string {
    return `urn:pulumi:prod::platform::k8s-baseline:index:SecureEnvironment$${parent}$${type}::${name}`;
}

/** `props` as `parent` registers them, with the URN the engine would give. */
function registered(type: string, props: Record<string, any>, parent = RUNTIME_SECURITY_COMPONENT): PolicyResource {
    return resource(type, props, { urn: urn(parent, type, props.metadata.name) });
}

function sensorNamespace(name = RUNTIME_SECURITY_NAMESPACE): Record<string, any> {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: runtimeSecurityNamespaceLabels("prod") } };
}

function sensorException(): Record<string, any> {
    return copy(runtimeSecurityException("prod", dedicatedTopology("prod"))) as unknown as Record<string, any>;
}

const engine = settingsOf("prod");
const files = { ...engine, trustedUrns: false };

describe("the runtime security sensor's namespace", () => {
    it("is privileged, and accepted as such when RuntimeSecurity registered it", () => {
        const ns = registered(NAMESPACE, sensorNamespace());
        assert.ok(isRuntimeSecurityNamespace(ns, engine));
        assert.deepEqual(violations(run(namespacesPodSecurityLabels, ns, engine)), []);
    });

    it("still needs a pinned version and valid levels", () => {
        const props = sensorNamespace();
        delete props.metadata.labels["pod-security.kubernetes.io/enforce-version"];
        props.metadata.labels["pod-security.kubernetes.io/warn"] = "anything";
        const found = violations(run(namespacesPodSecurityLabels, registered(NAMESPACE, props), engine));
        assert.equal(found.length, 2, found.join("\n"));
    });

    it("is refused when anything else creates a namespace of that name, or from files whose URNs nobody vouches for", () => {
        const byApp = registered(NAMESPACE, sensorNamespace(), "my:index:App");
        assert.equal(isRuntimeSecurityNamespace(byApp, engine), false);
        assert.equal(violations(run(namespacesPodSecurityLabels, byApp, engine)).length, 3);
        const fromFile = registered(NAMESPACE, sensorNamespace());
        assert.equal(violations(run(namespacesPodSecurityLabels, fromFile, files)).length, 3);
        const bare = resource(NAMESPACE, sensorNamespace());
        assert.equal(violations(run(namespacesPodSecurityLabels, bare, engine)).length, 3);
    });

    it("does not make another namespace RuntimeSecurity registers privileged", () => {
        const app = registered(NAMESPACE, sensorNamespace("payments"));
        assert.equal(isRuntimeSecurityNamespace(app, engine), false);
        assert.equal(violations(run(namespacesPodSecurityLabels, app, engine)).length, 3);
    });
});

describe("the runtime security sensor's PolicyException", () => {
    it("needs no expiry as RuntimeSecurity writes and registers it, and is bounded to the sensor's namespace", () => {
        const exception = registered(EXCEPTION, sensorException());
        assert.ok(isRuntimeSecurityException(exception, engine));
        assert.deepEqual(violations(run(kyvernoExceptionExpiry, exception, engine)), []);
        assert.deepEqual(violations(run(kyvernoExceptionScope, exception, engine)), []);
    });

    it("must end like any other when it names an app namespace", () => {
        const props = sensorException();
        props.spec.matchConditions[0].expression = props.spec.matchConditions[0].expression.replaceAll(
            RUNTIME_SECURITY_NAMESPACE,
            "payments",
        );
        const exception = registered(EXCEPTION, props);
        assert.equal(isRuntimeSecurityException(exception, engine), false);
        assert.ok(violations(run(kyvernoExceptionExpiry, exception, engine)).length > 0);
    });

    it("must end like any other when it waives a policy the sensor does not need, or adds a condition", () => {
        const more = sensorException();
        more.spec.policyRefs.push({ name: "baseline-disallow-latest-tag", kind: "ValidatingPolicy" });
        assert.equal(isRuntimeSecurityException(registered(EXCEPTION, more), engine), false);
        const conditions = sensorException();
        conditions.spec.matchConditions.push({ name: "or", expression: "true" });
        assert.equal(isRuntimeSecurityException(registered(EXCEPTION, conditions), engine), false);
        for (const props of [more, conditions]) {
            assert.ok(violations(run(kyvernoExceptionExpiry, registered(EXCEPTION, props), engine)).length > 0);
        }
    });

    it("must end when anything but RuntimeSecurity registers it, or it comes from a file", () => {
        const byApp = registered(EXCEPTION, sensorException(), "my:index:App");
        assert.ok(violations(run(kyvernoExceptionExpiry, byApp, engine)).length > 0);
        const fromFile = registered(EXCEPTION, sensorException());
        assert.ok(violations(run(kyvernoExceptionExpiry, fromFile, files)).length > 0);
    });
});
