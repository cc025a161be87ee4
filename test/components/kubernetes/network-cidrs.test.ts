/**
 * The CIDRs SecureNamespace and SecureEnvironment refuse before registering anything: malformed blocks, the
 * whole address space however it is spelt or split, more public space than the baseline allows, and the
 * instance metadata service.
 */
import * as assert from "node:assert/strict";
import { installMocks, named, resetResources, resources, settled } from "../../mocks";
installMocks();
import { SecureEnvironment, SecureEnvironmentArgs } from "../../../components/environment";
import { EgressRuleArgs, IngressRuleArgs } from "../../../components/kubernetes/network";
import { SecureNamespace, SecureNamespaceArgs } from "../../../components/kubernetes/secure-namespace";
import { stackArgs } from "../../stacks/stack-config";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function namespaceArgs(overrides: Partial<SecureNamespaceArgs>): SecureNamespaceArgs {
    return { project: "shop", env: "prod", namespace: "payments", owner: "team-payments", ...overrides };
}
const egress = (...cidrs: string[]): EgressRuleArgs => ({ cidrs, ports: [{ port: 443 }] });
const ingress = (...cidrs: string[]): IngressRuleArgs => ({ cidrs, ports: [{ port: 8443 }] });

describe("SecureNamespace CIDRs", () => {
    beforeEach(resetResources);

    const refused: [string, Partial<SecureNamespaceArgs>, RegExp][] = [
        ["0.0.0.0/0", { egress: [egress("0.0.0.0/0")] }, /egress\[0\]\.cidrs\[0\]: 0\.0\.0\.0\/0 matches any address/],
        ["::0/0", { egress: [egress("::0/0")] }, /egress\[0\]\.cidrs\[0\]: ::0\/0 matches any address/],
        ["a /0 with host bits", { egress: [egress("10.0.0.0/0")] }, /cidrs\[0\]: 10\.0\.0\.0\/0 matches any address/],
        [
            "IPv4-mapped IPv6 covering every IPv4 address",
            { egress: [egress("::ffff:0:0/96")] },
            /cidrs\[0\]: ::ffff:0:0\/96 matches any address/,
        ],
        [
            "NAT64 covering every IPv4 address",
            { egress: [egress("64:ff9b::/96")] },
            /cidrs\[0\]: 64:ff9b::\/96 matches any address/,
        ],
        [
            "two /1s in one rule",
            { egress: [egress("0.0.0.0/1", "128.0.0.0/1")] },
            /egress\[0\]\.cidrs: together the blocks cover every IPv4 address/,
        ],
        [
            "the whole space split over rules",
            {
                egress: [egress("0.0.0.0/2", "64.0.0.0/3"), egress("96.0.0.0/3", "128.0.0.0/2", "192.0.0.0/2")],
            },
            /egress\[0\]\.cidrs: together the blocks reach \d+ public IPv4 addresses/,
        ],
        [
            "public /9s split over rules",
            { egress: ["1.0.0.0/9", "2.0.0.0/9", "3.0.0.0/9"].map((c) => egress(c)) },
            /egress: together the blocks reach 25165824 public IPv4 addresses, more than the baseline allows/,
        ],
        [
            "a public /7",
            { ingress: [ingress("4.0.0.0/7")] },
            /ingress\[0\]\.cidrs: together the blocks reach 33554432 public IPv4 addresses/,
        ],
        [
            "a wide public IPv6 block",
            { egress: [egress("2000::/16")] },
            /egress\[0\]\.cidrs: together the blocks reach \d+ public IPv6 addresses/,
        ],
        [
            "the metadata service",
            { egress: [egress("169.254.169.254/32")] },
            /cidrs\[0\]: 169\.254\.169\.254\/32 contains the instance metadata service \(169\.254\.169\.254\)/,
        ],
        [
            "a block containing the metadata service",
            { egress: [egress("169.254.0.0/16")] },
            /cidrs\[0\]: 169\.254\.0\.0\/16 contains the instance metadata service/,
        ],
        [
            "the IPv6 metadata service",
            { egress: [egress("fd00:ec2::254/128")] },
            /cidrs\[0\]: fd00:ec2::254\/128 contains the instance metadata service \(fd00:ec2::254\)/,
        ],
        [
            "the metadata service as IPv4-mapped IPv6",
            { egress: [egress("::ffff:169.254.169.254/128")] },
            /contains the instance metadata service \(169\.254\.169\.254\)/,
        ],
        ["no prefix", { egress: [egress("10.0.0.0")] }, /"10\.0\.0\.0" is not a CIDR block/],
        [
            "host bits past the prefix",
            { egress: [egress("10.1.2.3/24")] },
            /egress\[0\]\.cidrs\[0\]: 10\.1\.2\.3\/24 has bits set beyond its \/24 prefix; fix: write the block's network address/,
        ],
        ["a prefix past 32", { egress: [egress("10.0.0.0/33")] }, /"10\.0\.0\.0\/33" has a prefix longer than 32 bits/],
        ["an octet past 255", { egress: [egress("10.0.0.256/32")] }, /"10\.0\.0\.256\/32" is not a CIDR block/],
        ["a leading zero", { egress: [egress("010.0.0.0/8")] }, /"010\.0\.0\.0\/8" is not a CIDR block/],
        ["a hex octet", { egress: [egress("0x0a.0.0.0/8")] }, /"0x0a\.0\.0\.0\/8" is not a CIDR block/],
        ["a zone", { ingress: [ingress("fe80::1%eth0/128")] }, /ingress\[0\]\.cidrs\[0\]: "fe80::1%eth0\/128" is not/],
        ["spaces", { egress: [egress(" 10.0.0.0/8")] }, /" 10\.0\.0\.0\/8" is not a CIDR block/],
        ["a signed prefix", { egress: [egress("10.0.0.0/+8")] }, /"10\.0\.0\.0\/\+8" is not a CIDR block/],
    ];
    for (const [what, overrides, message] of refused) {
        it(`refuses ${what}, registering nothing`, async () => {
            assert.throws(
                () => new SecureNamespace("payments", namespaceArgs(overrides)),
                (e: Error) => {
                    assert.match(e.message, /^SecureNamespace "payments": invalid arguments:/);
                    assert.match(e.message, message);
                    assert.match(e.message, /; fix: /);
                    return true;
                },
            );
            await settled();
            assert.equal(resources().length, 0);
        });
    }

    it("accepts private blocks, a public /24 and IPv6 subnets", async () => {
        new SecureNamespace(
            "payments",
            namespaceArgs({
                egress: [egress("10.0.0.0/8", "203.0.113.0/24", "52.94.0.0/22", "10.1.2.0/24", "fd00:10::/64")],
                ingress: [ingress("10.30.0.0/24")],
            }),
        );
        await settled();
        assert.equal(named(NP, "payments-allow-declared-egress").inputs.spec.egress[0].to.length, 5);
    });
});

describe("SecureEnvironment cluster CIDRs", () => {
    beforeEach(resetResources);

    const refused: [string, (args: SecureEnvironmentArgs) => void, string][] = [
        [
            "platform egress to anywhere",
            (a) => (a.cluster.platformEgressCidrs = ["10.30.0.0/24", "::/0"]),
            "cluster.platformEgressCidrs[1]: ::/0 matches any address",
        ],
        [
            "platform egress split into halves",
            (a) => (a.cluster.platformEgressCidrs = ["0.0.0.0/1", "128.0.0.0/1"]),
            "cluster.platformEgressCidrs: together the blocks cover every IPv4 address",
        ],
        [
            "platform egress to the metadata service",
            (a) => (a.cluster.platformEgressCidrs = ["10.30.0.0/24", "169.254.169.254/32"]),
            "cluster.platformEgressCidrs[1]: 169.254.169.254/32 contains the instance metadata service",
        ],
        [
            "a malformed platform egress CIDR",
            (a) => (a.cluster.platformEgressCidrs = ["10.30.0/24"]),
            'cluster.platformEgressCidrs[0]: "10.30.0/24" is not a CIDR block',
        ],
        [
            "a control plane of everything",
            (a) => (a.cluster.controlPlaneCidrs = ["0.0.0.0/0"]),
            "cluster.controlPlaneCidrs[0]: 0.0.0.0/0 matches any address",
        ],
        [
            "a malformed control plane CIDR",
            (a) => (a.cluster.controlPlaneCidrs = ["10.30.0.0/129"]),
            'cluster.controlPlaneCidrs[0]: "10.30.0.0/129" has a prefix longer than 32 bits',
        ],
    ];
    for (const [what, change, fragment] of refused) {
        it(`refuses ${what}, registering nothing`, async () => {
            const args = stackArgs("prod");
            change(args);
            assert.throws(
                () => new SecureEnvironment("prod", args),
                (e: Error) => {
                    assert.match(e.message, /^SecureEnvironment "prod": invalid arguments:/);
                    assert.ok(e.message.includes(fragment), e.message);
                    return true;
                },
            );
            await settled();
            assert.equal(resources().length, 0);
        });
    }
});
