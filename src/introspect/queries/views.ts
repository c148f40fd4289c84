import type pg from "pg";
import { z } from "zod";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textArray } from "../rows.js";

// Views and materialized views. reloptions carries security_barrier, security_invoker (15+) and
// check_option; relispopulated says whether a materialized view holds data.
const SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       pg_catalog.pg_get_viewdef(c.oid) AS definition,
       coalesce(c.reloptions, '{}')::text[] AS options,
       c.relispopulated AS populated,
       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
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
});
export type ViewRow = z.infer<typeof ViewRow>;

export function readViews(client: pg.Client, schemaOids: readonly number[]): Promise<ViewRow[]> {
  return queryRows(client, "views", SQL, [schemaOids], ViewRow);
}
