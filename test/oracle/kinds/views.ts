import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

/** View and materialized view queries (options, populated state and columns are elsewhere). */
export async function viewLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<{ rel: string; relkind: string; def: string | null }>(
    ctx,
    `SELECT c.oid::regclass::text AS rel, c.relkind::text AS relkind, pg_get_viewdef(c.oid) AS def
       FROM pg_class c
      WHERE c.relnamespace = ANY($1::oid[]) AND c.relkind IN ('v', 'm')
        AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  return result.map((r) =>
    formatLine(r.relkind === "m" ? "matview.definition" : "view.definition", r.rel, "", r.def),
  );
}
