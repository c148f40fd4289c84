import type pg from "pg";
import { z } from "zod";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

// Functions and procedures: pg_get_functiondef() renders a complete CREATE statement (arguments
// with defaults, VARIADIC, RETURNS TABLE/SETOF, volatility, strictness, SECURITY DEFINER, PARALLEL,
// COST/ROWS, SET options, and SQL-standard bodies). Aggregates are rendered from pg_aggregate.
const SQL = `
SELECT p.oid, n.nspname AS schema, p.proname AS name, p.prokind::text AS kind,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_args,
       CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
       l.lanname AS language
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = ANY($1::oid[]) AND p.prokind IN ('f', 'p', 'a')
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")}
  -- Constructors of range and multirange types belong to their type, which creates them.
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
ORDER BY n.nspname, p.proname, 5`;

export const RoutineRow = z.object({
  oid,
  schema: text,
  name: text,
  kind: z.enum(["f", "p", "a"]),
  identity_args: text,
  definition: textOrNull,
  language: text,
});
export type RoutineRow = z.infer<typeof RoutineRow>;

export function readRoutines(client: pg.Client, schemaOids: readonly number[]): Promise<RoutineRow[]> {
  return queryRows(client, "routines", SQL, [schemaOids], RoutineRow);
}

// Aggregates, by parts (there is no pg_get_aggregatedef).
const AGG_SQL = `
SELECT a.aggfnoid::oid AS oid,
       a.aggtransfn::regprocedure::text AS sfunc_sig, a.aggtransfn::regproc::text AS sfunc,
       pg_catalog.format_type(a.aggtranstype, NULL) AS stype,
       CASE WHEN a.aggfinalfn <> 0 THEN a.aggfinalfn::regproc::text END AS finalfunc,
       CASE WHEN a.aggcombinefn <> 0 THEN a.aggcombinefn::regproc::text END AS combinefunc,
       a.agginitval AS initcond, a.aggkind::text AS kind,
       CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::regoperator::text END AS sortop,
       a.aggfinalextra AS finalfunc_extra, a.aggtransspace AS sspace,
       p.proparallel::text AS parallel
FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
WHERE a.aggfnoid::oid = ANY($1::oid[])`;

export const AggregateRow = z.object({
  oid,
  sfunc_sig: text,
  sfunc: text,
  stype: text,
  finalfunc: textOrNull,
  combinefunc: textOrNull,
  initcond: textOrNull,
  kind: z.enum(["n", "o", "h"]),
  sortop: textOrNull,
  finalfunc_extra: z.boolean(),
  sspace: z.coerce.number(),
  parallel: z.enum(["s", "r", "u"]),
});
export type AggregateRow = z.infer<typeof AggregateRow>;

export function readAggregates(client: pg.Client, oids: readonly number[]): Promise<AggregateRow[]> {
  return queryRows(client, "aggregates", AGG_SQL, [oids], AggregateRow);
}
