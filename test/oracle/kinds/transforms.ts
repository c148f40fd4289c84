import { genericLines } from "../generic.js";
import { type OracleContext, userObject } from "../session.js";

/** Transforms (CREATE TRANSFORM; database-wide: whole-database fingerprints only). */
export function transformLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return Promise.resolve([]);
  return genericLines(
    ctx,
    "transform.attributes",
    {
      catalog: "pg_transform",
      identity:
        "format('FOR %s LANGUAGE %I', format_type(x.trftype, NULL), (SELECT l.lanname FROM pg_catalog.pg_language l WHERE l.oid = x.trflang))",
      where: userObject("pg_transform", "x.oid"),
      refs: { oid: "skip", trftype: "skip", trflang: "skip" },
    },
    [],
  );
}
