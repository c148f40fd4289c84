import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

/**
 * Types of every kind: base, composite (its attributes are in columns.ts), domain, enum, pseudo
 * (shells), range and multirange. Left out: a table's row type (the table is the object) and the
 * array type the server makes for each type (printed as the type's typarray).
 */
const WHERE = `x.typnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_type", "x.oid")}
   AND NOT (x.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = x.typrelid) <> 'c')
   AND NOT (x.typelem <> 0 AND EXISTS (SELECT FROM pg_type e WHERE e.oid = x.typelem AND e.typarray = x.oid))`;

export async function typeLines(ctx: OracleContext): Promise<string[]> {
  const attributes = await genericLines(ctx, "type.attributes", {
    catalog: "pg_type",
    identity: "format_type(x.oid, NULL)",
    where: WHERE,
    refs: {
      oid: "skip",
      typname: "skip",
      typnamespace: "skip",
      typowner: "skip",
      typacl: "skip",
      typrelid: "class",
      typelem: "type",
      typarray: "type",
      typbasetype: "type",
      typcollation: "collation",
      // typdefault is text deparsed at creation (under that session's search_path); the node tree
      // prints the same default the same way on both sides.
      typdefault: { sql: "CASE WHEN x.typdefaultbin IS NULL THEN x.typdefault END" },
      typdefaultbin: { sql: "pg_get_expr(x.typdefaultbin, 0)" },
    },
  });
  const enums = await rows<{ typ: string; labels: string[] }>(
    ctx,
    `SELECT format_type(x.oid, NULL) AS typ,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = x.oid) AS labels
       FROM pg_type x WHERE x.typtype = 'e' AND ${WHERE}`,
    [ctx.schemaOids],
  );
  const ranges = await genericLines(ctx, "type.range", {
    catalog: "pg_range",
    identity: "format_type(x.rngtypid, NULL)",
    from: "JOIN pg_catalog.pg_type t ON t.oid = x.rngtypid",
    where: `t.typnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_type", "t.oid")}`,
    refs: {
      rngtypid: "skip",
      rngsubtype: "type",
      rngmultitypid: "type",
      rngcollation: "collation",
      rngsubopc: {
        sql: `(SELECT format('%I.%I USING %I', n.nspname, o.opcname, a.amname) FROM pg_opclass o
                 JOIN pg_namespace n ON n.oid = o.opcnamespace JOIN pg_am a ON a.oid = o.opcmethod
                WHERE o.oid = x.rngsubopc)`,
      },
    },
  });
  return [
    ...attributes,
    ...enums.map((e) => formatLine("type.enum-labels", e.typ, "", e.labels ?? [])),
    ...ranges,
  ];
}
