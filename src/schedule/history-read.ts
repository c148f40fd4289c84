import type pg from "pg";
import { z } from "zod";
import { int, num, text, textOrNull } from "../db/rows.js";
import { META_SCHEMA, readDestination } from "../restore/migrations.js";

/**
 * Reading the run history (`_pgsync.runs`, see history-store.ts). Every row is validated here, and
 * its codes decoded into the unions below. A table an older release left, without the columns that
 * later metadata versions added (src/restore/migrations.ts), still reads: those values are unknown.
 */
export const RUNS_TABLE = `${META_SCHEMA}.runs`;

export const RUN_TRIGGERS = ["scheduled", "manual"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
/**
 * `archive-failed`: the sync cut over (its new state stands) but the profile's archive failed.
 * `abandoned`: the process running it stopped (killed, crashed) before it could record the end.
 * `skipped`: a scheduled run that did not start (missed by more than the grace, or superseded).
 */
export const RUN_STATUSES = [
  "running",
  "succeeded",
  "failed",
  "interrupted",
  "abandoned",
  "skipped",
  "archive-failed",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "failed",
  "interrupted",
  "abandoned",
  "archive-failed",
];
/** `sync`: a run copied the source; `rollback`: a snapshot was swapped back in. */
export const RUN_KINDS = ["sync", "rollback"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A step as the history keeps it (a name a later release no longer has still reads). */
export interface RecordedStep {
  readonly name: string;
  readonly status: "done" | "failed" | "not run";
  readonly seconds: number;
  readonly error?: string;
}

export interface RunRecord {
  readonly id: number;
  readonly kind: RunKind;
  readonly runId: string | null;
  readonly profile: string;
  readonly trigger: RunTrigger;
  readonly scheduledFor: Date | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly status: RunStatus;
  readonly seconds: number | null;
  /** Time spent waiting for another run's destination lock, apart from `seconds`; null: unknown. */
  readonly lockWaitSeconds: number | null;
  readonly steps: readonly RecordedStep[];
  readonly tables: number | null;
  readonly rows: number | null;
  readonly bytes: number | null;
  readonly verification: {
    readonly method: string;
    readonly ok: boolean;
    readonly mismatches: string[];
    /** The content digest's version, when the run computed checksums (src/verify/digest.ts). */
    readonly digestVersion?: number;
  } | null;
  readonly error: { readonly kind?: string; readonly message: string } | null;
  /** Masked URLs. A rollback's source is its destination (the snapshot lives there). */
  readonly source: string;
  readonly destination: string;
  /** A rollback's snapshot brought back, and the one the replaced state was kept as. */
  readonly restoredSnapshot: string | null;
  readonly keptSnapshot: string | null;
  readonly host: string;
  readonly pid: number;
}

const intOrNull = int.nullable();
const numOrNull = num.nullable();
/** Columns added by a later metadata version: absent from a table an older release left. */
const later = <T extends z.ZodType>(column: T, absent: z.infer<T>) =>
  column.optional().transform((v) => (v === undefined ? absent : v));

const RunRow = z.object({
  id: int,
  kind: later(z.enum(RUN_KINDS), "sync"),
  run_id: textOrNull,
  profile: text,
  trigger: z.enum(RUN_TRIGGERS),
  scheduled_for: z.date().nullable(),
  started_at: z.date(),
  finished_at: z.date().nullable(),
  status: z.enum(RUN_STATUSES),
  seconds: numOrNull,
  lock_wait_seconds: later(numOrNull, null),
  steps: z.array(
    z.object({
      name: text,
      status: z.enum(["done", "failed", "not run"]),
      seconds: num,
      error: text.optional(),
    }),
  ),
  tables: intOrNull,
  rows: intOrNull,
  bytes: intOrNull,
  verification: z
    .object({ method: text, ok: z.boolean(), mismatches: z.array(text), digestVersion: int.optional() })
    .nullable(),
  // Whatever else the run's error carried (object, side, SQL, server fields) is kept.
  error: z.looseObject({ kind: text.optional(), message: text }).nullable(),
  source: text,
  destination: text,
  restored_snapshot: later(textOrNull, null),
  kept_snapshot: later(textOrNull, null),
  host: text,
  pid: int,
});

function toRecord(r: z.infer<typeof RunRow>): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    runId: r.run_id,
    profile: r.profile,
    trigger: r.trigger,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    seconds: r.seconds,
    lockWaitSeconds: r.lock_wait_seconds,
    steps: r.steps.map(({ error, ...step }) => (error === undefined ? step : { ...step, error })),
    tables: r.tables,
    rows: r.rows,
    bytes: r.bytes,
    verification: r.verification,
    error: r.error,
    source: r.source,
    destination: r.destination,
    restoredSnapshot: r.restored_snapshot,
    keptSnapshot: r.kept_snapshot,
    host: r.host,
    pid: r.pid,
  };
}

/** The columns of `_pgsync.runs`; empty when there is no history table yet. */
async function runsColumns(client: pg.Client): Promise<ReadonlySet<string>> {
  const rows = await readDestination(
    client,
    "run history columns",
    `SELECT a.attname AS name FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [RUNS_TABLE],
    z.object({ name: text }),
  );
  return new Set(rows.map((r) => r.name));
}

export async function runsTableExists(client: pg.Client): Promise<boolean> {
  return (await runsColumns(client)).size > 0;
}

/**
 * The newest runs, newest first: of the given profiles (`limit` each), or of every profile recorded
 * on this destination when `profiles` is undefined. Only syncs unless `kinds` says otherwise, so
 * that success rates, metrics and schedules count runs only. Empty when there is no history table.
 */
export async function readRuns(
  client: pg.Client,
  options: { profiles?: readonly string[]; limit: number; kinds?: readonly RunKind[] },
): Promise<RunRecord[]> {
  const columns = await runsColumns(client);
  if (columns.size === 0) return [];
  // Before rollbacks were recorded (metadata version 4) every row was a sync.
  const kind = columns.has("kind") ? "r.kind" : "'sync'";
  const rows = await readDestination(
    client,
    "run history",
    `SELECT * FROM (
       SELECT r.*, row_number() OVER (PARTITION BY profile ORDER BY started_at DESC, id DESC) AS n
       FROM ${RUNS_TABLE} r
       WHERE ($1::text[] IS NULL OR profile = ANY ($1::text[])) AND ${kind} = ANY ($3::text[])) ranked
     WHERE n <= $2 ORDER BY started_at DESC, id DESC`,
    [options.profiles ? [...options.profiles] : null, options.limit, [...(options.kinds ?? ["sync"])]],
    RunRow,
  );
  return rows.map(toRecord);
}

/** The newest scheduled slot recorded for a profile (run or skipped), and whether it has any history. */
export async function lastScheduledSlot(
  client: pg.Client,
  profile: string,
): Promise<{ hasHistory: boolean; lastSlot: Date | null }> {
  if (!(await runsTableExists(client))) return { hasHistory: false, lastSlot: null };
  const [row] = await readDestination(
    client,
    "last scheduled slot",
    `SELECT count(*) > 0 AS any_run,
            max(scheduled_for) FILTER (WHERE trigger = 'scheduled') AS last_slot
     FROM ${RUNS_TABLE} WHERE profile = $1`,
    [profile],
    z.object({ any_run: z.boolean(), last_slot: z.date().nullable() }),
  );
  return { hasHistory: row?.any_run === true, lastSlot: row?.last_slot ?? null };
}
