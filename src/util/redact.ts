/**
 * The redaction registry: every secret the process knows is registered here once, and every text
 * that can reach a user (logs, summaries, --json, errors, history rows, notifications, the status
 * page, `config show`) passes through `redact` or `maskConnectionString`. Connection strings are
 * masked where the connection parser (connection-string.ts) splits them, so the masker and the
 * driver never disagree about where a password ends.
 */
import {
  CONNECTION_KEYWORDS,
  connectionForm,
  isKnownKeyword,
  isSecretKeyword,
  looksLikeKeyword,
  type Setting,
  type Span,
  tokenizeConnectionString,
} from "./connection-string.js";

export type SecretKind =
  | "password"
  | "sslpassword"
  | "masking-key"
  | "archive-key"
  | "s3-credential"
  | "status-token"
  | "webhook-url"
  | "http-header"
  | "smtp-password";

export const MASK = "***";
/** Shorter values are not registered: masking every "ab" of every message would hide more than it protects. */
const MIN_SECRET_LENGTH = 3;
/** The shortest part of a notifier URL's path or query registered as its token. */
const MIN_TOKEN_LENGTH = 8;

const registry = new Map<string, SecretKind>();
/** Longest first, so a secret that contains another is replaced whole. Rebuilt after a registration. */
let ordered: readonly string[] | undefined;

/**
 * Registers a secret, with the forms it takes in output: as given, percent-decoded and
 * percent-encoded, escaped for a keyword/value string, and escaped inside a JSON string.
 */
export function registerSecret(value: string | undefined | null, kind: SecretKind): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const bases = new Set([value]);
  const decoded = tryDecode(value);
  if (decoded !== undefined) bases.add(decoded);
  for (const base of bases) {
    for (const form of [base, encodeURIComponent(base), escapeKeywordValue(base)]) {
      for (const variant of [form, JSON.stringify(form).slice(1, -1)]) {
        if (variant.length >= MIN_SECRET_LENGTH && variant !== MASK && !registry.has(variant)) {
          registry.set(variant, kind);
          ordered = undefined;
        }
      }
    }
  }
}

/** The kinds of secret registered so far (for tests and diagnostics; never the values). */
export function registeredKinds(): ReadonlySet<SecretKind> {
  return new Set(registry.values());
}

/** Forgets every registered secret: for tests, which register thousands of generated ones. */
export function clearRegisteredSecrets(): void {
  registry.clear();
  ordered = undefined;
}

/**
 * Registers every secret of a connection string (URL user-info password, `password=`,
 * `sslpassword=`, in either form), however malformed the string is, and returns it masked.
 */
export function registerConnectionString(text: string): string {
  const tokens = tokenizeConnectionString(text);
  if (tokens.ok) {
    for (const s of tokens.settings.filter(secretValue)) {
      const kind: SecretKind = s.key.toLowerCase() === "sslpassword" ? "sslpassword" : "password";
      const span = secretSpan(s);
      registerSecret(s.value, kind);
      registerSecret(text.slice(span.start, span.end), kind);
    }
  }
  if (tokens.form === "unrecognized") {
    // Neither a URL nor keyword=value: possibly a bare password pasted into the wrong variable.
    registerSecret(text.trim(), "password");
  } else {
    // Also what the conservative masker would cut out: a password that a stray quote or an
    // unencoded `&` split into several values is registered whole too.
    for (const span of conservativeSpans(text, "secrets")) {
      registerSecret(text.slice(span.start, span.end), "password");
    }
    // A string the parser gave up on: every word the masker hides may hold a piece of a password.
    for (const span of tokens.ok ? [] : conservativeSpans(text)) {
      const word = text.slice(span.start, span.end);
      if (!isKnownKeyword(word.toLowerCase())) registerSecret(word, "password");
    }
  }
  return maskConnectionString(text);
}

/**
 * Registers the secrets of a notifier URL (webhook, Slack, SMTP): the whole URL, its password, and
 * its path and query, which for a webhook usually are its token.
 */
export function registerEndpointUrl(url: string, kind: SecretKind): void {
  registerSecret(url, kind);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    for (const span of conservativeSpans(url, "secrets"))
      registerSecret(url.slice(span.start, span.end), kind);
    return;
  }
  registerSecret(parsed.password, kind);
  // Only parts long enough to be a token: a path such as "/hook" would mask every "hook" of every message.
  const tail = `${parsed.pathname}${parsed.search}`.replace(/^\//, "");
  const last = parsed.pathname.split("/").pop() ?? "";
  for (const part of [tail, last, ...parsed.searchParams.values()]) {
    if (part.length >= MIN_TOKEN_LENGTH) registerSecret(part, kind);
  }
}

/**
 * The one masker of connection strings: `postgres://app:***@db/app?sslpassword=***`,
 * `host=db password='***'`. Values of unknown keywords are masked too. A string the parser cannot
 * split is masked conservatively (from the user-info's first `:` to the last `@`, and every
 * `password=` up to the next keyword); a string that is no connection string at all becomes `***`.
 */
export function maskConnectionString(text: string): string {
  if (text.trim() === "") return text;
  const tokens = tokenizeConnectionString(text);
  if (tokens.ok) {
    return replaceSpans(text, tokens.settings.filter(mayBeSecret).map(secretSpan));
  }
  if (tokens.form === "unrecognized") return MASK;
  return replaceSpans(text, conservativeSpans(text));
}

/**
 * What the masker hides: a secret value (below), or a port that is no number
 * (`postgres://user:secret` without its `@` reads the password as the port).
 */
function mayBeSecret(s: Setting): boolean {
  return (s.key === "port" && !/^\d*$/.test(s.value ?? "-")) || secretValue(s);
}

/**
 * What is registered as a secret: passwords, unknown keywords' values, and a value that holds
 * `password=` (`host='h password=x'`: a stray quote swallowed a password). A non-numeric port is
 * masked but not registered: "port" itself would then be masked in every message.
 */
function secretValue(s: Setting): boolean {
  if (/password\s*=/i.test(s.value ?? "password=")) return true;
  return isSecretKeyword(s.key) || !isKnownKeyword(s.key);
}

/** A value, or, when its key is no keyword at all (`u:pw@host/db?x=1` without its scheme), the key too. */
function secretSpan(s: Setting): Span {
  return s.keyStart !== undefined && !looksLikeKeyword(s.key)
    ? { start: s.keyStart, end: s.span.end }
    : s.span;
}

const ANY_URL = /[A-Za-z][A-Za-z0-9+.-]*:\/\/\S*/g;
const KEYWORD_PASSWORD = /\b((?:ssl)?password)(\s*=\s*)('(?:[^'\\]|\\.)*'?|(?:\\.|[^\s\\])*)/gi;

/**
 * Redacts a piece of text: every registered secret, in any of its forms, becomes `***`; then every
 * URL in it is masked (connection URLs exactly, others in their user-info), and every
 * `password=` / `sslpassword=` outside a URL.
 */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  for (const secret of orderedSecrets()) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  let result = "";
  let last = 0;
  for (const m of out.matchAll(ANY_URL)) {
    result += maskKeywordPasswords(out.slice(last, m.index)) + maskConnectionString(m[0]);
    last = m.index + m[0].length;
  }
  return result + maskKeywordPasswords(out.slice(last));
}

/** `redact` applied to every string (and key) of a JSON-like value; dates and other objects are kept. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    // Keys are the report's own field names: masking a short secret inside one ("a" in
    // "prunedSnapshots") would break the shape readers rely on, and no key holds user input.
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactDeep(v)]),
    ) as T;
  }
  return value;
}

function maskKeywordPasswords(text: string): string {
  return text.replace(KEYWORD_PASSWORD, (_m, key: string, eq: string, value: string) => {
    if (value === "") return `${key}${eq}`;
    const quoted = value.startsWith("'");
    return `${key}${eq}${quoted ? `'${MASK}'` : MASK}`;
  });
}

function orderedSecrets(): readonly string[] {
  ordered ??= [...registry.keys()].sort((a, b) => b.length - a.length);
  return ordered;
}

const KNOWN = CONNECTION_KEYWORDS.join("|");
const NEXT_URL_PARAM = new RegExp(`&(?:${KNOWN})=`, "g");
const NEXT_KEYWORD = new RegExp(`\\s+(?:${KNOWN})\\s*=`, "g");
const URL_SECRET_PARAM = /[?&]([^=&]*)=/g;
const KEYWORD_SECRET = /(?:ssl)?password\s*=\s*'?/gi;
const SCHEME = /^\s*[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * What to mask in a string the parser could not split, erring towards masking too much: in a URL,
 * from the first `:` after the scheme to the last `@` (or, without `@`, a non-numeric "port"),
 * and every password parameter up to the next known parameter; in a keyword/value string, every
 * password value up to the next known keyword, and (for display) every word that is no plain
 * `keyword=value`. `secrets` leaves out what is masked for display only.
 */
function conservativeSpans(text: string, what: "display" | "secrets" = "display"): Span[] {
  const spans: Span[] = [];
  const scheme = SCHEME.exec(text);
  if (scheme === null) {
    if (connectionForm(text) === "unrecognized") return [{ start: 0, end: text.length }];
    return keywordValueSpans(text, what);
  }
  const begin = scheme[0].length;
  const lastAt = text.lastIndexOf("@");
  const colon = text.indexOf(":", begin);
  if (lastAt >= begin) {
    if (colon >= 0 && colon < lastAt) spans.push({ start: colon + 1, end: lastAt });
  } else if (what === "display") {
    const authorityEnd = text.slice(begin).search(/[/?]/);
    const end = authorityEnd < 0 ? text.length : begin + authorityEnd;
    if (colon >= 0 && colon < end && !/^\d*$/.test(text.slice(colon + 1, end))) {
      spans.push({ start: colon + 1, end });
    }
  }
  for (const m of text.matchAll(URL_SECRET_PARAM)) {
    if (!isSecretKeyword(tryDecode(m[1] ?? "") ?? m[1] ?? "")) continue;
    const start = m.index + m[0].length;
    spans.push({ start, end: nextMatch(NEXT_URL_PARAM, text, start) });
  }
  return spans;
}

/**
 * A keyword/value string the parser could not split: only `known=value` words stay readable (a
 * plain value of a keyword that is no secret); every other word is masked, and every password
 * value up to the next known keyword, so that a password holding spaces is masked whole.
 */
function keywordValueSpans(text: string, what: "display" | "secrets"): Span[] {
  const spans: Span[] = [];
  // For registration, only the password values: the other words are masked for display, not secrets.
  for (const m of what === "display" ? text.matchAll(/\S+/g) : []) {
    const start = m.index;
    const end = start + m[0].length;
    const pair = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(m[0]);
    if (pair === null || !isKnownKeyword(pair[1] ?? "")) spans.push({ start, end });
    else if (isSecretKeyword(pair[1] ?? "") || /['"\\]/.test(m[0]))
      spans.push({ start: start + pair[0].length, end });
  }
  for (const m of text.matchAll(KEYWORD_SECRET)) {
    const start = m.index + m[0].length;
    spans.push({ start, end: nextMatch(NEXT_KEYWORD, text, start) });
  }
  return spans;
}

function nextMatch(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  const m = pattern.exec(text);
  return m === null ? text.length : m.index;
}

/** Replaces each span (merged where they overlap) with `***`. */
function replaceSpans(text: string, spans: readonly Span[]): string {
  const merged: { start: number; end: number }[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const previous = merged[merged.length - 1];
    if (previous && span.start <= previous.end) previous.end = Math.max(previous.end, span.end);
    else merged.push({ ...span });
  }
  let out = "";
  let pos = 0;
  for (const span of merged) {
    out += text.slice(pos, span.start) + MASK;
    pos = span.end;
  }
  return out + text.slice(pos);
}

function tryDecode(value: string): string | undefined {
  if (!value.includes("%")) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** How a value is written inside a single-quoted keyword/value string. */
function escapeKeywordValue(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}
