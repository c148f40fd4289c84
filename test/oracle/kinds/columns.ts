import { formatLine } from "../line.js";
import { notExtensionMember, type OracleContext, rows } from "../session.js";

interface ColumnRow {
  col: string;
  position: string;
  type: string;
  attnotnull: boolean;
  default_expr: string | null;
  attidentity: string;
  attgenerated: string;
  collation: string | null;
  attstorage: string;
  stattarget: string;
  attoptions: string[] | null;
  attcompression: string;
  attislocal: boolean;
  attinhcount: number;
  attfdwoptions: string[] | null;
}

/**
 * Columns of tables, views, materialized views, foreign tables and composite types. The position
 * counts the non-dropped columns only: dropped columns are not recreated (by pg_dump either), and
 * `SELECT *` or an INSERT without a column list sees this order.
 */
export async function columnLines(ctx: OracleContext): Promise<string[]> {
  const result = await rows<ColumnRow>(
    ctx,
    `SELECT format('%s.%I', c.oid::regclass, a.attname) AS col,
            row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum)::text AS position,
            format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr,
            a.attidentity::text AS attidentity, a.attgenerated::text AS attgenerated,
            (SELECT format('%I.%I', n.nspname, co.collname) FROM pg_collation co
               JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.oid = a.attcollation) AS collation,
            a.attstorage::text AS attstorage,
            -- up to 16, -1 means the default; from 17 on, NULL does
            CASE WHEN a.attstattarget IS NULL OR a.attstattarget = -1 THEN 'default'
                 ELSE a.attstattarget::text END AS stattarget,
            (SELECT array_agg(o ORDER BY o) FROM unnest(a.attoptions) o) AS attoptions,
            a.attcompression::text AS attcompression,
            a.attislocal, a.attinhcount::int AS attinhcount,
            (SELECT array_agg(o ORDER BY o) FROM unnest(a.attfdwoptions) o) AS attfdwoptions
       FROM pg_class c
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
        AND ${notExtensionMember("pg_class", "c.oid")}
        AND NOT (c.relkind = 'c' AND NOT ${notExtensionMember("pg_type", "c.reltype")})`,
    [ctx.schemaOids],
  );
  return result.flatMap((r) => {
    const lines = [
      formatLine("column.position", r.col, "", r.position),
      formatLine("column.type", r.col, "", r.type),
      formatLine("column.not-null", r.col, "", r.attnotnull),
      formatLine("column.identity", r.col, "", r.attidentity),
      formatLine("column.generated", r.col, "", r.attgenerated),
      formatLine("column.collation", r.col, "", r.collation),
      formatLine("column.storage", r.col, "", r.attstorage),
      formatLine("column.statistics", r.col, "", r.stattarget),
      formatLine("column.compression", r.col, "", r.attcompression),
      formatLine("column.inheritance", r.col, "", `local=${r.attislocal} inherited=${r.attinhcount}`),
    ];
    if (r.default_expr !== null) lines.push(formatLine("column.default", r.col, "", r.default_expr));
    if (r.attoptions) lines.push(formatLine("column.options", r.col, "", r.attoptions));
    if (r.attfdwoptions) lines.push(formatLine("column.fdw-options", r.col, "", r.attfdwoptions));
    return lines;
  });
}
