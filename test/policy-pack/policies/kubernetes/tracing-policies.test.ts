/**
 * runtime-security-tracing-policies: the tracing policies the baseline generates pass; one that enforces,
 * reaches the network, matches nothing, or replaces the baseline's watch under its name is refused.
 */
import * as assert from "node:assert/strict";
import { environmentTracingPolicyManifests } from "../../../../components/addons/runtime-security";
import {
    runtimeSecurityTracingPolicies,
    TRACING_POLICY,
    TRACING_POLICY_NAMESPACED,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { copy, resource, run, unknowns, violations } from "./check";

/** The generator's policies of one namespace not declared to call the API: token-read, kubernetes-api-connect. */
function generated(apiServerCidrs = ["10.40.0.0/24"]): Record<string, any>[] {
    return environmentTracingPolicyManifests({
        namespaces: ["payments-dev"],
        kubernetesApiNamespaces: [],
        apiServerCidrs,
        kubernetesServiceCidrs: ["10.100.0.1/32"],
    }).map((m) => copy(m) as unknown as Record<string, any>);
}

const judge = (props: Record<string, any>, type = TRACING_POLICY_NAMESPACED) =>
    violations(run(runtimeSecurityTracingPolicies, resource(type, props)));

describe("runtime-security-tracing-policies", () => {
    it("passes the generator's policies, whatever the API server's addresses", () => {
        for (const cidrs of [["10.40.0.0/24"], ["10.0.0.0/16", "172.16.0.0/24"], []]) {
            for (const policy of generated(cidrs)) assert.deepEqual(judge(policy), [], policy.metadata.name);
        }
    });

    it("refuses an action that kills, signals, overrides, rewrites or reaches the network", () => {
        for (const action of ["Sigkill", "Signal", "Override", "Set", "NotifyEnforcer", "GetUrl", "DnsLookup"]) {
            const [, connect] = generated();
            connect.metadata.name = "my-policy";
            connect.spec.kprobes[0].selectors[0].matchActions = [{ action }];
            assert.deepEqual(judge(connect), [
                `TracingPolicyNamespaced payments-dev/my-policy: spec.kprobes[0].selectors[0].matchActions[0].action is "${action}", which acts on the traced processes or the network instead of posting an event`,
            ]);
        }
        const [token] = generated();
        token.metadata.name = "mine";
        token.spec.kprobes[0].selectors[0].matchReturnActions = [{ action: "Override" }];
        assert.equal(judge(token).length, 1);
        token.spec.kprobes[0].selectors[0].matchReturnActions = [{ action: "Post" }];
        assert.deepEqual(judge(token), []);
    });

    it("refuses an enforcers section, in a cluster-wide TracingPolicy too", () => {
        const [token] = generated();
        token.metadata.name = "mine";
        token.spec.enforcers = [{ calls: ["sys_openat"] }];
        assert.equal(judge(token).length, 1);
        const clusterWide: Record<string, any> = { ...copy(token), kind: "TracingPolicy" };
        delete clusterWide.metadata.namespace;
        assert.match(judge(clusterWide, TRACING_POLICY)[0], /spec\.enforcers is set/);
    });

    it("refuses a selector that matches nothing, but not an exclusive one with no value", () => {
        const [token] = generated();
        token.metadata.name = "mine";
        token.spec.kprobes[0].selectors[0].matchArgs[0].values = [];
        assert.deepEqual(judge(token), [
            "TracingPolicyNamespaced payments-dev/mine: spec.kprobes[0].selectors[0].matchArgs[0] (Prefix) lists no value: it matches nothing",
        ]);
        token.spec.kprobes[0].selectors[0].matchArgs[0].operator = "NotPrefix";
        assert.deepEqual(judge(token), []);
    });

    it("refuses a policy under the baseline's name that does not watch what the baseline's does", () => {
        const [token, connect] = generated();
        // The token watch narrowed to a directory no token is mounted in: same name, matches nothing of it.
        token.spec.kprobes[0].selectors[0].matchArgs[0].values = ["/nonexistent/"];
        assert.deepEqual(judge(token), [
            "TracingPolicyNamespaced payments-dev/token-read: is named token-read, the baseline's policy of its namespace, but does not watch what the baseline's does: it would replace that watch",
        ]);
        // The API watch moved off the API ports.
        connect.spec.kprobes[0].selectors[0].matchArgs[0].values = ["8443"];
        assert.equal(judge(connect).length, 1);
        // Under a name of its own, a narrower watch is the team's business.
        token.metadata.name = "token-read-narrow";
        assert.deepEqual(judge(token), []);
    });

    it("reports an unknown spec as unknown, not as a violation", () => {
        const [token] = generated();
        token.spec = UNKNOWN;
        const reported = run(runtimeSecurityTracingPolicies, resource(TRACING_POLICY_NAMESPACED, token));
        assert.deepEqual(unknowns(reported), ["spec"]);
        assert.deepEqual(violations(reported), []);
    });
});
