import type pg from "pg";
import { z } from "zod";
import type { TimeoutsConfig } from "../config/types.js";
import type { SourceRows } from "../copy/source-rows.js";
import type { TableSource } from "../copy/table-source.js";
import type { Connection } from "../db/connect.js";
import { int, queryOne } from "../db/rows.js";
import type { TablePlan } from "../ddl/plan.js";
import { PgsyncError } from "../errors.js";
import type { ColumnWidths } from "./column-widths.js";
import type { TablePart } from "./split-table.js";
import type { FaultPoint } from "./step-runner.js";

/**
 * What the load's tasks share (src/pipeline/load-tasks.ts builds them, load-parts.ts those of a split
 * table): the workers they run on, the context of the copy-data step, and what a loaded table reports.
 */

export interface WorkerPair {
  readonly source: Connection;
  readonly destination: Connection;
}

/** What a load task runs on: a restore's workers have no source (LoadContext.tables gives the rows). */
export interface LoadWorker {
  readonly source?: Connection;
  readonly destination: Connection;
}

export interface TableReport {
  readonly table: string;
  readonly format: "binary" | "text";
  readonly rows: number;
  readonly bytes: number;
  readonly destinationRows: number;
  /** Time to copy the rows (a split table's: and count them on the destination; never its index builds). */
  readonly seconds: number;
  /** A split table's parts, in range order (src/pipeline/split-table.ts). */
  readonly parts?: readonly PartReport[];
  /** The destination rejected a value of its binary COPY: the table was copied again in text. */
  readonly retriedInText?: true;
}

export interface LoadContext {
  readonly timeouts: TimeoutsConfig;
  /** Awaited after each COPY chunk (fault injection mid-stream); absent, no chunk waits on a promise. */
  readonly onChunk?: () => Promise<void>;
  readonly fault: (point: FaultPoint) => Promise<void>;
  readonly onTable: (report: TableReport) => void;
  /** Bytes of a table's COPY so far (`"schema"."table"`), after each chunk. */
  readonly onProgress?: (table: string, bytes: number) => void;
  /** What the source sends of a table (masked columns, a subset's rows); every row as it is when absent. */
  readonly rows?: (tableOid: number) => SourceRows | undefined;
  /** Turns a table's failed load or key build into the error to report (naming masked columns). */
  readonly explainFailure?: (tableOid: number, error: unknown) => unknown;
  /** Where the rows come from instead of the worker's source connection: an archive's files. */
  readonly tables?: TableSource;
  /** The parts of each split table, by table OID (src/pipeline/split-table.ts); the others load whole. */
  readonly parts?: ReadonlyMap<number, readonly TablePart[]>;
  /** A plain table up to this many bytes loads in one task (ONE_TASK_MAX_BYTES when absent). */
  readonly oneTaskTablesUpTo?: number;
  /** The pool's size and how many of its workers are free now: a GIN or BRIN build may use the idle cores. */
  readonly pool?: { readonly workers: number; readonly idle: () => number };
  /** Told when a build starts with parallel workers (by task id), for its progress event. */
  readonly onParallelBuild?: (taskId: string, workers: number) => void;
  /** The source's average column widths, by table OID: a GIN build's estimate follows its columns. */
  readonly columnWidths?: ColumnWidths;
  readonly warn?: (message: string) => void;
}

/** One part of a split table as loaded: its range, what it carried, how long it took. */
export interface PartReport {
  readonly range: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * The load's transactions commit without waiting for their WAL to reach the disk: they write only
 * staging, which a crash leaves to be dropped by the next run, and the cut-over's own (synchronous)
 * commit flushes all of it before the new state goes live. At 10,000 tables that is four or five
 * commits a table that no longer wait for a flush each.
 */
export const STAGING_COMMIT = { synchronous_commit: "off" } as const;

/** Runs a table's task; a failure is explained by the context (masked values breaking a key). */
export async function explained<T>(ctx: LoadContext, t: TablePlan, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw ctx.explainFailure ? ctx.explainFailure(t.table.oid, error) : error;
  }
}

/** The worker's source connection, for a copy from the source (a restore's workers have none). */
export function sourceOf(worker: LoadWorker, object: string): Connection {
  if (worker.source) return worker.source;
  throw new PgsyncError("internal", `${object} was given to copy to a worker without a source connection`, {
    object,
    side: "source",
  });
}

/** The count of a staged table's rows, for the run's count check: its SQL, its name in errors, its row. */
export function stagedRowCount(staged: string, table: string) {
  return { sql: `SELECT count(*) AS n FROM ONLY ${staged}`, name: `row count of ${table}`, row: COUNT_ROW };
}

const COUNT_ROW = z.object({ n: int });

/**
 * The rows a staged table holds, counted on the destination in the caller's transaction (or in one
 * of its own, pinned). A table's load counts in its last message instead (load-finish.ts).
 */
export async function countStagedRows(
  destination: pg.Client,
  staged: string,
  table: string,
): Promise<number> {
  const { sql, name, row } = stagedRowCount(staged, table);
  return (await queryOne(destination, name, sql, [], row, "destination")).n;
}
