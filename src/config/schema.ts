import { Cron } from "croner";
import { z } from "zod";
import { registerSecret, type SecretKind } from "../util/redact.js";
import { maskingSchema, subsetSchema } from "./masking-schema.js";
import type { ConnectionSpec, EndpointSpec, NotifyInput, ProfileInput, SecretSpec } from "./types.js";
import { checkPostgresUrl } from "./url.js";

export const PROFILE_NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE_NAME = /^[^.]+\.[^.]+$/;
/** Seconds that still fit a postgres millisecond setting (int32). */
const MAX_SECONDS = 2_147_483;

function integer(message: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

const positiveInteger = integer("expected a positive integer", 1);

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};
const SIZE = /^(\d+)\s*(B|kB|MB|GB|TB)$/;

/** Bytes: a whole number, or a string with one of PostgreSQL's units (`"256MB"`, 1024-based). */
const size = z.unknown().transform((value, ctx): number => {
  const message = `expected a size such as "256MB" or "1GB" (units B, kB, MB, GB, TB), or a whole number of bytes, got ${typeof value === "string" ? quote(value) : typeName(value)}`;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  const m = typeof value === "string" ? SIZE.exec(value.trim()) : null;
  const bytes = m ? Number(m[1]) * (SIZE_UNITS[m[2] as string] ?? 1) : Number.NaN;
  if (Number.isSafeInteger(bytes)) return bytes;
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
});
const seconds = integer(`expected a whole number of seconds from 1 to ${MAX_SECONDS}`, 1, MAX_SECONDS);
const nonEmptyString = z
  .string({ error: "expected a non-empty string" })
  .min(1, "expected a non-empty string");
const tableName = z
  .string({ error: 'expected a table name "schema.table"' })
  .regex(TABLE_NAME, { error: (iss) => `expected a table name "schema.table", got ${quote(iss.input)}` });

/** `"postgres://..."`, `{ "url": "postgres://..." }` or `{ "env": "VARIABLE" }`. */
const connection = z.unknown().transform((value, ctx): ConnectionSpec => {
  const shape = 'expected a postgres URL, { "url": "postgres://..." } or { "env": "VARIABLE" }';
  if (typeof value === "string") return checkUrl(value, ctx, []);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: "custom", message: `${shape}, got ${typeName(value)}` });
    return z.NEVER;
  }
  const entries = Object.entries(value);
  const unknown = entries.filter(([k]) => k !== "url" && k !== "env");
  for (const [key] of unknown) ctx.addIssue({ code: "custom", message: unknownKeyMessage(key), path: [key] });
  if (unknown.length > 0) return z.NEVER;
  const obj = value as { url?: unknown; env?: unknown };
  if (entries.length !== 1) {
    ctx.addIssue({ code: "custom", message: `${shape} (exactly one of "url", "env")` });
    return z.NEVER;
  }
  if ("url" in obj) {
    if (typeof obj.url !== "string") {
      ctx.addIssue({
        code: "custom",
        message: `expected a URL string, got ${typeName(obj.url)}`,
        path: ["url"],
      });
      return z.NEVER;
    }
    return checkUrl(obj.url, ctx, ["url"]);
  }
  if (typeof obj.env !== "string" || !ENV_NAME.test(obj.env)) {
    ctx.addIssue({
      code: "custom",
      message: `expected an environment variable name, got ${quote(obj.env)}`,
      path: ["env"],
    });
    return z.NEVER;
  }
  return { env: obj.env };
});

function checkUrl(url: string, ctx: z.RefinementCtx, path: string[]): ConnectionSpec {
  const check = checkPostgresUrl(url);
  if (check.ok) return { url: check.url };
  ctx.addIssue({ code: "custom", message: check.reason, path });
  return z.NEVER;
}

/**
 * `"literal"` or `{ "env": "VARIABLE" }`, for a secret such as the status page's token or the
 * masking key. A literal is registered for redaction as soon as it is read.
 */
function secret(kind: SecretKind) {
  return z.unknown().transform((value, ctx): SecretSpec => {
    if (typeof value === "string" && value !== "") {
      registerSecret(value, kind);
      return { value };
    }
    const env = typeof value === "object" && value !== null ? (value as { env?: unknown }).env : undefined;
    if (typeof env === "string" && ENV_NAME.test(env) && Object.keys(value as object).length === 1) {
      return { env };
    }
    ctx.addIssue({
      code: "custom",
      message: `expected a non-empty string or { "env": "VARIABLE" }, got ${typeof value === "string" ? "an empty string" : typeName(value)}`,
    });
    return z.NEVER;
  });
}
const secretSpec = secret("status-token");

const cron = z.string({ error: "expected a cron expression string" }).superRefine((expr, ctx) => {
  let job: Cron;
  try {
    job = new Cron(expr, { paused: true });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, "");
    ctx.addIssue({ code: "custom", message: `invalid cron expression ${quote(expr)}: ${reason}` });
    return;
  }
  if (job.nextRun() === null) {
    ctx.addIssue({ code: "custom", message: `invalid cron expression ${quote(expr)}: it never fires` });
  }
});

const timezone = z.string({ error: "expected an IANA time zone name" }).superRefine((tz, ctx) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    ctx.addIssue({
      code: "custom",
      message: `invalid time zone ${quote(tz)} (expected an IANA name such as "UTC" or "Europe/Berlin")`,
    });
  }
});

const schedule = z.strictObject({ cron, timezone: timezone.default("UTC") });

/** A notifier URL: `"https://..."`, `{ "url": "..." }` or `{ "env": "VARIABLE" }`; its scheme is checked. */
function endpoint(schemes: readonly string[]) {
  const expected = schemes.map((s) => `${s}//`).join(" or ");
  return z.unknown().transform((value, ctx): EndpointSpec => {
    const spec =
      typeof value === "string"
        ? { url: value }
        : typeof value === "object" && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : undefined;
    const keys = spec ? Object.keys(spec) : [];
    if (spec === undefined || keys.length !== 1 || !(keys[0] === "url" || keys[0] === "env")) {
      ctx.addIssue({
        code: "custom",
        message: `expected a URL (${expected}), { "url": "..." } or { "env": "VARIABLE" }`,
      });
      return z.NEVER;
    }
    if ("env" in spec) {
      if (typeof spec.env !== "string" || !ENV_NAME.test(spec.env)) {
        ctx.addIssue({
          code: "custom",
          message: `expected an environment variable name, got ${quote(spec.env)}`,
          path: ["env"],
        });
        return z.NEVER;
      }
      return { env: spec.env };
    }
    const problem = typeof spec.url === "string" ? endpointProblem(spec.url, schemes) : "expected a string";
    if (problem) {
      ctx.addIssue({
        code: "custom",
        message: problem,
        ...(typeof value === "string" ? {} : { path: ["url"] }),
      });
      return z.NEVER;
    }
    return { url: spec.url as string };
  });
}

/** Why a notifier URL is unusable, or undefined. The URL itself is never quoted: it may hold a token. */
export function endpointProblem(url: string, schemes: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (!schemes.includes(parsed.protocol)) {
    return `expected a ${schemes.map((s) => `${s}//`).join(" or ")} URL, got a ${parsed.protocol}// URL`;
  }
  return undefined;
}

/** One entry or a list of entries; always a list once parsed. */
function oneOrMany<T extends z.ZodType>(entry: T) {
  return z.preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(entry));
}

const emailAddress = z
  .string({ error: "expected an e-mail address" })
  .regex(/^[^\s@]+@[^\s@]+$/, { error: (iss) => `expected an e-mail address, got ${quote(iss.input)}` });

export const WEB_SCHEMES = ["http:", "https:"] as const;
export const SMTP_SCHEMES = ["smtp:", "smtps:"] as const;

const notify = z.strictObject({
  onSuccess: z.boolean().optional(),
  webhook: oneOrMany(
    z.strictObject({
      url: endpoint(WEB_SCHEMES),
      headers: z.record(z.string(), z.string({ error: "expected a string header value" })).optional(),
    }),
  ).optional(),
  slack: oneOrMany(z.strictObject({ url: endpoint(WEB_SCHEMES) })).optional(),
  smtp: oneOrMany(
    z.strictObject({
      url: endpoint(SMTP_SCHEMES),
      from: emailAddress,
      to: oneOrMany(emailAddress).pipe(z.array(emailAddress).min(1, "expected at least one address")),
    }),
  ).optional(),
});

/** Seconds from 0 (a grace of 0 skips any late run) up to a day. */
const graceSeconds = integer("expected a whole number of seconds from 0 to 86400", 0, 86_400);

const retention = z.strictObject({ days: positiveInteger, count: positiveInteger.optional() });

const timeouts = z.strictObject({
  connectSeconds: seconds.optional(),
  statementSeconds: seconds.optional(),
  lockSeconds: seconds.optional(),
  stallSeconds: seconds.optional(),
});

const include = z
  .strictObject({
    schemas: z.array(nonEmptyString).min(1, "expected at least one schema").optional(),
    tables: z.array(tableName).min(1, "expected at least one table").optional(),
  })
  .refine((v) => v.schemas !== undefined || v.tables !== undefined, {
    error: 'expected at least one of "schemas", "tables"',
  });

const exclude = z.strictObject({
  schemas: z.array(nonEmptyString).optional(),
  tables: z.array(tableName).optional(),
});

/** The fields of a profile, all optional; also the shape of `defaults`. */
export const profileInputSchema = z.strictObject({
  source: connection.optional(),
  destination: connection.optional(),
  schedule: schedule.optional(),
  retention: retention.optional(),
  timeouts: timeouts.optional(),
  parallelism: integer("expected an integer from 1 to 32", 1, 32).optional(),
  splitTablesLargerThan: size.optional(),
  verify: z.enum(["counts", "checksum"]).optional(),
  include: include.optional(),
  exclude: exclude.optional(),
  structureOnly: z.array(tableName).optional(),
  allowProduction: z.boolean().optional(),
  includePrivileges: z.boolean().optional(),
  copyDatabaseSettings: z.boolean().optional(),
  force: z.boolean().optional(),
  lockWait: z.enum(["fail", "wait"]).optional(),
  notify: notify.optional(),
  misfireGraceSeconds: graceSeconds.optional(),
  masking: maskingSchema(secret("masking-key")).optional(),
  subset: subsetSchema.optional(),
  archive: z
    .strictObject({
      store: nonEmptyString,
      compress: z.enum(["zstd", "gzip", "none"]).optional(),
      retention: z
        .strictObject({ days: positiveInteger.optional(), count: positiveInteger.optional() })
        .optional(),
      key: secret("archive-key").optional(),
    })
    .optional(),
});

/** Keys only a profile may set: `defaults` also reaches the built-in `backup`, which must copy every row as it is. */
const PROFILE_ONLY_KEYS = ["masking", "subset"] as const;

const defaultsSchema = profileInputSchema.superRefine((d, ctx) => {
  for (const key of PROFILE_ONLY_KEYS) {
    if (d[key] !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `only a profile may set "${key}" ("defaults" also reaches the built-in backup profile)`,
      });
  }
});

const profileName = z
  .string()
  .regex(PROFILE_NAME, {
    error: (iss) => `invalid profile name ${quote(iss.input)}: use only letters, digits, "_", "." and "-"`,
  })
  .refine((name) => name !== "__proto__" && !/^\.+$/.test(name), {
    error: (iss) => `invalid profile name ${quote(iss.input)}`,
  });

export const configFileSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  profiles: z.record(profileName, profileInputSchema).optional(),
  shutdownGraceSeconds: graceSeconds.optional(),
  http: z
    .strictObject({
      port: integer("expected a port number from 0 to 65535", 0, 65_535),
      host: nonEmptyString.optional(),
      token: secretSpec.optional(),
    })
    .optional(),
});

export interface ConfigFileInput {
  readonly defaults?: ProfileInput;
  readonly profiles?: Readonly<Record<string, ProfileInput>>;
  readonly shutdownGraceSeconds?: number;
  readonly http?: { readonly port: number; readonly host?: string; readonly token?: SecretSpec };
}

// The same check for the notify section, whose lists are normalised by a preprocess step.
type NotifyCheck = z.output<typeof notify> extends NotifyInput ? true : never;
const _notifyCheck: NotifyCheck = true;
void _notifyCheck;

// Compile-time check that the schema's output matches the hand-written types.
type SchemaCheck = z.output<typeof configFileSchema> extends ConfigFileInput ? true : never;
const _schemaCheck: SchemaCheck = true;
void _schemaCheck;

/** Every key the config format knows, for "did you mean" hints. */
const KNOWN_KEYS = [
  "defaults",
  "profiles",
  "url",
  "env",
  "cron",
  "days",
  "connectSeconds",
  "statementSeconds",
  "lockSeconds",
  "stallSeconds",
  "schemas",
  "tables",
  "onSuccess",
  "webhook",
  "slack",
  "smtp",
  "headers",
  "from",
  "to",
  "port",
  "host",
  "token",
  "shutdownGraceSeconds",
  "http",
  "key",
  "strict",
  "rules",
  "keep",
  "fixed",
  "shift-days",
  "sql",
  "roots",
  "follow",
  "others",
  "store",
  "compress",
  "count",
  ...Object.keys(profileInputSchema.shape),
];

/** Error map for the messages zod words itself: short, and never quoting a value that could be secret. */
export function errorMap(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      return `expected ${iss.expected === "int" ? "an integer" : iss.expected}, got ${typeName(iss.input)}`;
    case "invalid_value":
      return `expected one of ${iss.values.map((v) => quote(v)).join(", ")}, got ${quote(iss.input)}`;
    default:
      return undefined;
  }
}

/** Turns zod issues into `key.path: message` lines. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) lines.push(`${formatPath([...path, key])}: ${unknownKeyMessage(key)}`);
    } else if (issue.code === "invalid_key") {
      for (const inner of issue.issues) lines.push(`${formatPath(path)}: ${inner.message}`);
    } else {
      lines.push(`${formatPath(path)}: ${issue.message}`);
    }
  }
  return lines;
}

/** `profiles.dev.schedule.cron`; segments that are not plain words are quoted: `profiles["a.b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z0-9_-]+$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function unknownKeyMessage(key: string): string {
  const hint = suggest(key);
  return hint ? `unknown key (did you mean "${hint}"?)` : "unknown key";
}

function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === key ? undefined : best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Quotes a short, non-secret value for a message; long strings are cut. */
function quote(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return typeName(value);
}
