import { randomBytes } from "node:crypto";
import { connect } from "../db/connect.js";
import { PgsyncError } from "../errors.js";
import { swapSchemas } from "./cutover.js";
import { acquireDestinationLock } from "./lock.js";
import { ensureMetaSchema, listSnapshots, type SnapshotRecord, snapshotIdFor } from "./meta.js";

export interface RollbackOptions {
  readonly destinationUrl: string;
  readonly connectSeconds?: number;
  readonly lockSeconds?: number;
  readonly statementSeconds?: number;
  /** A specific snapshot; the newest when absent. */
  readonly snapshotId?: string;
}

export interface RollbackReport {
  readonly restored: SnapshotRecord;
  /** The state that was live before the rollback, kept so the rollback itself can be undone. */
  readonly keptAs: string;
}

/**
 * Brings a snapshot back as the live state, atomically, with the same swap a run uses. The state it
 * replaces becomes a snapshot in turn.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackReport> {
  const c = await connect({
    url: options.destinationUrl,
    side: "destination",
    connectSeconds: options.connectSeconds ?? 30,
  });
  try {
    await acquireDestinationLock(c.client, { wait: false, waitSeconds: 0 });
    await ensureMetaSchema(c.client);
    const snapshots = await listSnapshots(c.client);
    const target = options.snapshotId
      ? snapshots.find((s) => s.snapshotId === options.snapshotId)
      : snapshots[0];
    if (!target) {
      throw new PgsyncError(
        "guard",
        options.snapshotId
          ? `no snapshot "${options.snapshotId}" on the destination`
          : "the destination has no snapshot to roll back to",
        { side: "destination" },
      );
    }
    const runId = randomBytes(4).toString("hex");
    const keptAs = snapshotIdFor(runId);
    await swapSchemas(c.client, {
      schemas: target.schemas.map((s) => ({ live: s.original, incoming: s.snapshot })),
      runId,
      snapshotId: keptAs,
      reason: "rollback",
      lockSeconds: options.lockSeconds ?? 300,
      statementSeconds: options.statementSeconds ?? 300,
    });
    return { restored: target, keptAs };
  } finally {
    await c.close();
  }
}
