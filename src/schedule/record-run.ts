import { z } from "zod";
import { type Connection, connect } from "../db/connect.js";
import { errorMessage } from "../errors.js";
import { type RunOptions, type RunReport, runSync } from "../pipeline/run.js";
import { META_SCHEMA, readDestination } from "../restore/meta.js";
import { maskConnectionString, redactDeep } from "../util/redact.js";
import {
  ensureRunsTable,
  finishRun,
  insertFinished,
  insertRunning,
  markAbandoned,
  type RunEnd,
  type RunStart,
  type RunStatus,
  type RunTrigger,
} from "./history-store.js";

/** Where the recorder reports what went wrong with the history itself (never fatal to the run). */
export type HistoryWarn = (message: string) => void;

export interface RecordedRunOptions {
  readonly profile: string;
  readonly trigger: RunTrigger;
  /** The cron slot a scheduled run serves. */
  readonly scheduledFor?: Date;
  /** Handed to runSync as is; its destinationUrl is where the history is written. */
  readonly run: RunOptions;
  readonly connectSeconds: number;
  readonly warn?: HistoryWarn;
}

export interface RecordedRun {
  readonly report: RunReport;
  readonly status: Exclude<RunStatus, "running" | "skipped" | "abandoned">;
  /** The history row, or null when it could not be written (the warning says why). */
  readonly recordId: number | null;
}

/**
 * Runs one sync and records it in the destination's run history. The row is inserted as `running`
 * before the sync starts and completed after it ends, always on a connection of its own (never one
 * of the sync's, never inside its cut-over transaction), so a failed or interrupted run is
 * recorded too. A history that cannot be written is reported through `warn` and never fails the run.
 */
export async function recordedRun(options: RecordedRunOptions): Promise<RecordedRun> {
  const warn = options.warn ?? (() => {});
  const destinationUrl = options.run.destinationUrl;
  const start = historyStart({
    profile: options.profile,
    trigger: options.trigger,
    ...(options.scheduledFor ? { scheduledFor: options.scheduledFor } : {}),
    startedAt: new Date(),
    sourceUrl: options.run.sourceUrl,
    destinationUrl,
  });
  let history: Connection | undefined;
  let recordId: number | undefined;
  // On a destination pgsync-ts has never written to, nothing is created before the run: its guards
  // may refuse the database, and a refused run must leave it untouched. The record is then written
  // after the run, once the run itself has created the metadata schema.
  let firstContact = false;
  try {
    history = await openHistoryReader(destinationUrl, options.connectSeconds);
    firstContact = !(await metaSchemaExists(history.client));
    if (firstContact) throw new FirstContact();
    await ensureRunsTable(history.client);
    const abandoned = await markAbandoned(history.client);
    if (abandoned.length > 0)
      warn(`marked ${abandoned.length} earlier run(s) as abandoned (their process stopped mid-run)`);
  } catch (error) {
    if (!(error instanceof FirstContact))
      warn(`the start of the run could not be recorded in the run history: ${errorMessage(error)}`);
    await history?.close();
    history = undefined;
  }

  // The `running` row is written once the run's guards have passed: a destination they refuse (the
  // source itself, a production database) must not be written to, not even by the history.
  let started: Promise<void> | undefined;
  const onEvent: RunOptions["onEvent"] = (event) => {
    if (event.type === "step" && event.report.name === "guard" && event.report.status === "done" && history) {
      const client = history.client;
      started = insertRunning(client, start).then(
        (id) => {
          recordId = id;
        },
        (error: unknown) =>
          warn(`the start of the run could not be recorded in the run history: ${errorMessage(error)}`),
      );
    }
    options.run.onEvent?.(event);
  };
  const report = await runSync({ ...options.run, onEvent });
  await started;
  if (report.steps.some((s) => s.name === "guard" && s.status === "failed")) {
    await history?.close();
    warn(
      "the run is not recorded in the run history: a guard refused the destination before anything was written",
    );
    return { report, status: outcome(report, options.run.signal), recordId: null };
  }
  const status = outcome(report, options.run.signal);
  const end = historyEnd(report, status);
  let written = false;
  try {
    if (history && recordId !== undefined) {
      written = await finishRun(history.client, recordId, end, true).catch(() => false);
    }
    if (!written) {
      // The history connection broke during the run (or never opened): a fresh one completes the record.
      await history?.close();
      history = await openHistoryReader(destinationUrl, options.connectSeconds);
      if (firstContact && !(await metaSchemaExists(history.client))) {
        warn(
          "the run is not recorded in the run history: it ended before writing anything to this destination, which pgsync-ts has never written to",
        );
        return { report, status, recordId: null };
      }
      await ensureRunsTable(history.client);
      if (recordId !== undefined) written = await finishRun(history.client, recordId, end, false);
      if (!written) recordId = await insertFinished(history.client, start, end);
      written = true;
    }
  } catch (error) {
    warn(`the end of the run could not be recorded in the run history: ${errorMessage(error)}`);
  } finally {
    await history?.close();
  }
  return { report, status, recordId: written && recordId !== undefined ? recordId : null };
}

class FirstContact extends Error {}

async function metaSchemaExists(client: Connection["client"]): Promise<boolean> {
  const [row] = await readDestination(
    client,
    "metadata schema present",
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS ok",
    [META_SCHEMA],
    z.object({ ok: z.boolean() }),
  );
  return row?.ok === true;
}

/** Records a scheduled run that did not start (late past the grace, or superseded). */
export async function recordSkipped(options: {
  readonly profile: string;
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly connectSeconds: number;
  readonly scheduledFor: Date;
  readonly reason: string;
}): Promise<number | null> {
  const now = new Date();
  const history = await openHistoryReader(options.destinationUrl, options.connectSeconds);
  try {
    // Like a refused run, a skip never makes pgsync-ts write to a destination it has not written to yet.
    if (!(await metaSchemaExists(history.client))) return null;
    await ensureRunsTable(history.client);
    return await insertFinished(
      history.client,
      historyStart({
        profile: options.profile,
        trigger: "scheduled",
        scheduledFor: options.scheduledFor,
        startedAt: now,
        sourceUrl: options.sourceUrl,
        destinationUrl: options.destinationUrl,
      }),
      redactDeep({ status: "skipped", finishedAt: now, error: { kind: "misfire", message: options.reason } }),
    );
  } finally {
    await history.close();
  }
}

/** A connection for reading the history (nothing is created). */
export function openHistoryReader(destinationUrl: string, connectSeconds: number): Promise<Connection> {
  return connect({
    url: destinationUrl,
    side: "destination",
    connectSeconds,
    applicationName: "pgsync-ts history",
  });
}

/** A connection for writing the history: `_pgsync.runs` exists once it is open. */
export async function openHistory(destinationUrl: string, connectSeconds: number): Promise<Connection> {
  const c = await openHistoryReader(destinationUrl, connectSeconds);
  try {
    await ensureRunsTable(c.client);
    return c;
  } catch (error) {
    await c.close();
    throw error;
  }
}

function outcome(report: RunReport, signal: AbortSignal | undefined): RecordedRun["status"] {
  // The sync's cut-over stands; only the profile's archive failed.
  if (report.archive && !report.archive.ok && report.snapshot) return "archive-failed";
  if (report.ok) return "succeeded";
  // An aborted run fails wherever the abort caught it (often as a dropped connection): it was interrupted.
  if (signal?.aborted || report.error?.kind === "interrupted") return "interrupted";
  return "failed";
}

/**
 * The start of a history row: its connection strings masked (the history never keeps a password,
 * in any form the parser accepts) and every text through the redaction registry.
 */
export function historyStart(start: {
  readonly profile: string;
  readonly trigger: RunTrigger;
  readonly scheduledFor?: Date;
  readonly startedAt: Date;
  readonly sourceUrl: string;
  readonly destinationUrl: string;
}): RunStart {
  return redactDeep({
    profile: start.profile,
    trigger: start.trigger,
    ...(start.scheduledFor ? { scheduledFor: start.scheduledFor } : {}),
    startedAt: start.startedAt,
    source: maskConnectionString(start.sourceUrl),
    destination: maskConnectionString(start.destinationUrl),
  });
}

/** The end of a history row, from the run's report; every text (the error above all) redacted. */
export function historyEnd(
  report: Pick<
    RunReport,
    "finishedAt" | "runId" | "seconds" | "lockWaitSeconds" | "steps" | "totals" | "verification" | "error"
  >,
  status: RecordedRun["status"],
): RunEnd {
  return redactDeep(runEnd(report, status));
}

function runEnd(
  report: Pick<
    RunReport,
    "finishedAt" | "runId" | "seconds" | "lockWaitSeconds" | "steps" | "totals" | "verification" | "error"
  >,
  status: RecordedRun["status"],
): RunEnd {
  return {
    status,
    finishedAt: new Date(report.finishedAt),
    runId: report.runId,
    seconds: report.seconds,
    ...(report.lockWaitSeconds === undefined ? {} : { lockWaitSeconds: report.lockWaitSeconds }),
    steps: report.steps,
    tables: report.totals.tables,
    rows: report.totals.rows,
    bytes: report.totals.bytes,
    verification: report.verification
      ? {
          method: report.verification.method,
          ok: report.verification.ok,
          mismatches: [...report.verification.mismatches],
          // Content digests compare only within one version: the history says which one it used.
          ...(report.verification.digestVersion === undefined
            ? {}
            : { digestVersion: report.verification.digestVersion }),
        }
      : null,
    ...(report.error ? { error: report.error } : {}),
  };
}
