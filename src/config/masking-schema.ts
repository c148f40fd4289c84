import { z } from "zod";
import { parseColumnName, parseTableName } from "./qualified-name.js";
import type { MaskingInput, MaskRuleSpec, SecretSpec, SubsetInput } from "./types.js";

/**
 * The `masking` and `subset` sections of a profile. Names are checked for their form here; whether
 * the tables and columns exist, and whether a transformer suits a column, is checked against the
 * source's catalog when a run plans (src/mask/resolve.ts).
 */

export const MASK_TRANSFORMERS = ["email", "phone", "name", "null", "hash"] as const;
/** The keep entry that lets a strict masking run carry the database's large objects. */
export const KEEP_LARGE_OBJECTS = "large-objects";
/** Widest shift a `shift-days` rule may ask for (a century). */
export const MAX_SHIFT_DAYS = 36_500;

const RULE_SHAPE = `expected one of ${MASK_TRANSFORMERS.map((t) => `"${t}"`).join(", ")}, { "fixed": "value" }, { "shift-days": N } or { "sql": "expression" }`;

const rule = z.unknown().transform((value, ctx): MaskRuleSpec => {
  if (typeof value === "string") {
    if ((MASK_TRANSFORMERS as readonly string[]).includes(value)) return value as MaskRuleSpec;
    ctx.addIssue({ code: "custom", message: `unknown transformer ${JSON.stringify(value)}: ${RULE_SHAPE}` });
    return z.NEVER;
  }
  const entries =
    typeof value === "object" && value !== null && !Array.isArray(value) ? Object.entries(value) : [];
  const [only] = entries;
  if (entries.length !== 1 || !only) {
    ctx.addIssue({ code: "custom", message: RULE_SHAPE });
    return z.NEVER;
  }
  const [kind, arg] = only;
  if (kind === "fixed" && typeof arg === "string") return { fixed: arg };
  if (kind === "sql" && typeof arg === "string" && arg.trim() !== "") return { sql: arg };
  if (kind === "shift-days") {
    if (typeof arg === "number" && Number.isInteger(arg) && arg >= 1 && arg <= MAX_SHIFT_DAYS)
      return { "shift-days": arg };
    ctx.addIssue({
      code: "custom",
      path: [kind],
      message: `expected a whole number of days from 1 to ${MAX_SHIFT_DAYS}`,
    });
    return z.NEVER;
  }
  const expected = kind === "fixed" ? "a string" : kind === "sql" ? "a non-empty SQL expression" : undefined;
  ctx.addIssue({
    code: "custom",
    ...(expected ? { path: [kind] } : {}),
    message: expected ? `expected ${expected}` : `unknown transformer "${kind}": ${RULE_SHAPE}`,
  });
  return z.NEVER;
});

const columnName = z.string().superRefine((name, ctx) => {
  if (!parseColumnName(name))
    ctx.addIssue({
      code: "custom",
      message: `expected a column "schema.table.column" (double-quote a part that holds a dot), got ${JSON.stringify(name)}`,
    });
});

const keepEntry = z.string({ error: 'expected a column "schema.table.column"' }).superRefine((name, ctx) => {
  if (name !== KEEP_LARGE_OBJECTS && !parseColumnName(name))
    ctx.addIssue({
      code: "custom",
      message: `expected a column "schema.table.column" or "${KEEP_LARGE_OBJECTS}", got ${JSON.stringify(name)}`,
    });
});

export function maskingSchema(key: z.ZodType<SecretSpec, unknown>) {
  return z
    .strictObject({
      key,
      strict: z.boolean().optional(),
      rules: z.record(columnName, rule),
      keep: z.array(keepEntry).optional(),
    })
    .superRefine((m, ctx) => {
      const kept = new Set(m.keep ?? []);
      for (const name of Object.keys(m.rules)) {
        if (kept.has(name))
          ctx.addIssue({
            code: "custom",
            path: ["keep"],
            message: `${name} has a rule and is also listed in "keep": choose one`,
          });
      }
    }) satisfies z.ZodType<MaskingInput, unknown>;
}

const tableName = z.string().superRefine((name, ctx) => {
  if (!parseTableName(name))
    ctx.addIssue({ code: "custom", message: `expected a table "schema.table", got ${JSON.stringify(name)}` });
});

export const subsetSchema = z.strictObject({
  roots: z
    .record(tableName, z.string({ error: "expected an SQL condition" }).min(1, "expected an SQL condition"))
    .refine((r) => Object.keys(r).length > 0, { error: "expected at least one root table" }),
  follow: z.enum(["references", "both"]).optional(),
  others: z.enum(["whole", "empty"]).optional(),
}) satisfies z.ZodType<SubsetInput, unknown>;
