import type { BuildKind } from "../ddl/plan/types.js";
import type { Statement, TablePlan } from "../ddl/plan.js";
import { hasFeature } from "../sql/features.js";
import type { GraphTask } from "./task-graph.js";

/**
 * What the load's tasks are estimated to cost, for the task graph's critical-path order (only the
 * proportions matter) and for choosing the one build that gets parallel workers. The unit is a
 * table's COPY: one byte of table data (pg_table_size) loaded costs 1.
 *
 * Calibrated against measured builds (bench/task-estimates.ts prints each task's estimate, turned
 * into seconds by the same run's COPY rate, against its seconds; bench/README.md has the figures):
 *
 * - A B-tree build scans the heap (cheap per byte) and sorts one entry per row: per byte and per row.
 * - A GIN build extracts and sorts an entry per key and value of every indexed value: it follows the
 *   bytes of the indexed columns (pg_stats' average widths, column-widths.ts), at several times the
 *   COPY's cost per byte for jsonb_ops, fewer for jsonb_path_ops (one entry per path, hashed).
 * - ANALYZE reads a sample of 300 × default_statistics_target rows, whatever the table's size.
 * - A CHECK reads the table once; attaching a built index to its key is catalog work; a foreign key
 *   joins the referencing table against the referenced key.
 */
export const COST = {
  load: 1,
  btree: 0.03,
  btreeRow: 18,
  hash: 0.03,
  /** Per byte of the indexed columns. */
  gin: 5,
  ginPathOps: 1.4,
  /** The indexed columns' share of a row when the source has no statistics for them. */
  ginShare: 0.5,
  gist: 1,
  brin: 0.05,
  /** Any other access method (an extension's). */
  index: 0.5,
  check: 0.1,
  attach: 0.001,
  foreignKey: 0.2,
  /** Per byte of the sample ANALYZE reads. */
  analyze: 1,
} as const;

/** Smallest size a table counts with: an empty table still has a statement or two to run. */
const MIN_BYTES = 8192;
/** Rows ANALYZE samples at the default statistics target (300 × 100). */
const ANALYZE_SAMPLE_ROWS = 30_000;

export function tableBytes(t: TablePlan): number {
  return Math.max(t.table.bytes, MIN_BYTES);
}

/** The planner's row estimate, or one row per 100 bytes for a table never analyzed. */
function tableRows(t: TablePlan): number {
  return t.table.estimatedRows > 0 ? t.table.estimatedRows : tableBytes(t) / 100;
}

export function analyzeWeight(t: TablePlan): number {
  const bytes = tableBytes(t);
  const perRow = bytes / Math.max(1, tableRows(t));
  return COST.analyze * Math.min(bytes, ANALYZE_SAMPLE_ROWS * perRow);
}

/** A key or index build, a CHECK, an attach; `widths` are the table's columns' average widths. */
export function statementWeight(t: TablePlan, s: Statement, widths?: ReadonlyMap<string, number>): number {
  const bytes = tableBytes(t);
  const build = s.build;
  switch (build?.kind) {
    case "attach":
      return bytes * COST.attach;
    case "check":
      return bytes * COST.check;
    case "key":
      return methodWeight(t, build.method, undefined, widths);
    case "index":
      return methodWeight(t, build.method, build, widths);
    default:
      return bytes * COST.index;
  }
}

function methodWeight(
  t: TablePlan,
  method: string,
  keys: { readonly columns?: readonly string[]; readonly opclasses?: readonly string[] } | undefined,
  widths: ReadonlyMap<string, number> | undefined,
): number {
  const bytes = tableBytes(t);
  switch (method) {
    case "btree":
    case "hash":
      return bytes * COST[method] + tableRows(t) * COST.btreeRow;
    case "gin": {
      const pathOps = keys?.opclasses?.some((o) => o === "jsonb_path_ops") ?? false;
      return bytes * indexedShare(t, keys?.columns, widths) * (pathOps ? COST.ginPathOps : COST.gin);
    }
    case "gist":
    case "brin":
      return bytes * COST[method];
    default:
      return bytes * COST.index;
  }
}

/** The indexed columns' share of the row's width, from the statistics; a default without them. */
function indexedShare(
  t: TablePlan,
  columns: readonly string[] | undefined,
  widths: ReadonlyMap<string, number> | undefined,
): number {
  if (!columns || !widths || columns.some((c) => !widths.has(c))) return COST.ginShare;
  const row = t.columns.reduce((n, c) => n + (widths.get(c) ?? 0), 0);
  const indexed = columns.reduce((n, c) => n + (widths.get(c) ?? 0), 0);
  return row > 0 ? Math.min(1, indexed / row) : COST.ginShare;
}

/**
 * The index builds PostgreSQL can spread over parallel workers, beyond B-tree (which the pool keeps
 * single-process: it is short, and the pool's workers fill the cores): GIN from 18, BRIN from 17.
 */
export function parallelBuildMethod(build: BuildKind | undefined, destinationMajor: number): boolean {
  if (build?.kind !== "index") return false;
  if (build.method === "gin") return hasFeature(destinationMajor, "parallel GIN index builds");
  if (build.method === "brin") return hasFeature(destinationMajor, "parallel BRIN index builds");
  return false;
}

/**
 * How many parallel workers a build that may use them gets when it starts: none while the pool's
 * other workers have enough work beside it; else the idle workers (at least one when the work left
 * beside it is shorter than the build itself, so a core would go idle before it ends), at most one
 * fewer than the pool.
 */
export function parallelWorkers(state: {
  readonly workers: number;
  readonly idle: number;
  readonly weight: number;
  /** Estimated work left that can run beside this build (not waiting for it). */
  readonly beside: number;
}): number {
  const { workers, idle, weight, beside } = state;
  if (workers < 2) return 0;
  const alone = beside / Math.max(1, workers - 1) < weight;
  if (idle <= 0 && !alone) return 0;
  return Math.min(workers - 1, Math.max(1, idle));
}

/** The builds that may get parallel workers, and (once the graph is whole) how many each gets as it starts. */
export interface ParallelBuilds {
  readonly candidates: Set<string>;
  workersFor?: (id: string) => number;
}

/**
 * Makes `parallel.workersFor` answer from the graph's state as each candidate starts: the pool's idle
 * workers, and the estimated work still to do that can run beside the build (every unfinished task
 * but the build and the tasks that wait for it, directly or not). Returns the tasks, each marking
 * itself finished.
 */
export function parallelBuilds<W>(
  tasks: readonly GraphTask<W>[],
  parallel: ParallelBuilds,
  pool: { readonly workers: number; readonly idle: () => number },
): GraphTask<W>[] {
  if (parallel.candidates.size === 0) return [...tasks];
  const unfinished = new Map(tasks.map((t) => [t.id, t.weight]));
  const followers = new Map<string, string[]>();
  for (const t of tasks) for (const a of t.after) followers.set(a, [...(followers.get(a) ?? []), t.id]);
  const waitingFor = (id: string) => {
    const seen = new Set<string>();
    const pending = [...(followers.get(id) ?? [])];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(followers.get(next) ?? []));
    }
    return seen;
  };
  parallel.workersFor = (id) => {
    const after = waitingFor(id);
    let beside = 0;
    for (const [other, weight] of unfinished) if (other !== id && !after.has(other)) beside += weight;
    return parallelWorkers({
      workers: pool.workers,
      idle: pool.idle(),
      weight: unfinished.get(id) ?? 0,
      beside,
    });
  };
  return tasks.map((t) => ({
    ...t,
    run: async (worker) => {
      try {
        await t.run(worker);
      } finally {
        unfinished.delete(t.id);
      }
    },
  }));
}
