import type pg from "pg";
import { z } from "zod";
import { NOT_EXTENSION_MEMBER, num, oid, queryRows, text, textArray, textOrNull } from "../rows.js";

// Ordinary and partitioned tables, partitions and inheritance children. A partition is created
// with PARTITION OF its parent; an inheritance child with INHERITS.
const SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
       coalesce(c.reloptions, '{}')::text[] AS options,
       pg_catalog.pg_table_size(c.oid) AS bytes,
       c.reltuples::float8 AS estimated_rows,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       coalesce((SELECT json_agg(json_build_object('schema', pn.nspname, 'name', p.relname) ORDER BY i.inhseqno)
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid), '[]') AS parents,
       c.relispartition AS is_partition, c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const TableRow = z.object({
  oid,
  schema: text,
  name: text,
  kind: z.enum(["r", "p"]),
  persistence: z.enum(["p", "u", "t"]),
  options: textArray,
  bytes: num,
  estimated_rows: num,
  partition_key: textOrNull,
  partition_bound: textOrNull,
  parents: z.array(z.object({ schema: text, name: text })),
  is_partition: z.boolean(),
  row_security: z.boolean(),
  force_row_security: z.boolean(),
});
export type TableRow = z.infer<typeof TableRow>;

export async function readTables(client: pg.Client, schemaOids: readonly number[]): Promise<TableRow[]> {
  return queryRows(client, "tables", SQL, [schemaOids], TableRow);
}
