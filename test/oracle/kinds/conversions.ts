import { genericLines } from "../generic.js";
import { notExtensionMember, type OracleContext } from "../session.js";

/** Encoding conversions (CREATE CONVERSION). */
export function conversionLines(ctx: OracleContext): Promise<string[]> {
  return genericLines(ctx, "conversion.attributes", {
    catalog: "pg_conversion",
    identity:
      "format('%I.%I', (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.connamespace), x.conname)",
    where: `x.connamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_conversion", "x.oid")}`,
    refs: {
      oid: "skip",
      conname: "skip",
      connamespace: "skip",
      conowner: "skip",
      conforencoding: "encoding",
      contoencoding: "encoding",
    },
  });
}
