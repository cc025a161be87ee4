/**
 * The baseline's CIDR arithmetic: parsing as the API server does, the mask deciding, IPv4 embedded in IPv6,
 * unions, excepts, public space and the metadata service.
 */
import * as assert from "node:assert/strict";
import {
    INSTANCE_METADATA_ADDRESSES,
    metadataAddressesIn,
    parseCidr,
    peerCidrProblems,
    publicAddressCount,
    rangesOf,
    readIpBlock,
    sizeOf,
    subtract,
    tooWidePublicFamilies,
    unionOf,
    wholeSpaceFamilies,
} from "../../../components/baseline/network";

function ranges(...cidrs: string[]) {
    return cidrs.flatMap((cidr) => {
        const parsed = parseCidr(cidr);
        assert.equal(parsed.problem, undefined, cidr);
        return rangesOf(parsed.block!);
    });
}

describe("baseline network", () => {
    it("parses IPv4 and IPv6 blocks; the mask decides, whatever the host bits", () => {
        const v4 = parseCidr("10.1.2.3/8").block!;
        assert.deepEqual([v4.family, v4.prefix, v4.start, v4.end], [4, 8, 10n << 24n, (11n << 24n) - 1n]);
        assert.equal(parseCidr("10.0.0.0/0").block!.prefix, 0);
        assert.equal(parseCidr("::0/0").block!.end, (1n << 128n) - 1n);
        assert.equal(parseCidr("fd00:ec2::254/128").block!.family, 6);
    });

    it("refuses what the API server refuses, and leading zeros", () => {
        for (const bad of [
            "10.0.0.0",
            "10.0.0/8",
            "10.0.0.0/33",
            "::/129",
            "010.0.0.0/8",
            "10.0.0.0/08",
            "0x0a.0.0.0/8",
            "fe80::1%eth0/64",
            " 10.0.0.0/8",
            "10.0.0.0/8/8",
            "10.0.0.0/-1",
            "::ffff:010.0.0.1/128",
            "",
            42,
            null,
        ]) {
            assert.notEqual(parseCidr(bad).problem, undefined, JSON.stringify(bad));
        }
    });

    it("reads IPv4-mapped and NAT64 blocks as the IPv4 they embed too", () => {
        assert.deepEqual(wholeSpaceFamilies(ranges("::ffff:0:0/96")), [4]);
        assert.deepEqual(wholeSpaceFamilies(ranges("64:ff9b::/96")), [4]);
        assert.deepEqual(wholeSpaceFamilies(ranges("::/0")), [4, 6]);
        assert.deepEqual(metadataAddressesIn(ranges("::ffff:169.254.0.0/112")), ["169.254.169.254"]);
    });

    it("unions blocks: two /1s are the whole space, adjacent blocks merge", () => {
        assert.deepEqual(wholeSpaceFamilies(ranges("0.0.0.0/1", "128.0.0.0/1")), [4]);
        assert.deepEqual(wholeSpaceFamilies(ranges("0.0.0.0/1", "128.0.0.0/2")), []);
        assert.equal(unionOf(ranges("10.0.0.0/25", "10.0.0.128/25")).length, 1);
        assert.equal(sizeOf(ranges("10.0.0.0/24", "10.0.0.0/25"), 4), 256n);
    });

    it("subtracts excepts and judges what remains", () => {
        const read = readIpBlock("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
        assert.deepEqual(read.problems, []);
        assert.deepEqual(wholeSpaceFamilies(read.ranges), []);
        assert.deepEqual(tooWidePublicFamilies(read.ranges), [4]);
        assert.deepEqual(metadataAddressesIn(read.ranges), ["169.254.169.254"]);
        const carved = readIpBlock("169.254.0.0/16", ["169.254.169.254/32"]);
        assert.deepEqual(metadataAddressesIn(carved.ranges), []);
        assert.equal(sizeOf(subtract(ranges("10.0.0.0/24"), ranges("10.0.0.0/25")), 4), 128n);
    });

    it("refuses excepts that are not strict subsets of their block", () => {
        assert.deepEqual(readIpBlock("10.0.0.0/24", ["10.0.0.0/24", "10.0.1.0/25", "fd00::/64", "x"]).problems, [
            "except[0]: 10.0.0.0/24 is not a strict subset of 10.0.0.0/24",
            "except[1]: 10.0.1.0/25 is not a strict subset of 10.0.0.0/24",
            "except[2]: fd00::/64 is not a strict subset of 10.0.0.0/24",
            'except[3]: "x" is not a CIDR block',
        ]);
    });

    it("counts public space: private ranges are not, a public /8 is within the limit, a /7 is not", () => {
        assert.equal(publicAddressCount(ranges("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), 4), 0n);
        assert.deepEqual(tooWidePublicFamilies(ranges("52.0.0.0/8")), []);
        assert.deepEqual(tooWidePublicFamilies(ranges("52.0.0.0/7")), [4]);
        assert.deepEqual(tooWidePublicFamilies(ranges("2600:1f00::/32")), []);
        assert.deepEqual(tooWidePublicFamilies(ranges("2600::/16")), [6]);
        assert.deepEqual(tooWidePublicFamilies(ranges("fd00::/8")), []);
    });

    it("names the metadata service's addresses as baseline facts", () => {
        assert.deepEqual(INSTANCE_METADATA_ADDRESSES, ["169.254.169.254", "fd00:ec2::254"]);
        assert.deepEqual(metadataAddressesIn(ranges("fd00:ec2::/64")), ["fd00:ec2::254"]);
        assert.deepEqual(metadataAddressesIn(ranges("169.254.170.0/24")), []);
    });

    it("lists a component's CIDR problems by index, and the union's without one", () => {
        assert.deepEqual(peerCidrProblems(["10.0.0.0/16", "fd00:10::/64"]), []);
        const halves = peerCidrProblems(["0.0.0.0/1", "128.0.0.0/1"]).map((p) => [p.index, p.problem]);
        assert.deepEqual(halves, [
            [
                1,
                "128.0.0.0/1 contains the instance metadata service (169.254.169.254), which hands out the node's credentials",
            ],
            [undefined, "together the blocks cover every IPv4 address and undo default-deny"],
        ]);
        assert.deepEqual(
            peerCidrProblems(["bad", "::/0", "169.254.169.254/32"]).map((p) => p.index),
            [0, 1, 2],
        );
    });
});
