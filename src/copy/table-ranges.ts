import type pg from "pg";
import { z } from "zod";
import { queryRows } from "../db/rows.js";
import type { RowFilter } from "../sql/copy-statements.js";
import { qualify, quoteIdent } from "../sql/quote.js";

/**
 * The ranges a big table is read in, each by a statement of its own: the units a sync loads on
 * several workers at once (src/pipeline/split-table.ts) and an archive can write as parts. Together
 * the ranges cover every row exactly once: the first and the last are open-ended, so rows below the
 * lowest or above the highest value the ranges were planned from are still read.
 *
 * - By an integer primary key: the key's quantiles, from a block sample of the table read at the
 *   snapshot (the key's min and max when the sample is too small). Quantiles rather than an equal
 *   split of [min, max]: one outlying value (a sentinel id near 2^63) would put every row in one range.
 *   Rather than pg_stats' histogram: it is only as recent as the last ANALYZE, which may predate
 *   most of the rows, and may be missing.
 * - Otherwise by heap blocks (ctid ranges, a TID range scan on 14 and later), from the heap's size
 *   at the snapshot (pg_relation_size, not relpages, which only VACUUM and ANALYZE update).
 */

/** Blocks a key sample reads at most (TABLESAMPLE SYSTEM): about 8 MB. */
const SAMPLE_BLOCKS = 1000;

export interface TableSize {
  /** Heap and TOAST bytes (pg_table_size): what a TOAST-heavy table's copy moves. */
  readonly bytes: number;
  /** Heap blocks. */
  readonly blocks: number;
}

const SizeRow = z.object({ bytes: z.coerce.number(), blocks: z.coerce.number() });

/** The table's size now (inside the snapshot's transaction; the table is locked ACCESS SHARE). */
export async function readTableSize(client: pg.Client, tableOid: number): Promise<TableSize> {
  const [row] = await queryRows(
    client,
    "table size",
    `SELECT pg_catalog.pg_table_size($1::pg_catalog.oid)::text AS bytes,
            (pg_catalog.pg_relation_size($1::pg_catalog.oid) / pg_catalog.current_setting('block_size')::bigint)::text AS blocks`,
    [tableOid],
    SizeRow,
  );
  return { bytes: row?.bytes ?? 0, blocks: row?.blocks ?? 0 };
}

const BoundsRow = z.object({
  bounds: z.array(z.string()).nullable(),
  low: z.string().nullable(),
  high: z.string().nullable(),
});

/**
 * Up to `parts - 1` ascending, distinct inner bounds of an integer key, read at the snapshot: the
 * sample's quantiles, or an equal split of [min, max] when the sample holds fewer rows than parts.
 * Empty when the table has no rows (one range reads it).
 */
export async function readKeyBounds(
  client: pg.Client,
  table: { readonly schema: string; readonly name: string },
  column: string,
  size: TableSize,
  parts: number,
): Promise<bigint[]> {
  if (parts < 2) return [];
  const fractions = Array.from({ length: parts - 1 }, (_, i) => (i + 1) / parts);
  const percent = Math.min(100, (100 * SAMPLE_BLOCKS) / Math.max(1, size.blocks));
  const key = `t.${quoteIdent(column)}`;
  const from = `ONLY ${qualify(table.schema, table.name)} AS t`;
  // REPEATABLE: the same table gives the same ranges. min and max come from the key's index.
  const [row] = await queryRows(
    client,
    "key bounds",
    `SELECT (SELECT pg_catalog.percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY s.k)::text[]
               FROM (SELECT ${key} AS k FROM ${from} TABLESAMPLE SYSTEM ($2) REPEATABLE (0)) s
             HAVING count(*) >= $3) AS bounds,
            (SELECT min(${key})::text FROM ${from}) AS low, (SELECT max(${key})::text FROM ${from}) AS high`,
    [fractions, percent, parts * 10],
    BoundsRow,
  );
  if (!row || row.low === null || row.high === null) return [];
  const bounds = row.bounds
    ? row.bounds.map((b) => BigInt(b))
    : evenSplit(BigInt(row.low), BigInt(row.high), parts);
  return [...new Set(bounds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function evenSplit(low: bigint, high: bigint, parts: number): bigint[] {
  const span = high - low + 1n;
  return Array.from({ length: parts - 1 }, (_, i) => low + (span * BigInt(i + 1)) / BigInt(parts)).filter(
    (b) => b > low && b <= high,
  );
}

/** [-inf, b1), [b1, b2), ..., [bn, +inf) on the key: every row in exactly one range. */
export function keyRanges(column: string, bounds: readonly bigint[]): RowFilter[] {
  if (bounds.length === 0) return [{ kind: "key-range", column }];
  return [undefined, ...bounds].map((from, i): RowFilter => {
    const to = bounds[i];
    return {
      kind: "key-range",
      column,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    };
  });
}

/** `parts` ranges of equal block counts (within one), the last open-ended; fewer when the heap has fewer blocks. */
export function blockRanges(blocks: number, parts: number): RowFilter[] {
  const count = Math.max(1, Math.min(parts, blocks));
  const start = (i: number) => Math.floor((i * blocks) / count);
  return Array.from(
    { length: count },
    (_, i): RowFilter => ({
      kind: "block-range",
      fromBlock: start(i),
      ...(i < count - 1 ? { toBlock: start(i + 1) } : {}),
    }),
  );
}

/** How a range is named in reports: `id from 1000 to 2000`, `blocks 0 to 512`. */
export function describeRange(filter: RowFilter): string {
  switch (filter.kind) {
    case "key-range":
      return `${filter.column} ${filter.from === undefined ? "from the lowest" : `from ${filter.from}`} ${filter.to === undefined ? "to the highest" : `below ${filter.to}`}`;
    case "block-range":
      return `blocks ${filter.fromBlock} ${filter.toBlock === undefined ? "to the end" : `below ${filter.toBlock}`}`;
    case "condition":
      return filter.sql;
  }
}
