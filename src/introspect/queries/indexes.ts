import type pg from "pg";
import { z } from "zod";
import { nullsNotDistinct } from "../../sql/catalog-variants.js";
import type { Index } from "../model.js";
import { oid, queryRows, text, textOrNull } from "../rows.js";

// Indexes that back a primary key, unique or exclusion constraint are created by the constraint,
// and so is a partition's index attached to such an index of its parent. A partition's index
// attached to its parent's plain index is read with that parent index (attached_*): the plan builds
// it on the partition and attaches it, so that the parent index is valid exactly where the source's is.
const sql = (major: number) => `
SELECT i.indexrelid AS oid, i.indrelid AS table_oid, n.nspname AS schema, c.relname AS table_name,
       ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
       pn.nspname AS attached_schema, pic.relname AS attached_name,
       ${nullsNotDistinct(major, "i.indexrelid")} AS nulls_not_distinct
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits ih ON ih.inhrelid = i.indexrelid
LEFT JOIN pg_catalog.pg_class pic ON pic.oid = ih.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pic.relnamespace
WHERE i.indrelid = ANY($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                  WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint pco
                  WHERE pco.conindid = ih.inhparent AND pco.contype IN ('p', 'u', 'x'))
ORDER BY n.nspname, c.relname, ic.relname`;

export const IndexRow = z.object({
  oid,
  table_oid: oid,
  schema: text,
  table_name: text,
  name: text,
  definition: text,
  // Defaults: what an index has unless it was changed (rows built by hand may leave them out).
  attached_schema: textOrNull.default(null),
  attached_name: textOrNull.default(null),
  nulls_not_distinct: z.boolean().default(false),
});
export type IndexRow = z.infer<typeof IndexRow>;

export async function readIndexes(
  client: pg.Client,
  tableOids: readonly number[],
  major: number,
): Promise<IndexRow[]> {
  return queryRows(client, "indexes", sql(major), [tableOids], IndexRow);
}

export function parseIndex(r: IndexRow): Index {
  return {
    oid: r.oid,
    table: { schema: r.schema, name: r.table_name },
    tableOid: r.table_oid,
    name: r.name,
    definition: r.definition,
    ...(r.attached_schema !== null && r.attached_name !== null
      ? { attachedTo: { schema: r.attached_schema, name: r.attached_name } }
      : {}),
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
  };
}
