import type pg from "pg";
import { z } from "zod";
import { NOT_EXTENSION_MEMBER, num, oid, queryRows, text, textArray } from "../rows.js";

// Plain tables only; partitioned tables, partitions and inheritance children are reported as not
// carried by the inventory until the engine supports them.
const SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relpersistence::text AS persistence,
       coalesce(c.reloptions, '{}')::text[] AS options,
       pg_catalog.pg_table_size(c.oid) AS bytes,
       c.reltuples::float8 AS estimated_rows
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relnamespace = ANY($1::oid[]) AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const TableRow = z.object({
  oid,
  schema: text,
  name: text,
  persistence: z.enum(["p", "u", "t"]),
  options: textArray,
  bytes: num,
  estimated_rows: num,
});
export type TableRow = z.infer<typeof TableRow>;

export async function readTables(client: pg.Client, schemaOids: readonly number[]): Promise<TableRow[]> {
  return queryRows(client, "tables", SQL, [schemaOids], TableRow);
}
