import { genericLines } from "../generic.js";
import type { OracleContext } from "../session.js";
import { userObject } from "../session.js";

/** Casts that are not built in (database-wide: whole-database fingerprints only). */
export function castLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return Promise.resolve([]);
  return genericLines(
    ctx,
    "cast.attributes",
    {
      catalog: "pg_cast",
      identity: "format('(%s AS %s)', format_type(x.castsource, NULL), format_type(x.casttarget, NULL))",
      where: userObject("pg_cast", "x.oid"),
      refs: { oid: "skip", castsource: "skip", casttarget: "skip", castfunc: "proc" },
    },
    [],
  );
}
