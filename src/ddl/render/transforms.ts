import type { Transform } from "../../introspect/model.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/**
 * CREATE TRANSFORM, between the staged type (it follows the type into the live schema, as a cast
 * does) or a built-in one. A transform of a built-in type is database-wide and the destination may
 * have it already (from an earlier run): it is created only when missing.
 */
export function createTransform(t: Transform, ctx: RenderContext): string {
  const type = ctx.sql(t.type);
  const parts = [
    ...(t.fromSql !== undefined ? [`FROM SQL WITH FUNCTION ${ctx.sql(t.fromSql)}`] : []),
    ...(t.toSql !== undefined ? [`TO SQL WITH FUNCTION ${ctx.sql(t.toSql)}`] : []),
  ];
  const create = `CREATE TRANSFORM FOR ${type} LANGUAGE ${quoteIdent(t.language)} (${parts.join(", ")})`;
  return `DO $pgsync$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_transform tr JOIN pg_catalog.pg_language l ON l.oid = tr.trflang
                 WHERE tr.trftype = ${quoteLiteral(type)}::pg_catalog.regtype AND l.lanname = ${quoteLiteral(t.language)}) THEN
    EXECUTE ${quoteLiteral(create)};
  END IF;
END $pgsync$`;
}
