import { baseSettings, execute, inTransaction } from "../../db/session.js";
import type { SyncPlan } from "../../ddl/plan.js";
import { qualify } from "../../sql/quote.js";
import type { RunContext } from "../context.js";
import { analyzedByWorker } from "../load-tasks.js";
import type { Endpoints } from "./connect.js";

/** Step "analyze": tables with partitions or children, once all of them are loaded (workers did the rest). */
export async function analyzeStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
  plan: SyncPlan,
): Promise<void> {
  const dst = ends.destination.client;
  const targets = plan.tables
    .filter((t) => t.analyze && !analyzedByWorker(t))
    .map((t) => qualify(t.staging.schema, t.staging.name));
  if (targets.length === 0) return;
  // In a transaction, so that the statement and lock timeouts apply to it too.
  await inTransaction(dst, baseSettings(ctx.timeouts.statementSeconds, ctx.timeouts.lockSeconds), () =>
    execute(dst, `ANALYZE ${targets.join(", ")}`, "analyze staging tables"),
  );
}
