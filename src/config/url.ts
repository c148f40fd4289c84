import { type ErrorKind, PgsyncError } from "../errors.js";
import { parseConnectionString } from "../util/connection-string.js";
import { maskConnectionString, registerConnectionString } from "../util/redact.js";

const EXPECTED = "expected postgres://user:password@host:port/database or host=... dbname=...";

export type UrlCheck =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Validates a connection string, a URL or libpq keyword/value pairs, without throwing. Registers
 * its secrets first, so the reason (which quotes it masked) and any later message stay free of the
 * password. An unknown keyword is named, never its value.
 */
export function checkPostgresUrl(input: string): UrlCheck {
  const url = input.trim();
  registerConnectionString(url);
  if (url === "") return { ok: false, reason: `is empty (${EXPECTED})` };
  const parsed = parseConnectionString(url);
  if (parsed.ok) return { ok: true, url };
  const masked = maskConnectionString(url);
  switch (parsed.form) {
    // A value that is neither form is not echoed: it may be a bare password in the wrong variable.
    case "unrecognized":
      return { ok: false, reason: `is not a connection string (${EXPECTED})` };
    case "other-url":
      return { ok: false, reason: `expected a postgres:// or postgresql:// URL, got "${masked}"` };
    case "url":
      return { ok: false, reason: `is not a valid URL: "${masked}" (${parsed.reason})` };
    case "keyword-value":
      return { ok: false, reason: `is not a valid connection string: "${masked}" (${parsed.reason})` };
  }
}

/**
 * Validates a connection string and registers its secrets for redaction. Returns it trimmed.
 * Throws a PgsyncError naming `keyForErrors`, with the string masked.
 */
export function parsePostgresUrl(url: string, keyForErrors: string, kind: ErrorKind = "config"): string {
  const check = checkPostgresUrl(url);
  if (!check.ok) throw new PgsyncError(kind, `${keyForErrors}: ${check.reason}`);
  return check.url;
}

/** The masker of connection strings, under the name the config module has always exported. */
export const maskConnectionUrl = maskConnectionString;
