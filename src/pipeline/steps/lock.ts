import { readConnectionRoom, sizeWorkers } from "../../db/capacity.js";
import { pinned } from "../../db/session.js";
import { PgsyncError } from "../../errors.js";
import { holdDestinationLock } from "../../restore/lock.js";
import { describeRunLockHolders } from "../../restore/readers.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

export interface LockResult {
  /** The worker pool, fitted to both sides' connection limits. */
  readonly workers: number;
  /** Time spent waiting for another run's lock (0 when it was free). */
  readonly waitedSeconds: number;
}

/**
 * Step "lock": the run's advisory lock, on a destination connection of its own (transaction-level,
 * so it is safe behind a transaction pooler), held until the run ends; then the pool is sized.
 */
export async function lockStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination"> & { readonly source?: Endpoints["source"] },
): Promise<LockResult> {
  const lockConnection = await ctx.open("destination");
  const started = Date.now();
  const holders = () => describeRunLockHolders(ends.destination.client).catch(() => "");
  await holdDestinationLock(lockConnection.client, {
    wait: ctx.options.lockWait !== "fail",
    waitSeconds: ctx.timeouts.lockSeconds,
    reportEverySeconds: ctx.options.lockWaitReportSeconds ?? 30,
    onWaiting: async (seconds) => ctx.emit({ type: "lock-wait", seconds, holders: await holders() }),
  }).catch(async (error: unknown) => {
    // Name the session that holds the lock, so a stuck one can be found and ended.
    const who = await holders();
    if (!(error instanceof PgsyncError) || !who) throw error;
    throw new PgsyncError(error.kind, `${error.message}; held by ${who}`, error.context, { cause: error });
  });
  const waitedSeconds = Math.round((Date.now() - started) / 100) / 10;
  // Fit the worker pool to max_connections and the roles' connection limits on both sides (a
  // restore from an archive has no source: nothing limits that side).
  const source = ends.source?.client;
  const sizing = sizeWorkers(
    ctx.parallelism,
    {
      source: source
        ? await pinned(source, () => readConnectionRoom(source, "source"))
        : { side: "source", server: "(an archive)", role: "", database: "", limits: [] },
      destination: await pinned(ends.destination.client, () =>
        readConnectionRoom(ends.destination.client, "destination"),
      ),
    },
    (side, n) => (side === "source" ? n - 1 : n),
  );
  if (sizing.reason) ctx.warn(sizing.reason);
  return { workers: sizing.workers, waitedSeconds };
}
