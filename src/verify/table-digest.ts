import type pg from "pg";
import type { QualifiedName } from "../introspect/model.js";
import { qualify, quoteIdent } from "../sql/quote.js";

export interface TableDigest {
  readonly rows: number;
  /** Order-independent content checksum: the sum of 64-bit row hashes, as a decimal string. */
  readonly checksum?: string;
}

/**
 * Counts a table's rows and, optionally, checksums its content inside the database, so no row travels
 * to the tool. Each row is rendered as text (both sides use the same output settings), hashed with
 * md5, and the first 64 bits are summed as numeric, which does not overflow and ignores row order.
 * ONLY: rows of inheritance children are counted with their own table.
 */
export async function digestTable(
  client: pg.Client,
  table: QualifiedName,
  columns: readonly string[],
  withChecksum: boolean,
): Promise<TableDigest> {
  const name = qualify(table.schema, table.name);
  const row = columns.length > 0 ? `ROW(${columns.map((c) => `t.${quoteIdent(c)}`).join(", ")})::text` : "''";
  const sql = withChecksum
    ? `SELECT count(*)::text AS n,
              coalesce(sum(('x' || substr(md5(${row}), 1, 16))::bit(64)::bigint::numeric), 0)::text AS checksum
       FROM ONLY ${name} AS t`
    : `SELECT count(*)::text AS n FROM ONLY ${name} AS t`;
  const result = await client.query<{ n: string; checksum?: string }>(sql);
  const r = result.rows[0];
  return { rows: Number(r?.n ?? 0), ...(r?.checksum !== undefined ? { checksum: r.checksum } : {}) };
}
