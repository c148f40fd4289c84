import type pg from "pg";
import { z } from "zod";
import type { Aggregate, AggregateFinal, FinalModify, Routine } from "../model.js";
import { catalogError, NOT_EXTENSION_MEMBER, num, oid, queryRows, text, textOrNull } from "../rows.js";

// Functions and procedures: pg_get_functiondef() renders a complete CREATE statement (arguments
// with defaults, VARIADIC, RETURNS TABLE/SETOF, volatility, strictness, SECURITY DEFINER, PARALLEL,
// COST/ROWS, SET options, and SQL-standard bodies), window functions included. Aggregates are read
// from pg_aggregate.
const SQL = `
SELECT p.oid, n.nspname AS schema, p.proname AS name, p.prokind::text AS kind,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_args,
       CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
       l.lanname AS language
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = ANY($1::oid[]) AND p.prokind IN ('f', 'p', 'a', 'w')
  AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")}
  -- Constructors of range and multirange types belong to their type, which creates them.
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
ORDER BY n.nspname, p.proname, 5`;

export const RoutineRow = z.object({
  oid,
  schema: text,
  name: text,
  // f function, p procedure, a aggregate, w window function (a function, WINDOW in its definition).
  kind: z.enum(["f", "p", "a", "w"]),
  identity_args: text,
  definition: textOrNull,
  language: text,
});
export type RoutineRow = z.infer<typeof RoutineRow>;

export function readRoutines(client: pg.Client, schemaOids: readonly number[]): Promise<RoutineRow[]> {
  return queryRows(client, "routines", SQL, [schemaOids], RoutineRow);
}

/** regproc text of a function column of pg_aggregate, NULL when it is not set (0). */
const fn = (column: string) => `CASE WHEN a.${column} <> 0 THEN a.${column}::pg_catalog.regproc::text END`;
const type = (column: string) =>
  `CASE WHEN a.${column} <> 0 THEN pg_catalog.format_type(a.${column}, NULL) END`;

// Aggregates, by parts (there is no pg_get_aggregatedef). Function and type names come qualified
// from regproc and format_type, since introspection runs with search_path = pg_catalog.
const AGG_SQL = `
SELECT a.aggfnoid::oid AS oid, a.aggkind::text AS kind,
       ${fn("aggtransfn")} AS sfunc, ${type("aggtranstype")} AS stype, a.aggtransspace AS sspace, a.agginitval AS initcond,
       ${fn("aggfinalfn")} AS finalfunc, a.aggfinalextra AS finalfunc_extra, a.aggfinalmodify::text AS finalfunc_modify,
       ${fn("aggcombinefn")} AS combinefunc, ${fn("aggserialfn")} AS serialfunc, ${fn("aggdeserialfn")} AS deserialfunc,
       ${fn("aggmtransfn")} AS msfunc, ${fn("aggminvtransfn")} AS minvfunc, ${type("aggmtranstype")} AS mstype,
       a.aggmtransspace AS msspace, a.aggminitval AS minitcond,
       ${fn("aggmfinalfn")} AS mfinalfunc, a.aggmfinalextra AS mfinalfunc_extra, a.aggmfinalmodify::text AS mfinalfunc_modify,
       CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::pg_catalog.regoperator::text END AS sortop,
       p.proparallel::text AS parallel
FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
WHERE a.aggfnoid::oid = ANY($1::oid[])`;

const Modify = z.enum(["r", "s", "w"]);

export const AggregateRow = z.object({
  oid,
  kind: z.enum(["n", "o", "h"]),
  sfunc: text,
  stype: text,
  sspace: num,
  initcond: textOrNull,
  finalfunc: textOrNull,
  finalfunc_extra: z.boolean(),
  finalfunc_modify: Modify.default("r"),
  combinefunc: textOrNull,
  serialfunc: textOrNull.default(null),
  deserialfunc: textOrNull.default(null),
  msfunc: textOrNull.default(null),
  minvfunc: textOrNull.default(null),
  mstype: textOrNull.default(null),
  msspace: num.default(0),
  minitcond: textOrNull.default(null),
  mfinalfunc: textOrNull.default(null),
  mfinalfunc_extra: z.boolean().default(false),
  mfinalfunc_modify: Modify.default("r"),
  sortop: textOrNull,
  parallel: z.enum(["s", "r", "u"]),
});
export type AggregateRow = z.infer<typeof AggregateRow>;

export function readAggregates(client: pg.Client, oids: readonly number[]): Promise<AggregateRow[]> {
  return queryRows(client, "aggregates", AGG_SQL, [oids], AggregateRow);
}

const MODIFY: Record<z.infer<typeof Modify>, FinalModify> = {
  r: "read-only",
  s: "shareable",
  w: "read-write",
};

const final = (func: string | null, extra: boolean): AggregateFinal | undefined =>
  func === null ? undefined : { function: func, extra };

/** The catalog codes of pg_aggregate, decoded once. */
export function parseAggregate(r: RoutineRow, a: AggregateRow): Aggregate {
  const finalPart = final(a.finalfunc, a.finalfunc_extra);
  const movingFinal = final(a.mfinalfunc, a.mfinalfunc_extra);
  return {
    kind: a.kind === "n" ? "normal" : a.kind === "o" ? "ordered-set" : "hypothetical",
    arguments: r.identity_args,
    transition: {
      function: a.sfunc,
      stateType: a.stype,
      stateSpace: a.sspace,
      ...(a.initcond !== null ? { initialValue: a.initcond } : {}),
    },
    finalModify: MODIFY[a.finalfunc_modify],
    movingFinalModify: MODIFY[a.mfinalfunc_modify],
    parallel: a.parallel === "s" ? "safe" : a.parallel === "r" ? "restricted" : "unsafe",
    ...(finalPart ? { final: finalPart } : {}),
    ...(a.combinefunc !== null ? { combine: a.combinefunc } : {}),
    ...(a.serialfunc !== null ? { serialize: a.serialfunc } : {}),
    ...(a.deserialfunc !== null ? { deserialize: a.deserialfunc } : {}),
    ...(a.msfunc !== null && a.minvfunc !== null && a.mstype !== null
      ? {
          moving: {
            function: a.msfunc,
            inverse: a.minvfunc,
            stateType: a.mstype,
            stateSpace: a.msspace,
            ...(a.minitcond !== null ? { initialValue: a.minitcond } : {}),
          },
        }
      : {}),
    ...(movingFinal ? { movingFinal } : {}),
    ...(a.sortop !== null ? { sortOperator: a.sortop.replace(/\(.*$/, "") } : {}),
  };
}

export function parseRoutine(r: RoutineRow, aggregates: ReadonlyMap<number, AggregateRow>): Routine {
  const base = {
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    identityArgs: r.identity_args,
    language: r.language,
  };
  if (r.kind === "a") {
    const agg = aggregates.get(r.oid);
    if (!agg)
      throw catalogError(`aggregate "${r.schema}"."${r.name}"(${r.identity_args})`, "no pg_aggregate row");
    return { ...base, kind: "aggregate", aggregate: parseAggregate(r, agg) };
  }
  const kind = r.kind === "p" ? "procedure" : "function";
  if (r.definition === null)
    throw catalogError(
      `${kind} "${r.schema}"."${r.name}"(${r.identity_args})`,
      "pg_get_functiondef() returned nothing",
    );
  return { ...base, kind, definition: r.definition };
}
