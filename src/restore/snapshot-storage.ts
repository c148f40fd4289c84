import type pg from "pg";
import { z } from "zod";
import { AD_HOC_RETENTION_DAYS } from "../config/builtins.js";
import { num } from "../db/rows.js";
import { formatBytes } from "../util/format-bytes.js";
import { destinationFreeBytes, freeSpaceWarning } from "./disk-space.js";
import { listSnapshots, readDestination, type SnapshotRecord } from "./meta.js";

/**
 * How much disk the snapshots take against the live state they are copies of, and against what the
 * retention asks for; with the destination's free disk where it can be read.
 */

export interface SnapshotStorage {
  /** Disk space all snapshots take together. */
  readonly snapshotBytes: number;
  /** Disk space the live schemas that snapshots were taken of take now. */
  readonly liveBytes: number;
  readonly snapshots: number;
  /** How many snapshots the retention is expected to keep (see expectedSnapshots). */
  readonly expectedSnapshots?: number;
  /**
   * Free space of the destination's data directory, where this process can read it (the server on
   * this machine, a role that may see data_directory: src/restore/disk-space.ts).
   */
  readonly freeBytes?: number;
  /**
   * Set when the snapshots take more than (expectedSnapshots + 1) times the live size, or when the
   * destination's free disk (where it can be read) is below the live size.
   */
  readonly warning?: string;
}

/** What the retention keeps, for the storage warning: the policy and how often the profile runs. */
export interface StorageExpectation {
  /** The retention policy (retention.ts's Retention). */
  readonly retention: { readonly days: number; readonly count?: number };
  /** Runs a day, from the profile's schedule; DEFAULT_RUNS_PER_DAY when it has none. */
  readonly runsPerDay?: number;
}

/** The built-in profiles run twice a day; a profile without a schedule is taken to run as often. */
export const DEFAULT_RUNS_PER_DAY = 2;

/**
 * How many snapshots a retention keeps at most in steady state: one per run for `days` days
 * (`dev`: 3 days at two runs a day, 6), capped by `count`. Every snapshot is a full copy, so this many
 * copies of the live size is what the retention asks for, and is no reason to warn.
 */
export function expectedSnapshots(expectation: StorageExpectation): number {
  const { retention } = expectation;
  const perDay = expectation.runsPerDay ?? DEFAULT_RUNS_PER_DAY;
  const byAge = Math.ceil(retention.days * perDay);
  return Math.max(1, retention.count === undefined ? byAge : Math.min(retention.count, byAge));
}

/**
 * How much space the snapshots take, compared with the live state they are copies of. Without an
 * expectation (a caller that knows no retention), two snapshots are expected.
 *
 * The destination's free disk is read only where this process can see the server's data directory
 * (src/restore/disk-space.ts): no SQL function reports it, and the only ways to read it from a
 * session (`COPY ... FROM PROGRAM 'df'`, an untrusted language) run a program on the server, which
 * the tool never does.
 */
export async function snapshotStorage(
  client: pg.Client,
  snapshots?: readonly SnapshotRecord[],
  expectation?: StorageExpectation,
): Promise<SnapshotStorage> {
  const list = snapshots ?? (await listSnapshots(client));
  const snapshotBytes = list.reduce((n, s) => n + s.bytes, 0);
  const originals = [...new Set(list.flatMap((s) => s.schemas.map((x) => x.original)))];
  const Bytes = z.object({ bytes: num });
  const [live] = await readDestination(
    client,
    "live schemas' size",
    `SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::text AS bytes
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'm', 'S')`,
    [originals],
    Bytes,
  );
  // Snapshots that keep large objects are compared with the live ones too (pg_largeobject's size).
  const [liveLargeObjects] = list.some((s) => s.largeObjects)
    ? await readDestination(
        client,
        "live large objects' size",
        "SELECT pg_catalog.pg_total_relation_size('pg_catalog.pg_largeobject')::text AS bytes",
        [],
        Bytes,
      )
    : [];
  const liveBytes = (live?.bytes ?? 0) + (liveLargeObjects?.bytes ?? 0);
  const expected = expectation ? expectedSnapshots(expectation) : 2;
  const over = list.length > 0 && snapshotBytes > (expected + 1) * liveBytes;
  const freeBytes = await destinationFreeBytes(client);
  const warnings = [
    ...(over ? [storageWarning(list.length, snapshotBytes, liveBytes, expected, expectation)] : []),
    ...[freeSpaceWarning(freeBytes, liveBytes)].filter((w): w is string => w !== undefined),
  ];
  return {
    snapshotBytes,
    liveBytes,
    snapshots: list.length,
    expectedSnapshots: expected,
    ...(freeBytes !== undefined ? { freeBytes } : {}),
    ...(warnings.length > 0 ? { warning: warnings.join("; ") } : {}),
  };
}

/** The warning says how far over it is, what the retention keeps, and what to change. */
function storageWarning(
  count: number,
  snapshotBytes: number,
  liveBytes: number,
  expected: number,
  expectation: StorageExpectation | undefined,
): string {
  const r = expectation?.retention;
  const keeps = r
    ? `retention keeps ${r.count === undefined ? "" : `at most ${r.count}, `}${r.days < AD_HOC_RETENTION_DAYS ? `${r.days} day(s)` : "with no age limit"}: about ${expected} snapshot(s)`
    : `about ${expected} snapshot(s) are expected`;
  return `the ${count} snapshot(s) take ${formatBytes(snapshotBytes)}, more than ${expected + 1} times the live size (${formatBytes(liveBytes)}; the ${keeps}, each a full copy). The snapshots hold larger states than the live one, or more runs than the retention expects: lower retention.count or retention.days (--keep for an ad hoc run), or drop them now with \`pgsync-ts snapshots --prune\``;
}
