import type pg from "pg";
import type { SecretSpec } from "../config/types.js";
import type { SourceRows } from "../copy/source-rows.js";
import { planSubset, type SubsetRules } from "../copy/subset-plan.js";
import { PgsyncError } from "../errors.js";
import type { CatalogModel } from "../introspect/model.js";
import { readMaskCatalog } from "../mask/catalog.js";
import { maskSettings } from "../mask/hmac.js";
import { maskingKey } from "../mask/key.js";
import { type MaskingRules, resolveMasking } from "../mask/resolve.js";
import { describeRule } from "../mask/rules.js";

export interface SourceShapingOptions {
  readonly masking?: MaskingRules & { readonly key: SecretSpec };
  readonly subset?: SubsetRules;
  readonly env?: NodeJS.ProcessEnv;
}

export interface SourceShaping {
  /** What the source side of each table's digest reads (absent: the table as it is). */
  readonly rows: ReadonlyMap<number, SourceRows>;
  /** The masked columns and their rules, for the summary. */
  readonly masked: readonly { readonly column: string; readonly rule: string; readonly via?: string }[];
}

/**
 * `verify --profile` of a masked (or subsetted) profile: the source's digests are computed over the
 * masked values, and over the subset's rows, as a run would copy them now (in the verify's own
 * snapshot of the source: rows changed since the last run show as differences, as they should).
 */
export async function sourceShaping(
  client: pg.Client,
  model: CatalogModel,
  options: SourceShapingOptions,
): Promise<SourceShaping> {
  const tables = model.tables;
  const copied = new Set(tables.filter((t) => t.partitionKey === undefined).map((t) => t.oid));
  const catalog = await readMaskCatalog(
    client,
    tables.map((t) => t.oid),
  );
  const rows = new Map<number, SourceRows>();
  let masked: SourceShaping["masked"] = [];
  if (options.masking) {
    const key = maskingKey(options.masking.key, options.env ?? process.env);
    const resolution = resolveMasking({
      allTables: tables,
      planned: tables,
      copied,
      catalog,
      rules: { ...options.masking, strict: false },
      largeObjects: 0,
    });
    if (resolution.problems.length > 0)
      throw new PgsyncError(
        "config",
        `the masking rules cannot apply:\n  ${resolution.problems.join("\n  ")}`,
      );
    const settings = maskSettings(key);
    for (const [oid, columns] of resolution.byTable)
      rows.set(oid, {
        expressions: new Map([...columns].map(([name, c]) => [name, { sql: c.sql, type: c.type }])),
        settings,
      });
    masked = resolution.columns.map((c) => ({
      column: c.name,
      rule: describeRule(c.rule),
      ...(c.via ? { via: c.via } : {}),
    }));
  }
  if (options.subset) {
    const plan = await planSubset({
      client,
      planned: tables,
      copied,
      foreignKeys: catalog.foreignKeys,
      rules: options.subset,
    });
    for (const [oid, reads] of plan.reads) rows.set(oid, { ...rows.get(oid), reads });
  }
  return { rows, masked };
}
