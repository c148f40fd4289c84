import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

interface RelationRow {
  rel: string;
  relkind: string;
  relpersistence: string;
  reloptions: string[] | null;
  toast_options: string[] | null;
  am: string | null;
  oftype: string | null;
  relreplident: string;
  bound: string | null;
  partkey: string | null;
  inherits: string | null;
  relrowsecurity: boolean;
  relforcerowsecurity: boolean;
  relispopulated: boolean;
}

/** What a dump preserves of each table, view, materialized view, foreign table and sequence. */
export async function relationLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<RelationRow>(
    ctx,
    `SELECT c.oid::regclass::text AS rel, c.relkind::text AS relkind, c.relpersistence::text AS relpersistence,
            (SELECT array_agg(o ORDER BY o) FROM unnest(c.reloptions) o) AS reloptions,
            (SELECT array_agg(o ORDER BY o) FROM unnest(t.reloptions) o) AS toast_options,
            am.amname::text AS am,
            CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS oftype,
            c.relreplident::text AS relreplident,
            pg_get_expr(c.relpartbound, c.oid) AS bound,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
            (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
               FROM pg_inherits i WHERE i.inhrelid = c.oid) AS inherits,
            c.relrowsecurity, c.relforcerowsecurity, c.relispopulated
       FROM pg_class c
       LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
       LEFT JOIN pg_am am ON am.oid = c.relam
      WHERE c.relnamespace = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND ${notExtensionMember("pg_class", "c.oid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => {
    const lines = [
      formatLine("relation.kind", r.rel, "", r.relkind),
      formatLine("relation.persistence", r.rel, "", r.relpersistence),
      formatLine("relation.access-method", r.rel, "", r.am),
      formatLine("relation.replica-identity", r.rel, "", r.relreplident),
      formatLine(
        "relation.row-security",
        r.rel,
        "",
        `enabled=${r.relrowsecurity} forced=${r.relforcerowsecurity}`,
      ),
    ];
    if (r.reloptions) lines.push(formatLine("relation.options", r.rel, "", r.reloptions));
    if (r.toast_options) lines.push(formatLine("relation.toast-options", r.rel, "", r.toast_options));
    if (r.oftype) lines.push(formatLine("relation.of-type", r.rel, "", r.oftype));
    if (r.bound) lines.push(formatLine("relation.partition-bound", r.rel, "", r.bound));
    if (r.partkey) lines.push(formatLine("relation.partition-key", r.rel, "", r.partkey));
    if (r.inherits) lines.push(formatLine("relation.inherits", r.rel, "", r.inherits));
    if (r.relkind === "m") lines.push(formatLine("matview.populated", r.rel, "", r.relispopulated));
    return lines;
  });
}
