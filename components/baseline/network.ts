/**
 * Address facts and CIDR arithmetic the components and the pack share: what a NetworkPolicy `ipBlock` or a
 * component's `cidrs` argument reaches, judged by the addresses it covers rather than by how it is spelt.
 * Parsing is ipaddr.js's; the arithmetic is on inclusive ranges of BigInt addresses. Pure; no Pulumi SDK.
 *
 * The rules, in one place:
 * - A CIDR is `<address>/<prefix>` with a dotted-quad IPv4 or an IPv6 address and a decimal prefix, as the
 *   API server parses `ipBlock.cidr` (Go's net.ParseCIDR); the API server refuses anything else. Leading zeros
 *   in IPv4 octets are refused too: the API server's lenient parser reads `010` as ten, other tools as eight.
 * - The mask decides: `10.0.0.0/0` is the whole IPv4 space, as `0.0.0.0/0` is. An address with bits set past
 *   its prefix is refused as well: API servers with strict IP validation (StrictIPCIDRValidation) refuse it
 *   ("must not have bits set beyond the prefix length"), older ones read only the mask.
 * - An IPv6 block that covers IPv4-mapped (`::ffff:0:0/96`) or NAT64 (`64:ff9b::/96`) addresses also covers
 *   the IPv4 addresses those embed: a dual-stack node reaches them as IPv4.
 * - A set of blocks is "everything" when its union covers a family's whole space, and "too wide" when it
 *   covers more public addresses than one public /8 holds (IPv4, 2^24) or one /32 allocation (IPv6, 2^96):
 *   no declared need of an app or of the platform is that wide, and a union of two /1s, or `0.0.0.0/0` with a
 *   few private ranges excepted, reaches most of the internet.
 * - The instance metadata service (IMDS) is never a peer: it hands out the node's own credentials.
 */
import * as ipaddr from "ipaddr.js";

/** An IP family. */
export type IpFamily = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressRange {
    readonly family: IpFamily;
    readonly start: bigint;
    readonly end: bigint;
}

/** A parsed CIDR block: its family, prefix length and the range its mask covers. */
export interface CidrBlock extends AddressRange {
    readonly text: string;
    readonly prefix: number;
    /** The address has bits set past the prefix (`10.0.0.1/8`): the mask still decides the range. */
    readonly hostBits: boolean;
}

/** The number of bits of a family's addresses. */
export const ADDRESS_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

/**
 * The instance metadata service: the node's role credentials, the user data and the instance identity. AWS
 * serves it on the same addresses on every EC2 instance (IPv4, and IPv6 on Nitro instances).
 */
export const INSTANCE_METADATA_ADDRESSES: readonly string[] = ["169.254.169.254", "fd00:ec2::254"];

/** The most public IPv4 addresses one set of blocks may reach: a /8's worth. */
export const MAX_PUBLIC_IPV4_ADDRESSES = 2n ** 24n;
/** The most public IPv6 addresses one set of blocks may reach: a /32 allocation's worth. */
export const MAX_PUBLIC_IPV6_ADDRESSES = 2n ** 96n;

/** IPv6 prefixes whose low 32 bits are an IPv4 address: IPv4-mapped (RFC 4291) and NAT64 (RFC 6052). */
const IPV4_EMBEDDING_PREFIXES: readonly string[] = ["::ffff:0:0/96", "64:ff9b::/96"];

/**
 * IPv4 space that is not public (RFC 6890 special-purpose blocks that are not globally reachable): private,
 * shared (CGNAT), loopback, link-local, documentation, benchmarking, multicast and reserved.
 */
const NON_PUBLIC_IPV4: readonly string[] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/3",
];
/** Public IPv6 space: global unicast (RFC 4291), less the documentation prefix. */
const PUBLIC_IPV6: readonly string[] = ["2000::/3"];
const NON_PUBLIC_IN_PUBLIC_IPV6: readonly string[] = ["2001:db8::/32"];

function bytesToBigInt(bytes: readonly number[]): bigint {
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    return value;
}

/** True when `text` is a decimal number without a sign or leading zero. */
function isDecimal(text: string): boolean {
    if (text.length === 0 || text.length > 3 || (text.length > 1 && text[0] === "0")) return false;
    for (const c of text) if (c < "0" || c > "9") return false;
    return true;
}

/** The outcome of parsing a CIDR: the block, or why it is not one. */
export type CidrParse =
    | { readonly block: CidrBlock; readonly problem?: undefined }
    | { readonly block?: undefined; readonly problem: string };

/** Parses an address as the API server does: a dotted-quad IPv4 or an IPv6 address without a zone. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
    if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
    // An embedded dotted quad (`::ffff:10.0.0.1`) follows the IPv4 rules.
    const tail = text.slice(text.lastIndexOf(":") + 1);
    if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    return ipaddr.IPv6.parse(text);
}

/** Parses `<address>/<prefix>`; the mask decides the range, whatever host bits the address has. */
export function parseCidr(text: unknown): CidrParse {
    if (typeof text !== "string") return { problem: `${JSON.stringify(text)} is not a CIDR block` };
    const slash = text.indexOf("/");
    if (slash < 0 || slash !== text.lastIndexOf("/")) return { problem: `${JSON.stringify(text)} is not a CIDR block` };
    const address = parseAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (address === undefined || !isDecimal(prefixText)) {
        return { problem: `${JSON.stringify(text)} is not a CIDR block` };
    }
    const family: IpFamily = address.kind() === "ipv4" ? 4 : 6;
    const bits = ADDRESS_BITS[family];
    const prefix = Number(prefixText);
    if (prefix > bits) return { problem: `${JSON.stringify(text)} has a prefix longer than ${bits} bits` };
    const host = (1n << BigInt(bits - prefix)) - 1n;
    const value = bytesToBigInt(address.toByteArray());
    const start = value & ~host;
    return { block: { text, family, prefix, start, end: start | host, hostBits: value !== start } };
}

/** The problem of a block whose address has bits set past its prefix. */
function hostBitsProblem(block: CidrBlock): string {
    return `${block.text} has bits set beyond its /${block.prefix} prefix`;
}

/** Parses a CIDR known to be valid (the baseline's own constants). */
function block(text: string): CidrBlock {
    const parsed = parseCidr(text);
    if (parsed.problem !== undefined) throw new Error(`baseline CIDR ${text}: ${parsed.problem}`);
    return parsed.block;
}

/** The address ranges of an address: itself, as a one-address range. */
export function addressRange(text: string): AddressRange {
    return block(`${text}/${text.includes(":") ? 128 : 32}`);
}

const EMBEDDINGS: readonly CidrBlock[] = IPV4_EMBEDDING_PREFIXES.map(block);
const METADATA_RANGES: readonly AddressRange[] = INSTANCE_METADATA_ADDRESSES.map(addressRange);
const WHOLE: Readonly<Record<IpFamily, AddressRange>> = {
    4: { family: 4, start: 0n, end: (1n << 32n) - 1n },
    6: { family: 6, start: 0n, end: (1n << 128n) - 1n },
};

/**
 * The ranges a block reaches: its own and, for the part of an IPv6 block inside an IPv4-embedding prefix, the
 * IPv4 addresses that part embeds.
 */
export function rangesOf(range: AddressRange): AddressRange[] {
    const ranges: AddressRange[] = [range];
    if (range.family !== 6) return ranges;
    for (const embedding of EMBEDDINGS) {
        const start = range.start > embedding.start ? range.start : embedding.start;
        const end = range.end < embedding.end ? range.end : embedding.end;
        if (start <= end) ranges.push({ family: 4, start: start - embedding.start, end: end - embedding.start });
    }
    return ranges;
}

/** The union of `ranges`, per family, sorted and merged. */
export function unionOf(ranges: readonly AddressRange[]): AddressRange[] {
    const sorted = [...ranges].sort((a, b) =>
        a.family !== b.family ? a.family - b.family : a.start < b.start ? -1 : a.start > b.start ? 1 : 0,
    );
    const merged: AddressRange[] = [];
    for (const range of sorted) {
        const last = merged[merged.length - 1];
        if (last !== undefined && last.family === range.family && range.start <= last.end + 1n) {
            if (range.end > last.end) merged[merged.length - 1] = { ...last, end: range.end };
        } else {
            merged.push(range);
        }
    }
    return merged;
}

/** `ranges` less every address of `minus`. */
export function subtract(ranges: readonly AddressRange[], minus: readonly AddressRange[]): AddressRange[] {
    let remaining = unionOf(ranges);
    for (const cut of unionOf(minus)) {
        const next: AddressRange[] = [];
        for (const r of remaining) {
            if (r.family !== cut.family || cut.end < r.start || cut.start > r.end) {
                next.push(r);
                continue;
            }
            if (cut.start > r.start) next.push({ ...r, end: cut.start - 1n });
            if (cut.end < r.end) next.push({ ...r, start: cut.end + 1n });
        }
        remaining = next;
    }
    return remaining;
}

/** The ranges common to `a` and `b`. */
export function intersect(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
    const out: AddressRange[] = [];
    for (const x of unionOf(a)) {
        for (const y of unionOf(b)) {
            if (x.family !== y.family) continue;
            const start = x.start > y.start ? x.start : y.start;
            const end = x.end < y.end ? x.end : y.end;
            if (start <= end) out.push({ family: x.family, start, end });
        }
    }
    return unionOf(out);
}

/** How many addresses `ranges` cover, per family. */
export function sizeOf(ranges: readonly AddressRange[], family: IpFamily): bigint {
    return unionOf(ranges)
        .filter((r) => r.family === family)
        .reduce((n, r) => n + (r.end - r.start + 1n), 0n);
}

const PUBLIC: Readonly<Record<IpFamily, AddressRange[]>> = {
    4: subtract([WHOLE[4]], NON_PUBLIC_IPV4.map(block)),
    6: subtract(PUBLIC_IPV6.map(block), NON_PUBLIC_IN_PUBLIC_IPV6.map(block)),
};
const MAX_PUBLIC: Readonly<Record<IpFamily, bigint>> = { 4: MAX_PUBLIC_IPV4_ADDRESSES, 6: MAX_PUBLIC_IPV6_ADDRESSES };

/** The families whose whole space `ranges` cover. */
export function wholeSpaceFamilies(ranges: readonly AddressRange[]): IpFamily[] {
    const union = unionOf(ranges);
    return ([4, 6] as const).filter((f) =>
        union.some((r) => r.family === f && r.start === WHOLE[f].start && r.end === WHOLE[f].end),
    );
}

/** How many public addresses of `family` the ranges reach. */
export function publicAddressCount(ranges: readonly AddressRange[], family: IpFamily): bigint {
    return sizeOf(intersect(ranges, PUBLIC[family]), family);
}

/** The families whose public space `ranges` reach beyond the baseline's limit. */
export function tooWidePublicFamilies(ranges: readonly AddressRange[]): IpFamily[] {
    return ([4, 6] as const).filter((f) => publicAddressCount(ranges, f) > MAX_PUBLIC[f]);
}

/** The metadata addresses (INSTANCE_METADATA_ADDRESSES) that `ranges` reach. */
export function metadataAddressesIn(ranges: readonly AddressRange[]): string[] {
    return INSTANCE_METADATA_ADDRESSES.filter((_, i) => intersect(ranges, [METADATA_RANGES[i]]).length > 0);
}

/** The outcome of reading an ipBlock: the ranges it reaches, or why the API server would refuse it. */
export type IpBlockRead = { readonly ranges: AddressRange[]; readonly problems: string[] };

/**
 * The ranges an ipBlock reaches: `cidr` less every `except`, each IPv6 block with the IPv4 it embeds. The
 * API server refuses a malformed `cidr` or `except`, and an `except` that is not a strict subset of `cidr`;
 * those are returned as problems (and the ranges read as though the except were absent: the widest reading).
 */
export function readIpBlock(cidr: unknown, except: readonly unknown[] = []): IpBlockRead {
    const problems: string[] = [];
    const parsed = parseCidr(cidr);
    if (parsed.problem !== undefined) return { ranges: [], problems: [`cidr: ${parsed.problem}`] };
    const outer = parsed.block;
    if (outer.hostBits) problems.push(`cidr: ${hostBitsProblem(outer)}`);
    const cuts: AddressRange[] = [];
    except.forEach((text, i) => {
        const cut = parseCidr(text);
        if (cut.problem !== undefined) {
            problems.push(`except[${i}]: ${cut.problem}`);
        } else if (
            cut.block.family !== outer.family ||
            cut.block.prefix <= outer.prefix ||
            cut.block.start < outer.start ||
            cut.block.end > outer.end
        ) {
            problems.push(`except[${i}]: ${cut.block.text} is not a strict subset of ${outer.text}`);
        } else {
            if (cut.block.hostBits) problems.push(`except[${i}]: ${hostBitsProblem(cut.block)}`);
            cuts.push(...rangesOf(cut.block));
        }
    });
    return { ranges: subtract(rangesOf(outer), cuts), problems };
}

/** A problem with one CIDR argument of a component, or with the whole list (index undefined). */
export interface CidrProblem {
    readonly index?: number;
    readonly problem: string;
    readonly fix: string;
}

const NAME_THE_PEER = "name the peer's own CIDR blocks (a VPC endpoint subnet, a database subnet)";

/**
 * What a component refuses in a list of peer CIDRs: malformed blocks, `/0` in any spelling, the metadata
 * service or a block containing it, and a list whose union covers a family's whole space or more public
 * space than the baseline allows. Every component's `cidrs`, and the environment's cluster CIDRs, go
 * through it.
 */
export function peerCidrProblems(cidrs: readonly unknown[]): CidrProblem[] {
    const problems: CidrProblem[] = [];
    const all: AddressRange[] = [];
    cidrs.forEach((cidr, index) => {
        const parsed = parseCidr(cidr);
        if (parsed.problem !== undefined) {
            problems.push({ index, problem: parsed.problem, fix: 'write it as "10.0.0.0/16" or "fd00:10::/64"' });
            return;
        }
        if (parsed.block.hostBits) {
            problems.push({
                index,
                problem: hostBitsProblem(parsed.block),
                fix: "write the block's network address, e.g. 10.1.2.0/24 for 10.1.2.3/24",
            });
        }
        const ranges = rangesOf(parsed.block);
        all.push(...ranges);
        if (parsed.block.prefix === 0 || wholeSpaceFamilies(ranges).length > 0) {
            problems.push({
                index,
                problem: `${parsed.block.text} matches any address and undoes default-deny`,
                fix: NAME_THE_PEER,
            });
            return;
        }
        const metadata = metadataAddressesIn(ranges);
        if (metadata.length > 0) {
            problems.push({
                index,
                problem: `${parsed.block.text} contains the instance metadata service (${metadata.join(", ")}), which hands out the node's credentials`,
                fix: "leave the metadata service out: pods get AWS credentials through their own ServiceAccount's role",
            });
        }
    });
    const whole = wholeSpaceFamilies(all);
    if (whole.length > 0 && !problems.some((p) => p.problem.includes("matches any address"))) {
        problems.push({
            problem: `together the blocks cover every IPv${whole.join(" and IPv")} address and undo default-deny`,
            fix: NAME_THE_PEER,
        });
    } else if (whole.length === 0) {
        for (const family of tooWidePublicFamilies(all)) {
            problems.push({
                problem:
                    `together the blocks reach ${publicAddressCount(all, family)} public IPv${family} addresses, more than ` +
                    `the baseline allows (${MAX_PUBLIC[family]}, a ${family === 4 ? "/8" : "/32"})`,
                fix: NAME_THE_PEER,
            });
        }
    }
    return problems;
}
