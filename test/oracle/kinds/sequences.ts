import { genericLines } from "../generic.js";
import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, quoteIdent, rows } from "../session.js";

const IN_SCHEMAS = `x.seqrelid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = ANY($1::oid[])
    AND ${notExtensionMember("pg_class", "c.oid")})`;

/** Sequences: every pg_sequence column, the value (last_value and is_called) and OWNED BY. */
export async function sequenceLines(ctx: OracleContext): Promise<string[]> {
  const options = await genericLines(ctx, "sequence.options", {
    catalog: "pg_sequence",
    identity: "x.seqrelid::regclass::text",
    where: IN_SCHEMAS,
    refs: { seqrelid: "skip", seqtypid: "type" },
  });
  const sequences = await rows<{ seq: string; nspname: string; relname: string; owned: string | null }>(
    ctx,
    `SELECT x.seqrelid::regclass::text AS seq, n.nspname::text AS nspname, c.relname::text AS relname,
            (SELECT format('%s.%I (%s)', d.refobjid::regclass, a.attname,
                           CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned by' END)
               FROM pg_depend d
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = x.seqrelid
                AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0
                AND d.deptype IN ('a', 'i')) AS owned
       FROM pg_sequence x
       JOIN pg_class c ON c.oid = x.seqrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${IN_SCHEMAS}
      ORDER BY 1`,
    [ctx.schemaOids],
  );
  const lines = [...options];
  for (const s of sequences) {
    if (s.owned) lines.push(formatLine("sequence.owned-by", s.seq, "", s.owned));
  }
  // One statement for all values: a sequence's state is only readable from the sequence itself.
  for (let i = 0; i < sequences.length; i += 500) {
    const batch = sequences.slice(i, i + 500);
    const union = batch
      .map(
        (s, j) =>
          `SELECT ${j} AS j, last_value::text AS last_value, is_called FROM ${quoteIdent(s.nspname)}.${quoteIdent(s.relname)}`,
      )
      .join(" UNION ALL ");
    const values = await rows<{ j: number; last_value: string; is_called: boolean }>(ctx, union);
    for (const v of values) {
      const s = batch[v.j];
      if (s)
        lines.push(
          formatLine("sequence.value", s.seq, "", `last_value=${v.last_value} is_called=${v.is_called}`),
        );
    }
  }
  return lines;
}
