import { genericLines } from "../generic.js";
import { type OracleContext, userObject } from "../session.js";

/** Table and index access methods that are not built in (database-wide). */
export function accessMethodLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return Promise.resolve([]);
  return genericLines(
    ctx,
    "access-method.attributes",
    {
      catalog: "pg_am",
      identity: "x.amname::text",
      where: userObject("pg_am", "x.oid"),
      refs: { oid: "skip", amname: "skip" },
    },
    [],
  );
}
