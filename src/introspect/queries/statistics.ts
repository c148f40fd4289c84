import type pg from "pg";
import { z } from "zod";
import type { StatisticsObject } from "../model.js";
import { int, NOT_EXTENSION_MEMBER, oid, queryRows, text } from "../rows.js";

// Extended statistics objects on the copied relations. The statistics target is -1 for the default
// up to 16 and NULL from 17 on (where -1 is stored as NULL): both read as NULL here.
const SQL = `
SELECT s.oid, n.nspname AS schema, s.stxname AS name, s.stxrelid AS table_oid,
       tn.nspname AS table_schema, c.relname AS table_name,
       pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition,
       NULLIF(s.stxstattarget::int, -1) AS target
FROM pg_catalog.pg_statistic_ext s
JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid
JOIN pg_catalog.pg_namespace tn ON tn.oid = c.relnamespace
WHERE s.stxrelid = ANY($1::oid[]) AND s.stxnamespace = ANY($2::oid[])
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_statistic_ext", "s.oid")}
ORDER BY n.nspname, s.stxname`;

export const StatisticsRow = z.object({
  oid,
  schema: text,
  name: text,
  table_oid: oid,
  table_schema: text,
  table_name: text,
  definition: text,
  target: int.nullable(),
});
export type StatisticsRow = z.infer<typeof StatisticsRow>;

export function readStatistics(
  client: pg.Client,
  relationOids: readonly number[],
  schemaOids: readonly number[],
): Promise<StatisticsRow[]> {
  return queryRows(client, "statistics objects", SQL, [relationOids, schemaOids], StatisticsRow);
}

export function parseStatistics(r: StatisticsRow): StatisticsObject {
  return {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    table: { schema: r.table_schema, name: r.table_name },
    tableOid: r.table_oid,
    definition: r.definition,
    ...(r.target !== null ? { target: r.target } : {}),
  };
}
