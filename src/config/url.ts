import { type ErrorKind, PgsyncError } from "../errors.js";
import { redact, registerSecret, registerUrl } from "../util/mask.js";

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** Query parameters that carry a secret (libpq accepts both in a connection URI). */
const SECRET_PARAMS = /([?&](?:ssl)?password=)[^&#]*/gi;

export type UrlCheck =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates a postgres connection URL without throwing. Registers its secrets first, so the reason
 * (which quotes the URL masked) and any later message stay free of the password.
 */
export function checkPostgresUrl(input: string): UrlCheck {
  const url = input.trim();
  registerUrlSecrets(url);
  if (url === "")
    return { ok: false, reason: "is empty (expected postgres://user:password@host:port/database)" };
  // A value without a scheme is not echoed: it may be a bare password pasted into the wrong variable.
  if (!SCHEME.test(url)) {
    return { ok: false, reason: "is not a URL (expected postgres://user:password@host:port/database)" };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `is not a valid URL: "${maskConnectionUrl(url)}"` };
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    return {
      ok: false,
      reason: `expected a postgres:// or postgresql:// URL, got "${maskConnectionUrl(url)}"`,
    };
  }
  if (hasStrayAt(parsed)) {
    return {
      ok: false,
      reason:
        `is not a valid URL: "${maskConnectionUrl(url)}" ` +
        "(percent-encode the characters @ : / ? # in the user name and password)",
    };
  }
  return { ok: true, url };
}

/**
 * Validates a postgres connection URL and registers its password for redaction. Returns the URL
 * (trimmed). Throws a PgsyncError naming `keyForErrors`, with the URL masked.
 */
export function parsePostgresUrl(url: string, keyForErrors: string, kind: ErrorKind = "config"): string {
  const check = checkPostgresUrl(url);
  if (!check.ok) throw new PgsyncError(kind, `${keyForErrors}: ${check.reason}`);
  return check.url;
}

/**
 * Masks every secret of a connection URL: `postgres://user:***@host:5432/db?sslpassword=***`.
 * Unlike `maskUrl`, it copes with passwords that contain reserved characters: when the URL does not
 * parse, everything between the user name and the last `@` is masked.
 */
export function maskConnectionUrl(input: string): string {
  const url = input.trim();
  const scheme = SCHEME.exec(url)?.[0];
  if (scheme === undefined) return redact(url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || hasStrayAt(parsed))
    return redact(maskTextually(scheme, url.slice(scheme.length)));
  const auth =
    parsed.username || parsed.password ? `${parsed.username}${parsed.password ? ":***" : ""}@` : "";
  const search = parsed.search.replace(SECRET_PARAMS, "$1***");
  return redact(`${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${search}${parsed.hash}`);
}

/** Registers the password (and password query parameters) of a URL, however malformed it is. */
function registerUrlSecrets(url: string): void {
  registerUrl(url);
  const scheme = SCHEME.exec(url)?.[0];
  if (scheme === undefined) return;
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) registerSecret(userinfo.slice(colon + 1));
  }
  for (const m of url.matchAll(SECRET_PARAMS)) {
    const value = m[0].slice(m[1]?.length ?? 0);
    registerSecret(value);
  }
}

function maskTextually(scheme: string, rest: string): string {
  const at = rest.lastIndexOf("@");
  if (at < 0) return `${scheme}${rest.replace(SECRET_PARAMS, "$1***")}`;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  const user = colon >= 0 ? `${userinfo.slice(0, colon)}:***` : userinfo;
  return `${scheme}${user}@${rest.slice(at + 1).replace(SECRET_PARAMS, "$1***")}`;
}

/**
 * An `@` after the authority means the user info held an unencoded reserved character (for
 * example `postgres://u:12/3@host`, which parses as host "u", port 12): the "path" then holds
 * part of the password, so the URL is rejected and masked textually.
 */
function hasStrayAt(parsed: URL): boolean {
  return `${parsed.pathname}${parsed.search}${parsed.hash}`.includes("@");
}
