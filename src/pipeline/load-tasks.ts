import type { TimeoutsConfig } from "../config/types.js";
import { type AroundCopy, copyTable } from "../copy/copy-table.js";
import { copyTableFrom } from "../copy/table-source.js";
import type { Connection } from "../db/connect.js";
import {
  baseSettings,
  beginSql,
  execute,
  executeInOwnTransaction,
  inTransaction,
  setLocalSql,
} from "../db/session.js";
import type { ForeignKeyPlan, Statement, SyncPlan, TablePlan } from "../ddl/plan.js";
import { qualify } from "../sql/quote.js";
import { flattenStrings } from "../util/flatten-strings.js";
import {
  explained,
  type LoadContext,
  type LoadWorker,
  STAGING_COMMIT,
  sourceOf,
  type TableReport,
  type WorkerPair,
} from "./load-context.js";
import {
  analyzeWeight,
  COST,
  type ParallelBuilds,
  parallelBuildMethod,
  parallelBuilds,
  statementWeight,
  tableBytes,
} from "./load-costs.js";
import { BUILD_SAVEPOINT, countBuildAndCommit } from "./load-finish.js";
import { InlineForeignKeys } from "./load-inline-keys.js";
import { partLoad, partTasks } from "./load-parts.js";
import { BINARY_SAVEPOINT, rejectedByReceive, retryWarning } from "./load-text-retry.js";
import { withBodyWaits } from "./load-waits.js";
import type { GraphTask, TableLock } from "./task-graph.js";

export type { LoadContext, LoadWorker, PartReport, TableReport, WorkerPair } from "./load-context.js";

/**
 * For key and index builds: more memory for the sort, and one process per build. The pool already
 * runs a build (or a COPY) per worker; PostgreSQL's parallel build workers would compete with them
 * for the same cores (measured at 1 GB on 2 cores: the whole run 10% faster without them). The one
 * exception is a GIN (18) or BRIN (17) build that would otherwise leave a core idle (load-costs.ts).
 */
const BUILD_SETTINGS = { maintenance_work_mem: "256MB", max_parallel_maintenance_workers: 0 } as const;

/**
 * COPY FREEZE needs the table truncated in the same transaction, and a TRUNCATE replaces the table's
 * files (measured at about 7 ms a table on this machine's disks). Below this size that costs more than
 * setting the hint bits later would: small tables are copied without FREEZE.
 */
export const FREEZE_MIN_BYTES = 4 * 1024 * 1024;

/**
 * A plain table up to this size (heap and TOAST) is loaded, indexed, keyed and analyzed in one task,
 * in one transaction on one worker: its builds take milliseconds, and as tasks of their own they
 * would each cost a transaction (BEGIN with its settings, COMMIT: two round trips) and a turn of the
 * scheduler. At 10,000 small tables that was three transactions a table more (bench/README.md).
 */
export const ONE_TASK_MAX_BYTES = 1024 * 1024;

/**
 * The copy-data step as a graph of tasks on the worker pairs: each table's load (COPY into staging,
 * then count; a split table's parts each a task of its own), then each index build as a task of its
 * own, its keys' unique indexes among them (index builds on one table share their lock, so two
 * workers can build two indexes of the biggest table at once), then its keys (ALTER TABLE ... ADD
 * CONSTRAINT takes ACCESS EXCLUSIVE, so they run together in one task: a primary key or unique
 * constraint then only attaches its built index), then ANALYZE. Foreign keys between plain tables
 * run as soon as both tables are loaded and the referenced key exists, on whichever worker is free,
 * instead of one after another after the whole load. A small table (ONE_TASK_MAX_BYTES) is loaded,
 * built, keyed and analyzed in one task.
 */
export function loadTasks<W extends LoadWorker = WorkerPair>(
  plan: SyncPlan,
  ctx: LoadContext,
): GraphTask<W>[] {
  const tasks: GraphTask<W>[] = [];
  // The builds that may get parallel workers, decided as each starts (set once the graph is whole).
  const parallel: ParallelBuilds = { candidates: new Set() };
  // What a foreign key on or to a table waits for: its last task (ANALYZE, so the check's join is
  // planned with statistics; else its builds; else its load).
  const readyAfter = new Map<number, readonly string[]>();
  const emptyTables = new Set<number>();
  const small = new Set(
    plan.tables
      .filter(
        (t) => !ctx.parts?.get(t.table.oid) && inOneTask(t, ctx.oneTaskTablesUpTo ?? ONE_TASK_MAX_BYTES),
      )
      .map((t) => t.table.oid),
  );
  const inline = new InlineForeignKeys(plan.foreignKeys, small);
  for (const t of plan.tables) {
    const key = lockKey(t);
    const table = qualify(t.table.schema, t.table.name);
    const bytes = tableBytes(t);
    const parts = ctx.parts?.get(t.table.oid);
    const widths = ctx.columnWidths?.get(t.table.oid);
    if (small.has(t.table.oid)) {
      tasks.push(oneTask(t, table, key, widths, ctx, inline));
      readyAfter.set(t.table.oid, [`load ${key}`]);
      continue;
    }
    const loaded = parts ? parts.map((p) => `load ${key} part ${p.index}`) : [`load ${key}`];
    if (parts) tasks.push(...partTasks<W>(parts, partLoad(t, table, key, bytes / parts.length, ctx)));
    else
      tasks.push({
        id: `load ${key}`,
        kind: "load",
        table,
        after: [],
        locks: [{ key, mode: "exclusive" }],
        weight: bytes * COST.load,
        run: async (worker) => {
          const report = await explained(ctx, t, () => loadTable(worker, t, ctx));
          if (report.destinationRows === 0) emptyTables.add(t.table.oid);
          ctx.onTable(report);
        },
      });
    const builds = [...t.keyIndexes, ...t.indexes].map((s, i) => {
      const id = `index ${i} ${key}`;
      if (parallelBuildMethod(s.build, plan.targetMajor)) parallel.candidates.add(id);
      tasks.push({
        ...buildTask(
          id,
          loaded,
          { key, mode: "shared" },
          statementWeight(t, s, widths),
          [s],
          ctx,
          t,
          parallel,
        ),
        kind: "index",
        table,
        object: s.object,
      });
      return id;
    });
    const built = builds.length > 0 ? builds : loaded;
    const { keys } = t;
    const keysTask = `keys ${key}`;
    if (keys.length > 0) {
      const weight = keys.reduce((sum, s) => sum + statementWeight(t, s, widths), 0);
      tasks.push({
        ...buildTask(keysTask, built, { key, mode: "exclusive" }, weight, keys, ctx, t),
        kind: "keys",
        table,
      });
    }
    const done = keys.length > 0 ? [keysTask] : built;
    readyAfter.set(t.table.oid, done);
    if (analyzedByWorker(t)) {
      readyAfter.set(t.table.oid, [`analyze ${key}`]);
      // A table that received no rows has nothing to analyze: the task only keeps the order.
      tasks.push({
        id: `analyze ${key}`,
        kind: "analyze",
        table,
        after: done,
        locks: [{ key, mode: "exclusive" }],
        weight: analyzeWeight(t),
        run: async (worker) => {
          if (!emptyTables.has(t.table.oid)) await analyze(worker.destination, t, ctx.timeouts);
        },
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
      weight: tableBytes(table) * COST.foreignKey,
      run: async (worker) => {
        if (!inline.claim(fk)) return;
        await ctx.fault("copy:foreign-key");
        await addForeignKey(worker.destination, fk, ctx.timeouts);
      },
    });
  }
  const waiting = withBodyWaits(tasks, plan);
  // Their ids, tables and objects live for the whole load (src/util/flatten-strings.ts).
  return flattenStrings(ctx.pool ? parallelBuilds(waiting, parallel, ctx.pool) : waiting);
}

/** A small plain table whose builds wait for nothing but its own rows (TablePlan.waitsFor). */
function inOneTask(t: TablePlan, upTo: number): boolean {
  return t.table.bytes <= upTo && upTo > 0 && t.table.partitionKey === undefined && !t.waitsFor;
}

/** A small table's load, builds, keys and ANALYZE as one task (ONE_TASK_MAX_BYTES). */
function oneTask<W extends LoadWorker>(
  t: TablePlan,
  table: string,
  key: string,
  widths: ReadonlyMap<string, number> | undefined,
  ctx: LoadContext,
  inline: InlineForeignKeys,
): GraphTask<W> {
  // One after another in one transaction: each key builds its own index (TablePlan.keysInOne).
  const statements = [...t.indexes, ...t.keysInOne];
  const analyzed = analyzedByWorker(t);
  const weight =
    tableBytes(t) * COST.load +
    statements.reduce((sum, s) => sum + statementWeight(t, s, widths), 0) +
    (analyzed ? analyzeWeight(t) : 0);
  return {
    id: `load ${key}`,
    kind: "load",
    table,
    after: [],
    locks: [{ key, mode: "exclusive" }],
    weight,
    run: async (worker) => {
      const report = await explained(ctx, t, () =>
        loadTable(worker, t, ctx, { statements, analyze: analyzed, inline }),
      );
      ctx.onTable(report);
    },
  };
}

/** Plain tables are analyzed during the load; the others wait for the analyze step. */
export function analyzedByWorker(t: TablePlan): boolean {
  return t.analyze && t.copyData && t.table.partitionKey === undefined && !t.analyzeLast;
}

function lockKey(t: TablePlan): string {
  return qualify(t.staging.schema, t.staging.name);
}

/** What a table loaded in one task (oneTask) runs after its rows are in, in the same transaction. */
interface AfterLoad {
  readonly statements: readonly Statement[];
  readonly analyze: boolean;
  /** Its foreign keys that may go in the same transaction (InlineForeignKeys). */
  readonly inline: InlineForeignKeys;
}

/**
 * Copies one table into staging, counts what arrived, builds what `after` lists, and commits, in two
 * messages: BEGIN with its settings rides in the COPY's message (with the builds' savepoint behind
 * it), and the count, the builds and the COMMIT go in one (countBuildAndCommit).
 */
async function loadTable(
  worker: LoadWorker,
  t: TablePlan,
  ctx: LoadContext,
  after?: AfterLoad,
): Promise<TableReport> {
  const started = performance.now();
  const dst = worker.destination.client;
  const staged = qualify(t.staging.schema, t.staging.name);
  const name = qualify(t.table.schema, t.table.name);
  let rows = 0;
  let bytes = 0;
  let retried = false;
  // A binary COPY may fail in a receive function: then the table goes again, in text, from a
  // savepoint taken in the transaction's first message.
  const binary = t.copyData && !ctx.tables && t.format === "binary";
  const savepoint = binary ? `SAVEPOINT ${BINARY_SAVEPOINT}` : undefined;
  // The COPY has no statement timeout (the stall detector cuts it); what runs after it has.
  const settings = after
    ? { ...baseSettings(0, ctx.timeouts.lockSeconds), ...BUILD_SETTINGS, ...STAGING_COMMIT }
    : { ...baseSettings(0), ...STAGING_COMMIT };
  const begin = beginSql(dst, settings, "", savepoint);
  // A small table's builds follow in the same transaction: their timeout and savepoint go behind the COPY.
  const withKeys = after?.inline.mayTake(t.table.oid) ?? false;
  const builds = after && (after.statements.length > 0 || after.analyze || withKeys);
  // A foreign key's check joins the two tables: the work_mem its own task would have (addForeignKey).
  const buildSettings = {
    statement_timeout: `${ctx.timeouts.statementSeconds}s`,
    ...(withKeys ? { work_mem: FOREIGN_KEY_WORK_MEM } : {}),
  };
  const buildsSavepoint = builds ? `${setLocalSql(buildSettings)}; SAVEPOINT ${BUILD_SAVEPOINT}` : undefined;
  let seconds = 0;
  let destinationRows = 0;
  try {
    if (t.copyData) {
      const shaped = ctx.rows?.(t.table.oid);
      const freeze = t.table.bytes >= FREEZE_MIN_BYTES;
      // Empty already: truncated only so that COPY FREEZE may load it in this (sub)transaction.
      const truncate = freeze ? `TRUNCATE ONLY ${staged}` : undefined;
      const copy = async (forceText: boolean, first: string | undefined) => {
        const options = {
          stallSeconds: ctx.timeouts.stallSeconds,
          ...(ctx.onChunk ? { onChunk: ctx.onChunk } : {}),
          ...(ctx.onProgress ? { onProgress: (b: number) => ctx.onProgress?.(name, b) } : {}),
          freeze,
          around: aroundCopy([first, truncate], buildsSavepoint),
        };
        return ctx.tables
          ? copyTableFrom(ctx.tables, dst, t, options)
          : copyTable(sourceOf(worker, `table ${name}`).client, dst, t, {
              ...options,
              ...(shaped ? { rows: shaped } : {}),
              ...(forceText ? { forceText } : {}),
            });
      };
      try {
        ({ rows, bytes } = await copy(false, begin));
      } catch (error) {
        if (!binary || !rejectedByReceive(t, error)) throw error;
        await dst.query(`ROLLBACK TO SAVEPOINT ${BINARY_SAVEPOINT}`);
        ({ rows, bytes } = await copy(true, undefined));
        retried = true;
        ctx.warn?.(retryWarning(name, error));
      }
    } else await dst.query([begin, buildsSavepoint].filter((x) => x).join("; "));
    seconds = Math.round(performance.now() - started) / 1000;
    const foreignKeys = after && builds ? after.inline.take(t.table.oid, QUEUED_KEYS_PER_LOAD) : [];
    const statements = after && builds ? await afterLoad(t, after, rows > 0, foreignKeys, ctx) : undefined;
    destinationRows = await countBuildAndCommit(dst, staged, name, statements);
    after?.inline.committedLoad(t.table.oid);
  } catch (error) {
    await dst.query("ROLLBACK").catch(() => {});
    throw error;
  }
  await ctx.fault("copy:table-loaded");
  return {
    table: name,
    format: ctx.tables || retried ? "text" : t.format,
    rows,
    bytes,
    destinationRows,
    seconds,
    ...(retried ? { retriedInText: true as const } : {}),
  };
}

/** The caller's statements around a table's COPY (AroundCopy): BEGIN and the rest ahead, a savepoint behind. */
function aroundCopy(before: readonly (string | undefined)[], after: string | undefined): AroundCopy {
  const ahead = before.filter((x) => x).join("; ");
  return { ...(ahead ? { before: ahead } : {}), ...(after ? { after } : {}) };
}

/**
 * The builds, keys, ANALYZE and foreign keys of a table loaded in one task, for its load's last
 * message (ANALYZE only if rows arrived: the COPY's row count, which the count in the same message
 * then checks; the foreign keys' checks after it, planned with its statistics).
 */
async function afterLoad(
  t: TablePlan,
  after: AfterLoad,
  hasRows: boolean,
  foreignKeys: readonly ForeignKeyPlan[],
  ctx: LoadContext,
): Promise<readonly Statement[]> {
  if (after.statements.length > 0) await ctx.fault("copy:index-build");
  if (foreignKeys.length > 0) await ctx.fault("copy:foreign-key");
  return [...after.statements, ...(after.analyze && hasRows ? [analyzeStatement(t)] : []), ...foreignKeys];
}

/** ANALYZE of a table's staged copy, named after the table. */
function analyzeStatement(t: TablePlan): Statement {
  return {
    object: `analyze ${qualify(t.table.schema, t.table.name)}`,
    sql: `ANALYZE ${qualify(t.staging.schema, t.staging.name)}`,
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
  parallel?: ParallelBuilds,
): GraphTask<LoadWorker> {
  return {
    id,
    after,
    locks: [lock],
    weight,
    run: async (worker) => {
      const dst = worker.destination.client;
      // Each key and index build gets statementSeconds; only the COPY itself is cut by the stall detector.
      const ddl = baseSettings(ctx.timeouts.statementSeconds, ctx.timeouts.lockSeconds);
      let settings: Record<string, string | number> = { ...BUILD_SETTINGS };
      if (parallel?.workersFor && parallel.candidates.has(id)) {
        // After the scheduler has handed out every task it can start now: then the idle workers are known.
        await Promise.resolve();
        const workers = parallel.workersFor(id);
        if (workers > 0) {
          settings = { ...settings, max_parallel_maintenance_workers: workers };
          ctx.onParallelBuild?.(id, workers);
        }
      }
      await explained(ctx, table, () =>
        inTransaction(dst, { ...ddl, ...settings, ...STAGING_COMMIT }, async () => {
          await ctx.fault("copy:index-build");
          for (const s of statements) await execute(dst, s.sql, s.object);
        }),
      );
    },
  };
}

const FOREIGN_KEY_WORK_MEM = "64MB";

/**
 * Waiting foreign keys a small table's load takes (InlineForeignKeys): enough to drain the queue
 * as tables load side by side, few enough that one load's transaction stays short.
 */
const QUEUED_KEYS_PER_LOAD = 4;

async function addForeignKey(destination: Connection, fk: ForeignKeyPlan, timeouts: TimeoutsConfig) {
  // The check joins the whole referencing table against the referenced key: statementSeconds applies.
  const ddl = baseSettings(timeouts.statementSeconds, timeouts.lockSeconds);
  await executeInOwnTransaction(
    destination.client,
    { ...ddl, work_mem: FOREIGN_KEY_WORK_MEM, ...STAGING_COMMIT },
    fk.sql,
    fk.object,
  );
}

async function analyze(destination: Connection, t: TablePlan, timeouts: TimeoutsConfig) {
  const settings = { ...baseSettings(timeouts.statementSeconds, timeouts.lockSeconds), ...STAGING_COMMIT };
  const { sql, object } = analyzeStatement(t);
  await executeInOwnTransaction(destination.client, settings, sql, object);
}
