/**
 * The one connection-string parser: libpq's two forms, a URL (`postgres://` or `postgresql://`) and
 * a keyword/value string (`host=db dbname=app password='a b'`). The connection code and the masker
 * (redact.ts) both read strings through here, so a password is cut out exactly where the driver
 * reads it. Messages never quote the input: only keyword names that cannot be secret.
 */

/** Keywords a connection string may set: libpq's names, plus node-postgres' `ssl` and `uselibpqcompat`. */
export const CONNECTION_KEYWORDS = [
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslpassword",
  "application_name",
  "connect_timeout",
  "options",
  "target_session_attrs",
  "client_encoding",
  "ssl",
  "uselibpqcompat",
] as const;
export type ConnectionKeyword = (typeof CONNECTION_KEYWORDS)[number];

/** Keywords whose value is a secret. */
export const SECRET_KEYWORDS: readonly ConnectionKeyword[] = ["password", "sslpassword"];

const TARGET_SESSION_ATTRS = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];

/** Where something is written in the input: `text.slice(start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One keyword and its value as written (a URL's user-info, host, port and path count as keywords). */
export interface Setting {
  readonly key: string;
  /** Decoded (URL) or unescaped (keyword/value); undefined when its percent-encoding is invalid. */
  readonly value: string | undefined;
  /** The value as written, inside any quotes. */
  readonly span: Span;
  /** Where the key is written, for settings written as `key=value`. */
  readonly keyStart?: number;
  /** A single-quoted keyword/value: nothing after it can be a piece of it. */
  readonly quoted?: boolean;
}

export type ConnectionForm = "url" | "keyword-value";

export type TokenizeResult =
  | {
      readonly ok: true;
      readonly form: ConnectionForm;
      readonly settings: readonly Setting[];
      /** How many hosts a URL lists before its path (`h1,h2`); libpq tries them in turn. */
      readonly hostCount: number;
    }
  | {
      readonly ok: false;
      readonly form: ConnectionForm | "other-url" | "unrecognized";
      readonly reason: string;
    };

export interface ConnectionString {
  readonly form: ConnectionForm;
  readonly fields: Readonly<Partial<Record<ConnectionKeyword, string>>>;
}

export type ParseResult =
  | { readonly ok: true; readonly value: ConnectionString }
  | { readonly ok: false; readonly form: TokenizeResult["form"]; readonly reason: string };

const ANY_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const POSTGRES_SCHEME = /^postgres(?:ql)?:\/\//i;
const STRAY_AT_HINT =
  'an unencoded "@" after the host (percent-encode @ : / ? in the user name and password: %40 %3A %2F %3F)';

/** Whether a key is shaped like a keyword; anything else in a key's place may be part of a password. */
export function looksLikeKeyword(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(key);
}

export function isKnownKeyword(key: string): key is ConnectionKeyword {
  return (CONNECTION_KEYWORDS as readonly string[]).includes(key);
}

export function isSecretKeyword(key: string): boolean {
  return (SECRET_KEYWORDS as readonly string[]).includes(key.toLowerCase());
}

/** Which form a string is written in, judged by its start, as libpq does. */
export function connectionForm(text: string): TokenizeResult["form"] {
  const body = text.trimStart();
  if (POSTGRES_SCHEME.test(body)) return "url";
  if (ANY_SCHEME.test(body)) return "other-url";
  return text.includes("=") ? "keyword-value" : "unrecognized";
}

/** Splits a connection string into its settings, keeping where each value is written. */
export function tokenizeConnectionString(text: string): TokenizeResult {
  const form = connectionForm(text);
  if (form === "url") return tokenizeUrl(text);
  if (form === "keyword-value") return tokenizeKeywordValue(text);
  return {
    ok: false,
    form,
    reason:
      form === "other-url"
        ? "expected a postgres:// or postgresql:// URL"
        : "is not a connection string (expected postgres://user:password@host:port/database or host=... dbname=...)",
  };
}

/**
 * libpq's URI syntax: `postgres://[user[:password]@][host][:port][,...][/dbname][?key=value&...]`.
 * The host part ends at the first `/` or `?`; the user-info ends at its last `@`, so an unencoded
 * `@` in a password still splits where the driver splits (`app:Tr0ub@dor3@host`). An `@` after the
 * host is refused: it means a password held an unencoded `/` or `?`, and the part after it would be
 * read as a database name or a parameter.
 */
function tokenizeUrl(text: string): TokenizeResult {
  const fail = (reason: string): TokenizeResult => ({ ok: false, form: "url", reason });
  const lead = text.length - text.trimStart().length;
  const begin = lead + (POSTGRES_SCHEME.exec(text.slice(lead))?.[0].length ?? 0);
  const settings: Setting[] = [];
  const add = (key: string, start: number, end: number) =>
    settings.push({ key, value: percentDecode(text.slice(start, end)), span: { start, end } });

  let authorityEnd = text.length;
  for (let i = begin; i < text.length; i++) {
    if (text[i] === "/" || text[i] === "?") {
      authorityEnd = i;
      break;
    }
  }
  const at = text.lastIndexOf("@", authorityEnd - 1);
  let hostStart = begin;
  if (at >= begin) {
    const colon = text.indexOf(":", begin);
    const userEnd = colon >= 0 && colon < at ? colon : at;
    if (userEnd > begin) add("user", begin, userEnd);
    if (userEnd < at) add("password", userEnd + 1, at);
    hostStart = at + 1;
  }
  if (text.indexOf("@", authorityEnd) >= 0) return fail(STRAY_AT_HINT);
  const hosts = splitHosts(text, hostStart, authorityEnd);
  for (const host of hosts) {
    if (host.hostEnd > host.hostStart) add("host", host.hostStart, host.hostEnd);
    if (host.portStart !== undefined) add("port", host.portStart, host.end);
  }

  const question = text.indexOf("?", authorityEnd);
  const queryStart = question < 0 ? text.length : question;
  if (text[authorityEnd] === "/" && queryStart > authorityEnd + 1)
    add("dbname", authorityEnd + 1, queryStart);
  for (let pos = queryStart + 1; pos < text.length; ) {
    const amp = text.indexOf("&", pos);
    const end = amp < 0 ? text.length : amp;
    if (end > pos) {
      const eq = text.indexOf("=", pos);
      if (eq < 0 || eq >= end) return fail(`a URL parameter without "=" (${afterWhat(settings)})`);
      const key = percentDecode(text.slice(pos, eq)) ?? "";
      const value = percentDecode(text.slice(eq + 1, end));
      settings.push({ key, value, span: { start: eq + 1, end }, keyStart: pos });
    }
    pos = end + 1;
  }
  return { ok: true, form: "url", settings, hostCount: hosts.length };
}

interface HostSpan {
  readonly hostStart: number;
  readonly hostEnd: number;
  readonly portStart?: number;
  readonly end: number;
}

/** `h1:5432,[::1]:5433` between start and end, as spans. */
function splitHosts(text: string, start: number, end: number): HostSpan[] {
  if (start >= end) return [];
  const hosts: HostSpan[] = [];
  let pos = start;
  while (pos <= end) {
    let stop = end;
    let bracket = false;
    for (let i = pos; i < end; i++) {
      if (text[i] === "[") bracket = true;
      else if (text[i] === "]") bracket = false;
      else if (text[i] === "," && !bracket) {
        stop = i;
        break;
      }
    }
    const part = text.slice(pos, stop);
    if (part.startsWith("[") && part.includes("]")) {
      const close = pos + part.indexOf("]");
      const colon = text[close + 1] === ":" ? close + 2 : undefined;
      hosts.push({ hostStart: pos + 1, hostEnd: close, ...(colon ? { portStart: colon } : {}), end: stop });
    } else {
      const colon = part.indexOf(":");
      hosts.push(
        colon < 0
          ? { hostStart: pos, hostEnd: stop, end: stop }
          : { hostStart: pos, hostEnd: pos + colon, portStart: pos + colon + 1, end: stop },
      );
    }
    pos = stop + 1;
  }
  return hosts;
}

/**
 * libpq's keyword/value syntax: `key = value` pairs separated by spaces; a value is single-quoted
 * to hold spaces, and a backslash escapes the next character (quoted or not).
 */
function tokenizeKeywordValue(text: string): TokenizeResult {
  const fail = (reason: string): TokenizeResult => ({ ok: false, form: "keyword-value", reason });
  const settings: Setting[] = [];
  const space = (i: number) => /\s/.test(text[i] ?? "");
  let i = 0;
  for (;;) {
    while (space(i)) i++;
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && text[i] !== "=" && !space(i)) i++;
    const key = text.slice(keyStart, i);
    while (space(i)) i++;
    if (text[i] !== "=") return fail(`a word without "=" (${afterWhat(settings)})`);
    i++;
    while (space(i)) i++;
    const quoted = text[i] === "'";
    if (quoted) i++;
    const start = i;
    let value = "";
    while (i < text.length && (quoted ? text[i] !== "'" : !space(i))) {
      if (text[i] === "\\" && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    if (quoted && text[i] !== "'") {
      return fail(
        `a quoted value without its closing quote (${isKnownKeyword(key) ? `"${key}"` : "a value"})`,
      );
    }
    settings.push({ key, value, span: { start, end: i }, keyStart, ...(quoted ? { quoted } : {}) });
    if (quoted) i++;
  }
  return { ok: true, form: "keyword-value", settings, hostCount: 0 };
}

/**
 * Where a syntax error is, without quoting the input: after the last keyword read. A word right
 * after a password is likely a piece of it (an unquoted space, an unencoded `&`), so it is never named.
 */
function afterWhat(settings: readonly Setting[]): string {
  const last = settings[settings.length - 1];
  if (last === undefined) return "at the start";
  if (isSecretKeyword(last.key) && !last.quoted) {
    return `after ${last.key}: quote or percent-encode a password that holds spaces, "&" or "="`;
  }
  return isKnownKeyword(last.key) ? `after ${last.key}` : "after an unknown keyword";
}

/** Reads a connection string into libpq's fields, checking the keywords and the values it can. */
export function parseConnectionString(text: string): ParseResult {
  const tokens = tokenizeConnectionString(text);
  if (!tokens.ok) return tokens;
  const fail = (reason: string): ParseResult => ({ ok: false, form: tokens.form, reason });
  const fields: Partial<Record<ConnectionKeyword, string>> = {};
  let previous: Setting | undefined;
  for (const s of tokens.settings) {
    if (!isKnownKeyword(s.key)) {
      const afterPassword = previous !== undefined && isSecretKeyword(previous.key) && !previous.quoted;
      const nameable = looksLikeKeyword(s.key) && !afterPassword;
      return fail(
        nameable
          ? `unknown keyword "${s.key}" (known: ${CONNECTION_KEYWORDS.join(", ")})`
          : `an unknown keyword ${afterWhat(previous ? [previous] : [])}`,
      );
    }
    if (s.value === undefined)
      return fail(`the ${describeKey(tokens.form, s.key)} holds an invalid percent-encoding (%XX)`);
    fields[s.key] = s.value;
    previous = s;
  }
  if (tokens.hostCount > 1 || fields.host?.includes(",") || fields.port?.includes(","))
    return fail("several hosts are not supported (give one host)");
  if (fields.port !== undefined && !isPort(fields.port)) {
    return fail("the port is not a number from 1 to 65535");
  }
  if (fields.connect_timeout !== undefined && !/^\d{1,9}$/.test(fields.connect_timeout.trim())) {
    return fail("connect_timeout is not a whole number of seconds");
  }
  const attrs = fields.target_session_attrs;
  if (attrs !== undefined && !TARGET_SESSION_ATTRS.includes(attrs)) {
    return fail(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(", ")}`);
  }
  return { ok: true, value: { form: tokens.form, fields } };
}

const URL_PARTS: Readonly<Record<string, string>> = {
  user: "user name",
  password: "password",
  host: "host",
  port: "port",
  dbname: "database name",
};

function describeKey(form: ConnectionForm, key: string): string {
  if (form === "keyword-value") return `value of ${key}`;
  const part = URL_PARTS[key];
  return part ? `${part} of the URL` : `URL parameter ${key}`;
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535;
}

/** libpq's percent-decoding: `%XX` only (`+` stays a plus), UTF-8, no NUL. */
function percentDecode(raw: string): string | undefined {
  if (!raw.includes("%")) return raw;
  if (/%(?![0-9A-Fa-f]{2})|%00/.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
