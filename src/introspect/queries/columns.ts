import type pg from "pg";
import { z } from "zod";
import { int, oid, queryRows, text, textOrNull } from "../rows.js";

// binary_safe: COPY's binary format embeds type OIDs in arrays and composites, which differ between
// databases for user types. Core base types (OID below 16384) with send/receive functions, arrays
// of them, built-in ranges and multiranges (sent as their bounds), and enums (sent as their label)
// read back identically on any server.
const SQL = `
SELECT a.attrelid AS table_oid, a.attnum AS position, a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.atttypid AS type_oid,
       a.attnotnull AS not_null, a.attislocal AS is_local, a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       cn.nspname AS collation_schema, co.collname AS collation_name,
       (SELECT d.objid FROM pg_catalog.pg_depend d
         WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
           AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'i' LIMIT 1) AS identity_sequence_oid,
       (t.typtype = 'e'
        OR (t.oid < 16384 AND t.typtype IN ('b', 'r', 'm') AND t.typsend <> 0 AND t.typreceive <> 0
            AND (t.typelem = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_type e
                   WHERE e.oid = t.typelem AND e.oid < 16384 AND e.typtype = 'b' AND e.typsend <> 0 AND e.typreceive <> 0)))
       ) AS binary_safe
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

export const ColumnRow = z.object({
  table_oid: oid,
  position: int,
  name: text,
  type: text,
  type_oid: oid,
  not_null: z.boolean(),
  is_local: z.boolean(),
  identity: z.enum(["", "a", "d"]),
  generated: z.enum(["", "s", "v"]),
  default_expr: textOrNull,
  collation_schema: textOrNull,
  collation_name: textOrNull,
  identity_sequence_oid: oid.nullable(),
  binary_safe: z.boolean(),
});
export type ColumnRow = z.infer<typeof ColumnRow>;

export async function readColumns(client: pg.Client, tableOids: readonly number[]): Promise<ColumnRow[]> {
  return queryRows(client, "columns", SQL, [tableOids], ColumnRow);
}
