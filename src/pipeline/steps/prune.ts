import { errorMessage } from "../../errors.js";
import { type SnapshotStorage, snapshotStorage } from "../../restore/meta.js";
import { pruneSnapshots } from "../../restore/retention.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

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
  const retention = ctx.options.retention;
  if (retention) {
    const result = await pruneSnapshots(dst, retention, new Date(), ctx.timeouts.statementSeconds);
    pruned = result.pruned.map((s) => s.snapshotId);
    for (const r of result.refused) ctx.warn(`snapshot ${r.snapshot.snapshotId} was kept: ${r.reason}`);
  }
  const expectation = retention
    ? { retention, ...(ctx.options.runsPerDay ? { runsPerDay: ctx.options.runsPerDay } : {}) }
    : undefined;
  const storage = await snapshotStorage(dst, undefined, expectation).catch((error: unknown) => {
    ctx.warn(`the snapshots' size could not be read: ${errorMessage(error)}`);
    return undefined;
  });
  if (storage?.warning) ctx.warn(storage.warning);
  return { pruned, storage };
}
