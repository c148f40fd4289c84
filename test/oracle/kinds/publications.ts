import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { type OracleContext, rows } from "../session.js";

/**
 * Publications with their tables (row filter, columns) and schemas, and the database's
 * subscriptions (never the connection string, which may hold a password). The tool reports these
 * without carrying them: the oracle still sees them.
 */
export async function publicationLines(ctx: OracleContext): Promise<string[]> {
  if (!ctx.wholeDatabase) return [];
  const publications = await genericLines(
    ctx,
    "publication.attributes",
    {
      catalog: "pg_publication",
      identity: "x.pubname::text",
      where: "true",
      refs: { oid: "skip", pubname: "skip", pubowner: "skip" },
      // 18 publishes stored generated columns on request; "n" (none) is what 14-17 do
      optional: { pubgencols: "n" },
    },
    [],
  );
  const tables = await rows<{ pub: string; member: string; value: string }>(
    ctx,
    `SELECT p.pubname::text AS pub, format('table %s', r.prrelid::regclass) AS member,
            ${
              ctx.major >= 15
                ? `format('where=%s columns=%s', COALESCE(pg_get_expr(r.prqual, r.prrelid), '-'),
                        COALESCE((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                    FROM pg_attribute a
                                   WHERE a.attrelid = r.prrelid AND a.attnum = ANY(r.prattrs::int2[])), '-'))`
                : "'member'"
            } AS value
       FROM pg_publication_rel r
       JOIN pg_publication p ON p.oid = r.prpubid`,
  );
  const schemas =
    ctx.major >= 15
      ? await rows<{ pub: string; member: string; value: string }>(
          ctx,
          `SELECT p.pubname::text AS pub, format('schema %I', n.nspname) AS member, 'member' AS value
             FROM pg_publication_namespace s
             JOIN pg_publication p ON p.oid = s.pnpubid
             JOIN pg_namespace n ON n.oid = s.pnnspid`,
        )
      : [];
  const subscriptions = await genericLines(
    ctx,
    "subscription.attributes",
    {
      catalog: "pg_subscription",
      identity: "x.subname::text",
      where: "x.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database())",
      refs: { oid: "skip", subdbid: "skip", subname: "skip", subowner: "skip", subconninfo: "skip" },
      // Columns later majors added, at the value that means what older majors do.
      optional: {
        subskiplsn: "0/0",
        subdisableonerr: "false",
        suborigin: "any",
        subpasswordrequired: "true",
        subrunasowner: "false",
        subfailover: "false",
        subretaindeadtuples: "false",
        submaxretention: "0",
      },
    },
    [],
  );
  return [
    ...publications,
    ...[...tables, ...schemas].map((m) => formatLine("publication.member", m.pub, m.member, m.value)),
    ...subscriptions,
  ];
}
