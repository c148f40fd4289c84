import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

const WHERE = `x.pronamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_proc", "x.oid")}`;

/**
 * Functions, procedures and aggregates: pg_get_functiondef (not for aggregates, which have none) and
 * every pg_proc column. Argument defaults print through pg_get_function_arguments and an SQL-standard
 * body through the definition, since their node trees hold OIDs.
 */
export async function functionLines(ctx: OracleContext): Promise<string[]> {
  const attributes = await genericLines(ctx, "function.attributes", {
    catalog: "pg_proc",
    identity: "x.oid::regprocedure::text",
    where: WHERE,
    refs: {
      oid: "skip",
      proname: "skip",
      pronamespace: "skip",
      proowner: "skip",
      proacl: "skip",
      prolang: "language",
      provariadic: "type",
      prorettype: "type",
      proargtypes: "types",
      proallargtypes: "types",
      protrftypes: "types",
      proargdefaults: { sql: "pg_get_function_arguments(x.oid)" },
      prosqlbody: { sql: "CASE WHEN x.prosqlbody IS NULL THEN NULL ELSE 'sql-standard body' END" },
    },
  });
  const definitions = await rows<{ fn: string; def: string }>(
    ctx,
    `SELECT x.oid::regprocedure::text AS fn, pg_get_functiondef(x.oid) AS def
       FROM pg_proc x WHERE ${WHERE} AND x.prokind <> 'a'`,
    [ctx.schemaOids],
  );
  return [...attributes, ...definitions.map((d) => formatLine("function.definition", d.fn, "", d.def))];
}
