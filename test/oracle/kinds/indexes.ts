import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

interface IndexRow {
  idx: string;
  def: string;
  indisclustered: boolean;
  indisreplident: boolean;
  indisvalid: boolean;
  reloptions: string[] | null;
  constraint_name: string | null;
  parent: string | null;
  column_statistics: string | null;
  comment: string | null;
}

/** Indexes (constraint indexes included), with the flags a dump restores and their comments. */
export async function indexLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<IndexRow>(
    ctx,
    `SELECT ic.oid::regclass::text AS idx, pg_get_indexdef(i.indexrelid) AS def,
            i.indisclustered, i.indisreplident, i.indisvalid,
            (SELECT array_agg(o ORDER BY o) FROM unnest(ic.reloptions) o) AS reloptions,
            (SELECT format('%s %s', con.contype, con.conname) FROM pg_constraint con
              WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                AND con.contype IN ('p', 'u', 'x')) AS constraint_name,
            (SELECT inh.inhparent::regclass::text FROM pg_inherits inh WHERE inh.inhrelid = ic.oid) AS parent,
            (SELECT string_agg(format('%s=%s', a.attnum, a.attstattarget), ', ' ORDER BY a.attnum)
               FROM pg_attribute a
              WHERE a.attrelid = ic.oid AND a.attstattarget IS NOT NULL AND a.attstattarget <> -1) AS column_statistics,
            obj_description(ic.oid, 'pg_class') AS comment
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE ic.relnamespace = ANY($1::oid[])
        AND ${notExtensionMember("pg_class", "i.indrelid")}`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => {
    const lines = [
      formatLine("index.definition", r.idx, "", r.def),
      formatLine("index.clustered", r.idx, "", r.indisclustered),
      formatLine("index.replica-identity", r.idx, "", r.indisreplident),
      formatLine("index.valid", r.idx, "", r.indisvalid),
    ];
    if (r.reloptions) lines.push(formatLine("index.options", r.idx, "", r.reloptions));
    if (r.constraint_name) lines.push(formatLine("index.constraint", r.idx, "", r.constraint_name));
    if (r.parent) lines.push(formatLine("index.parent", r.idx, "", r.parent));
    if (r.column_statistics)
      lines.push(formatLine("index.column-statistics", r.idx, "", r.column_statistics));
    if (r.comment !== null) lines.push(formatLine("index.comment", r.idx, "", r.comment));
    return lines;
  });
}
