import { baseSettings, execute, inTransaction } from "../../db/session.js";
import type { SyncPlan } from "../../ddl/plan.js";
import type { RunContext } from "../context.js";
import type { Endpoints } from "./connect.js";

/**
 * Step "post-data": what needs every table loaded (keys of partitioned tables and their foreign keys,
 * materialized views, triggers, rules, policies, comments, sequence values), in one transaction.
 */
export async function postDataStep(
  ctx: RunContext,
  ends: Pick<Endpoints, "destination">,
  plan: SyncPlan,
): Promise<void> {
  const dst = ends.destination.client;
  // Each statement (a foreign key's validation, a materialized view's refresh) gets statementSeconds.
  const ddl = baseSettings(ctx.timeouts.statementSeconds, ctx.timeouts.lockSeconds);
  await inTransaction(dst, { ...ddl, maintenance_work_mem: "256MB" }, async () => {
    for (const s of plan.postData) await execute(dst, s.sql, s.object);
  });
}
