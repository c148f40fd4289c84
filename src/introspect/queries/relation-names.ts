import type pg from "pg";
import { z } from "zod";
import { queryRows, text } from "../rows.js";

/**
 * The name and kind of every relation a selection could name, in the given schemas (all of the
 * source's user schemas): the names a run's `--table`, `--exclude-table` and `--structure-only` are
 * checked against, and what a typo is compared with. Indexes, sequences and TOAST tables are left
 * out: no selection names them.
 */
const SQL = `
SELECT n.nspname AS schema, c.relname AS name,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END AS kind
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relnamespace = ANY($1::oid[])
ORDER BY n.nspname, c.relname`;

const Row = z.object({
  schema: text,
  name: text,
  kind: z.enum(["table", "view", "materialized view", "foreign table"]),
});

export interface RelationName {
  readonly schema: string;
  readonly name: string;
  readonly kind: "table" | "view" | "materialized view" | "foreign table";
}

export async function readRelationNames(
  client: pg.Client,
  schemaOids: readonly number[],
): Promise<RelationName[]> {
  const rows = await queryRows(client, "relation names", SQL, [schemaOids], Row);
  return rows.map((r) => ({ schema: r.schema, name: r.name, kind: r.kind }));
}
