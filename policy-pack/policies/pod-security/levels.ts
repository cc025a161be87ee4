/**
 * Pod Security Standards levels and versions, as the `pod-security.kubernetes.io/<mode>` and
 * `pod-security.kubernetes.io/<mode>-version` namespace labels spell them.
 *
 * A version is `v1.N` or `latest`. Internally it is the minor number N: every check of the standard
 * belongs to major version 1, and a version newer than the newest one with a policy change behaves like
 * that newest one (so `latest`, `v1.37` and `v1.99` evaluate the same today).
 */
import { PodSecurityLevel } from "../../../components/baseline/environments";

export { PodSecurityLevel };

/** The levels that carry checks (privileged allows everything). */
export type EnforcedPodSecurityLevel = typeof PodSecurityLevel.Baseline | typeof PodSecurityLevel.Restricted;

/**
 * The newest minor version whose policy differs from the one before it (v1.37 added two sysctls). Every
 * version from here on evaluates like this one; `latest` is this version.
 */
export const LATEST_MINOR = 37;

/** The spelling of the newest known version. */
export const LATEST_VERSION = `v1.${LATEST_MINOR}`;

/** `v1.N` with N a decimal without a leading zero (the API server's own rule), or `latest`. */
const VERSION_PATTERN = /^v1\.(0|[1-9][0-9]*)$/;

const parsedVersions = new Map<string, number>();

/**
 * The minor version `version` names, capped at {@link LATEST_MINOR}. Throws on anything that is neither
 * `latest` nor `v1.N`. Results are cached: the evaluator calls this once per object.
 */
export function minorOf(version: string): number {
    const cached = parsedVersions.get(version);
    if (cached !== undefined) return cached;
    let minor: number;
    if (version === "latest") {
        minor = LATEST_MINOR;
    } else {
        const match = VERSION_PATTERN.exec(version);
        if (!match) throw new Error(`invalid Pod Security version "${version}": must be "latest" or "v1.N"`);
        minor = Math.min(Number(match[1]), LATEST_MINOR);
    }
    // Bounded: the cache only ever holds versions that parsed, and there are few distinct ones in use.
    if (parsedVersions.size < 1024) parsedVersions.set(version, minor);
    return minor;
}

/** True when `version` is `latest` or `v1.N`. */
export function isPodSecurityVersion(version: string): boolean {
    return version === "latest" || VERSION_PATTERN.test(version);
}

/** True when `level` is one of privileged, baseline, restricted. */
export function isPodSecurityLevel(level: string): level is PodSecurityLevel {
    return (
        level === PodSecurityLevel.Privileged ||
        level === PodSecurityLevel.Baseline ||
        level === PodSecurityLevel.Restricted
    );
}
