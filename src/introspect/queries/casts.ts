import type pg from "pg";
import { z } from "zod";
import type { Cast } from "../model.js";
import { NOT_EXTENSION_MEMBER, oid, queryRows, text, textOrNull } from "../rows.js";

/** True when the type (or, for an array, its element type) is one the sync creates. */
export const CARRIED_TYPE = (typeOid: string) => `EXISTS (
  SELECT 1 FROM pg_catalog.pg_type ty
  JOIN pg_catalog.pg_type base ON base.oid = CASE WHEN ty.typcategory = 'A' AND ty.typelem <> 0 THEN ty.typelem ELSE ty.oid END
  WHERE ty.oid = ${typeOid} AND base.typnamespace = ANY($1::oid[])
    AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "base.oid")})`;

/** Casts that a type creates itself (a range type's casts to its multirange): internal dependencies. */
export const NOT_INTERNAL_CAST = (castOid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend int_dep WHERE int_dep.classid = 'pg_catalog.pg_cast'::regclass AND int_dep.objid = ${castOid} AND int_dep.deptype = 'i')`;

// User-defined casts (not created by initdb, an extension or a type) from or to a type the sync
// creates. Casts live in no schema: they are tied to their types, and follow them. castcontext:
// e explicit, a assignment, i implicit; castmethod: f function, b binary coercible, i I/O conversion.
const SQL = `
SELECT c.oid,
       pg_catalog.format_type(c.castsource, NULL) AS source,
       pg_catalog.format_type(c.casttarget, NULL) AS target,
       CASE WHEN c.castfunc <> 0 THEN c.castfunc::pg_catalog.regprocedure::text END AS function,
       c.castcontext::text AS context, c.castmethod::text AS method,
       EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid IN (c.castsource, c.casttarget) AND t.typtype IN ('r', 'm')) AS range_types
FROM pg_catalog.pg_cast c
WHERE c.oid >= 16384 AND ${NOT_EXTENSION_MEMBER("pg_catalog.pg_cast", "c.oid")} AND ${NOT_INTERNAL_CAST("c.oid")}
  AND (${CARRIED_TYPE("c.castsource")} OR ${CARRIED_TYPE("c.casttarget")})
ORDER BY 2, 3`;

export const CastRow = z.object({
  oid,
  source: text,
  target: text,
  function: textOrNull,
  context: z.enum(["e", "a", "i"]),
  method: z.enum(["f", "b", "i"]),
  range_types: z.boolean(),
});
export type CastRow = z.infer<typeof CastRow>;

export function readCasts(client: pg.Client, schemaOids: readonly number[]): Promise<CastRow[]> {
  return queryRows(client, "casts", SQL, [schemaOids], CastRow);
}

const CAST_CONTEXTS: Record<CastRow["context"], Cast["context"]> = {
  e: "explicit",
  a: "assignment",
  i: "implicit",
};
const CAST_METHODS: Record<CastRow["method"], Cast["method"]> = { f: "function", b: "binary", i: "inout" };

export function parseCast(r: CastRow): Cast {
  return {
    oid: r.oid,
    source: r.source,
    target: r.target,
    method: CAST_METHODS[r.method],
    context: CAST_CONTEXTS[r.context],
    rangeTypes: r.range_types,
    ...(r.function !== null ? { function: r.function } : {}),
  };
}
