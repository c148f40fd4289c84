import { randomBytes } from "node:crypto";
import { type Connection, connect } from "../db/connect.js";
import { baseSettings, inTransaction } from "../db/session.js";
import { PgsyncError } from "../errors.js";
import { swapSchemas } from "./cutover.js";
import { restoreDatabaseSettings, type SettingsRestore } from "./database-settings.js";
import { cutoverHazards } from "./hazards.js";
import { restoreLargeObjects } from "./large-objects.js";
import { holdDestinationLock } from "./lock.js";
import { ensureMetaSchema, listSnapshots, type SnapshotRecord, snapshotIdFor } from "./meta.js";
import { describeRunLockHolders } from "./readers.js";

export interface RollbackOptions {
  readonly destinationUrl: string;
  readonly connectSeconds?: number;
  readonly lockSeconds?: number;
  readonly statementSeconds?: number;
  /** A specific snapshot; the newest when absent. */
  readonly snapshotId?: string;
  /** Told about anything worth a warning (objects left bound to the replaced state, waits for readers). */
  readonly onWarning?: (message: string) => void;
}

export interface RollbackReport {
  readonly restored: SnapshotRecord;
  /** The state that was live before the rollback, kept as this snapshot so the rollback itself can be undone. */
  readonly keptAs: string;
  /** When the snapshot kept large objects: how many came back, and how many live ones it replaced (kept too). */
  readonly largeObjects?: { readonly restored: number; readonly replaced: number };
  /**
   * The database's own settings put back as the snapshot kept them (absent when the snapshot kept
   * none: it was taken before pgsync-ts kept them, and the settings were left as they are).
   */
  readonly databaseSettings?: SettingsRestore;
  readonly warnings: readonly string[];
}

/**
 * Brings a snapshot back as the live state, atomically, with the same swap a run uses. The state it
 * replaces becomes a snapshot in turn (reason "rollback"), so rolling back again undoes it. Schemas
 * that did not exist when the snapshot was taken are emptied (and dropped). The large objects the
 * snapshot kept replace the live ones, which are kept in turn. Fails at once, changing nothing,
 * while a run holds the destination lock.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackReport> {
  const connectSeconds = options.connectSeconds ?? 30;
  const statementSeconds = options.statementSeconds ?? 300;
  const runId = randomBytes(4).toString("hex");
  const applicationName = `pgsync-ts ${runId}`;
  const open = () =>
    connect({ url: options.destinationUrl, side: "destination", connectSeconds, applicationName });
  const connections: Connection[] = [];
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  try {
    const lock = await open();
    connections.push(lock);
    await holdDestinationLock(lock.client, { wait: false, waitSeconds: 0 }).catch(async (error: unknown) => {
      const holders = await describeRunLockHolders(lock.client).catch(() => "");
      if (!(error instanceof PgsyncError) || !holders) throw error;
      throw new PgsyncError(error.kind, `${error.message}; held by ${holders}`, error.context, {
        cause: error,
      });
    });
    const c = await open();
    connections.push(c);
    await ensureMetaSchema(c.client, statementSeconds);
    const snapshots = await listSnapshots(c.client);
    const target = options.snapshotId
      ? snapshots.find((s) => s.snapshotId === options.snapshotId)
      : snapshots[0];
    if (!target) {
      throw new PgsyncError(
        "guard",
        options.snapshotId
          ? `no snapshot "${options.snapshotId}" on the destination (list them with: pgsync-ts snapshots)`
          : "the destination has no snapshot to roll back to",
        { side: "destination" },
      );
    }
    const schemas = target.schemas.map((s) => ({
      live: s.original,
      incoming: s.snapshot,
      incomingExisted: s.existed,
    }));
    const hazards = await inTransaction(c.client, baseSettings(statementSeconds), () =>
      cutoverHazards(c.client, schemas),
    );
    for (const h of hazards) warn(h);
    const keptAs = snapshotIdFor(runId);
    let largeObjects: RollbackReport["largeObjects"];
    let settings: SettingsRestore | undefined;
    await swapSchemas(c.client, {
      schemas,
      runId,
      snapshotId: keptAs,
      reason: "rollback",
      lockSeconds: options.lockSeconds ?? 300,
      statementSeconds,
      ownApplicationName: applicationName,
      onWait: warn,
      // Large objects belong to no schema: swapped in the same transaction (a snapshot of a run
      // that synced selected schemas kept none, and the live ones are then left alone).
      beforeCommit: async () => {
        settings = await restoreDatabaseSettings(c.client, target.snapshotId, keptAs);
        if (settings?.notRestored) warn(settings.notRestored);
        const result = await restoreLargeObjects(c.client, { snapshotId: target.snapshotId, keptAs, runId });
        if (!result) return;
        largeObjects = { restored: result.restored, replaced: result.replaced };
        for (const w of result.warnings) warn(w);
      },
    });
    return {
      restored: target,
      keptAs,
      ...(largeObjects ? { largeObjects } : {}),
      ...(settings ? { databaseSettings: settings } : {}),
      warnings,
    };
  } finally {
    for (const c of connections.reverse()) await c.close();
  }
}
