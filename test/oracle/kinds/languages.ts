import { genericLines } from "../generic.js";
import { type OracleContext, userObject } from "../session.js";

/** Procedural languages not created by an extension (database-wide). */
export function languageLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return Promise.resolve([]);
  return genericLines(
    ctx,
    "language.attributes",
    {
      catalog: "pg_language",
      identity: "x.lanname::text",
      where: userObject("pg_language", "x.oid"),
      refs: {
        oid: "skip",
        lanname: "skip",
        lanowner: "skip",
        lanacl: "skip",
        lanplcallfoid: "proc",
        laninline: "proc",
        lanvalidator: "proc",
      },
    },
    [],
  );
}
