import { hostname } from "node:os";
import type pg from "pg";
import { begin } from "../db/session.js";
import { wrapError } from "../errors.js";
import type { StepReport } from "../pipeline/steps.js";
import { META_SCHEMA } from "../restore/meta.js";

/**
 * The run history lives on each destination, in the tool's metadata schema `_pgsync` (never
 * synced, swapped or snapshotted), in one table: `_pgsync.runs`. Every run, scheduled or manual, is
 * a row: inserted as `running` before the sync starts and completed when it ends, on a connection of
 * its own, so a failed run is recorded even when the sync's connections are gone.
 */
export const RUNS_TABLE = `${META_SCHEMA}.runs`;

export type RunTrigger = "scheduled" | "manual";
/**
 * `abandoned`: the process running it stopped (killed, crashed) before it could record the end.
 * `skipped`: a scheduled run that did not start (missed by more than the grace, or superseded).
 */
export type RunStatus = "running" | "succeeded" | "failed" | "interrupted" | "abandoned" | "skipped";
export const FINISHED_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "interrupted", "abandoned"];

export interface RunRecord {
  readonly id: number;
  readonly runId: string | null;
  readonly profile: string;
  readonly trigger: RunTrigger;
  readonly scheduledFor: Date | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly status: RunStatus;
  readonly seconds: number | null;
  readonly steps: readonly StepReport[];
  readonly tables: number | null;
  readonly rows: number | null;
  readonly bytes: number | null;
  readonly verification: {
    readonly method: string;
    readonly ok: boolean;
    readonly mismatches: string[];
  } | null;
  readonly error: { readonly kind?: string; readonly message: string } | null;
  readonly source: string;
  readonly destination: string;
  readonly host: string;
  readonly pid: number;
}

const CREATE_RUNS = `
CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA};
CREATE TABLE IF NOT EXISTS ${RUNS_TABLE} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profile text NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
  scheduled_for timestamptz,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  status text NOT NULL
    CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'abandoned', 'skipped')),
  run_id text,
  seconds double precision,
  steps jsonb NOT NULL DEFAULT '[]',
  tables integer,
  rows bigint,
  bytes bigint,
  verification jsonb,
  error jsonb,
  source text NOT NULL,
  destination text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_profile_started_idx ON ${RUNS_TABLE} (profile, started_at DESC);`;

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
  if (!Number.isSafeInteger(id)) throw new Error(`invalid run id ${id}`);
  return `pg_catalog.hashtext('pgsync-ts:runs'), ${id % 2147483647}`;
}
/** The guard transaction may sit idle for as long as the run takes. */
const GUARD_SETTINGS = {
  statement_timeout: "60s",
  lock_timeout: "60s",
  idle_in_transaction_session_timeout: 0,
};

/** Creates `_pgsync.runs` if needed. Serialised, because concurrent CREATE ... IF NOT EXISTS can collide. */
export async function ensureRunsTable(client: pg.Client): Promise<void> {
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgsync-ts:meta-ddl'))");
    await client.query(CREATE_RUNS);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw wrapError("internal", `creating the run history table ${RUNS_TABLE} on the destination`, error, {
      object: RUNS_TABLE,
      side: "destination",
    });
  }
}

export interface RunStart {
  readonly profile: string;
  readonly trigger: RunTrigger;
  readonly scheduledFor?: Date;
  readonly startedAt: Date;
  /** Masked URLs. */
  readonly source: string;
  readonly destination: string;
}

/**
 * Inserts a `running` row, then opens the guard transaction holding its lock on this connection: use
 * the connection for nothing else, and end the transaction with `finishRun`.
 */
export async function insertRunning(client: pg.Client, start: RunStart): Promise<number> {
  const result = await client.query<{ id: string }>(
    `INSERT INTO ${RUNS_TABLE} (profile, trigger, scheduled_for, started_at, status, source, destination, host, pid)
     VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8) RETURNING id`,
    [
      start.profile,
      start.trigger,
      start.scheduledFor ?? null,
      start.startedAt,
      start.source,
      start.destination,
      hostname(),
      process.pid,
    ],
  );
  const id = Number(result.rows[0]?.id);
  await begin(client, GUARD_SETTINGS);
  await client.query(`SELECT pg_catalog.pg_advisory_xact_lock(${rowLockArgs(id)})`);
  return id;
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, "running">;
  readonly finishedAt: Date;
  readonly runId?: string;
  readonly seconds?: number;
  readonly steps?: readonly StepReport[];
  readonly tables?: number;
  readonly rows?: number;
  readonly bytes?: number;
  readonly verification?: RunRecord["verification"];
  readonly error?: { readonly kind?: string; readonly message: string } | Record<string, unknown>;
}

const END_COLUMNS = "status, finished_at, run_id, seconds, steps, tables, rows, bytes, verification, error";

function endValues(end: RunEnd): unknown[] {
  return [
    end.status,
    end.finishedAt,
    end.runId ?? null,
    end.seconds ?? null,
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
    const result = await client.query(
      `UPDATE ${RUNS_TABLE} SET (${END_COLUMNS}) = ($2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb, $11::jsonb)
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
  const result = await client.query<{ id: string }>(
    `INSERT INTO ${RUNS_TABLE} (profile, trigger, scheduled_for, started_at, source, destination, host, pid, ${END_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17::jsonb, $18::jsonb)
     RETURNING id`,
    [
      start.profile,
      start.trigger,
      start.scheduledFor ?? null,
      start.startedAt,
      start.source,
      start.destination,
      hostname(),
      process.pid,
      ...endValues(end),
    ],
  );
  return Number(result.rows[0]?.id);
}

/**
 * Marks as `abandoned` every `running` row whose recorder is gone (its guard lock is free): the
 * process was killed or crashed mid-run. Returns the ids marked.
 */
export async function markAbandoned(client: pg.Client): Promise<number[]> {
  if (!(await runsTableExists(client))) return [];
  const running = await client.query<{ id: string; host: string; pid: number }>(
    `SELECT id, host, pid FROM ${RUNS_TABLE} WHERE status = 'running' ORDER BY id`,
  );
  const marked: number[] = [];
  for (const row of running.rows) {
    const id = Number(row.id);
    // One short transaction per row: the lock taken here is released at its end.
    await begin(client, GUARD_SETTINGS);
    try {
      const free = await client.query<{ ok: boolean }>(
        `SELECT pg_catalog.pg_try_advisory_xact_lock(${rowLockArgs(id)}) AS ok`,
      );
      if (free.rows[0]?.ok) {
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

export async function runsTableExists(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>(`SELECT to_regclass('${RUNS_TABLE}') IS NOT NULL AS ok`);
  return r.rows[0]?.ok === true;
}

interface RunRow {
  id: string;
  run_id: string | null;
  profile: string;
  trigger: RunTrigger;
  scheduled_for: Date | null;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  seconds: number | null;
  steps: StepReport[];
  tables: number | null;
  rows: string | null;
  bytes: string | null;
  verification: RunRecord["verification"];
  error: RunRecord["error"];
  source: string;
  destination: string;
  host: string;
  pid: number;
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: Number(r.id),
    runId: r.run_id,
    profile: r.profile,
    trigger: r.trigger,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    seconds: r.seconds,
    steps: r.steps,
    tables: r.tables,
    rows: r.rows === null ? null : Number(r.rows),
    bytes: r.bytes === null ? null : Number(r.bytes),
    verification: r.verification,
    error: r.error,
    source: r.source,
    destination: r.destination,
    host: r.host,
    pid: r.pid,
  };
}

/**
 * The newest runs, newest first: of the given profiles (`limit` each), or of every profile recorded
 * on this destination when `profiles` is undefined. Empty when there is no history table yet.
 */
export async function readRuns(
  client: pg.Client,
  options: { profiles?: readonly string[]; limit: number },
): Promise<RunRecord[]> {
  if (!(await runsTableExists(client))) return [];
  const result = await client.query<RunRow>(
    `SELECT * FROM (
       SELECT r.*, row_number() OVER (PARTITION BY profile ORDER BY started_at DESC, id DESC) AS n
       FROM ${RUNS_TABLE} r WHERE $1::text[] IS NULL OR profile = ANY ($1::text[])) ranked
     WHERE n <= $2 ORDER BY started_at DESC, id DESC`,
    [options.profiles ? [...options.profiles] : null, options.limit],
  );
  return result.rows.map(toRecord);
}

/** The newest scheduled slot recorded for a profile (run or skipped), and whether it has any history. */
export async function lastScheduledSlot(
  client: pg.Client,
  profile: string,
): Promise<{ hasHistory: boolean; lastSlot: Date | null }> {
  if (!(await runsTableExists(client))) return { hasHistory: false, lastSlot: null };
  const r = await client.query<{ any_run: boolean; last_slot: Date | null }>(
    `SELECT count(*) > 0 AS any_run,
            max(scheduled_for) FILTER (WHERE trigger = 'scheduled') AS last_slot
     FROM ${RUNS_TABLE} WHERE profile = $1`,
    [profile],
  );
  return { hasHistory: r.rows[0]?.any_run === true, lastSlot: r.rows[0]?.last_slot ?? null };
}
