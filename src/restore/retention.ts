import type pg from "pg";
import { baseSettings, inTransaction } from "../db/session.js";
import { errorMessage } from "../errors.js";
import { dropSavedDatabaseSettings } from "./database-settings.js";
import { UnfinishedDrop } from "./drop-in-batches.js";
import { dropToolSchemas } from "./drop-tool-schema.js";
import { dropSavedLargeObjects } from "./large-objects.js";
import { listSnapshots, META_SCHEMA, type SnapshotRecord } from "./meta.js";

export interface Retention {
  /** Snapshots older than this many days are pruned. */
  readonly days: number;
  /** At most this many snapshots are kept (the newest). */
  readonly count?: number;
}

/** The snapshots a retention policy drops: those older than `days`, and all but the newest `count`. */
export function snapshotsToPrune(
  snapshots: readonly SnapshotRecord[],
  retention: Retention,
  now: Date,
): SnapshotRecord[] {
  const cutoff = now.getTime() - retention.days * 86_400_000;
  const newestFirst = [...snapshots].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  return newestFirst.filter(
    (s, i) => s.takenAt.getTime() < cutoff || (retention.count !== undefined && i >= retention.count),
  );
}

export interface PruneResult {
  readonly pruned: readonly SnapshotRecord[];
  /** Snapshots the policy would drop but that were kept, because something outside depends on them. */
  readonly refused: readonly { readonly snapshot: SnapshotRecord; readonly reason: string }[];
  /**
   * Pruned snapshots (among `pruned`: their records are gone, they can no longer be restored) whose
   * schemas were only partly dropped; the next run's clean-leftovers step drops the rest.
   */
  readonly unfinished: readonly { readonly snapshot: SnapshotRecord; readonly reason: string }[];
  /**
   * What is left, newest first, with the sizes read before the drops: what listSnapshots would
   * return now (an unfinished drop's schemas are no snapshot any more, their records are gone).
   */
  readonly kept: readonly SnapshotRecord[];
}

/**
 * Drops the snapshots the retention policy no longer keeps, each one on its own: a snapshot that a
 * live object still depends on (a view left bound to it by a cut-over) is kept and reported, and the
 * others are pruned anyway. Each snapshot's schemas are dropped together with its record.
 */
export async function pruneSnapshots(
  client: pg.Client,
  retention: Retention,
  now = new Date(),
  statementSeconds = 300,
): Promise<PruneResult> {
  const all = await listSnapshots(client);
  const doomed = snapshotsToPrune(all, retention, now);
  const pruned: SnapshotRecord[] = [];
  const refused: { snapshot: SnapshotRecord; reason: string }[] = [];
  const unfinished: { snapshot: SnapshotRecord; reason: string }[] = [];
  for (const snapshot of doomed) {
    try {
      await dropSnapshot(client, snapshot, statementSeconds);
      pruned.push(snapshot);
    } catch (error) {
      if (error instanceof UnfinishedDrop) {
        pruned.push(snapshot);
        unfinished.push({ snapshot, reason: errorMessage(error) });
      } else refused.push({ snapshot, reason: errorMessage(error) });
    }
  }
  const gone = new Set(pruned.map((s) => s.snapshotId));
  return { pruned, refused, unfinished, kept: all.filter((s) => !gone.has(s.snapshotId)) };
}

/**
 * Drops one snapshot's schemas (as a set: they may reference each other), its records and the large
 * objects it kept, in one transaction.
 */
export async function dropSnapshot(
  client: pg.Client,
  snapshot: SnapshotRecord,
  statementSeconds = 300,
): Promise<void> {
  const names = snapshot.schemas.map((s) => s.snapshot);
  const records = async () => {
    await client.query(`DELETE FROM ${META_SCHEMA}.snapshots WHERE snapshot_schema = ANY($1::text[])`, [
      names,
    ]);
    await dropSavedLargeObjects(client, snapshot.snapshotId);
    await dropSavedDatabaseSettings(client, snapshot.snapshotId);
  };
  // A snapshot of large objects only (no schema) has nothing for dropToolSchemas to do.
  if (names.length > 0) await dropToolSchemas(client, names, statementSeconds, records);
  else await inTransaction(client, baseSettings(statementSeconds), records);
}
