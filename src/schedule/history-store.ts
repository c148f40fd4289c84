import { hostname } from "node:os";
import type pg from "pg";
import { z } from "zod";
import { int, text } from "../db/rows.js";
import { begin, pinnedQuery } from "../db/session.js";
import { PgsyncError } from "../errors.js";
import type { StepReport } from "../pipeline/step-runner.js";
import { migrateMetaSchema, readDestination } from "../restore/migrations.js";
import { maskConnectionString } from "../util/redact.js";
import {
  RUNS_TABLE,
  type RunRecord,
  type RunStatus,
  type RunTrigger,
  runsTableExists,
} from "./history-read.js";

export {
  FINISHED_STATUSES,
  lastScheduledSlot,
  type RecordedStep,
  RUN_KINDS,
  RUNS_TABLE,
  type RunKind,
  type RunRecord,
  type RunStatus,
  type RunTrigger,
  readRuns,
  runsTableExists,
} from "./history-read.js";

/**
 * The run history lives on each destination, in the tool's metadata schema `_pgsync` (never
 * synced, swapped or snapshotted), in one table: `_pgsync.runs`, whose shape the metadata
 * migrations own (src/restore/migrations.ts). Every run, scheduled or manual, is a row: inserted as
 * `running` before the sync starts and completed when it ends, on a connection of its own, so a
 * failed run is recorded even when the sync's connections are gone. Rollbacks are rows too.
 * URLs are stored masked, whatever the caller passes.
 */

/**
 * Each `running` row is guarded by an advisory lock keyed on the row id, which its recorder holds
 * for the whole run in a transaction left open on its history connection (transaction-level, so it
 * also works behind a transaction pooler; the transaction writes nothing until the end and holds no
 * snapshot). If the recorder dies, the server ends the transaction and frees the lock: whoever can
 * take it knows the row is stale.
 */
function rowLockArgs(id: number): string {
  // A literal, not a bind parameter: a statement run through the extended protocol would leave the
  // guard transaction holding a snapshot (backend_xmin), which the cut-over waits for.
  if (!Number.isSafeInteger(id))
    throw new PgsyncError("internal", `invalid run id ${id}`, { object: `run ${id}`, side: "destination" });
  return `pg_catalog.hashtext('pgsync-ts:runs'), ${id % 2147483647}`;
}
/** The guard transaction may sit idle for as long as the run takes. */
const GUARD_SETTINGS = {
  statement_timeout: "60s",
  lock_timeout: "60s",
  idle_in_transaction_session_timeout: 0,
};

/**
 * Creates or upgrades the metadata schema, `_pgsync.runs` with it (see migrateMetaSchema). The
 * history may write before a run's lock step (its `running` row), so this takes the migrations'
 * own lock, never the run's. The client must not be inside a transaction.
 */
export async function ensureRunsTable(client: pg.Client, statementSeconds = 60): Promise<void> {
  await migrateMetaSchema(client, statementSeconds);
}

const Id = z.object({ id: int });

export interface RunStart {
  readonly profile: string;
  readonly trigger: RunTrigger;
  readonly scheduledFor?: Date;
  readonly startedAt: Date;
  /** URLs (masked again here, so the history never keeps a password). */
  readonly source: string;
  readonly destination: string;
}

/**
 * Inserts a `running` row, then opens the guard transaction holding its lock on this connection: use
 * the connection for nothing else, and end the transaction with `finishRun`.
 */
export async function insertRunning(client: pg.Client, start: RunStart): Promise<number> {
  const [row] = await readDestination(
    client,
    "run history: start of a run",
    `INSERT INTO ${RUNS_TABLE} (profile, trigger, scheduled_for, started_at, status, source, destination, host, pid)
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) RETURNING id`,
    [
      start.profile,
      start.trigger,
      start.scheduledFor ?? null,
      start.startedAt,
      maskConnectionString(start.source),
      maskConnectionString(start.destination),
      hostname(),
      process.pid,
    ],
    Id,
  );
  const id = row?.id ?? Number.NaN;
  await begin(client, GUARD_SETTINGS);
  await client.query(`SELECT pg_catalog.pg_advisory_xact_lock(${rowLockArgs(id)})`);
  return id;
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, "running">;
  readonly finishedAt: Date;
  readonly runId?: string;
  readonly seconds?: number;
  /** Seconds spent waiting for another run's destination lock (not measured: unknown in the history). */
  readonly lockWaitSeconds?: number;
  readonly steps?: readonly StepReport[];
  readonly tables?: number;
  readonly rows?: number;
  readonly bytes?: number;
  readonly verification?: RunRecord["verification"];
  readonly error?: { readonly kind?: string; readonly message: string } | Record<string, unknown>;
}

const END_COLUMNS =
  "status, finished_at, run_id, seconds, lock_wait_seconds, steps, tables, rows, bytes, verification, error";

function endValues(end: RunEnd): unknown[] {
  return [
    end.status,
    end.finishedAt,
    end.runId ?? null,
    end.seconds ?? null,
    end.lockWaitSeconds ?? null,
    JSON.stringify(end.steps ?? []),
    end.tables ?? null,
    end.rows ?? null,
    end.bytes ?? null,
    end.verification ? JSON.stringify(end.verification) : null,
    end.error ? JSON.stringify(end.error) : null,
  ];
}

/**
 * Completes a row written by `insertRunning`: inside its guard transaction when `inGuard` (the
 * commit releases the lock), else on its own (a fresh connection after the first one broke).
 * Returns false when the row no longer exists.
 */
export async function finishRun(
  client: pg.Client,
  id: number,
  end: RunEnd,
  inGuard: boolean,
): Promise<boolean> {
  try {
    // Pinned when it runs on its own (a fresh connection): the casts must resolve in pg_catalog.
    const result = await pinnedQuery(
      client,
      `UPDATE ${RUNS_TABLE} SET (${END_COLUMNS}) = ($2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::jsonb, $12::jsonb)
       WHERE id = $1`,
      [id, ...endValues(end)],
    );
    if (inGuard) await client.query("COMMIT");
    return (result.rowCount ?? 0) > 0;
  } catch (error) {
    if (inGuard) await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Writes a whole row at once: a run whose start could not be recorded, or a skipped scheduled run. */
export async function insertFinished(client: pg.Client, start: RunStart, end: RunEnd): Promise<number> {
  return await insertWhole(client, "sync", start, end, {});
}

export interface RollbackRun {
  readonly profile: string;
  readonly trigger?: RunTrigger;
  readonly startedAt: Date;
  /** The URL of the destination rolled back (masked here). */
  readonly destination: string;
  /** The snapshot brought back, and the one the replaced state was kept as (absent when it failed before). */
  readonly restoredSnapshot?: string;
  readonly keptSnapshot?: string;
  readonly end: RunEnd;
}

/**
 * Records a rollback in the history (kind `rollback`), creating or upgrading the metadata schema
 * first. Its source is the destination itself: the snapshot it brought back lives there. The
 * client must not be inside a transaction. Returns the row id.
 */
export async function recordRollback(client: pg.Client, rollback: RollbackRun): Promise<number> {
  await ensureRunsTable(client);
  const start: RunStart = {
    profile: rollback.profile,
    trigger: rollback.trigger ?? "manual",
    startedAt: rollback.startedAt,
    source: rollback.destination,
    destination: rollback.destination,
  };
  return await insertWhole(client, "rollback", start, rollback.end, {
    restored: rollback.restoredSnapshot ?? null,
    kept: rollback.keptSnapshot ?? null,
  });
}

async function insertWhole(
  client: pg.Client,
  kind: "sync" | "rollback",
  start: RunStart,
  end: RunEnd,
  snapshots: { restored?: string | null; kept?: string | null },
): Promise<number> {
  const [row] = await readDestination(
    client,
    `run history: a whole ${kind} row`,
    `INSERT INTO ${RUNS_TABLE} (kind, restored_snapshot, kept_snapshot, profile, trigger, scheduled_for, started_at,
                                source, destination, host, pid, ${END_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
             $12, $13, $14, $15, $16, $17::jsonb, $18, $19, $20, $21::jsonb, $22::jsonb)
     RETURNING id`,
    [
      kind,
      snapshots.restored ?? null,
      snapshots.kept ?? null,
      start.profile,
      start.trigger,
      start.scheduledFor ?? null,
      start.startedAt,
      maskConnectionString(start.source),
      maskConnectionString(start.destination),
      hostname(),
      process.pid,
      ...endValues(end),
    ],
    Id,
  );
  return row?.id ?? Number.NaN;
}

const RunningRow = z.object({ id: int, host: text, pid: int });
const Free = z.object({ ok: z.boolean() });

/**
 * Marks as `abandoned` every `running` row whose recorder is gone (its guard lock is free): the
 * process was killed or crashed mid-run. Returns the ids marked.
 */
export async function markAbandoned(client: pg.Client): Promise<number[]> {
  if (!(await runsTableExists(client))) return [];
  const running = await readDestination(
    client,
    "run history: running rows",
    `SELECT id, host, pid FROM ${RUNS_TABLE} WHERE status = 'running' ORDER BY id`,
    [],
    RunningRow,
  );
  const marked: number[] = [];
  for (const row of running) {
    const id = row.id;
    // One short transaction per row: the lock taken here is released at its end.
    await begin(client, GUARD_SETTINGS);
    try {
      const [free] = await readDestination(
        client,
        "run history: a running row's guard",
        `SELECT pg_catalog.pg_try_advisory_xact_lock(${rowLockArgs(id)}) AS ok`,
        [],
        Free,
      );
      if (free?.ok) {
        const updated = await client.query(
          `UPDATE ${RUNS_TABLE} SET status = 'abandoned', error = $2::jsonb WHERE id = $1 AND status = 'running'`,
          [
            id,
            JSON.stringify({
              kind: "interrupted",
              message: `the process running it (pid ${row.pid} on ${row.host}) stopped before the run ended`,
            }),
          ],
        );
        if ((updated.rowCount ?? 0) > 0) marked.push(id);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }
  return marked;
}
