import { importSnapshot } from "../../copy/source-snapshot.js";
import type { Connection } from "../../db/connect.js";
import { settleAll } from "../../util/settle.js";
import type { RunContext } from "../context.js";
import type { WorkerPair } from "../load-tasks.js";

/**
 * The run's worker pairs, opened in the snapshot-source step, right after the snapshot is exported:
 * each worker's source joins the snapshot at once, so that the introspect step can read the catalog
 * on all of them at the same time, and the load then uses the same pairs. The exporter is the first
 * worker's source.
 */
export async function openWorkers(
  ctx: RunContext,
  exporter: Connection,
  snapshot: string,
  count: number,
): Promise<WorkerPair[]> {
  // The exporter is inside the snapshot already: it is the first worker's source (one connection fewer).
  const first: WorkerPair = { source: exporter, destination: await ctx.open("destination") };
  // Behind a pooler an import can queue for a server connection that never frees up (the exporter
  // holds one for the whole run): wait a bounded time, then copy with the workers that got one.
  const waitSeconds = (await exporter.isPooled()) ? Math.min(10, ctx.timeouts.connectSeconds) : undefined;
  const others = await settleAll(
    Array.from({ length: count - 1 }, async (): Promise<WorkerPair | undefined> => {
      const [source, destination] = await settleAll([ctx.open("source"), ctx.open("destination")]);
      if (await importSnapshot(source.client, snapshot, waitSeconds === undefined ? {} : { waitSeconds })) {
        return { source, destination };
      }
      await Promise.all([source.close(), destination.close()]);
      return undefined;
    }),
  );
  const joined = others.filter((w): w is WorkerPair => w !== undefined);
  if (joined.length < count - 1) {
    ctx.warn(
      `the source's connection pooler had a server connection for only ${joined.length + 1} of ${count} workers within ${waitSeconds} s (the snapshot's exporting transaction holds one for the whole run); copying with ${joined.length + 1}. Raise the pooler's pool size, or use the direct endpoint`,
    );
  }
  return [first, ...joined];
}
