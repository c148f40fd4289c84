import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/** Security labels of this database's objects and of the database itself. */
export async function securityLabelLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<{ object: string; schema: string | null; provider: string; label: string }>(
    ctx,
    `SELECT format('%s %s', o.type, o.identity) AS object, o.schema::text AS schema, s.provider, s.label
       FROM pg_seclabel s, pg_identify_object(s.classoid, s.objoid, s.objsubid) o
     UNION ALL
     SELECT 'database', NULL, s.provider, s.label
       FROM pg_shseclabel s
      WHERE s.classoid = 'pg_catalog.pg_database'::regclass
        AND s.objoid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())`,
  );
  const schemas = new Set(ctx.schemaNames);
  return result
    .filter((r) => (r.schema === null ? ctx.wholeDatabase : schemas.has(r.schema)))
    .map((r) => formatLine("security-label", r.object, r.provider, r.label));
}
