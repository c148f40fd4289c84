import type pg from "pg";
import { blockRanges, describeRange, keyRanges, readKeyBounds, readTableSize } from "../copy/table-ranges.js";
import type { SyncPlan, TablePlan } from "../ddl/plan.js";
import type { RowFilter } from "../sql/copy-statements.js";

/**
 * Which tables the load splits, and into which ranges. A table whose data (heap and TOAST, so that
 * a table of a few heap pages pointing at gigabytes of TOAST counts by what its copy moves) is
 * larger than the threshold is read in ceil(size / threshold) ranges, at most one per worker: by
 * its primary key when that is one integer column, by heap blocks otherwise (src/copy/table-ranges.ts).
 * Each range is a load task of its own, on its own worker, under the same exported snapshot; the
 * table's count, keys and indexes come after the last one.
 *
 * What a split costs: a range is loaded in a destination transaction of its own, into a staging
 * table that transaction did not create, so it cannot use COPY FREEZE (the index builds, checks and
 * ANALYZE that read it next set its hint bits, and VACUUM later writes its pages once more). So a
 * table is split only when several workers can load it at once, and never a table whose rows come
 * from elsewhere (a subset's chosen rows, an archive's files).
 */

export interface TablePart {
  /** 1-based. */
  readonly index: number;
  readonly of: number;
  readonly filter: RowFilter;
  /** How the range is named in reports: `id from 1000 below 2000`. */
  readonly range: string;
}

export interface SplitOptions {
  /** Bytes; 0 never splits. */
  readonly largerThan: number;
  readonly workers: number;
  /** Tables that may be split (not a subset's, not an archive's). */
  readonly eligible: (t: TablePlan) => boolean;
}

/**
 * Plans the parts of every table to split, reading their sizes (and their key's quantiles) on a
 * source connection inside the snapshot. Tables that are not split are absent.
 */
export async function planTableParts(
  source: pg.Client,
  plan: SyncPlan,
  options: SplitOptions,
): Promise<Map<number, readonly TablePart[]>> {
  const parts = new Map<number, readonly TablePart[]>();
  if (options.largerThan <= 0 || options.workers < 2) return parts;
  for (const t of plan.tables) {
    // The introspected size is pg_table_size too: only the candidates are measured again.
    if (!t.copyData || t.table.bytes <= options.largerThan || !options.eligible(t)) continue;
    const size = await readTableSize(source, t.table.oid);
    const wanted = partCount(size.bytes, options.largerThan, options.workers);
    if (wanted < 2) continue;
    const filters = t.splitKey
      ? keyRanges(t.splitKey, await readKeyBounds(source, t.table, t.splitKey, size, wanted))
      : blockRanges(size.blocks, wanted);
    if (filters.length < 2) continue;
    parts.set(
      t.table.oid,
      filters.map((filter, i) => ({
        index: i + 1,
        of: filters.length,
        filter,
        range: describeRange(filter),
      })),
    );
  }
  return parts;
}

/** ceil(bytes / largerThan) parts, at most one per worker; 1 for a table at or below the threshold. */
export function partCount(bytes: number, largerThan: number, workers: number): number {
  if (largerThan <= 0 || bytes <= largerThan) return 1;
  return Math.max(1, Math.min(workers, Math.ceil(bytes / largerThan)));
}
