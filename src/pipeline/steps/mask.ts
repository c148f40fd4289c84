import type { SyncPlan } from "../../ddl/plan.js";
import { PgsyncError } from "../../errors.js";
import type { CatalogModel } from "../../introspect/model.js";
import { type MaskCatalog, readMaskCatalog } from "../../mask/catalog.js";
import { explainMaskedColumns } from "../../mask/explain.js";
import { maskSettings } from "../../mask/hmac.js";
import { maskingKey } from "../../mask/key.js";
import {
  maskingFingerprint,
  type Resolution,
  resolveMasking,
  unmaskedPersonalColumns,
} from "../../mask/resolve.js";
import { describeRule } from "../../mask/rules.js";
import type { RunContext } from "../context.js";
import type { MaskingReport } from "../options.js";
import type { Endpoints } from "./connect.js";

export interface MaskStepResult {
  readonly resolution?: Resolution;
  /** Bound before every COPY and digest of a masked table (the key's padded blocks). */
  readonly settings: Readonly<Record<string, string>>;
  /** The rules' fingerprint; null for a run without masking. */
  readonly fingerprint: string | null;
  readonly report?: MaskingReport;
  /** Read once for masking; the subset reuses its foreign keys. */
  readonly catalog?: MaskCatalog;
}

/** The number of names listed in a warning before "and N more". */
const LISTED = 20;

/**
 * A stage of the "plan" step: the masking rules resolved against the source's catalog, inside the
 * snapshot, before anything is written. A rule that cannot apply, or (strict mode) a column no rule
 * or keep covers, refuses the run here (a configuration error, exit 2); written expressions are
 * planned on the source with EXPLAIN. Any run warns about copied columns whose names look like
 * personal data and that nothing masks.
 */
export async function maskStep(
  ctx: RunContext,
  ends: Endpoints,
  input: { readonly model: CatalogModel; readonly plan: SyncPlan; readonly largeObjects: number },
): Promise<MaskStepResult> {
  const { model, plan, largeObjects } = input;
  const options = ctx.options.masking;
  const planned = plan.tables.map((t) => t.table);
  const copied = new Set(plan.tables.filter((t) => t.copyData).map((t) => t.table.oid));
  if (!options) {
    warnUnmasked(ctx, unmaskedPersonalColumns(planned, copied));
    return { settings: {}, fingerprint: null };
  }
  const key = maskingKey(options.key, ctx.options.env ?? process.env);
  const src = ends.source.client;
  const catalog = await readMaskCatalog(
    src,
    planned.map((t) => t.oid),
  );
  const rules = { rules: options.rules, keep: options.keep ?? [], strict: options.strict ?? false };
  const resolution = resolveMasking({
    allTables: model.tables,
    planned,
    copied,
    catalog,
    rules,
    largeObjects,
  });
  refuse("the masking rules cannot apply", resolution.problems);
  refuse(
    'strict masking: these are covered by no rule and no "keep" (add a rule, or list them in "keep")',
    resolution.uncovered,
  );
  const tables = new Map(planned.map((t) => [t.oid, t]));
  refuse("the masking rules cannot apply", await explainMaskedColumns(src, tables, resolution.columns));
  if (largeObjects > 0 && !rules.strict && !(rules.keep as readonly string[]).includes("large-objects"))
    ctx.warn(`the database's ${largeObjects} large object(s) are copied unmasked (no rule can mask them)`);
  warnUnmasked(ctx, unmaskedPersonalColumns(planned, copied, resolution.covers));
  const fingerprint = maskingFingerprint(options.rules, key);
  return {
    resolution,
    settings: maskSettings(key),
    fingerprint,
    catalog,
    report: {
      strict: rules.strict,
      fingerprint,
      columns: resolution.columns.map((c) => ({
        column: c.name,
        rule: describeRule(c.rule),
        ...(c.via ? { via: c.via } : {}),
      })),
    },
  };
}

function refuse(what: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  throw new PgsyncError("config", `${what}; nothing was written:\n  ${lines.join("\n  ")}`);
}

function warnUnmasked(ctx: RunContext, columns: readonly string[]): void {
  if (columns.length === 0) return;
  const listed = columns.slice(0, LISTED).join(", ");
  const more = columns.length > LISTED ? ` and ${columns.length - LISTED} more` : "";
  ctx.warn(
    `copying ${columns.length} column(s) unmasked whose names look like personal data: ${listed}${more} (a profile's "masking" can mask them; "pgsync-ts mask suggest" writes a start)`,
  );
}
