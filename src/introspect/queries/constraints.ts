import type pg from "pg";
import { z } from "zod";
import { oid, queryRows, text } from "../rows.js";

// Constraints that a partition inherits from its parent (conparentid) are created by the parent's.
// Table NOT NULL constraints (contype 'n', 18+) are carried by the columns' NOT NULL.
const SQL = `
SELECT co.oid, co.conrelid AS table_oid, n.nspname AS schema, c.relname AS table_name, co.conname AS name,
       co.contype::text AS kind, pg_catalog.pg_get_constraintdef(co.oid) AS definition,
       co.confrelid AS referenced_table_oid
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE co.conrelid = ANY($1::oid[]) AND co.contype IN ('p', 'u', 'c', 'f', 'x') AND co.conislocal AND co.conparentid = 0
ORDER BY n.nspname, c.relname, co.conname`;

export const ConstraintRow = z.object({
  oid,
  table_oid: oid,
  schema: text,
  table_name: text,
  name: text,
  kind: z.enum(["p", "u", "c", "f", "x"]),
  definition: text,
  referenced_table_oid: oid,
});
export type ConstraintRow = z.infer<typeof ConstraintRow>;

export async function readConstraints(
  client: pg.Client,
  tableOids: readonly number[],
): Promise<ConstraintRow[]> {
  return queryRows(client, "constraints", SQL, [tableOids], ConstraintRow);
}
