/**
 * The data fingerprint: per table (each partition and inheritance child on its own, FROM ONLY) and
 * per populated materialized view, the row count and an order-independent hash of every row's
 * text, computed inside the database. A row's text lists its values in column order, so a copy
 * with the right values in another column order differs, as `SELECT *` would.
 */
import type pg from "pg";
import { formatLine, sortLines } from "./line.js";
import { notExtensionMember, type OracleOptions, oracleContext, quoteIdent, rows } from "./session.js";

interface TableRow {
  rel: string;
  nspname: string;
  relname: string;
  relkind: string;
  relispopulated: boolean;
}

/**
 * Sum (not xor: two equal rows must not cancel) of the md5 of each row's text, as two 64-bit halves
 * added up in numeric, which does not overflow.
 */
const HASH = `count(*)::text AS n,
  COALESCE(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)::text AS s1,
  COALESCE(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)::text AS s2`;

export async function dataFingerprint(client: pg.Client, opts: OracleOptions = {}): Promise<string[]> {
  const ctx = await oracleContext(client, opts);
  const tables = await rows<TableRow>(
    ctx,
    `SELECT c.oid::regclass::text AS rel, n.nspname::text AS nspname, c.relname::text AS relname,
            c.relkind::text AS relkind, c.relispopulated
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'm')
        AND ((c.relnamespace = ANY($1::oid[]) AND ${notExtensionMember("pg_class", "c.oid")})
             OR ($2 AND c.oid IN (SELECT unnest(x.extconfig) FROM pg_extension x)))
      ORDER BY 1`,
    [ctx.schemaOids, ctx.wholeDatabase],
  );
  const lines: string[] = [];
  for (const t of tables) {
    if (t.relkind === "m" && !t.relispopulated) {
      lines.push(formatLine("data.row-count", t.rel, "", "not populated"));
      continue;
    }
    const only = t.relkind === "r" ? "ONLY " : "";
    const [hash] = await rows<{ n: string; s1: string; s2: string }>(
      ctx,
      `SELECT ${HASH} FROM (SELECT md5(t::text) AS h FROM ${only}${quoteIdent(t.nspname)}.${quoteIdent(t.relname)} t) q`,
    );
    lines.push(formatLine("data.row-count", t.rel, "", hash?.n));
    lines.push(formatLine("data.content", t.rel, "", `${hash?.s1}/${hash?.s2}`));
  }
  return sortLines(lines);
}
