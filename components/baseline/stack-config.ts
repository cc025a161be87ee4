/**
 * What a Pulumi stack file (`Pulumi.<stack>.yaml`) of the platform must look like, as `k8s-baseline check`
 * reads it: the config namespace of the stack's own secrets, and the words that make a config key look secret.
 */

/**
 * The config namespace of secret initial values: `pulumi config set --secret secrets:<key> ...`. Every value in
 * it is meant to be encrypted.
 */
export const SECRETS_CONFIG_NAMESPACE = "secrets";

/**
 * Config keys that look secret, as word sequences: a key (`dbPassword`, `api_key`, `github-token`,
 * `tls.privateKey`) looks secret when its words, split at case changes, `-`, `_` and `.`, end with one of these.
 * `secretBackend`, `tokenTtl` or `readableSecrets` (names of secrets, not values) do not end with one, so
 * they do not look secret.
 */
export const SECRET_CONFIG_KEY_WORDS: readonly (readonly string[])[] = [
    ["password"],
    ["passwords"],
    ["passwd"],
    ["pwd"],
    ["passphrase"],
    ["secret"],
    ["token"],
    ["apikey"],
    ["api", "key"],
    ["private", "key"],
    ["privatekey"],
    ["secret", "key"],
    ["access", "key"],
    ["signing", "key"],
    ["encryption", "key"],
    ["credential"],
    ["credentials"],
    ["connection", "string"],
];

/** The words of a config key: `dbPassword` is `db password`, `API_KEY` is `api key`. */
export function configKeyWords(key: string): string[] {
    return key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word !== "")
        .map((word) => word.toLowerCase());
}

/** True when the config key `key` (without its namespace) looks like it holds a secret. */
export function looksSecretConfigKey(key: string): boolean {
    const words = configKeyWords(key);
    return SECRET_CONFIG_KEY_WORDS.some(
        (phrase) =>
            phrase.length <= words.length &&
            phrase.every((word, i) => words[words.length - phrase.length + i] === word),
    );
}
