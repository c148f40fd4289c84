import { archiveTables, stageArchivedLargeObjects, structureOnlyTables } from "../archive/archive-tables.js";
import type { OpenedArchive } from "../archive/open-archive.js";
import { baseSettings, inTransaction } from "../db/session.js";
import type { SyncPlan } from "../ddl/plan.js";
import { readServerInfo } from "../introspect/index.js";
import { guardDestinationAgainst } from "../restore/guards.js";
import { checkMetaSchemaVersion } from "../restore/migrations.js";
import { contextSteps, createRunContext, type RunContext } from "./context.js";
import { LargeObjectSync } from "./large-objects.js";
import type { LoadWorker } from "./load-tasks.js";
import type { RunOptions, RunReport } from "./options.js";
import { buildRunReport, type RunResults } from "./report.js";
import { cleanLeftoversStep } from "./steps/clean-leftovers.js";
import { cleanupStep } from "./steps/cleanup.js";
import { copyDataStep } from "./steps/copy-data.js";
import { createStagingStep } from "./steps/create-staging.js";
import { finishAfterLoad } from "./steps/finish.js";
import { keptFor } from "./steps/guard.js";
import { lockStep } from "./steps/lock.js";
import { planStep } from "./steps/plan.js";

/** What a restore is asked to do: a run's destination options, and the archive (opened already). */
export type RestoreOptions = Omit<
  RunOptions,
  | "sourceUrl"
  | "masking"
  | "subset"
  | "schemas"
  | "excludeSchemas"
  | "includeTables"
  | "excludeTables"
  | "structureOnly"
  | "archive"
> & { readonly archive: OpenedArchive };

/**
 * A restore from an archive: a run whose source is the archive. The same steps, in the same order,
 * with the same guards (the source identity being the one the manifest recorded), staging, load
 * (each table's rows streamed from its files), verification (row counts, and with `verify:
 * "checksum"` every table's content digest against the manifest's), cut-over, snapshot and
 * retention. The DDL is rendered now, for the destination's version, from the archive's catalog.
 * Any failure before the cut-over leaves the live schemas untouched and drops the staging schemas;
 * a file that was changed, cut short or encrypted with another key fails the load that reads it.
 */
export async function restoreArchive(options: RestoreOptions): Promise<RunReport> {
  const { archive, ...rest } = options;
  const ctx = createRunContext({
    ...rest,
    sourceUrl: archive.location,
    verify: rest.verify ?? "counts",
    structureOnly: structureOnlyTables(archive),
  });
  const startedAt = new Date();
  const { steps, step } = contextSteps(ctx, "restore");
  const results: RunResults = { tables: [], sourceInfo: archive.sourceInfo, model: archive.model };
  const model = archive.model;
  let destination: Awaited<ReturnType<RunContext["open"]>> | undefined;
  let plan: SyncPlan | undefined;
  let failure: unknown;
  try {
    const e = await step("connect", async () => {
      const c = await ctx.open("destination");
      destination = c;
      return {
        destination: c,
        destinationInfo: await readServerInfo(c.client),
        sourceInfo: archive.sourceInfo,
      };
    });
    results.destinationInfo = e.destinationInfo;
    const guard = await step("guard", async () => {
      await checkMetaSchemaVersion(e.destination.client, ctx.timeouts.statementSeconds);
      const result = await inTransaction(
        e.destination.client,
        baseSettings(ctx.timeouts.statementSeconds),
        () =>
          guardDestinationAgainst(
            { info: archive.sourceInfo, schemas: model.schemas.map((s) => s.name) },
            e.destination.client,
            e.destinationInfo,
            {
              allowProduction: rest.allowProduction ?? false,
              force: rest.force ?? false,
              replacesLargeObjects: model.largeObjects !== undefined,
            },
          ),
      );
      if (result.adopt === "forced")
        ctx.warn(
          `adopting a destination pgsync-ts did not create (--force); its objects are kept in this restore's snapshot ${keptFor(rest.retention)}`,
        );
      return result;
    });
    results.guard = guard;
    const lock = await step("lock", () => lockStep(ctx, e));
    results.lock = lock;
    results.leftovers = await step("clean-leftovers", () => cleanLeftoversStep(ctx, e));
    const largeObjects = await step("introspect", async () =>
      LargeObjectSync.forRun(model, ctx.stagingPrefix, rest.includePrivileges === true),
    );
    results.largeObjects = largeObjects;
    const p = await step("plan", () => planStep(ctx, e, model));
    plan = p;
    await step("create-staging", () => createStagingStep(ctx, e, p));
    const workers: LoadWorker[] = [];
    for (let i = 0; i < lock.workers; i++) workers.push({ destination: await ctx.open("destination") });
    const digests = new Map(archive.contents.tables.map((t) => [`${t.schema}\u0000${t.name}`, t.digest]));
    await step("copy-data", () =>
      copyDataStep(ctx, {
        ends: e,
        plan: p,
        workers,
        largeObjects,
        onTable: (t) => results.tables.push(t),
        archive: {
          tables: archiveTables(archive),
          largeObjects: async (w) =>
            largeObjects?.stageWith((stage) =>
              stageArchivedLargeObjects(archive, w.destination.client, stage),
            ),
        },
      }),
    );
    await finishAfterLoad(ctx, { steps, step }, e, results, {
      plan: p,
      guard,
      verify: { recordedDigest: (t) => digests.get(`${t.table.schema}\u0000${t.table.name}`) },
      sourceGrants: archive.contents.grants,
      maskFingerprint: null,
    });
  } catch (error) {
    failure = error;
  } finally {
    if (ctx.stagingCreated) {
      await destination?.close();
      await steps.run("cleanup", () => cleanupStep(ctx, plan)).catch(() => {});
    }
    await ctx.closeAll();
  }
  steps.finish();
  const report = buildRunReport(ctx, results, steps.reports, { startedAt, finishedAt: new Date() }, failure);
  // The source is the archive: named by its location (no connection string to mask).
  return {
    ...report,
    source: archive.location,
    steps: report.steps.filter((s) => s.name !== "snapshot-source"),
  };
}
