/**
 * Kubernetes Secrets: their values reach the cluster through External Secrets, never through the program.
 *
 * What a policy can see of a secret value. The engine sends a resource's inputs to the analyzer with secrets
 * kept (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go marshals them with `KeepSecrets: true`), but
 * @pulumi/policy 1.21 unwraps them before any policy runs: its `Analyze` and `AnalyzeStack` handlers call
 * `deserializeProperties(props, false)` (server.js), and with `proxySecrets` false deserialize.js returns the
 * plaintext of a secret, with no marker left. Only remediations (`deserializeProperties(props, true)`) see
 * secrets as `Secret` objects. The pack's adapter receives plain values, so a validation cannot tell
 * `pulumi.secret("s3cr3t")` from `"s3cr3t"` — not per value, and not for a whole `data` map made secret
 * either: an unwrapped map is a map.
 *
 * So the policy cannot judge "plaintext" by a secret flag, and does not pretend to. It judges the signal it
 * has in every path: a Secret whose `data` or `stringData` carries a value at all. Such a value is in the
 * program and, encrypted or not, in the stack's state and in every preview's inputs; the baseline's way is an
 * ExternalSecret, which keeps the value out of Pulumi altogether. A value the check command or a test sees
 * still wrapped as a secret (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`,
 * the form Pulumi's mocks record) is judged the same, so `k8s-baseline check` and `pulumi preview` agree.
 */
import { describeResource, isUnknown, unwrapSecret } from "../resource";
import { EnforcementLevel, ResourcePolicy, Severity } from "../types";

export const SECRET = "kubernetes:core/v1:Secret";
/** A patch can set values as well as a Secret can. */
export const SECRET_PATCH = "kubernetes:core/v1:SecretPatch";

/** True when a `data`/`stringData` entry holds something: a non-empty value, or one not known yet. */
function holdsValue(value: unknown): boolean {
    const inner = unwrapSecret(value);
    return isUnknown(inner) || (inner !== undefined && inner !== null && inner !== "");
}

/**
 * A Secret (or SecretPatch) registered with values in `data` or `stringData`: the names of the keys are
 * reported, never their values. A key whose value is unknown at preview still holds a value (it will be in
 * the state), so it counts; a whole `data` or `stringData` map that is unknown is reported as unknown. Not
 * exempt in the platform's namespaces: a Secret a chart renders with values puts them in the state like any
 * other (the add-ons' webhook certificate Secrets are rendered empty and filled in the cluster).
 */
export const secretsNoPlaintext: ResourcePolicy = {
    kind: "resource",
    name: "secrets-no-plaintext",
    group: "secrets",
    description:
        "Secrets carry no values in the program: the pack cannot tell a Pulumi secret from plaintext, so any value in data or stringData fails.",
    severity: Severity.Critical,
    enforcementLevel: EnforcementLevel.Mandatory,
    remediationSteps:
        "Store the value in the app's secret backend (AppSecrets or Vault under the app's prefix) and read it " +
        "with an ExternalSecret (AppExternalSecrets), which writes the Kubernetes Secret in the cluster. Leave " +
        "data and stringData out of any Secret the program registers.",
    url: "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
    types: [SECRET, SECRET_PATCH],
    validate(resource, _settings, report) {
        for (const field of ["data", "stringData"] as const) {
            const map = unwrapSecret(resource.props?.[field]);
            if (isUnknown(map)) {
                report.unknown(field);
                continue;
            }
            if (map === null || typeof map !== "object") continue;
            const keys = Object.entries(map)
                .filter(([, value]) => holdsValue(value))
                .map(([key]) => key)
                .sort();
            if (keys.length > 0) {
                report.violation(
                    `${describeResource(resource)} carries ${field} ${keys.join(", ")}: the value is in the program ` +
                        "and the stack's state, whether or not it is a Pulumi secret",
                );
            }
        }
    },
};

export const secretsPolicies = [secretsNoPlaintext] as const;
