import type pg from "pg";
import { z } from "zod";
import { nullsNotDistinct } from "../../sql/catalog-variants.js";
import type { Constraint, ConstraintKind } from "../model.js";
import { oid, queryRows, text, textArray, textOrNull } from "../rows.js";

// Constraints that a partition inherits from its parent (conparentid) are created by the parent's.
// Table NOT NULL constraints (contype 'n', 18+) are carried by the columns' NOT NULL. A primary key,
// unique or exclusion constraint names its index (conindid), whose storage parameters
// pg_get_constraintdef() leaves out.
const sql = (major: number) => `
SELECT co.oid, co.conrelid AS table_oid, n.nspname AS schema, c.relname AS table_name, co.conname AS name,
       co.contype::text AS kind, pg_catalog.pg_get_constraintdef(co.oid) AS definition,
       co.confrelid AS referenced_table_oid, co.convalidated AS validated,
       CASE WHEN co.contype IN ('p', 'u', 'x') THEN ic.relname END AS index_name,
       CASE WHEN co.contype IN ('p', 'u', 'x') THEN coalesce(ic.reloptions, '{}') ELSE '{}' END::text[] AS index_options,
       CASE WHEN co.contype = 'u' THEN ${nullsNotDistinct(major, "co.conindid")} ELSE false END AS nulls_not_distinct
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class ic ON ic.oid = co.conindid
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
  // Defaults: what a constraint has unless it was changed (rows built by hand may leave them out).
  validated: z.boolean().default(true),
  index_name: textOrNull.default(null),
  index_options: textArray.default([]),
  nulls_not_distinct: z.boolean().default(false),
});
export type ConstraintRow = z.infer<typeof ConstraintRow>;

export async function readConstraints(
  client: pg.Client,
  tableOids: readonly number[],
  major: number,
): Promise<ConstraintRow[]> {
  return queryRows(client, "constraints", sql(major), [tableOids], ConstraintRow);
}

const CONSTRAINT_KINDS: Record<ConstraintRow["kind"], ConstraintKind> = {
  p: "primary key",
  u: "unique",
  c: "check",
  f: "foreign key",
  x: "exclusion",
};

export function parseConstraint(r: ConstraintRow): Constraint {
  return {
    oid: r.oid,
    table: { schema: r.schema, name: r.table_name },
    tableOid: r.table_oid,
    name: r.name,
    kind: CONSTRAINT_KINDS[r.kind],
    definition: r.definition,
    ...(r.referenced_table_oid !== 0 ? { referencedTableOid: r.referenced_table_oid } : {}),
    ...(r.validated ? {} : { notValid: true }),
    ...(r.index_name !== null ? { index: r.index_name } : {}),
    ...(r.index_options.length > 0 ? { indexOptions: r.index_options } : {}),
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
  };
}
