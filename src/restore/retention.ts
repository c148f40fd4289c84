import type pg from "pg";
import { quoteLiteral } from "../ddl/quote.js";
import { dropToolSchema } from "./drop-tool-schema.js";
import { listSnapshots, META_SCHEMA, type SnapshotRecord } from "./meta.js";

export interface Retention {
  /** Snapshots older than this many days are pruned. */
  readonly days: number;
  /** At most this many snapshots are kept (the newest). */
  readonly count?: number;
}

/** The snapshots a retention policy drops, newest first in, oldest out. */
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

export async function pruneSnapshots(
  client: pg.Client,
  retention: Retention,
  now = new Date(),
): Promise<SnapshotRecord[]> {
  const doomed = snapshotsToPrune(await listSnapshots(client), retention, now);
  for (const snapshot of doomed) {
    for (const s of snapshot.schemas) {
      await dropToolSchema(client, s.snapshot);
      await client.query(
        `DELETE FROM ${META_SCHEMA}.snapshots WHERE snapshot_schema = ${quoteLiteral(s.snapshot)}`,
      );
    }
  }
  return doomed;
}
