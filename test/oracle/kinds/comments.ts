import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/**
 * COMMENT ON every kind (pg_description), named by pg_identify_object. Index comments are printed
 * with the index (indexes.ts), the database's with the database (database.ts).
 */
export async function commentLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<{
    object: string;
    schema: string | null;
    schema_object: boolean;
    description: string;
  }>(
    ctx,
    `SELECT format('%s %s', o.type, o.identity) AS object, o.schema::text AS schema,
            d.classoid = 'pg_catalog.pg_namespace'::regclass AS schema_object, d.description
       FROM pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
      WHERE d.objoid >= 16384 AND o.identity IS NOT NULL
        AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.deptype = 'e' AND e.classid = d.classoid AND e.objid = d.objoid)
        AND NOT (d.classoid = 'pg_catalog.pg_class'::regclass
                 AND (SELECT c.relkind FROM pg_class c WHERE c.oid = d.objoid) IN ('i', 'I'))
        AND (d.classoid <> 'pg_catalog.pg_namespace'::regclass OR d.objoid = ANY($1::oid[]))`,
    [ctx.schemaOids],
  );
  const schemas = new Set(ctx.schemaNames);
  return result
    .filter((r) => r.schema_object || (r.schema === null ? ctx.wholeDatabase : schemas.has(r.schema)))
    .map((r) => formatLine("comment", r.object, "", r.description));
}
