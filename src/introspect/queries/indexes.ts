import type pg from "pg";
import { z } from "zod";
import { oid, queryRows, text } from "../rows.js";

// A partition's index attached to its parent's index is created by the parent's.
// Indexes that back a primary key, unique or exclusion constraint are created by the constraint.
const SQL = `
SELECT i.indexrelid AS oid, i.indrelid AS table_oid, n.nspname AS schema, c.relname AS table_name,
       ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = ANY($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits ih WHERE ih.inhrelid = i.indexrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                  WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
ORDER BY n.nspname, c.relname, ic.relname`;

export const IndexRow = z.object({
  oid,
  table_oid: oid,
  schema: text,
  table_name: text,
  name: text,
  definition: text,
});
export type IndexRow = z.infer<typeof IndexRow>;

export async function readIndexes(client: pg.Client, tableOids: readonly number[]): Promise<IndexRow[]> {
  return queryRows(client, "indexes", SQL, [tableOids], IndexRow);
}
