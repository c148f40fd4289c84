/**
 * Credential masking. Every string that can reach a user (logs, errors, --json, stack traces)
 * goes through these helpers, so a password never leaves the process.
 */

const URL_WITH_CREDENTIALS = /\b(postgres(?:ql)?:\/\/)([^:@/\s]*)(?::([^@/\s]*))?@/gi;

/** Masks the password of a postgres URL: `postgres://user:***@host/db`. Non-URLs pass through unchanged. */
export function maskUrl(url: string): string {
  return url.replace(URL_WITH_CREDENTIALS, (_m, scheme: string, user: string, password?: string) =>
    password === undefined ? `${scheme}${user}@` : `${scheme}${user}:***@`,
  );
}

const knownSecrets = new Set<string>();

/**
 * Registers a secret (a password read from a URL or the environment) so that `redact` removes it
 * from any text, even when it appears outside a URL (for example in a server error message).
 */
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 3) {
    knownSecrets.add(secret);
    const decoded = safeDecode(secret);
    if (decoded !== secret && decoded.length >= 3) knownSecrets.add(decoded);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Masks URLs and every registered secret in a piece of text. */
export function redact(text: string): string {
  let out = maskUrl(text);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join("***");
  }
  return out;
}

/** Registers the password of a postgres URL (if it has one) and returns the masked URL. */
export function registerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) registerSecret(parsed.password);
  } catch {
    // A malformed URL is reported by the parser that needs it; mask it textually anyway.
    const m = /:\/\/[^:@/\s]*:([^@/\s]*)@/.exec(url);
    if (m?.[1]) registerSecret(m[1]);
  }
  return maskUrl(url);
}
