import { Cron } from "croner";
import { z } from "zod";
import { registerSecret, type SecretKind } from "../util/redact.js";
import { quote, typeName, unknownKeyMessage } from "./issues.js";
import type { ConnectionSpec, EndpointSpec, SecretSpec } from "./types.js";
import { checkPostgresUrl } from "./url.js";

/**
 * The schemas of the config's values (sizes, seconds, connections, secrets, cron expressions, time
 * zones, notifier endpoints), each with a message that says what was expected; schema.ts puts them
 * together into the file's shape.
 */

export const PROFILE_NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE_NAME = /^[^.]+\.[^.]+$/;
/** Seconds that still fit a postgres millisecond setting (int32). */
const MAX_SECONDS = 2_147_483;

export function integer(message: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

export const positiveInteger = integer("expected a positive integer", 1);

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};
const SIZE = /^(\d+)\s*(B|kB|MB|GB|TB)$/;

/** Bytes: a whole number, or a string with one of PostgreSQL's units (`"256MB"`, 1024-based). */
export const size = z.unknown().transform((value, ctx): number => {
  const message = `expected a size such as "256MB" or "1GB" (units B, kB, MB, GB, TB), or a whole number of bytes, got ${typeof value === "string" ? quote(value) : typeName(value)}`;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  const m = typeof value === "string" ? SIZE.exec(value.trim()) : null;
  const bytes = m ? Number(m[1]) * (SIZE_UNITS[m[2] as string] ?? 1) : Number.NaN;
  if (Number.isSafeInteger(bytes)) return bytes;
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
});
const seconds = integer(`expected a whole number of seconds from 1 to ${MAX_SECONDS}`, 1, MAX_SECONDS);
export const nonEmptyString = z
  .string({ error: "expected a non-empty string" })
  .min(1, "expected a non-empty string");
export const tableName = z
  .string({ error: 'expected a table name "schema.table"' })
  .regex(TABLE_NAME, { error: (iss) => `expected a table name "schema.table", got ${quote(iss.input)}` });

/** `"postgres://..."`, `{ "url": "postgres://..." }` or `{ "env": "VARIABLE" }`. */
export const connection = z.unknown().transform((value, ctx): ConnectionSpec => {
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
  return envReference(obj.env, ctx);
});

/** `{ "env": "VARIABLE" }`: the variable's name, checked. */
function envReference(name: unknown, ctx: z.RefinementCtx): { env: string } {
  if (typeof name === "string" && ENV_NAME.test(name)) return { env: name };
  ctx.addIssue({
    code: "custom",
    message: `expected an environment variable name, got ${quote(name)}`,
    path: ["env"],
  });
  return z.NEVER;
}

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
export function secret(kind: SecretKind) {
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
export const secretSpec = secret("status-token");

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

export const schedule = z.strictObject({ cron, timezone: timezone.default("UTC") });

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
    if ("env" in spec) return envReference(spec.env, ctx);
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

export const notify = z.strictObject({
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
export const graceSeconds = integer("expected a whole number of seconds from 0 to 86400", 0, 86_400);

export const retention = z.strictObject({ days: positiveInteger, count: positiveInteger.optional() });

export const timeouts = z.strictObject({
  connectSeconds: seconds.optional(),
  statementSeconds: seconds.optional(),
  lockSeconds: seconds.optional(),
  stallSeconds: seconds.optional(),
});

export const include = z
  .strictObject({
    schemas: z.array(nonEmptyString).min(1, "expected at least one schema").optional(),
    tables: z.array(tableName).min(1, "expected at least one table").optional(),
  })
  .refine((v) => v.schemas !== undefined || v.tables !== undefined, {
    error: 'expected at least one of "schemas", "tables"',
  });

export const exclude = z.strictObject({
  schemas: z.array(nonEmptyString).optional(),
  tables: z.array(tableName).optional(),
});
