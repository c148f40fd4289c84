import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/**
 * Large objects, by OID (a copy keeps them: oid columns point at them), with their size and a
 * digest of their content computed in the database. Owners, grants and comments are elsewhere.
 */
export async function largeObjectLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return [];
  const result = await rows<{ oid: string; size: string; digest: string }>(
    ctx,
    `SELECT m.oid::text AS oid, length(lo_get(m.oid))::text AS size, md5(lo_get(m.oid)) AS digest
       FROM pg_largeobject_metadata m`,
  );
  return result.map((r) =>
    formatLine("large-object.content", `large object ${r.oid}`, "", `size=${r.size} md5=${r.digest}`),
  );
}
