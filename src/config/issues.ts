import type { z } from "zod";
import { editDistance } from "../util/closest.js";

/**
 * How the config's problems read: one `key.path: message` line per zod issue, in words that never
 * quote a value that could be secret, with a "did you mean" for a key the format does not know.
 */

/** Every key the config format knows, for "did you mean" hints (schema.ts checks that every profile key is here). */
export const KNOWN_KEYS = [
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
  "source",
  "destination",
  "schedule",
  "retention",
  "timeouts",
  "parallelism",
  "splitTablesLargerThan",
  "verify",
  "include",
  "exclude",
  "structureOnly",
  "allowProduction",
  "includePrivileges",
  "copyDatabaseSettings",
  "force",
  "lockWait",
  "notify",
  "misfireGraceSeconds",
  "masking",
  "subset",
  "archive",
] as const;

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

export function unknownKeyMessage(key: string): string {
  const hint = suggest(key);
  return hint ? `unknown key (did you mean "${hint}"?)` : "unknown key";
}

function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best === key ? undefined : best;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Quotes a short, non-secret value for a message; long strings are cut. */
export function quote(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return typeName(value);
}
