import type { SourceRows } from "../copy/source-rows.js";
import type { SyncPlan, TablePlan } from "../ddl/plan.js";
import { quoteIdent, quoteLiteral } from "../sql/quote.js";

/**
 * The digest of a staged table whose reg* columns name staged objects (TablePlan.nameValues): in
 * staging they print with the staging schema (`_pgsync_stage_…_1.users`) where the source prints
 * the live one (`app.users`), so each such column is digested as its text with each staging schema
 * put back to its live schema's name. (A reg* array element whose live schema name needs quotes is
 * printed with escaped quotes by the array, which this text replacement does not reproduce: such a
 * table's checksum differs although its values are right.)
 */
export function stagedNameReads(plan: SyncPlan, t: TablePlan): SourceRows | undefined {
  if (!t.nameValues) return undefined;
  const expressions = new Map(
    [...t.nameValues.columns.keys()].map((column) => {
      let sql = `t.${quoteIdent(column)}::pg_catalog.text`;
      for (const s of plan.schemas)
        sql = `pg_catalog.replace(${sql}, ${quoteLiteral(`${s.staging}.`)}, pg_catalog.quote_ident(${quoteLiteral(s.name)}) || '.')`;
      return [column, { sql, type: "pg_catalog.text" }] as const;
    }),
  );
  return { expressions };
}
