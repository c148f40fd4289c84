import type pg from "pg";
import { DEFAULT_SPLIT_TABLES_LARGER_THAN } from "../../config/profile.js";
import { explainStandbyConflict, reportSnapshotAge } from "../../copy/source-health.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { errorMessage } from "../../errors.js";
import { qualify } from "../../sql/quote.js";
import { readColumnWidths } from "../column-widths.js";
import type { RunContext } from "../context.js";
import type { LargeObjectSync } from "../large-objects.js";
import { sourceOf } from "../load-context.js";
import { type LoadContext, type LoadWorker, loadTasks, type TableReport } from "../load-tasks.js";
import { planTableParts, type TablePart } from "../split-table.js";
import type { FaultPoint } from "../step-runner.js";
import { type GraphTask, runTaskGraph, type TaskKind } from "../task-graph.js";
import type { Endpoints } from "./connect.js";
import type { SourceSnapshot } from "./snapshot-source.js";

export interface CopyInput {
  readonly ends: Pick<Endpoints, "sourceInfo">;
  readonly plan: SyncPlan;
  /** The source snapshot (its age is reported); absent in a restore from an archive. */
  readonly snapshot?: SourceSnapshot;
  /** The worker pairs, their sources inside the snapshot (opened by the snapshot-source step: open-workers.ts). */
  readonly workers: readonly LoadWorker[];
  readonly largeObjects: LargeObjectSync | undefined;
  /** Called as each table is loaded and counted (so a failed run still reports what was copied). */
  readonly onTable: (report: TableReport) => void;
  /** Masked columns and subsets (src/pipeline/shaping.ts). */
  readonly shaping?: Pick<LoadContext, "rows" | "explainFailure">;
  /** A restore's rows and large objects, read from an archive instead of the workers' sources. */
  readonly archive?: {
    readonly tables: NonNullable<LoadContext["tables"]>;
    readonly largeObjects: (worker: LoadWorker) => Promise<void>;
  };
}

/**
 * Step "copy-data": the load as a task graph on a pool of worker pairs, all reading the one source
 * snapshot: each table's COPY, keys, index builds and ANALYZE, foreign keys as soon as both tables
 * are ready, and the large objects.
 */
export async function copyDataStep(ctx: RunContext, input: CopyInput): Promise<void> {
  const { ends, plan } = input;
  const { workers } = input;
  // Each copy fault point fires once, in whichever task gets there first; the other tasks that
  // reach it wait for the hook too, so a test that pauses there sees no task pass the point.
  const fired = new Map<FaultPoint, Promise<void>>();
  const fault = (point: FaultPoint): Promise<void> => {
    let hook = fired.get(point);
    if (!hook) {
      hook = Promise.resolve().then(() => ctx.fault(point));
      fired.set(point, hook);
    }
    return hook;
  };
  const { snapshot } = input;
  const stopAgeReports = snapshot
    ? reportSnapshotAge(snapshot.takenAt, 60, (seconds) => ctx.emit({ type: "snapshot-age", seconds }))
    : () => {};
  const progress = throttledProgress(ctx);
  try {
    const onTable = (report: TableReport) => {
      input.onTable(report);
      progress.done(report.table);
      ctx.emit({ type: "table", ...report });
    };
    let running = 0;
    const parallelWorkers = new Map<string, number>();
    // The first worker's source exported the snapshot: what the estimates read is read there.
    const exporter = input.archive ? undefined : workers[0]?.source;
    const tasks = loadTasks<LoadWorker>(plan, {
      timeouts: ctx.timeouts,
      // Only with a fault hook: otherwise every chunk of every COPY would wait on a resolved promise.
      ...(ctx.options.faultHook ? { onChunk: () => fault("copy:mid-stream") } : {}),
      fault,
      onTable,
      ...(ctx.options.oneTaskTablesUpTo === undefined
        ? {}
        : { oneTaskTablesUpTo: ctx.options.oneTaskTablesUpTo }),
      onProgress: progress.report,
      ...input.shaping,
      ...(input.archive ? { tables: input.archive.tables } : {}),
      parts: await optional(ctx, exporter?.client, "splitting big tables", () => splitTables(ctx, input)),
      ...(exporter
        ? {
            columnWidths: await optional(ctx, exporter.client, "reading column widths", () =>
              readColumnWidths(exporter.client, plan),
            ),
          }
        : {}),
      ...(ctx.options.parallelBuilds === "off"
        ? {}
        : { pool: { workers: workers.length, idle: () => workers.length - running } }),
      warn: (message) => ctx.warn(message),
      onParallelBuild: (id, n) => parallelWorkers.set(id, n),
    });
    // Large objects are database-wide: staged apart from the schemas, on a free worker of the snapshot.
    const los = input.largeObjects;
    if (los)
      tasks.push({
        id: "large objects",
        kind: "large objects",
        after: [],
        locks: [],
        weight: los.estimatedBytes,
        run: (w) =>
          input.archive
            ? input.archive.largeObjects(w)
            : los.copy(
                sourceOf(w, "the large objects").client,
                w.destination.client,
                ctx.timeouts.stallSeconds,
              ),
      });
    ctx.emit({
      type: "copy-start",
      tables: plan.tables
        .filter((t) => t.copyData)
        .map((t) => ({
          table: qualify(t.table.schema, t.table.name),
          estimatedRows: t.table.estimatedRows,
          estimatedBytes: t.table.bytes,
        })),
      tasks: countByKind(tasks),
    });
    await runTaskGraph(tasks, workers, {
      started: (t) => {
        running++;
        if (t.kind) ctx.emit({ type: "task", phase: "started", kind: t.kind, ...label(t) });
      },
      finished: (t, outcome) => {
        running--;
        if (t.kind)
          ctx.emit({
            type: "task",
            phase: "finished",
            kind: t.kind,
            ...label(t),
            ...outcome,
            estimate: t.weight,
            ...(parallelWorkers.has(t.id) ? { parallelWorkers: parallelWorkers.get(t.id) } : {}),
          });
      },
    });
  } catch (error) {
    throw explainStandbyConflict(error, ends.sourceInfo.inRecovery);
  } finally {
    stopAgeReports();
  }
}

/**
 * The parts of the tables to split (src/pipeline/split-table.ts), planned on the exporting source
 * connection, inside the snapshot. None in a restore (its rows come from an archive's files), and
 * none of a subset's tables (its rows are a chosen few).
 */
async function splitTables(
  ctx: RunContext,
  input: CopyInput,
): Promise<ReadonlyMap<number, readonly TablePart[]> | undefined> {
  const exporter = input.workers[0]?.source;
  if (input.archive || !exporter || input.workers.length < 2) return undefined;
  const parts = await planTableParts(exporter.client, input.plan, {
    largerThan: ctx.options.splitTablesLargerThan ?? DEFAULT_SPLIT_TABLES_LARGER_THAN,
    workers: input.workers.length,
    eligible: (t) => input.shaping?.rows?.(t.table.oid)?.reads === undefined,
  });
  return parts.size > 0 ? parts : undefined;
}

/**
 * Runs what only sharpens the load's plan (split ranges, estimates) on the exporting connection,
 * behind a savepoint: a failure there must not abort the snapshot's transaction. It is reported,
 * and the load goes on without it (tables whole, default estimates).
 */
async function optional<T>(
  ctx: RunContext,
  client: pg.Client | undefined,
  what: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  if (!client) return undefined;
  await client.query("SAVEPOINT pgsync_load_plan");
  try {
    const result = await fn();
    await client.query("RELEASE SAVEPOINT pgsync_load_plan");
    return result;
  } catch (error) {
    await client.query("ROLLBACK TO SAVEPOINT pgsync_load_plan");
    ctx.warn(`${what} failed on the source, the load goes on without it: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Per table, a progress event at most every PROGRESS_INTERVAL_MS (the first chunk's at once). */
const PROGRESS_INTERVAL_MS = 250;

function throttledProgress(ctx: RunContext): {
  report: (table: string, bytes: number) => void;
  done: (table: string) => void;
} {
  const started = new Map<string, number>();
  const lastSent = new Map<string, number>();
  return {
    report: (table, bytes) => {
      const now = performance.now();
      if (!started.has(table)) started.set(table, now);
      const last = lastSent.get(table);
      if (last !== undefined && now - last < PROGRESS_INTERVAL_MS) return;
      lastSent.set(table, now);
      const seconds = Math.round(now - (started.get(table) ?? now)) / 1000;
      ctx.emit({ type: "table-progress", table, bytes, seconds });
    },
    done: (table) => {
      started.delete(table);
      lastSent.delete(table);
    },
  };
}

function countByKind(tasks: readonly GraphTask<LoadWorker>[]): Partial<Record<TaskKind, number>> {
  const counts: Partial<Record<TaskKind, number>> = {};
  for (const t of tasks) if (t.kind) counts[t.kind] = (counts[t.kind] ?? 0) + 1;
  return counts;
}

function label(t: GraphTask<LoadWorker>): { table?: string; object?: string } {
  return { ...(t.table ? { table: t.table } : {}), ...(t.object ? { object: t.object } : {}) };
}
