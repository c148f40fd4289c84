import type { ArchiveReport } from "../archive/request.js";
import type { SyncPlan } from "../ddl/plan.js";
import { redactDeep } from "../util/redact.js";
import { contextSteps, createRunContext } from "./context.js";
import type { RunOptions, RunReport } from "./options.js";
import { buildRunReport, type RunResults } from "./report.js";
import { loadShaping, rowShaping, subsetReport } from "./shaping.js";
import { archiveStep } from "./steps/archive.js";
import { cleanLeftoversStep } from "./steps/clean-leftovers.js";
import { cleanupStep } from "./steps/cleanup.js";
import { connectStep, type Endpoints } from "./steps/connect.js";
import { copyDataStep } from "./steps/copy-data.js";
import { createStagingStep } from "./steps/create-staging.js";
import { finishAfterLoad } from "./steps/finish.js";
import { guardStep } from "./steps/guard.js";
import { introspectStep } from "./steps/introspect.js";
import { lockStep } from "./steps/lock.js";
import { maskStep } from "./steps/mask.js";
import { openWorkers } from "./steps/open-workers.js";
import { planStep, refuseSmallDestinationLockTable } from "./steps/plan.js";
import { snapshotSourceStep } from "./steps/snapshot-source.js";
import { subsetStep } from "./steps/subset.js";

export type {
  RunEvent,
  RunOptions,
  RunReport,
  TableReport,
} from "./options.js";
export { selectedSchemas } from "./selection.js";
export { destinationFacts } from "./steps/plan.js";

/**
 * One sync, end to end: read the source at one snapshot, build the copy in staging schemas on the
 * destination (loaded in parallel, indexes built per table as soon as its rows are in), verify it,
 * then swap it in atomically, keeping the previous state as a snapshot. Any failure before the swap
 * leaves the destination's live schemas untouched; the staging schemas are dropped.
 *
 * Each step lives in its own module under ./steps and returns its value; this function only runs
 * them in order, and the report is assembled from what they returned (./report.ts).
 */
export async function runSync(options: RunOptions): Promise<RunReport> {
  const ctx = createRunContext(options);
  const startedAt = new Date();
  const { steps, step } = contextSteps(ctx, "run");

  const results: RunResults = { tables: [] };
  let ends: Endpoints | undefined;
  let plan: SyncPlan | undefined;
  let failure: unknown;
  let archive: ArchiveReport | undefined;
  try {
    const e = await step("connect", () => connectStep(ctx));
    ends = e;
    results.sourceInfo = e.sourceInfo;
    results.destinationInfo = e.destinationInfo;
    const guard = await step("guard", () => guardStep(ctx, e));
    results.guard = guard;
    const lock = await step("lock", () => lockStep(ctx, e));
    results.lock = lock;
    results.leftovers = await step("clean-leftovers", () => cleanLeftoversStep(ctx, e));
    const { snapshot, workers } = await step("snapshot-source", async () => {
      const taken = await snapshotSourceStep(e);
      // The workers join the snapshot now: the catalog is read on all of them, then they load.
      return { snapshot: taken, workers: await openWorkers(ctx, e.source, taken.name, lock.workers) };
    });
    const readers = workers.filter((w) => w.source !== e.source).map((w) => w.source.client);
    const source = await step("introspect", () => introspectStep(ctx, e, readers));
    results.model = source.model;
    results.largeObjects = source.largeObjects;
    const {
      plan: p,
      shaping,
      stagingBatch,
    } = await step("plan", async () => {
      const planned = await planStep(ctx, e, source.model);
      const locks = await refuseSmallDestinationLockTable(e, planned, source.model);
      // Masking rules and a subset's closure are settled here too: nothing is written yet.
      const mask = await maskStep(ctx, e, {
        model: source.model,
        plan: planned,
        largeObjects: source.largeObjects ? (source.model.largeObjects?.length ?? 0) : 0,
      });
      const rows = rowShaping(mask, await subsetStep(ctx, e, planned, mask.catalog));
      return { plan: planned, shaping: rows, stagingBatch: locks.stagingBatch };
    });
    plan = p;
    if (shaping.mask.report) results.masking = shaping.mask.report;
    await step("create-staging", () =>
      createStagingStep(
        ctx,
        e,
        p,
        stagingBatch,
        workers.map((w) => w.destination),
      ),
    );
    const { largeObjects } = source;
    await step("copy-data", () =>
      copyDataStep(ctx, {
        ends: e,
        plan: p,
        snapshot,
        workers,
        largeObjects,
        onTable: (t) => results.tables.push(t),
        shaping: loadShaping(shaping),
      }),
    );
    if (shaping.subset && ctx.options.subset)
      results.subset = subsetReport(p, shaping.subset, results.tables, {
        follow: ctx.options.subset.follow ?? "references",
        others: ctx.options.subset.others ?? "whole",
      });
    await finishAfterLoad(ctx, { steps, step }, e, results, {
      plan: p,
      guard,
      verify: { rows: shaping.rowsFor },
      sourceGrants: source.sourceGrants,
      maskFingerprint: shaping.mask.fingerprint,
    });
    // The profile's archive, from the same snapshot; its failure leaves the cut-over standing.
    const request = ctx.options.archive;
    if (request) archive = await archiveStep(ctx, e, { request, snapshot, model: source.model });
  } catch (error) {
    failure = error;
  } finally {
    if (ctx.stagingCreated) {
      // The control connection may be the one that failed, or hold locks on staging: end it first.
      await ends?.destination.close();
      await steps
        .run("cleanup", () => cleanupStep(ctx, plan))
        .catch(() => {
          // Reported in the step list; the next run finds and drops the leftovers.
        });
    }
    await ctx.closeAll();
  }
  steps.finish();
  const report = buildRunReport(ctx, results, steps.reports, { startedAt, finishedAt: new Date() }, failure);
  return archive ? withArchive(report, archive) : report;
}

/** A run whose archive failed has failed, its cut-over standing (history status archive-failed). */
function withArchive(report: RunReport, archive: ArchiveReport): RunReport {
  if (archive.ok || !report.ok) return { ...report, archive };
  return redactDeep({
    ...report,
    archive,
    ok: false,
    error: { kind: "archive", message: `the sync cut over, but its archive failed: ${archive.error}` },
  });
}
