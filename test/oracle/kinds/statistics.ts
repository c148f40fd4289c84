import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

/** Extended statistics objects; the target is -1 (up to 16) or NULL (17 on) for the default. */
export async function statisticsLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<{ stat: string; def: string; target: string }>(
    ctx,
    `SELECT format('%I.%I', n.nspname, s.stxname) AS stat, pg_get_statisticsobjdef(s.oid) AS def,
            CASE WHEN s.stxstattarget IS NULL OR s.stxstattarget = -1 THEN 'default'
                 ELSE s.stxstattarget::text END AS target
       FROM pg_statistic_ext s
       JOIN pg_namespace n ON n.oid = s.stxnamespace
      WHERE s.stxnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_statistic_ext", "s.oid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => [
    formatLine("statistics.definition", r.stat, "", r.def),
    formatLine("statistics.target", r.stat, "", r.target),
  ]);
}
