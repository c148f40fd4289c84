import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows, userObject } from "../session.js";

const sortedOptions = (e: string) => ({ sql: `(SELECT array_agg(o ORDER BY o) FROM unnest(${e}) o)::text` });

/**
 * Foreign-data wrappers, servers and user mappings (database-wide), and foreign tables. A user
 * mapping's options can hold credentials: only their names are printed.
 */
export async function foreignLines(ctx: OracleContext): Promise<string[]> {
  const lines: string[] = [];
  if (ctx.wholeDatabase) {
    lines.push(
      ...(await genericLines(
        ctx,
        "foreign.wrapper",
        {
          catalog: "pg_foreign_data_wrapper",
          identity: "x.fdwname::text",
          where: userObject("pg_foreign_data_wrapper", "x.oid"),
          refs: {
            oid: "skip",
            fdwname: "skip",
            fdwowner: "skip",
            fdwacl: "skip",
            fdwhandler: "proc",
            fdwvalidator: "proc",
            fdwoptions: sortedOptions("x.fdwoptions"),
          },
        },
        [],
      )),
      ...(await genericLines(
        ctx,
        "foreign.server",
        {
          catalog: "pg_foreign_server",
          identity: "x.srvname::text",
          where: userObject("pg_foreign_server", "x.oid"),
          refs: {
            oid: "skip",
            srvname: "skip",
            srvowner: "skip",
            srvacl: "skip",
            srvfdw: "fdw",
            srvoptions: sortedOptions("x.srvoptions"),
          },
        },
        [],
      )),
    );
    const mappings = await rows<{ mapping: string; names: string | null }>(
      ctx,
      // pg_user_mappings, not the table: only a superuser may read pg_user_mapping, and the view
      // shows the options only to whom they belong (the same on both sides of a comparison).
      `SELECT format('for %s server %I', CASE WHEN u.umuser = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(u.umuser)::text END,
                     s.srvname) AS mapping,
              (SELECT string_agg(split_part(o, '=', 1), ', ' ORDER BY o) FROM unnest(u.umoptions) o) AS names
         FROM pg_catalog.pg_user_mappings u
         JOIN pg_foreign_server s ON s.oid = u.srvid
        WHERE ${userObject("pg_foreign_server", "s.oid")}`,
    );
    lines.push(
      ...mappings.map((m) => formatLine("foreign.user-mapping", m.mapping, "option names", m.names)),
    );
  }
  const tables = await rows<{ rel: string; server: string; options: string[] | null }>(
    ctx,
    `SELECT f.ftrelid::regclass::text AS rel, s.srvname::text AS server,
            (SELECT array_agg(o ORDER BY o) FROM unnest(f.ftoptions) o) AS options
       FROM pg_foreign_table f
       JOIN pg_class c ON c.oid = f.ftrelid
       JOIN pg_foreign_server s ON s.oid = f.ftserver
      WHERE c.relnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  for (const t of tables) {
    lines.push(formatLine("foreign.table", t.rel, "server", t.server));
    lines.push(formatLine("foreign.table", t.rel, "options", t.options));
  }
  return lines;
}
