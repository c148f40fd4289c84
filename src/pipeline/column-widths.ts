import type pg from "pg";
import { z } from "zod";
import { queryRows } from "../db/rows.js";
import type { SyncPlan } from "../ddl/plan.js";

/**
 * The average width of each column (pg_stats.avg_width, from the source's last ANALYZE) of the
 * tables with a GIN index on plain columns: a GIN build's cost follows the bytes of the values it
 * indexes, not the table's (a jsonb column that is most of a row costs several times a small one's).
 * Statistics need not be there: a table without them gets none, and its estimate a default share.
 */
export type ColumnWidths = ReadonlyMap<number, ReadonlyMap<string, number>>;

const WidthRow = z.object({ oid: z.coerce.number(), column: z.string(), width: z.coerce.number() });

export async function readColumnWidths(source: pg.Client, plan: SyncPlan): Promise<ColumnWidths> {
  const tables = plan.tables.filter(
    (t) => t.copyData && t.indexes.some((s) => s.build?.kind === "index" && s.build.method === "gin"),
  );
  const widths = new Map<number, Map<string, number>>();
  if (tables.length === 0) return widths;
  const rows = await queryRows(
    source,
    "column widths",
    `SELECT c.oid, s.attname AS column, s.avg_width AS width
       FROM pg_catalog.pg_stats s
       JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
       JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
      WHERE c.oid = ANY($1::pg_catalog.oid[]) AND NOT s.inherited`,
    [tables.map((t) => t.table.oid)],
    WidthRow,
  );
  for (const r of rows) {
    const of = widths.get(r.oid) ?? new Map<string, number>();
    of.set(r.column, r.width);
    widths.set(r.oid, of);
  }
  return widths;
}
