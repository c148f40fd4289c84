import type { AccessMethod } from "../../introspect/model.js";
import { quoteIdent, quoteLiteral } from "../../sql/quote.js";
import type { RenderContext } from "./context.js";

/**
 * An access method belongs to the database, like a server: created when the destination has none of
 * that name, and left as it is otherwise (other objects there may use it). CREATE ACCESS METHOD has no
 * IF NOT EXISTS, hence the block. Its handler is a C function, which the destination must have.
 */
export function createAccessMethod(a: AccessMethod, ctx: RenderContext): string {
  const create = `CREATE ACCESS METHOD ${quoteIdent(a.name)} TYPE ${a.type === "table" ? "TABLE" : "INDEX"} HANDLER ${ctx.sql(a.handler)}`;
  return `DO $pgsync$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_am WHERE amname = ${quoteLiteral(a.name)}) THEN
    EXECUTE ${quoteLiteral(create)};
  END IF;
END $pgsync$`;
}
