import { explainStandbyConflict, reportSnapshotAge } from "../../copy/source-health.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { qualify } from "../../sql/quote.js";
import type { RunContext } from "../context.js";
import type { LargeObjectSync } from "../large-objects.js";
import { type LoadContext, loadTasks, type TableReport, type WorkerPair } from "../load-tasks.js";
import type { FaultPoint } from "../step-runner.js";
import { type GraphTask, runTaskGraph, type TaskKind } from "../task-graph.js";
import type { Endpoints } from "./connect.js";
import type { SourceSnapshot } from "./snapshot-source.js";

export interface CopyInput {
  readonly ends: Endpoints;
  readonly plan: SyncPlan;
  readonly snapshot: SourceSnapshot;
  /** The worker pairs, their sources inside the snapshot (opened by the snapshot-source step: open-workers.ts). */
  readonly workers: readonly WorkerPair[];
  readonly largeObjects: LargeObjectSync | undefined;
  /** Called as each table is loaded and counted (so a failed run still reports what was copied). */
  readonly onTable: (report: TableReport) => void;
  /** Masked columns and subsets (src/pipeline/shaping.ts). */
  readonly shaping?: Pick<LoadContext, "rows" | "explainFailure">;
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
  const stopAgeReports = reportSnapshotAge(input.snapshot.takenAt, 60, (seconds) =>
    ctx.emit({ type: "snapshot-age", seconds }),
  );
  const progress = throttledProgress(ctx);
  try {
    const onTable = (report: TableReport) => {
      input.onTable(report);
      progress.done(report.table);
      ctx.emit({ type: "table", ...report });
    };
    const tasks = loadTasks(plan, {
      timeouts: ctx.timeouts,
      onChunk: () => fault("copy:mid-stream"),
      fault,
      onTable,
      onProgress: progress.report,
      ...input.shaping,
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
        run: (w) => los.copy(w.source.client, w.destination.client, ctx.timeouts.stallSeconds),
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
        if (t.kind) ctx.emit({ type: "task", phase: "started", kind: t.kind, ...label(t) });
      },
      finished: (t, outcome) => {
        if (t.kind) ctx.emit({ type: "task", phase: "finished", kind: t.kind, ...label(t), ...outcome });
      },
    });
  } catch (error) {
    throw explainStandbyConflict(error, ends.sourceInfo.inRecovery);
  } finally {
    stopAgeReports();
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

function countByKind(tasks: readonly GraphTask<WorkerPair>[]): Partial<Record<TaskKind, number>> {
  const counts: Partial<Record<TaskKind, number>> = {};
  for (const t of tasks) if (t.kind) counts[t.kind] = (counts[t.kind] ?? 0) + 1;
  return counts;
}

function label(t: GraphTask<WorkerPair>): { table?: string; object?: string } {
  return { ...(t.table ? { table: t.table } : {}), ...(t.object ? { object: t.object } : {}) };
}
