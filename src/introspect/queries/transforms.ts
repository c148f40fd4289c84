import type pg from "pg";
import { z } from "zod";
import type { Transform } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";
import { CARRIED_TYPE } from "./casts.js";

// Transforms (CREATE TRANSFORM FOR type LANGUAGE lang) made by hand, database-wide like casts: for a
// type the run creates, or, when the whole database is read ($2), for any type.
const SQL = `
SELECT tr.oid, pg_catalog.format_type(tr.trftype, NULL) AS type, l.lanname AS language,
       CASE WHEN tr.trffromsql <> 0 THEN tr.trffromsql::pg_catalog.regprocedure::text END AS from_sql,
       CASE WHEN tr.trftosql <> 0 THEN tr.trftosql::pg_catalog.regprocedure::text END AS to_sql
FROM pg_catalog.pg_transform tr
JOIN pg_catalog.pg_language l ON l.oid = tr.trflang
WHERE tr.oid >= 16384 AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_transform", "tr.oid")}
  AND ($2 OR ${CARRIED_TYPE("tr.trftype")})
ORDER BY 2, 3`;

export const TransformRow = z.object({
  oid,
  type: text,
  language: text,
  from_sql: textOrNull,
  to_sql: textOrNull,
});
export type TransformRow = z.infer<typeof TransformRow>;

export function readTransforms(
  client: pg.Client,
  schemaOids: readonly number[],
  wholeDatabase: boolean,
): Promise<TransformRow[]> {
  return queryRows(client, "transforms", SQL, [schemaOids, wholeDatabase], TransformRow);
}

export function parseTransform(r: TransformRow): Transform {
  return {
    oid: r.oid,
    type: r.type,
    language: r.language,
    ...(r.from_sql !== null ? { fromSql: r.from_sql } : {}),
    ...(r.to_sql !== null ? { toSql: r.to_sql } : {}),
  };
}
