/**
 * The contract between the platform stack and application repositories: the outputs an app repo reads
 * through a StackReference. Versioned: a change that removes or renames a field bumps the major version, and
 * PlatformReference refuses a platform whose major version differs from the one it was built against.
 */
import { Environment } from "./baseline";

/** `<major>.<minor>`. Additions bump the minor; removals and renames bump the major. */
export const CONTRACT_VERSION = "1.2";

/** What an app repository needs to deploy one app onto the platform. */
export interface AppContract {
    /** Namespace the app deploys into. */
    namespace: string;
    /** The app's ServiceAccount: its pods run as it. */
    serviceAccountName: string;
    /** ARN of the app's IAM role (reads the app's secrets only). */
    roleArn: string;
    /** The SecretStore of the app's namespace. */
    secretStoreName: string;
    /** Kubernetes Secrets that External Secrets keeps in sync with the app's secrets, in declaration order. */
    secretNames: string[];
}

/** The stack outputs of one environment of the platform. */
export interface PlatformContract {
    contractVersion: string;
    project: string;
    env: Environment;
    /** ARN of the env's KMS key. */
    kmsKeyArn: string;
    /** The ClusterIssuer certificates of this env are requested from. */
    clusterIssuerName: string;
    /** Per app, by app name. */
    apps: Record<string, AppContract>;
    /**
     * ARN of the env's stack secrets key (StackSecretsKey), when the stack configures `stackSecrets`: the key of
     * the env's stack config and sops files, which `k8s-baseline sops-config` reads. Since 1.1.
     */
    stackSecretsKeyArn?: string;
    /**
     * The env's namespaces whose apps are declared to call the Kubernetes API (`callsKubernetesApi`), sorted:
     * what the stack of a cluster the env shares reads to spare them in its runtime security rule. Since 1.2;
     * a reader of an older platform takes none.
     */
    kubernetesApiNamespaces?: string[];
}

/** The stack output names of the contract. */
export const CONTRACT_OUTPUTS: readonly (keyof PlatformContract)[] = [
    "contractVersion",
    "project",
    "env",
    "kmsKeyArn",
    "clusterIssuerName",
    "apps",
    "stackSecretsKeyArn",
    "kubernetesApiNamespaces",
];

/** Problems with a platform's contract version for a consumer built against CONTRACT_VERSION. */
export function contractVersionProblem(
    platformVersion: unknown,
    consumerVersion = CONTRACT_VERSION,
): string | undefined {
    if (typeof platformVersion !== "string" || !/^\d+\.\d+$/.test(platformVersion)) {
        return `the platform reports contract version ${JSON.stringify(platformVersion)}, which is not <major>.<minor>`;
    }
    const [major, minor] = platformVersion.split(".").map(Number);
    const [wantMajor, wantMinor] = consumerVersion.split(".").map(Number);
    if (major !== wantMajor) {
        return `the platform speaks contract ${platformVersion} and this program ${consumerVersion}: major versions differ`;
    }
    if (minor < wantMinor) {
        return `the platform speaks contract ${platformVersion}, older than the ${consumerVersion} this program needs`;
    }
    return undefined;
}
