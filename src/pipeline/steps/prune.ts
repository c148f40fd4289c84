import { errorMessage } from "../../errors.js";
import type { SnapshotRecord } from "../../restore/meta.js";
import { pruneSnapshots } from "../../restore/retention.js";
import { type SnapshotStorage, snapshotStorage } from "../../restore/snapshot-storage.js";
import type { RunContext } from "../context.js";
import type { StepRunner } from "../step-runner.js";
import type { Endpoints } from "./connect.js";
import { maskSnapshotsStep } from "./mask-snapshots.js";

export interface PruneOutcome {
  readonly pruned: readonly string[];
  /** Undefined when the sizes could not be read (a warning says why; the pruning stands). */
  readonly storage: SnapshotStorage | undefined;
}

/**
 * Step "prune", after the cut-over: snapshots past the retention are dropped. A failure here does not
 * fail the run (the new state is live and verified); the next run or `snapshots --prune` retries.
 */
export async function pruneStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
): Promise<PruneOutcome> {
  const dst = ends.destination.client;
  let pruned: string[] = [];
  // The snapshots left, as the pruning listed them (PruneResult.kept): a listing measures each one's
  // size, a stat() per file, about a second for a snapshot of 10,000 tables.
  let kept: readonly SnapshotRecord[] | undefined;
  const retention = ctx.options.retention;
  if (retention) {
    const result = await pruneSnapshots(dst, retention, new Date(), ctx.timeouts.statementSeconds);
    pruned = result.pruned.map((s) => s.snapshotId);
    kept = result.kept;
    for (const r of result.refused) ctx.warn(`snapshot ${r.snapshot.snapshotId} was kept: ${r.reason}`);
    for (const r of result.unfinished)
      ctx.warn(`snapshot ${r.snapshot.snapshotId} was pruned, but not all of it is dropped yet: ${r.reason}`);
  }
  const expectation = retention
    ? { retention, ...(ctx.options.runsPerDay ? { runsPerDay: ctx.options.runsPerDay } : {}) }
    : undefined;
  const storage = await snapshotStorage(dst, kept, expectation).catch((error: unknown) => {
    ctx.warn(`the snapshots' size could not be read: ${errorMessage(error)}`);
    return undefined;
  });
  if (storage?.warning) ctx.warn(storage.warning);
  return { pruned, storage };
}

/**
 * The prune step as a run and an archive restore end it, after their cut-over: the snapshots that
 * hold data masked otherwise (or unmasked) go first (src/mask/snapshots.ts), then the retention.
 * Optional: the new state is live and verified, so a failure is a warning (the next run or
 * `snapshots --prune` retries) and the outcome is undefined.
 */
export async function pruneAfterCutover(
  ctx: RunContext,
  steps: Pick<StepRunner, "runOptional">,
  ends: Pick<Endpoints, "destination">,
  maskFingerprint: string | null,
): Promise<PruneOutcome | undefined> {
  let outcome: PruneOutcome | undefined;
  const error = await steps.runOptional("prune", async () => {
    await ctx.fault("before:prune");
    const masked = await maskSnapshotsStep(ctx, ends, maskFingerprint);
    const pruned = await pruneStep(ctx, ends);
    outcome = masked.length > 0 ? { ...pruned, pruned: [...masked, ...pruned.pruned] } : pruned;
  });
  if (error) ctx.warn(`pruning old snapshots failed (the next run retries): ${error}`);
  return outcome;
}
