/**
 * NetworkPolicy policies, on what SecureNamespace writes and on the rules that reopen default-deny.
 */
import * as assert from "node:assert/strict";
import { componentType, PLATFORM_NAMESPACES } from "../../../../components/baseline";
import { namespaceNetworkPolicies } from "../../../../components/kubernetes/network";
import {
    NETWORK_POLICY,
    networkAddressSpace,
    networkAllNamespaces,
    networkMalformedPeers,
    networkMetadataEgress,
    networkNamespaceAddressSpace,
    networkOpenRules,
    networkPolicies,
} from "../../../../policy-pack/policies/kubernetes";
import { UNKNOWN } from "../../../../policy-pack/policies/resource";
import { Policy } from "../../../../policy-pack/policies/types";
import { settingsFrom } from "../../../../policy-pack/settings";
import { mandatory, resource, run, settingsOf, unknowns, violations } from "./check";

const WHAT = "NetworkPolicy payments/np";

function np(spec: Record<string, any>, namespace = "payments") {
    return resource(NETWORK_POLICY, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "np", namespace },
        spec,
    });
}
const egressTo = (...to: Record<string, any>[]) => np({ podSelector: {}, policyTypes: ["Egress"], egress: [{ to }] });
const ingressFrom = (...from: Record<string, any>[]) =>
    np({ podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from }] });
const ip = (cidr: string, except?: string[]) => ({ ipBlock: except ? { cidr, except } : { cidr } });

/** Every policy of the file, and what they report together. */
function all(spec: Record<string, any>): { policy: string; message: string }[] {
    return networkPolicies.flatMap((policy: Policy) =>
        violations(run(policy, np(spec))).map((message) => ({ policy: policy.name, message })),
    );
}

describe("network policies", () => {
    it("pass every NetworkPolicy SecureNamespace writes, with declared egress and ingress", () => {
        const specs = namespaceNetworkPolicies(
            [{ cidrs: ["10.30.20.0/24", "fd00:30::/64"], namespaces: ["db"], ports: [{ port: 5432 }] }],
            [{ cidrs: ["10.30.0.0/24"], namespaces: ["ingress-nginx"], ports: [{ port: 8443 }] }],
        );
        assert.equal(specs.length, 5);
        for (const { spec } of specs) {
            for (const policy of networkPolicies) assert.deepEqual(run(policy, np(spec as never)), [], policy.name);
        }
    });

    it("are mandatory, in the network group, with a real upstream url", () => {
        for (const policy of networkPolicies) {
            assert.equal(policy.enforcementLevel, "mandatory");
            assert.equal(policy.group, "network");
            assert.match(policy.url, /^https:\/\/(kubernetes\.io|docs\.aws\.amazon\.com)\//);
        }
    });
});

describe("policy network-open-rules", () => {
    it("passes rules that name their peers", () => {
        assert.deepEqual(run(networkOpenRules, ingressFrom({ podSelector: { matchLabels: { app: "web" } } })), []);
    });

    it("reports an ingress rule with no from, and one with an empty from", () => {
        const spec = { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 80 }] }, { from: [] }] };
        assert.deepEqual(violations(run(networkOpenRules, np(spec))), [
            `${WHAT}: spec.ingress[0] has no from, so it allows every source`,
            `${WHAT}: spec.ingress[1] has no from, so it allows every source`,
        ]);
    });

    it("reports an empty peer, which the API server refuses", () => {
        assert.deepEqual(violations(run(networkOpenRules, egressTo({}))), [
            `${WHAT}: spec.egress[0].to[0] is an empty peer, read as every destination; the API server refuses it ("must specify a peer")`,
        ]);
    });

    it("infers Egress from egress rules when policyTypes is unset, as the API server does", () => {
        assert.deepEqual(violations(run(networkOpenRules, np({ podSelector: {}, egress: [{}] }))), [
            `${WHAT}: spec.egress[0] has no to, so it allows every destination`,
        ]);
    });

    it("defaults an empty policyTypes as the API server does, not as 'no direction'", () => {
        assert.equal(
            violations(run(networkOpenRules, np({ podSelector: {}, policyTypes: [], egress: [{}] }))).length,
            1,
        );
    });

    it("ignores rules of a direction policyTypes leaves out: the API server never applies them", () => {
        const spec = { podSelector: {}, policyTypes: ["Egress"], ingress: [{}], egress: [{ to: [ip("10.0.0.0/24")] }] };
        assert.deepEqual(run(networkOpenRules, np(spec)), []);
        assert.equal(violations(run(networkOpenRules, np({ ...spec, policyTypes: ["Egress", "Ingress"] }))).length, 1);
    });

    it("reports what it cannot see at preview as unknown", () => {
        assert.deepEqual(unknowns(run(networkOpenRules, np({ podSelector: {}, policyTypes: UNKNOWN }))), [
            "spec.policyTypes",
        ]);
        assert.deepEqual(unknowns(run(networkOpenRules, egressTo(UNKNOWN as never))), ["spec.egress[0].to[0]"]);
    });

    it("leaves a platform chart's own policy alone only when the engine's URN shows the chart rendered it", () => {
        const chain = [componentType("CertManager"), "kubernetes:helm.sh/v4:Chart", NETWORK_POLICY].join("$");
        const urn = `urn:pulumi:prod::platform::${chain}::cm`;
        const open = np({ podSelector: {}, policyTypes: ["Egress"], egress: [{}] }, PLATFORM_NAMESPACES.certManager);
        const child = { ...open, urn };
        assert.deepEqual(run(networkOpenRules, child, { ...settingsOf("prod"), trustedUrns: true }), []);
        // The same URN in a file `check` reads proves nothing.
        assert.equal(mandatory(run(networkOpenRules, child, { ...settingsOf("prod"), trustedUrns: false })).length, 1);
        // Nor does the namespace's name, without the URN.
        assert.equal(mandatory(run(networkOpenRules, open, { ...settingsOf("prod"), trustedUrns: true })).length, 1);
    });
});

describe("policy network-all-namespaces", () => {
    it("passes a namespace selected by its name label, and a podSelector alone", () => {
        const named = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } };
        assert.deepEqual(run(networkAllNamespaces, ingressFrom(named, { podSelector: {} })), []);
        const inList = {
            namespaceSelector: {
                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b"] }],
            },
        };
        assert.deepEqual(run(networkAllNamespaces, ingressFrom(inList)), []);
    });

    const every: [string, Record<string, any>][] = [
        ["{}", {}],
        ["{} beside a podSelector", {}],
        [
            "Exists on the name label",
            { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] },
        ],
        [
            "NotIn a short list",
            { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] },
        ],
        [
            "DoesNotExist on a label nobody sets",
            { matchExpressions: [{ key: "quarantine", operator: "DoesNotExist" }] },
        ],
        ["the env label every namespace carries", { matchLabels: { env: "prod" } }],
        ["Exists on a required label", { matchExpressions: [{ key: "owner", operator: "Exists" }] }],
    ];
    for (const [what, selector] of every) {
        it(`reports ${what}`, () => {
            const peer = what.includes("podSelector")
                ? { namespaceSelector: selector, podSelector: { matchLabels: { app: "web" } } }
                : { namespaceSelector: selector };
            const reported = violations(run(networkAllNamespaces, ingressFrom(peer)));
            assert.equal(reported.length, 1);
            assert.match(reported[0], /spec\.ingress\[0\]\.from\[0\]\.namespaceSelector .* matches every namespace/);
        });
    }

    it("reports an unknown selector as unknown", () => {
        assert.deepEqual(unknowns(run(networkAllNamespaces, ingressFrom({ namespaceSelector: UNKNOWN }))), [
            "spec.ingress[0].from[0].namespaceSelector",
        ]);
    });

    describe("in each cluster topology", () => {
        const shared = (namespaceLayout: "per-app" | "per-env") =>
            settingsFrom({
                env: "dev",
                topology: { layout: "shared", namespaceLayout, environments: ["dev", "stage"] },
            });
        const byEnv = { namespaceSelector: { matchLabels: { env: "dev" } } };
        const inEnv = { namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }] } };
        const reach = (peer: Record<string, any>, settings = settingsOf("dev")) =>
            violations(run(networkAllNamespaces, ingressFrom(peer), settings));

        it("a dedicated cluster: the env label selects every namespace of the cluster", () => {
            for (const peer of [byEnv, inEnv]) {
                assert.match(reach(peer)[0], /matches every namespace, so pods of any namespace/);
            }
        });

        it("a shared cluster laid out per app: the env label selects every namespace of the env", () => {
            for (const peer of [byEnv, inEnv]) {
                const reported = reach(peer, shared("per-app"));
                assert.equal(reported.length, 1);
                assert.match(reported[0], /matches every namespace of the envs it names/);
            }
        });

        it("a shared cluster laid out per env: the env label selects the env's one namespace", () => {
            for (const peer of [byEnv, inEnv]) assert.deepEqual(reach(peer, shared("per-env")), []);
        });

        it("Exists or NotIn on the env label still reaches every env, whatever the layout", () => {
            const exists = { namespaceSelector: { matchExpressions: [{ key: "env", operator: "Exists" }] } };
            const notIn = {
                namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
            };
            for (const settings of [settingsOf("dev"), shared("per-app"), shared("per-env")]) {
                for (const peer of [exists, notIn]) {
                    assert.match(reach(peer, settings)[0] ?? "", /matches every namespace, so pods of any namespace/);
                }
            }
        });
    });
});

describe("policy network-address-space", () => {
    it("passes private blocks, a public /8, a public /24 and an IPv6 /64", () => {
        for (const cidr of ["10.0.0.0/8", "100.64.0.0/10", "52.0.0.0/8", "198.51.100.0/24", "2600:1f18::/64"]) {
            assert.deepEqual(run(networkAddressSpace, egressTo(ip(cidr))), [], cidr);
        }
    });

    const whole: [string, Record<string, any>[]][] = [
        ["0.0.0.0/0", [ip("0.0.0.0/0")]],
        ["::/0", [ip("::/0")]],
        ["::0/0", [ip("::0/0")]],
        ["10.0.0.0/0 (the mask decides)", [ip("10.0.0.0/0")]],
        ["0.0.0.0/1 and 128.0.0.0/1", [ip("0.0.0.0/1"), ip("128.0.0.0/1")]],
        ["::ffff:0:0/96 (every IPv4 address, mapped)", [ip("::ffff:0:0/96")]],
    ];
    for (const [what, peers] of whole) {
        it(`reports ${what} as every address`, () => {
            const reported = violations(run(networkAddressSpace, egressTo(...peers)));
            assert.ok(
                reported.some((m) => /cover every IPv[46]/.test(m)),
                reported.join("\n"),
            );
        });
    }

    it("judges the blocks of every rule of a direction together", () => {
        const spec = {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [ip("0.0.0.0/1")] }, { from: [ip("128.0.0.0/1")] }],
        };
        assert.deepEqual(violations(run(networkAddressSpace, np(spec))), [
            `${WHAT}: the ipBlocks of spec.ingress cover every IPv4 address, so they allow every source`,
        ]);
    });

    it("judges what an except leaves: 0.0.0.0/0 less the private ranges is still the internet", () => {
        const reported = violations(
            run(networkAddressSpace, egressTo(ip("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]))),
        );
        assert.deepEqual(reported, [
            `${WHAT}: the ipBlocks of spec.egress reach about 2^31 public IPv4 addresses, more than the baseline allows (a /8)`,
        ]);
    });

    it("reports public space wider than a /8, and several public /8s", () => {
        assert.equal(violations(run(networkAddressSpace, egressTo(ip("52.0.0.0/7")))).length, 1);
        assert.equal(violations(run(networkAddressSpace, egressTo(ip("52.0.0.0/8"), ip("54.0.0.0/8")))).length, 1);
        assert.equal(violations(run(networkAddressSpace, egressTo(ip("2600::/16")))).length, 1);
    });
});

describe("policy network-metadata-egress", () => {
    it("passes egress that leaves the metadata service out", () => {
        assert.deepEqual(run(networkMetadataEgress, egressTo(ip("169.254.0.0/16", ["169.254.169.254/32"]))), []);
        assert.deepEqual(run(networkMetadataEgress, egressTo(ip("10.0.0.0/8"))), []);
        // Ingress from a block that contains it lets nothing reach the metadata service.
        assert.deepEqual(run(networkMetadataEgress, ingressFrom(ip("169.254.0.0/16"))), []);
    });

    const reaching: [string, Record<string, any>[]][] = [
        ["169.254.169.254/32", [ip("169.254.169.254/32")]],
        ["169.254.0.0/16", [ip("169.254.0.0/16")]],
        ["fd00:ec2::254/128", [ip("fd00:ec2::254/128")]],
        ["fd00::/8", [ip("fd00::/8")]],
        ["0.0.0.0/0 without an except for it", [ip("0.0.0.0/0", ["10.0.0.0/8"])]],
        ["::ffff:169.254.169.254/128", [ip("::ffff:169.254.169.254/128")]],
    ];
    for (const [what, peers] of reaching) {
        it(`reports ${what}`, () => {
            const reported = violations(run(networkMetadataEgress, egressTo(...peers)));
            assert.equal(reported.length, 1);
            assert.match(reported[0], /reaches the instance metadata service \((169\.254\.169\.254|fd00:ec2::254)\)/);
        });
    }

    it("reports a rule with every destination", () => {
        assert.deepEqual(violations(run(networkMetadataEgress, np({ podSelector: {}, egress: [{ ports: [] }] }))), [
            `${WHAT}: spec.egress[0] allows every destination, the instance metadata service included`,
        ]);
    });
});

describe("policy network-malformed-peers", () => {
    it("passes well-formed blocks", () => {
        assert.deepEqual(run(networkMalformedPeers, egressTo(ip("10.1.2.0/24", ["10.1.2.128/25"]))), []);
    });

    it("reports host bits past the prefix, which strict API servers refuse, and judges the mask's range", () => {
        assert.deepEqual(violations(run(networkMalformedPeers, egressTo(ip("10.1.2.3/24", ["10.1.2.129/25"])))), [
            `${WHAT}: spec.egress[0].to[0].ipBlock.cidr: 10.1.2.3/24 has bits set beyond its /24 prefix; the API server refuses it`,
            `${WHAT}: spec.egress[0].to[0].ipBlock.except[0]: 10.1.2.129/25 has bits set beyond its /25 prefix; the API server refuses it`,
        ]);
        assert.equal(violations(run(networkAddressSpace, egressTo(ip("10.0.0.1/0")))).length, 1);
    });

    const malformed: [string, Record<string, any>, RegExp][] = [
        ["no prefix", ip("10.0.0.0"), /ipBlock\.cidr: "10\.0\.0\.0" is not a CIDR block/],
        ["a prefix too long", ip("fd00::/129"), /has a prefix longer than 128 bits/],
        ["a leading zero", ip("010.0.0.0/8"), /"010\.0\.0\.0\/8" is not a CIDR block/],
        ["a zone", ip("fe80::1%eth0/64"), /is not a CIDR block/],
        [
            "an except outside the block",
            ip("10.0.0.0/24", ["10.0.1.0/24"]),
            /except\[0\]: 10\.0\.1\.0\/24 is not a strict subset/,
        ],
        ["an except equal to the block", ip("10.0.0.0/24", ["10.0.0.0/24"]), /is not a strict subset/],
        ["an except of another family", ip("10.0.0.0/8", ["fd00::/64"]), /is not a strict subset/],
        [
            "ipBlock beside a selector",
            { ...ip("10.0.0.0/24"), podSelector: {} },
            /sets ipBlock beside a selector; the API server refuses it/,
        ],
    ];
    for (const [what, peer, message] of malformed) {
        it(`reports ${what}`, () => {
            const reported = violations(run(networkMalformedPeers, egressTo(peer)));
            assert.equal(reported.length, 1, reported.join("\n"));
            assert.match(reported[0], message);
        });
    }

    it("reads a malformed except as absent: the widest reading is judged too", () => {
        const reported = all({ podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [ip("0.0.0.0/0", ["x"])] }] });
        assert.deepEqual([...new Set(reported.map((r) => r.policy))].sort(), [
            "network-address-space",
            "network-malformed-peers",
            "network-metadata-egress",
        ]);
    });
});

describe("policy network-namespace-address-space", () => {
    const half = (cidr: string, name: string, namespace = "payments") => {
        const policy = np({ podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [ip(cidr)] }] }, namespace);
        return { ...policy, name, props: { ...policy.props, metadata: { name, namespace } } };
    };
    const quarters = ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"];

    it("passes the policies SecureNamespace writes, and public /8s in different namespaces", () => {
        const specs = namespaceNetworkPolicies([{ cidrs: ["10.30.20.0/24"], ports: [{ port: 443 }] }], []);
        assert.deepEqual(
            run(
                networkNamespaceAddressSpace,
                specs.map((p) => np(p.spec as never)),
            ),
            [],
        );
        assert.deepEqual(
            run(networkNamespaceAddressSpace, [half("52.0.0.0/8", "a"), half("54.0.0.0/8", "b", "orders")]),
            [],
        );
    });

    it("reports public /8s split over the policies of one namespace", () => {
        assert.deepEqual(
            violations(run(networkNamespaceAddressSpace, [half("52.0.0.0/8", "a"), half("54.0.0.0/8", "b")])),
            [
                "the NetworkPolicies of namespace payments together reach about 2^25 public IPv4 addresses in egress, more than the baseline allows (a /8)",
            ],
        );
    });

    it("leaves a namespace whose single policy is already too wide to network-address-space", () => {
        const policies = quarters.map((cidr, i) => half(cidr, `q${i}`));
        assert.deepEqual(run(networkNamespaceAddressSpace, policies), []);
        assert.equal(policies.flatMap((p) => violations(run(networkAddressSpace, p))).length, 4);
    });
});
