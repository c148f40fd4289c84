import type pg from "pg";
import { z } from "zod";
import { relationAccessMethod } from "../../sql/catalog-variants.js";
import type { View } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textArray, textOrNull } from "../rows.js";

// Views and materialized views. reloptions carries security_barrier, security_invoker (15+) and
// check_option; relispopulated says whether a materialized view holds data. A materialized view may
// use a table access method other than heap.
const sql = (major: number) => `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       pg_catalog.pg_get_viewdef(c.oid) AS definition,
       coalesce(c.reloptions, '{}')::text[] AS options,
       c.relispopulated AS populated,
       CASE WHEN c.relkind = 'm' THEN ${relationAccessMethod(major, "c")} END AS access_method,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
       coalesce((SELECT json_agg(json_build_object(
                   'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                   'collation', CASE WHEN a.attcollation <> t.typcollation
                                     THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END)
                   ORDER BY a.attnum)
                 FROM pg_catalog.pg_attribute a
                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                 LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS column_types
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")}
ORDER BY n.nspname, c.relname`;

export const ViewRow = z.object({
  oid,
  schema: text,
  name: text,
  kind: z.enum(["v", "m"]),
  definition: text,
  options: textArray,
  populated: z.boolean(),
  columns: textArray,
  column_types: z.array(z.object({ type: text, collation: textOrNull })),
  access_method: textOrNull.default(null),
});
export type ViewRow = z.infer<typeof ViewRow>;

export function readViews(
  client: pg.Client,
  schemaOids: readonly number[],
  major: number,
): Promise<ViewRow[]> {
  return queryRows(client, "views", sql(major), [schemaOids], ViewRow);
}

export function parseView(r: ViewRow): View {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    materialized: r.kind === "m",
    definition: r.definition.trim().replace(/;$/, ""),
    columns: r.columns,
    columnTypes: r.column_types.map((c) => ({
      type: c.type,
      ...(c.collation !== null ? { collation: c.collation } : {}),
    })),
    options: r.options,
    populated: r.populated,
    ...(r.access_method !== null ? { accessMethod: r.access_method } : {}),
  };
}
