import { explainStandbyConflict, reportSnapshotAge } from "../../copy/source-health.js";
import { importSnapshot } from "../../copy/source-snapshot.js";
import type { Connection } from "../../db/connect.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { settleAll } from "../../util/settle.js";
import type { RunContext } from "../context.js";
import type { LargeObjectSync } from "../large-objects.js";
import { type LoadContext, loadTasks, type TableReport, type WorkerPair } from "../load-tasks.js";
import type { FaultPoint } from "../step-runner.js";
import { runTaskGraph } from "../task-graph.js";
import type { Endpoints } from "./connect.js";
import type { SourceSnapshot } from "./snapshot-source.js";

export interface CopyInput {
  readonly ends: Endpoints;
  readonly plan: SyncPlan;
  readonly snapshot: SourceSnapshot;
  readonly workers: number;
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
  const workers = await openWorkers(ctx, ends.source, input.snapshot.name, input.workers);
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
  try {
    const onTable = (report: TableReport) => {
      input.onTable(report);
      ctx.emit({ type: "table", ...report });
    };
    const tasks = loadTasks(plan, {
      timeouts: ctx.timeouts,
      onChunk: () => fault("copy:mid-stream"),
      fault,
      onTable,
      ...input.shaping,
    });
    // Large objects are database-wide: staged apart from the schemas, on a free worker of the snapshot.
    const los = input.largeObjects;
    if (los)
      tasks.push({
        id: "large objects",
        after: [],
        locks: [],
        weight: los.estimatedBytes,
        run: (w) => los.copy(w.source.client, w.destination.client, ctx.timeouts.stallSeconds),
      });
    await runTaskGraph(tasks, workers);
  } catch (error) {
    throw explainStandbyConflict(error, ends.sourceInfo.inRecovery);
  } finally {
    stopAgeReports();
  }
}

async function openWorkers(
  ctx: RunContext,
  exporter: Connection,
  snapshot: string,
  count: number,
): Promise<WorkerPair[]> {
  // The exporter is inside the snapshot already: it is the first worker's source (one connection fewer).
  const first: WorkerPair = { source: exporter, destination: await ctx.open("destination") };
  // Behind a pooler an import can queue for a server connection that never frees up (the exporter
  // holds one for the whole run): wait a bounded time, then copy with the workers that got one.
  const waitSeconds = (await exporter.isPooled()) ? Math.min(10, ctx.timeouts.connectSeconds) : undefined;
  const others = await settleAll(
    Array.from({ length: count - 1 }, async (): Promise<WorkerPair | undefined> => {
      const [source, destination] = await settleAll([ctx.open("source"), ctx.open("destination")]);
      if (await importSnapshot(source.client, snapshot, waitSeconds === undefined ? {} : { waitSeconds })) {
        return { source, destination };
      }
      await Promise.all([source.close(), destination.close()]);
      return undefined;
    }),
  );
  const joined = others.filter((w): w is WorkerPair => w !== undefined);
  if (joined.length < count - 1) {
    ctx.warn(
      `the source's connection pooler had a server connection for only ${joined.length + 1} of ${count} workers within ${waitSeconds} s (the snapshot's exporting transaction holds one for the whole run); copying with ${joined.length + 1}. Raise the pooler's pool size, or use the direct endpoint`,
    );
  }
  return [first, ...joined];
}
