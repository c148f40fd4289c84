import type { TimeoutsConfig } from "../config/types.js";
import { copyTable } from "../copy/copy-table.js";
import type { SourceRows } from "../copy/source-rows.js";
import type { Connection } from "../db/connect.js";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import type { ForeignKeyPlan, Statement, SyncPlan, TablePlan } from "../ddl/plan.js";
import { qualify } from "../sql/quote.js";
import type { FaultPoint } from "./step-runner.js";
import type { GraphTask, TableLock } from "./task-graph.js";

export interface WorkerPair {
  readonly source: Connection;
  readonly destination: Connection;
}

export interface TableReport {
  readonly table: string;
  readonly format: "binary" | "text";
  readonly rows: number;
  readonly bytes: number;
  readonly destinationRows: number;
  /** Time to copy the rows and count them on the destination (its index builds are separate tasks). */
  readonly seconds: number;
}

export interface LoadContext {
  readonly timeouts: TimeoutsConfig;
  /** Awaited after each COPY chunk (fault injection mid-stream). */
  readonly onChunk: () => Promise<void>;
  readonly fault: (point: FaultPoint) => Promise<void>;
  readonly onTable: (report: TableReport) => void;
  /** Bytes of a table's COPY so far (`"schema"."table"`), after each chunk. */
  readonly onProgress?: (table: string, bytes: number) => void;
  /** What the source sends of a table (masked columns, a subset's rows); every row as it is when absent. */
  readonly rows?: (tableOid: number) => SourceRows | undefined;
  /** Turns a table's failed load or key build into the error to report (naming masked columns). */
  readonly explainFailure?: (tableOid: number, error: unknown) => unknown;
}

/**
 * Relative costs per byte of table data, for ordering only: a key or index build reads the table
 * once and sorts; a foreign-key check joins the referencing table against the referenced key.
 */
/**
 * For key and index builds: more memory for the sort, and one process per build. The pool already
 * runs a build (or a COPY) per worker; PostgreSQL's parallel build workers would compete with them
 * for the same cores (measured at 1 GB on 2 cores: the whole run 10% faster without them).
 */
const BUILD_SETTINGS = { maintenance_work_mem: "256MB", max_parallel_maintenance_workers: 0 } as const;

const COST = { load: 1, key: 0.35, index: 0.3, gin: 0.6, foreignKey: 0.3, analyze: 0.02 } as const;

/**
 * The copy-data step as a graph of tasks on the worker pairs: each table's load (COPY into staging,
 * then count), then its keys (ALTER TABLE ... ADD CONSTRAINT takes ACCESS EXCLUSIVE, so they run
 * together in one task), then each index build as a task of its own (index builds on one table share
 * their lock, so two workers can build two indexes of the biggest table at once), then ANALYZE.
 * Foreign keys between plain tables run as soon as both tables are loaded and the referenced key
 * exists, on whichever worker is free, instead of one after another after the whole load.
 */
export function loadTasks(plan: SyncPlan, ctx: LoadContext): GraphTask<WorkerPair>[] {
  const tasks: GraphTask<WorkerPair>[] = [];
  // What a foreign key on or to a table waits for: its last task (ANALYZE, so the check's join is
  // planned with statistics; else its builds; else its load).
  const readyAfter = new Map<number, readonly string[]>();
  for (const t of plan.tables) {
    const key = lockKey(t);
    const table = qualify(t.table.schema, t.table.name);
    const bytes = Math.max(t.table.bytes, 8192);
    const load = `load ${key}`;
    tasks.push({
      id: load,
      kind: "load",
      table,
      after: [],
      locks: [{ key, mode: "exclusive" }],
      weight: bytes * COST.load,
      run: async (worker) => ctx.onTable(await explained(ctx, t, () => loadTable(worker, t, ctx))),
    });
    const { keys, indexes } = t;
    const keysTask = `keys ${key}`;
    if (keys.length > 0) {
      tasks.push({
        ...buildTask(keysTask, [load], { key, mode: "exclusive" }, bytes * COST.key, keys, ctx, t),
        kind: "keys",
        table,
      });
    }
    const indexTasks = indexes.map((s, i) => {
      const id = `index ${i} ${key}`;
      const weight = bytes * (/ USING gin /i.test(s.sql) ? COST.gin : COST.index);
      const after = keys.length > 0 ? [keysTask] : [load];
      tasks.push({
        ...buildTask(id, after, { key, mode: "shared" }, weight, [s], ctx, t),
        kind: "index",
        table,
        object: s.object,
      });
      return id;
    });
    const built = [...(keys.length > 0 ? [keysTask] : []), ...indexTasks];
    readyAfter.set(t.table.oid, built.length > 0 ? built : [load]);
    if (analyzedByWorker(t)) {
      readyAfter.set(t.table.oid, [`analyze ${key}`]);
      tasks.push({
        id: `analyze ${key}`,
        kind: "analyze",
        table,
        after: built.length > 0 ? built : [load],
        locks: [{ key, mode: "exclusive" }],
        weight: bytes * COST.analyze,
        run: (worker) => analyze(worker.destination, t, ctx.timeouts),
      });
    }
  }
  const tableByOid = new Map(plan.tables.map((t) => [t.table.oid, t]));
  for (const fk of plan.foreignKeys) {
    const table = tableByOid.get(fk.tableOid);
    const referenced = tableByOid.get(fk.referencedTableOid);
    if (!table || !referenced) continue;
    const locks: TableLock[] = [{ key: lockKey(table), mode: "exclusive" }];
    if (referenced !== table) locks.push({ key: lockKey(referenced), mode: "exclusive" });
    tasks.push({
      id: `foreign key ${fk.object}`,
      kind: "foreign key",
      table: qualify(table.table.schema, table.table.name),
      object: fk.object,
      after: [
        ...new Set([
          ...(readyAfter.get(fk.tableOid) ?? []),
          ...(readyAfter.get(fk.referencedTableOid) ?? []),
        ]),
      ],
      locks,
      weight: Math.max(table.table.bytes, 8192) * COST.foreignKey,
      run: async (worker) => {
        await ctx.fault("copy:foreign-key");
        await addForeignKey(worker.destination, fk, ctx.timeouts);
      },
    });
  }
  return tasks;
}

/** Plain tables are analyzed during the load; the others wait for the analyze step. */
export function analyzedByWorker(t: TablePlan): boolean {
  return t.analyze && t.copyData && t.table.partitionKey === undefined && !t.analyzeLast;
}

function lockKey(t: TablePlan): string {
  return qualify(t.staging.schema, t.staging.name);
}

/** Copies one table into staging and counts what arrived. */
async function loadTable(worker: WorkerPair, t: TablePlan, ctx: LoadContext): Promise<TableReport> {
  const started = performance.now();
  const dst = worker.destination.client;
  const staged = qualify(t.staging.schema, t.staging.name);
  const name = qualify(t.table.schema, t.table.name);
  let rows = 0;
  let bytes = 0;
  let destinationRows = 0;
  await inTransaction(dst, baseSettings(0), async () => {
    if (t.copyData) {
      // Empty already: truncated only so that COPY FREEZE may load it in this transaction.
      await dst.query(`TRUNCATE ONLY ${staged}`);
      const shaped = ctx.rows?.(t.table.oid);
      ({ rows, bytes } = await copyTable(worker.source.client, dst, t, {
        stallSeconds: ctx.timeouts.stallSeconds,
        onChunk: ctx.onChunk,
        ...(ctx.onProgress ? { onProgress: (b: number) => ctx.onProgress?.(name, b) } : {}),
        freeze: true,
        ...(shaped ? { rows: shaped } : {}),
      }));
    }
    const counted = await dst.query<{ n: string }>(`SELECT count(*) AS n FROM ONLY ${staged}`);
    destinationRows = Number(counted.rows[0]?.n ?? 0);
  });
  await ctx.fault("copy:table-loaded");
  return {
    table: name,
    format: t.format,
    rows,
    bytes,
    destinationRows,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

function buildTask(
  id: string,
  after: readonly string[],
  lock: TableLock,
  weight: number,
  statements: readonly Statement[],
  ctx: LoadContext,
  table: TablePlan,
): GraphTask<WorkerPair> {
  return {
    id,
    after,
    locks: [lock],
    weight,
    run: async (worker) => {
      const dst = worker.destination.client;
      // Each key and index build gets statementSeconds; only the COPY itself is cut by the stall detector.
      const ddl = baseSettings(ctx.timeouts.statementSeconds, ctx.timeouts.lockSeconds);
      await explained(ctx, table, () =>
        inTransaction(dst, { ...ddl, ...BUILD_SETTINGS }, async () => {
          await ctx.fault("copy:index-build");
          for (const s of statements) await execute(dst, s.sql, s.object);
        }),
      );
    },
  };
}

/** Runs a table's task; a failure is explained by the context (masked values breaking a key). */
async function explained<T>(ctx: LoadContext, t: TablePlan, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw ctx.explainFailure ? ctx.explainFailure(t.table.oid, error) : error;
  }
}

async function addForeignKey(destination: Connection, fk: ForeignKeyPlan, timeouts: TimeoutsConfig) {
  // The check joins the whole referencing table against the referenced key: statementSeconds applies.
  const ddl = baseSettings(timeouts.statementSeconds, timeouts.lockSeconds);
  await inTransaction(destination.client, { ...ddl, work_mem: "64MB" }, () =>
    execute(destination.client, fk.sql, fk.object),
  );
}

async function analyze(destination: Connection, t: TablePlan, timeouts: TimeoutsConfig) {
  const staged = qualify(t.staging.schema, t.staging.name);
  await inTransaction(destination.client, baseSettings(timeouts.statementSeconds, timeouts.lockSeconds), () =>
    execute(destination.client, `ANALYZE ${staged}`, `analyze ${qualify(t.table.schema, t.table.name)}`),
  );
}
