import { randomBytes } from "node:crypto";
import type pg from "pg";
import { DEFAULT_TIMEOUTS } from "../config/builtins.js";
import type { TimeoutsConfig } from "../config/types.js";
import { explainStandbyConflict, reportSnapshotAge } from "../copy/source-health.js";
import { exportSnapshot, importSnapshot, lockSourceTables } from "../copy/source-snapshot.js";
import { readConnectionRoom, sizeWorkers } from "../db/capacity.js";
import { type Connection, connect } from "../db/connect.js";
import { baseSettings, execute, inTransaction } from "../db/session.js";
import { planSync, type SyncPlan } from "../ddl/plan.js";
import { errorMessage, PgsyncError } from "../errors.js";
import { introspect, readServerInfo } from "../introspect/index.js";
import type { CatalogModel, NotCarried, ServerInfo } from "../introspect/model.js";
import { missingFunctions } from "../introspect/queries/builtin-functions.js";
import { swapSchemas } from "../restore/cutover.js";
import { saveDatabaseSettings } from "../restore/database-settings.js";
import { dropToolSchemas } from "../restore/drop-tool-schema.js";
import { type GuardResult, guardDestination } from "../restore/guards.js";
import { cutoverHazards } from "../restore/hazards.js";
import { holdDestinationLock } from "../restore/lock.js";
import {
  ensureMetaSchema,
  recordManagedSql,
  type SnapshotStorage,
  STAGING_PREFIX,
  snapshotIdFor,
  snapshotStorage,
} from "../restore/meta.js";
import { describeRunLockHolders } from "../restore/readers.js";
import { pruneSnapshots, type Retention } from "../restore/retention.js";
import { cleanLeftovers } from "../restore/staging.js";
import { qualify } from "../sql/quote.js";
import { maskUrl } from "../util/mask.js";
import { settleAll } from "../util/settle.js";
import { ensureExtensions } from "./extensions.js";
import { type LargeObjectReport, LargeObjectSync } from "./large-objects.js";
import { analyzedByWorker, loadTasks, type TableReport, type WorkerPair } from "./load-tasks.js";
import { describeMissing, missingPrivileges } from "./privileges.js";
import { type FaultPoint, type StepName, type StepReport, StepRunner } from "./steps.js";
import { runTaskGraph } from "./task-graph.js";

type Timeouts = TimeoutsConfig;

export interface RunOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  readonly profile?: string;
  readonly parallelism?: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retention?: Retention;
  readonly schemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
  readonly structureOnly?: readonly string[];
  /** Only these tables ("schema.table"), with `schemas`; only their schemas are swapped. */
  readonly includeTables?: readonly string[];
  readonly excludeTables?: readonly string[];
  readonly lockWait?: "wait" | "fail";
  /** Adopt a non-empty destination that pgsync-ts did not create (recorded; later runs need no flag). */
  readonly force?: boolean;
  /** Write to a destination marked as production (`ALTER DATABASE ... SET pgsync.role = 'production'`). */
  readonly allowProduction?: boolean;
  /** Copy owners and grants (to roles that exist on the destination; the others are reported). */
  readonly includePrivileges?: boolean;
  readonly onEvent?: (event: RunEvent) => void;
  /** Test hook, called at each fault point; whatever it throws or breaks fails the run there. */
  readonly faultHook?: (point: FaultPoint) => Promise<void> | void;
  readonly signal?: AbortSignal;
}

export type RunEvent =
  | { readonly type: "step"; readonly report: StepReport }
  | {
      readonly type: "table";
      readonly table: string;
      readonly rows: number;
      readonly bytes: number;
      readonly seconds: number;
    }
  | { readonly type: "warning"; readonly message: string }
  /** The source snapshot's age, every minute while rows are copied (it holds back VACUUM on the source). */
  | { readonly type: "snapshot-age"; readonly seconds: number };

export type { TableReport } from "./load-tasks.js";

export interface RunReport {
  readonly runId: string;
  readonly profile?: string;
  readonly ok: boolean;
  readonly source: string;
  readonly destination: string;
  readonly sourceVersion?: string;
  readonly destinationVersion?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly steps: readonly StepReport[];
  readonly tables: readonly TableReport[];
  readonly totals: { readonly tables: number; readonly rows: number; readonly bytes: number };
  readonly verification: {
    readonly method: "row counts" | "row counts, large object digests";
    readonly ok: boolean;
    readonly mismatches: readonly string[];
  } | null;
  readonly notCarried: readonly NotCarried[];
  /** The large objects a run of the whole database carried (src/pipeline/large-objects.ts). */
  readonly largeObjects?: LargeObjectReport;
  readonly snapshot?: {
    readonly id: string;
    readonly schemas: readonly { original: string; snapshot: string }[];
  };
  readonly leftoversCleaned: readonly string[];
  readonly prunedSnapshots: readonly string[];
  /** Space the snapshots take after pruning, against the live size (a warning is added past 3x). */
  readonly snapshotStorage?: SnapshotStorage;
  readonly warnings: readonly string[];
  readonly error?: Record<string, unknown>;
}

/**
 * One sync, end to end: read the source at one snapshot, build the copy in staging schemas on the
 * destination (loaded in parallel, indexes built per table as soon as its rows are in), verify it,
 * then swap it in atomically, keeping the previous state as a snapshot. Any failure before the swap
 * leaves the destination's live schemas untouched; the staging schemas are dropped.
 */
export async function runSync(options: RunOptions): Promise<RunReport> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const parallelism = Math.max(1, options.parallelism ?? 4);
  const runId = randomBytes(4).toString("hex");
  const startedAt = new Date();
  const steps = new StepRunner((report) => options.onEvent?.({ type: "step", report }));
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onEvent?.({ type: "warning", message });
  };
  const step = async <T>(name: StepName, fn: () => Promise<T>): Promise<T> =>
    steps.run(name, async () => {
      const interrupted = () => new PgsyncError("interrupted", "the run was interrupted");
      if (options.signal?.aborted) throw interrupted();
      await options.faultHook?.(`before:${name}`);
      if (options.signal?.aborted) throw interrupted();
      return fn();
    });

  const connections: Connection[] = [];
  let closing = false;
  const open = async (side: "source" | "destination") => {
    let firstFailure = "";
    const c = await connect({
      url: side === "source" ? options.sourceUrl : options.destinationUrl,
      side,
      connectSeconds: timeouts.connectSeconds,
      applicationName: `pgsync-ts ${runId}`,
      onRetry: (retry) => {
        firstFailure ||= retry.reason;
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    connections.push(c);
    // A cold start (a suspended compute waking) or a full server is worth knowing about, not failing on.
    if (c.attempts > 1)
      warn(`connected to the ${side} at attempt ${c.attempts} (the first attempt failed: ${firstFailure})`);
    // A connection that completes after the run already failed (a sibling connect was refused) is closed at once.
    if (closing) await c.close();
    return c;
  };
  const onAbort = () => {
    for (const c of connections) c.client.end().catch(() => {});
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  let sourceInfo: ServerInfo | undefined;
  let destinationInfo: ServerInfo | undefined;
  let model: CatalogModel | undefined;
  let plan: SyncPlan | undefined;
  let control: Connection | undefined;
  let exporter: Connection | undefined;
  let snapshotResult: RunReport["snapshot"];
  let leftovers: string[] = [];
  let guard: GuardResult | undefined;
  let storage: SnapshotStorage | undefined;
  let pruned: string[] = [];
  const tables: TableReport[] = [];
  let verification: RunReport["verification"] = null;
  let failure: unknown;
  const stagingPrefix = `${STAGING_PREFIX}${runId}`;
  let stagingCreated = false;
  let workerCount = parallelism;
  let largeObjects: LargeObjectSync | undefined;

  try {
    await step("connect", async () => {
      [exporter, control] = await settleAll([open("source"), open("destination")]);
      sourceInfo = await readServerInfo(exporter.client);
      destinationInfo = await readServerInfo(control.client);
    });
    const src = exporter as unknown as Connection;
    const dst = control as unknown as Connection;
    const srcInfo = sourceInfo as ServerInfo;
    const dstInfo = destinationInfo as ServerInfo;

    await step("guard", async () => {
      guard = await inTransaction(dst.client, baseSettings(timeouts.statementSeconds), () =>
        guardDestination(src.client, dst.client, srcInfo, dstInfo, {
          ...(options.schemas ? { schemas: options.schemas } : {}),
          ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
          allowProduction: options.allowProduction ?? false,
          force: options.force ?? false,
          replacesLargeObjects: selectedSchemas(options) === undefined,
        }),
      );
    });

    await step("lock", async () => {
      // A connection of its own: the lock is transaction-level (safe behind a transaction pooler).
      const lockConnection = await open("destination");
      await holdDestinationLock(lockConnection.client, {
        wait: options.lockWait !== "fail",
        waitSeconds: timeouts.lockSeconds,
      }).catch(async (error: unknown) => {
        // Name the session that holds the lock, so a stuck one can be found and ended.
        const holders = await describeRunLockHolders(dst.client).catch(() => "");
        if (!(error instanceof PgsyncError) || !holders) throw error;
        throw new PgsyncError(error.kind, `${error.message}; held by ${holders}`, error.context, {
          cause: error,
        });
      });
      // Fit the worker pool to max_connections and the roles' connection limits on both sides.
      const sizing = sizeWorkers(
        parallelism,
        {
          source: await readConnectionRoom(src.client, "source"),
          destination: await readConnectionRoom(dst.client, "destination"),
        },
        (side, n) => (side === "source" ? n - 1 : n),
      );
      workerCount = sizing.workers;
      if (sizing.reason) warn(sizing.reason);
    });

    await step("clean-leftovers", async () => {
      const found = await cleanLeftovers(dst.client, timeouts.statementSeconds);
      leftovers = [...found.dropped];
      if (leftovers.length > 0)
        warn(
          `dropped ${leftovers.length} staging schema(s) left by an interrupted run: ${leftovers.join(", ")}`,
        );
      if (found.orphanRecords.length > 0)
        warn(
          `removed the records of snapshot schema(s) that no longer exist: ${found.orphanRecords.join(", ")}`,
        );
      for (const problem of found.problems) warn(`leftover not cleaned: ${problem}`);
    });

    const snapshotName = await step("snapshot-source", () => exportSnapshot(src.client));
    const snapshotTakenAt = Date.now();

    await step("introspect", async () => {
      model = await introspect(
        src.client,
        {
          ...(selectedSchemas(options) ? { schemas: selectedSchemas(options) } : {}),
          ...(options.excludeSchemas ? { excludeSchemas: options.excludeSchemas } : {}),
          withPrivileges: options.includePrivileges === true,
        },
        srcInfo,
      );
      // Every missing privilege, on both sides, before anything is locked or written.
      const problems = await missingPrivileges(
        src.client,
        dst.client,
        model,
        model.schemas.map((s) => s.name),
      );
      largeObjects = LargeObjectSync.forRun(model, stagingPrefix, options.includePrivileges === true);
      problems.push(...((await largeObjects?.problems(src.client, dst.client)) ?? []));
      if (problems.length > 0) throw new PgsyncError("guard", describeMissing(problems));
      await lockSourceTables(src.client, model.tables, timeouts.lockSeconds);
    });
    const catalog = model as unknown as CatalogModel;

    await step("plan", async () => {
      plan = planSync(catalog, {
        targetMajor: dstInfo.major,
        stagingPrefix,
        ...(await destinationFacts(dst.client, catalog)),
        selection: {
          ...(options.includeTables ? { includeTables: options.includeTables } : {}),
          ...(options.includeTables && options.schemas ? { includeSchemas: options.schemas } : {}),
          ...(options.excludeTables ? { excludeTables: options.excludeTables } : {}),
        },
        ...(options.structureOnly ? { structureOnly: options.structureOnly } : {}),
      });

      refuseUnportable(plan, catalog);
      for (const w of plan.warnings) warn(w);
      for (const n of catalog.notCarried) warn(`not carried: ${n.kind} ${n.identity} (${n.reason})`);
    });
    const syncPlan = plan as unknown as SyncPlan;

    await step("create-staging", async () => {
      // The first write of a run: the privilege check (plan step) has passed.
      await ensureMetaSchema(dst.client, timeouts.statementSeconds);
      await ensureExtensions(dst.client, syncPlan.extensions, warn);
      stagingCreated = true;
      // Function bodies refer to live names, which may not exist until the cut-over: do not check them now.
      const settings = { ...baseSettings(timeouts.statementSeconds), check_function_bodies: "off" };
      await inTransaction(dst.client, settings, async () => {
        for (const s of syncPlan.preData) await execute(dst.client, s.sql, s.object);
      });
    });

    await step("copy-data", async () => {
      const workers = await openWorkers(workerCount, open, src, snapshotName, timeouts.connectSeconds, warn);
      // Each copy fault point fires once, in whichever task gets there first; the other tasks that
      // reach it wait for the hook too, so a test that pauses there sees no task pass the point.
      const fired = new Map<FaultPoint, Promise<void>>();
      const fault = (point: FaultPoint): Promise<void> => {
        let hook = fired.get(point);
        if (!hook) {
          hook = Promise.resolve().then(() => options.faultHook?.(point));
          fired.set(point, hook);
        }
        return hook;
      };
      const midStream = () => fault("copy:mid-stream");
      const stopAgeReports = reportSnapshotAge(snapshotTakenAt, 60, (seconds) =>
        options.onEvent?.({ type: "snapshot-age", seconds }),
      );
      try {
        await copyAll();
      } catch (error) {
        throw explainStandbyConflict(error, srcInfo.inRecovery);
      } finally {
        stopAgeReports();
      }
      async function copyAll() {
        const onTable = (report: TableReport) => {
          tables.push(report);
          options.onEvent?.({ type: "table", ...report });
        };
        const context = { timeouts, onChunk: midStream, fault, onTable };
        const tasks = loadTasks(syncPlan, context);
        // Large objects are database-wide: staged apart from the schemas, on a free worker of the snapshot.
        const los = largeObjects;
        if (los)
          tasks.push({
            id: "large objects",
            after: [],
            locks: [],
            weight: los.estimatedBytes,
            run: (w) => los.copy(w.source.client, w.destination.client, timeouts.stallSeconds),
          });
        await runTaskGraph(tasks, workers);
      }
    });

    await step("post-data", async () => {
      // Each statement (a foreign key's validation, a materialized view's refresh) gets statementSeconds.
      const ddl = baseSettings(timeouts.statementSeconds, timeouts.lockSeconds);
      await inTransaction(dst.client, { ...ddl, maintenance_work_mem: "256MB" }, async () => {
        for (const s of syncPlan.postData) await execute(dst.client, s.sql, s.object);
      });
    });

    await step("verify", async () => {
      const mismatches = tables
        .filter((t) => t.rows !== t.destinationRows)
        .map((t) => `${t.table}: source has ${t.rows} rows, destination has ${t.destinationRows}`);
      mismatches.push(...((await largeObjects?.verify(dst.client)) ?? []));
      const method =
        (largeObjects?.report?.carried ?? 0) > 0 ? "row counts, large object digests" : "row counts";
      verification = { method, ok: mismatches.length === 0, mismatches };
      if (mismatches.length > 0) {
        throw new PgsyncError("verify", `verification failed: ${mismatches.join("; ")}`);
      }
    });

    await step("analyze", async () => {
      // Tables with partitions or children are analyzed once all of them are loaded.
      const targets = syncPlan.tables
        .filter((t) => t.analyze && !analyzedByWorker(t))
        .map((t) => qualify(t.staging.schema, t.staging.name));
      // In a transaction, so that the statement and lock timeouts apply to it too.
      if (targets.length > 0)
        await inTransaction(dst.client, baseSettings(timeouts.statementSeconds, timeouts.lockSeconds), () =>
          execute(dst.client, `ANALYZE ${targets.join(", ")}`, "analyze staging tables"),
        );
    });

    await step("cutover", async () => {
      const snapshotId = snapshotIdFor(runId);
      const schemas = syncPlan.schemas.map((s) => ({ live: s.name, incoming: s.staging }));
      // Destination objects outside the sync that depend on what the swap moves out: named before it runs.
      const hazards = await inTransaction(dst.client, baseSettings(timeouts.statementSeconds), () =>
        cutoverHazards(dst.client, schemas),
      );
      for (const h of hazards) warn(h);
      const adopt = guard?.adopt;
      const result = await swapSchemas(dst.client, {
        schemas,
        runId,
        snapshotId,
        reason: "run",
        lockSeconds: timeouts.lockSeconds,
        statementSeconds: timeouts.statementSeconds,
        ownApplicationName: `pgsync-ts ${runId}`,
        onWait: warn,
        fault: (point) => options.faultHook?.(point),
        beforeCommit: async () => {
          // Kept with the snapshot before the source's settings are applied, for a rollback.
          await saveDatabaseSettings(dst.client, snapshotId);
          for (const s of syncPlan.cutover) await execute(dst.client, s.sql, s.object, "cutover");
          if (adopt)
            await execute(
              dst.client,
              recordManagedSql(runId, srcInfo.identity, adopt),
              "managed record",
              "cutover",
            );
          for (const w of (await largeObjects?.cutover(dst.client, { snapshotId, runId })) ?? []) warn(w);
        },
      });
      stagingCreated = false;
      snapshotResult = { id: snapshotId, schemas: result.snapshotSchemas };
    });

    // The new state is live and verified; a failed prune is retried by the next run or `snapshots --prune`.
    const pruneError = await steps.runOptional("prune", async () => {
      await options.faultHook?.("before:prune");
      if (options.retention) {
        const result = await pruneSnapshots(
          dst.client,
          options.retention,
          new Date(),
          timeouts.statementSeconds,
        );
        pruned = result.pruned.map((s) => s.snapshotId);
        for (const r of result.refused) warn(`snapshot ${r.snapshot.snapshotId} was kept: ${r.reason}`);
      }
      storage = await snapshotStorage(dst.client);
      if (storage.warning) warn(storage.warning);
    });
    if (pruneError) warn(`pruning old snapshots failed (the next run retries): ${pruneError}`);
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    closing = true;
    if (stagingCreated)
      await cleanupStaging(options, timeouts, plan, stagingPrefix, steps, connections, control);
    for (const c of connections) await c.close();
  }
  steps.finish();

  const finishedAt = new Date();
  return {
    runId,
    ...(options.profile ? { profile: options.profile } : {}),
    ok: failure === undefined,
    source: maskUrl(options.sourceUrl),
    destination: maskUrl(options.destinationUrl),
    ...(sourceInfo ? { sourceVersion: (sourceInfo as ServerInfo).version } : {}),
    ...(destinationInfo ? { destinationVersion: (destinationInfo as ServerInfo).version } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
    steps: steps.reports,
    tables: [...tables].sort((a, b) => a.table.localeCompare(b.table)),
    totals: {
      tables: tables.length,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      bytes: tables.reduce((n, t) => n + t.bytes, 0),
    },
    verification,
    notCarried: model ? (model as CatalogModel).notCarried : [],
    ...(failure === undefined && largeObjects?.report ? { largeObjects: largeObjects.report } : {}),
    ...(snapshotResult ? { snapshot: snapshotResult } : {}),
    leftoversCleaned: leftovers,
    prunedSnapshots: pruned,
    ...(storage ? { snapshotStorage: storage } : {}),
    warnings,
    ...(failure === undefined ? {} : { error: errorJson(failure) }),
  };
}

async function openWorkers(
  count: number,
  open: (side: "source" | "destination") => Promise<Connection>,
  exporter: Connection,
  snapshot: string,
  connectSeconds: number,
  warn: (message: string) => void,
): Promise<WorkerPair[]> {
  // The exporter is inside the snapshot already: it is the first worker's source (one connection fewer).
  const first: WorkerPair = { source: exporter, destination: await open("destination") };
  // Behind a pooler an import can queue for a server connection that never frees up (the exporter
  // holds one for the whole run): wait a bounded time, then copy with the workers that got one.
  const waitSeconds = (await exporter.isPooled()) ? Math.min(10, connectSeconds) : undefined;
  const others = await settleAll(
    Array.from({ length: count - 1 }, async (): Promise<WorkerPair | undefined> => {
      const [source, destination] = await settleAll([open("source"), open("destination")]);
      if (await importSnapshot(source.client, snapshot, waitSeconds === undefined ? {} : { waitSeconds })) {
        return { source, destination };
      }
      await Promise.all([source.close(), destination.close()]);
      return undefined;
    }),
  );
  const joined = others.filter((w): w is WorkerPair => w !== undefined);
  if (joined.length < count - 1) {
    warn(
      `the source's connection pooler had a server connection for only ${joined.length + 1} of ${count} workers within ${waitSeconds} s (the snapshot's exporting transaction holds one for the whole run); copying with ${joined.length + 1}. Raise the pooler's pool size, or use the direct endpoint`,
    );
  }
  return [first, ...joined];
}

/**
 * The schemas a run reads and swaps: the listed ones, plus those of the listed tables. A table-level
 * selection leaves every other schema of the destination alone.
 */
export function selectedSchemas(options: {
  schemas?: readonly string[];
  includeTables?: readonly string[];
}): readonly string[] | undefined {
  if (!options.includeTables) return options.schemas;
  const fromTables = options.includeTables.map((t) => t.slice(0, t.indexOf(".")));
  return [...new Set([...(options.schemas ?? []), ...fromTables])];
}

/** What the plan needs to know about the destination to refuse what it cannot hold. */
export async function destinationFacts(
  client: pg.Client,
  model: CatalogModel,
): Promise<{
  destinationRoles: Set<string>;
  missingFunctions: Set<string>;
  destinationSettings: Set<string>;
}> {
  const roles = await client.query<{ name: string }>("SELECT rolname AS name FROM pg_catalog.pg_roles");
  const signatures = [...new Set(model.builtinFunctionUses.map((u) => u.signature))];
  const settings = await client.query<{ name: string }>("SELECT name FROM pg_catalog.pg_settings");
  return {
    destinationSettings: new Set(settings.rows.map((r) => r.name)),
    destinationRoles: new Set(roles.rows.map((r) => r.name)),
    missingFunctions: await missingFunctions(client, signatures),
  };
}

function refuseUnportable(plan: SyncPlan, model: CatalogModel): void {
  const lines = plan.refusals.map((r) => `${r.object}: ${r.reason}`);
  for (const n of model.notCarried.filter((n) => n.holdsRows))
    lines.push(`${n.kind} ${n.identity}: ${n.reason}`);
  if (lines.length > 0) {
    throw new PgsyncError(
      "unportable",
      `the destination (PostgreSQL ${plan.targetMajor}) cannot receive ${lines.length} object(s); nothing was changed:\n  ${lines.join("\n  ")}`,
    );
  }
}

/** Drops this run's staging schemas after a failure. The live schemas were never touched. */
async function cleanupStaging(
  options: RunOptions,
  timeouts: Timeouts,
  plan: SyncPlan | undefined,
  prefix: string,
  steps: StepRunner,
  connections: Connection[],
  control: Connection | undefined,
): Promise<void> {
  await steps
    .run("cleanup", async () => {
      // The control connection may be the one that failed; a fresh one is safest.
      await control?.close();
      const c = await connect({
        url: options.destinationUrl,
        side: "destination",
        connectSeconds: timeouts.connectSeconds,
      });
      connections.push(c);
      const names = plan?.schemas.map((s) => s.staging) ?? [];
      const found = await c.client.query<{ name: string }>(
        "SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE starts_with(nspname, $1) OR nspname = ANY($2::text[])",
        [prefix, names],
      );
      // One set: the staging schemas of a run reference each other (foreign keys across schemas).
      await dropToolSchemas(
        c.client,
        found.rows.map((r) => r.name),
        timeouts.statementSeconds,
      );
    })
    .catch(() => {
      // Reported in the step list; the next run finds and drops the leftovers.
    });
}

function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof PgsyncError) return error.toJSON();
  return { kind: "internal", message: errorMessage(error) };
}
