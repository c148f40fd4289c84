/**
 * Captures a database's full observable state with plain SQL, independently of the code under
 * test: every user table's rows (as text, sorted), its columns, constraints, indexes, and every
 * sequence's position. Two captures are equal when the databases hold the same schema and data.
 */
import type pg from "pg";
import { catalogFingerprint, dataFingerprint, diffFingerprints, formatDiff } from "../oracle/index.js";
import { withClient } from "./pg-servers.js";

export interface DatabaseState {
  readonly columns: string[];
  readonly constraints: string[];
  readonly indexes: string[];
  readonly sequences: string[];
  readonly enums: string[];
  readonly rows: Record<string, string[]>;
}

const USER_SCHEMAS = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE '\\_pgsync%'`;

export async function captureState(url: string): Promise<DatabaseState> {
  return withClient(url, async (c) => {
    // row_security = off: a role that policies would filter gets an error instead of a partial capture.
    await c.query(
      "SET search_path = pg_catalog; SET extra_float_digits = 3; SET DateStyle = 'ISO, MDY'; SET TimeZone = 'UTC'; SET row_security = off",
    );
    const list = async (sql: string) => (await c.query<{ x: string }>(sql)).rows.map((r) => r.x);
    const columns = await list(`
      SELECT n.nspname || '.' || cl.relname || '.' || a.attname || ' #' || row_number() OVER (PARTITION BY cl.oid ORDER BY a.attnum)
             || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || ' identity:' || a.attidentity::text
             || ' generated:' || a.attgenerated::text AS x
      FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${USER_SCHEMAS}
      ORDER BY 1`);
    const constraints = await list(`
      SELECT n.nspname || '.' || cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) AS x
      FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE co.contype <> 'n' AND ${USER_SCHEMAS} ORDER BY 1`);
    const indexes = await list(`
      SELECT pg_get_indexdef(i.indexrelid) AS x FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE ${USER_SCHEMAS} ORDER BY 1`);
    const sequences = await list(`
      SELECT schemaname || '.' || sequencename || ' ' || data_type || ' ' || start_value || ' ' || increment_by || ' '
             || min_value || ' ' || max_value || ' ' || cache_size || ' ' || cycle || ' last=' || coalesce(last_value::text, 'none') AS x
      FROM pg_sequences WHERE schemaname NOT LIKE '\\_pgsync%' ORDER BY 1`);
    const enums = await list(`
      SELECT n.nspname || '.' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS x
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE ${USER_SCHEMAS} GROUP BY n.nspname, t.typname ORDER BY 1`);
    const tables = (
      await c.query<{ q: string }>(`
        SELECT quote_ident(n.nspname) || '.' || quote_ident(cl.relname) AS q FROM pg_class cl
        JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE cl.relkind = 'r' AND ${USER_SCHEMAS} ORDER BY 1`)
    ).rows.map((r) => r.q);
    const rows: Record<string, string[]> = {};
    for (const t of tables) rows[t] = await tableRows(c, t);
    return { columns, constraints, indexes, sequences, enums, rows };
  });
}

async function tableRows(c: pg.Client, table: string): Promise<string[]> {
  const result = await c.query<{ r: string }>(`SELECT t::text AS r FROM ONLY ${table} t`);
  return result.rows.map((r) => r.r).sort();
}

/**
 * A database's state as the independent oracle (test/oracle) sees it: its catalog and data
 * fingerprints, read in one REPEATABLE READ snapshot. `peerMajor` is the major of the database it
 * is compared with (catalog rows only some majors have are left out against an older one);
 * `withholdSettings` names the database settings a run does not carry.
 */
export async function oracleState(
  url: string,
  opts: { peerMajor?: number; privileges?: boolean; withholdSettings?: (name: string) => boolean } = {},
): Promise<string[]> {
  return withClient(url, async (c) => {
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      return [...(await catalogFingerprint(c, opts)), ...(await dataFingerprint(c, opts))];
    } finally {
      await c.query("ROLLBACK");
    }
  });
}

/** The oracle's report of how two states differ ("" when they are the same). */
export function stateDifference(a: readonly string[], b: readonly string[]): string {
  return formatDiff(diffFingerprints(a, b));
}

/** pgsync-ts's own markers (pgsync.*) belong to each database and are never copied. */
export const TOOL_SETTINGS = (name: string): boolean =>
  name.startsWith("pgsync.") || name === "default_transaction_read_only";
