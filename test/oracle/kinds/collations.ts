import { genericLines } from "../generic.js";
import { notExtensionMember, type OracleContext } from "../session.js";

/**
 * Every column of pg_collation but collversion (the destination records its own library's
 * version). The ICU locale is colliculocale on 15 and 16 and colllocale from 17 on: both print as
 * `locale`; ICU rules (16 on) are left out when unused.
 */
export function collationLines(ctx: OracleContext): Promise<string[]> {
  return genericLines(ctx, "collation.attributes", {
    catalog: "pg_collation",
    identity:
      "format('%I.%I', (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = x.collnamespace), x.collname)",
    where: `x.collnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_collation", "x.oid")}`,
    refs: {
      oid: "skip",
      collname: "skip",
      collnamespace: "skip",
      collowner: "skip",
      collversion: "skip",
      collencoding: "encoding",
    },
    renames: { colliculocale: "locale", colllocale: "locale" },
    optional: { collicurules: null, locale: null },
  });
}
