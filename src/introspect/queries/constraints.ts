import type pg from "pg";
import { z } from "zod";
import { nullsNotDistinct } from "../../sql/catalog-variants.js";
import type { Constraint, ConstraintKind } from "../model.js";
import { oid, queryRows, text, textArray, textOrNull } from "../rows.js";

// Constraints that a partition inherits from its parent (conparentid) are created by the parent's.
// Table NOT NULL constraints (contype 'n', 18+) are carried by the columns' NOT NULL. A primary key,
// unique or exclusion constraint names its index (conindid), whose storage parameters
// pg_get_constraintdef() leaves out.
// The constraints the server makes for partitions of a foreign key's table and of its referenced
// table (conparentid, at any depth), with their names: the source's names are history, not rules.
// One pass for every constraint's descendants (a correlated recursive query per foreign key would
// scan pg_constraint once per foreign key: pg_constraint has no index on conparentid).
const INHERITED_NAMES = `
  WITH RECURSIVE tree(top, oid) AS (
    SELECT ch.conparentid, ch.oid FROM pg_catalog.pg_constraint ch WHERE ch.conparentid <> 0
    UNION ALL
    SELECT tree.top, ch.oid FROM pg_catalog.pg_constraint ch JOIN tree ON ch.conparentid = tree.oid)
  SELECT tree.top,
         json_agg(json_build_object('table_schema', rn.nspname, 'table', r.relname,
                                    'referenced_schema', fn.nspname, 'referenced', f.relname, 'name', ch.conname)
                  ORDER BY rn.nspname, r.relname, fn.nspname, f.relname, ch.conname) AS names
  FROM tree JOIN pg_catalog.pg_constraint ch ON ch.oid = tree.oid
  JOIN pg_catalog.pg_class r ON r.oid = ch.conrelid JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
  JOIN pg_catalog.pg_class f ON f.oid = ch.confrelid JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
  GROUP BY tree.top`;

const sql = (major: number) => `
SELECT co.oid, co.conrelid AS table_oid, n.nspname AS schema, c.relname AS table_name, co.conname AS name,
       co.contype::text AS kind, pg_catalog.pg_get_constraintdef(co.oid) AS definition,
       co.confrelid AS referenced_table_oid, co.convalidated AS validated,
       CASE WHEN co.contype = 'f' THEN json_build_object('schema', rn.nspname, 'name', rc.relname) END AS referenced_table,
       (co.contype = 'f' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
          WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = co.confrelid AND e.deptype = 'e')) AS references_extension_table,
       CASE WHEN co.contype IN ('p', 'u', 'x') THEN ic.relname END AS index_name,
       CASE WHEN co.contype IN ('p', 'u', 'x') THEN coalesce(ic.reloptions, '{}') ELSE '{}' END::text[] AS index_options,
       CASE WHEN co.contype = 'u' THEN ${nullsNotDistinct(major, "co.conindid")} ELSE false END AS nulls_not_distinct,
       -- The plain partitioned index (not a constraint's) that this partition's key index is attached to.
       (SELECT json_build_object('schema', pn.nspname, 'name', pic.relname)
          FROM pg_catalog.pg_inherits ih JOIN pg_catalog.pg_class pic ON pic.oid = ih.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = pic.relnamespace
         WHERE co.contype IN ('p', 'u', 'x') AND ih.inhrelid = co.conindid
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint pc WHERE pc.conindid = ih.inhparent)) AS index_attached_to,
       CASE WHEN co.contype = 'f' THEN inherited.names END AS inherited_names
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class ic ON ic.oid = co.conindid
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN (${INHERITED_NAMES}) inherited ON inherited.top = co.oid
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
  referenced_table: z.object({ schema: text, name: text }).nullable().default(null),
  references_extension_table: z.boolean().default(false),
  index_name: textOrNull.default(null),
  index_options: textArray.default([]),
  nulls_not_distinct: z.boolean().default(false),
  index_attached_to: z.object({ schema: text, name: text }).nullable().default(null),
  inherited_names: z
    .array(
      z.object({ table_schema: text, table: text, referenced_schema: text, referenced: text, name: text }),
    )
    .nullable()
    .default(null),
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
    ...(r.referenced_table !== null ? { referencedTable: r.referenced_table } : {}),
    ...(r.references_extension_table ? { referencesExtensionTable: true } : {}),
    ...(r.index_name !== null ? { index: r.index_name } : {}),
    ...(r.index_options.length > 0 ? { indexOptions: r.index_options } : {}),
    ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    ...(r.index_attached_to !== null ? { indexAttachedTo: r.index_attached_to } : {}),
    ...(r.inherited_names && r.inherited_names.length > 0
      ? {
          inheritedNames: r.inherited_names.map((i) => ({
            table: { schema: i.table_schema, name: i.table },
            referenced: { schema: i.referenced_schema, name: i.referenced },
            name: i.name,
          })),
        }
      : {}),
  };
}
